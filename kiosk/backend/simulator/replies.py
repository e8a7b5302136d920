"""What the simulator's endpoint modules share: the reply shape, its helpers, and the state they work on.

``handlers`` and ``handoff`` answer requests against a :class:`GatewayState` — the attributes of
:class:`kiosk.backend.simulator.server.GatewaySimulator` they read and write — so neither imports the
server (which imports them): the simulator's modules form a tree, not a circle.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

#: (HTTP status, JSON body or None, extra headers)
Reply = tuple[int, "dict | None", dict]


def iso(ts: float) -> str:
    """Epoch seconds as the gateway writes instants: ISO 8601 with the +08:00 offset."""
    return datetime.fromtimestamp(ts, timezone(timedelta(hours=8))).isoformat(timespec="seconds")


def err(status: int, code: str, message: str, headers: dict | None = None, **extra: Any) -> Reply:
    return status, {"code": code, "message": message, **extra}, headers or {}


class GatewayState(Protocol):
    """The simulator's state as the endpoint handlers see it (guarded by ``lock``)."""

    lock: threading.RLock
    known_terminals: Any
    catalog: dict
    qr_ttl_s: float
    qr_interval_s: float
    handoff_ttl_s: float
    handoff_interval_s: float
    tickets: dict[str, dict]
    handoffs: dict[str, dict]
    tokens: dict[str, dict]
    idempotency: dict[tuple[str, str], tuple[str, int, dict]]
    attempts_by_key: dict[str, int]
    deliveries_by_key: dict[str, int]
    deliveries_by_reference: dict[str, int]
    submissions: dict[str, dict]
    heartbeats: list[dict]
    config_version: str
    terminal_config: dict | None
    queue_counter: int
    duty: Any  # help.DutyDesk: the duty console's help requests (help.py imports this module, not back)

    def now(self) -> float: ...
    def secret_for(self, terminal_id: str) -> bytes: ...
    def issue_token(self, name: str, id_number: str) -> dict: ...
    def check_nonce(self, nonce: str, ts: float) -> bool: ...
