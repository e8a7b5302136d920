"""The gateway simulator's own throughput limit: closed-loop clients post heartbeats as fast as it answers.

    .venv/bin/python bench/fleet_saturate.py --processes 2 --levels 2,8,32 --seconds 20

Each level runs ``level`` client threads (spread over ``--processes`` processes, each thread its own signed
GatewayClient on a kept-alive TLS connection, no retries) for ``--seconds``; the simulator (its own process)
counts what it served per second. The limit is where more concurrency stops adding requests per second.
On a shared 2-core machine the clients compete with the simulator for CPU: the figure is a lower bound.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fleet_procs import CA, gateway_process  # noqa: E402

from kiosk.clock import wall_time  # stamps comparable with the gateway simulator's per-second counts


def client_process(base_url: str, ids: list[str], seconds: float, out) -> None:
    logging.basicConfig(level=logging.CRITICAL)
    from kiosk.backend.client import GatewayClient
    from kiosk.backend.errors import BackendError
    from kiosk.backend.signing import load_secret
    from kiosk.backend.simulator.server import DEV_SECRET_FILE

    secret = load_secret(DEV_SECRET_FILE)
    errors = [0]
    end = time.monotonic() + seconds

    def run(tid: str) -> None:
        with GatewayClient(base_url, terminal_id=tid, secret=secret, ca_bundle=CA, retries=0) as client:
            while time.monotonic() < end:
                try:
                    client.heartbeat({"app_version": "bench", "uptime_s": 1.0})
                except BackendError:
                    errors[0] += 1
    threads = [threading.Thread(target=run, args=(tid,)) for tid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.send(errors[0])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--levels", default="2,8,32")
    p.add_argument("--seconds", type=float, default=20.0)
    args = p.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    ids = [f"SH-FL-S{i:04d}" for i in range(max(levels))]
    ctx = mp.get_context("fork")
    gw, child = ctx.Pipe()
    gproc = ctx.Process(target=gateway_process, args=(child, ids), daemon=True)
    gproc.start()
    base_url = gw.recv()
    print(f"gateway simulator throughput (heartbeats, TLS keep-alive), load average {os.getloadavg()[0]:.1f}:")
    try:
        for level in levels:
            t0 = wall_time()
            pipes, procs = [], []
            for w in range(args.processes):
                mine = ids[:level][w::args.processes]
                if not mine:
                    continue
                parent, c = ctx.Pipe()
                procs.append(ctx.Process(target=client_process, args=(base_url, mine, args.seconds, c)))
                procs[-1].start()
                pipes.append(parent)
            errors = sum(pp.recv() for pp in pipes)
            for pr in procs:
                pr.join(10)
            gw.send(("series",))
            series = gw.recv()
            # the middle of the window: connections are set up and nobody has stopped yet
            window = [sum(series.get(s, {}).values()) for s in range(int(t0) + 3, int(t0 + args.seconds) - 1)]
            rate = sum(window) / max(1, len(window))
            print(f"  {level:3d} concurrent clients: {rate:6.1f} req/s served (max 1 s {max(window, default=0)}), "
                  f"{errors} errors, load {os.getloadavg()[0]:.1f}")
    finally:
        gw.send(("stop",))
        gproc.join(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
