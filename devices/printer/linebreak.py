"""Display width and line breaking for receipts: CJK counts two columns, Chinese punctuation rules hold.

Where a line may break (the rules a reader of Chinese expects, after W3C "Requirements for Chinese Text
Layout" §3.1 and GB/T 15834):

* a Latin word, a number, a time or a date (``9:00-17:00``, ``2026-11-27``, ``11240.00``, a URL) is never
  split unless it is longer than a whole line;
* closing punctuation (``。，、；：？！）」』】》…`` and their ASCII forms) never starts a line: it stays with
  what it closes, even when that is a whole word (``17:00）`` moves down together);
* opening punctuation (``（「『【《“`` and ``￥``) never ends a line: it moves down with what it opens;
* CJK may break between any two characters otherwise, spaces are break points and vanish at a break.

Layouts and the encoder share these helpers (``devices.printer.document`` re-exports them).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Literal

Align = Literal["left", "center", "right"]

#: may not start a line (避头): closing brackets and quotes, stops, pauses, ellipsis, the per-cent sign
NO_LINE_START = "，。、：；！？）》」』〕】〗〉］｝”’…‥％,.;:!?)]}%"
#: may not end a line (避尾): opening brackets and quotes, and currency signs that lead a number
NO_LINE_END = "（《「『〔【〖〈［｛“‘￥＄([{$"

# Characters that make up a "word" which is never split: everything narrow (Latin letters, digits, ASCII
# punctuation, ·, ①, ±…) below the CJK blocks, except spaces and the non-ASCII quotes/ellipsis that are
# punctuation around words rather than part of them.
_WORD = r"[^\s\u1100-\u115f\u2e80-\U0003ffff“”‘’…‥]"
_OPEN = "[" + re.escape(NO_LINE_END) + "]"
_CLOSE = "[" + re.escape(NO_LINE_START) + "]"
# one unbreakable unit: opening marks, then a word or one wide character, then closing marks; or spaces
_UNIT = re.compile(rf" +|{_OPEN}*(?:{_WORD}+|\S){_CLOSE}*")


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
    if text.isascii():  # O(1) in CPython: a flag of the string object
        return len(text)
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def clean_text(text: str) -> str:
    """Printable text only: tabs become spaces, other control characters are dropped (they are commands)."""
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def wrap(text: str, columns: int) -> list[str]:
    """Wrap ``text`` into lines of at most ``columns`` display columns, by the rules in the module doc.

    ``\\n`` starts a new paragraph. No line is ever wider than ``columns`` (the printer would wrap it itself
    and break the layout): a single unit wider than a line is the one case split inside.
    """
    columns = max(2, columns)
    text = str(text)
    if "\n" not in text:
        text = clean_text(text)
        if text_width(text) <= columns:
            return [text]
    lines: list[str] = []
    for para in text.split("\n"):  # each paragraph cleaned of control characters on its own
        _wrap_paragraph(clean_text(para), columns, lines)
    return lines


def _wrap_paragraph(para: str, columns: int, lines: list[str]) -> None:
    line, width = "", 0
    for unit in _UNIT.findall(para):
        uw = len(unit) if unit.isascii() else 2 * len(unit) - len(unit.encode("ascii", "ignore"))
        if width + uw <= columns:
            line, width = line + unit, width + uw
            continue
        if unit[0] == " ":  # a break point: the spaces vanish
            lines.append(line.rstrip(" "))
            line, width = "", 0
            continue
        if line.strip(" "):
            lines.append(line.rstrip(" "))
            line, width = "", 0
        if uw <= columns:
            line, width = unit, uw
            continue
        for ch in unit:  # longer than a whole line (a long URL): the only split inside a unit
            cw = char_width(ch)
            if width + cw > columns:
                lines.append(line)
                line, width = "", 0
            line, width = line + ch, width + cw
    lines.append(line.rstrip(" "))


def pad_to(text: str, width: int, align: Align = "left") -> str:
    gap = max(0, width - text_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap
