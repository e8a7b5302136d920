"""Checks that the configured CJK font can show every string the kiosk displays.

Kivy opens face 0 of a ``.ttc``/``.otc`` collection, so the check looks at face 0 only: a Noto CJK
collection whose face 0 is the Japanese variant would draw 直/骨/次 with Japanese shapes, and a font with
no Latin letters (Droid Sans Fallback) would show boxes for "English". fontTools reads the cmap; no Kivy.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from fontTools.ttLib import TTCollection, TTFont, TTLibError

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


@lru_cache(maxsize=8)
def load_font(path: str | os.PathLike) -> FontInfo:
    """Read face 0 of ``path``; raise FontError with a clear message if it is unusable for the kiosk."""
    p = Path(path)
    if not p.is_file():
        raise FontError(f"找不到中文字体文件 {p}（请安装 fonts-wqy-microhei 或修改 display.font_path）"
                        f" / CJK font file not found: {p}")
    try:
        if p.suffix.lower() in (".ttc", ".otc"):
            font = TTCollection(str(p), lazy=True).fonts[0]
        else:
            font = TTFont(str(p), lazy=True, fontNumber=0)
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
