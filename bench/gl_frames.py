"""Offscreen frames and llvmpipe's queue: memory with and without finishing each frame.

Why the kiosk calls ``glFinish`` after every flip when it renders offscreen (screens/shell.py,
``frames_need_finishing``): SDL's offscreen driver has no swap that waits for the GL driver, so with Mesa's
llvmpipe the UI thread can queue frames faster than the rasterizer threads draw them. Frames that upload no
texture (a pressed button's colour, a busy animation) do not wait at all. Each queued frame's command bins
stay allocated for the life of the process.

Each mode runs in its own process: a window of the kiosk's size (1080×1920) draws a full-screen rectangle
whose geometry changes every frame, as fast as it can, for ``--seconds``; then, optionally (``--starve``),
the same while llvmpipe's rasterizer threads are at nice 19 and two busy processes hold both cores — the
situation of a terminal (or CI machine) where another job takes the CPU; then again unstarved. It prints
RSS and the C heap in use (glibc mallinfo2) after each phase.

    .venv/bin/python bench/gl_frames.py                 # 5 s per phase, both modes
    .venv/bin/python bench/gl_frames.py --starve        # also the starved phase
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def child(mode: str, seconds: float, starve: bool) -> dict:
    os.environ.update(SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_CONFIG="1",
                      KIVY_HOME=tempfile.mkdtemp(prefix="bench-glframes-"), KIVY_LOG_MODE="PYTHON")
    from kivy.config import Config

    Config.set("graphics", "width", "1080")
    Config.set("graphics", "height", "1920")
    Config.set("graphics", "maxfps", "0")
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics import Color, Rectangle
    from kivy.graphics.opengl import glFinish

    sys.path.insert(0, str(REPO))
    from bench.soak import malloc_in_use_mb
    from bench.starve_gl import rasterizer_threads

    import psutil

    if mode == "finish":
        Window.bind(on_flip=lambda *_: glFinish())  # what KioskApp._on_flip does offscreen
    EventLoop.ensure_window()
    with Window.canvas:
        Color(0.2, 0.4, 0.8, 1)
        rect = Rectangle(pos=(0, 0), size=(1080, 1920))

    def frames(duration: float) -> int:
        n = 0
        end = time.monotonic() + duration
        while time.monotonic() < end:
            rect.size = (1080 - n % 100, 1920)
            EventLoop.idle()
            n += 1
        return n

    def figures(phase: str, n: int) -> dict:
        return {"phase": phase, "frames": n, "rss_mb": round(psutil.Process().memory_info().rss / 1048576, 1),
                "malloc_in_use_mb": malloc_in_use_mb()}

    rows = [figures("start", 0), figures("drawing", frames(seconds))]
    if starve:
        rast = rasterizer_threads(os.getpid())
        before = {tid: os.getpriority(os.PRIO_PROCESS, tid) for tid in rast}
        for tid in rast:
            os.setpriority(os.PRIO_PROCESS, tid, 19)
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
        try:
            rows.append(figures(f"starved ({len(rast)} rasterizer threads at nice 19)", frames(seconds)))
        finally:
            for hog in hogs:
                hog.kill()
                hog.wait(timeout=10)
            for tid, nice in before.items():
                os.setpriority(os.PRIO_PROCESS, tid, nice)
        rows.append(figures("drawing again", frames(seconds)))
    return {"mode": mode, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--starve", action="store_true", help="add a phase with llvmpipe's threads starved")
    parser.add_argument("--child", choices=("plain", "finish"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.seconds, args.starve)), flush=True)
        return 0
    for mode in ("plain", "finish"):
        cmd = [sys.executable, __file__, "--child", mode, "--seconds", str(args.seconds)]
        if args.starve:
            cmd.append("--starve")
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + 6 * args.seconds)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            raise SystemExit(f"{mode} child failed with exit code {out.returncode}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        label = "no finish (a swap that waits for nothing)" if mode == "plain" else "glFinish after each flip (the kiosk)"
        print(f"{mode:6}  {label}")
        for row in result["rows"]:
            print(f"        {row['phase']:<46} {row['frames']:>6} frames  RSS {row['rss_mb']:>7.1f} MB  "
                  f"C heap in use {row['malloc_in_use_mb']:>7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
