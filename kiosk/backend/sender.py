"""OutboxSender: the thread that delivers outbox rows to the gateway with capped, jittered backoff.

Backoff is the one policy of :mod:`kiosk.backoff` (a pure function of the attempt count), so tests drive
it with a fake clock and a fixed random source. A reply that can never succeed (4xx validation, conflict, expired resident
token) sends the row to ``dead`` with the reason; anything else — network, timeout, 5xx, 429 (honouring
Retry-After), malformed reply — is retried with the same Idempotency-Key, so the gateway applies it once.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import tzinfo
from typing import Callable

from kiosk.backend.errors import BackendError
from kiosk.backoff import backoff_delay
from kiosk.backend.outbox import Outbox, OutboxRow
from kiosk.clock import DEFAULT_ZONE, at
from kiosk.crash import log_unexpected
from kiosk.loop import LoopService, LoopThread

log = logging.getLogger(__name__)


class OutboxSender(LoopService):
    """Delivers due rows; ``start()`` runs it on a thread, ``deliver_once()`` runs one pass inline."""

    stop_timeout_s = 10.0

    def __init__(self, outbox: Outbox, client, *, backoff_base: float = 2.0, backoff_cap: float = 300.0,
                 batch: int = 32, concurrency: int = 4, idle_wait_s: float = 5.0,
                 housekeeping_s: float = 600.0, rand: Callable[[], float] = random.random,
                 tz: tzinfo = DEFAULT_ZONE) -> None:
        """``tz``: the terminal's zone (``kiosk.clock.zone_of(cfg)``), the offset ``submitted_at`` carries."""
        self.outbox, self.tz = outbox, tz
        self.client = client
        self.backoff_base, self.backoff_cap, self.rand = backoff_base, backoff_cap, rand
        self.batch, self.concurrency = batch, concurrency
        self.idle_wait_s, self.housekeeping_s = idle_wait_s, housekeeping_s
        self._loop = LoopThread("outbox-sender", self._run)
        self._pool: ThreadPoolExecutor | None = None
        self._cond = threading.Condition()
        self._attempted: dict[int, int] = {}  # row id → attempts finished, for wait_for()
        self.delivered = 0

    # ---- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> OutboxSender:
        if not self._loop.alive:
            resumed = self.outbox.recover()
            if resumed:
                log.warning("outbox: resumed %d row(s) left in flight by a crash", resumed)
        return super().start()

    def stop(self, timeout: float | None = None) -> None:
        super().stop(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def wait_for(self, row_id: int, timeout: float) -> OutboxRow | None:
        """Block until one delivery attempt of ``row_id`` has finished (or ``timeout``); return the row."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._attempted.get(row_id, 0) == 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            self._attempted.pop(row_id, None)
        return self.outbox.get(row_id)

    def _run(self) -> None:
        last_housekeeping = 0.0
        while not self._loop.stopping.is_set():
            try:
                sent = self.deliver_once()
                if time.monotonic() - last_housekeeping > self.housekeeping_s:
                    last_housekeeping = time.monotonic()
                    self.outbox.enforce_retention()
                    self.outbox.scrub()
            except Exception as exc:  # the sender must outlive a bug or a locked disk; log it and back off
                log_unexpected(log, "outbox sender pass", exc)
                sent = 0
            if sent == 0:
                due = self.outbox.next_due_at()
                wait = self.idle_wait_s if due is None else max(0.0, min(self.idle_wait_s, due - self.outbox.mono()))
                self._loop.pause(wait)

    # ---- delivery --------------------------------------------------------------------------------------
    def deliver_once(self) -> int:
        """Claim due rows and try each once; returns how many were attempted."""
        rows = self.outbox.claim(self.batch)
        if not rows:
            return 0
        if self.concurrency <= 1 or len(rows) == 1:
            for row in rows:
                self._deliver(row)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox-deliver")
            list(self._pool.map(self._deliver, rows))
        return len(rows)

    def _deliver(self, row: OutboxRow) -> None:
        if row.unreadable:  # the key file was replaced: no retry can ever open it, staff must know
            log.error("outbox row %d (%s) dead: sealed payload does not open with the key file", row.id, row.reference)
            self.outbox.mark_dead(row.id, "payload_unreadable: the outbox key file does not open this row")
            self._attempt_finished(row.id)
            return
        submitted_at = at(row.created_at, self.tz).isoformat(timespec="seconds")
        try:
            ack = self.client.submit(reference=row.reference, service_id=row.service_id, kind=row.kind,
                                     fields=row.fields or {}, token=row.token,
                                     idempotency_key=row.idempotency_key, submitted_at=submitted_at,
                                     cancel=self._loop.stopping, retry=False)  # the backoff below retries
        except BackendError as exc:
            reason = f"{exc.code}: {exc.detail}"
            if exc.permanent and exc.code != "cancelled":
                log.warning("outbox row %d (%s) dead: %s", row.id, row.reference, reason)
                self.outbox.mark_dead(row.id, reason)
            else:
                self._retry_later(row, exc.code, reason, exc.retry_after)
        except Exception as exc:  # noqa: BLE001 — a bug or an untyped failure: the row waits, the loop goes on
            log_unexpected(log, f"outbox row {row.id} attempt {row.attempts}", exc)
            self._retry_later(row, "unexpected", f"unexpected: {type(exc).__name__}", None)
        else:
            self.outbox.mark_done(row.id, ack.status)
            self.delivered += 1
        self._attempt_finished(row.id)

    def _retry_later(self, row: OutboxRow, code: str, reason: str, retry_after: float | None) -> None:
        """Back to pending after the backoff of its attempt count (or the gateway's Retry-After)."""
        delay = backoff_delay(row.attempts, base=self.backoff_base, cap=self.backoff_cap, rand=self.rand)
        if retry_after:
            delay = max(delay, min(retry_after, self.backoff_cap))
        log.info("outbox row %d attempt %d failed (%s); next in %.1f s", row.id, row.attempts, code, delay)
        self.outbox.mark_retry(row.id, self.outbox.mono() + delay, reason)  # monotonic: NTP-proof

    def _attempt_finished(self, row_id: int) -> None:
        with self._cond:
            self._attempted[row_id] = self._attempted.get(row_id, 0) + 1
            if len(self._attempted) > 10_000:  # nobody waited for these
                self._attempted.clear()
            self._cond.notify_all()
