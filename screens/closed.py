"""Closed screen: outside the opening hours — the hours, day by day, and what a resident can do instead.

A moon, the brand and "当前不在服务时间" on top; two cards share the rest: the opening hours (one line per
group of days, large) and the nearest staffed option / 12345; at the bottom how to start when it opens.
"""
from __future__ import annotations

import re
from typing import Any

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
        lang = state.lang
        # "周一至周五 09:00-17:00；周六 09:00-12:00；周日休息": one group of days per line reads at a glance
        hours = state.closed.get(lang) if state.closed is not None else ""
        self.hours_text = "\n".join(part for part in re.split(r"\s*[；;]\s*", hours) if part)
        self.hint_text = state.closed_hint.get(lang) if state.closed_hint is not None else ""

    def clear_content(self) -> None:
        self.hours_text = self.hint_text = ""
