"""The outbox's retry schedule runs on monotonic time: an NTP step of hours, forward or back, neither stalls
delivery nor floods the gateway; a reboot (monotonic time restarts) never parks a row; ``submitted_at``
carries the terminal zone's offset, not a hard-coded +08:00."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from test_backend_outbox import ScriptedGateway, put

from kiosk.backend import errors as E
from kiosk.backend.outbox import Outbox
from kiosk.backend.sender import OutboxSender

HOUR = 3600.0


class Clocks:
    """A wall clock and a monotonic clock that tests move separately (an NTP step moves only the wall)."""

    def __init__(self) -> None:
        self.wall_t = 1_795_800_000.0
        self.mono_t = 50_000.0

    def wall(self) -> float:
        return self.wall_t

    def mono(self) -> float:
        return self.mono_t

    def elapse(self, seconds: float) -> None:
        self.wall_t += seconds
        self.mono_t += seconds


@pytest.fixture
def clocks():
    return Clocks()


@pytest.fixture
def outbox(tmp_path, clocks):
    ob = Outbox(tmp_path / "o.sqlite3", clock=clocks.wall, mono=clocks.mono)
    yield ob
    ob.close()


def failing_then_ok(n_fail: int) -> ScriptedGateway:
    return ScriptedGateway(*[E.ServerError("down", status=503)] * n_fail)


def backed_off_rows(outbox, n: int = 5) -> tuple[list[int], ScriptedGateway, OutboxSender]:
    """``n`` rows that each failed once and now wait 10 s (base 20, no jitter) for their retry."""
    ids = put(outbox, n)
    gw = failing_then_ok(n)
    sender = OutboxSender(outbox, gw, backoff_base=20.0, backoff_cap=300.0, rand=lambda: 0.0, concurrency=1)
    assert sender.deliver_once() == n and len(gw.calls) == n
    assert outbox.counts()["pending"] == n
    return ids, gw, sender


def test_clock_stepped_back_hours_does_not_stall_retries(outbox, clocks):
    ids, gw, sender = backed_off_rows(outbox)
    clocks.wall_t -= 6 * HOUR  # NTP steps the wall clock back six hours
    clocks.elapse(9.0)
    assert sender.deliver_once() == 0  # still backing off: 1 s left
    clocks.elapse(1.0)
    assert sender.deliver_once() == 5  # due on time, not six hours later
    assert outbox.counts()["done"] == 5 and len(gw.calls) == 10


def test_clock_stepped_forward_hours_does_not_flood_the_gateway(outbox, clocks):
    ids, gw, sender = backed_off_rows(outbox)
    clocks.wall_t += 6 * HOUR  # NTP steps the wall clock forward six hours
    assert sender.deliver_once() == 0  # the backoff still holds: nobody is re-sent early
    assert len(gw.calls) == 5
    clocks.elapse(10.0)
    assert sender.deliver_once() == 5 and outbox.counts()["done"] == 5


def test_the_sender_idle_wait_follows_monotonic_time(outbox, clocks):
    backed_off_rows(outbox, 1)
    clocks.wall_t -= 6 * HOUR
    assert outbox.next_due_at() - outbox.mono() == pytest.approx(10.0)
    # staff see the next attempt as a wall time: ten seconds after the (stepped) wall clock
    assert outbox.due_wall(outbox.list()[0]) == pytest.approx(clocks.wall_t + 10.0)


def test_a_reboot_never_parks_a_row(tmp_path, clocks):
    path = tmp_path / "o.sqlite3"
    ob = Outbox(path, clock=clocks.wall, mono=clocks.mono)
    backed_off_rows(ob, 2)
    ob.close()
    clocks.mono_t = 12.0  # the machine rebooted: monotonic time starts again near zero
    clocks.wall_t += 120.0
    ob = Outbox(path, clock=clocks.wall, mono=clocks.mono)
    ob.recover()
    try:
        assert [r.id for r in ob.claim(10)] == [1, 2]  # due now, not in 50,000 s
    finally:
        ob.close()


def test_recover_keeps_a_legitimate_backoff(outbox, clocks):
    backed_off_rows(outbox, 1)
    outbox.recover()  # a restart of the sender alone (same boot)
    assert outbox.claim(10) == []  # the 10 s backoff still holds
    clocks.elapse(10.0)
    assert len(outbox.claim(10)) == 1


@pytest.mark.parametrize("zone, offset", [("Asia/Shanghai", "+08:00"), ("America/Los_Angeles", "-08:00"),
                                          ("UTC", "+00:00")])
def test_submitted_at_carries_the_terminal_zone_offset(outbox, clocks, zone, offset):
    put(outbox, 1)
    gw = ScriptedGateway()
    OutboxSender(outbox, gw, concurrency=1, tz=ZoneInfo(zone)).deliver_once()
    sent = gw.calls[0]["submitted_at"]
    assert sent.endswith(offset)
    assert datetime.fromisoformat(sent).timestamp() == clocks.wall_t  # the same instant in any zone
