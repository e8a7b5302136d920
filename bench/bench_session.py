"""Figures for the session and runtime (app-core), printed, never asserted.

1. Controller cost on the UI thread: ``tick()`` and a tap-handling method (``set_field``), fake runtime.
2. End to end against the in-process simulators (real TCP ports, real TLS), UI thread = this thread pumping a
   QueueBridge: ID card placed → menu state; 12345 submission confirm → result state (delivered);
   receipt job submitted → printer simulator reports it done.

Run: ``.venv/bin/python bench/bench_session.py [--rounds N]``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit"))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def show(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{name:<44} n={len(ms):<5} p50 {statistics.median(ms):8.3f} ms  p95 {pct(ms, 95):8.3f} ms  "
          f"max {max(ms):8.3f} ms")


def bench_controller(rounds: int) -> None:
    from session_fakes import identify_by_card, make

    ctl, rt, clock = make()
    identify_by_card(ctl, rt)
    ctl.choose_service("hotline-12345")
    ticks, fields = [], []
    for i in range(rounds):
        clock.advance(0.5)
        t = time.perf_counter()
        ctl.tick()
        ticks.append(time.perf_counter() - t)
        t = time.perf_counter()
        ctl.set_field("phone", "1380013800"[: 1 + i % 10])
        fields.append(time.perf_counter() - t)
        ctl.touch()
    show("controller.tick() (form screen)", ticks)
    show("controller.set_field() incl. validation", fields)


def bench_end_to_end(rounds: int) -> None:
    from kiosk.config.loader import load_config
    from kiosk_dev.sims import HeadlessKiosk

    with tempfile.TemporaryDirectory() as tmp, HeadlessKiosk(load_config(ROOT / "config"), tmp) as k:
        stack, bridge, ctl = k.stack, k.bridge, k.ctl
        if not bridge.pump_until(lambda: ctl.state.devices.printer_ready and ctl.state.devices.reader_online
                                 and ctl.state.devices.backend_ok, 20):
            raise SystemExit(f"devices not ready: {ctl.state.devices}")
        card, submit, printed = [], [], []
        for _ in range(rounds):
            ctl.start_identify()
            bridge.pump_until(lambda: ctl.state.qr is not None and ctl.state.qr.state == "waiting", 10)
            t = time.perf_counter()
            stack.idcard.place("resident")
            if not bridge.pump_until(lambda: ctl.state.screen == "menu", 10):
                raise SystemExit(f"card not read: {ctl.state.card}")
            card.append(time.perf_counter() - t)
            ctl.choose_service("hotline-12345")
            for key, value in {"category": "help", "phone": "13800138000", "street": "njxl"}.items():
                ctl.set_field(key, value)
            # the description is typed on the resident's phone (hand-off), then the form can go on
            description = lambda: ctl.state.form.field("description").handoff_state  # noqa: E731
            if not bridge.pump_until(lambda: description() == "waiting", 10):
                raise SystemExit(f"no hand-off code: {description()}")
            stack.gateway.handoff_submit(text="小区门口路灯坏了，请尽快修理。")
            if not bridge.pump_until(lambda: (ctl.tick(), description() == "submitted")[1], 10):  # tick = Clock
                raise SystemExit(f"hand-off not submitted: {description()}")
            ctl.next()
            t = time.perf_counter()
            ctl.confirm()
            if not bridge.pump_until(lambda: ctl.state.result is not None, 15):
                raise SystemExit(f"no result: {ctl.state.error}")
            submit.append(time.perf_counter() - t)
            t = time.perf_counter()
            if not bridge.pump_until(lambda: ctl.state.result.printed is not None, 15):
                raise SystemExit("receipt not printed")
            printed.append(time.perf_counter() - t)
            ctl.end_session()
            stack.idcard.remove()
            bridge.pump_until(lambda: False, 0.4)  # the reader notices the card left
        show("card placed → menu (read + gateway auth)", card)
        show("confirm → result (outbox + delivery)", submit)
        show("result → receipt printed (sim, paced)", printed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    bench_controller(max(200, args.rounds * 10))
    bench_end_to_end(args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
