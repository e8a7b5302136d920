"""What the decoder fuzz tests share: the hypothesis budget (fixed and derandomised in CI; bench/fuzz.py sets
``KIOSK_FUZZ_EXAMPLES`` and ``KIOSK_FUZZ_RANDOM`` for longer random runs) and cutting bytes into chunks."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def budget(default_examples: int = 300) -> settings:
    return settings(max_examples=int(os.environ.get("KIOSK_FUZZ_EXAMPLES", str(default_examples))), deadline=None,
                    derandomize=not os.environ.get("KIOSK_FUZZ_RANDOM"),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


CI = budget()


def chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the positions ``cuts`` (taken modulo its length + 1), in order, nothing lost."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, prev = [], 0
    for p in points + [len(data)]:
        out.append(data[prev:p])
        prev = p
    return out
