"""Longer fuzzing runs of the decoders and the config loader (the same hypothesis properties as tests/fuzz,
with a bigger budget and fresh random seeds each run).

CI runs tests/fuzz with a small fixed, derandomised budget; this runs the same properties with
``--examples`` examples per property and random seeds, prints how long each file took, and exits non-zero
if any property failed. A failure prints hypothesis's minimal example — turn it into a regression test in
tests/fuzz/test_regressions.py (the config crash found on 2026-11-27 is there).

    .venv/bin/python bench/fuzz.py --examples 5000            # decoders + config, ~minutes
    .venv/bin/python bench/fuzz.py --examples 20000 --only idcard
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"idcard": "tests/fuzz/test_fuzz_idcard.py", "printer": "tests/fuzz/test_fuzz_printer.py",
           "scanner": "tests/fuzz/test_fuzz_scanner.py", "config": "tests/fuzz/test_fuzz_config.py"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per property (CI uses 40-300)")
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="fuzz only these")
    args = parser.parse_args(argv)
    env = dict(os.environ, KIOSK_FUZZ_EXAMPLES=str(args.examples), KIOSK_FUZZ_RANDOM="1")
    failed = 0
    for name in args.only or sorted(TARGETS):
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "pytest", TARGETS[name], "-q", "-p", "no:cacheprovider",
                               "--timeout", "0", "--hypothesis-show-statistics"],
                              cwd=str(REPO), env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - t0
        tail = [ln for ln in proc.stdout.splitlines() if ln.strip()][-1:] or ["(no output)"]
        print(f"[fuzz] {name:<8} {args.examples} examples/property  {elapsed:7.1f}s  {tail[0]}", flush=True)
        if proc.returncode != 0:
            failed += 1
            print(proc.stdout[-6000:], proc.stderr[-2000:], sep="\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
