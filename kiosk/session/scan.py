"""Codes a resident shows the scanner: 亮随申码 to identify, a pick-up code, an appointment QR (issue 17).

The runtime posts each scan's text to :meth:`ScanFlow.on_scan` on the UI thread (the port never reaches a
screen). Which endpoint a code goes to is told by its form: pick-up codes of 证照统一物流 start with
``SH-WL-`` and appointment QRs with ``APPT-`` (docs/scanner.md §5); anything else is passed whole, and
uninterpreted, to the 随申码 login, which refuses what is not one (``code_invalid``).

* a 随申码 on attract/identify (or on the menu before anyone identified) → ``client.auth_ssm`` on a worker →
  the same identified path as the ID card (:meth:`IdentifyFlow.identified`);
* a pick-up code → the pick-up slip on the result screen and on paper;
* an appointment QR → checked in, the queue ticket with its window on screen and on paper;
* a refusal (expired, replayed, unknown, collected, not now) → an error that says why (``message_zh/en``
  of the typed error), dismissed with 返回; the next scan is taken at once (a refreshed code).

A scanned code may be a credential: it is never logged (only its kind and length) and never kept here.
Reading is switched on only where a screen takes a scan (:data:`ACCEPTING`), and the runtime forgets its
recent scans when the session is wiped — both follow the published state, so the coordinator needs no hook.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Callable

from kiosk.session.core import SessionCore, error_text
from kiosk.session.identify import IdentifyFlow
from kiosk.session.printing import Printing
from kiosk.session.state import ErrorView, ResultView, SessionState, Text
from kiosk.session.text import msg

if TYPE_CHECKING:
    from kiosk.backend.models import AuthSession, CheckIn, PickupSlip

log = logging.getLogger(__name__)

#: screens that take a scan; the scanner reads nowhere else
ACCEPTING = ("attract", "identify", "menu")
PICKUP_PREFIX = "SH-WL-"
APPOINTMENT_PREFIX = "APPT-"
#: the session's one scan task (a second code while it runs is ignored; wipe and Home cancel it)
SCAN_TASK = "scan"
_TIMEOUT_S = 15.0
#: the spoken prompt of a refusal (kiosk/voice/catalog.py); others are said by the generic error prompt
VOICE = {"code_expired": "error.scan_expired", "code_replayed": "error.scan_replayed",
         "code_invalid": "error.scan_invalid", "code_unreadable": "error.scan_invalid"}


def code_kind(text: str) -> str:
    """``pickup``, ``appointment`` or ``ssm`` (everything else: the gateway decides whether it is one)."""
    if text.startswith(PICKUP_PREFIX):
        return "pickup"
    if text.startswith(APPOINTMENT_PREFIX):
        return "appointment"
    return "ssm"


class ScanFlow:
    """Owns what a scan leads to; identification itself stays with :class:`IdentifyFlow`."""

    def __init__(self, core: SessionCore, identify: IdentifyFlow, printing: Printing) -> None:
        self.core = core
        self.identify = identify
        self.printing = printing
        self._reading: bool | None = None  # what the scanner was last told (None: nothing yet)
        self._session_no = core.session_no
        core.listeners.append(self._follow)

    # ----- the state decides where the scanner reads ---------------------------------------------
    def _follow(self, state: SessionState) -> None:
        if self.core.session_no != self._session_no:
            self._session_no = self.core.session_no
            self.core.rt.scan.forget()  # what the last resident showed leaves with them
        reading = state.screen in ACCEPTING
        if reading != self._reading:
            self._reading = reading
            self.core.rt.scan.set_enabled(reading)

    # ----- a scan arrives (UI thread) ----------------------------------------------------------
    def on_scan(self, text: str) -> None:
        core, state = self.core, self.core.state
        kind = code_kind(text)
        if state.screen not in ACCEPTING or core.running(SCAN_TASK) or state.busy is not None:
            log.info("scan ignored on %s (%s, %d characters)", state.screen, kind, len(text))
            return
        if kind == "ssm" and core.token is not None:
            log.info("随申码 ignored: a resident is already identified")
            return
        log.info("code scanned: %s, %d characters", kind, len(text))
        core.touched()
        state.error = None  # a refreshed code after a refusal is simply the next try
        client = core.rt.client
        calls: dict[str, tuple[Callable[[threading.Event], object], Callable[..., None], str]] = {
            "ssm": (lambda c: client.auth_ssm(text, cancel=c), self._ssm_done, "busy.auth"),
            "pickup": (lambda c: client.lookup_pickup(text, cancel=c), self._pickup_done, "scan.busy_pickup"),
            "appointment": (lambda c: client.check_in(text, cancel=c), self._checked_in, "scan.busy_checkin")}
        call, done, busy = calls[kind]
        core.spawn(SCAN_TASK, call, on_done=done,
                   on_error=lambda exc: self._refused(exc, kind), timeout=_TIMEOUT_S, busy=msg(busy))
        core.changed()

    # ----- answers -----------------------------------------------------------------------------
    def _ssm_done(self, auth: "AuthSession") -> None:
        if self.core.token is not None or self.core.state.screen not in ACCEPTING:
            log.info("随申码 login answered after the resident moved on: dropped")
            return
        self.identify.identified(auth, "ssm")

    def _pickup_done(self, slip: "PickupSlip") -> None:
        result = ResultView(title=msg("scan.pickup_title"), reference=slip.pickup_id,
                            message=msg("scan.pickup_msg", item=Text(slip.item_zh, slip.item_en),
                                        place=Text(slip.place_zh, slip.place_en), slot=slip.slot))
        self._show(result, "pickup_slip", {"slip": slip, "at": self.core.local_now()})

    def _checked_in(self, checkin: "CheckIn") -> None:
        ticket = checkin.ticket
        key = "scan.checkin_again" if checkin.already_checked_in else "scan.checkin_title"
        result = ResultView(title=msg(key), reference=ticket.number,
                            message=msg("scan.checkin_msg", service=Text(checkin.service_zh, checkin.service_en),
                                        window=Text(ticket.window_zh, ticket.window_en)))
        self._show(result, "checkin_ticket", {"checkin": checkin, "at": self.core.local_now()})

    def _show(self, result: ResultView, kind: str, data: dict[str, object]) -> None:
        state = self.core.state
        if state.screen not in ACCEPTING:
            return
        if state.screen == "identify":
            self.identify.leave()  # no card watch or QR ticket behind the result screen
        state.result = result
        state.screen = "result"
        self.printing.print(kind, data, purpose="result")
        self.core.changed()

    def _refused(self, exc: BaseException, kind: str) -> None:
        code = getattr(exc, "code", None)
        log.warning("scanned %s refused: %s %s", kind, type(exc).__name__, code or "")
        if self.core.state.screen not in ACCEPTING:
            return
        if code == "not_found" and kind in ("pickup", "appointment"):
            reason = msg(f"scan.{kind}_unknown")
        else:
            reason = error_text(exc, msg("scan.failed"))
        # the reason is shown in words and spoken by its own prompt where the catalog has one; 返回 dismisses it
        self.core.state.error = ErrorView(reason, action="back", voice=VOICE.get(str(code)))
        self.core.changed()

    # ----- staff mode: 测试扫码 ------------------------------------------------------------------
    def staff_test(self) -> None:
        """Wait for one code and tell staff its length, encoding and kind — never its text."""
        core = self.core
        if core.state.screen != "staff" or core.state.staff is None:
            return
        core.state.staff.message = msg("scan.staff_waiting")
        scanner = core.rt.scan
        core.spawn("staff_scan", lambda cancel: scanner.test_scan(cancel), on_done=self._staff_scanned,
                   on_error=lambda exc: self._staff_note(msg("scan.staff_failed", reason=error_text(
                       exc, Text(type(exc).__name__, type(exc).__name__)))), timeout=30.0)
        core.changed()

    def _staff_scanned(self, info: dict[str, object]) -> None:
        kind = msg(f"scan.kind_{info.get('kind')}")
        self._staff_note(msg("scan.staff_ok", kind=kind, bytes=info.get("bytes"), chars=info.get("chars"),
                             encoding=info.get("encoding")))

    def _staff_note(self, text: Text) -> None:
        if self.core.state.staff is not None and self.core.state.screen == "staff":
            self.core.state.staff.message = text
            self.core.changed()
