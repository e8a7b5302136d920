"""Issue 14 item 1: service tiles and the main actions carry their icons (drawn from the icon font), and a
tile's edge stands out from the page by >= 3:1, measured on a real screenshot.

The icon check looks at ink, not at widget properties: the icon's box cropped from the screenshot must hold
a drawn glyph (many shades, a share of pixels unlike the tile), so a missing font or an empty glyph fails.
"""
from __future__ import annotations

from kiosk.icons import glyph
from kiosk.theme import contrast_ratio
from kiosk_dev import uidriver as ui
from screens.widgets import Icon, Tile
from test_smoke import ink, region
from uiflow import sign_in_with_card


def icon_of(widget):
    return next(c for c in widget.children if isinstance(c, Icon))


def pixel(img, x: float, y: float) -> tuple[float, float, float]:
    """Colour at window point (x, y) (Kivy bottom-up) in a PIL image (top-down), components 0..1."""
    r, g, b = img.getpixel((int(x), img.height - 1 - int(y)))[:3]
    return r / 255, g / 255, b / 255


def edge_contrast(png, tile) -> float:
    """Contrast between the tile's frame and the page just outside it, at the middle of its left edge."""
    from PIL import Image

    img = Image.open(png).convert("RGB")
    x, y = tile.to_window(tile.x, tile.y)
    mid = y + tile.height / 2
    inside = pixel(img, x + 1.5, mid)
    outside = pixel(img, x - 4, mid)
    return contrast_ratio(inside, outside)


def test_tiles_and_actions_draw_their_icons_and_tile_edges_stand_out(kiosk, shots):
    ui.wait_screen("attract")
    sign_in_with_card(kiosk)
    ui.wait_screen("menu")
    png = ui.screenshot(shots / "icons-menu.png")
    expected = {s.id: s.icon for s in kiosk.cfg.services if s.enabled}
    tiles = [w for w in ui.find_all("menu.svc.") if isinstance(w, Tile)]
    assert {t.wid.removeprefix("menu.svc.") for t in tiles} == set(expected)
    for tile in tiles:
        icon = icon_of(tile)
        assert icon.text == glyph(expected[tile.wid.removeprefix("menu.svc.")])
        assert icon.height >= kiosk.app.th.icon * 0.9, (tile.wid, icon.height)
        distinct, share = ink(region(png, icon))
        assert distinct > 8 and share > 0.05, (tile.wid, distinct, share)
        assert edge_contrast(png, tile) >= 3.0, (tile.wid, edge_contrast(png, tile))
    actions = {"footer.help": "sos", "footer.lang": "translate", "footer.elder": "elderly",
               "footer.home": "home", "footer.end": "logout"}
    if ui.exists("footer.repeat"):  # shown only when the voice player is up (docs/voice.md)
        actions["footer.repeat"] = "volume_up"
    assert icon_of(kiosk.app.root.ids.f_repeat).text == glyph("volume_up")
    for wid, name in actions.items():
        icon = icon_of(ui.find(wid))
        assert icon.text == glyph(name)
        distinct, share = ink(region(png, icon))
        assert distinct > 8 and share > 0.05, (wid, distinct, share)


def test_negative_control_a_tile_without_frame_or_icon_fails_the_measures(kiosk, shots):
    ui.wait_screen("attract")
    sign_in_with_card(kiosk)
    ui.wait_screen("menu")
    tile = next(w for w in ui.find_all("menu.svc.") if isinstance(w, Tile))
    saved_frame, saved_icon = list(tile.frame_rgb), tile.icon
    try:
        tile.frame_rgb = list(kiosk.app.th.c.secondary_bg)  # the frame painted like the fill: the old tile
        tile.icon = ""
        png = ui.screenshot(shots / "icons-negative.png")
        assert edge_contrast(png, tile) < 1.5
        distinct, share = ink(region(png, icon_of(tile)))
        assert share < 0.01, (distinct, share)
    finally:
        tile.frame_rgb, tile.icon = saved_frame, saved_icon


def test_the_waiting_card_icon_breathes_by_scale_with_one_rendered_glyph(kiosk, shots):
    """The identify screen's card icon pulses while the reader waits: the drawing is scaled, the glyph is
    rendered once at one font size (a size per step would render a texture and open a font every step)."""
    from kivy.graphics import Scale

    ui.wait_screen("attract")
    ui.tap("attract.card")
    ui.wait_screen("identify")
    ui.wait_until(lambda: kiosk.state.card.state == "waiting", timeout=5, what="reader polling")
    screen = ui.find("identify.card_panel").parent
    while not hasattr(screen, "_step"):
        screen = screen.parent
    icon = screen.ids.card_icon
    scale = next(i for i in icon.canvas.before.children if isinstance(i, Scale))
    ui.pump(2)
    texture, font_size = icon.texture, icon.font_size
    screen._animate(False)  # stepped by hand first: no race with the breathing timer
    for offset in (0.0, 0.3, 0.7, 1.0):
        screen.card_offset = offset
        ui.pump(1)  # Kivy applies kv values of canvas instructions at the next frame
        assert scale.x == scale.y == 0.85 + 0.15 * offset
        assert icon.font_size == font_size and icon.texture is texture
        if offset == 0.0:
            ui.screenshot(shots / "identify-card-icon-smallest.png")
    screen._animate(True)
    seen = set()
    ui.wait_until(lambda: seen.add(screen.card_offset) or len(seen) >= 6, timeout=10, what="six breathing steps")
    assert icon.font_size == font_size and icon.texture is texture
    assert icon.texture_size[0] >= kiosk.app.th.icon  # drawn at full size, scaled down while it breathes
