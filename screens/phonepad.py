"""Large number pad for a mobile number, shown grouped as a clerk reads it out (138 0013 8000).

Holds at most the contract's 11 digits; ``on_change(digits)`` gives the owner the plain digits. ``reset()``
wipes it (session end).
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ime import limits
from screens.kv import load_widget_kv
from screens.widgets import KGrid, PadKey

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "delete")


class PhoneKey(PadKey):
    """A digit key of the phone pad (kv: at least 90 px high, larger in elder mode)."""


class PhonePad(BoxLayout):
    wid = StringProperty("phonepad")
    lang = StringProperty("zh-CN")
    digits = StringProperty("")      # personal: wiped by reset()
    shown = StringProperty("")       # digits grouped 3-4-4
    cap = NumericProperty(limits.PHONE_DIGITS)

    __events__ = ("on_change",)

    def __init__(self, **kwargs: Any) -> None:
        load_widget_kv("phonepad")
        super().__init__(**kwargs)
        self.bind(digits=lambda *_: setattr(self, "shown", limits.group_phone(self.digits)))
        self.shown = limits.group_phone(self.digits)
        grid: KGrid = self.ids.pad
        tr = App.get_running_app().tr
        for key in KEYS:
            text = {"delete": tr("ime.delete", self.lang), "clear": tr("ime.clear", self.lang)}.get(key, key)
            btn = PhoneKey(text=text, wid=f"{self.wid}.key.{key}", role="largest" if key.isdigit() else "button")
            btn.bind(on_release=lambda *_, k=key: self.press(k))
            grid.add_widget(btn)

    def on_change(self, digits: str) -> None:
        """The number changed (the owner stores it)."""

    def press(self, key: str) -> None:
        if key == "delete":
            new = self.digits[:-1]
        elif key == "clear":
            new = ""
        elif key.isdigit() and len(self.digits) < self.cap:
            new = self.digits + key
        else:
            return
        if new != self.digits:
            self.digits = new
            self.dispatch("on_change", new)

    def reset(self) -> None:
        self.digits = ""

