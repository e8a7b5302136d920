"""The icon set of the resident screens: Material Icons names → the glyph to draw from the icon font.

The font and its name map come from Debian's ``fonts-material-design-icons-iconfont`` (Apache-2.0,
installed by ``scripts/setup.sh``): the TTF draws the glyphs, and the package's ``_variables.scss`` maps
every icon name to its codepoint. The map is read from that file, never copied into the code, so a font
upgrade that renames or adds icons needs no code change. No Kivy here: config validation (an unknown
``icon:`` in services.yaml is a config error) and the screens both use it.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

PACKAGE = "fonts-material-design-icons-iconfont"
# where the Debian package puts them (`dpkg -L fonts-material-design-icons-iconfont`); the environment
# variables exist for a non-Debian developer machine with the same two files elsewhere
FONT_PATH = Path(os.environ.get("KIOSK_ICON_FONT",
                                "/usr/share/fonts/truetype/material-design-icons-iconfont/MaterialIcons-Regular.ttf"))
MAP_PATH = Path(os.environ.get("KIOSK_ICON_MAP",
                               "/usr/share/fonts-material-design-icons-iconfont/scss/_variables.scss"))

# one entry of the scss map:   "qr_code_scanner": f206,
_ENTRY = re.compile(r'^\s*"([a-z0-9_]+)"\s*:\s*([0-9a-fA-F]{4,6})\s*,?\s*$', re.M)

#: the icons of the actions every flow shares (spec resident-ui.md); screens look them up by role
ACTIONS = {
    "card": "contactless", "card_alt": "credit_card", "scan": "qr_code_scanner", "help": "sos",
    "repeat": "volume_up", "elder": "elderly", "lang": "translate", "home": "home", "back": "arrow_back",
    "end": "logout", "on": "toggle_on", "off": "toggle_off", "print": "print", "ok": "check_circle",
    "error": "error", "call": "call",
}


class IconError(Exception):
    """The icon font or its name map is missing or unusable; the message is for staff (Chinese, then English)."""


@lru_cache(maxsize=4)
def codepoints(map_path: Path = MAP_PATH) -> dict[str, int]:
    """Every icon name of the installed set → its codepoint, read from the package's scss map."""
    try:
        text = Path(map_path).read_text(encoding="utf-8")
    except OSError as exc:
        raise IconError(f"找不到图标库名称表 {map_path}（请安装 {PACKAGE}：运行 scripts/setup.sh）"
                        f" / icon name map not found: {map_path} ({exc.strerror})") from exc
    found = {name: int(code, 16) for name, code in _ENTRY.findall(text)}
    if not found:
        raise IconError(f"图标库名称表 {map_path} 中没有图标 / no icon names in {map_path}")
    return found


def glyph(name: str) -> str:
    """The character that draws icon ``name`` in the icon font; IconError for a name the set lacks."""
    code = codepoints().get(name)
    if code is None:
        raise IconError(f"图标库中没有名为 {name!r} 的图标 / no icon named {name!r} in {PACKAGE}")
    return chr(code)


def font_path() -> str:
    """The icon TTF, checked to exist (the app refuses to start without it)."""
    if not FONT_PATH.is_file():
        raise IconError(f"找不到图标字体 {FONT_PATH}（请安装 {PACKAGE}：运行 scripts/setup.sh）"
                        f" / icon font not found: {FONT_PATH}")
    return str(FONT_PATH)


def check_name(name: str) -> str:
    """Config validator: ``name`` must be an icon of the installed set (returns it unchanged)."""
    from kiosk.config.base import bad

    try:
        known = codepoints()
    except IconError as exc:
        raise bad(str(exc).split(" / ")[0], str(exc).split(" / ")[-1]) from exc
    if name not in known:
        near = sorted(n for n in known if name.replace("-", "_") in n)[:5]
        hint = f"，相近的有：{', '.join(near)}" if near else ""
        raise bad(f"图标库中没有名为 {name!r} 的图标{hint}（名称见 docs/config.md）",
                  f"unknown icon {name!r}; names are those of {PACKAGE}")
    return name
