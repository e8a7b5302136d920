"""What every part of the session shares: the view state, its listeners, the tasks, the token, the clocks.

:class:`SessionCore` is owned by the coordinator (:class:`kiosk.session.controller.SessionController`) and
handed to each collaborator (identify, services, hand-off, printing, staff). It runs on the UI thread only.
It holds the one thing the collaborators must agree on — which resident session this is (token, owner of
print jobs, the running tasks) — and nothing of any one flow. :class:`SessionRuntime` is the typed interface
the session needs from the outside world (:class:`kiosk.runtime.Runtime` or a test fake).
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Protocol, TypeVar

from kiosk import clock as wallclock
from kiosk.session.state import DeviceView, SessionState, TerminalView, Text
from kiosk.staff import ServiceOverrides, overrides_path

if TYPE_CHECKING:
    from kiosk.backend.client import GatewayClient
    from kiosk.backend.models import AuthSession
    from kiosk.backend.submissions import SubmissionResult
    from kiosk.config.loader import KioskConfig

log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskHandle(Protocol):
    def cancel(self) -> None: ...


class ScannerPort(Protocol):
    """The QR scanner as the session sees it (``runtime.scan``: kiosk/runtime_scan.py); no scanner = no-ops."""

    def set_enabled(self, enabled: bool) -> None: ...  # returns at once
    def forget(self) -> None: ...
    def test_scan(self, cancel: threading.Event | None = None) -> dict[str, Any]: ...  # blocking: in a task


class SessionRuntime(Protocol):
    """The calls the session makes on the runtime; the blocking ones run inside tasks (``spawn``)."""

    client: "GatewayClient"
    scan: ScannerPort
    overrides: ServiceOverrides | None

    def spawn(self, name: str, fn: Callable[[threading.Event], Any], *, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None], timeout: float) -> TaskHandle: ...
    def watch_cards(self, *, on_checking: Callable[[], Any], on_done: Callable[["AuthSession"], Any],
                    on_error: Callable[[BaseException], Any]) -> TaskHandle: ...
    def set_card_polling(self, enabled: bool) -> None: ...
    def keep_card_polling(self, keep: bool) -> None: ...
    def submit(self, service_id: str, kind: str, fields: dict[str, str],
               token: str | None) -> "SubmissionResult": ...
    def print_document(self, kind: str, data: Any, *, owner: str | None, job_id: str) -> str: ...
    def reprint(self, job_id: str, *, new_job_id: str) -> str: ...
    def discard_jobs(self, owner: str) -> None: ...
    def record_help(self, screen: str) -> None: ...
    def set_voice(self, *, volume: float | None = None, muted: bool | None = None) -> tuple[float, bool] | None: ...
    def verify_pin(self, pin: str, pin_hash: str) -> bool: ...
    def staff_read_card(self, *, cancel: threading.Event | None = None) -> dict[str, str]: ...
    def retry_outbox(self) -> int: ...
    def staff_info(self) -> dict[str, Any]: ...


class _TaskEntry:
    """A running task of this session; ``handle`` is what the runtime returned (has ``cancel()``)."""

    __slots__ = ("handle",)

    def __init__(self) -> None:
        self.handle: TaskHandle | None = None


class SessionCore:
    """The shared part of the session (see the module docstring)."""

    def __init__(self, config: "KioskConfig", runtime: SessionRuntime, *, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = wallclock.utc_now) -> None:
        self.cfg = config
        self.rt = runtime
        self.clock = clock
        self.now = now  # aware instants (naive = terminal-local); shown only through local_now()
        self.zone = wallclock.zone_of(config)
        self.overrides: ServiceOverrides = (getattr(runtime, "overrides", None)
                                            or ServiceOverrides(overrides_path(config)))
        self.listeners: list[Callable[[SessionState], None]] = []
        self.tasks: dict[str, _TaskEntry] = {}
        self.busy_task: str | None = None
        self.token: str | None = None  # the resident's gateway session: memory only, gone at wipe
        self.last_touch = clock()
        self.session_no = 0
        self.version = 0
        self.exit_requested = False  # the app ends cleanly when it sees this (staff exit, ops restart)
        self.state = self.fresh_state()

    # ----- state -------------------------------------------------------------------------------
    def fresh_state(self) -> SessionState:
        term = getattr(self.cfg, "terminal", None)
        lang = getattr(getattr(self.cfg, "language", None), "default", "zh-CN") or "zh-CN"
        devices = self.state.devices if hasattr(self, "state") else DeviceView()
        return SessionState(lang=lang, devices=devices, terminal=TerminalView(
            id=str(getattr(term, "id", "")), name=str(getattr(term, "name", "")),
            location=str(getattr(term, "location", "")), name_en=str(getattr(term, "name_en", "")),
            location_en=str(getattr(term, "location_en", ""))))

    def changed(self) -> None:
        self.version += 1
        self.state.version = self.version
        for listener in list(self.listeners):
            try:
                listener(self.state)
            except Exception:  # a broken screen must not stop the session (idle wipe, tasks) from working
                log.exception("state listener failed")

    def touched(self) -> None:
        """The resident did something: the idle timer starts again."""
        self.last_touch = self.clock()

    def local_now(self) -> datetime:
        """Now in the terminal's zone (cfg.opening_hours.timezone): the one clock for screens and paper."""
        return wallclock.to_local(self.now(), self.zone)

    def owner(self) -> str:
        """Owner of this resident session's print jobs (discarded at wipe)."""
        return f"session-{self.session_no}"

    # ----- tasks -------------------------------------------------------------------------------
    def spawn(self, name: str, fn: Callable[[threading.Event], T], on_done: Callable[[T], None],
              on_error: Callable[[BaseException], None], *, timeout: float, busy: Text | None = None) -> None:
        """Run ``fn(cancel_event)`` on a worker; replies land on the UI thread unless cancelled."""
        self.cancel_task(name)
        entry = _TaskEntry()

        def finished(callback: Callable[[Any], None], value: Any) -> None:
            if self.tasks.get(name) is entry:
                del self.tasks[name]
                if self.busy_task == name:
                    self.end_busy()
                callback(value)

        if busy is not None:
            self.state.busy = busy
            self.busy_task = name
        self.tasks[name] = entry  # registered first: a runtime may answer before spawn() returns
        entry.handle = self.rt.spawn(name, fn, on_done=lambda r: finished(on_done, r),
                                     on_error=lambda exc: finished(on_error, exc), timeout=timeout)
        if self.tasks.get(name) is not entry:  # it did: nothing left to cancel
            entry.handle = None

    def track(self, name: str, *, busy: Text | None = None) -> None:
        """Count work the runtime does for the session outside a task (a card check) as running ``name``."""
        self.tasks[name] = _TaskEntry()
        if busy is not None:
            self.state.busy = busy
            self.busy_task = name

    def settle(self, name: str) -> bool:
        """``name`` has answered: True if it was still wanted (then it is no longer running)."""
        if self.tasks.pop(name, None) is None:
            return False
        if self.busy_task == name:
            self.end_busy()
        return True

    def running(self, name: str) -> bool:
        return name in self.tasks

    def cancel_task(self, name: str) -> None:
        entry = self.tasks.pop(name, None)
        if entry is not None and entry.handle is not None:
            entry.handle.cancel()
        if name == self.busy_task:
            self.busy_task = None
            self.state.busy = None

    def cancel_all_tasks(self) -> None:
        for name in list(self.tasks):
            self.cancel_task(name)
        self.state.busy = None

    def end_busy(self) -> None:
        self.busy_task = None
        self.state.busy = None
        self.last_touch = self.clock()  # a long backend call pauses idle rather than ending the session

    def fire_and_forget(self, name: str, fn: Callable[[threading.Event], Any], *, timeout: float) -> None:
        """A call whose answer nobody waits for (cancelling a QR ticket or a hand-off on the gateway).

        Not a session task, so a wipe does not cancel the cancel; a failure only means the gateway lets the
        ticket expire by itself.
        """
        self.rt.spawn(name, fn, on_done=lambda _r: None,
                      on_error=lambda exc: log.info("%s not delivered: %s", name, type(exc).__name__),
                      timeout=timeout)


def error_text(exc: BaseException, fallback: Text) -> Text:
    """The resident-safe message a typed error carries, or ``fallback``."""
    zh = getattr(exc, "message_zh", None)
    en = getattr(exc, "message_en", None)
    if zh:
        return Text(str(zh), str(en or zh))
    return fallback


def seconds_until(expires_at: datetime | float | None, now: Callable[[], datetime]) -> float:
    """Seconds until ``expires_at`` (datetime, epoch seconds or None → 60 s, the usual ticket life)."""
    if expires_at is None:
        return 60.0
    if isinstance(expires_at, datetime):
        # both through the one clock's rule (aware = an instant, naive = terminal-local)
        return max(0.0, (wallclock.to_local(expires_at) - wallclock.to_local(now())).total_seconds())
    return max(0.0, float(expires_at) - wallclock.to_local(now()).timestamp())
