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
    assert hb.next_wait(0) == 60.0
    waits = [hb.next_wait(n) for n in range(1, 30)]
    assert all(0.0 < w <= 10.0 for w in waits) and max(waits) > 5.0
    quick = Heartbeat(client=None, collect=dict, interval_s=3.0)
    assert all(quick.next_wait(n) <= 3.0 for n in range(1, 30))


def test_devices_and_sender_use_the_same_policy():
    import devices.base
    import kiosk.backend.sender

    assert devices.base.backoff_delay is backoff_delay and kiosk.backend.sender.backoff_delay is backoff_delay
