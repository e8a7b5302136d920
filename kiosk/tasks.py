"""Cancellable background tasks whose results come back on the UI thread.

``TaskRunner.spawn(name, fn, on_done=, on_error=, timeout=)`` runs ``fn(cancel_event)`` on a small worker
pool and posts ``on_done(result)`` or ``on_error(exc)`` through the UI bridge. ``Task.cancel()`` sets the
event (the backend client and drivers check it) and guarantees neither callback runs afterwards. A task that
outlives ``timeout`` is cancelled and reported as :class:`TaskTimeout` at once; its thread is left to finish
its own bounded call (every blocking call below has its own timeout), since Python cannot kill a thread.

``concurrent.futures`` gives the pool; it has no cancel-a-running-call, deadline or UI hand-off, which is
the 80 lines here.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from kiosk.bridge import UiBridge

log = logging.getLogger(__name__)


class TaskTimeout(Exception):
    """The task did not finish within its timeout."""

    message_zh = "等待时间过长，请重试"
    message_en = "This took too long — please try again"


class Task:
    def __init__(self, name: str) -> None:
        self.name = name
        self.cancel_event = threading.Event()
        self._finished = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def cancel(self) -> None:
        """Stop caring about this task: its callbacks will not run; blocking calls see the event."""
        self.cancel_event.set()
        if self._timer is not None:
            self._timer.cancel()

    def _claim(self) -> bool:
        """True exactly once: for whichever of result / error / timeout comes first."""
        with self._lock:
            if self._finished or self.cancel_event.is_set():
                return False
            self._finished = True
            if self._timer is not None:
                self._timer.cancel()
            return True


class TaskRunner:
    def __init__(self, bridge: UiBridge, *, max_workers: int = 6) -> None:
        self.bridge = bridge
        self._pool: ThreadPoolExecutor | None = None
        self._max_workers = max_workers
        self._lock = threading.Lock()
        self._live: set[Task] = set()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:  # created lazily: importing/constructing starts no thread
                self._pool = ThreadPoolExecutor(self._max_workers, thread_name_prefix="task")
            return self._pool

    def prestart(self, timeout: float = 5.0) -> None:
        """Start every worker now.

        ThreadPoolExecutor starts its workers one at a time, only when calls happen to overlap, so a kiosk's
        thread count would creep up towards the bound over its first hours — bounded, but indistinguishable
        from a leak in the heartbeat's figures and in the soak. Started together, the count is fixed from
        the first minute. Each worker waits at a barrier until all of them run (bounded by ``timeout``).
        """
        pool = self._executor()
        gate = threading.Barrier(self._max_workers)
        started = [pool.submit(gate.wait, timeout) for _ in range(self._max_workers)]
        for future in started:
            future.result(timeout=timeout * 2)

    def spawn(self, name: str, fn: Callable[[threading.Event], Any], *, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None], timeout: float) -> Task:
        task = Task(name)
        with self._lock:
            self._live.add(task)

        def forget() -> None:
            with self._lock:
                self._live.discard(task)

        def deliver(callback: Callable[[Any], None], value: Any) -> None:
            # checked again on the UI thread: a cancel between post and run still wins
            if not task.cancelled or isinstance(value, TaskTimeout):
                callback(value)

        def run() -> None:
            try:
                result = fn(task.cancel_event)
            except BaseException as exc:  # every failure must reach the session as a message
                forget()
                if task._claim():
                    self.bridge.post(deliver, on_error, exc)
                elif not task.cancelled:
                    log.debug("task %s failed after its timeout: %s", name, exc)
                return
            forget()
            if task._claim():
                self.bridge.post(deliver, on_done, result)

        def expire() -> None:
            if task._claim():
                log.warning("task %s timed out after %.1fs", name, timeout)
                task.cancel_event.set()
                self.bridge.post(on_error, TaskTimeout(f"{name} timed out after {timeout:.1f}s"))

        task._timer = threading.Timer(timeout, expire)
        task._timer.daemon = True
        task._timer.start()
        self._executor().submit(run)
        return task

    def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel every running task (their blocking calls see the event) and stop the pool."""
        with self._lock:
            pool, self._pool = self._pool, None
            live, self._live = list(self._live), set()
        for task in live:
            task.cancel()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
            done = threading.Event()
            threading.Thread(target=lambda: (pool.shutdown(wait=True), done.set()), daemon=True).start()
            if not done.wait(timeout):
                log.warning("background tasks still running after %.1fs at shutdown", timeout)
