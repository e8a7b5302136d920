"""Checks that the configured CJK font can show every string the kiosk displays.

Two depths: :func:`load_font` reads the whole character map (≈0.4 s for a 34k-glyph CJK font; used by
tests and ``kiosk config check``), :func:`quick_check` reads only the ``name`` and ``OS/2`` tables (a few
ms; used at app start-up, where a missing or wrong font must be a clear error before any widget exists).

Kivy opens face 0 of a ``.ttc``/``.otc`` collection, so the check looks at face 0 only: a Noto CJK
collection whose face 0 is the Japanese variant would draw 直/骨/次 with Japanese shapes, and a font with
no Latin letters (Droid Sans Fallback) would show boxes for "English". fontTools reads the cmap; no Kivy.
"""
from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable


# Family-name markers of the non-Simplified faces found in common CJK collections.
_NOT_SC = re.compile(r"\b(JP|KR|TC|HK|Japanese|Korean|Traditional)\b|\bCJK ?(jp|kr|tc|hk)\b", re.I)


class FontError(Exception):
    """The font cannot show the kiosk's text; the message is for staff (Chinese, then English)."""


@dataclass(frozen=True)
class FontInfo:
    path: str
    family: str
    codepoints: frozenset[int]

    def missing(self, texts: Iterable[str]) -> set[str]:
        """Characters of ``texts`` the font has no glyph for (whitespace and controls ignored)."""
        return {ch for text in texts for ch in text
                if not ch.isspace() and ord(ch) >= 0x20 and ord(ch) not in self.codepoints}


def _open_face0(p: Path):
    from fontTools.ttLib import TTCollection, TTFont  # imported here: ~0.2 s, only tests and config check pay it

    if p.suffix.lower() in (".ttc", ".otc"):
        return TTCollection(str(p), lazy=True).fonts[0]
    return TTFont(str(p), lazy=True, fontNumber=0)


# OS/2 ulUnicodeRange1 bit 0 = Basic Latin; ulUnicodeRange2 bit 27 (bit 59 overall) = CJK Unified Ideographs
_LATIN_BIT, _CJK_BIT = 1 << 0, 1 << (59 - 32)


def _sfnt_face0_tables(data: bytes) -> dict[bytes, tuple[int, int]]:
    """Table tag -> (offset, length) of face 0 of an sfnt or TTC file (OpenType spec, 'TTC header')."""
    base = 0
    if data[:4] == b"ttcf":
        (base,) = struct.unpack_from(">I", data, 12)  # offset of the first face's table directory
    (count,) = struct.unpack_from(">H", data, base + 4)
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, base + 12 + 16 * i)
        tables[tag] = (offset, length)
    return tables


def _family_name(data: bytes, offset: int) -> str:
    """Name ID 1 from a 'name' table: Windows Unicode (3,1) preferred, else Macintosh Roman (1,0)."""
    _fmt, count, strings = struct.unpack_from(">HHH", data, offset)
    found: dict[tuple[int, int], str] = {}
    for i in range(count):
        platform, encoding, language, name_id, length, str_off = struct.unpack_from(
            ">HHHHHH", data, offset + 6 + 12 * i)
        if name_id != 1:
            continue
        raw = data[offset + strings + str_off: offset + strings + str_off + length]
        if platform == 3 and encoding in (1, 10) and language == 0x0409:
            found[(0, 0)] = raw.decode("utf-16-be", errors="replace")
        elif platform == 3 and encoding in (1, 10):
            found.setdefault((1, language), raw.decode("utf-16-be", errors="replace"))
        elif platform == 1 and encoding == 0:
            found.setdefault((2, language), raw.decode("mac_roman", errors="replace"))
    return found[min(found)] if found else ""


def quick_check(path: str | os.PathLike) -> str:
    """Cheap start-up check of face 0: exists, is a font, Simplified Chinese, declares Latin + CJK. Returns the family.

    Hand-parses the sfnt table directory because importing fontTools and reading these two small tables
    took 0.3–0.6 s on the kiosk machines — a third of the cold-start budget — for a few bytes of header.
    """
    p = Path(path)
    if not p.is_file():
        raise FontError(f"找不到中文字体文件 {p}（请安装 fonts-wqy-microhei 或修改 display.font_path）"
                        f" / CJK font file not found: {p}")
    try:
        data = p.read_bytes()
        tables = _sfnt_face0_tables(data)
        family = _family_name(data, tables[b"name"][0]) or p.name
        r1, r2 = struct.unpack_from(">II", data, tables[b"OS/2"][0] + 42)  # ulUnicodeRange1..2
    except (OSError, KeyError, struct.error) as exc:
        raise FontError(f"字体文件无法读取 {p}: {exc} / unreadable font file") from exc
    if _NOT_SC.search(family):
        raise FontError(f"字体 {family} 不是简体中文字形 / font face 0 ({family}) is not Simplified Chinese")
    if not (r1 & _LATIN_BIT and r2 & _CJK_BIT):
        raise FontError(f"字体 {family} 未声明同时包含拉丁字母和汉字 / font does not declare both Latin and CJK")
    return family


@lru_cache(maxsize=8)
def load_font(path: str | os.PathLike) -> FontInfo:
    """Read face 0 of ``path``; raise FontError with a clear message if it is unusable for the kiosk."""
    p = Path(path)
    if not p.is_file():
        raise FontError(f"找不到中文字体文件 {p}（请安装 fonts-wqy-microhei 或修改 display.font_path）"
                        f" / CJK font file not found: {p}")
    from fontTools.ttLib import TTLibError

    try:
        font = _open_face0(p)
        family = font["name"].getDebugName(1) or p.name
        cmap = frozenset(font.getBestCmap() or {})
    except (TTLibError, OSError, KeyError, IndexError) as exc:
        raise FontError(f"字体文件无法读取 {p}: {exc} / unreadable font file") from exc
    if _NOT_SC.search(family):
        raise FontError(f"字体 {family} 不是简体中文字形 / font face 0 ({family}) is not Simplified Chinese")
    need = "汉字取号ABCabc0123"
    info = FontInfo(str(p), family, cmap)
    lacking = info.missing([need])
    if lacking:
        raise FontError(f"字体 {family} 缺少基本字符 {''.join(sorted(lacking))} / font lacks basic characters")
    return info
