"""The outage test: 1,000 submissions queued while the gateway fails and then is down, the sender process
killed with SIGKILL twice during delivery, then the gateway comes back — every submission is delivered
exactly once (the simulator counts deliveries per Idempotency-Key and per reference) and none is lost.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from backend_support import CA, REPO, TERMINAL

from kiosk.backend.outbox import Outbox
from kiosk.backend.simulator.server import DEV_SECRET_FILE, GatewaySimulator
from kiosk.backend.submissions import make_reference
from kiosk.clock import wall_time

N = 1000


def start_sender(db, sim: GatewaySimulator, log_path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "kiosk.backend.sender_main", "--db", str(db), "--base-url", sim.base_url,
           "--ca", str(CA), "--secret-file", str(DEV_SECRET_FILE), "--terminal-id", TERMINAL,
           "--backoff-base", "0.05", "--backoff-cap", "0.4", "--concurrency", "4", "--read-timeout", "5"]
    with open(log_path, "ab") as log:
        return subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=log)


def wait_until(pred, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL


@pytest.mark.slow
def test_outage_then_recovery_delivers_each_submission_exactly_once(tmp_path):
    sim = GatewaySimulator(port=0).start()
    db = tmp_path / "outbox.sqlite3"
    log = tmp_path / "sender.log"
    ob = Outbox(db)
    procs: list[subprocess.Popen] = []
    try:
        sim.inject("status", times=None, status=503)  # the gateway is failing
        refs = set()
        for i in range(N):
            ref = make_reference(TERMINAL, wall_time())
            ob.enqueue(reference=ref, idempotency_key=f"outage-{i:08d}-{ref}", service_id="hotline-12345",
                       kind="12345", fields={"phone": "13812345678", "content": f"诉求 {i}"}, token=None)
            refs.add(ref)
        assert len(refs) == N and ob.counts()["pending"] == N

        procs.append(start_sender(db, sim, log))
        time.sleep(1.0)  # the sender keeps failing with 503s and backs off
        assert sim.counts()["deliveries"] == 0
        sim.stop()  # then the gateway is down entirely: connections refused
        time.sleep(0.8)
        assert ob.counts()["done"] == 0

        sim.clear_faults()
        sim.inject("slow", times=None, delay_s=0.01)  # back, at a realistic pace
        sim.start()
        left_in_flight = []
        for threshold in (250, 600):
            wait_until(lambda: sim.counts()["deliveries"] >= threshold and ob.counts()["in_flight"] > 0, 30,
                       f"{threshold} deliveries with rows in flight")
            kill9(procs[-1])
            left_in_flight.append(ob.counts()["in_flight"])
            procs.append(start_sender(db, sim, log))  # restart: it resumes the rows left in flight

        wait_until(lambda: ob.depth() == 0, 40, "the outbox to drain")
        counts = ob.counts()
        sim_counts = sim.counts()
        assert counts == {"pending": 0, "in_flight": 0, "done": N, "dead": 0}
        assert sim_counts["deliveries"] == N and sim_counts["keys"] == N
        assert set(sim.deliveries_by_reference) == refs
        assert set(sim.deliveries_by_key.values()) == {1}
        assert set(sim.deliveries_by_reference.values()) == {1}
        print(f"left in flight by the kills: {left_in_flight}; gateway saw {sim_counts['attempts']} attempts")
        assert sum(left_in_flight) > 0  # the kills did interrupt deliveries; the resume path was exercised
        assert sim_counts["attempts"] >= N
        assert all(r.fields is None and r.token is None for r in ob.list(limit=N))
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=15)
        ob.close()
        sim.stop()
