"""The processes of bench/fleet.py: one gateway simulator process, several terminal worker processes.

Each is driven over a multiprocessing pipe with small tuples, so the orchestrator never shares a GIL with the
gateway or with the terminals it measures.
"""
from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from pathlib import Path

from kiosk.clock import wall_time  # stamps comparable with the gateway simulator's per-second counts

REPO = Path(__file__).resolve().parents[1]
CA = REPO / "config" / "dev-tls" / "ca.pem"


def gateway_process(conn, ids: list[str]) -> None:
    """Serve a FleetGateway; commands: ("down", mode, retry_after), ("up",), ("series",), ("report",), ("stop",)."""
    logging.basicConfig(level=logging.ERROR)
    from kiosk.backend.simulator.fleet import FleetGateway

    sim = FleetGateway(port=0)
    sim.register(ids)
    sim.start()
    conn.send(sim.base_url)
    while True:
        cmd = conn.recv()
        if cmd[0] == "down":
            sim.down(cmd[1], retry_after=cmd[2])
            conn.send(wall_time())
        elif cmd[0] == "up":
            sim.up()
            conn.send(wall_time())
        elif cmd[0] == "series":
            conn.send(sim.series())
        elif cmd[0] == "report":
            report = sim.delivery_report()
            report["keys"] = sorted(report["keys"])
            conn.send(report)
        elif cmd[0] == "stop":
            sim.stop()
            conn.send("stopped")
            return


def terminal_process(conn, ids: list[str], base_url: str, scale: float, outbox_dir: str, submit_every_s: float,
                     seed: int) -> None:
    """Run ``ids`` as headless terminals. They boot at random moments within one heartbeat interval (a
    district's terminals never start in the same second); submissions arrive as a Poisson stream, on
    average one per terminal every ``submit_every_s`` (uncompressed) seconds, while the gateway is up or down.
    Commands: ("status",), ("stop_load",), ("keys",), ("close",)."""
    logging.basicConfig(level=logging.CRITICAL)  # 2,000 terminals each logging its outage says nothing new
    from kiosk.backend.signing import load_secret
    from kiosk.backend.simulator.server import DEV_SECRET_FILE
    from kiosk_dev.fleet import HeadlessTerminal, Timing

    # The sender's idle wait only matters when nothing is queued (an enqueue wakes the sender, a queued row
    # sets its own wait), so the fleet run stretches it: 2,000 idle senders polling SQLite every 5/scale s
    # cost this shared machine CPU without changing a single request.
    timing = dataclasses.replace(Timing.compressed(scale), idle_wait_s=30.0)
    secret = load_secret(DEV_SECRET_FILE)
    rng = random.Random(seed)
    started: list[HeadlessTerminal] = []
    stop_load = threading.Event()
    closing = threading.Event()

    def boot() -> None:
        t0 = time.monotonic()
        for offset, tid in sorted((rng.uniform(0, timing.heartbeat_interval_s), tid) for tid in ids):
            if closing.wait(max(0.0, t0 + offset - time.monotonic())):
                return
            started.append(HeadlessTerminal(tid, base_url, Path(outbox_dir), secret=secret, ca_bundle=CA,
                                            timing=timing).start())

    def load() -> None:
        rate = len(ids) * scale / submit_every_s
        while not stop_load.wait(rng.expovariate(rate)):
            if started:
                rng.choice(started).submit(wall_time())

    threads = [threading.Thread(target=boot, daemon=True), threading.Thread(target=load, daemon=True)]
    for t in threads:
        t.start()
    while True:
        cmd = conn.recv()
        if cmd[0] == "status":
            conn.send({"started": len(started), "depth": sum(t.depth() for t in started),
                       "dead": sum(t.dead() for t in started), "enqueued": sum(len(t.keys) for t in started)})
        elif cmd[0] == "stop_load":
            stop_load.set()
            conn.send("ok")
        elif cmd[0] == "keys":
            conn.send([k for t in started for k in t.keys])
        elif cmd[0] == "close":
            stop_load.set()
            closing.set()
            for t in list(started):
                t.close()
            conn.send("closed")
            return
