"""Result screen: reference number, delivered or queued (outbox), receipt printed or not."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty

from kiosk.session.views import ResultScreenView
from screens.widgets import KioskScreen


class ResultScreen(KioskScreen):
    title_text = StringProperty("")
    message_text = StringProperty("")
    reference = StringProperty("")
    print_text = StringProperty("")
    print_failed = BooleanProperty(False)
    queued = BooleanProperty(False)

    def signature(self, state: ResultScreenView) -> Any:
        r = state.result
        return (state.lang, state.elder_mode, None if r is None else
                (r.title, r.message, r.reference, r.delivered, r.printed, r.print_message))

    def build_content(self, state: ResultScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        r = state.result
        if r is None:
            self.clear_content()
            return
        self.title_text = r.title.get(lang)
        self.message_text = r.message.get(lang)
        self.reference = r.reference or ""
        # the controller's title/message say delivered, queued (outbox) or rejected; here only the colour
        self.queued = r.delivered is False
        if r.print_message is not None:
            self.print_text = r.print_message.get(lang)
        elif r.printed is None:
            self.print_text = ""
        else:
            self.print_text = app.tr("result.printed" if r.printed else "result.not_printed", lang)
        self.print_failed = r.printed is False

    def clear_content(self) -> None:
        self.title_text = self.message_text = self.reference = self.print_text = ""
        self.print_failed = self.queued = False
