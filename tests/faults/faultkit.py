"""Shared helpers for the fault suite: event recorders, bounded waits, and the fault record table.

Every fault test records one row — fault, app kept running, truthful message, lost/duplicated, seconds to
recovery — through :func:`record`. Rows are printed at the end of the run (``-s`` shows them) and, when
``KIOSK_FAULT_REPORT`` names a file, appended there as JSON lines; docs/PERFORMANCE.md quotes them.
Recovery times are figures, not assertions (timing targets are measured, not asserted — house rule);
the tests assert the behaviour: recovered at all, message true, nothing lost or duplicated.
"""
from __future__ import annotations

import json
import os
import threading
import time
from typing import Any, Callable

ROWS: list[dict[str, Any]] = []


def record(fault: str, *, kept_running: bool, message: str, lost: int, duplicated: int,
           recovery_s: float | None, note: str = "") -> dict[str, Any]:
    row = {"fault": fault, "kept_running": kept_running, "message": message, "lost": lost,
           "duplicated": duplicated, "recovery_s": None if recovery_s is None else round(recovery_s, 3),
           "note": note}
    ROWS.append(row)
    path = os.environ.get("KIOSK_FAULT_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.01) -> Any:
    """Poll until ``predicate()`` is truthy; return its value, or None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


class Events:
    """Collect device events (called on the device worker) with arrival times."""

    def __init__(self) -> None:
        self.items: list[tuple[float, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        with self._lock:
            self.items.append((time.monotonic(), event))

    def named(self, name: str, **match: Any) -> list[tuple[float, Any]]:
        with self._lock:
            return [(t, e) for t, e in self.items
                    if e.name == name and all(e.data.get(k) == v for k, v in match.items())]

    def first_after(self, t0: float, name: str, **match: Any) -> tuple[float, Any] | None:
        for t, e in self.named(name, **match):
            if t >= t0:
                return t, e
        return None
