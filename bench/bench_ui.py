"""UI responsiveness of the real kiosk app on this machine (SDL offscreen + Mesa llvmpipe, no GPU).

1. touch -> next screen drawn: a real touch (UnitTestTouch through Kivy's event loop) on 刷身份证 /
   返回, timed from the finger's release (buttons act on release) until the frame that shows the other
   screen has been flipped and finished (glFinish: llvmpipe rasterises asynchronously); alternating
   attract <-> identify (identify starts card polling and a QR ticket on the gateway, Back cancels both),
   p50/p95/max over N taps; the same from the touch-down (includes the pressed-state frame) for
   comparison. Target p95 < 100 ms.
2. idle CPU on the attract screen: the app's own loop (EventLoop.idle, as App.run does) for S seconds,
   CPU time per thread from psutil, split into the UI thread, the kiosk's other threads (device drivers,
   outbox sender, gateway probe) and the in-process simulators (not part of a real kiosk). Target < 3 %
   of one core for the kiosk (UI + its threads).

Usage: .venv/bin/python bench/bench_ui.py [--taps 200] [--idle-s 20] [--config config]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def tap_to_frame(app, widget, shown, timeout: float = 5.0) -> tuple[float, float]:
    """Touch ``widget``'s centre; seconds from the release and from the touch-down until a frame drawn after
    the release, with ``shown()`` true, has been flipped and finished (glFinish: llvmpipe rasterises
    asynchronously). TimeoutError when that does not happen within ``timeout``."""
    from kivy.base import EventLoop
    from kivy.graphics.opengl import glFinish
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(*widget.to_window(*widget.center))
    t_down = time.perf_counter()
    touch.touch_down()
    EventLoop.idle()
    glFinish()
    t0 = time.perf_counter()
    touch.touch_up()
    flips = app.frames_drawn
    while not (shown() and app.frames_drawn > flips):
        if time.perf_counter() > t0 + timeout:
            raise TimeoutError
        EventLoop.idle()
    glFinish()
    t1 = time.perf_counter()
    return t1 - t0, t1 - t_down


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--taps", type=int, default=200)
    ap.add_argument("--idle-s", type=float, default=20.0)
    ap.add_argument("--config", default=str(REPO / "config"))
    args = ap.parse_args()

    from kiosk.app import KivyBridge, configure_headless, create_app

    cfg = configure_headless(args.config, prefix="bench-kivy-")

    import psutil
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RENDERER, glGetString
    from kivy.uix.screenmanager import NoTransition

    from kiosk_dev import uidriver as ui
    from kiosk_dev.sims import SimStack
    from kiosk.runtime import Runtime
    from kiosk.session.controller import SessionController

    out = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    stack = SimStack(cfg, out)
    sim_cfg = stack.start()
    runtime = Runtime(sim_cfg, KivyBridge())
    controller = SessionController(sim_cfg, runtime)
    runtime.attach(controller)
    runtime.start()
    app = create_app(sim_cfg, controller, transition=NoTransition(), kiosk_mode=True)
    app._run_prepare()
    try:
        print(f"window {Window.size[0]}x{Window.size[1]}, GL renderer {glGetString(GL_RENDERER).decode()}, "
              f"cores {os.cpu_count()}")
        ui.wait_until(lambda: controller.state.devices.reader_online and controller.state.devices.backend_ok,
                      timeout=15, what="devices online")
        ui.wait_screen("attract")
        ui.pump(10)

        latencies: list[float] = []
        from_down: list[float] = []
        sm = app.root.sm
        for n in range(args.taps):
            wid, target = ("attract.card", "identify") if sm.current == "attract" else ("identify.back", "attract")
            try:
                released, pressed = tap_to_frame(app, ui.find(wid), lambda: sm.current == target)
            except TimeoutError:
                raise SystemExit(f"tap {n}: {target} not drawn within 5 s") from None
            latencies.append(released * 1000.0)
            from_down.append(pressed * 1000.0)
            ui.pump(3)  # let the QR ticket / cancellation land, as a resident's next look would
        print(f"touch -> next screen drawn over {len(latencies)} taps (attract <-> identify): "
              f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
              f"max {max(latencies):.1f} ms, mean {statistics.mean(latencies):.1f} ms (from release); "
              f"from touch-down p50 {percentile(from_down, 50):.1f} ms, p95 {percentile(from_down, 95):.1f} ms")

        if sm.current != "attract":
            ui.tap("identify.back")
        ui.wait_screen("attract")
        ui.pump(30)
        proc = psutil.Process()
        ui_tid = threading.get_native_id()

        def per_thread() -> dict[int, float]:
            return {t.id: t.user_time + t.system_time for t in proc.threads()}

        names = {t.native_id: t.name for t in threading.enumerate()}
        before, frames0, drawn0 = per_thread(), app.frames_drawn, None
        from kivy.clock import Clock
        ticks0, t0 = Clock.frames, time.monotonic()
        while time.monotonic() - t0 < args.idle_s:
            EventLoop.idle()  # exactly what App.run's loop does
        elapsed = time.monotonic() - t0
        after = per_thread()
        names.update({t.native_id: t.name for t in threading.enumerate()})
        buckets = {"ui": 0.0, "kiosk": 0.0, "sim": 0.0}
        for tid, cpu in after.items():
            used = cpu - before.get(tid, 0.0)
            name = names.get(tid, "")
            if tid == ui_tid:
                buckets["ui"] += used
            elif name.startswith(("sim-", "gateway-sim")) or "process_request" in name:
                buckets["sim"] += used
            else:
                buckets["kiosk"] += used
        pct = {k: 100.0 * v / elapsed for k, v in buckets.items()}
        print(f"idle CPU on attract over {elapsed:.0f} s: kiosk {pct['ui'] + pct['kiosk']:.2f} % of a core "
              f"(UI thread {pct['ui']:.2f} %, driver/outbox/probe threads {pct['kiosk']:.2f} %); "
              f"in-process simulators {pct['sim']:.2f} % (not on a real kiosk); "
              f"{Clock.frames - ticks0} loop ticks, {app.frames_drawn - frames0} frames drawn")
    finally:
        runtime.stop()
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
