"""Test doubles for the session: a fake runtime whose tasks the test finishes by hand, and a fake clock.

The fake never runs the task functions: a test decides what each backend/device call returns and when,
which is what makes races (QR vs card) and cancellation deterministic. The real runtime is tested against
the simulators in tests/unit/test_runtime*.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kiosk import clock as wallclock
from kiosk.config.loader import load_config
from kiosk.session.controller import SessionController
from kiosk.session.state import DeviceView
from kiosk.staff import ServiceOverrides

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class FakeTask:
    name: str
    fn: Any
    on_done: Any
    on_error: Any
    timeout: float
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeCard:
    name: str = "张三"
    id_number: str = "310101199001011234"
    wiped: bool = False

    def wipe(self) -> None:
        self.wiped = True
        self.name = ""
        self.id_number = ""

    def masked(self) -> dict:
        return {"name": self.name[:1] + "*"}


@dataclass
class FakeWatch:
    rt: Any
    on_checking: Any
    on_done: Any
    on_error: Any
    cancelled: bool = False
    checks: list = field(default_factory=list)

    def cancel(self) -> None:
        self.cancelled = True
        for task in self.checks:  # a check in flight is aborted and its card wiped
            task.cancelled = True
            task.card.wipe()
        if self.rt.watch is self:
            self.rt.watch = None
            self.rt.polling.append(self.rt.keep)


@dataclass
class FakeScanner:
    """``runtime.scan``: what the session told the scanner (reading on/off, forget at wipe)."""

    enabled: list[bool] = field(default_factory=list)
    forgotten: int = 0

    def set_enabled(self, enabled: bool) -> None:
        self.enabled.append(enabled)

    def forget(self) -> None:
        self.forgotten += 1

    def test_scan(self, cancel=None):
        raise AssertionError("runs as a task: the test finishes 'staff_scan' by hand")


@dataclass
class FakeRuntime:
    tasks: list[FakeTask] = field(default_factory=list)
    polling: list[bool] = field(default_factory=list)
    printed: list[tuple[str, Any, str]] = field(default_factory=list)
    discarded: list[str] = field(default_factory=list)
    help: list[str] = field(default_factory=list)
    overrides: ServiceOverrides = field(default_factory=lambda: ServiceOverrides(None))
    client: Any = None
    print_error: Exception | None = None
    auto_print: bool = True
    watch: Any = None
    keep: bool = False  # keep_card_polling
    jobs: list[tuple[str, str]] = field(default_factory=list)
    scan: Any = field(default_factory=lambda: FakeScanner())
    voice: tuple[float, bool] | None = None

    def spawn(self, name, fn, *, on_done, on_error, timeout):
        task = FakeTask(name, fn, on_done, on_error, timeout)
        self.tasks.append(task)
        if name.startswith("print-") and self.auto_print:  # printing tasks run at once unless a test holds them
            task.ended = True
            try:
                job = fn(None)
            except Exception as exc:
                on_error(exc)
            else:
                on_done(job)
        return task

    def pending(self, name: str) -> FakeTask:
        live = [t for t in self.tasks if t.name == name and not t.cancelled and not getattr(t, "ended", False)]
        assert live, f"no pending task {name!r}; tasks: {[(t.name, t.cancelled) for t in self.tasks]}"
        return live[-1]

    def has_pending(self, name: str) -> bool:
        return any(t.name == name and not t.cancelled and not getattr(t, "ended", False) for t in self.tasks)

    def finish(self, name: str, value: Any = None) -> None:
        task = self.pending(name)
        task.ended = True
        task.on_done(value)

    def fail(self, name: str, exc: BaseException) -> None:
        task = self.pending(name)
        task.ended = True
        task.on_error(exc)

    def set_card_polling(self, enabled: bool) -> None:
        self.polling.append(enabled)

    def keep_card_polling(self, keep: bool) -> None:
        self.keep = keep
        self.polling.append(keep or self.watch is not None)

    def watch_cards(self, *, on_checking, on_done, on_error):
        """Like kiosk.runtime_cards.CardChecker: polling on until the watch is cancelled."""
        watch = FakeWatch(self, on_checking, on_done, on_error)
        self.watch = watch
        self.polling.append(True)
        return watch

    def place_card(self, card=None):
        """The reader's worker read ``card``: an "auth" task the test finishes; the card is wiped at its end.

        With no live watch the card is wiped at once (nobody asked for it), as the real checker does.
        """
        card = card if card is not None else FakeCard()
        watch = self.watch
        if watch is None or watch.cancelled:
            card.wipe()
            return card
        watch.on_checking()

        def ended(callback):
            def call(value):
                card.wipe()
                if not watch.cancelled:
                    callback(value)
            return call
        task = FakeTask("auth", lambda cancel: None, ended(watch.on_done), ended(watch.on_error), 20.0)
        task.card = card
        watch.checks.append(task)
        self.tasks.append(task)
        return card

    @property
    def printed_jobs(self) -> list[str]:
        return [job for job, _ in self.jobs]

    def print_document(self, kind, data, *, owner, job_id):
        if self.print_error is not None:
            raise self.print_error
        self.printed.append((kind, data, owner))
        self.jobs.append((job_id, kind))
        return job_id

    def reprint(self, job_id, *, new_job_id):
        self.printed.append(("reprint", job_id, ""))
        self.jobs.append((new_job_id, "reprint"))
        return new_job_id

    def discard_jobs(self, owner):
        self.discarded.append(owner)

    def record_help(self, screen):
        self.help.append(screen)


    def set_voice(self, *, volume=None, muted=None):
        """Like Runtime.set_voice: None without a voice (``self.voice`` unset), else (volume, muted)."""
        if self.voice is None:
            return None
        self.voice = (self.voice[0] if volume is None else volume, self.voice[1] if muted is None else muted)
        return self.voice


def all_ready() -> DeviceView:
    return DeviceView(printer="online", idcard="online", backend="online", paper="full", printer_ready=True,
                      reader_online=True, backend_ok=True)


#: the sessions' wall clock in these tests (terminal-local); gateway expiry times are counted from it, never
#: from the real date, so a ticket's life does not depend on the day the suite runs
SESSION_NOW = datetime(2026, 11, 27, 10, 0)


def make(config=None, *, now=None):
    cfg = config or load_config(CONFIG_DIR)
    clock = FakeClock()
    rt = FakeRuntime()
    ctl = SessionController(cfg, rt, clock=clock, now=now or (lambda: SESSION_NOW))
    ctl.on_devices(all_ready())
    return ctl, rt, clock


def expiry(seconds: float, now: datetime | None = None) -> datetime:
    """An aware gateway expiry ``seconds`` after ``now`` (a session's now; default :data:`SESSION_NOW`)."""
    return wallclock.to_local(now or SESSION_NOW).astimezone(timezone.utc) + timedelta(seconds=seconds)


def qr_ticket(ttl: float = 60.0, interval: float = 2.0, now: datetime | None = None):
    return SimpleNamespace(id="T1", qr_url="https://gw/qr/T1", interval_s=interval, expires_at=expiry(ttl, now))


def auth(name: str = "王*明", now: datetime | None = None):
    return SimpleNamespace(token="tok-secret", display_name=name, expires_at=expiry(600, now))


def identify_by_card(ctl, rt, service: str | None = None):
    """attract → identify → card read → auth → menu (or the pending service)."""
    if service:
        ctl.choose_service(service)
    else:
        ctl.start_identify()
    rt.finish("qr_create", qr_ticket(now=ctl.core.now()))
    card = rt.place_card()
    rt.finish("auth", auth(now=ctl.core.now()))
    return card


def handoff(hid: str = "ho_T1", ttl: float = 600.0, interval: float = 2.0, now: datetime | None = None):
    return SimpleNamespace(id=hid, url=f"https://m.gw/h/{hid}", interval_s=interval, expires_at=expiry(ttl, now))


def handoff_state(state: str = "submitted", length: int | None = 12, interval: float = 2.0):
    return SimpleNamespace(state=state, interval_s=interval, text_length=length if state == "submitted" else None)


def phone_fills(ctl, rt, clock, field: str = "description", length: int = 12, hid: str = "ho_T1"):
    """The hand-off of ``field`` is created, the resident types ``length`` characters on the phone, a poll sees it."""
    rt.finish(f"handoff:{field}", handoff(hid, now=ctl.core.now()))
    clock.advance(2.1)
    ctl.tick()
    rt.finish(f"handoff_poll:{field}", handoff_state("submitted", length))


def enter_staff(ctl, bridge, pin: str = "246810") -> None:
    """Hidden corner, the dev config's PIN, then wait (pumping ``bridge``) for the staff screen."""
    for _ in range(5):
        ctl.staff_corner_tap()
    for d in pin:
        ctl.staff_pin_digit(d)
    ctl.staff_pin_submit()
    assert bridge.pump_until(lambda: ctl.state.screen == "staff", 10)
