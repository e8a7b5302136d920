"""Overlays over every screen: error banner, idle countdown (继续), progress (> 300 ms work), help notice.

Each shows what the controller state says (``show(state)``) and forgets it on ``clear()``.
"""
from __future__ import annotations

from typing import Any

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.app import App
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.session.views import RootView
from screens.widgets import ModalLayer, Panel

_ERROR_ACTIONS = {"retry": ("error.action_retry", "retry"), "home": ("error.action_home", "home"),
                  "back": ("error.action_back", "back"), "help": ("error.action_help", "request_help")}


class ErrorBanner(Panel):
    """What happened + what to do (one big button for the error's action) + 一键求助 + close."""

    message = StringProperty("")
    action_key = StringProperty("error.action_home")
    action_method = StringProperty("home")

    def show(self, state: RootView) -> None:
        self.message = state.error.text.get(state.lang)
        key, method = _ERROR_ACTIONS.get(state.error.action, _ERROR_ACTIONS["home"])
        self.action_key, self.action_method = key, method

    def clear(self) -> None:
        self.message = ""


class IdleLayer(ModalLayer):
    seconds = NumericProperty(0)

    def show(self, state: RootView) -> None:
        self.seconds = int(state.countdown or 0)

    def clear(self) -> None:
        self.seconds = 0


class BusyLayer(ModalLayer):
    """Progress for work that takes longer than 300 ms. The layer takes touches at once (no double
    submissions) but stays invisible for the first 300 ms, so quick answers do not flash a dialog."""

    message = StringProperty("")
    angle = NumericProperty(0)
    REVEAL_AFTER_S = 0.3
    _anim: Animation | None = None
    _reveal: Any = None

    def show(self, state: RootView) -> None:
        self.message = state.busy.get(state.lang) if state.busy is not None else ""
        if self._reveal is None and self._anim is None:
            self.opacity = 0
            self._reveal = Clock.schedule_once(self._start, self.REVEAL_AFTER_S)

    def _start(self, _dt: float) -> None:
        self._reveal = None
        self.opacity = 1
        # the spinner only animates while the layer is up (no per-frame work otherwise)
        self.angle = 0
        self._anim = Animation(angle=360, duration=1.2)
        self._anim.repeat = True
        self._anim.start(self)

    def clear(self) -> None:
        self.message = ""
        if self._reveal is not None:
            self._reveal.cancel()
            self._reveal = None
        if self._anim is not None:
            self._anim.cancel(self)
            self._anim = None


class HelpLayer(ModalLayer):
    """一键求助's live status, big: what was done (title), who is coming and when, or the numbers to call.

    One large button: 取消求助 while the request is live (a touch elsewhere does not close it — the resident
    waits for the helper), 关闭 once it ended. Sizes come from the theme, so elder mode is larger still.
    """

    message = StringProperty("")
    big = StringProperty("")  # "约 3 分钟" or the numbers to call — the line read from a distance
    status = StringProperty("")
    live = BooleanProperty(False)

    def show(self, state: RootView) -> None:
        view, lang = state.help, state.lang
        if view is None:
            self.clear()
            return
        app = App.get_running_app()
        self.message = view.message.get(lang)
        self.status = view.state
        self.live = bool(view.live)
        if view.eta_minutes is not None and view.state == "acknowledged":
            self.big = app.tr("help.eta", lang, n=view.eta_minutes)
        else:
            self.big = "   ".join(view.phones)

    def clear(self) -> None:
        self.message = self.big = self.status = ""
        self.live = False
