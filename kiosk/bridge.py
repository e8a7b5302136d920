"""The single hand-off from worker threads to the UI thread.

Device listeners and background tasks never touch the session directly: they ``post(fn, *args)`` and the
UI thread runs ``fn(*args)`` later. Under Kivy that is ``Clock.schedule_once`` (``KivyBridge`` in
kiosk/app.py — Kivy must not be imported here); tests use :class:`QueueBridge` and pump it by hand so the
order of events is deterministic. No library offers this two-line seam without pulling in an event loop.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any, Callable

log = logging.getLogger(__name__)


class UiBridge:
    """Interface: run ``fn(*args)`` on the UI thread soon. ``post`` is safe from any thread.

    ``last_resort`` (a :class:`kiosk.crash.LastResort`, set by the Runtime): when set, whatever a posted
    call raises is handled there (logged, session wiped, staff alerted) instead of reaching the loop."""

    last_resort: Any = None

    def _guarded(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        last_resort = self.last_resort
        return fn if last_resort is None else last_resort.guard(fn, "bridge")

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        raise NotImplementedError


class QueueBridge(UiBridge):
    """Collects posts; :meth:`pump` runs them on the calling thread (the test's "UI thread")."""

    def __init__(self) -> None:
        self._queue: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._lock = threading.Lock()
        self._posted = threading.Condition(self._lock)

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        with self._posted:
            self._queue.append((fn, args))
            self._posted.notify_all()

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def pump(self) -> int:
        """Run everything posted so far (and anything those calls post). Returns how many ran."""
        ran = 0
        while True:
            with self._lock:
                if not self._queue:
                    return ran
                fn, args = self._queue.popleft()
            self._guarded(fn)(*args)
            ran += 1

    def pump_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Pump until ``predicate()`` is true or ``timeout`` seconds passed; returns the predicate."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if predicate():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._posted:
                if not self._queue:
                    self._posted.wait(min(remaining, 0.05))
