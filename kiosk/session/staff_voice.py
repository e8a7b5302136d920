"""Staff mode's voice section: volume and mute of the spoken prompts, and this terminal's 一键求助 of the day.

Kept apart from :mod:`kiosk.session.staff` (PIN, devices, services) so each concern stays one collaborator.
Volume and mute are applied by the runtime to the Player and kept across restarts (kiosk/voice/settings.py).
The list of the day shows, per request, the time (terminal-local), the screen it was pressed on and how it
stands — nothing about who asked. It follows the session's own record (:meth:`HelpFlow.today`), which also
holds the requests that never reached the gateway. UI thread only.
"""
from __future__ import annotations

from kiosk.session.core import SessionCore
from kiosk.session.help import HelpFlow
from kiosk.session.state import SessionState, Text
from kiosk.session.text import msg

#: one press of 音量+ / 音量−
VOLUME_STEP = 0.1


class StaffVoice:
    """Fills ``state.staff.voice`` and ``state.staff.help_today`` while the staff screen is shown."""

    def __init__(self, core: SessionCore, help_flow: HelpFlow) -> None:
        self.core = core
        self.help = help_flow
        core.listeners.append(self._follow)

    def volume(self, delta: float) -> None:
        """音量+ / 音量−: one step, kept within 0–100 %."""
        now = self.core.rt.set_voice() if self._on_staff() else None
        if now is not None:
            self.core.rt.set_voice(volume=min(1.0, max(0.0, round(now[0] + delta, 2))))
            self.core.changed()

    def toggle_mute(self) -> None:
        now = self.core.rt.set_voice() if self._on_staff() else None
        if now is not None:
            self.core.rt.set_voice(muted=not now[1])
            self.core.changed()

    def _on_staff(self) -> bool:
        return self.core.state.screen == "staff" and self.core.state.staff is not None

    def _follow(self, state: SessionState) -> None:
        """Before the screens see the change: the staff view carries the current level and list."""
        view = state.staff
        if state.screen != "staff" or view is None:
            return
        level = self.core.rt.set_voice()
        view.voice = None if level is None else (round(level[0] * 100), level[1])
        view.help_today = [(r.at.strftime("%H:%M"), r.screen, self._status(r.state)) for r in self.help.today()]

    @staticmethod
    def _status(state: str) -> Text:
        try:
            return msg(f"help.status.{state}")
        except KeyError:
            return Text(state, state)
