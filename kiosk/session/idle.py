"""Idle countdown and opening hours: when the session ends by itself, and when the kiosk is closed.

Ticked by the coordinator (every 0.5 s from the UI clock) with the session's monotonic clock. A screen that
shows nothing personal (attract, closed) resets quietly; any other screen first counts down (继续 / 结束)
and then wipes. Opening hours are checked every 15 s against the terminal's wall clock.
"""
from __future__ import annotations

from typing import Callable

from kiosk.session.core import SessionCore
from kiosk.session.text import msg
from kiosk.session.state import Text

#: screens where nothing personal is shown and idle means "reset quietly" rather than count down
_QUIET_SCREENS = ("attract", "closed")
#: names staff may use in session.per_screen for a screen (terminal.yaml's own vocabulary)
_SCREEN_ALIASES = {"identify": ("qr_login", "login"), "licence": ("licences",), "record": ("records",)}
#: seconds between two opening-hours checks
_HOURS_EVERY_S = 15.0


class IdleWatch:
    """Owns ``state.countdown``, ``state.closed`` and ``state.closed_hint``."""

    def __init__(self, core: SessionCore, *, wipe: Callable[[], None], stop_cards: Callable[[], None]) -> None:
        self.core = core
        self._wipe = wipe
        self._stop_cards = stop_cards
        self._countdown_end: float | None = None
        self._next_hours_check = 0.0
        #: session-clock instant until which the idle wipe waits (help on the way, kiosk/session/help.py sets
        #: it, bounded); afterwards idle counts from the last touch as usual, so the countdown may start at once
        self.hold_until: float | None = None

    def touch(self) -> bool:
        """The resident touched the screen: idle starts again; True if an overlay went away."""
        core = self.core
        state = core.state
        core.touched()
        closes = state.help is not None and not state.help.live  # a live request stays until cancelled
        changed = closes or state.countdown is not None
        if closes:
            state.help = None
        self.stop_countdown()
        if state.screen == "closed":
            self._next_hours_check = 0.0
        return changed

    def stop_countdown(self) -> None:
        self._countdown_end = None
        self.core.state.countdown = None

    def reset(self) -> None:
        """After a wipe or leaving staff mode: no countdown, and the hours are checked at the next tick."""
        self.stop_countdown()
        self._next_hours_check = 0.0
        self.hold_until = None

    def tick(self, now: float) -> bool:
        changed = self._tick_idle(now)
        if now >= self._next_hours_check:
            self._next_hours_check = now + _HOURS_EVERY_S
            changed = self._check_hours() or changed
        return changed

    def remaining(self, now: float) -> int | None:
        """Whole seconds until the session ends by itself if nobody touches the screen — what the header
        shows during a session ("剩余 1:45"); None where no session runs (attract, closed, staff)."""
        core = self.core
        screen = core.state.screen
        if screen in _QUIET_SCREENS or screen in ("staff_pin", "staff"):
            return None
        if self._countdown_end is not None:
            return max(0, int(-(-(self._countdown_end - now) // 1)))
        idle = 0.0 if core.state.busy is not None else now - core.last_touch  # a wait pauses the clock
        left = self.limit(screen) - idle + self._countdown_s()
        return max(0, int(-(-left // 1)))

    def _countdown_s(self) -> float:
        return float(getattr(getattr(self.core.cfg, "session", None), "countdown_s", 10) or 10)

    def limit(self, screen: str) -> float:
        session = getattr(self.core.cfg, "session", None)
        per_screen = dict(getattr(session, "per_screen", None) or {})
        for name in (screen,) + _SCREEN_ALIASES.get(screen, ()):
            if name in per_screen:
                return float(per_screen[name])
        default = getattr(session, "idle_timeout_s", None)
        return float(default) if default is not None else 60.0

    def _tick_idle(self, now: float) -> bool:
        core = self.core
        state = core.state
        if state.busy is not None:
            core.last_touch = now
            return False
        if self.hold_until is not None:
            if now < self.hold_until:
                return False  # a helper is on the way: the session waits for them
            self.hold_until = None
        if state.screen in _QUIET_SCREENS:
            fresh = core.fresh_state()
            dirty = state.lang != fresh.lang or state.elder_mode or state.help is not None
            if dirty and now - core.last_touch >= self.limit(state.screen):
                self._wipe()
            return False
        if self._countdown_end is not None:
            left = max(0, int(-(-(self._countdown_end - now) // 1)))
            if left == 0:
                self._wipe()
                return False
            if left != state.countdown:
                state.countdown = left
                return True
            return False
        if now - core.last_touch >= self.limit(state.screen):
            countdown = self._countdown_s()
            self._countdown_end = now + countdown
            state.countdown = int(countdown)
            return True
        return False

    def _check_hours(self) -> bool:
        core = self.core
        state = core.state
        hours = getattr(core.cfg, "opening_hours", None)
        if hours is None:
            return False
        is_open = hours.is_open(core.local_now())
        if not is_open and state.screen == "attract" and core.token is None:
            state.screen = "closed"
            state.closed = Text(hours.describe("zh-CN"), hours.describe("en"))
            nearest = getattr(getattr(core.cfg, "terminal", None), "nearest_staffed", None)
            state.closed_hint = Text(nearest.zh, nearest.en) if nearest is not None else msg("closed.hint")
            self._stop_cards()
            return True
        if is_open and state.screen == "closed":
            state.screen = "attract"
            state.closed = None
            state.closed_hint = None
            return True
        return False
