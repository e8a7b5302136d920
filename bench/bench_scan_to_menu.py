"""随申码 shown to the scanner → menu drawn, end to end, in the real app (SDL offscreen + Mesa llvmpipe, no GPU).

Each scan: a fresh 随申码 is issued by the gateway simulator (not timed); after a random pause within one
read cycle of the driver, the scanner simulator sends it (paced at 9600 baud unless ``--no-pace``: a 48-byte
code plus CR is ~51 ms of wire time); the time runs until the frame showing the menu has been flipped and
finished (glFinish). In between: the driver's read and framing, the de-dup, the bridge to the UI thread, the
session's ``auth_ssm`` task over TLS on loopback (signed request, gateway check), the session and the UI
thread drawing the menu (the line also gives the part up to the session deciding "menu"). Then the session ends and the app goes back to the attract screen (which takes scans).

Usage: .venv/bin/python bench/bench_scan_to_menu.py [--scans 200] [--no-pace]
Prints figures, asserts nothing (docs/PERFORMANCE.md, docs/scanner.md).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from app_bench import AppBench  # noqa: E402
from bench_ui import percentile  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scans", type=int, default=200)
    ap.add_argument("--no-pace", action="store_true", help="scanner simulator sends without wire time")
    ap.add_argument("--config", default=str(REPO / "config"))
    args = ap.parse_args()

    def pacing(stack: object) -> None:
        stack.scanner.pace = not args.no_pace  # type: ignore[attr-defined]

    with AppBench(args.config, "bench-scan-", tune=pacing) as b:
        from kiosk_dev import uidriver as ui

        ctl, routes, sim = b.controller, b.stack.gateway.routes.scan, b.stack.scanner
        ui.wait_until(lambda: ctl.state.devices.scanner == "online" and ctl.state.devices.backend_ok,
                      timeout=15, what="scanner and gateway online")
        ui.wait_screen("attract")
        cycle = b.runtime.scan.scanner.read_timeout
        rng = random.Random(17)
        took: list[float] = []
        decided: list[float] = []  # scan → the session's state says "menu" (before any drawing)
        menu_at: list[float] = []
        ctl.subscribe(lambda st: st.screen == "menu" and not menu_at and menu_at.append(time.perf_counter()))
        size = 0
        for n in range(args.scans):
            code = routes.ssm_issue()
            size = len(code)
            b.idle_until(time.perf_counter() + rng.uniform(0, cycle))  # the code arrives at any phase of a read
            menu_at.clear()
            t0 = time.perf_counter()
            sim.scan(code)
            took.append(b.drawn_ms(t0, "menu"))
            decided.append((menu_at[0] - t0) * 1000.0)
            ctl.end_session()
            ui.wait_screen("attract")
            ui.pump(2)
            if n % 20 == 0:
                b.sample_load()
        b.sample_load()
        wire = "unpaced" if args.no_pace else f"paced at {b.cfg.devices.scanner.baudrate} baud"
        print(f"随申码 shown → menu drawn over {len(took)} scans ({size}-character code + CR, scanner {wire}, "
              f"gateway TLS on loopback): p50 {percentile(took, 50):.1f} ms, p95 {percentile(took, 95):.1f} ms, "
              f"max {max(took):.1f} ms; of which scan → session at the menu (not yet drawn): "
              f"p50 {percentile(decided, 50):.1f} ms, p95 {percentile(decided, 95):.1f} ms; {b.load_text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
