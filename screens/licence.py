"""E-licence view (电子亮证): the licence images from the gateway, masked numbers, print a copy on request.

Each licence is a card: its name, the image at a fixed scale of its own pixels (``IMAGE_SCALE``, the same in
standard and 长辈模式 and in both orientations — an elder never gets a smaller image, issue 14 §5), the
masked number and, when printable, 打印复印件. Portrait standard: the image left, the words right; landscape:
cards side by side, and 长辈模式: one card under the other, each with its name above the image and the number
on full-width lines below it. The cards scroll in a :class:`ScrollBox` with a visible cue when they do not fit.

Images are personal data: textures are dropped on leave and on every wipe.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.session.views import LicenceScreenView
from screens.qr import png_texture
from screens.scrollbox import ScrollBox
from screens.widgets import KImage, KioskScreen, Panel, icon_button, label

__all__ = ["LicenceScreen", "ScrollBox"]

#: screen pixels per image pixel, in every mode and orientation (the simulator's 480x300 → 528x330)
IMAGE_SCALE = 1.1


class LicenceScreen(KioskScreen):
    title_text = StringProperty("")

    def signature(self, state: LicenceScreenView) -> Any:
        app = App.get_running_app()
        items = tuple((lic.title, lic.number_masked, len(lic.image_png), hash(lic.image_png))
                      for lic in state.licences)
        printable = bool(getattr(state.service, "printable", False))
        return (state.lang, state.elder_mode, app.landscape, printable, items)

    def build_content(self, state: LicenceScreenView) -> None:
        self.ids.scroll.to_top()
        app = App.get_running_app()
        lang = state.lang
        self.clear_content()
        self.title_text = app.tr("licence.title", lang)
        box = self.ids.licences
        box.cols = min(3, max(1, len(state.licences))) if app.landscape else 1
        if not state.licences:
            box.add_widget(label(app.tr("licence.empty", lang), role="title", tone="muted", wid="licence.empty"))
            return
        for n, lic in enumerate(state.licences):
            box.add_widget(self._card(n, lic, lang, bool(getattr(state.service, "printable", False)),
                                      stacked=app.landscape or bool(state.elder_mode)))

    def _card(self, n: int, lic: Any, lang: str, printable: bool, *, stacked: bool) -> Panel:
        app = App.get_running_app()
        th = app.th
        card = Panel(orientation="vertical" if stacked else "horizontal", wid=f"licence.card.{n}",
                     size_hint_y=None, padding=th.pad, spacing=th.gap if stacked else th.pad)
        image = KImage(wid=f"licence.image.{n}", personal=True, fit_mode="contain", size_hint=(None, None),
                       pos_hint={"center_x": 0.5} if stacked else {"center_y": 0.5})
        if lic.image_png:
            image.texture = png_texture(lic.image_png)
            image.size = (image.texture.width * IMAGE_SCALE, image.texture.height * IMAGE_SCALE)
        words = BoxLayout(orientation="vertical", size_hint_y=None, spacing=th.gap, pos_hint={"center_y": 0.5})
        words.bind(minimum_height=words.setter("height"))
        words.add_widget(label(lic.title.get(lang), role="largest", wid=f"licence.title.{n}"))
        if lic.number_masked:
            # the number on a line of its own: a long masked number must not be broken mid-way
            words.add_widget(label(f"{app.tr('licence.number_label', lang)}\n{lic.number_masked}", role="title",
                                   tone="muted", wid=f"licence.number.{n}", personal=True))
        if printable:
            words.add_widget(icon_button(app.tr("licence.print", lang), "print",
                                         lambda i=n: self.act("print_current", i), wid=f"licence.print.{n}",
                                         style="primary"))
        if stacked:  # name on top, then the image, then number and print
            title = words.children[-1]
            words.remove_widget(title)
            card.add_widget(title)
        card.add_widget(image)
        card.add_widget(words)

        def fit(*_: Any) -> None:
            inner = (sum(c.height for c in card.children) + card.spacing * (len(card.children) - 1)
                     if stacked else max(image.height, words.height))
            card.height = inner + 2 * th.pad
        for child in card.children:
            child.bind(height=fit)
        fit()
        return card

    def clear_content(self) -> None:
        box = self.ids.licences
        for card in list(box.children):
            for child in card.children:
                if isinstance(child, KImage):
                    child.texture = None
        box.clear_widgets()
        self.title_text = ""


