"""Card on reader → menu drawn, end to end, in the real app (SDL offscreen + Mesa llvmpipe, no GPU).

Each placement: the resident taps 刷身份证 (identify screen: the reader starts polling); after a random pause
within one polling period (so the card lands at any phase of the poll) the card is placed on the reader
simulator; the time runs until the frame showing the menu has been flipped and finished (glFinish). In between:
the driver's next poll, the SAM read over the wire (the simulator paced at the configured baud rate unless
``--no-pace``), the gateway identity check over TLS on loopback, the session, the UI thread drawing the menu.
Then the session ends, the card is taken away and the app goes back to the attract screen.

Usage: .venv/bin/python bench/bench_card_to_menu.py [--placements 200] [--no-pace]
Target: p95 ≤ 400 ms (issue 19 §4). Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import gc
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


PHASES = {"poll": "card placed → the driver's find sees it (poll phase + find)",
          "read": "find → card read (select + read on the wire, decode)",
          "gateway": "identity check with the gateway (TLS, loopback)",
          "post": "answer → session on the menu (UI thread picks it up)",
          "draw": "menu screen → its frame flipped and finished",
          "sum": "total of the phases (check)"}


class _RemoteReader:
    """The reader simulator in a child process, driven through its control port."""

    def __init__(self, url: str, control_port: int, pipe) -> None:
        self.url, self.control_port = url, control_port
        self.pipe = pipe  # the child stops when this end closes

    def place(self, name: str) -> None:
        from devices.simbase import send_control
        send_control(self.control_port, {"cmd": "place", "card": name})

    def remove(self) -> None:
        from devices.simbase import send_control
        send_control(self.control_port, {"cmd": "remove"})


def _serve_reader(pace: bool, conn) -> None:
    from devices.idcard.simulator import IdCardSimulator

    sim = IdCardSimulator(transport="tcp", port=0, control_port=0, pace=pace).start()
    conn.send((sim.url, sim.control_port))
    try:
        conn.recv()  # until the parent closes its end of the pipe
    except EOFError:
        pass
    sim.stop()


def _reader_process(pace: bool):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    parent, child_end = ctx.Pipe()
    child = ctx.Process(target=_serve_reader, args=(pace, child_end), daemon=True)
    child.start()
    if not parent.poll(30):
        raise SystemExit("the reader simulator process did not start within 30 s")
    url, control_port = parent.recv()
    return _RemoteReader(url, control_port, parent), child


def _quarters(values: list[float]) -> list[list[float]]:
    n = len(values)
    return [part for part in (values[i * n // 4:(i + 1) * n // 4] for i in range(4)) if part]


def _gc_timer() -> list[float]:
    """Milliseconds spent in the garbage collector since ``[0]`` was last reset."""
    total, started = [0.0], [0.0]

    def callback(phase: str, _info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            total[0] += (time.perf_counter() - started[0]) * 1000.0

    gc.callbacks.append(callback)
    return total


def _instrument(runtime) -> dict[str, float]:
    """Time stamps of one placement, taken where the work happens (reader worker, gateway call)."""
    marks: dict[str, float] = {}

    def on_event(event) -> None:
        if event.name == "card_present":
            marks.setdefault("present", time.perf_counter())

    runtime.reader.subscribe(on_event)
    cards = runtime._cards
    auth = cards._auth

    def timed_auth(card, cancel):
        marks.setdefault("auth", time.perf_counter())
        try:
            return auth(card, cancel)
        finally:
            marks.setdefault("authed", time.perf_counter())

    cards._auth = timed_auth
    return marks


def _split(phases: dict[str, list[float]], marks: dict[str, float], t0: float, end: float) -> None:
    stamps = [t0, marks.get("present"), marks.get("auth"), marks.get("authed"), marks.get("menu"), end]
    if None in stamps:
        return
    for name, a, b in zip(PHASES, stamps, stamps[1:]):
        phases[name].append((b - a) * 1000.0)
    phases["sum"].append((end - t0) * 1000.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--placements", type=int, default=200)
    ap.add_argument("--no-pace", action="store_true", help="reader simulator answers without wire time")
    ap.add_argument("--reader-in-process", action="store_true",
                    help="run the reader simulator in the app's process (its pacing thread then shares the GIL "
                         "with the UI; by default it runs in a process of its own, like the reader's own MCU)")
    ap.add_argument("--config", default=str(REPO / "config"))
    ap.add_argument("--gc", choices=("app", "default", "freeze", "idle"), default="app",
                    help="garbage-collector policy: app = the kiosk's own (kiosk.app.collect_between_sessions, as "
                         "`kiosk run` does); default = Python's; freeze = gc.freeze() once the app is up; idle = "
                         "that, and automatic collection off, one gc.collect() after each session (on attract)")
    ap.add_argument("--poll", type=float, metavar="S",
                    help="the reader's poll interval for this run (default: the config's, the vendor's 0.3 s)")
    ap.add_argument("--profile", metavar="FILE", help="cProfile the UI thread while it waits for the menu")
    args = ap.parse_args()

    from kiosk.app import KivyBridge, collect_between_sessions, configure_headless, create_app

    cfg = configure_headless(args.config, prefix="bench-kivy-")

    from kivy.base import EventLoop
    from kivy.graphics.opengl import glFinish
    from kivy.uix.screenmanager import NoTransition

    from kiosk.runtime import Runtime
    from kiosk.session.controller import SessionController
    from kiosk_dev import uidriver as ui
    from kiosk_dev.sims import SimStack

    stack = SimStack(cfg, Path(tempfile.mkdtemp(prefix="bench-card-")))
    sim_cfg = stack.start()
    stack.idcard.pace = not args.no_pace
    reader = stack.idcard
    child = None
    if not args.reader_in_process:
        reader, child = _reader_process(not args.no_pace)
        sim_cfg = sim_cfg.model_copy(update={"devices": sim_cfg.devices.model_copy(update={
            "idcard": sim_cfg.devices.idcard.model_copy(update={"port": reader.url})})})
    if args.poll is not None:
        sim_cfg = sim_cfg.model_copy(update={"devices": sim_cfg.devices.model_copy(update={
            "idcard": sim_cfg.devices.idcard.model_copy(update={"poll_interval_s": args.poll})})})
    runtime = Runtime(sim_cfg, KivyBridge())
    controller = SessionController(sim_cfg, runtime)
    runtime.attach(controller)
    runtime.start()
    app = create_app(sim_cfg, controller, transition=NoTransition(), kiosk_mode=True)
    if args.gc == "app":
        collect_between_sessions(app, controller)
    app._run_prepare()
    rng = random.Random(19)
    load = [os.getloadavg()[0]]
    try:
        ui.wait_until(lambda: controller.state.devices.reader_online and controller.state.devices.backend_ok,
                      timeout=15, what="devices online")
        ui.wait_screen("attract")
        if args.gc in ("freeze", "idle"):
            gc.collect()
            gc.freeze()
            if args.gc == "idle":
                gc.disable()
        poll = runtime.reader.poll_interval
        sm = app.root.sm
        took: list[float] = []
        marks = _instrument(runtime)
        profiler = None
        if args.profile:
            import cProfile
            profiler = cProfile.Profile(time.thread_time)  # CPU of the UI thread, not waits
        phases: dict[str, list[float]] = {name: [] for name in PHASES}
        ui_cpu: list[float] = []  # CPU time of the UI thread from the placement to the menu (load-independent)
        gc_ms = _gc_timer()
        gc_per: list[float] = []
        for n in range(args.placements):
            ui.tap("attract.card")
            ui.wait_screen("identify")
            pause = time.perf_counter() + rng.uniform(0, poll)
            while time.perf_counter() < pause:
                EventLoop.idle()
            marks.clear()
            if profiler is not None:
                profiler.enable()
            cpu0 = time.thread_time()
            gc_ms[0] = 0.0
            t0 = time.perf_counter()
            reader.place("resident")
            flips, deadline = None, t0 + 10.0
            while True:
                EventLoop.idle()
                if sm.current == "menu":
                    if flips is None:
                        flips = app.frames_drawn
                        marks.setdefault("menu", time.perf_counter())
                        ui_cpu.append((time.thread_time() - cpu0) * 1000.0)
                        gc_per.append(gc_ms[0])
                    elif app.frames_drawn > flips:
                        glFinish()
                        break
                if time.perf_counter() > deadline:
                    raise SystemExit(f"placement {n}: menu not drawn within 10 s (screen {sm.current})")
            took.append((time.perf_counter() - t0) * 1000.0)
            if profiler is not None:
                profiler.disable()
            _split(phases, marks, t0, time.perf_counter())
            controller.end_session()
            reader.remove()
            ui.wait_screen("attract")
            if args.gc == "idle":
                gc.collect()
            settle = time.perf_counter() + 0.6  # the reader's polls (every 0.3 s with a card) notice it has gone
            while time.perf_counter() < settle:
                EventLoop.idle()
            if n % 20 == 0:
                load.append(os.getloadavg()[0])
        load.append(os.getloadavg()[0])
        print(f"card on reader → menu drawn over {len(took)} placements (poll {poll * 1000:.0f} ms, "
              f"reader {'paced at ' + str(sim_cfg.devices.idcard.baudrate) + ' baud' if not args.no_pace else 'unpaced'}"
              f", gateway TLS on loopback): p50 {percentile(took, 50):.1f} ms, p95 {percentile(took, 95):.1f} ms, "
              f"max {max(took):.1f} ms; load average {min(load):.1f}–{max(load):.1f} on {os.cpu_count()} cores")
        print(f"  UI thread CPU time, placement → menu built: p50 {percentile(ui_cpu, 50):.1f} ms, "
              f"p95 {percentile(ui_cpu, 95):.1f} ms; total p50 by quarter of the run: "
              + ", ".join(f"{percentile(part, 50):.0f}" for part in _quarters(took)))
        print(f"  garbage collection in that window (any thread): p50 {percentile(gc_per, 50):.1f} ms, "
              f"p95 {percentile(gc_per, 95):.1f} ms, max {max(gc_per):.1f} ms")
        for name, label in PHASES.items():
            if phases[name]:
                print(f"  {label:<58} p50 {percentile(phases[name], 50):6.1f}  p95 "
                      f"{percentile(phases[name], 95):6.1f}  max {max(phases[name]):6.1f} ms")
        if profiler is not None:
            profiler.dump_stats(args.profile)
    finally:
        runtime.stop()
        stack.stop()
        if child is not None:
            child.terminate()
            child.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
