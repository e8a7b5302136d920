"""Long text on the UI thread: the longest frame while a 100,000-character guide item or record cell is shown.

The real app (SDL offscreen + Mesa llvmpipe) with a session on the guide / record screen; the guide (or
record) arrives with one item (cell) of N characters — what a broken gateway could send if the contract's
maxLength were not enforced, or a long local text — and every frame from its arrival until the screen is
settled, then while the resident pages through it ("more"), is timed (EventLoop.idle wall time, the
frame finished with glFinish as on a display). The same screen change with a 100-character text is timed
for reference: the difference is what the long text costs. Prints the longest and the median frame.
Target: the long text adds no frame over 50 ms.

Usage: .venv/bin/python bench/long_text.py [--chars 100000] [--pages 5] [--config config]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _guide(chars: int) -> SimpleNamespace:
    section = SimpleNamespace(heading_zh="所需材料", heading_en="Documents", items_zh=("长" * chars,),
                              items_en=("x" * chars,))
    return SimpleNamespace(service_id="appointment", title_zh="办事指南", title_en="Guide", sections=(section,),
                           updated_at=datetime(2026, 12, 3, tzinfo=timezone.utc))


def _record(chars: int) -> SimpleNamespace:
    cols = [SimpleNamespace(key="month", zh="月份", en="Month"), SimpleNamespace(key="note", zh="备注", en="Note")]
    return SimpleNamespace(kind="social-insurance", title_zh="缴费记录", title_en="Payments", holder="李**",
                           columns=cols, rows=({"month": "2026-11", "note": "注" * chars},),
                           generated_at=datetime(2026, 12, 3, tzinfo=timezone.utc))


def timed_frames(ui, EventLoop, until, limit: int = 400) -> list[float]:
    frames = []
    for _ in range(limit):
        t0 = time.perf_counter()
        ui.as_loop(EventLoop.idle)
        frames.append(1000 * (time.perf_counter() - t0))
        if until():
            break
    for _ in range(5):  # the frames after it settled (heights that follow the rendered text)
        t0 = time.perf_counter()
        ui.as_loop(EventLoop.idle)
        frames.append(1000 * (time.perf_counter() - t0))
    return frames


def tap_frames(ui, EventLoop, widget) -> list[float]:
    """A real tap on ``widget`` (touch down, a frame, touch up — the page turns — and the frames after),
    each step timed on its own."""
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(*widget.to_window(*widget.center))
    steps = [touch.touch_down, EventLoop.idle, touch.touch_up, EventLoop.idle, EventLoop.idle, EventLoop.idle]
    frames = []
    for step in steps:
        t0 = time.perf_counter()
        ui.as_loop(step)
        frames.append(1000 * (time.perf_counter() - t0))
    return frames


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chars", type=int, default=100_000)
    ap.add_argument("--pages", type=int, default=5, help="taps on 'more' timed after the first page")
    ap.add_argument("--config", default=str(REPO / "config"))
    args = ap.parse_args()

    from kiosk.app import KivyBridge, configure_headless, create_app

    cfg = configure_headless(args.config, prefix="bench-kivy-")

    from kivy.base import EventLoop
    from kivy.graphics.opengl import GL_RENDERER, glGetString
    from kivy.uix.screenmanager import NoTransition

    from kiosk_dev import uidriver as ui
    from kiosk.runtime import Runtime
    from kiosk.session.controller import SessionController

    runtime = Runtime(cfg, KivyBridge())  # not started: no devices or gateway are needed to show text
    controller = SessionController(cfg, runtime)
    app = create_app(cfg, controller, transition=NoTransition(), kiosk_mode=True)
    app._run_prepare()
    print(f"GL renderer {glGetString(GL_RENDERER).decode()}; one item of {args.chars:,} characters")
    ui.pump(10)
    shows = {"guide item": ("guide.b.0", lambda n: controller.services._guide_done(_guide(n))),
             "record cell": ("record.cell.0.1", lambda n: controller.services._record_done(_record(n)))}
    for what, (wid, show) in shows.items():
        for chars in (args.chars, 100):  # the long text, and a short one: the same screen change without it
            controller.state.service = SimpleNamespace(printable=False, id="bench")
            show(chars)
            arrival = timed_frames(ui, EventLoop, lambda wid=wid: ui.exists(wid))
            paging = []
            for _ in range(args.pages if chars > 100 else 0):
                paging += tap_frames(ui, EventLoop, ui.find(f"{wid}.more"))
            shown = len(ui.find(wid).text)
            print(f"{what}, {chars:,} characters: longest frame {max(arrival):.1f} ms while it arrives "
                  f"(median {statistics.median(arrival):.1f} ms, {len(arrival)} frames)"
                  + (f"; turning {args.pages} pages: longest frame {max(paging):.1f} ms (median "
                     f"{statistics.median(paging):.1f} ms)" if paging else "")
                  + f"; characters on screen at once: {shown:,}")
            controller.wipe()
            ui.pump(5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
