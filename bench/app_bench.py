"""The real app (SDL offscreen + Mesa llvmpipe) on the simulators, for the "… → screen drawn" benches.

``with AppBench(config_dir, "bench-scan-") as b:`` starts the simulators (kiosk_dev/sims.py), the real Runtime
and SessionController and the Kivy app without entering its loop; ``b.drawn_ms(t0, "menu")`` pumps frames
until a frame showing that screen has been flipped and finished (glFinish) and returns the milliseconds since
``t0`` (``time.perf_counter``). ``b.sample_load()`` keeps the load average for the printed line.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any, Callable


class AppBench:
    def __init__(self, config_dir: str, prefix: str, *, tune: Callable[[Any], None] | None = None) -> None:
        self.config_dir, self.prefix, self.tune = config_dir, prefix, tune
        self.stack: Any = None
        self.runtime: Any = None
        self.controller: Any = None
        self.app: Any = None
        self.cfg: Any = None
        self.load: list[float] = []

    def __enter__(self) -> "AppBench":
        from kiosk.app import KivyBridge, configure_headless, create_app

        cfg = configure_headless(self.config_dir, prefix="bench-kivy-")
        from kivy.uix.screenmanager import NoTransition

        from kiosk.runtime import Runtime
        from kiosk.session.controller import SessionController
        from kiosk_dev.sims import SimStack

        self.stack = SimStack(cfg, Path(tempfile.mkdtemp(prefix=self.prefix)))
        self.cfg = self.stack.start()
        if self.tune is not None:
            self.tune(self.stack)  # e.g. a simulator's pacing, before the drivers connect
        self.runtime = Runtime(self.cfg, KivyBridge())
        self.controller = SessionController(self.cfg, self.runtime)
        self.runtime.attach(self.controller)
        self.runtime.start()
        self.app = create_app(self.cfg, self.controller, transition=NoTransition(), kiosk_mode=True)
        self.app._run_prepare()
        self.sample_load()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.runtime is not None:
            self.runtime.stop()
        if self.stack is not None:
            self.stack.stop()

    def sample_load(self) -> None:
        self.load.append(os.getloadavg()[0])

    def idle_until(self, when: float) -> None:
        """Run the app's loop until ``time.perf_counter()`` reaches ``when``."""
        from kivy.base import EventLoop

        while time.perf_counter() < when:
            EventLoop.idle()

    def drawn_ms(self, t0: float, screen: str, timeout: float = 10.0) -> float:
        from kivy.base import EventLoop
        from kivy.graphics.opengl import glFinish

        sm, flips, deadline = self.app.root.sm, None, t0 + timeout
        while True:
            EventLoop.idle()
            if sm.current == screen:
                if flips is None:
                    flips = self.app.frames_drawn
                elif self.app.frames_drawn > flips:
                    glFinish()
                    return (time.perf_counter() - t0) * 1000.0
            if time.perf_counter() > deadline:
                raise SystemExit(f"{screen} not drawn within {timeout:.0f} s (screen {sm.current}, "
                                 f"error {self.controller.state.error})")

    def load_text(self) -> str:
        return f"load average {min(self.load):.1f}–{max(self.load):.1f} on {os.cpu_count()} cores"
