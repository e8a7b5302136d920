"""Fleet recovery: N headless terminals (real heartbeat loop + real outbox sender, each its own SQLite outbox)
against one gateway simulator through an outage; prints the figures and draws the recovery curve.

    nice -n 0 .venv/bin/python bench/fleet.py --terminals 2000 --workers 4 --scale 3 --mode refused \
        --png docs/fleet_recovery.png

Time is compressed by ``--scale``: the heartbeat interval (60 s), the first wait after a failed beat (10 s),
the outbox backoff (2 s base, 300 s cap), the client's own retry backoff and Retry-After cap, the outage
(``--outage``, 900 s) and the steady window are all divided by it, so the curve keeps its shape; request rates
in the compressed run are ``scale`` times a real fleet's, and the peak / steady ratio does not depend on it.
Outboxes live in /dev/shm (the run measures the network policy, not the disk). The gateway's own throughput
limit is a separate run: bench/fleet_saturate.py.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fleet_procs import gateway_process, terminal_process  # noqa: E402

from kiosk.clock import wall_time  # stamps comparable with the gateway simulator's per-second counts


def ask(conn, *cmd, timeout: float = 120.0):
    conn.send(cmd)
    if not conn.poll(timeout):
        raise TimeoutError(f"no answer to {cmd[0]!r} within {timeout:.0f} s")
    return conn.recv()


def sleep_sampling(seconds: float, loads: list[float]) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(5.0, left))
        loads.append(os.getloadavg()[0])


def figures(series: dict, t_steady: float, t_down: float, t_up: float, t_end: float) -> dict:
    def total(sec: int) -> int:
        return sum(series.get(sec, {}).values())
    steady = [total(s) for s in range(int(t_steady), int(t_down))]
    after = list(range(int(t_up), int(t_end)))
    peak_s = max(after, key=total)
    smooth = [sum(total(s + i) for i in range(5)) / 5 for s in after]
    mean = sum(steady) / len(steady)
    by_kind = {k: sum(series.get(s, {}).get(k, 0) for s in range(int(t_steady), int(t_down))) / len(steady)
               for k in ("heartbeat", "submission")}
    return {"steady_rps": mean, "steady_by_kind": by_kind, "peak_rps": total(peak_s),
            "peak_at_s_after_up": peak_s - t_up, "peak_by_kind": series.get(peak_s, {}),
            "peak_5s_rps": max(smooth), "ratio": total(peak_s) / mean, "ratio_5s": max(smooth) / mean}


def plot(series: dict, t0: float, t_down: float, t_up: float, scale: float, steady: float, png: Path,
         title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    secs = list(range(int(t0), max(series) + 1))
    x = [(s - t0) * scale / 60 for s in secs]  # real-time equivalent, minutes
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    for kind, colour in (("heartbeat", "tab:blue"), ("submission", "tab:orange")):
        ax.plot(x, [series.get(s, {}).get(kind, 0) for s in secs], lw=0.8, color=colour, label=kind)
    ax.plot(x, [sum(series.get(s, {}).values()) for s in secs], lw=0.8, color="black", label="total")
    ax.axvspan((t_down - t0) * scale / 60, (t_up - t0) * scale / 60, color="tab:red", alpha=0.12,
               label="gateway down")
    ax.axhline(steady, color="grey", ls=":", lw=1, label=f"steady {steady:.0f}/s")
    ax.axhline(3 * steady, color="tab:red", ls="--", lw=1, label="3x steady (limit)")
    ax.set_xlabel(f"minutes (real-time equivalent; run compressed {scale:g}x)")
    ax.set_ylabel(f"requests per second of the run (= {scale:g}x a real fleet's)")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", fontsize=8, ncol=3)
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(png)
    plt.close(fig)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--terminals", type=int, default=200)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--scale", type=float, default=3.0, help="time compression factor")
    p.add_argument("--outage", type=float, default=900.0, help="outage length, uncompressed seconds")
    p.add_argument("--steady", type=float, default=240.0, help="steady window before it, uncompressed seconds")
    p.add_argument("--mode", choices=("refused", "503"), default="refused")
    p.add_argument("--retry-after", type=float, default=120.0, help="503 mode: Retry-After, uncompressed seconds")
    p.add_argument("--submit-every", type=float, default=600.0,
                   help="mean uncompressed seconds between two submissions of one terminal")
    p.add_argument("--png", type=Path)
    p.add_argument("--json", type=Path, help="also write the per-second series and the figures here")
    return p.parse_args(argv)


def timeline(args: argparse.Namespace, gw, workers: list, loads: list[float]) -> dict:
    """Boot, steady window, outage, recovery, drain; returns the marks, the series and the delivery report."""
    interval = 60.0 / args.scale
    run: dict = {"t0": wall_time()}
    sleep_sampling(2 * interval, loads)  # boot spread over one interval, then one beat each
    run["t_steady"] = wall_time()
    sleep_sampling(args.steady / args.scale, loads)
    run["retry_after"] = max(1, round(args.retry_after / args.scale))
    run["t_down"] = ask(gw, "down", args.mode, run["retry_after"] if args.mode == "503" else None)
    sleep_sampling(args.outage / args.scale, loads)
    run["t_up"] = ask(gw, "up")
    sleep_sampling((300 + 2 * 60) / args.scale, loads)  # one outbox backoff cap and two beats
    deadline = time.monotonic() + 600 / args.scale
    while sum(ask(c, "status")["depth"] for c in workers) and time.monotonic() < deadline:
        sleep_sampling(1.0, loads)
    run["t_end"] = wall_time()
    for c in workers:
        ask(c, "stop_load")
    deadline = time.monotonic() + 600 / args.scale
    while (status := [ask(c, "status") for c in workers]) and sum(s["depth"] for s in status) \
            and time.monotonic() < deadline:
        time.sleep(0.5)
    run["dead"] = sum(s["dead"] for s in status)
    run["keys"] = [k for c in workers for k in ask(c, "keys")]
    run["series"] = ask(gw, "series")
    run["report"] = ask(gw, "report")
    return run


def show(args: argparse.Namespace, run: dict, loads: list[float]) -> bool:
    """Print the figures (and write the JSON / PNG); True when every target holds."""
    f = figures(run["series"], run["t_steady"], run["t_down"], run["t_up"], run["t_end"])
    queued, applied, report = set(run["keys"]), set(run["report"]["keys"]), run["report"]
    print(f"fleet: {args.terminals} terminals in {args.workers} processes, time compressed {args.scale:g}x "
          f"(heartbeat {60 / args.scale:.1f} s, outage {args.outage / args.scale:.0f} s, mode {args.mode}"
          + (f", Retry-After {run['retry_after']} s" if args.mode == "503" else "") + ")")
    print(f"  steady: {f['steady_rps']:.1f} req/s (heartbeat {f['steady_by_kind']['heartbeat']:.1f}, "
          f"submission {f['steady_by_kind']['submission']:.1f}) = {f['steady_rps'] / args.scale:.1f}/s real-time")
    print(f"  after return: peak {f['peak_rps']} req/s in one second ({f['peak_by_kind']}) "
          f"{f['peak_at_s_after_up']:.0f} s after; peak 5 s mean {f['peak_5s_rps']:.1f}/s")
    print(f"  peak / steady: {f['ratio']:.2f}x (1 s), {f['ratio_5s']:.2f}x (5 s mean) — limit 3x")
    print(f"  submissions: queued {len(queued)}, delivered keys {len(applied)}, max deliveries per key "
          f"{report['max_per_key']}, missing {len(queued - applied)}, unexpected {len(applied - queued)}, "
          f"dead {run['dead']}, attempts {report['attempts']}")
    print(f"  load average during the run: min {min(loads):.1f}, max {max(loads):.1f} (2 cores, shared)")
    if args.json:
        marks = {k: v for k, v in run.items() if k.startswith("t")}
        args.json.write_text(json.dumps({"args": vars(args), "figures": f, **marks, "series": run["series"]},
                                        default=str))
    if args.png:
        plot(run["series"], run["t0"], run["t_down"], run["t_up"], args.scale, f["steady_rps"], args.png,
             f"{args.terminals} terminals, {args.outage / 60:g}-minute outage ({args.mode}); "
             f"peak after return {f['ratio']:.2f}x steady")
        print(f"  curve: {args.png}")
    return f["ratio"] <= 3 and report["max_per_key"] <= 1 and queued == applied and run["dead"] == 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    ids = [f"SH-FL-T{i:05d}" for i in range(args.terminals)]
    ctx = mp.get_context("fork")
    outbox_dir = Path(tempfile.mkdtemp(prefix="fleet-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    loads = [os.getloadavg()[0]]
    gw, gw_child = ctx.Pipe()
    procs = [ctx.Process(target=gateway_process, args=(gw_child, ids), daemon=True)]
    procs[0].start()
    base_url = gw.recv()
    workers = []
    for w in range(args.workers):
        parent, child = ctx.Pipe()
        procs.append(ctx.Process(target=terminal_process, daemon=True, args=(
            child, ids[w::args.workers], base_url, args.scale, str(outbox_dir), args.submit_every, 1000 + w)))
        procs[-1].start()
        workers.append(parent)
    try:
        run = timeline(args, gw, workers, loads)
    finally:
        for c in workers:
            ask(c, "close", timeout=300)
        ask(gw, "stop")
        for proc in procs:
            proc.join(10)
        shutil.rmtree(outbox_dir, ignore_errors=True)
    return 0 if show(args, run, loads) else 1


if __name__ == "__main__":
    sys.exit(main())
