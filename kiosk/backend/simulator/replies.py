"""What the simulator's endpoint modules share: the reply shape, its helpers, terminal-bound tickets (QR
login, phone hand-off) and the state they work on.

``handlers`` and ``handoff`` answer requests against a :class:`GatewayState` — the attributes of
:class:`kiosk.backend.simulator.server.GatewaySimulator` they read and write — so neither imports the
server (which imports them): the simulator's modules form a tree, not a circle.
"""
from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Protocol

#: (HTTP status, JSON body or None, extra headers)
Reply = tuple[int, "dict | None", dict]


def iso(ts: float) -> str:
    """Epoch seconds as the gateway writes instants: ISO 8601 with the +08:00 offset."""
    return datetime.fromtimestamp(ts, timezone(timedelta(hours=8))).isoformat(timespec="seconds")


def err(status: int, code: str, message: str, headers: dict | None = None, **extra: Any) -> Reply:
    return status, {"code": code, "message": message, **extra}, headers or {}


def open_ticket(lock: threading.RLock, table: dict[str, dict], prefix: str, h: dict, *, link: tuple[str, str],
                ttl_s: float, interval_s: float, **extra: Any) -> Reply:
    """201 for a new ``waiting`` ticket of the terminal that asked (``h``: the request headers), expiring after
    ``ttl_s``, polled every ``interval_s``, stored in ``table`` under ``lock``. The reply names the ticket, the
    URL a phone opens (``link``: its key and the URL before the ticket id), expiry and poll interval."""
    ticket_id = prefix + secrets.token_urlsafe(12)
    entry = {"id": ticket_id, "terminal": h["x-terminal-id"], "state": "waiting", "expires": time.time() + ttl_s,
             "interval_s": interval_s, **extra}
    with lock:
        table[ticket_id] = entry
    return 201, {"id": ticket_id, link[0]: link[1] + ticket_id, "expires_at": iso(entry["expires"]),
                 "interval_s": interval_s}, {}


def on_own_ticket(lock: threading.RLock, table: dict[str, dict], ticket_id: str, h: dict, missing: str,
                  act: Callable[[dict], Reply]) -> Reply:
    """``act(ticket)`` under ``lock`` when the terminal asking made the ticket ``ticket_id``; else a 404 saying
    ``missing`` — a ticket is bound to its terminal: another one is told it does not exist."""
    with lock:
        entry = bound_ticket(table, ticket_id, h)
        return act(entry) if entry is not None else err(404, "not_found", missing)


def bound_ticket(table: dict[str, dict], ticket_id: str, h: dict) -> dict | None:
    """The ticket ``ticket_id`` if the terminal asking made it, else None. Call under the state's lock."""
    entry = table.get(ticket_id)
    return entry if entry is not None and entry["terminal"] == h["x-terminal-id"] else None


def polled(entry: dict, **extra: Any) -> dict:
    """A poll's answer for a ticket: its id, state, poll interval and expiry (and ``extra``)."""
    return {"id": entry["id"], "state": entry["state"], "interval_s": entry["interval_s"], **extra,
            "expires_at": iso(entry["expires"])}


#: ``Routes.session``: the resident session a request's Bearer token names, or the 401 to answer instead
SessionCheck = Callable[[dict], "tuple[dict | None, Reply | None]"]


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
