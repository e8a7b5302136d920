"""kiosk/backoff.py: the one retry policy, and the three loops that use it (devices, sender, heartbeat)."""
from __future__ import annotations

import pytest

from kiosk.backoff import backoff_delay
from kiosk.ops.heartbeat import Heartbeat


@pytest.mark.parametrize("failures, low, high", [(1, 1.0, 2.0), (2, 2.0, 4.0), (3, 4.0, 8.0), (40, 30.0, 60.0)])
def test_window_doubles_up_to_the_cap_and_half_of_it_is_jitter(failures, low, high):
    assert backoff_delay(failures, base=2.0, cap=60.0, rand=lambda: 0.0) == low
    assert backoff_delay(failures, base=2.0, cap=60.0, rand=lambda: 1.0) == high


def test_zero_or_negative_failures_count_as_the_first():
    assert backoff_delay(0, base=2.0, cap=60.0, rand=lambda: 1.0) == backoff_delay(1, base=2.0, cap=60.0,
                                                                                   rand=lambda: 1.0)


def test_heartbeat_backs_off_while_failing_never_beyond_its_interval():
    hb = Heartbeat(client=None, collect=dict, interval_s=60.0)
    assert all(54.0 <= hb.next_wait(0) <= 66.0 for _ in range(50))  # the interval, ±10 % so beats drift apart
    waits = [hb.next_wait(n) for n in range(1, 30)]
    assert all(5.0 <= w <= 60.0 for w in waits) and max(waits) > 30.0  # from 10 s (half jitter) up to the interval
    quick = Heartbeat(client=None, collect=dict, interval_s=3.0)
    assert all(quick.next_wait(n) <= 3.0 for n in range(1, 30))


def test_heartbeat_wait_honours_retry_after():
    hb = Heartbeat(client=None, collect=dict, interval_s=60.0, rand=lambda: 0.0)
    hb.retry_after = 45.0
    assert hb.next_wait(1) == 45.0


def test_devices_and_sender_use_the_same_policy():
    import devices.base
    import kiosk.backend.sender

    assert devices.base.backoff_delay is backoff_delay and kiosk.backend.sender.backoff_delay is backoff_delay
