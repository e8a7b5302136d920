"""A shortened soak in CI: bench/soak.py through the real app (offscreen GL) and the simulator process.

The full run (10,000 sessions, figures in docs/PERFORMANCE.md) takes about two hours on this machine; CI
runs 300 sessions of the same flows (~4 min) and checks what a short run can show: every session completed,
every ticket/receipt printed exactly once, every submission delivered exactly once, the outbox empty, no
thread growth, and no descriptor growth after warm-up except at most one more pooled keep-alive connection
to the gateway (requests keeps up to ``pool_size`` connections, one per concurrent call, so a probe
overlapping a submission can open a second one once; a leak would grow with the session count instead).
Memory growth needs the long run (warm-up caches dominate a short one), so it is printed, not asserted.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a hang guard: ~4 min quiet, ~15 min at load 15 on 2 cores
def test_short_soak_through_the_real_app(tmp_path):
    out = tmp_path / "soak.json"
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "soak.py"), "--sessions", "300", "--warmup", "100",
                           "--every", "100", "--json", str(out)], capture_output=True, text=True, timeout=1750,
                          cwd=str(REPO))
    print(proc.stdout[-3000:])
    assert out.exists(), proc.stderr[-3000:]
    verdict = json.loads(out.read_text())
    assert verdict["sessions"] == 300
    assert verdict["errors"] == []
    assert sum(verdict["counts"].values()) == 300 and all(verdict["counts"].values())
    assert verdict["printed_ok"] and verdict["tickets_expected"] > 0
    assert verdict["delivered_once"] and verdict["submissions"] > 0
    assert verdict["outbox_depth_end"] == 0
    assert verdict["thread_growth"] <= 0
    growth = verdict["fd_growth_by_kind"]
    assert set(growth) <= {f"tcp:{verdict['gateway_port']}"}, growth
    assert sum(growth.values()) <= 1, growth
