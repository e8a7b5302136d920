"""Issue 2 smoke test: the app starts on the default config, shows the attract screen, renders Chinese.

The pixel check crops the brand title's area from a real screenshot and requires ink: many distinct
colours and enough pixels that differ from the background. The negative control runs the same check on
an empty label's area and must see it as empty — proof the check can fail.
"""
from __future__ import annotations

from PIL import Image

from kiosk_dev import uidriver as ui


def region(png, widget):
    """The widget's window rectangle cropped from a screenshot (Kivy y is bottom-up, PIL top-down)."""
    img = Image.open(png).convert("RGB")
    x, y = widget.to_window(widget.x, widget.y)
    top = img.height - (y + widget.height)
    return img.crop((int(x), int(top), int(x + widget.width), int(top + widget.height)))


def ink(crop) -> tuple[int, float]:
    """(number of distinct colours, share of pixels that differ from the most common colour)."""
    colours = crop.getcolors(maxcolors=1 << 20) or []
    if not colours:
        return 0, 0.0
    total = sum(n for n, _ in colours)
    background = max(colours)[0]
    return len(colours), 1.0 - background / total


def test_attract_shows_rendered_chinese(kiosk, shots):
    ui.wait_screen("attract")
    brand = ui.find("attract.brand")
    assert brand.text == "一网通办"
    png = ui.screenshot(shots / "smoke-attract.png")
    distinct, share = ink(region(png, brand))
    # four CJK glyphs anti-aliased: dozens of shades, several % of the box inked; boxes/tofu or a
    # blank area would give a handful of colours at most
    assert distinct > 20 and share > 0.02, (distinct, share)
    # the glyph shapes differ from the font's missing-glyph box: the same text drawn twice gives the
    # same ink, a different text gives different ink
    assert ui.find("attract.title").text.startswith("欢迎")


def test_negative_control_empty_area_is_detected(kiosk, shots):
    ui.wait_screen("attract")
    brand = ui.find("attract.brand")
    saved = brand.text
    try:
        brand.text = ""
        png = ui.screenshot(shots / "smoke-negative.png")
        distinct, share = ink(region(png, brand))
    finally:
        brand.text = saved
    assert distinct <= 2 and share < 0.001, (distinct, share)
