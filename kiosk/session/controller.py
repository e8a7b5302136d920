"""The session state machine: the single decider of what the kiosk shows.

``SessionController`` runs on the UI thread only. Screens call its methods (docs/app-contract.md); device
events and background results arrive through the runtime's bridge. It never blocks: every device/backend
call is a cancellable task on a worker (``runtime.spawn``), so Home/Back/idle can abandon it at once.

Split across modules to stay readable: the core (state, idle, wipe, hours, navigation) lives here,
identification in ``identify.py``, the service flows in ``flows.py``, staff mode in
``staff.py``. No state-machine library is used: the states are
few, but the side effects on entering/leaving (cancel tasks, wipe) are the point, and plain methods say it
most directly.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Callable

from kiosk import catalog, clock as wallclock
from kiosk.ime import clear_session as clear_ime_picks
from kiosk.session.flows import FlowsMixin
from kiosk.session.handoff import HandoffMixin
from kiosk.session.identify import IdentifyMixin
from kiosk.session.staff import StaffMixin
from kiosk.session.state import CardView, DeviceView, QrView, SessionState, TerminalView, Text
from kiosk.session.text import msg

log = logging.getLogger(__name__)

#: screens where nothing personal is shown and idle means "reset quietly" rather than count down
_QUIET_SCREENS = ("attract", "closed")
#: names staff may use in session.per_screen for a screen (terminal.yaml's own vocabulary)
_SCREEN_ALIASES = {"identify": ("qr_login", "login"), "licence": ("licences",), "record": ("records",)}


class _TaskEntry:
    """A running task of this session; ``handle`` is what the runtime returned (has ``cancel()``)."""

    __slots__ = ("handle",)

    def __init__(self) -> None:
        self.handle: Any = None


class SessionController(IdentifyMixin, FlowsMixin, HandoffMixin, StaffMixin):
    """See the module docstring. ``runtime`` is a :class:`kiosk.runtime.Runtime` or a test fake."""

    def __init__(self, config: Any, runtime: Any, *, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = wallclock.utc_now) -> None:
        self.cfg = config
        self.rt = runtime
        self.clock = clock
        self.now = now  # aware instants (naive = terminal-local); shown only through local_now()
        self.zone = wallclock.zone_of(config)
        self._listeners: list[Callable[[SessionState], None]] = []
        self._tasks: dict[str, Any] = {}
        self._busy_task: str | None = None
        self._token: str | None = None
        self._pending_service: str | None = None
        self._qr_ticket: Any = None
        self._qr_expires_at: float = 0.0
        self._qr_next_poll: float | None = None
        self._qr_interval: float = 2.0
        self._jobs: dict[str, str] = {}  # print job id -> purpose (result | copy | staff)
        self._form_values: dict[str, str] = {}
        self._form_checked = False
        self._service_def: Any = None
        self._handoff_init()
        self._last_printable: tuple[str, Any] | None = None
        self._licence_data: list[Any] = []
        self._guide_topic: str | None = None
        self._last_job: str | None = None
        self._print_seq = 0
        self._early_print_events: dict[str, Callable[[], None]] = {}
        self._last_touch = clock()
        self._countdown_end: float | None = None
        self._next_hours_check = 0.0
        self._version = 0
        self._session_no = 0
        self.exit_requested = False
        self._staff_init()
        self.state = self._fresh_state()
        self._refresh_menu()

    # ----- observation -------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[SessionState], None]) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)
        return unsubscribe

    def local_now(self) -> datetime:
        """Now in the terminal's zone (cfg.opening_hours.timezone): the one clock for screens and paper."""
        return wallclock.to_local(self.now(), self.zone)

    def clock_text(self) -> str:
        """The header clock, e.g. ``2026-11-28  07:16`` in the terminal's zone (screens/shell.py calls it)."""
        return self.local_now().strftime(wallclock.CLOCK_FORMAT)

    def request_exit(self, reason: str = "") -> None:
        """Ask the app to end cleanly (ops: restart while idle). The app stops when it sees exit_requested."""
        log.info("app exit requested: %s", reason)
        self.exit_requested = True
        self._changed()

    def _changed(self) -> None:
        self._version += 1
        self.state.version = self._version
        for listener in list(self._listeners):
            try:
                listener(self.state)
            except Exception:  # a broken screen must not stop the session (idle wipe, tasks) from working
                log.exception("state listener failed")

    def _fresh_state(self) -> SessionState:
        term = getattr(self.cfg, "terminal", None)
        lang = getattr(getattr(self.cfg, "language", None), "default", "zh-CN") or "zh-CN"
        devices = self.state.devices if hasattr(self, "state") else DeviceView()
        return SessionState(lang=lang, devices=devices, terminal=TerminalView(
            id=str(getattr(term, "id", "")), name=str(getattr(term, "name", "")),
            location=str(getattr(term, "location", "")), name_en=str(getattr(term, "name_en", "")),
            location_en=str(getattr(term, "location_en", ""))))

    # ----- tasks -------------------------------------------------------------------------------
    def _spawn(self, name: str, fn: Callable[[Any], Any], on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None], *, timeout: float, busy: Text | None = None) -> None:
        """Run ``fn(cancel_event)`` on a worker; replies land on the UI thread unless cancelled."""
        self._cancel_task(name)
        entry = _TaskEntry()

        def done(result: Any) -> None:
            if self._tasks.get(name) is entry:
                del self._tasks[name]
                if self._busy_task == name:
                    self._end_busy()
                on_done(result)

        def failed(exc: BaseException) -> None:
            if self._tasks.get(name) is entry:
                del self._tasks[name]
                if self._busy_task == name:
                    self._end_busy()
                on_error(exc)

        if busy is not None:
            self.state.busy = busy
            self._busy_task = name
        self._tasks[name] = entry  # registered first: a runtime may answer before spawn() returns
        entry.handle = self.rt.spawn(name, fn, on_done=done, on_error=failed, timeout=timeout)
        if self._tasks.get(name) is not entry:  # it did: nothing left to cancel
            entry.handle = None

    def _cancel_task(self, name: str) -> None:
        entry = self._tasks.pop(name, None)
        if entry is not None and entry.handle is not None:
            entry.handle.cancel()
        if name == self._busy_task:
            self._busy_task = None
            self.state.busy = None

    def _cancel_all_tasks(self) -> None:
        for name in list(self._tasks):
            self._cancel_task(name)
        self.state.busy = None

    def _end_busy(self) -> None:
        self._busy_task = None
        self.state.busy = None
        self._last_touch = self.clock()  # a long backend call pauses idle rather than ending the session

    # ----- simple inputs -----------------------------------------------------------------------
    def touch(self) -> None:
        self._last_touch = self.clock()
        changed = self.state.help is not None or self.state.countdown is not None
        self.state.help = None
        self._countdown_end = None
        self.state.countdown = None
        if self.state.screen == "closed":
            self._next_hours_check = 0.0
        if changed:
            self._changed()

    def dismiss(self) -> None:
        self.state.help = None
        self.state.error = None
        self._changed()

    def set_language(self, lang: str) -> None:
        if lang not in ("zh-CN", "en"):
            raise ValueError(f"unsupported language {lang!r}")
        self.state.lang = lang
        self._changed()

    def toggle_elder_mode(self) -> None:
        self.state.elder_mode = not self.state.elder_mode
        self._changed()

    def request_help(self) -> None:
        """一键求助: tells the resident where the human channel is and records the request for staff.

        The gateway has no help endpoint, so the kiosk does not pretend staff were paged: it says where
        to find them and logs the request (ops alerting reads the log).
        """
        screen = self.state.screen
        self.rt.record_help(screen)
        hint = getattr(getattr(self.cfg, "terminal", None), "nearest_staffed", None)
        self.state.help = msg("help.offline") if hint is None else Text(f"如需帮助，请找工作人员。{hint.zh}",
                                                                         f"For help, ask staff. {hint.en}")
        self._changed()

    def continue_session(self) -> None:
        self.touch()
        self._changed()

    def end_session(self) -> None:
        self.wipe()

    # ----- device status -----------------------------------------------------------------------
    def on_devices(self, view: DeviceView) -> None:
        self.state.devices = view
        if self.state.screen == "identify" and self._token is None:
            if view.reader_online and self.state.card.state == "error" and \
                    self.state.card.message == msg("card.unavailable"):
                self.state.card = CardView("waiting", msg("card.waiting"))
                self.rt.set_card_polling(True)
            elif not view.reader_online and self.state.card.state in ("waiting", "reading"):
                self.state.card = CardView("error", msg("card.unavailable"))
        self._refresh_menu()
        self._changed()

    def _refresh_menu(self) -> None:
        self.state.menu, self.state.attract_services = catalog.build_menu(
            self.cfg, self.state.devices, self._overrides.disabled())

    # ----- navigation --------------------------------------------------------------------------
    def home(self) -> None:
        if self.state.screen in ("staff_pin", "staff"):
            self.staff_leave()
            return
        self._leave_flow()
        self.state.screen = "menu" if self._token else "attract"
        self._changed()

    def back(self) -> None:
        screen = self.state.screen
        if self.state.error is not None and self.state.error.action == "back":
            self.state.error = None  # "back" on an error (e.g. fix the highlighted fields) returns to the screen
            self._changed()
        elif screen == "confirm":
            self.state.screen = "form"
            self._changed()
        elif screen == "guide" and (self.state.guide is not None or "guide" in self._tasks):
            self._cancel_task("guide")
            self.state.guide = None  # back from one guide to the list of topics
            self._last_printable = None
            self._changed()
        elif screen in ("staff_pin", "staff"):
            self.staff_leave()
        elif screen == "identify":
            self._leave_identify()
            self.state.screen = "attract"
            self._changed()
        else:
            self.home()

    def _leave_identify(self) -> None:
        self.rt.set_card_polling(False)
        self._cancel_task("auth")
        self._drop_qr_ticket()
        self.state.qr = None
        self.state.card = CardView()
        self._pending_service = None

    def _leave_flow(self) -> None:
        """Abandon whatever the current screen was waiting for (Home/Back)."""
        if self.state.screen == "identify":
            self._leave_identify()
        for name in ("queue", "guide", "record", "licences"):
            self._cancel_task(name)
        self.state.busy = None
        self.state.error = None
        self.state.countdown = None
        self._countdown_end = None
        self._clear_service()

    # ----- wipe --------------------------------------------------------------------------------
    def wipe(self) -> None:
        """Forget the resident completely; see docs/app-contract.md."""
        self.rt.set_card_polling(False)
        self._cancel_all_tasks()
        self._drop_qr_ticket()
        self.rt.discard_jobs(self._owner())
        self._token = None
        self._pending_service = None
        self._pin = ""
        self._clear_service()
        self._last_job = None
        clear_ime_picks()  # the resident's own picks on the pinyin keyboard leave with them
        self._jobs = {job: p for job, p in self._jobs.items() if p == "staff"}
        self._countdown_end = None
        self._session_no += 1
        self.state = self._fresh_state()
        self._refresh_menu()
        self._last_touch = self.clock()
        self._next_hours_check = 0.0
        log.info("session wiped")
        self._changed()

    def fail_safe(self, kind: str = "") -> None:
        """The last resort's hook (kiosk/crash.py): something raised unexpectedly. Forget the resident and
        show the truthful "暂时无法办理" notice with 一键求助 on the attract screen, for the next resident."""
        from kiosk.crash import UNAVAILABLE
        from kiosk.session.state import ErrorView

        try:
            self.wipe()
        finally:  # even a wipe that fails leaves a fresh, empty state on the glass
            if self.state.screen != "attract" or self.state.error is not None:
                self.state = self._fresh_state()
            self.state.error = ErrorView(UNAVAILABLE, action="help")
            log.warning("failed safe after an unexpected %s error: session wiped", kind or "callback")
            self._changed()

    def _owner(self) -> str:
        return f"session-{self._session_no}"

    # ----- clock -------------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock()
        changed = False
        if self._qr_next_poll is not None and now >= self._qr_next_poll and self._qr_ticket is not None:
            if now >= self._qr_expires_at:
                self._qr_ticket = None
                self._qr_next_poll = None
                self.state.qr = QrView("expired", message=msg("qr.expired"))
            else:
                self._poll_qr()
            changed = True
        if self.state.qr is not None and self.state.qr.state in ("waiting", "scanned"):
            left = self._qr_seconds_left()
            if left != self.state.qr.seconds_left:
                self.state.qr.seconds_left = left
                changed = True
        changed = self._handoff_tick(now) or changed
        changed = self._tick_idle(now) or changed
        if now >= self._next_hours_check:
            self._next_hours_check = now + 15.0
            changed = self._check_hours() or changed
        if changed:
            self._changed()

    def _idle_limit(self, screen: str) -> float:
        session = getattr(self.cfg, "session", None)
        per_screen = dict(getattr(session, "per_screen", None) or {})
        for name in (screen,) + _SCREEN_ALIASES.get(screen, ()):
            if name in per_screen:
                return float(per_screen[name])
        default = getattr(session, "idle_timeout_s", None)
        return float(default) if default is not None else 60.0

    def _tick_idle(self, now: float) -> bool:
        if self.state.busy is not None:
            self._last_touch = now
            return False
        screen = self.state.screen
        if screen in _QUIET_SCREENS:
            fresh = self._fresh_state()
            dirty = self.state.lang != fresh.lang or self.state.elder_mode or self.state.help is not None
            if dirty and now - self._last_touch >= self._idle_limit(screen):
                self.wipe()
            return False
        if self._countdown_end is not None:
            left = max(0, int(-(-(self._countdown_end - now) // 1)))
            if left == 0:
                self.wipe()
                return False
            if left != self.state.countdown:
                self.state.countdown = left
                return True
            return False
        if now - self._last_touch >= self._idle_limit(screen):
            countdown = float(getattr(getattr(self.cfg, "session", None), "countdown_s", 10) or 10)
            self._countdown_end = now + countdown
            self.state.countdown = int(countdown)
            return True
        return False

    def _check_hours(self) -> bool:
        hours = getattr(self.cfg, "opening_hours", None)
        if hours is None:
            return False
        is_open = hours.is_open(self.local_now())
        if not is_open and self.state.screen == "attract" and self._token is None:
            self.state.screen = "closed"
            self.state.closed = Text(hours.describe("zh-CN"), hours.describe("en"))
            nearest = getattr(getattr(self.cfg, "terminal", None), "nearest_staffed", None)
            self.state.closed_hint = Text(nearest.zh, nearest.en) if nearest is not None else msg("closed.hint")
            self.rt.set_card_polling(False)
            return True
        if is_open and self.state.screen == "closed":
            self.state.screen = "attract"
            self.state.closed = None
            self.state.closed_hint = None
            return True
        return False

