"""Service guide (办事指南): first the topics to pick from, then the chosen guide's headings and text from
the gateway, scrollable and printable.

Topics are icon tiles (two columns; three in landscape; one large column in 长辈模式) above a card that
says what a guide tells you. A guide is one tinted card per section in large type; the cards share the
height of the screen when they fit and scroll in a :class:`ScrollBox` (visible cue) when they do not.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty

from kiosk.session.views import GuideScreenView
from screens.plain import say
from screens.scrollbox import ScrollBox
from screens.widgets import KGrid, KioskScreen, PagedText, Panel, Tile, icon_button, label

__all__ = ["GuideScreen", "ScrollBox"]

#: characters of a guide section shown at once; longer text is paged ("more"), never laid out whole
PAGE_CHARS = 300


class GuideScreen(KioskScreen):
    title_text = StringProperty("")
    hint_text = StringProperty("")
    #: the topic list is shown (not a guide): the card under the tiles says what a guide holds
    choosing = BooleanProperty(False)
    #: the card under the tiles: portrait only (landscape needs the height for the tiles)
    about = BooleanProperty(False)
    #: a guide is shown and may be printed: the action bar offers 打印办事指南
    printable = BooleanProperty(False)

    def signature(self, state: GuideScreenView) -> Any:
        g = state.guide
        topics = tuple((t.service_id, t.title, t.available, t.reason) for t in getattr(state, "guide_topics", ()))
        printable = bool(getattr(state.service, "printable", False))
        return (state.lang, state.elder_mode, App.get_running_app().landscape, topics, printable,
                None if g is None else (g.title, tuple(g.sections)))

    def build_content(self, state: GuideScreenView) -> None:
        self.ids.scroll.to_top()
        app = App.get_running_app()
        lang, elder = state.lang, bool(state.elder_mode)
        box = self.ids.sections
        box.clear_widgets()
        guide = state.guide
        self.printable = guide is not None and bool(getattr(state.service, "printable", False))
        self.choosing = guide is None and bool(getattr(state, "guide_topics", None))
        self.about = self.choosing and not app.landscape
        if self.choosing:
            self.title_text = app.tr("guide.title", lang)
            self.hint_text = say("guide.pick", lang, elder)
            box.add_widget(self._topics(state.guide_topics, lang, elder))
            return
        if guide is None or not guide.sections:
            self.title_text = app.tr("guide.title", lang) if guide is None else guide.title.get(lang)
            self.hint_text = ""
            box.add_widget(label(app.tr("guide.empty", lang), role="title", tone="muted", wid="guide.empty"))
            return
        self.title_text = guide.title.get(lang)
        self.hint_text = say("guide.read", lang, elder)
        for n, (heading, body) in enumerate(guide.sections):
            card = Panel(orientation="vertical", bg_name="stripe_bg", wid=f"guide.card.{n}", size_hint_y=None,
                         padding=app.th.pad, spacing=app.th.gap / 2)
            card.bind(minimum_height=card.setter("height"))
            heading_label = label(heading.get(lang), role="largest", tone="header_bg", wid=f"guide.h.{n}")
            heading_label.font_size = app.th.largest * 1.25
            card.add_widget(heading_label)
            card.add_widget(PagedText(body.get(lang), page_chars=PAGE_CHARS, wid=f"guide.b.{n}", role="largest",
                                      more_text=lambda page, pages: app.tr("common.more", lang, page=page,
                                                                           pages=pages)))
            box.add_widget(card)

    def _topics(self, topics: Any, lang: str, elder: bool) -> KGrid:
        app = App.get_running_app()
        grid = KGrid(cols=1 if elder and not app.landscape else 3 if app.landscape else 2, wid="guide.topics")
        for t in topics:
            text = t.title.get(lang)
            if not t.available:
                reason = t.reason.get(lang) if t.reason is not None else app.tr("common.unavailable", lang)
                text += "\n" + reason
            tile = icon_button(text, t.icon or "menu_book", lambda sid=t.service_id: self.act("open_guide", sid),
                               wid=f"guide.topic.{t.service_id}", style="secondary" if t.available else "disabled",
                               disabled=not t.available, role="title", cls=Tile)
            if not (elder or app.landscape):  # portrait standard: big icon above the name, tiles fill the page
                tile.icon_size = app.th.icon * 2
            grid.add_widget(tile)
        return grid

    def clear_content(self) -> None:
        self.ids.sections.clear_widgets()
        self.title_text = self.hint_text = ""
        self.choosing = self.about = self.printable = False
