"""Suite-wide: the shifted-clock pass (issue 12 §1 — no test reads the real date or zone).

``KIOSK_TEST_NOW=2026-12-31T23:59:50+08:00 python -m pytest tests/unit tests/backend`` moves the wall clock
(``time.time``, ``datetime.now``, ``date.today`` …) to that instant for the whole session with time-machine,
ticking, so a test that leans on today's date fails on a fresh clone on any date, not only on the unlucky
one. The monotonic clock, sleeps and thread waits are left alone (time-machine does not patch them;
libfaketime would break them). Combine with ``TZ=UTC`` / ``Asia/Shanghai`` / ``America/Los_Angeles`` to
vary the machine's zone; scripts/test.sh runs one such pass after the main one.
"""
from __future__ import annotations

import os
from datetime import datetime

import pytest

SHIFT_ENV = "KIOSK_TEST_NOW"
_travel = None


def shifted_instant(value: str) -> datetime:
    """The instant ``KIOSK_TEST_NOW`` names; it must carry an offset, or it would mean the machine's zone."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise pytest.UsageError(f"{SHIFT_ENV}={value!r} is not an ISO 8601 time") from exc
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{SHIFT_ENV}={value!r} needs an offset (e.g. 2026-12-31T23:59:50+08:00)")
    return instant


def pytest_configure(config: pytest.Config) -> None:
    global _travel
    value = os.environ.get(SHIFT_ENV, "").strip()
    if value and _travel is None:
        import time_machine

        # a fixed-offset tzinfo (not a ZoneInfo), so time-machine leaves TZ — the machine's zone — as given
        _travel = time_machine.travel(shifted_instant(value), tick=True)
        _travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def pytest_report_header(config: pytest.Config) -> str | None:
    value = os.environ.get(SHIFT_ENV, "").strip()
    if not value:
        return None
    return f"wall clock shifted to {value} (ticking), TZ={os.environ.get('TZ', '(machine default)')}"
