"""The receipt document model: a list of small blocks that the encoder turns into ESC/POS bytes.

Layouts (``kiosk/receipts``) build these; the encoder (``devices.printer.encoder``) and the preview both
consume them, so there is one description of a receipt and two renderings of the same bytes.
Display-width and line-breaking helpers (``linebreak``) are re-exported here because layouts need them too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

from devices.printer.linebreak import (NO_LINE_END, NO_LINE_START, Align, char_width, clean_text, pad_to,
                                       text_width, wrap)

__all__ = ["Align", "Block", "Cut", "Document", "Feed", "Image", "KeyValue", "QR", "Separator", "Table", "Text",
           "NO_LINE_END", "NO_LINE_START", "char_width", "clean_text", "pad_to", "text_width", "wrap"]


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Separator:
    char: str = "-"


@dataclass(frozen=True, slots=True)
class KeyValue:
    """``key`` left, ``value`` right-aligned on the same line (wraps under the key when too long)."""

    key: str
    value: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """Fixed-width columns; ``widths`` in display columns (sum ≤ line width). Cells wrap within their column."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class QR:
    """A native QR code (GS ( k). Keep ``data`` ASCII (URLs); ``module`` is dots per module (1–16).

    Always centred, with a quiet zone of at least 4 modules on every side (phone scanners need it): the
    encoder feeds blank paper above and below and shrinks the module if the symbol would leave less than
    4 modules of paper at either edge.
    """

    data: str
    module: int = 6
    ecc: Literal["L", "M", "Q", "H"] = "M"
    align: Literal["center"] = "center"

    def __post_init__(self) -> None:
        if self.align != "center":
            raise ValueError(f"a QR code is printed centred (its quiet zone), not {self.align!r}")
        if not 1 <= self.module <= 16:
            raise ValueError(f"QR module size must be 1..16, not {self.module}")
        if self.ecc not in ("L", "M", "Q", "H"):
            raise ValueError(f"QR ecc must be L/M/Q/H, not {self.ecc!r}")
        if not self.data or len(self.data.encode("utf-8")) > 7089:
            raise ValueError("QR data must be 1..7089 bytes")


@dataclass(frozen=True, eq=False, slots=True)
class Image:
    """A picture (a PIL image), printed as raster bands; scaled down to fit the paper if wider."""

    image: Any
    align: Align = "center"
    max_width: int | None = None  # dots
    #: the picture is drawn once from constants and never modified (the test page's ramp): the encoder
    #: dithers it once per process instead of once per print
    constant: bool = False


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
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
