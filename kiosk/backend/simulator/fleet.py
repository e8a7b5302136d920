"""A gateway simulator for fleet runs: a district's terminals, an outage switch, requests counted per second.

:class:`FleetGateway` is the ordinary :class:`~kiosk.backend.simulator.server.GatewaySimulator` plus what a
fleet recovery run (bench/fleet.py, tests/backend/test_fleet_recovery.py) needs to see and to do:

* ``register(ids)`` — the terminal ids the gateway accepts (any other is refused as unknown);
* ``down("refused")`` stops listening (connection refused, open connections dropped), ``down("503",
  retry_after=R)`` answers every request 503 with ``Retry-After: R``; ``up()`` serves again;
* every request that reached the server is counted per wall-clock second by kind (``heartbeat``,
  ``submission``, ``other``), and optionally logged with its terminal and Idempotency-Key, so a test can
  check a retry schedule against the Retry-After it was given. Deliveries per key are the simulator's own
  ``deliveries_by_key``.
"""
from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from typing import Any, Iterable

from kiosk.backend.simulator.server import GatewaySimulator

DOWN_MODES = ("refused", "503")


def request_kind(path: str) -> str:
    if path == "/v1/submissions":
        return "submission"
    if path.startswith("/v1/terminals/") and path.endswith("/heartbeat"):
        return "heartbeat"
    return "other"


class FleetGateway(GatewaySimulator):
    """GatewaySimulator with a down switch and per-second request counts (see the module docstring)."""

    def __init__(self, *, log_requests: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.per_second: dict[int, Counter] = defaultdict(Counter)
        self.log_requests = log_requests
        #: (time.time(), kind, terminal id, Idempotency-Key or None) per request, when ``log_requests``
        self.request_log: list[tuple[float, str, str, str | None]] = []
        self.mode = "up"
        self._count_lock = threading.Lock()
        self.observe = self._count

    def register(self, terminal_ids: Iterable[str]) -> None:
        with self.lock:
            self.known_terminals = set(self.known_terminals or ()) | set(terminal_ids)

    def _count(self, method: str, path: str, headers: dict) -> None:
        now = time.time()
        kind = request_kind(path)
        with self._count_lock:
            self.per_second[int(now)][kind] += 1
            if self.log_requests:
                h = {k.lower(): v for k, v in headers.items()}
                self.request_log.append((now, kind, h.get("x-terminal-id", ""), h.get("idempotency-key")))

    # ---- the outage switch --------------------------------------------------------------------------------
    def down(self, mode: str = "refused", *, retry_after: int | None = None) -> None:
        if mode not in DOWN_MODES:
            raise ValueError(f"unknown down mode {mode!r}; one of {DOWN_MODES}")
        if mode == "refused":
            self.stop()
        else:
            self.inject("status", times=None, status=503, retry_after=retry_after)
        self.mode = mode

    def up(self) -> None:
        if self.mode == "refused":
            self.start()  # same port: start() binds self.port, which the first start() fixed
        else:
            self.clear_faults()
        self.mode = "up"

    # ---- figures ------------------------------------------------------------------------------------------
    def series(self) -> dict[int, dict[str, int]]:
        """Requests per wall-clock second (int epoch second → {kind: count})."""
        with self._count_lock:
            return {sec: dict(c) for sec, c in sorted(self.per_second.items())}

    def delivery_report(self) -> dict[str, Any]:
        """Which Idempotency-Keys were applied and how often (replays of a stored result are not deliveries)."""
        with self.lock:
            self.heartbeats.clear()  # payloads are not needed for the figures; a fleet would fill memory
            return {"keys": set(self.deliveries_by_key), "max_per_key": max(self.deliveries_by_key.values(),
                                                                               default=0),
                    "deliveries": sum(self.deliveries_by_key.values()),
                    "attempts": sum(self.attempts_by_key.values())}
