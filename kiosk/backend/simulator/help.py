"""The gateway simulator's 一键求助 endpoints (``/v1/help-requests``) and the duty desk behind them.

A kiosk asks for a person: terminal (from the signature), where it stands, which screen and service the
resident is on, elder mode and language — nothing about the resident. The request waits ``pending`` until a
duty post acknowledges it with an ETA in minutes (the duty console, :mod:`kiosk.backend.simulator.console`, or
:meth:`DutyDesk.acknowledge` in a test); a post that cannot come answers with a number to call, and a
request nobody picked up within ``call_after_s`` turns into "call" by itself, so the resident is never left
waiting on nothing. The kiosk polls, and cancels when the resident leaves. The desk also remembers each
terminal's last heartbeat for the console.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from kiosk.backend.simulator.replies import GatewayState, err, iso

Reply = tuple[int, "dict | None", dict]
ROUTES = [(r"^/v1/help-requests$", "POST", "help_create"), (r"^/v1/help-requests$", "GET", "help_list"),
          (r"^/v1/help-requests/(?P<id>[^/]+)$", "GET", "help_poll"),
          (r"^/v1/help-requests/(?P<id>[^/]+)$", "DELETE", "help_cancel")]
SCREEN_RE = re.compile(r"^[a-z][a-z_]{0,31}$")
SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PHONE_RE = re.compile(r"^[0-9][0-9-]{2,19}$")
OPEN_STATES = ("pending", "acknowledged")
CREATE_KEYS = {"location", "screen", "service_id", "elder_mode", "lang"}
SHANGHAI = timezone(timedelta(hours=8))
DUTY_POSTS = ({"id": "hall-desk", "name_zh": "一楼大厅值班台", "name_en": "Ground-floor duty desk"},
              {"id": "security", "name_zh": "安保值班室", "name_en": "Security office"})


@dataclass
class DutyDesk:
    """What the duty staff see and do. Thread-safe; times are wall-clock seconds (``time.time``)."""

    call_after_s: float = 180.0
    call_phone: str = "021-62470000"
    interval_s: float = 2.0
    posts: tuple[dict, ...] = DUTY_POSTS
    requests: dict[str, dict] = field(default_factory=dict)
    terminals: dict[str, dict] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def seen(self, terminal_id: str, heartbeat: dict) -> None:
        with self.lock:
            self.terminals[terminal_id] = {"at": time.time(), "heartbeat": heartbeat}

    def create(self, terminal_id: str, data: dict) -> dict:
        entry = {"id": "help_" + secrets.token_urlsafe(9), "terminal_id": terminal_id, "state": "pending",
                 "created": time.time(), "location": data.get("location") or "", "screen": data["screen"],
                 "service_id": data.get("service_id"), "elder_mode": data["elder_mode"],
                 "lang": data.get("lang") or "zh-CN"}
        with self.lock:
            self.requests[entry["id"]] = entry
        return entry

    def get(self, request_id: str) -> dict:
        with self.lock:
            entry = self.requests[request_id]
            if entry["state"] == "pending" and time.time() - entry["created"] > self.call_after_s:
                entry.update(state="call", call_phone=self.call_phone)  # nobody picked it up
            return entry

    def acknowledge(self, request_id: str, post_id: str, eta_minutes: int) -> dict:
        post = next((p for p in self.posts if p["id"] == post_id), None)
        if post is None:
            raise ValueError(f"unknown duty post {post_id!r}")
        if not isinstance(eta_minutes, int) or isinstance(eta_minutes, bool) or not 0 <= eta_minutes <= 120:
            raise ValueError("eta_minutes must be a whole number of minutes, 0-120")
        with self.lock:
            entry = self.get(request_id)
            if entry["state"] not in OPEN_STATES:
                raise ValueError(f"request is {entry['state']}")
            entry.update(state="acknowledged", post=dict(post), eta_minutes=eta_minutes, acked=time.time())
            return entry

    def call(self, request_id: str, phone: str) -> dict:
        if not PHONE_RE.fullmatch(phone or ""):
            raise ValueError("phone must be digits (and dashes)")
        with self.lock:
            entry = self.get(request_id)
            if entry["state"] not in OPEN_STATES:
                raise ValueError(f"request is {entry['state']}")
            entry.update(state="call", call_phone=phone)
            return entry

    def resolve(self, request_id: str) -> dict:
        with self.lock:
            entry = self.get(request_id)
            if entry["state"] in OPEN_STATES:
                entry["state"] = "resolved"
            return entry

    def view(self, entry: dict) -> dict:
        """The contract's ``HelpRequest`` (docs/openapi.yaml)."""
        out: dict[str, Any] = {"id": entry["id"], "state": entry["state"], "created_at": iso(entry["created"]),
                               "location": entry["location"], "screen": entry["screen"],
                               "service_id": entry["service_id"], "elder_mode": entry["elder_mode"],
                               "lang": entry["lang"], "interval_s": self.interval_s}
        if entry["state"] == "acknowledged":
            out.update(duty_post=entry["post"], eta_minutes=entry["eta_minutes"], acknowledged_at=iso(entry["acked"]))
        if entry["state"] == "call":
            out["call_phone"] = entry["call_phone"]
        return out


class HelpRoutes:
    """The help-request endpoints, one of ``handlers.Routes``' collaborators."""

    def __init__(self, sim: GatewayState) -> None:
        self.sim = sim

    def help_create(self, h: dict, data: dict) -> Reply:

        bad = sorted(set(data) - CREATE_KEYS)  # nothing else: a resident's name has no place here
        if not isinstance(data.get("screen"), str) or not SCREEN_RE.fullmatch(data["screen"]):
            bad.append("screen")
        if not isinstance(data.get("elder_mode"), bool):
            bad.append("elder_mode")
        service = data.get("service_id")
        if service is not None and (not isinstance(service, str) or not SERVICE_RE.fullmatch(service)):
            bad.append("service_id")
        location = data.get("location", "")
        if not isinstance(location, str) or len(location) > 200:
            bad.append("location")
        if data.get("lang", "zh-CN") not in ("zh-CN", "en"):
            bad.append("lang")
        if bad:
            return err(422, "validation_failed", "invalid help request", fields=bad)
        entry = self.sim.duty.create(h["x-terminal-id"], data)
        return 201, self.sim.duty.view(entry), {}

    def help_list(self, h: dict, data: dict) -> Reply:
        today = datetime.now(SHANGHAI).date()
        with self.sim.duty.lock:
            mine = [self.sim.duty.view(self.sim.duty.get(e["id"])) for e in self.sim.duty.requests.values()
                    if e["terminal_id"] == h["x-terminal-id"]
                    and datetime.fromtimestamp(e["created"], SHANGHAI).date() == today]
        return 200, {"requests": mine}, {}

    def help_poll(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002 — the path parameter's name
        entry = self._own(h, id)
        if entry is None:

            return err(404, "not_found", "no such help request")
        return 200, self.sim.duty.view(entry), {}

    def help_cancel(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002
        with self.sim.duty.lock:
            entry = self._own(h, id)
            if entry is None:

                return err(404, "not_found", "no such help request")
            if entry["state"] in OPEN_STATES:
                entry["state"] = "cancelled"
        return 204, None, {}

    def _own(self, h: dict, request_id: str) -> dict | None:
        try:
            entry = self.sim.duty.get(request_id)
        except KeyError:
            return None
        return entry if entry["terminal_id"] == h["x-terminal-id"] else None  # bound to its terminal
