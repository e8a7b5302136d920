"""The one retry policy: capped exponential backoff with "equal jitter", a pure function of the failure count.

Used by the device drivers (reopening a port that went away), the outbox sender (delivering a submission)
and the heartbeat (reaching a gateway that is down). Half of each window is fixed, so a crowd of kiosks
never retries in a hot loop; half is random, so they do not retry in step after an outage. Callers wait the
delay on a monotonic clock (``Event.wait``, ``time.monotonic``), never on the wall clock; tests pass
``rand`` to fix the jitter. (HTTP requests retried inside one gateway call use urllib3's ``Retry``, whose
sleeps are cut short by the caller's cancel: see kiosk/backend/client.py.)
"""
from __future__ import annotations

import random
from typing import Callable


def backoff_delay(failures: int, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after ``failures`` failed tries (1 = the first failure).

    The window doubles from ``base`` up to ``cap``; the delay lies in ``[window / 2, window]``.
    """
    window = min(cap, base * 2 ** max(0, failures - 1))
    return window / 2 + rand() * window / 2
