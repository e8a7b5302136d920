"""Service guide (办事指南): first the topics to pick from, then the chosen guide's headings and text from
the gateway, scrollable and printable."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.session.views import GuideScreenView
from screens.widgets import KGrid, KioskScreen, PagedText, button, columns, label

#: characters of a guide section shown at once; longer text is paged ("more"), never laid out whole
PAGE_CHARS = 300


class GuideScreen(KioskScreen):
    title_text = StringProperty("")

    def signature(self, state: GuideScreenView) -> Any:
        g = state.guide
        topics = tuple((t.service_id, t.title, t.available, t.reason) for t in getattr(state, "guide_topics", ()))
        printable = bool(getattr(state.service, "printable", False))
        return (state.lang, state.elder_mode, App.get_running_app().landscape, topics, printable,
                None if g is None else (g.title, tuple(g.sections)))

    def build_content(self, state: GuideScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        box = self.ids.sections
        box.clear_widgets()
        self.ids.topics.clear_widgets()
        guide = state.guide
        self.ids.print_button.disabled = guide is None or not getattr(state.service, "printable", False)
        if guide is None and getattr(state, "guide_topics", None):
            self.title_text = app.tr("guide.title", lang)
            grid = KGrid(cols=columns(app.landscape, 2, 3), wid="guide.topics")
            for t in state.guide_topics:
                grid.add_widget(button(t.title.get(lang), lambda sid=t.service_id: self.act("open_guide", sid),
                                       wid=f"guide.topic.{t.service_id}", style="secondary" if t.available
                                       else "disabled", disabled=not t.available))
            self.ids.topics.add_widget(grid)
            return
        if guide is None or not guide.sections:
            self.title_text = app.tr("guide.title", lang) if guide is None else guide.title.get(lang)
            box.add_widget(label(app.tr("guide.empty", lang), tone="muted", wid="guide.empty"))
            return
        self.title_text = guide.title.get(lang)
        for n, (heading, body) in enumerate(guide.sections):
            box.add_widget(label(heading.get(lang), role="title", wid=f"guide.h.{n}"))
            box.add_widget(PagedText(body.get(lang), page_chars=PAGE_CHARS, wid=f"guide.b.{n}",
                                     more_text=lambda page, pages: app.tr("common.more", lang, page=page,
                                                                          pages=pages)))

    def clear_content(self) -> None:
        self.ids.sections.clear_widgets()
        self.ids.topics.clear_widgets()
        self.title_text = ""
