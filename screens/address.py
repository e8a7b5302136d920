"""Address picker: district → street (from the config's ``addresses``) → the rest typed on the pinyin keyboard.

The value is one line (上海市静安区南京西路街道 + 威海路100弄5号); ``on_change(value)`` gives it to the owner
whenever it changes. The detail keyboard's cap is what the field's cap leaves after district and street.
``reset()`` wipes everything (session end).
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ime import limits
from screens.keyboard import PinyinKeyboard
from screens.kv import load_widget_kv
from screens.widgets import KButton, KGrid, label


class AddressPicker(BoxLayout):
    wid = StringProperty("address")
    lang = StringProperty("zh-CN")
    book = ObjectProperty(None)          # kiosk.config.AddressBook
    cap = NumericProperty(limits.DEFAULT_TEXT_CAP)
    step = StringProperty("district")    # district → street → detail
    value = StringProperty("")           # personal: wiped by reset()
    refusal = StringProperty("")         # the detail keyboard's last refusal (reason key)

    __events__ = ("on_change", "on_refused")

    def __init__(self, **kwargs: Any) -> None:
        load_widget_kv("keyboard")
        load_widget_kv("address")
        super().__init__(**kwargs)
        self._district: Any = None
        self._street: Any = None
        self._keyboard: PinyinKeyboard | None = None
        self._build()

    def on_change(self, value: str) -> None:
        """The address changed (the owner stores it)."""

    def on_refused(self, reason: str) -> None:
        """The detail keyboard refused something; ``reason`` is its translated sentence."""

    def _refused(self, keyboard: PinyinKeyboard, reason: str) -> None:
        self.refusal = keyboard.refusal
        self.dispatch("on_refused", reason)

    def _tr(self, key: str) -> str:
        return App.get_running_app().tr(key, self.lang)

    def _prefix(self) -> str:
        parts = [self.book.city.zh if self.book is not None else ""]
        parts += [p.name.zh if hasattr(p, "name") else p.zh for p in (self._district, self._street) if p]
        return "".join(parts)

    def _build(self) -> None:
        body = self.ids.body
        body.clear_widgets()
        lang = self.lang
        if self.step == "district":
            body.add_widget(label(self._tr("ime.district"), role="title", wid=f"{self.wid}.ask"))
            grid = KGrid(cols=4, wid=f"{self.wid}.districts")
            for d in self.book.districts if self.book is not None else ():
                grid.add_widget(self._button(d.name.get(lang), lambda d=d: self.choose_district(d),
                                             f"district.{d.id}"))
            body.add_widget(grid)
            return
        back = BoxLayout(size_hint_y=None, spacing=App.get_running_app().th.gap)
        back.add_widget(self._button(self._tr("ime.change_district"), self.restart, "change_district"))
        if self.step == "detail" and self._district is not None and self._district.streets:
            back.add_widget(self._button(self._tr("ime.change_street"),
                                         lambda: self.choose_district(self._district), "change_street"))
        back.bind(minimum_height=back.setter("height"))
        body.add_widget(back)
        if self.step == "street":
            body.add_widget(label(self._tr("ime.street"), role="title", wid=f"{self.wid}.ask"))
            grid = KGrid(cols=3, wid=f"{self.wid}.streets")
            for n, s in enumerate(self._district.streets):
                grid.add_widget(self._button(s.get(lang), lambda s=s: self.choose_street(s), f"street.{n}"))
            body.add_widget(grid)
            return
        body.add_widget(label(self._tr("ime.detail"), role="title", wid=f"{self.wid}.ask"))
        if self._keyboard is None:
            self._keyboard = PinyinKeyboard(wid=f"{self.wid}.ime", lang=lang,
                                            cap=max(1, int(self.cap) - len(self._prefix())))
            self._keyboard.bind(on_change=lambda _kb, text: self._set(self._prefix() + text),
                                 on_refused=self._refused)
        self._keyboard.lang = lang
        body.add_widget(self._keyboard)

    def on_lang(self, *_args: Any) -> None:
        if "body" in self.ids:   # not while the kv rule is still being applied
            self._build()        # the words in the new language; the detail typed so far is kept

    def _new_step(self, step: str) -> None:
        """Another district or street: the detail keyboard of the old one goes, with what it held."""
        if self._keyboard is not None:
            self._keyboard.reset()
        self._keyboard = None
        self.step = step

    def _button(self, text: str, action: Any, wid: str) -> KButton:
        btn = KButton(text=text, wid=f"{self.wid}.{wid}")
        btn.bind(on_release=lambda *_: action())
        return btn

    def choose_district(self, district: Any) -> None:
        self._district, self._street = district, None
        self._new_step("street" if district.streets else "detail")
        self._set(self._prefix())
        self._build()

    def choose_street(self, street: Any) -> None:
        self._street = street
        self._new_step("detail")
        self._set(self._prefix())
        self._build()

    def restart(self) -> None:
        self._district = self._street = None
        self._new_step("district")
        self._set("")
        self._build()

    def _set(self, value: str) -> None:
        if value != self.value:
            self.value = value
            self.dispatch("on_change", value)

    def reset(self) -> None:
        if self._keyboard is not None:
            self._keyboard.reset()
        self._district = self._street = self._keyboard = None
        self.step = "district"
        self.value = ""
        self._build()
