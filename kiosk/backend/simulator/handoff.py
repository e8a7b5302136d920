"""The gateway simulator's phone hand-off endpoints (``/v1/handoffs``), apart from handlers.py for size.

The kiosk has no Chinese input method, so long free text (a 12345 request's details, an address) is typed
on the resident's phone: the kiosk asks the gateway for a hand-off, shows its URL as a QR, and polls it.
The text is kept here, at the gateway, and only its length is told to the kiosk; a submission names the
hand-off (``"handoff:<id>"`` as the field's value) and the gateway attaches the text. So long personal text
never transits or rests on the kiosk. A developer plays the phone with ``GatewaySimulator.handoff_submit``.
"""
from __future__ import annotations

import re
import time

from kiosk.backend.simulator.replies import (GatewayState, Reply, SessionCheck, bound_ticket, err, on_own_ticket,
                                              open_ticket, polled)
ROUTES = [(r"^/v1/handoffs$", "POST", "handoff_create"),
          (r"^/v1/handoffs/(?P<id>[^/]+)$", "GET", "handoff_poll"),
          (r"^/v1/handoffs/(?P<id>[^/]+)$", "DELETE", "handoff_cancel")]
SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FIELD_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
#: a field value naming a hand-off, as the kiosk submits it
VALUE_RE = re.compile(r"^handoff:(?P<id>[A-Za-z0-9_-]{1,64})$")


class HandoffRoutes:
    """The hand-off endpoints, one of ``handlers.Routes``' collaborators; ``session`` checks a Bearer token."""

    def __init__(self, sim: GatewayState, session: SessionCheck) -> None:
        self.sim = sim
        self._session = session

    def handoff_create(self, h: dict, data: dict) -> Reply:
        bad = [k for k, rx in (("service_id", SERVICE_RE), ("field_id", FIELD_RE))
               if not isinstance(data.get(k), str) or not rx.fullmatch(data[k])]
        if bad:
            return err(422, "validation_failed", "service_id and field_id are required", fields=bad)
        if "authorization" in h:
            _, problem = self._session(h)
            if problem:
                return problem
        return open_ticket(self.sim.lock, self.sim.handoffs, "ho_", h, link=("url", "https://m.gateway.invalid/h/"),
                           ttl_s=self.sim.handoff_ttl_s, interval_s=self.sim.handoff_interval_s,
                           service_id=data["service_id"], field_id=data["field_id"], text=None, attached_to=None)

    def handoff_poll(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002 — the path parameter's name
        return on_own_ticket(self.sim.lock, self.sim.handoffs, id, h, "no such hand-off", _poll)

    def handoff_cancel(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002
        return on_own_ticket(self.sim.lock, self.sim.handoffs, id, h, "no such hand-off", _cancel)

    def handoff_fields(self, h: dict, fields: dict) -> list[str]:
        """Fields naming a hand-off this terminal cannot use (unknown, other terminal's, not submitted)."""
        bad = []
        with self.sim.lock:
            for name, value in fields.items():
                match = VALUE_RE.fullmatch(value) if isinstance(value, str) else None
                if match is None:
                    continue
                entry = bound_ticket(self.sim.handoffs, match["id"], h)
                if entry is None or entry["state"] != "submitted":
                    bad.append(f"fields.{name}")
        return bad

    def handoff_attach(self, fields: dict, reference: str) -> None:
        """A submission took these hand-offs: their text now belongs to it (a later cancel leaves it)."""
        with self.sim.lock:
            for value in fields.values():
                match = VALUE_RE.fullmatch(value) if isinstance(value, str) else None
                if match is not None and match["id"] in self.sim.handoffs:
                    self.sim.handoffs[match["id"]]["attached_to"] = reference


def expire_if_due(entry: dict) -> None:
    if entry["state"] == "waiting" and time.time() > entry["expires"]:
        entry["state"] = "expired"


def _poll(entry: dict) -> Reply:
    """A hand-off's poll: its length (never its text) once the phone has submitted it."""
    expire_if_due(entry)
    reply = polled(entry)
    if entry["state"] == "submitted":
        reply["text_length"] = len(entry["text"] or "")
    return 200, reply, {}


def _cancel(entry: dict) -> Reply:
    if entry["attached_to"] is None and entry["state"] in ("waiting", "submitted"):
        entry["state"] = "cancelled"
        entry["text"] = None  # the resident left: what they typed is dropped with the hand-off
    return 204, None, {}
