"""The receipt document model: a list of small blocks that the encoder turns into ESC/POS bytes.

Layouts (``kiosk/receipts``) build these; the encoder (``devices.printer.encoder``) and the preview both
consume them, so there is one description of a receipt and two renderings of the same bytes.
Display-width helpers live here because layouts need them too (CJK counts as two columns).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal, Union

Align = Literal["left", "center", "right"]

# characters that must not start a line (Chinese line-breaking rule 避头点)
_NO_LINE_START = set("，。、：；！？）》」』〕】,.;:!?)]}%")


def char_width(ch: str) -> int:
    """Printer columns taken by ``ch`` at normal size.

    East Asian Wide/Fullwidth characters take 2. So does every other non-ASCII character: in Chinese
    mode the printer draws each multibyte GB18030 code (“ ” ± × é ① …) in a full 24-dot cell, whatever
    Unicode's "ambiguous"/"narrow" class says; only ASCII gets a 12-dot half cell.
    """
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1 if ord(ch) < 0x80 else 2


def text_width(text: str) -> int:
    """Sum of :func:`char_width`; that is 1 per ASCII and 2 per other character, computed without a loop
    in Python (this runs for every line of every receipt)."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def clean_text(text: str) -> str:
    """Printable text only: tabs become spaces, other control characters are dropped (they are commands)."""
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for ch in str(text):
        if ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def wrap(text: str, columns: int) -> list[str]:
    """Wrap ``text`` into lines of at most ``columns`` display columns.

    Latin words are kept whole when they fit on a line; CJK may break between any two characters, but a
    closing punctuation mark never starts a line: the character before it moves down with it (the line
    must not overflow, the printer would wrap it itself and break the layout).
    """
    columns = max(2, columns)
    text = clean_text(text)
    if "\n" not in text and text_width(text) <= columns:
        return [text]
    lines: list[str] = []
    for para in text.split("\n"):
        tokens = _tokens(para)
        line, width = "", 0
        for tok in tokens:
            tw = text_width(tok)
            if width + tw <= columns:
                line, width = line + tok, width + tw
                continue
            if tok == " ":
                lines.append(line)
                line, width = "", 0
                continue
            if tw > columns:  # a word longer than a line: hard split
                for ch in tok:
                    cw = char_width(ch)
                    if width + cw > columns:
                        lines.append(line)
                        line, width = "", 0
                    line, width = line + ch, width + cw
                continue
            if tok in _NO_LINE_START and line:
                moved = line[-1]
                lines.append(line[:-1])
                line, width = moved + tok, char_width(moved) + tw
                continue
            lines.append(line.rstrip(" "))
            line, width = tok, tw
        lines.append(line.rstrip(" "))
    return lines


def _tokens(text: str) -> list[str]:
    """Split into Latin words, single spaces and single wide characters."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch == " " or char_width(ch) == 2 or ch in _NO_LINE_START:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def pad_to(text: str, width: int, align: Align = "left") -> str:
    gap = max(0, width - text_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


@dataclass(frozen=True)
class Text:
    """A paragraph. ``size`` is (width, height) magnification 1–8; wrapped by display width."""

    text: str
    size: tuple[int, int] = (1, 1)
    bold: bool = False
    align: Align = "left"

    def __post_init__(self) -> None:
        w, h = self.size
        if not (1 <= w <= 8 and 1 <= h <= 8):
            raise ValueError(f"text size must be 1..8 x 1..8, not {self.size}")
        if self.align not in ("left", "center", "right"):
            raise ValueError(f"align must be left/center/right, not {self.align!r}")


@dataclass(frozen=True)
class Separator:
    char: str = "-"


@dataclass(frozen=True)
class KeyValue:
    """``key`` left, ``value`` right-aligned on the same line (wraps under the key when too long)."""

    key: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Table:
    """Fixed-width columns; ``widths`` in display columns (sum ≤ line width). Cells wrap within their column."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]


@dataclass(frozen=True)
class QR:
    """A native QR code (GS ( k). Keep ``data`` ASCII (URLs); ``module`` is dots per module (1–16)."""

    data: str
    module: int = 6
    ecc: Literal["L", "M", "Q", "H"] = "M"
    align: Align = "center"

    def __post_init__(self) -> None:
        if not 1 <= self.module <= 16:
            raise ValueError(f"QR module size must be 1..16, not {self.module}")
        if self.ecc not in ("L", "M", "Q", "H"):
            raise ValueError(f"QR ecc must be L/M/Q/H, not {self.ecc!r}")
        if not self.data or len(self.data.encode("utf-8")) > 7089:
            raise ValueError("QR data must be 1..7089 bytes")


@dataclass(frozen=True, eq=False)
class Image:
    """A picture (a PIL image), printed as raster bands; scaled down to fit the paper if wider."""

    image: Any
    align: Align = "center"
    max_width: int | None = None  # dots


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    pass


Block = Union[Text, Separator, KeyValue, Table, QR, Image, Feed, Cut]


@dataclass
class Document:
    """A print job. ``kind`` names the layout (for logs and previews; never personal data)."""

    blocks: list[Block] = field(default_factory=list)
    kind: str = "document"

    def add(self, *blocks: Block) -> "Document":
        self.blocks.extend(blocks)
        return self

    def wipe(self) -> None:
        """Drop the content (a discarded session's receipt may hold a masked name or reference)."""
        self.blocks.clear()
