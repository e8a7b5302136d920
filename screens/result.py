"""Result screen: how it went, the reference, and the print as a full screen of its own (issue 14 §2).

Top to bottom: a big status icon with the outcome, the message, the reference number, then the "what now"
card that fills the rest — while printing "正在打印", when printed "请取走凭条" with the ticket and a drawn
pointer down to the printer slot, when printing failed what happened and what to do (重新打印 / 一键求助),
and with nothing to print what to do next. A copy of a guide, record or licence ends here too
(``copy_of``): 返回 goes back to it. Landscape puts the outcome and the card side by side.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty

from kiosk.session.views import ResultScreenView
from screens.plain import say
from screens.widgets import KioskScreen

#: the card's look per print state: (icon, palette background, palette text)
CARD = {"printing": ("print", "secondary_bg", "secondary_text"), "done": ("receipt_long", "ok_bg", "ok_text"),
        "failed": ("print_disabled", "error_bg", "error_text"), "none": ("support_agent", "secondary_bg",
                                                                      "secondary_text")}


class ResultScreen(KioskScreen):
    title_text = StringProperty("")
    message_text = StringProperty("")
    reference = StringProperty("")
    status_icon = StringProperty("check_circle")
    queued = BooleanProperty(False)
    #: the "what now" card: printing | done | failed | none (nothing printed)
    card = StringProperty("none")
    card_title = StringProperty("")
    card_text = StringProperty("")
    slot_text = StringProperty("")
    can_reprint = BooleanProperty(False)
    is_copy = BooleanProperty(False)
    back_text = StringProperty("")
    end_text = StringProperty("")
    #: portrait standard mode: icons above the words; elder and landscape have no height to spare
    tall = BooleanProperty(True)

    def signature(self, state: ResultScreenView) -> Any:
        r = state.result
        return (state.lang, state.elder_mode, App.get_running_app().landscape, None if r is None else
                (r.title, r.message, r.reference, r.delivered, r.printed, r.print_message, r.copy_of))

    def build_content(self, state: ResultScreenView) -> None:
        lang, elder = state.lang, bool(state.elder_mode)
        self.tall = not elder and not App.get_running_app().landscape
        r = state.result
        if r is None:
            self.clear_content()
            return
        self.is_copy = bool(r.copy_of)
        self.title_text = r.title.get(lang) if not self.is_copy else say("result.copy_title", lang, elder)
        self.message_text = r.message.get(lang)
        self.reference = r.reference or ""
        # the controller's title/message say delivered, queued (outbox) or rejected; here only icon and colour
        self.queued = r.delivered is False
        self.status_icon = ("print" if self.is_copy else "schedule" if r.delivered is False and r.reference
                            and r.print_message is not None else "error" if r.delivered is False
                            else "check_circle")
        self.card = ("none" if r.print_message is None and r.printed is None else "printing" if r.printed is None
                     else "done" if r.printed else "failed")
        self.card_title = say(f"result.card_{self.card}", lang, elder)
        detail = r.print_message.get(lang) if r.print_message is not None else ""
        self.card_text = {"printing": say("result.printing_hint", lang, elder), "done": "",
                          "failed": detail, "none": say("result.none_hint", lang, elder)}[self.card]
        self.slot_text = say("result.slot", lang, elder) if self.card == "done" else ""
        self.can_reprint = self.card in ("done", "failed")
        self.back_text = say("common.back" if self.is_copy else "result.continue", lang, elder)
        self.end_text = say("common.end", lang, elder)

    def back(self) -> None:
        self.act("back_to_shown" if self.is_copy else "home")

    def clear_content(self) -> None:
        self.title_text = self.message_text = self.reference = self.card_title = self.card_text = ""
        self.slot_text = ""
        self.queued = self.can_reprint = self.is_copy = False
        self.card = "none"
