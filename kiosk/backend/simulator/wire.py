"""The gateway simulator's HTTP layer: turns every request — however malformed — into a contract reply.

Whatever arrives (a body shorter or longer than its ``Content-Length``, a non-numeric length, a method no
endpoint has, a request line http.server refuses, a handler bug), the answer is the contract's JSON
``Error`` with the right status — never a dropped connection or http.server's HTML error page — as a real
gateway would. Routing, signatures and endpoints are in ``handlers.py``; this is only the plumbing.
"""
from __future__ import annotations

import json
import logging
import re
from http.server import BaseHTTPRequestHandler
from typing import Any

from kiosk.backend import bounds
from kiosk.backend.simulator import console as simconsole
from kiosk.backend.simulator.handlers import allowed_methods


log = logging.getLogger("kiosk.backend.simulator.server")
#: the largest request body accepted (the contract's bound on replies, applied to requests)
MAX_REQUEST_BYTES = 1_048_576
#: HTTP statuses http.server itself may send (malformed request line, too many headers, unknown method)
_STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 408: "bad_request",
                 413: "payload_too_large", 414: "bad_request", 431: "bad_request", 501: "method_not_allowed"}


class _Handler(BaseHTTPRequestHandler):
    """One request to the simulator; ``sim`` is set on the subclass :func:`handler_class` makes."""

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

    # every other method is answered like a real gateway: 405 with Allow (404 for an unknown path)
    do_PUT = do_PATCH = do_HEAD = do_OPTIONS = do_TRACE = do_CONNECT = do_DELETE

    def finish(self) -> None:
        """Before a connection closes, read and drop what the client may still be sending for a moment
        (as web servers' "lingering close" does): closing with unread data — a refused request's body, or
        bytes beyond a Content-Length — sends a TCP reset, which can destroy the reply before the client
        has read it."""
        super().finish()
        if not self.close_connection:
            return
        try:
            self.connection.settimeout(0.2)
            for _ in range(50):  # at most ~50 reads / a few MB, then close anyway
                if not self.connection.recv(65536):
                    break
        except OSError:  # timeout (the client is done sending) or the client closed first
            return

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, unknown method, too many headers) as the
        contract's JSON ``Error`` — never its HTML page."""
        self._request_body = b""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # a request line http.server could not parse: answer in 1.1
            self.request_version = "HTTP/1.1"
        path = (getattr(self, "path", "") or "").split("?", 1)[0]
        headers = {"Connection": "close"}
        if code in (405, 501):
            code, headers["Allow"] = 405, allowed_methods(path) or "GET, POST, DELETE"
        payload = {"code": _STATUS_CODES.get(code, "bad_request"), "message": message or "bad request"}
        self._json(code, payload, path, headers)

    def _read_body(self) -> bytes | None:
        """The request body per Content-Length; None after a JSON ``Error`` reply when it is unusable."""
        values = self.headers.get_all("Content-Length") or []
        if self.headers.get("Transfer-Encoding"):
            self.send_error(400, "Transfer-Encoding is not supported; send Content-Length")
            return None
        if len(set(values)) > 1 or any(not re.fullmatch(r"[0-9]{1,12}", v.strip()) for v in values):
            self.send_error(400, "Content-Length must be one decimal number")
            return None
        length = int(values[0]) if values else 0
        if length > MAX_REQUEST_BYTES:
            self.send_error(413, f"request body over {MAX_REQUEST_BYTES} bytes")
            return None
        if not length:
            return b""
        self.connection.settimeout(self.sim.body_timeout_s)
        try:
            body = self.rfile.read(length)
        except OSError:  # includes the socket timeout of a body that never comes
            body = b""
        finally:
            self.connection.settimeout(self.timeout)
        if len(body) != length:
            self.send_error(400, "request body shorter than its Content-Length")
            return None
        return body

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        self._request_body = body
        path = self.path.split("?", 1)[0]
        try:
            self._route(path, body)
        except Exception:  # noqa: BLE001 — a handler bug is a 500 Error, never a dropped connection
            log.error("sim: %s %s failed", self.command, path, exc_info=True)
            self._json(500, {"code": "internal", "message": "internal error"}, path, {"Connection": "close"})
            self.close_connection = True

    def _route(self, path: str, body: bytes) -> None:
        if path.startswith("/_sim/"):
            self._control(path, body)
            return
        if self.sim.observe is not None:
            self.sim.observe(self.command, path, dict(self.headers.items()))
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
        status, payload, headers = self.sim.routes.dispatch(self.command, self.path, dict(self.headers.items()),
                                                       body, bad_signature=fault is not None
                                                       and fault.kind == "bad_signature")
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
            cmd = bounds.loads(body or b"{}") if path == "/_sim/control" else {"cmd": "counts"}
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
                                      "headers": dict(getattr(self, "headers", None) or {})})

    def _raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if data or status != 204:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)


def handler_class(sim: Any) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to ``sim``."""
    return type("Handler", (_Handler,), {"sim": sim})
