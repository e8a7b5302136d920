"""Sizes and colours of the kiosk UI for normal and elder (适老化) mode, as plain numbers.

No Kivy here: the accessibility test and the app both read these numbers, and the rules they must meet
(MIIT 2021 elder-friendly design: body text >= 18 pt, largest >= 30 pt, targets >= 60 dp, contrast >= 4.5:1,
line spacing >= 1.3; 44 dp targets otherwise) are checked against them with the WCAG contrast formula below.
Font sizes are given in points and turned into pixels for the configured screen density (``dpi``), so the
"pt equivalent at the configured screen size" is ``px * 72 / dpi``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

RGB = tuple[float, float, float]


def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with components in 0..1."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: RGB, bg: RGB) -> float:
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def pt_to_px(pt: float, dpi: float) -> float:
    return pt * dpi / 72.0


def px_to_pt(px: float, dpi: float) -> float:
    return px * 72.0 / dpi


@dataclass(frozen=True)
class Palette:
    """Every foreground/background pair used on screen; each pair is checked for >= 4.5:1."""

    bg: RGB = hex_rgb("#F4F6F9")            # screen background
    text: RGB = hex_rgb("#1A1F29")
    muted: RGB = hex_rgb("#3F4856")          # secondary text, still >= 7:1 on bg
    header_bg: RGB = hex_rgb("#0B3D91")      # top bar
    header_text: RGB = hex_rgb("#FFFFFF")
    panel_bg: RGB = hex_rgb("#FFFFFF")
    primary_bg: RGB = hex_rgb("#1456B8")     # main actions
    primary_text: RGB = hex_rgb("#FFFFFF")
    secondary_bg: RGB = hex_rgb("#DCE4EF")   # other actions
    secondary_text: RGB = hex_rgb("#0B2A5B")
    help_bg: RGB = hex_rgb("#B42318")        # 一键求助
    help_text: RGB = hex_rgb("#FFFFFF")
    disabled_bg: RGB = hex_rgb("#D5D9DF")    # unavailable service: greyed AND a text reason
    disabled_text: RGB = hex_rgb("#39414D")
    error_bg: RGB = hex_rgb("#FDECEA")
    error_text: RGB = hex_rgb("#7A1A10")
    ok_bg: RGB = hex_rgb("#E7F4EA")
    ok_text: RGB = hex_rgb("#14532D")
    overlay_bg: RGB = hex_rgb("#FFFFFF")     # idle/progress dialogs
    stripe_bg: RGB = hex_rgb("#E8EEF6")      # table rows and read-only field cards: not a button, not the page

    def pairs(self) -> dict[str, tuple[RGB, RGB]]:
        return {
            "text": (self.text, self.bg), "muted": (self.muted, self.bg),
            "text_on_panel": (self.text, self.panel_bg), "muted_on_panel": (self.muted, self.panel_bg),
            "header": (self.header_text, self.header_bg), "primary": (self.primary_text, self.primary_bg),
            "secondary": (self.secondary_text, self.secondary_bg), "help": (self.help_text, self.help_bg),
            "disabled": (self.disabled_text, self.disabled_bg), "error": (self.error_text, self.error_bg),
            "ok": (self.ok_text, self.ok_bg), "overlay": (self.text, self.overlay_bg),
            "stripe": (self.text, self.stripe_bg), "muted_on_stripe": (self.muted, self.stripe_bg),
        }


@dataclass(frozen=True)
class Theme:
    """One mode's numbers. Font sizes in pt, lengths in dp."""

    name: str
    small_pt: float      # hints, table cells — the smallest text on any screen
    body_pt: float
    button_pt: float
    title_pt: float
    largest_pt: float    # screen titles / countdown digits
    target_dp: float     # minimum touch target edge
    button_h_dp: float   # normal button height (>= target_dp)
    pad_dp: float
    gap_dp: float
    line_height: float
    colors: Palette = field(default_factory=Palette)
    min_target_dp: float = 44.0
    icon_dp: float = 96.0  # a service tile's icon edge (spec: >= 96 px standard, >= 128 px elder)
    min_body_pt: float = 0.0
    min_largest_pt: float = 0.0


NORMAL = Theme(name="normal", small_pt=14, body_pt=16, button_pt=18, title_pt=26, largest_pt=32,
               target_dp=56, button_h_dp=88, pad_dp=24, gap_dp=16, line_height=1.3,
               min_target_dp=44.0)
ELDER = Theme(name="elder", small_pt=18, body_pt=20, button_pt=24, title_pt=32, largest_pt=40,
              target_dp=72, button_h_dp=112, pad_dp=28, gap_dp=20, line_height=1.4,
              min_target_dp=60.0, icon_dp=128.0, min_body_pt=18.0, min_largest_pt=30.0)
MIN_CONTRAST = 4.5
MIN_LINE_HEIGHT = 1.3


def theme_for(elder: bool) -> Theme:
    return ELDER if elder else NORMAL


@dataclass(frozen=True)
class Resolved:
    """A theme turned into pixels for one screen (what widgets bind to)."""

    theme: Theme
    dpi: float
    density: float
    small: float
    body: float
    button: float
    title: float
    largest: float
    target: float
    button_h: float
    pad: float
    gap: float
    line_height: float
    c: Palette
    icon: float = 96.0

    @property
    def elder(self) -> bool:
        return self.theme.name == "elder"


def resolve(theme: Theme, dpi: float, density: float) -> Resolved:
    """Pixel sizes for ``theme``: fonts from pt at ``dpi``, lengths from dp at ``density`` (px per dp)."""
    def f(pt: float) -> float:
        return round(pt_to_px(pt, dpi), 1)

    def d(dp: float) -> float:
        return round(dp * density, 1)
    return Resolved(theme=theme, dpi=dpi, density=density, small=f(theme.small_pt), body=f(theme.body_pt),
                    button=f(theme.button_pt), title=f(theme.title_pt), largest=f(theme.largest_pt),
                    target=d(theme.target_dp), button_h=d(theme.button_h_dp), pad=d(theme.pad_dp),
                    gap=d(theme.gap_dp), line_height=theme.line_height, c=theme.colors,
                    icon=d(theme.icon_dp))
