"""一键求助 in the session: page the duty staff through the gateway, show and speak the live status, wait for them.

Pressing 一键求助 creates a help request on a worker (``/v1/help-requests``, docs/help.md) that says where the
terminal is and what the resident is doing — screen, service, elder mode, language — and nothing about who
they are. The overlay shows and speaks its status as the gateway's answers arrive (polled at its
``interval_s``): 正在通知值班人员 → 已通知值班人员 → "一楼大厅值班台已收到，约 3 分钟到达" (the duty post, never a
person), or a number to call. While a helper is on the way the idle wipe waits (:attr:`IdleWatch.hold_until`)
— for the ETA plus ``help.wait_after_eta_min``, or ``help.wait_unacknowledged_min`` before anyone answered —
and then the usual countdown runs, so a session is never held open for ever. When the gateway cannot be
reached (the create fails, or the polls keep failing) the overlay falls back to the centre's duty phone
(``help.duty_phone``) and 12345.

The request is open at the gateway exactly as long as the resident sees it live: 取消求助, the wipe (idle,
结束办理, a fail-safe) or anything else that takes the live view off the state cancels it there (this class
follows every state change, so the coordinator needs no extra call for it). A create answered after the
request was abandoned is cancelled as soon as its id is known. UI thread only, like the rest of the session.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.session.core import SessionCore
from kiosk.session.idle import IdleWatch
from kiosk.session.state import HelpView, SessionState, Text
from kiosk.session.text import msg

if TYPE_CHECKING:
    from kiosk.backend.models import HelpRequest

log = logging.getLogger(__name__)

HOTLINE = "12345"
#: seconds one help call may take (the create is not retried after sending: a repeat would page twice)
_CALL_TIMEOUT = 15.0
#: polls that may fail in a row before the resident is given the numbers to call instead
_POLL_FAILURES = 3
_POLL_BACKOFF_MAX_S = 10.0
#: requests kept for staff mode (a busy day has a handful)
_HISTORY = 200


@dataclass(frozen=True)
class HelpRecord:
    """One request for staff mode: when (terminal-local), from which screen, how it stands — never who."""

    at: datetime
    screen: str
    state: str


class HelpFlow:
    """Owns ``state.help`` (a :class:`HelpView`) and the idle hold while help is on the way."""

    def __init__(self, core: SessionCore, idle: IdleWatch) -> None:
        self.core = core
        self.idle = idle
        self.history: list[HelpRecord] = []
        self.request_id: str | None = None
        self._open = False  # a request is live (being sent, pending or acknowledged)
        self._gen = 0  # answers of an abandoned request carry an older number
        self._session = core.session_no
        self._interval = 2.0
        self._failures = 0
        core.listeners.append(self._follow)

    # ----- the resident ------------------------------------------------------------------------
    def request(self) -> None:
        """一键求助: page the duty staff (one live request at a time: a second press does not page twice)."""
        core = self.core
        state = core.state
        core.touched()
        if self._open and state.help is not None and state.help.live:
            return
        core.rt.record_help(state.screen)
        self._gen += 1
        gen, self._open, self._session, self.request_id, self._failures = self._gen, True, core.session_no, None, 0
        self._remember(state.screen, "sending")
        state.help = HelpView("sending", msg("help.sending"))
        self._hold_for(self._cfg_minutes("wait_unacknowledged_min", 10))
        term = getattr(core.cfg, "terminal", None)
        body = {"screen": state.screen, "elder_mode": bool(state.elder_mode), "lang": state.lang,
                "location": str(getattr(term, "location", "") or "")[:200],
                "service_id": state.service.id if state.service is not None else None}
        client = core.rt.client
        core.rt.spawn("help_create", lambda cancel: client.create_help_request(**body, cancel=cancel),
                      on_done=lambda reply: self._created(gen, reply),
                      on_error=lambda exc: self._create_failed(gen, exc), timeout=_CALL_TIMEOUT)
        core.changed()

    def cancel(self) -> None:
        """取消求助: the resident no longer waits; the overlay closes and the duty post sees the request cancelled."""
        if not self._open:
            return
        self.core.state.help = None
        self.core.changed()  # _follow sees the live view gone and cancels it at the gateway

    def today(self) -> list[HelpRecord]:
        """This terminal's requests of the terminal's day, oldest first (staff mode)."""
        day = self.core.local_now().date()
        return [r for r in self.history if r.at.date() == day]

    # ----- the gateway's answers -----------------------------------------------------------------
    def _created(self, gen: int, reply: "HelpRequest") -> None:
        if gen != self._gen or not self._open:
            self._cancel_remote(str(reply.id))  # abandoned while it was being sent: nobody waits any more
            return
        self.request_id = str(reply.id)
        self._interval = max(1.0, float(reply.interval_s))
        self._show(reply)

    def _create_failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._gen or not self._open:
            return
        log.warning("help request could not reach the gateway: %s", type(exc).__name__)
        self._unreachable()

    def _polled(self, gen: int, reply: "HelpRequest | None") -> None:
        if gen != self._gen or not self._open or reply is None:
            return
        self._failures = 0
        self._show(reply)

    def _poll_failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._gen or not self._open:
            return
        self._failures += 1
        log.warning("help request poll failed (%d in a row): %s", self._failures, type(exc).__name__)
        if self._failures >= _POLL_FAILURES:
            self._unreachable()
        else:
            self._poll(min(_POLL_BACKOFF_MAX_S, self._interval * 2 ** self._failures))

    def _show(self, reply: "HelpRequest") -> None:
        core = self.core
        status = reply.state
        if status == "acknowledged" and reply.duty_post is not None and reply.eta_minutes is not None:
            post = Text(reply.duty_post.name_zh, reply.duty_post.name_en)
            view = HelpView("acknowledged", msg("help.coming", post=post, n=reply.eta_minutes), post=post,
                            eta_minutes=reply.eta_minutes)
            if core.state.help is None or core.state.help.state != "acknowledged":
                self._hold_for(reply.eta_minutes + self._cfg_minutes("wait_after_eta_min", 5))
        elif status == "call" and reply.call_phone:
            view = HelpView("call", msg("help.call_number", phone=reply.call_phone), phones=(reply.call_phone,))
        elif status in ("resolved", "cancelled"):
            view = HelpView(status, msg(f"help.{status}"))
        else:
            view = HelpView("pending", msg("help.waiting"))
        if view.live:
            self._poll(self._interval)
        else:
            self._close()
        self._remember(None, view.state)
        if core.state.help != view:
            core.state.help = view
            core.changed()

    def _unreachable(self) -> None:
        """The gateway cannot be reached: the duty phone from the config and 12345, shown big and spoken."""
        phone = getattr(getattr(self.core.cfg, "help", None), "duty_phone", None)
        view = (HelpView("unreachable", msg("help.unreachable", phone=phone), phones=(phone, HOTLINE)) if phone
                else HelpView("unreachable", msg("help.unreachable_hotline"), phones=(HOTLINE,)))
        if self.request_id is not None:
            self._cancel_remote(self.request_id)  # it may yet arrive: do not send someone to an empty kiosk
        self._close()
        self._remember(None, "unreachable")
        self.core.state.help = view
        self.core.changed()

    # ----- polling, holding, closing ------------------------------------------------------------
    def _poll(self, after_s: float) -> None:
        client, request_id, gen = self.core.rt.client, self.request_id, self._gen
        if request_id is None:
            return

        def wait_then_poll(cancel: threading.Event) -> "HelpRequest | None":
            if cancel.wait(after_s):
                return None  # abandoned while waiting
            return client.poll_help_request(request_id, cancel=cancel)

        self.core.spawn("help_poll", wait_then_poll, on_done=lambda reply: self._polled(gen, reply),
                        on_error=lambda exc: self._poll_failed(gen, exc), timeout=after_s + _CALL_TIMEOUT)

    def _hold_for(self, minutes: float) -> None:
        self.idle.hold_until = self.core.clock() + minutes * 60.0

    def _close(self) -> None:
        """No longer waiting for anyone: polls stop, the idle wipe counts again."""
        self._open = False
        self.core.cancel_task("help_poll")
        self.idle.hold_until = None

    def _follow(self, state: SessionState) -> None:
        """Every state change: a live request whose view left the state (cancel, wipe) is cancelled remotely."""
        if not self._open:
            return
        wiped = self.core.session_no != self._session
        if wiped or state.help is None or not state.help.live:
            self._gen += 1  # a create still in flight is cancelled when its answer comes
            if self.request_id is not None:
                self._cancel_remote(self.request_id)
            self._close()
            self._remember(None, "cancelled")
            self.request_id = None

    def _cancel_remote(self, request_id: str) -> None:
        client = self.core.rt.client
        self.core.fire_and_forget("help_cancel", lambda cancel: client.cancel_help_request(request_id, cancel=cancel),
                                  timeout=_CALL_TIMEOUT)

    def _remember(self, screen: str | None, status: str) -> None:
        """Staff mode's list: a new entry (``screen`` given) or the latest one's new status."""
        if screen is not None:
            self.history.append(HelpRecord(self.core.local_now(), screen, status))
            del self.history[:-_HISTORY]
        elif self.history and self.history[-1].state != status:
            self.history[-1] = replace(self.history[-1], state=status)

    def _cfg_minutes(self, name: str, default: int) -> int:
        return int(getattr(getattr(self.core.cfg, "help", None), name, default))
