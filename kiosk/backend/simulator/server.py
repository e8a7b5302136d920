"""GatewaySimulator: an HTTPS gateway implementing docs/openapi.yaml for development and tests.

Stdlib ``ThreadingHTTPServer`` behind TLS with the dev certificate (config/dev-tls/). It checks signatures,
the clock-skew window, nonces and Idempotency-Keys (counting deliveries per key and per reference), runs the
QR-ticket state machine, and injects faults while running. Use it in-process —
``GatewaySimulator(port=0).start()``, ``.base_url``, ``.stop()`` — or as ``kiosk sim backend``; a developer
drives it through ``POST /_sim/control`` (loopback only, unsigned, not part of the contract), and plays
the duty staff in the console page at ``/_sim/console`` (kiosk/backend/simulator/console.py).
"""
from __future__ import annotations

import logging
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from kiosk.backend import signing
from kiosk.backend.simulator import scan as simscan
from kiosk.backend.simulator.handlers import Routes
from kiosk.backend.simulator.help import DutyDesk
from kiosk.backend.simulator.replies import iso
from kiosk.backend.simulator.wire import handler_class

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[3]
DEV_TLS = REPO / "config" / "dev-tls"
DEV_SECRET_FILE = REPO / "config" / "dev-terminal.secret"
FAULT_KINDS = ("status", "timeout", "slow", "drop", "malformed", "bad_signature", "clock_skew")
#: the terminals the simulator knows (its terminal registry) besides those given their own secret: the
#: development kiosk of config/terminal.yaml, a second terminal of the same centre (tests of what one
#: terminal may not see of another's) and the ops tests' terminal
DEV_TERMINALS = frozenset({"SH-JA-NJXL-01", "SH-PD-ZJ-02", "SH-TEST-01"})


@dataclass
class Fault:
    """One injected fault; ``times`` None = until cleared; ``path`` = only requests whose path starts so."""

    kind: str
    times: int | None = 1
    path: str | None = None
    status: int = 503
    retry_after: int | None = None
    delay_s: float = 1.0


class GatewaySimulator:
    """In-process gateway. Thread-safe control methods; state survives ``stop()``/``start()`` (outages)."""

    def __init__(self, *, port: int = 0, host: str = "127.0.0.1", secret: bytes | None = None,
                 terminal_secrets: dict[str, bytes] | None = None, certfile: str | Path | None = None,
                 keyfile: str | Path | None = None, catalog: dict[str, tuple[str, str]] | None = None,
                 qr_ttl_s: float = 60.0, qr_interval_s: float = 2.0, token_ttl_s: float = 600.0,
                 handoff_ttl_s: float = 600.0, handoff_interval_s: float = 2.0,
                 known_terminals: set[str] | None = None, record: bool = False,
                 help_interval_s: float = 2.0) -> None:
        self.host, self.port = host, port
        self._default_secret = secret if secret is not None else signing.load_secret(DEV_SECRET_FILE)
        self.terminal_secrets = dict(terminal_secrets or {})
        #: the terminal registry; None: DEV_TERMINALS and every terminal given its own secret
        self.known_terminals = known_terminals
        self.body_timeout_s = 5.0  # a body shorter than its Content-Length is refused after this
        self._certfile = str(certfile or DEV_TLS / "server.pem")
        self._keyfile = str(keyfile or DEV_TLS / "server-key.pem")
        self.catalog = dict(catalog or {})
        self.qr_ttl_s, self.qr_interval_s, self.token_ttl_s = qr_ttl_s, qr_interval_s, token_ttl_s
        self.handoff_ttl_s, self.handoff_interval_s = handoff_ttl_s, handoff_interval_s
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.clock_skew_s = 0.0
        self.record = record
        self.responses: list[dict] = []  # when record: method, path, status, body, fault, request, headers
        self.tickets: dict[str, dict] = {}
        self.handoffs: dict[str, dict] = {}  # phone hand-offs; the typed text stays here (kiosk/backend/simulator/handoff.py)
        self.tokens: dict[str, dict] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, int, dict]] = {}
        self.attempts_by_key: dict[str, int] = {}
        self.deliveries_by_key: dict[str, int] = {}
        self.deliveries_by_reference: dict[str, int] = {}
        self.submissions: dict[str, dict] = {}
        self.heartbeats: list[dict] = []
        # remote configuration (ops): the version heartbeats announce and what GET .../config serves
        self.config_version = "2026-11-27.1"
        self.terminal_config: dict | None = None
        self.queue_counter = 0
        self.duty = DutyDesk(interval_s=help_interval_s)  # 一键求助 and the duty console (help.py, console.py)
        self._nonces: dict[str, float] = {}
        self._nonce_prune_at = 50_000
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self.routes = Routes(self)
        #: called with (method, path, headers) for every contract request that reached the server, before
        #: any fault (kiosk/backend/simulator/fleet.py counts requests per second by kind with it)
        self.observe: Callable[[str, str, dict], None] | None = None

    # ---- lifecycle -------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def registered_terminals(self) -> frozenset[str] | set[str]:
        if self.known_terminals is not None:
            return self.known_terminals
        return DEV_TERMINALS | set(self.terminal_secrets)

    def secret_for(self, terminal_id: str) -> bytes:
        return self.terminal_secrets.get(terminal_id, self._default_secret)

    def start(self) -> GatewaySimulator:
        if self._server is not None:
            return self
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self._certfile, self._keyfile)
        sim = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 64

            def get_request(self) -> tuple[socket.socket, Any]:
                sock, addr = self.socket.accept()
                # Headers and body go out in separate writes; without NODELAY, Nagle + delayed ACK add 40 ms.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                # Handshake happens in the handler thread, so a silent client cannot block accept().
                tls = ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                with sim.lock:
                    sim._conns.add(tls)
                return tls, addr

            def handle_error(self, request: Any, client_address: Any) -> None:
                import sys
                exc = sys.exc_info()[1]
                if isinstance(exc, OSError):  # a client vanished mid-request (killed, timed out): expected here
                    log.debug("sim: connection from %s ended: %s", client_address, exc)
                else:
                    log.error("sim: handler failed for %s", client_address, exc_info=True)

            def shutdown_request(self, request: Any) -> None:
                with sim.lock:
                    sim._conns.discard(request)
                super().shutdown_request(request)

        self._stopping.clear()
        self._server = Server((self.host, self.port), handler_class(self))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"gateway-sim:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop every open connection (a real outage); state is kept for a restart."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self.lock:
            conns, self._conns = list(self._conns), set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError as exc:  # the peer closed first
                log.debug("sim stop: %s", exc)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> GatewaySimulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- control ---------------------------------------------------------------------------------------
    def inject(self, kind: str, *, times: int | None = 1, path: str | None = None, status: int = 503,
               retry_after: int | None = None, delay_s: float = 1.0, skew_s: float = 0.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self.lock:
            if kind == "clock_skew":
                self.clock_skew_s = skew_s
            else:
                self.faults.append(Fault(kind, times, path, status, retry_after, delay_s))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            self.clock_skew_s = 0.0

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.path is None or path.startswith(f.path):
                    if f.times is not None:
                        f.times -= 1
                        if f.times <= 0:
                            self.faults.remove(f)
                    return f
        return None

    def _ticket(self, ticket_id: str | None) -> dict:
        with self.lock:
            if ticket_id is None:
                if not self.tickets:
                    raise KeyError("no QR ticket yet")
                ticket_id = next(reversed(self.tickets))
            return self.tickets[ticket_id]

    def qr_scan(self, ticket_id: str | None = None) -> None:
        """The resident scanned the QR with 随申办 (the latest ticket when no id is given)."""
        with self.lock:
            t = self._ticket(ticket_id)
            if t["state"] == "waiting":
                t["state"] = "scanned"

    def qr_confirm(self, ticket_id: str | None = None, *, name: str = "王小明",
                   id_number: str = "310106198807155218") -> None:
        """The resident confirmed on the phone; the next poll returns a session."""
        with self.lock:
            t = self._ticket(ticket_id)
            if t["state"] in ("waiting", "scanned"):
                t["state"] = "confirmed"
                t["session"] = self.issue_token(name, id_number)

    def qr_deny(self, ticket_id: str | None = None) -> None:
        with self.lock:
            t = self._ticket(ticket_id)
            if t["state"] in ("waiting", "scanned"):
                t["state"] = "cancelled"

    def qr_expire(self, ticket_id: str | None = None) -> None:
        with self.lock:
            self._ticket(ticket_id)["expires"] = time.time() - 1

    def handoff_submit(self, handoff_id: str | None = None, *, text: str = "小区门口路灯坏了一周，晚上很黑，请尽快修理。") -> None:
        """The resident typed ``text`` on the phone and pressed submit (the latest hand-off by default)."""
        with self.lock:
            entry = self._latest(self.handoffs, handoff_id, "hand-off")
            if entry["state"] == "waiting" and time.time() <= entry["expires"]:
                entry["state"], entry["text"] = "submitted", str(text)

    def handoff_expire(self, handoff_id: str | None = None) -> None:
        with self.lock:
            self._latest(self.handoffs, handoff_id, "hand-off")["expires"] = time.time() - 1

    @staticmethod
    def _latest(table: dict[str, dict], item_id: str | None, what: str) -> dict:
        if item_id is None:
            if not table:
                raise KeyError(f"no {what} yet")
            item_id = next(reversed(table))
        return table[item_id]

    def publish_config(self, version: str, files: dict[str, str]) -> None:
        """Announce ``version`` in heartbeat replies and serve ``files`` from GET /v1/terminals/{id}/config."""
        with self.lock:
            self.config_version = version
            self.terminal_config = {"version": version, "files": dict(files)}

    def counts(self) -> dict:
        with self.lock:
            return {"deliveries": sum(self.deliveries_by_key.values()), "keys": len(self.deliveries_by_key),
                    "attempts": sum(self.attempts_by_key.values()),
                    "max_deliveries_per_key": max(self.deliveries_by_key.values(), default=0),
                    "max_deliveries_per_reference": max(self.deliveries_by_reference.values(), default=0)}

    def control(self, cmd: dict) -> dict:
        """The JSON control protocol of ``POST /_sim/control`` (and ``kiosk sim backend-control``)."""
        name = cmd.get("cmd")
        ticket = cmd.get("ticket")
        if name == "qr_scan":
            self.qr_scan(ticket)
        elif name == "qr_confirm":
            self.qr_confirm(ticket, **{k: cmd[k] for k in ("name", "id_number") if k in cmd})
        elif name == "qr_deny":
            self.qr_deny(ticket)
        elif name == "qr_expire":
            self.qr_expire(ticket)
        elif name == "handoff_submit":
            self.handoff_submit(cmd.get("handoff"), **({"text": str(cmd["text"])} if "text" in cmd else {}))
        elif name == "handoff_expire":
            self.handoff_expire(cmd.get("handoff"))
        elif name == "inject":
            args = {k: cmd[k] for k in ("times", "path", "status", "retry_after", "delay_s", "skew_s") if k in cmd}
            self.inject(cmd.get("kind", ""), **args)
        elif name == "clear":
            self.clear_faults()
        elif name == "publish_config":
            self.publish_config(str(cmd["version"]), dict(cmd["files"]))
        elif name in simscan.CONTROLS:  # codes a resident shows the scanner (kiosk/backend/simulator/scan.py)
            return {"ok": True, **self.routes.scan.scan_control(cmd), **self.counts()}
        elif name != "counts":
            raise ValueError(f"unknown control command {name!r}")
        return {"ok": True, **self.counts()}

    # ---- shared state used by the route handlers --------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.clock_skew_s

    def issue_token(self, name: str, id_number: str) -> dict:
        from kiosk.masking import mask_id_number, mask_name
        token = secrets.token_urlsafe(24)
        now = time.time()
        info = {"display_name": mask_name(name), "id_masked": mask_id_number(id_number), "issued": now,
                "expires": now + self.token_ttl_s}
        with self.lock:
            self.tokens[token] = info
        return {"token": token, "display_name": info["display_name"], "expires_at": iso(info["expires"])}

    def check_nonce(self, nonce: str, ts: float) -> bool:
        with self.lock:
            now = time.time()
            if len(self._nonces) > self._nonce_prune_at:
                self._nonces = {n: exp for n, exp in self._nonces.items() if exp > now}
                # a fleet keeps more than 50,000 nonces alive inside the window: prune again only when the
                # table has doubled, not on every request (that made each request O(n) — bench/fleet.py)
                self._nonce_prune_at = max(50_000, 2 * len(self._nonces))
            if nonce in self._nonces:
                return False
            self._nonces[nonce] = ts + 2 * signing.SKEW_WINDOW_S
            return True
