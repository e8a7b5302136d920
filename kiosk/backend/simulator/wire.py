"""The gateway simulator's HTTP layer: one request in, the fault to inject or the endpoint's reply out.

Routing, signatures and endpoints are in ``handlers.py``; the simulator's state and controls in
``server.py``, which binds a handler class to itself with :func:`handler_class`.
"""
from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler
from typing import Any

from kiosk.backend.simulator import console as simconsole

log = logging.getLogger("kiosk.backend.simulator.server")


class _Handler(BaseHTTPRequestHandler):
    """One request to the simulator; ``sim`` is set on the subclass made for each simulator."""

    sim: Any  # the GatewaySimulator (server.py imports this module, not the other way round)
    protocol_version = "HTTP/1.1"
    server_version = "GatewaySim/1"
    timeout = 30

    def log_message(self, fmt: str, *args: Any) -> None:
        log.debug("sim %s", fmt % args)  # request line and status only: paths carry no personal data

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self._request_body = body
        path = self.path.split("?", 1)[0]
        if path.startswith("/_sim/"):
            self._control(path, body)
            return
        fault = self.sim.take_fault(path)
        if fault is not None and fault.kind in ("drop", "timeout"):
            if fault.kind == "timeout":
                self.sim._stopping.wait(fault.delay_s)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "slow":
            self.sim._stopping.wait(fault.delay_s)
        if fault is not None and fault.kind == "malformed":
            self._record(path, 200, None, fault=True)
            self._raw(200, b'{"reference": "NJXL01-2026', "application/json")
            return
        if fault is not None and fault.kind == "status":
            status, payload = fault.status, {"code": "unavailable" if fault.status == 503 else
                                             "rate_limited" if fault.status == 429 else "internal",
                                             "message": "injected fault"}
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            self._json(status, payload, path, headers)
            return
        bad_signature = fault is not None and fault.kind == "bad_signature"
        status, payload, headers = self.sim.routes.dispatch(self.command, self.path, dict(self.headers.items()),
                                                            body, bad_signature=bad_signature)
        self._json(status, payload, path, headers)

    def _control(self, path: str, body: bytes) -> None:
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            self._raw(403, b'{"code":"forbidden","message":"loopback only"}', "application/json")
            return
        if path.startswith("/_sim/console"):
            status, ctype, data = simconsole.handle(self.sim, self.command, path, self.headers, body)
            self._raw(status, data, ctype)
            return
        try:
            cmd = json.loads(body or b"{}") if path == "/_sim/control" else {"cmd": "counts"}
            result = self.sim.control(cmd)
        except (ValueError, KeyError, TypeError) as exc:
            self._raw(400, json.dumps({"ok": False, "error": str(exc)}).encode(), "application/json")
            return
        self._raw(200, json.dumps(result).encode(), "application/json")

    def _json(self, status: int, payload: dict | None, path: str, headers: dict[str, str]) -> None:
        data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._record(path, status, payload)  # before replying, so a test never reads a stale record
        self._raw(status, data, "application/json; charset=utf-8", headers)

    def _record(self, path: str, status: int, payload: dict | None, fault: bool = False) -> None:
        if self.sim.record:
            with self.sim.lock:
                self.sim.responses.append({"method": self.command, "path": path, "status": status,
                                      "body": payload, "fault": fault, "request": self._request_body,
                                      "headers": dict(self.headers.items())})

    def _raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if data or status != 204:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data:
            self.wfile.write(data)


def handler_class(sim: Any) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to ``sim`` (a :class:`~kiosk.backend.simulator.server.GatewaySimulator`)."""
    return type("Handler", (_Handler,), {"sim": sim})
