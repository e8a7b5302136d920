"""E-licence view (电子亮证): the licence images from the gateway, masked numbers, print a copy on request.

Images are personal data: textures are dropped on leave and on every wipe.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.session.views import LicenceScreenView
from screens.qr import png_texture
from screens.widgets import KImage, KioskScreen, Panel, button, label


class LicenceScreen(KioskScreen):
    title_text = StringProperty("")

    def signature(self, state: LicenceScreenView) -> Any:
        app = App.get_running_app()
        items = tuple((lic.title, lic.number_masked, len(lic.image_png), hash(lic.image_png))
                      for lic in state.licences)
        printable = bool(getattr(state.service, "printable", False))
        return (state.lang, state.elder_mode, app.landscape, printable, items)

    def build_content(self, state: LicenceScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        self.clear_content()
        self.title_text = app.tr("licence.title", lang)
        box = self.ids.licences
        if not state.licences:
            box.add_widget(label(app.tr("licence.empty", lang), tone="muted", wid="licence.empty"))
            return
        for n, lic in enumerate(state.licences):
            card = Panel(orientation="vertical", wid=f"licence.card.{n}")
            card.padding = app.th.pad
            card.spacing = app.th.gap
            card.add_widget(label(lic.title.get(lang), role="title", wid=f"licence.title.{n}"))
            image = KImage(wid=f"licence.image.{n}", personal=True, fit_mode="contain")
            if lic.image_png:
                image.texture = png_texture(lic.image_png)
            card.add_widget(image)
            if lic.number_masked:
                card.add_widget(label(app.tr("licence.number", lang, number=lic.number_masked),
                                      tone="muted", wid=f"licence.number.{n}", personal=True))
            if getattr(state.service, "printable", False):
                card.add_widget(button(app.tr("licence.print", lang), lambda i=n: self.act("print_current", i),
                                       wid=f"licence.print.{n}", style="primary"))
            box.add_widget(card)

    def clear_content(self) -> None:
        box = self.ids.licences
        for card in list(box.children):
            for child in card.children:
                if isinstance(child, KImage):
                    child.texture = None
        box.clear_widgets()
        self.title_text = ""
