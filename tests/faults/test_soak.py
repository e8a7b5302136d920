"""A shortened soak in CI: bench/soak.py through the real app (offscreen GL) and the simulator process.

The full run (10,000 sessions, figures in docs/PERFORMANCE.md) takes hours on this machine; CI runs 32
sessions of the same flows (~2 min) and checks what a short run can show: every session completed,
every ticket/receipt printed exactly once, every submission delivered exactly once, the outbox empty, no
thread growth and no fd growth beyond one lazily opened file after warm-up. Memory growth needs the long
run (warm-up caches dominate a short one), so it is printed here, not asserted.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_short_soak_through_the_real_app(tmp_path):
    out = tmp_path / "soak.json"
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "soak.py"), "--sessions", "32", "--warmup", "16",
                           "--every", "10", "--json", str(out)], capture_output=True, text=True, timeout=580,
                          cwd=str(REPO))
    print(proc.stdout[-3000:])
    assert out.exists(), proc.stderr[-3000:]
    verdict = json.loads(out.read_text())
    assert verdict["sessions"] == 32
    assert verdict["errors"] == []
    assert sum(verdict["counts"].values()) == 32 and all(verdict["counts"].values())
    assert verdict["printed_ok"] and verdict["tickets_expected"] > 0
    assert verdict["delivered_once"] and verdict["submissions"] > 0
    assert verdict["outbox_depth_end"] == 0
    assert verdict["thread_growth"] <= 0
    assert verdict["fd_growth"] <= 1
