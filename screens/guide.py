"""Service guide (办事指南): headings and text from the gateway, scrollable, printable."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from screens.widgets import KioskScreen, label


class GuideScreen(KioskScreen):
    title_text = StringProperty("")

    def signature(self, state: Any) -> Any:
        g = state.guide
        return (state.lang, state.elder_mode, None if g is None else (g.title, tuple(g.sections)))

    def build_content(self, state: Any) -> None:
        app = App.get_running_app()
        lang = state.lang
        box = self.ids.sections
        box.clear_widgets()
        guide = state.guide
        if guide is None or not guide.sections:
            self.title_text = app.tr("guide.title", lang) if guide is None else guide.title.get(lang)
            box.add_widget(label(app.tr("guide.empty", lang), tone="muted", wid="guide.empty"))
            return
        self.title_text = guide.title.get(lang)
        for n, (heading, body) in enumerate(guide.sections):
            box.add_widget(label(heading.get(lang), role="title", wid=f"guide.h.{n}"))
            box.add_widget(label(body.get(lang), wid=f"guide.b.{n}"))

    def clear_content(self) -> None:
        self.ids.sections.clear_widgets()
        self.title_text = ""
