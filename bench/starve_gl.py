"""Starve a running kiosk's software GL: its llvmpipe rasterizer threads to nice 19, busy processes on the CPUs.

A fault for soaks (bench/soak.py) and benchmarks: on a terminal without a GPU, Mesa's llvmpipe draws in its
own threads; when another job takes the CPU those threads fall behind the UI thread. This finds the
threads named ``llvmpipe-N`` of the given processes, lowers their priority, runs ``--hogs`` busy
processes (at ``--hog-nice``) for ``--seconds``, then puts the threads' priorities back.

    .venv/bin/python bench/starve_gl.py --seconds 300 PID [PID ...]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def rasterizer_threads(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found = []
    for task in tasks.iterdir():
        try:
            if (task / "comm").read_text().startswith("llvmpipe"):
                found.append(int(task.name))
        except FileNotFoundError:  # the thread ended while we looked
            continue
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pids", type=int, nargs="+")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--hog-nice", type=int, default=19)
    args = parser.parse_args(argv)
    threads = {pid: rasterizer_threads(pid) for pid in args.pids}
    before: dict[int, int] = {}
    for pid, tids in threads.items():
        if not tids:
            parser.error(f"process {pid} has no llvmpipe threads (not drawing with Mesa's llvmpipe?)")
        for tid in tids:
            before[tid] = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, 19)
    hog = f"import os; os.nice({args.hog_nice}); exec('while True: pass')"
    hogs = [subprocess.Popen([sys.executable, "-c", hog]) for _ in range(args.hogs)]
    print(f"[starve] {sum(map(len, threads.values()))} rasterizer threads at nice 19, {args.hogs} busy processes "
          f"at nice {args.hog_nice}, for {args.seconds:.0f} s: {threads}", flush=True)
    try:
        time.sleep(args.seconds)
    finally:
        for proc in hogs:
            proc.kill()
            proc.wait(timeout=10)
        for tid, nice in before.items():
            try:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
            except ProcessLookupError:  # the process ended meanwhile
                continue
    print("[starve] done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
