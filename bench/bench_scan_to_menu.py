"""随申码 shown to the scanner → menu drawn, end to end, in the real app (SDL offscreen + Mesa llvmpipe, no GPU).

Each scan: a fresh 随申码 is issued by the gateway simulator (not timed); after a random pause within one
read cycle of the driver, the scanner simulator sends it (paced at 9600 baud unless ``--no-pace``: a 48-byte
code plus CR is ~51 ms of wire time); the time runs until the frame showing the menu has been flipped and
finished (glFinish). In between: the driver's read and framing, the de-dup, the bridge to the UI thread, the
session's ``auth_ssm`` task over TLS on loopback (signed request, gateway check), the session and the UI
thread drawing the menu. Then the session ends and the app goes back to the attract screen (which takes scans).

Usage: .venv/bin/python bench/bench_scan_to_menu.py [--scans 200] [--no-pace]
Prints figures, asserts nothing (docs/PERFORMANCE.md, docs/scanner.md).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from bench_ui import percentile  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scans", type=int, default=200)
    ap.add_argument("--no-pace", action="store_true", help="scanner simulator sends without wire time")
    ap.add_argument("--config", default=str(REPO / "config"))
    args = ap.parse_args()

    from kiosk.app import KivyBridge, configure_headless, create_app

    cfg = configure_headless(args.config, prefix="bench-kivy-")

    from kivy.base import EventLoop
    from kivy.graphics.opengl import glFinish
    from kivy.uix.screenmanager import NoTransition

    from kiosk.runtime import Runtime
    from kiosk.session.controller import SessionController
    from kiosk_dev import uidriver as ui
    from kiosk_dev.sims import SimStack

    stack = SimStack(cfg, Path(tempfile.mkdtemp(prefix="bench-scan-")))
    sim_cfg = stack.start()
    stack.scanner.pace = not args.no_pace
    runtime = Runtime(sim_cfg, KivyBridge())
    controller = SessionController(sim_cfg, runtime)
    runtime.attach(controller)
    runtime.start()
    app = create_app(sim_cfg, controller, transition=NoTransition(), kiosk_mode=True)
    app._run_prepare()
    rng = random.Random(17)
    load = [os.getloadavg()[0]]
    try:
        ui.wait_until(lambda: controller.state.devices.scanner == "online" and controller.state.devices.backend_ok,
                      timeout=15, what="scanner and gateway online")
        ui.wait_screen("attract")
        cycle = runtime.scan.scanner.read_timeout
        sm = app.root.sm
        took: list[float] = []
        size = 0
        for n in range(args.scans):
            code = stack.gateway.routes.ssm_issue()
            size = len(code)
            pause = time.perf_counter() + rng.uniform(0, cycle)
            while time.perf_counter() < pause:
                EventLoop.idle()
            t0 = time.perf_counter()
            stack.scanner.scan(code)
            flips, deadline = None, t0 + 10.0
            while True:
                EventLoop.idle()
                if sm.current == "menu":
                    if flips is None:
                        flips = app.frames_drawn
                    elif app.frames_drawn > flips:
                        glFinish()
                        break
                if time.perf_counter() > deadline:
                    raise SystemExit(f"scan {n}: menu not drawn within 10 s (screen {sm.current}, "
                                     f"error {controller.state.error})")
            took.append((time.perf_counter() - t0) * 1000.0)
            controller.end_session()
            ui.wait_screen("attract")
            ui.pump(2)
            if n % 20 == 0:
                load.append(os.getloadavg()[0])
        load.append(os.getloadavg()[0])
        wire = "unpaced" if args.no_pace else f"paced at {sim_cfg.devices.scanner.baudrate} baud"
        print(f"随申码 shown → menu drawn over {len(took)} scans ({size}-character code + CR, scanner {wire}, "
              f"gateway TLS on loopback): p50 {percentile(took, 50):.1f} ms, p95 {percentile(took, 95):.1f} ms, "
              f"max {max(took):.1f} ms; load average {min(load):.1f}–{max(load):.1f} on {os.cpu_count()} cores")
    finally:
        runtime.stop()
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
