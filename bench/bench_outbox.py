"""Outbox benchmark: durable enqueue latency (p50/p99) and delivery throughput after an outage.

    .venv/bin/python bench/bench_outbox.py [--n 2000] [--backlog 2000] [--concurrency 4] [--dir DIR]

Enqueue: each ``Outbox.enqueue`` is one committed, fsynced (WAL, synchronous=FULL) transaction on the disk
under ``--dir`` (default: a temp dir under the repo's var/, i.e. the real disk, not tmpfs). Throughput: a
backlog queued while the gateway simulator is stopped, then the simulator starts and an OutboxSender drains
it over HTTPS on loopback; figures are the wall time from the gateway's return to an empty outbox.
Targets: enqueue p99 < 10 ms; ≥ 200 submissions/s after an outage. Also prints what sealing the payload
(AES-256-GCM, issue 13) costs per submission, next to the fsync that dominates an enqueue.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kiosk.backend.client import GatewayClient  # noqa: E402
from kiosk.backend.outbox import Outbox  # noqa: E402
from kiosk.backend.sender import OutboxSender  # noqa: E402
from kiosk.backend.signing import load_secret  # noqa: E402
from kiosk.backend.simulator.server import DEV_SECRET_FILE, DEV_TLS, GatewaySimulator  # noqa: E402
from kiosk.backend.submissions import make_reference  # noqa: E402
from kiosk.clock import wall_time  # noqa: E402

TERMINAL = "SH-JA-NJXL-01"
FIELDS = {"phone": "13812345678", "category": "市容环境", "content": "小区门口路灯不亮，已持续三天，请尽快维修。"}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_enqueue(ob: Outbox, n: int) -> list[float]:
    lat = []
    for i in range(n):
        ref = make_reference(TERMINAL, wall_time())
        t0 = time.perf_counter()
        ob.enqueue(reference=ref, idempotency_key=f"bench-{i:08d}-{ref}", service_id="hotline-12345",
                   kind="12345", fields=FIELDS, token=None)
        lat.append((time.perf_counter() - t0) * 1000)
    return lat


def bench_fsync(directory: Path, n: int = 500) -> list[float]:
    """The disk's floor: one 4 KiB write + fdatasync, the minimum a durable commit costs."""
    import os
    lat = []
    path = directory / "fsync.probe"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        for i in range(n):
            t0 = time.perf_counter()
            os.pwrite(fd, b"x" * 4096, (i % 64) * 4096)
            os.fdatasync(fd)
            lat.append((time.perf_counter() - t0) * 1000)
    finally:
        os.close(fd)
        path.unlink()
    return lat


def bench_sealing(n: int = 20_000) -> float:
    """Microseconds to seal and open one typical payload (AES-256-GCM, kiosk/backend/sealing.py)."""
    from kiosk.backend.sealing import PayloadSealer

    sealer = PayloadSealer(bytes(range(32)))
    payload = {"fields": {"phone": "13812345678", "content": "路灯不亮" * 100}, "token": "t" * 43}
    t0 = time.perf_counter()
    for _ in range(n):
        sealer.open(sealer.seal(payload, "key-0123456789abcdef"), "key-0123456789abcdef")
    return (time.perf_counter() - t0) / n * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="enqueues to time")
    ap.add_argument("--backlog", type=int, default=2000, help="submissions queued during the outage")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--dir", default=None, help="where the outbox file goes (default: under var/)")
    args = ap.parse_args()
    base = Path(args.dir) if args.dir else REPO / "var"
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-outbox-", dir=base) as tmp:
        floor = bench_fsync(Path(tmp))
        print(f"disk floor (4 KiB write + fdatasync, 500×): p50 {pct(floor, 50):.2f} ms   p99 {pct(floor, 99):.2f} ms")
        print(f"payload sealing (seal + open, 400-character text): {bench_sealing():.1f} µs per submission")
        ob = Outbox(Path(tmp) / "outbox.sqlite3")
        lat = bench_enqueue(ob, args.n)
        print(f"durable enqueue (WAL, synchronous=FULL, {args.n} rows, file on {base}):")
        print(f"  p50 {pct(lat, 50):.2f} ms   p99 {pct(lat, 99):.2f} ms   max {max(lat):.2f} ms   "
              f"mean {statistics.mean(lat):.2f} ms   target p99 < 10 ms: {'OK' if pct(lat, 99) < 10 else 'MISSED'}")
        ob.close()

        ob = Outbox(Path(tmp) / "backlog.sqlite3")
        sim = GatewaySimulator(port=0).start()
        url = sim.base_url
        sim.stop()  # outage: the backlog builds up while the gateway is unreachable
        bench_enqueue(ob, args.backlog)
        client = GatewayClient(url, terminal_id=TERMINAL, secret=load_secret(DEV_SECRET_FILE),
                               ca_bundle=DEV_TLS / "ca.pem", retries=0)
        sender = OutboxSender(ob, client, concurrency=args.concurrency, backoff_base=0.05, backoff_cap=0.5,
                              idle_wait_s=0.05).start()
        time.sleep(0.5)  # the sender fails against the dead gateway and backs off
        failed_rows = sum(1 for r in ob.list(("pending",), limit=args.backlog) if r.attempts > 0)
        sim.start()
        t0 = time.perf_counter()
        sender.wake()
        while ob.depth():
            time.sleep(0.01)
        elapsed = time.perf_counter() - t0
        sender.stop()
        c = sim.counts()
        rate = args.backlog / elapsed
        print(f"delivery after an outage ({args.backlog} queued, {failed_rows} had already failed, "
              f"concurrency {args.concurrency}, HTTPS loopback simulator):")
        print(f"  {elapsed:.2f} s → {rate:.0f} submissions/s   delivered {c['deliveries']} "
              f"(max per key {c['max_deliveries_per_key']})   target ≥ 200/s: {'OK' if rate >= 200 else 'MISSED'}")
        sim.stop()
        client.close()
        ob.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
