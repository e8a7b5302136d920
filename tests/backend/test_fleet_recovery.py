"""A small fleet through short outages: 20 headless terminals (real heartbeat loop, real outbox sender, each
its own outbox) against one FleetGateway. Every queued submission is delivered exactly once, and while the
gateway answers 503 with Retry-After nobody — heartbeat or submission, in the outbox or in the client's own
retries — asks again sooner than it was told. (Rates and peaks are bench/fleet.py's business, not a test's.)
"""
from __future__ import annotations

import time
from collections import defaultdict

import pytest
from backend_support import CA, SECRET

from kiosk.backend.simulator.fleet import FleetGateway
from kiosk_dev.fleet import HeadlessTerminal, Timing

N = 20
RETRY_AFTER = 1
# time compressed about 100x (heartbeat 0.5 s); the client may wait out a Retry-After of up to 5 s itself
TIMING = Timing(heartbeat_interval_s=0.5, down_base_s=0.1, backoff_base_s=0.05, backoff_cap_s=1.5, idle_wait_s=0.2,
                client_backoff_s=0.01, client_backoff_max_s=0.05, client_retry_after_max_s=5.0)


def wait_until(pred, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def fleet(tmp_path):
    sim = FleetGateway(port=0, log_requests=True).start()
    ids = [f"SH-FL-T{i:04d}" for i in range(N)]
    sim.register(ids)
    terminals = [HeadlessTerminal(tid, sim.base_url, tmp_path, secret=SECRET, ca_bundle=CA, timing=TIMING,
                                  read_timeout_s=5.0) for tid in ids]
    for t in terminals:
        t.start()
    yield sim, terminals
    for t in terminals:
        t.close()
    sim.stop()


def gaps_after_503(log, t_down: float, t_up: float, key_of) -> list[float]:
    """Time from each request answered 503 to the next request of the same heartbeat loop / outbox row."""
    by = defaultdict(list)
    for at, kind, terminal, key in log:
        ident = key_of(kind, terminal, key)
        if ident is not None:
            by[ident].append(at)
    return [b - a for times in by.values() for a, b in zip(times, times[1:]) if t_down <= a < t_up - 0.05]


@pytest.mark.slow
def test_fleet_outages_deliver_every_submission_once_and_honour_retry_after(fleet):
    sim, terminals = fleet
    keys = [t.submit(time.time()) for t in terminals]
    wait_until(lambda: all(t.depth() == 0 for t in terminals), 30, "delivery before the outage")

    sim.down("503", retry_after=RETRY_AFTER)
    t_down = time.time()
    keys += [t.submit(time.time()) for t in terminals for _ in range(2)]
    time.sleep(3.0)  # long enough for every loop and row to be told 503 more than once
    t_up = time.time()
    sim.up()
    wait_until(lambda: all(t.depth() == 0 for t in terminals), 30, "delivery after the 503 outage")

    sim.down("refused")
    keys += [t.submit(time.time()) for t in terminals]
    time.sleep(1.0)
    sim.up()
    wait_until(lambda: all(t.depth() == 0 for t in terminals), 30, "delivery after the refused outage")

    report = sim.delivery_report()
    assert report["keys"] == set(keys) and len(keys) == 4 * N
    assert report["max_per_key"] == 1
    assert sum(t.dead() for t in terminals) == 0

    log = list(sim.request_log)
    beats = gaps_after_503(log, t_down, t_up, lambda kind, terminal, key: terminal if kind == "heartbeat" else None)
    rows = gaps_after_503(log, t_down, t_up, lambda kind, terminal, key: key if kind == "submission" else None)
    assert len(beats) >= N and len(rows) >= 2 * N  # every loop and every row was refused and asked again
    assert min(beats) >= RETRY_AFTER - 0.02, sorted(beats)[:5]
    assert min(rows) >= RETRY_AFTER - 0.02, sorted(rows)[:5]
