"""The pinyin keyboard in the real app window: key tap → the frame showing the new candidate bar, printed.

A real touch (UnitTestTouch through Kivy's loop) on each letter key of the texts bench_ime.py types, timed
from the finger's release (keys act on release) until a frame has been flipped and finished (glFinish:
llvmpipe rasterises asynchronously) after the bar was rebuilt; then each composition is committed by
tapping its first candidate (timed the same way). Includes the engine lookup (bench_ime.py gives it alone).
Then the keyboard's own work per letter without touch or frame (lookup + refilling the bar), since on this
shared 2-core machine the llvmpipe frame of 1080x1920 dominates the tap figures and varies with the load.
Target: the 100 ms tap → feedback budget of the resident UI (docs/app.md), lookup p95 ≤ 30 ms within it.

Usage: .venv/bin/python bench/bench_ime_ui.py [--rounds 1]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_ime import TEXTS  # noqa: E402
from bench_session import show  # noqa: E402
from bench_ui import tap_to_frame  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()

    from kiosk.app import configure_kivy, create_app, kivy_environment, register_font
    from kiosk.config.loader import load_config

    cfg = load_config(REPO / "config")
    kivy_environment(tempfile.mkdtemp(prefix="bench-kivy-"), headless=True)
    configure_kivy(cfg.display, windowed=True)
    register_font(cfg.display.font_path)

    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish
    from kivy.uix.screenmanager import NoTransition
    from kivy.uix.widget import Widget

    from kiosk import ime
    from kiosk_dev import uidriver as ui
    from screens.keyboard import PinyinKeyboard
    from screens.widgets import Panel

    app = create_app(cfg, None, transition=NoTransition(), kiosk_mode=True)
    app._run_prepare()
    ime.shared()
    # the keyboard alone in the window, bottom-aligned in a white panel as on the form: no app screen under
    # it and no translucent layer over that (on llvmpipe each full-window blend costs a frame of its own)
    Window.remove_widget(app.root)
    panel = Panel(orientation="vertical", padding=app.th.pad)
    panel.add_widget(Widget())
    kb = PinyinKeyboard(wid="ime", cap=100000)
    panel.add_widget(kb)
    Window.add_widget(panel)
    ui.pump(10)
    print(f"window {Window.size[0]}x{Window.size[1]}, cores {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.2f}")

    def tap(widget) -> float:
        return tap_to_frame(app, widget, lambda: True)[0]

    def bare_frame() -> float:
        """One redraw of the same window with nothing changed: the machine's cost of a frame right now."""
        t0 = time.perf_counter()
        flips = app.frames_drawn
        Window.canvas.ask_update()
        while app.frames_drawn <= flips:
            EventLoop.idle()
        glFinish()
        return time.perf_counter() - t0

    frames = [bare_frame() for _ in range(40)]
    letters, picks = [], []
    for _ in range(args.rounds):
        for text in TEXTS:
            for ch in text:
                letters.append(tap(ui.find(f"ime.key.{ch}")))
            while kb.composing:
                picks.append(tap(ui.find("ime.cand.0")))
            ime.clear_session()
    # the same typing without touches or frames: what the keyboard itself costs the UI thread per key
    # (lookup + bar refill), apart from drawing, which the machine's load dominates
    work = []
    for text in TEXTS * args.rounds:
        for ch in text:
            t0 = time.perf_counter()
            kb.press(ch)
            work.append(time.perf_counter() - t0)
        while kb.composing:
            kb.choose(0)
        ime.clear_session()
    frames += [bare_frame() for _ in range(40)]
    show("bare frame, nothing changed (baseline)", frames)
    show("letter key → bar redrawn (per tap)", letters)
    show("candidate tap → text and bar redrawn", picks)
    show("keyboard work per letter, no frame (UI thread)", work)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
