"""The life of one background loop (the outbox sender, the heartbeat): one named daemon thread, a stop event
that is also the cancel token of the calls the loop makes, and a wake event that cuts its wait short.

Starting twice starts one thread; stopping wakes the loop, joins it with a timeout (never from the loop's own
thread) and says so in the log when the thread did not end. The loop body owns its own policy (what to do,
how long to wait); this owns only the thread. :class:`LoopService` is the start/stop/wake face that every
object running one such loop shows its callers.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable, Self

log = logging.getLogger(__name__)


class LoopThread:
    """``body`` runs on a thread named ``name`` from :meth:`start` until it returns; it should loop
    ``while not loop.stopping.is_set()`` and wait with :meth:`pause`."""

    def __init__(self, name: str, body: Callable[[], None]) -> None:
        self.name = name
        self._body = body
        #: set by :meth:`stop`; pass it as ``cancel`` to the blocking calls the loop makes
        self.stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start the thread unless it runs; True when this call started it."""
        if self.alive:
            return False
        self.stopping.clear()
        self._thread = threading.Thread(target=self._body, name=self.name, daemon=True)
        self._thread.start()
        return True

    def stop(self, timeout: float) -> bool:
        """Ask the loop to end, wake it and wait up to ``timeout`` s; False (and an error logged) if it did not."""
        self.stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        if thread.is_alive():
            log.error("%s thread did not stop within %.1fs", self.name, timeout)
            return False
        return True

    def wake(self) -> None:
        """Cut the loop's current :meth:`pause` short."""
        self._wake.set()

    def pause(self, seconds: float) -> None:
        """Wait up to ``seconds`` (a monotonic wait, not the wall clock) or until woken or stopped."""
        self._wake.wait(seconds)
        self._wake.clear()


class LoopService:
    """``start``/``running``/``stop``/``wake`` of an object whose work is one :class:`LoopThread` in ``_loop``
    (the outbox sender, the heartbeat, the watchdog's UI pinger); a subclass adds what its own start or stop
    needs around these."""

    _loop: LoopThread
    #: how long :meth:`stop` waits for the thread unless told otherwise
    stop_timeout_s = 5.0

    def start(self) -> Self:
        self._loop.start()
        return self

    @property
    def running(self) -> bool:
        return self._loop.alive

    def stop(self, timeout: float | None = None) -> None:
        """Stop the loop (its stop event cancels a call in flight) and wait up to ``timeout`` s for it."""
        self._loop.stop(self.stop_timeout_s if timeout is None else timeout)

    def wake(self) -> None:
        """Do the loop's work now rather than when its current wait ends (a new row, a failed call)."""
        self._loop.wake()
