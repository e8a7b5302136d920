"""A scrolling area that says it scrolls (issue 14 §5: a visible scroll cue wherever content scrolls).

``ScrollBox`` is the kiosk's one scrolling widget (every resident screen that scrolls uses it): a
vertical ScrollView with an always-visible scroll bar and, whenever its content is taller than the box, a
full-width cue button under it: "下面还有内容" with a down arrow — tapping it turns one page (for hands that
cannot swipe) — and at the end "回到开头". Content added in kv goes into the ScrollView. The cue follows the
app's language and mode (shorter wording in 长辈模式).
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from screens.scroll import ScrollView  # not Kivy's: one bar_color binding (screens/observers.py)

from screens.plain import say
from screens.widgets import IconKey


class ScrollBox(BoxLayout):
    wid = StringProperty("")
    #: the content is taller than the box: the cue is shown (read by tests)
    overflows = BooleanProperty(False)
    #: scrolled to the end: the cue offers the way back to the top
    at_end = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        self._ready = False
        super().__init__(orientation="vertical", **kwargs)
        app = App.get_running_app()
        self.sv = ScrollView(do_scroll_x=False, scroll_type=["bars", "content"])
        self.cue = IconKey(icon="expand_more", icon_side="left", style="secondary")
        self._theme(app, app.th)
        app.bind(th=self._theme, lang=self._update)
        self.cue.bind(on_release=lambda *_: self.turn_page())
        super().add_widget(self.sv)
        self._ready = True
        self.sv.bind(height=self._update, scroll_y=self._update)
        self.bind(height=self._update, wid=self._update)

    def _theme(self, _app: Any, th: Any) -> None:
        # the bar is always drawn (inactive = active colour): it shows how much there is and where one is
        self.sv.bar_width = th.gap / 2
        self.sv.bar_color = self.sv.bar_inactive_color = list(th.c.primary_bg) + [1]
        self._update()

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        if not self._ready:
            super().add_widget(widget, *args, **kwargs)
            return
        self.sv.add_widget(widget, *args, **kwargs)
        widget.bind(height=self._update)
        self._update()

    def to_top(self) -> None:
        """Rebuilt content (another record, language, mode, rotation) starts at its top: a scroll position
        kept from the old content could show a blank stretch past the new one's end."""
        self.sv.scroll_y = 1.0
        self._update()

    def turn_page(self) -> None:
        """One page down (a page overlaps the last by a tenth), or back to the top from the end."""
        content = self.sv.children[0] if self.sv.children else None
        if content is None or content.height <= self.sv.height:
            return
        if self.at_end:
            self.sv.scroll_y = 1.0
        else:
            step = 0.9 * self.sv.height / (content.height - self.sv.height)
            self.sv.scroll_y = max(0.0, self.sv.scroll_y - step)
        self._update()

    def _update(self, *_args: Any) -> None:
        content = self.sv.children[0] if self.sv.children else None
        # judged against the whole box, not the ScrollView: showing the cue must not make it unnecessary
        self.overflows = content is not None and content.height > self.height + 1
        self.at_end = self.overflows and self.sv.scroll_y <= 0.001
        self.cue.wid = f"{self.wid}.cue" if self.wid else ""
        self.cue.icon = "expand_less" if self.at_end else "expand_more"
        app = App.get_running_app()
        self.cue.text = say("common.scroll_top" if self.at_end else "common.scroll_more", app.lang, app.th.elder)
        if self.overflows and self.cue.parent is None:
            super().add_widget(self.cue, index=0)
        elif not self.overflows and self.cue.parent is self:
            self.remove_widget(self.cue)
