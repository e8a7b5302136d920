"""Issue 14 item 8: the staff screen's service switches show on/off in words and an icon, not by colour alone."""
from __future__ import annotations

from kivy.core.window import Window

from kiosk.icons import glyph
from kiosk_dev import uidriver as ui
from screens.widgets import Icon


def open_staff(k) -> None:
    ui.wait_screen("attract")
    for _ in range(5):
        ui.tap_at(10, Window.height - 10)
    ui.wait_screen("staff_pin")
    for digit in "246810":
        ui.tap(f"staff_pin.{digit}")
    ui.tap("staff_pin.ok")
    ui.wait_until(lambda: ui.current_screen() == "staff" and k.state.staff.statuses, timeout=10, what="staff")


def shown(wid: str) -> tuple[str, str]:
    """(text, icon glyph) of a switch as drawn now."""
    btn = ui.find(wid)
    icon = next(c for c in btn.children if isinstance(c, Icon))
    return btn.text, icon.text


def test_service_switches_say_on_or_off_in_words_and_icon(kiosk):
    open_staff(kiosk)
    sid = "queue-ticket"
    wid = f"staff.svc.{sid}"
    text, icon = shown(wid)
    assert text == "取号：已开启" and icon == glyph("toggle_on")
    for other in kiosk.cfg.services:
        assert "已开启" in shown(f"staff.svc.{other.id}")[0]
    ui.tap(wid)
    ui.wait_until(lambda: shown(wid)[0] == "取号：已关闭", timeout=5, what="switched off")
    assert shown(wid)[1] == glyph("toggle_off")
    kiosk.ctl.set_language("en")
    ui.wait_until(lambda: shown(wid)[0] == "Queue ticket: Off", timeout=5, what="English words")
    other = "staff.svc.service-guides"
    assert shown(other) == ("Service guides: On", glyph("toggle_on"))
    ui.pump(3)  # the rebuilt English switches are laid out before the tap aims at one
    ui.tap(other)
    ui.wait_until(lambda: shown(other) == ("Service guides: Off", glyph("toggle_off")), timeout=5, what="off")
