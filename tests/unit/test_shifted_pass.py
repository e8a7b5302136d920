"""The shifted-clock pass really moves the wall clock (tests/conftest.py, ``KIOSK_TEST_NOW``) and nothing else:
the wall clock reads the shifted instant and ticks, the monotonic clock is untouched, the zone is the ``TZ``
given, and kiosk.clock follows it into the terminal's zone."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk import clock

ROOT = Path(__file__).resolve().parents[2]
SHIFT = "2028-02-29T12:00:00+08:00"


def test_wall_clock_matches_the_shift():
    value = os.environ.get("KIOSK_TEST_NOW")
    if not value:
        pytest.skip("runs inside the shifted pass (and from the test below)")
    target = datetime.fromisoformat(value)
    now = clock.utc_now()
    assert timedelta(0) <= now - target < timedelta(minutes=30)  # moved there, and ticking since the start
    assert clock.now_in().date() == target.astimezone(clock.DEFAULT_ZONE).date()
    first, mono = clock.wall_time(), time.monotonic()
    time.sleep(0.05)
    assert clock.wall_time() > first and time.monotonic() - mono >= 0.05  # both run; sleeps still sleep
    if os.environ.get("TZ") == "America/Los_Angeles":
        assert time.tzname == ("PST", "PDT")  # the machine's zone is the one given, not the shift's offset


def run_pytest(env_now: str, tz: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIOSK_TEST_NOW": env_now, "TZ": tz}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           f"{Path(__file__).relative_to(ROOT)}::test_wall_clock_matches_the_shift"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_shifted_pass_moves_the_wall_clock():
    result = run_pytest(SHIFT, "America/Los_Angeles")
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
    assert f"wall clock shifted to {SHIFT} (ticking), TZ=America/Los_Angeles" in result.stdout


def test_a_shift_without_an_offset_is_refused():
    result = run_pytest("2028-02-29T12:00:00", "UTC")
    assert result.returncode != 0 and "needs an offset" in result.stdout + result.stderr
