"""Cold start: process spawn → attract screen drawn, against a bare Kivy "hello" window in the same run.

Both children run offscreen with real GL (SDL_VIDEODRIVER=offscreen, Mesa) and print READY at the
first buffer flip after App start (the first frame of the first screen is on the screen); the parent times
spawn → READY. Runs are interleaved (hello, kiosk, hello, kiosk, …) so machine noise hits both alike, and
the figure that matters is the ratio of medians (target, issue 19 §2: kiosk within 1.3× of hello). Each
child also reports its own CPU time at READY: on a loaded machine that ratio moves less than the wall one.

    .venv/bin/python bench/cold_start.py [--runs 5]

The kiosk child is the real ``kiosk run --headless --windowed`` command line (CLI, config check, logging
set-up, window, attract screen) on the default config (simulator ports; nothing needs to listen there —
devices connect in the background and the attract screen does not wait for them).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_READY_HOOK = r"""
def _arm(app):
    from kivy.core.window import Window
    flips = [0]
    def on_flip(*_):
        flips[0] += 1
        if flips[0] == 1:
            import time
            print("READY", f"{time.process_time():.4f}", flush=True)
            app.stop()
    app.bind(on_start=lambda *_: Window.bind(on_flip=on_flip))
"""

HELLO = _READY_HOOK + r"""
from kivy.app import App
from kivy.uix.label import Label
class Hello(App):
    def build(self):
        return Label(text="hello")
app = Hello()
_arm(app)
app.run()
"""

KIOSK = _READY_HOOK + r"""
import sys
import time
from kiosk.config import child
_result = child.PendingConfig.result
def result(self):  # how long the kiosk process waited for the config check's verdict (critical path?)
    start = time.perf_counter()
    try:
        return _result(self)
    finally:
        print("WAITED", f"{time.perf_counter() - start:.4f}", flush=True)
child.PendingConfig.result = result
from kiosk import app as kapp
_create = kapp.create_app
def create_app(*a, **kw):
    app = _create(*a, **kw)
    _arm(app)
    return app
kapp.create_app = create_app
from kiosk.cli import main
sys.exit(main(["run", "--config", sys.argv[1], "--headless", "--windowed"]))
"""


#: each kiosk child's wait for the config check's verdict (s), in run order
_WAITS: list[float] = []


def _once(script: Path, args: list[str], env: dict[str, str], timeout: float = 60.0) -> tuple[float, float]:
    """Spawn → READY wall time, and the child's own CPU time at READY (seconds)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script), *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"child ended without READY: {proc.wait(5)}\n{proc.stderr.read()[-2000:]}")
            if line.startswith("WAITED"):
                _WAITS.append(float(line.split()[1]))
            if line.startswith("READY"):
                elapsed = time.perf_counter() - start
                break
            if time.perf_counter() - start > timeout:
                raise RuntimeError("no READY within timeout")
        proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    return elapsed, float(line.split()[1])



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--config", default=str(ROOT / "config"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as home:
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
                   KIVY_NO_FILELOG="1", KIVY_HOME=home)
        env.pop("KIVY_GL_BACKEND", None)
        # Kivy's App looks for a .kv beside the class's source file, so the children are real files
        hello_py, kiosk_py = Path(home) / "hello.py", Path(home) / "kiosk_start.py"
        hello_py.write_text(HELLO, encoding="utf-8")
        kiosk_py.write_text(KIOSK, encoding="utf-8")
        env["PYTHONPATH"] = str(ROOT)
        # both start from bytecode, as on a terminal (pip compiles the installed kiosk package): compiled once
        # by the warm-up runs into a private cache, whatever PYTHONDONTWRITEBYTECODE the caller has set
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(home) / "pycache")
        hello, kiosk, hello_cpu, kiosk_cpu = [], [], [], []
        _once(hello_py, [], env)  # compile + warm the page cache once for each
        _once(kiosk_py, [args.config], env)
        for _ in range(args.runs):
            t, cpu = _once(hello_py, [], env)
            hello.append(t)
            hello_cpu.append(cpu)
            t, cpu = _once(kiosk_py, [args.config], env)
            kiosk.append(t)
            kiosk_cpu.append(cpu)
    h, k = statistics.median(hello), statistics.median(kiosk)
    hc, kc = statistics.median(hello_cpu), statistics.median(kiosk_cpu)
    load = os.getloadavg()
    print(f"runs: {args.runs} each, interleaved; machine: {os.cpu_count()} cores, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min)")
    print(f"bare Kivy hello window  median {h * 1000:7.0f} ms  (min {min(hello) * 1000:.0f}, max {max(hello) * 1000:.0f})"
          f"  CPU {hc * 1000:.0f} ms")
    print(f"kiosk → attract drawn   median {k * 1000:7.0f} ms  (min {min(kiosk) * 1000:.0f}, max {max(kiosk) * 1000:.0f})"
          f"  CPU {kc * 1000:.0f} ms (main process; the config check runs in a forked child)")
    waited = _WAITS[1:]  # not the warm-up run's
    print(f"kiosk waited for the config check's verdict: median {statistics.median(waited) * 1000:.0f} ms "
          f"(max {max(waited) * 1000:.0f}) — time the forked check took beyond the imports done meanwhile")
    print(f"ratio kiosk / hello     {k / h:.2f}×  (target ≤ 1.3×)   CPU ratio {kc / hc:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
