"""Measure what is on screen against the elder-friendly (MIIT) and normal-mode rules.

Every visible Button: both edges >= the mode's minimum target (dp). Every visible non-empty Label: font
size in pt at the screen's dpi (>= 18 pt in elder mode), contrast of its colour against the colour really
painted behind it (>= 4.5:1), line spacing >= 1.3, text not overflowing its box, box inside the window.
In elder mode each screen must also show some text >= 30 pt.
"""
from __future__ import annotations

from typing import Any

from kivy.core.window import Window
from kivy.metrics import Metrics
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

from kiosk_dev import uidriver as ui
from kiosk.theme import ELDER, MIN_CONTRAST, MIN_LINE_HEIGHT, NORMAL, contrast_ratio, px_to_pt


def background_of(widget: Any) -> tuple[float, float, float] | None:
    node = widget
    while node is not None and node is not Window:
        rgb = getattr(node, "bg_rgb", None)
        if rgb:
            return tuple(rgb[:3])
        node = node.parent
    return None


def _in_scrollview(widget: Any) -> bool:
    node = widget.parent
    while node is not None and node is not Window:
        if isinstance(node, ScrollView):
            return True
        node = node.parent
    return False


def _check_inside(w: Any, name: str, problems: list[str]) -> None:
    """A button drawn beyond its container (e.g. a two-line label in a fixed-height bar) is cut off or
    overlaps what is next to it."""
    parent = w.parent
    # the scrolled content may be taller than its viewport; inside it, a widget still belongs in its box (a
    # card laid out above its list's top is never seen, whatever the scroll position)
    if parent is None or parent is Window or isinstance(parent, ScrollView):
        return
    x, y = w.to_window(w.x, w.y)
    px, py = parent.to_window(parent.x, parent.y)
    if x < px - 2 or y < py - 2 or x + w.width > px + parent.width + 2 or y + w.height > py + parent.height + 2:
        problems.append(f"{name}: sticks out of {getattr(parent, 'wid', '') or type(parent).__name__} "
                        f"({x:.0f},{y:.0f} {w.width:.0f}x{w.height:.0f} in {px:.0f},{py:.0f} "
                        f"{parent.width:.0f}x{parent.height:.0f})")


def audit(elder: bool) -> list[str]:
    theme = ELDER if elder else NORMAL
    dpi, density = Metrics.dpi, Metrics.density
    problems: list[str] = []
    largest = 0.0
    for w in ui.walk():
        if not ui.visible(w):
            continue
        name = getattr(w, "wid", "") or type(w).__name__
        x, y = w.to_window(w.x, w.y)  # w.pos is in its parent's coordinates; to_window starts there
        if isinstance(w, ButtonBehavior) and not w.disabled:
            dp_w, dp_h = w.width / density, w.height / density
            if min(dp_w, dp_h) < theme.min_target_dp:
                problems.append(f"{name}: target {dp_w:.0f}x{dp_h:.0f} dp < {theme.min_target_dp}")
        if not isinstance(w, Label) and getattr(w, "wid", ""):
            _check_inside(w, name, problems)  # a named box (a card, a table row) laid out outside its parent
        if not isinstance(w, Label) or not w.text.strip():
            continue
        pt = px_to_pt(w.font_size, dpi)
        largest = max(largest, pt)
        if pt < max(theme.min_body_pt, 12):
            problems.append(f"{name}: {pt:.1f} pt text < {max(theme.min_body_pt, 12)} pt")
        bg = background_of(w)
        if bg is None:
            problems.append(f"{name}: no painted background found")
        else:
            ratio = contrast_ratio(tuple(w.color[:3]), bg)
            if ratio < MIN_CONTRAST:
                problems.append(f"{name}: contrast {ratio:.2f}:1 < {MIN_CONTRAST}")
        if "\n" in w.text or w.texture_size[1] > w.font_size * 2:
            if w.line_height < MIN_LINE_HEIGHT:
                problems.append(f"{name}: line height {w.line_height} < {MIN_LINE_HEIGHT}")
        if not getattr(w, "shorten", False):
            tw, th = w.texture_size
            if tw > w.width + 2 or th > w.height + 2:
                problems.append(f"{name}: text {tw:.0f}x{th:.0f} overflows its box {w.width:.0f}x{w.height:.0f}"
                                f" ({w.text[:20]!r})")
        _check_inside(w, name, problems)
        if not _in_scrollview(w):
            if x < -1 or y < -1 or x + w.width > Window.width + 1 or y + w.height > Window.height + 1:
                problems.append(f"{name}: outside the window at ({x:.0f},{y:.0f}) {w.width:.0f}x{w.height:.0f}")
    if elder and theme.min_largest_pt and largest < theme.min_largest_pt:
        problems.append(f"largest text {largest:.1f} pt < {theme.min_largest_pt} pt")
    return problems
