"""Staff PIN pad (after the hidden corner taps): digits only, the PIN itself is never shown or kept here."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.session.views import StaffScreenView
from screens.widgets import KioskScreen, PadKey, button


class StaffPinScreen(KioskScreen):
    entered_text = StringProperty("")
    message_text = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        pad = self.ids.pad
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"):
            if key == "clear":
                btn = button("", lambda: self.act("staff_pin_clear"), wid="staff_pin.clear", role="title", cls=PadKey)
                btn.tkey = "common.clear"
            elif key == "ok":
                btn = button("", lambda: self.act("staff_pin_submit"), wid="staff_pin.ok", style="primary",
                             role="title", cls=PadKey)
                btn.tkey = "staff.pin_submit"
            else:
                btn = button(key, lambda d=key: self.act("staff_pin_digit", d), wid=f"staff_pin.{key}",
                             role="title", cls=PadKey)
                btn.tkey = ""
            pad.add_widget(btn)

    def signature(self, state: StaffScreenView) -> Any:
        s = state.staff
        return (state.lang, state.elder_mode, None if s is None else (s.pin_digits, s.locked_for_s, s.message))

    def build_content(self, state: StaffScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        for btn in self.ids.pad.children:
            if btn.tkey:
                btn.text = app.tr(btn.tkey, lang)
        s = state.staff
        digits = s.pin_digits if s is not None else 0
        self.entered_text = "*" * digits if digits else app.tr("staff.pin_hint", lang)
        if s is not None and s.message is not None:
            self.message_text = s.message.get(lang)
        elif s is not None and s.locked_for_s:
            self.message_text = app.tr("staff.pin_locked", lang, n=s.locked_for_s)
        else:
            self.message_text = ""

    def clear_content(self) -> None:
        self.entered_text = self.message_text = ""
