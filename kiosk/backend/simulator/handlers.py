"""The gateway simulator's request handling: signature/clock/nonce checks and one function per endpoint.

Kept apart from the HTTP plumbing in ``server.py``; every reply here is a ``(status, body, headers)``
triple whose body matches docs/openapi.yaml (the backend tests validate each one against it).
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any
from urllib.parse import unquote

from kiosk.backend import bounds, signing
from kiosk.backend.simulator import (data as simdata, handoff as simhandoff, help as simhelp, scan as simscan,
                                     slots as simslots)
from kiosk.backend.simulator.replies import GatewayState, Reply, err, iso, on_own_ticket, open_ticket, polled

ROUTES = [(re.compile(p), m, name) for p, m, name in [
    (r"^/v1/auth/idcard$", "POST", "auth_idcard"), (r"^/v1/auth/qr-tickets$", "POST", "qr_create"),
    (r"^/v1/auth/qr-tickets/(?P<id>[^/]+)$", "GET", "qr_poll"),
    (r"^/v1/auth/qr-tickets/(?P<id>[^/]+)$", "DELETE", "qr_cancel"),
    (r"^/v1/services/(?P<id>[^/]+)/guide$", "GET", "guide"), (r"^/v1/records/(?P<kind>[^/]+)$", "GET", "record"),
    (r"^/v1/licences$", "GET", "licences"), (r"^/v1/queue-tickets$", "POST", "queue_ticket"),
    (r"^/v1/submissions$", "POST", "submission"), (r"^/v1/terminals/(?P<id>[^/]+)/heartbeat$", "POST", "heartbeat"),
    (r"^/v1/terminals/(?P<id>[^/]+)/config$", "GET", "terminal_config"),
    *simhandoff.ROUTES, *simhelp.ROUTES, *simscan.ROUTES, *simslots.ROUTES]]
REFERENCE_RE = re.compile(r"^[0-9A-Z]{1,8}-[0-9]{8}-[0-9A-Z]{6}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
SUBMISSION_KINDS = ("12345", "appointment", "delivery")
# A session token authorises submissions longer than reads: 14 days, so a queued submission survives a
# week-long outage (and the outbox's dead-row retention) instead of dying of token_expired.
SUBMISSION_GRANT_S = 14 * 86400
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def allowed_methods(path: str) -> str:
    """The ``Allow`` header for ``path`` ("" when no endpoint has that path)."""
    methods = [m for pattern, m, _name in ROUTES if pattern.match(path)]
    return ", ".join(sorted(set(methods)))


def id_number_ok(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS)) % 11]
    return value[17] == check


class Routes:
    """Checks a request and hands it to its endpoint: the core endpoints here, the hand-off, help, scanned
    code and slot endpoints to one collaborator each (``handoff``, ``help``, ``scan``, ``slots``)."""

    def __init__(self, sim: GatewayState) -> None:
        self.sim = sim
        self.handoff = simhandoff.HandoffRoutes(sim, self.session)
        self.help = simhelp.HelpRoutes(sim)
        self.scan = simscan.ScanRoutes(sim)
        self.slots = simslots.SlotRoutes(sim)
        groups = (self.handoff, self.help, self.scan, self.slots)
        #: endpoint name (ROUTES) -> the method that answers it
        self._endpoints = {name: getattr(next((g for g in groups if hasattr(g, name)), self), name)
                           for _pattern, _method, name in ROUTES}

    def dispatch(self, method: str, raw_path: str, headers: dict, body: bytes, *, bad_signature: bool) -> Reply:
        h = {k.lower(): v for k, v in headers.items()}
        path = raw_path.split("?", 1)[0]
        match = None
        for pattern, m, name in ROUTES:
            found = pattern.match(path)
            if found and m == method:
                match = (name, {k: unquote(v) for k, v in found.groupdict().items()})
                break
        if match is None:
            allow = allowed_methods(path)
            return err(405, "method_not_allowed", "method not allowed", {"Allow": allow}) if allow else \
                err(404, "not_found", "no such endpoint")
        problem = self._check_signature(method, raw_path, h, body, bad_signature)
        if problem is not None:
            return problem
        data = None
        if method == "POST":
            try:
                data = bounds.loads(body) if body else None
            except bounds.JsonBoundsError as exc:
                return err(400, "bad_json", f"request body is not acceptable JSON: {exc}")
            if not isinstance(data, dict):
                return err(400, "bad_json", "request body must be a JSON object")
        name, params = match
        return self._endpoints[name](h, data or {}, **params)

    # ---- authentication --------------------------------------------------------------------------------
    def _check_signature(self, method: str, raw_path: str, h: dict, body: bytes, forced_bad: bool) -> Reply | None:
        terminal, ts, nonce, sig = (h.get(k.lower()) for k in (signing.HEADER_TERMINAL, signing.HEADER_TIMESTAMP,
                                                               signing.HEADER_NONCE, signing.HEADER_SIGNATURE))
        if not (terminal and ts and nonce and sig):
            return err(401, "missing_signature", "X-Terminal-Id, X-Timestamp, X-Nonce and X-Signature are required")
        # ASCII digits only and at most 12 of them: int() would take "٣" or fail past 4,300 digits
        if not re.fullmatch(r"[0-9]{1,12}", ts) or not re.fullmatch(r"[0-9a-f]{32}", nonce):
            return err(401, "bad_signature", "malformed X-Timestamp or X-Nonce")
        now = self.sim.now()
        if abs(now - int(ts)) > signing.SKEW_WINDOW_S:
            return err(401, "clock_skew", f"timestamp outside ±{signing.SKEW_WINDOW_S} s",
                       server_time=iso(now), server_time_epoch=int(now))
        if terminal not in self.sim.registered_terminals():
            return err(401, "unknown_terminal", "terminal is not registered with the gateway")
        secret = self.sim.secret_for(terminal)
        if forced_bad or not signing.verify(secret, method, raw_path, ts, nonce, body, sig):
            return err(401, "bad_signature", "signature does not verify")
        if not self.sim.check_nonce(nonce, int(ts)):
            return err(401, "replayed_nonce", "nonce already used")
        return None

    def session(self, h: dict, *, grant_s: float | None = None) -> tuple[dict | None, Reply | None]:
        auth = h.get("authorization", "")
        if not auth.startswith("Bearer "):
            return None, err(401, "token_invalid", "a Bearer session token is required")
        with self.sim.lock:
            info = self.sim.tokens.get(auth[7:])
        if info is None:
            return None, err(401, "token_invalid", "unknown session token")
        limit = info["issued"] + grant_s if grant_s is not None else info["expires"]
        if time.time() > limit:
            return None, err(401, "token_expired", "session token expired")
        return info, None

    def auth_idcard(self, h: dict, data: dict) -> Reply:
        if data.get("card_type") not in ("resident", "J", "I", "Y"):
            return err(422, "validation_failed", "card_type must be resident, J, I or Y", fields=["card_type"])
        if data.get("card_type") == "resident" and not id_number_ok(data.get("id_number")):
            return err(422, "validation_failed", "id_number is not a valid resident ID number", fields=["id_number"])
        if not isinstance(data.get("id_number"), str) or not isinstance(data.get("name"), str) or not data["name"]:
            return err(422, "validation_failed", "id_number and name are required", fields=["id_number", "name"])
        return 200, self.sim.issue_token(data["name"], data["id_number"]), {}

    # ---- QR login --------------------------------------------------------------------------------------
    def qr_create(self, h: dict, data: dict) -> Reply:
        return open_ticket(self.sim.lock, self.sim.tickets, "qt_", h, link=("qr_url", "https://qr.gateway.invalid/l/"),
                           ttl_s=self.sim.qr_ttl_s, interval_s=self.sim.qr_interval_s, last_poll=0.0, session=None)

    def qr_poll(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002 — the path parameter's name
        return on_own_ticket(self.sim.lock, self.sim.tickets, id, h, "no such QR ticket", _poll_qr)

    def qr_cancel(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002
        return on_own_ticket(self.sim.lock, self.sim.tickets, id, h, "no such QR ticket", _cancel_qr)

    # ---- content ---------------------------------------------------------------------------------------
    def guide(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002
        payload = simdata.guide_payload(id, self.sim.catalog.get(id))
        if payload is None:
            return err(404, "not_found", f"no guide for service {id!r}")
        return 200, payload, {}

    def record(self, h: dict, data: dict, kind: str) -> Reply:
        info, problem = self.session(h)
        if problem:
            return problem
        payload = simdata.record_payload(kind, info["display_name"], iso(time.time()))
        if payload is None:
            return err(404, "not_found", f"no record kind {kind!r}")
        return 200, payload, {}

    def licences(self, h: dict, data: dict) -> Reply:
        info, problem = self.session(h)
        if problem:
            return problem
        return 200, simdata.licences_payload(info["display_name"], info["id_masked"]), {}

    def queue_ticket(self, h: dict, data: dict) -> Reply:
        service_id = data.get("service_id")
        if not isinstance(service_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", service_id):
            return err(422, "validation_failed", "service_id is required", fields=["service_id"])
        if "authorization" in h:
            _, problem = self.session(h)
            if problem:
                return problem
        with self.sim.lock:
            self.sim.queue_counter += 1
            n = self.sim.queue_counter
        zh, en = simdata.QUEUE_WINDOWS[n % len(simdata.QUEUE_WINDOWS)]
        return 201, {"number": f"A{n:03d}", "service_id": service_id, "window_zh": zh, "window_en": en,
                     "waiting": (n * 7) % 13, "issued_at": iso(time.time())}, {}

    # ---- submissions (idempotent) ----------------------------------------------------------------------
    def submission(self, h: dict, data: dict) -> Reply:
        key = h.get("idempotency-key")
        if not key or not KEY_RE.fullmatch(key):
            return err(400, "idempotency_key_required", "Idempotency-Key header (16-128 chars) is required")
        fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        scoped = (h["x-terminal-id"], key)  # keys are scoped per terminal
        with self.sim.lock:
            self.sim.attempts_by_key[key] = self.sim.attempts_by_key.get(key, 0) + 1
            seen = self.sim.idempotency.get(scoped)
        if seen is not None:
            if seen[0] != fingerprint:
                return err(409, "idempotency_conflict", "Idempotency-Key reused with a different body")
            return seen[1], seen[2], {"Idempotent-Replayed": "true"}
        problem = self._validate_submission(h, data)
        if problem is not None:
            return problem
        reply = {"reference": data["reference"], "status": "received", "received_at": iso(time.time())}
        with self.sim.lock:
            if scoped in self.sim.idempotency:  # a concurrent duplicate won the race: answer as it did
                seen = self.sim.idempotency[scoped]
                return seen[1], seen[2], {"Idempotent-Replayed": "true"}
            self.sim.idempotency[scoped] = (fingerprint, 201, reply)
            self.sim.deliveries_by_key[key] = self.sim.deliveries_by_key.get(key, 0) + 1
            ref = data["reference"]
            self.sim.deliveries_by_reference[ref] = self.sim.deliveries_by_reference.get(ref, 0) + 1
            self.sim.submissions[ref] = {"service_id": data["service_id"], "kind": data["kind"],
                                         "field_names": sorted(data["fields"]),
                                         "fields": dict(data["fields"])}  # as received (a test reads it back)
        self.handoff.handoff_attach(data["fields"], ref)
        return 201, reply, {}

    def _validate_submission(self, h: dict, data: dict) -> Reply | None:
        bad = [k for k, ok in [("reference", isinstance(data.get("reference"), str)
                                and REFERENCE_RE.fullmatch(data["reference"])),
                               ("service_id", isinstance(data.get("service_id"), str) and data["service_id"]),
                               ("kind", data.get("kind") in SUBMISSION_KINDS),
                               ("fields", isinstance(data.get("fields"), dict)),
                               ("submitted_at", isinstance(data.get("submitted_at"), str))] if not ok]
        if bad:
            return err(422, "validation_failed", "invalid submission: " + ", ".join(bad), fields=bad)
        phone = data["fields"].get("phone")
        if phone is not None and not (isinstance(phone, str) and MOBILE_RE.fullmatch(phone)):
            return err(422, "validation_failed", "phone must be an 11-digit mainland mobile number",
                       fields=["fields.phone"])
        if "authorization" in h:
            _, problem = self.session(h, grant_s=SUBMISSION_GRANT_S)
            if problem:
                return problem
        unusable = self.handoff.handoff_fields(h, data["fields"])
        if unusable:
            return err(422, "validation_failed", "a field names a hand-off that is unknown or not submitted",
                       fields=unusable)
        return None

    def heartbeat(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002
        if id != h["x-terminal-id"]:
            return err(403, "terminal_mismatch", "heartbeat path names another terminal")
        if not isinstance(data.get("app_version"), str) or not isinstance(data.get("uptime_s"), (int, float)):
            return err(422, "validation_failed", "app_version and uptime_s are required",
                       fields=["app_version", "uptime_s"])
        with self.sim.lock:
            self.sim.heartbeats.append(data)
        self.sim.duty.seen(h["x-terminal-id"], data)  # the duty console shows each terminal's last beat
        return 200, {"config_version": self.sim.config_version, "server_time": iso(self.sim.now())}, {}

    def terminal_config(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002
        if id != h["x-terminal-id"]:
            return err(403, "terminal_mismatch", "config path names another terminal")
        with self.sim.lock:
            published = self.sim.terminal_config
        if published is None:
            return err(404, "not_found", "no configuration published for this terminal")
        return 200, published, {}


def _poll_qr(t: dict) -> Reply:
    """A QR ticket's poll: expire it when due, ask a terminal polling too fast to slow down."""
    # expiry is a time of day the gateway states (``expires_at``); the poll pace is a duration
    if t["state"] in ("waiting", "scanned") and time.time() > t["expires"]:
        t["state"] = "expired"
    tick = time.monotonic()
    slow = bool(t["last_poll"]) and tick - t["last_poll"] < t["interval_s"] * 0.8
    if slow:
        t["interval_s"] = min(t["interval_s"] + 1.0, 10.0)
    t["last_poll"] = tick
    reply = polled(t, slow_down=slow)
    if t["state"] == "confirmed":
        reply["session"] = t["session"]
    return 200, reply, {}


def _cancel_qr(t: dict) -> Reply:
    if t["state"] in ("waiting", "scanned"):
        t["state"] = "cancelled"
    return 204, None, {}
