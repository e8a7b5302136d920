"""The heartbeat's wait after a beat (kiosk.ops.heartbeat.next_beat_delay): steady interval when up; when the
gateway is unreachable a jittered backoff up to the interval (never a fixed short probe period that brings a
whole district back at once) and never sooner than a Retry-After."""
from __future__ import annotations

import random

from kiosk.ops.heartbeat import next_beat_delay


def test_success_waits_the_interval_give_or_take_ten_percent():
    assert next_beat_delay(True, 0, interval_s=60, retry_after=120, rand=lambda: 0.5) == 60
    assert next_beat_delay(True, 0, interval_s=60, rand=lambda: 0.0) == 54
    assert next_beat_delay(True, 0, interval_s=60, rand=lambda: 1.0) == 66


def test_beats_answered_together_drift_apart():
    # 500 terminals whose beats a slow gateway answered in the same second: after five beats they no longer
    # arrive as one spike (a fixed interval would keep all 500 in that second for good)
    rng = random.Random(3)
    at = [0.0] * 500
    for _ in range(5):
        at = [t + next_beat_delay(True, 0, interval_s=60, rand=rng.random) for t in at]
    assert max(sum(1 for t in at if s <= t < s + 1) for s in range(int(min(at)), int(max(at)) + 1)) < 500 / 4


def test_failures_back_off_with_jitter_up_to_the_interval():
    lo = [next_beat_delay(False, n, interval_s=60, down_base_s=10, rand=lambda: 0.0) for n in range(1, 7)]
    hi = [next_beat_delay(False, n, interval_s=60, down_base_s=10, rand=lambda: 1.0) for n in range(1, 7)]
    assert lo == [5, 10, 20, 30, 30, 30] and hi == [10, 20, 40, 60, 60, 60]


def test_retry_after_is_honoured_and_bounded():
    assert next_beat_delay(False, 1, interval_s=60, retry_after=45, rand=lambda: 0.0) == 45
    assert next_beat_delay(False, 5, interval_s=60, retry_after=5, rand=lambda: 0.0) == 30  # backoff is longer
    assert next_beat_delay(False, 1, interval_s=60, retry_after=86400) == 600  # at most ten intervals


def test_a_long_outage_spreads_a_districts_probes_over_half_an_interval():
    # 2,000 terminals that have failed for a while: how many probe within any 10 s once the gateway is back.
    rng = random.Random(7)
    waits = [next_beat_delay(False, 8, interval_s=60, rand=rng.random) for _ in range(2000)]
    assert min(waits) >= 30 and max(waits) <= 60
    busiest = max(sum(1 for w in waits if s <= w < s + 10) for s in range(30, 60))
    assert busiest < 2000 * 10 / 30 * 1.2  # about uniform: no 10 s holds more than its share (+20 %)
