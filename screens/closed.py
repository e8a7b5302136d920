"""Closed screen: outside the opening hours — the hours and the nearest staffed option."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.session.views import ClosedScreenView
from screens.widgets import KioskScreen


class ClosedScreen(KioskScreen):
    keep_on_leave = True
    hours_text = StringProperty("")
    hint_text = StringProperty("")

    def signature(self, state: ClosedScreenView) -> Any:
        return (state.lang, state.elder_mode, state.closed, state.closed_hint)

    def build_content(self, state: ClosedScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        self.hours_text = (app.tr("closed.hours", lang, hours=state.closed.get(lang))
                           if state.closed is not None else "")
        self.hint_text = state.closed_hint.get(lang) if state.closed_hint is not None else ""

    def clear_content(self) -> None:
        self.hours_text = self.hint_text = ""
