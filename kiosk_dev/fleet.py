"""Headless terminals for fleet runs: the kiosk's real heartbeat loop and outbox sender, no UI, no devices.

A :class:`HeadlessTerminal` is what the Runtime builds for the back end — one GatewayClient, its own SQLite
outbox, an :class:`~kiosk.backend.sender.OutboxSender` and a :class:`~kiosk.ops.heartbeat.Heartbeat` (its own
loop — the same loop the Runtime runs, with its one wait policy ``next_beat_delay``) — so bench/fleet.py can run
thousands of them against one gateway simulator, and tests/backend/test_fleet_recovery.py a few.

:class:`Timing` compresses time: every period of the retry/heartbeat policy (heartbeat interval, first wait
after a failed beat, outbox backoff base and cap, the client's own retry backoff and Retry-After cap, the
sender's idle wait) is divided by the same ``scale``, so the shape of a recovery is kept while it runs
``scale`` times faster. Connect/read timeouts are not schedule and are left as configured.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from pathlib import Path

from kiosk.backend.client import GatewayClient
from kiosk.backend.outbox import Outbox
from kiosk.backend.sender import OutboxSender
from kiosk.backend.submissions import make_reference
from kiosk.ops.heartbeat import DOWN_BASE_S, Heartbeat, runtime_snapshot


@dataclass(frozen=True)
class Timing:
    """The kiosk's periods (seconds); :meth:`compressed` divides all of them by one factor."""

    heartbeat_interval_s: float = 60.0      # config/terminal.yaml backend.heartbeat_interval_s
    down_base_s: float = DOWN_BASE_S        # first wait after a failed beat
    backoff_base_s: float = 2.0             # OutboxSender defaults
    backoff_cap_s: float = 300.0
    idle_wait_s: float = 5.0
    client_backoff_s: float = 0.3           # GatewayClient defaults (urllib3 Retry inside one attempt)
    client_backoff_max_s: float = 4.0
    client_retry_after_max_s: float = 10.0

    @classmethod
    def compressed(cls, scale: float) -> "Timing":
        return cls(**{f.name: getattr(cls, f.name) / scale for f in fields(cls)})


class HeadlessTerminal:
    """One terminal's back end. ``start()`` starts the sender and the heartbeat; ``submit()`` queues one
    submission durably (as SubmissionService does) and wakes the sender; ``close()`` stops everything."""

    def __init__(self, terminal_id: str, base_url: str, outbox_dir: Path, *, secret: bytes, ca_bundle: Path,
                 timing: Timing, retries: int = 3, read_timeout_s: float = 10.0) -> None:
        self.terminal_id = terminal_id
        self.timing = timing
        self.outbox = Outbox(Path(outbox_dir) / f"{terminal_id}.sqlite3")
        self.client = GatewayClient(base_url, terminal_id=terminal_id, secret=secret, ca_bundle=ca_bundle,
                                    read_timeout_s=read_timeout_s, retries=retries,
                                    backoff_factor=timing.client_backoff_s, backoff_max_s=timing.client_backoff_max_s,
                                    retry_after_max_s=timing.client_retry_after_max_s, pool_size=2)
        # concurrency=1 as in kiosk/runtime.py: one terminal delivers its rows one after another
        self.sender = OutboxSender(self.outbox, self.client, backoff_base=timing.backoff_base_s,
                                   backoff_cap=timing.backoff_cap_s, concurrency=1, idle_wait_s=timing.idle_wait_s)
        self.heartbeat = Heartbeat(self.client, lambda: runtime_snapshot({}, self.outbox),
                                   interval_s=timing.heartbeat_interval_s, down_base_s=timing.down_base_s)
        self.keys: list[str] = []
        self._lock = threading.Lock()

    def start(self) -> "HeadlessTerminal":
        self.outbox.recover()
        self.sender.start()
        self.heartbeat.start()
        return self

    def submit(self, now: float) -> str:
        """Queue one 12345 hotline submission; returns its Idempotency-Key."""
        reference = make_reference(self.terminal_id, now)
        key = f"fleet-{reference}"
        self.outbox.enqueue(reference=reference, idempotency_key=key, service_id="hotline-12345", kind="12345",
                            fields={"phone": "13812345678", "content": "路灯不亮（压力测试）"}, token=None)
        with self._lock:
            self.keys.append(key)
        self.sender.wake()
        return key

    def depth(self) -> int:
        return self.outbox.depth()

    def dead(self) -> int:
        return self.outbox.counts()["dead"]

    def close(self) -> None:
        self.heartbeat.stop()
        self.sender.stop()
        self.client.close()
        self.outbox.close()
