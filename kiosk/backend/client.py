"""GatewayClient: the kiosk's signed HTTPS client for the terminal gateway (contract: docs/openapi.yaml).

One ``requests.Session``; a (connect, read) timeout on every call; TLS verification always on. Retries are a
urllib3 ``Retry`` mounted on the session, so they really apply, and only where repeating is harmless: GET
and DELETE, and ``POST /v1/submissions`` (its own adapter, mounted on that path) because the gateway
answers a repeated ``Idempotency-Key`` with the first result. Other POSTs (card login, QR ticket, queue
ticket, heartbeat) are retried only when the connection failed before the request was sent.

Transport pieces (signing connection, cancellable retry, the deadline/cancel watcher) are in transport.py.
Every attempt, including urllib3's own retries, is signed at the moment it goes on the wire (a connection
subclass adds the headers), so each attempt has a fresh nonce and timestamp. Every call takes ``cancel``:
checked before the call, between retries (the backoff sleep waits on it) and during a call (the socket is
shut down), raising ``Cancelled``. Calls block — run them on a worker thread, never the UI thread.
"""
from __future__ import annotations

import json
import logging
import os
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from kiosk.backend import bounds
from kiosk.backend import transport as T
from kiosk.backend import errors as E
from kiosk.backend.models import (AuthSession, CheckIn, Guide, Handoff, HandoffState, HeartbeatAck, HelpRequest,
                                  Licence, PickupSlip, QrTicket, QrTicketState, QueueTicket, Record, SubmissionAck)
from kiosk.backend.signing import Signer, load_secret
from kiosk.backend.slots import SlotCalendar
from kiosk.clock import wall_time

log = logging.getLogger(__name__)


def system_trust_store() -> str:
    """The system CA bundle (file, else directory) OpenSSL was built to use — ``/etc/ssl/certs`` on Debian
    via /usr/lib/ssl — not certifi's bundle (what requests falls back to for ``verify=True``) and not one
    named by an environment variable (a kiosk takes no CA override from its environment)."""
    paths = ssl.get_default_verify_paths()
    if paths.openssl_cafile and os.path.isfile(paths.openssl_cafile):
        return paths.openssl_cafile
    if paths.openssl_capath and os.path.isdir(paths.openssl_capath):
        return paths.openssl_capath
    raise E.ConfigurationError("no system CA store found (install the ca-certificates package) and "
                               "backend.ca_bundle is null")


class GatewayClient:
    """Signed, retrying, cancellable client. Thread-safe; share one per kiosk and ``close()`` it at exit."""

    def __init__(self, base_url: str, *, terminal_id: str, secret: bytes, ca_bundle: str | Path | None = None,
                 connect_timeout_s: float = 3.05, read_timeout_s: float = 10.0, retries: int = 3,
                 backoff_factor: float = 0.3, backoff_max_s: float = 4.0, retry_after_max_s: float = 10.0,
                 pool_size: int = 8, deadline_s: float = 30.0, max_reply_bytes: int = bounds.MAX_BYTES) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "https" or not parts.hostname:
            raise E.ConfigurationError(f"gateway base_url must be https://…, got {base_url!r}")
        if ca_bundle is not None and not Path(ca_bundle).is_file():
            raise E.ConfigurationError(f"CA bundle not found: {ca_bundle}")
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.deadline_s = deadline_s  # the whole call, retries and every byte of the reply included
        self.max_reply_bytes = max_reply_bytes
        self.signer = Signer(terminal_id, secret)
        verify = str(ca_bundle) if ca_bundle is not None else system_trust_store()

        def retry(methods: frozenset[str], times: int) -> Retry:
            r = T.CancellableRetry(total=times, connect=times, read=times, status=times, other=0,
                                  redirect=0, allowed_methods=methods,
                                  status_forcelist=frozenset({429, 500, 502, 503, 504}),
                                  backoff_factor=backoff_factor, backoff_max=backoff_max_s,
                                  backoff_jitter=backoff_factor, raise_on_status=False,
                                  respect_retry_after_header=True)
            r.retry_after_max_s = retry_after_max_s
            return r

        def session(times: int, pool: int) -> requests.Session:
            s = requests.Session()
            # null = the operating system's trust store (what docs/config.md promises), never certifi's copy
            s.verify = verify
            s.trust_env = False  # no proxy or CA override from the environment on a kiosk
            s.headers.update({"Accept": "application/json", "User-Agent": "yiwang-kiosk/0.1"})
            s.mount("https://", T.adapter(self.signer, retry(frozenset({"GET", "DELETE"}), times), pool))
            s.mount(self.base_url + "/v1/submissions",
                    T.adapter(self.signer, retry(frozenset({"GET", "DELETE", "POST"}), times), pool))
            return s

        self._session = session(retries, pool_size)
        #: one attempt per call, for the loops that own their retries (``retry=False``: the heartbeat, the
        #: outbox sender). Their jittered backoff is then the only retry policy: a district of terminals whose
        #: calls each retried inside the call as well would land those retries together when a gateway that
        #: was down comes back (bench/fleet.py, docs/PERFORMANCE.md §12).
        self._single = session(0, 2)

    @classmethod
    def from_config(cls, cfg: Any, **options: Any) -> GatewayClient:
        """Build from ``load_config(dir)`` (paths there are already resolved against the config dir);
        ``options`` are the other keyword arguments (e.g. ``pool_size``)."""
        b = cfg.backend
        return cls(b.base_url, terminal_id=cfg.terminal.id, secret=load_secret(b.secret_file),
                   ca_bundle=b.ca_bundle, connect_timeout_s=b.connect_timeout_s, read_timeout_s=b.read_timeout_s,
                   deadline_s=b.request_deadline_s, max_reply_bytes=b.max_reply_bytes, **options)

    def close(self) -> None:
        self._session.close()
        self._single.close()

    def __enter__(self) -> GatewayClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- endpoints -------------------------------------------------------------------------------------
    def auth_idcard(self, identity: Any, *, cancel: threading.Event | None = None) -> AuthSession:
        """Card read → session. ``identity``: an ``IdCard`` or a mapping with id_number, name, card_type."""
        def pick(key: str) -> Any:
            return identity.get(key) if isinstance(identity, Mapping) else getattr(identity, key, None)
        # Foreign permanent residents' cards may have no Chinese name; the English one identifies them.
        body = {"card_type": pick("card_type") or "resident", "id_number": pick("id_number"),
                "name": pick("name") or pick("english_name"), "valid_to": pick("valid_to")}
        return AuthSession.parse(self._call("POST", "/v1/auth/idcard", body, cancel=cancel))

    def auth_ssm(self, code: str, *, cancel: threading.Event | None = None) -> AuthSession:
        """A scanned 随申码 (opaque, passed whole) → session. Refused codes raise ``ScanCodeRejected`` whose
        ``message_zh`` says why (expired → refresh it, already used, not a 随申码). Not retried after sending."""
        return AuthSession.parse(self._call("POST", "/v1/auth/ssm", _scanned(code), cancel=cancel))

    def lookup_pickup(self, code: str, *, cancel: threading.Event | None = None) -> PickupSlip:
        """证照统一物流 pick-up code → slip data. Unknown code: NotFoundError; collected: ScanCodeRejected."""
        return PickupSlip.parse(self._call("POST", "/v1/pickups/lookup", _scanned(code), cancel=cancel))

    def check_in(self, code: str, *, cancel: threading.Event | None = None) -> CheckIn:
        """A booked appointment's QR → check-in with its queue ticket (a repeat returns the same ticket)."""
        return CheckIn.parse(self._call("POST", "/v1/appointments/check-in", _scanned(code), cancel=cancel))

    def create_qr_ticket(self, *, cancel: threading.Event | None = None) -> QrTicket:
        return QrTicket.parse(self._call("POST", "/v1/auth/qr-tickets", {}, cancel=cancel))

    def poll_qr_ticket(self, ticket_id: str, *, cancel: threading.Event | None = None) -> QrTicketState:
        return QrTicketState.parse(self._call("GET", f"/v1/auth/qr-tickets/{quote(ticket_id, safe='')}",
                                              cancel=cancel))

    def cancel_qr_ticket(self, ticket_id: str, *, cancel: threading.Event | None = None) -> None:
        self._call("DELETE", f"/v1/auth/qr-tickets/{quote(ticket_id, safe='')}", cancel=cancel)

    def get_guide(self, service_id: str, *, cancel: threading.Event | None = None) -> Guide:
        return Guide.parse(self._call("GET", f"/v1/services/{quote(service_id, safe='')}/guide", cancel=cancel))

    def get_slots(self, service_id: str, *, cancel: threading.Event | None = None) -> SlotCalendar:
        """The dates and time slots ``service_id`` can still be booked for (the form offers them as buttons)."""
        return SlotCalendar.parse(self._call("GET", f"/v1/services/{quote(service_id, safe='')}/slots",
                                             cancel=cancel))

    def get_record(self, kind: str, token: str, *, cancel: threading.Event | None = None) -> Record:
        return Record.parse(self._call("GET", f"/v1/records/{quote(kind, safe='')}", token=token, cancel=cancel))

    def get_licences(self, token: str, *, cancel: threading.Event | None = None) -> list[Licence]:
        data = self._call("GET", "/v1/licences", token=token, cancel=cancel)
        items = data.get("licences") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise E.ProtocolError("licences reply without a 'licences' list")
        return [Licence.parse(x) for x in items]

    def create_queue_ticket(self, service_id: str, token: str | None = None, *,
                            cancel: threading.Event | None = None) -> QueueTicket:
        return QueueTicket.parse(self._call("POST", "/v1/queue-tickets", {"service_id": service_id},
                                            token=token, cancel=cancel))

    def submit(self, *, reference: str, service_id: str, kind: str, fields: Mapping[str, Any],
               token: str | None, idempotency_key: str, submitted_at: str,
               cancel: threading.Event | None = None, retry: bool = True) -> SubmissionAck:
        """Deliver one submission (normally called by the outbox sender, not by screens; it passes
        ``retry=False`` because its own backoff retries)."""
        body = {"reference": reference, "service_id": service_id, "kind": kind, "fields": dict(fields),
                "submitted_at": submitted_at}
        return SubmissionAck.parse(self._call("POST", "/v1/submissions", body, token=token, cancel=cancel,
                                              headers={"Idempotency-Key": idempotency_key}, retry=retry))

    def create_handoff(self, service_id: str, field_id: str, token: str | None = None, *,
                       cancel: threading.Event | None = None) -> Handoff:
        """A phone hand-off for a long-text field (the kiosk has no Chinese IME). Not retried after sending."""
        return Handoff.parse(self._call("POST", "/v1/handoffs", {"service_id": service_id, "field_id": field_id},
                                        token=token, cancel=cancel))

    def poll_handoff(self, handoff_id: str, *, cancel: threading.Event | None = None) -> HandoffState:
        return HandoffState.parse(self._call("GET", f"/v1/handoffs/{quote(handoff_id, safe='')}", cancel=cancel))

    def cancel_handoff(self, handoff_id: str, *, cancel: threading.Event | None = None) -> None:
        """Drop the hand-off and any text typed for it (wipe, Home). Idempotent."""
        self._call("DELETE", f"/v1/handoffs/{quote(handoff_id, safe='')}", cancel=cancel)

    def create_help_request(self, *, screen: str, elder_mode: bool, location: str = "",
                            service_id: str | None = None, lang: str = "zh-CN",
                            cancel: threading.Event | None = None) -> HelpRequest:
        """一键求助: tell the duty staff where this terminal is and what the resident is doing — never who.
        Not retried after sending (a second press makes a second request; the first is then cancelled)."""
        body = {"location": location, "screen": screen, "service_id": service_id, "elder_mode": bool(elder_mode),
                "lang": lang}
        return HelpRequest.parse(self._call("POST", "/v1/help-requests", body, cancel=cancel))

    def poll_help_request(self, request_id: str, *, cancel: threading.Event | None = None) -> HelpRequest:
        return HelpRequest.parse(self._call("GET", f"/v1/help-requests/{quote(request_id, safe='')}", cancel=cancel))

    def cancel_help_request(self, request_id: str, *, cancel: threading.Event | None = None) -> None:
        """The resident no longer waits (cancelled, session ended). Idempotent."""
        self._call("DELETE", f"/v1/help-requests/{quote(request_id, safe='')}", cancel=cancel)

    def list_help_requests(self, *, cancel: threading.Event | None = None) -> list[HelpRequest]:
        """This terminal's help requests of the gateway's day (staff mode)."""
        data = self._call("GET", "/v1/help-requests", cancel=cancel)
        items = data.get("requests") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise E.ProtocolError("help request list without a 'requests' list")
        return [HelpRequest.parse(x) for x in items]

    def get_terminal_config(self, *, cancel: threading.Event | None = None) -> Any:
        """The configuration the centre wants this terminal to run: ``{"version", "files": {"terminal.yaml",
        "services.yaml"}}`` (raw JSON; kiosk/ops/remote_config.py validates it like ``kiosk config check``)."""
        return self._call("GET", f"/v1/terminals/{quote(self.terminal_id, safe='')}/config", cancel=cancel)

    def heartbeat(self, payload: Mapping[str, Any], *, cancel: threading.Event | None = None,
                  retry: bool = True) -> HeartbeatAck:
        """One beat; the heartbeat loop passes ``retry=False`` (its own backoff retries)."""
        path = f"/v1/terminals/{quote(self.terminal_id, safe='')}/heartbeat"
        return HeartbeatAck.parse(self._call("POST", path, dict(payload), cancel=cancel, retry=retry))

    # ---- transport -------------------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None, *, token: str | None = None,
              cancel: threading.Event | None = None, headers: dict[str, str] | None = None,
              retry: bool = True) -> Any:
        """``retry=False``: one attempt, no urllib3 retry (see ``_single``)."""
        session = self._session if retry else self._single
        try:
            return self._attempt(session, method, path, body, token, cancel, headers)
        except E.AuthError as exc:
            # A skewed kiosk clock is corrected from the gateway's time and the call re-signed once;
            # the gateway rejected the request before acting on it, so repeating it is safe.
            if exc.code != "clock_skew" or getattr(exc, "server_time", None) is None:
                raise
            self.signer.clock_offset_s = exc.server_time - _now()  # type: ignore[attr-defined]
            log.warning("gateway clock skew: adjusting by %.0f s", self.signer.clock_offset_s)
            return self._attempt(session, method, path, body, token, cancel, headers)

    def _attempt(self, session: requests.Session, method: str, path: str, body: Any, token: str | None,
                 cancel: threading.Event | None, headers: dict[str, str] | None) -> Any:
        if cancel is not None and cancel.is_set():
            raise E.Cancelled("cancelled before the call")
        hdrs = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            hdrs["Content-Type"] = "application/json; charset=utf-8"
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        holder = T.Holder(cancel, time.monotonic() + self.deadline_s)
        T.local.holder = holder
        T.watch.add(holder)
        late = E.TimeoutError_(f"{method} {path}: no complete reply within {self.deadline_s:g} s")
        try:
            resp = session.request(method, self.base_url + path, data=data, headers=hdrs,
                                         timeout=self.timeout, allow_redirects=False, stream=True)
            with resp:
                content = self._read_capped(method, path, resp)
        except T.RetryCancelled as exc:
            if holder.cancelled():
                raise E.Cancelled("cancelled between retries") from exc
            raise late from exc
        except requests.exceptions.SSLError as exc:
            raise E.TLSError(f"TLS verification failed for {self.base_url}") from exc
        except requests.exceptions.Timeout as exc:
            raise self._stopped_or(holder, E.TimeoutError_(f"{method} {path} timed out"), late) from exc
        except requests.exceptions.RequestException as exc:
            if _caused_by(exc, ReadTimeoutError):
                raise self._stopped_or(holder, E.TimeoutError_(f"{method} {path} timed out"), late) from exc
            raise self._stopped_or(holder, E.NetworkError(f"{method} {path}: {type(exc).__name__}"), late) from exc
        finally:
            T.local.holder = None
            T.watch.discard(holder)
        if holder.stopped():  # a socket shut down mid-head can look like a short, complete reply: never trust it
            raise self._stopped_or(holder, late, late)
        return self._decode(method, path, resp, content)

    def _read_capped(self, method: str, path: str, resp: requests.Response) -> bytes:
        """The reply body, refused once it passes ``max_reply_bytes`` (announced or actually sent)."""
        cap = self.max_reply_bytes
        announced = resp.headers.get("Content-Length", "")
        if announced.isascii() and announced.strip().isdigit() and len(announced) < 20 and int(announced) > cap:
            raise E.ProtocolError(f"{method} {path}: reply of {int(announced)} bytes (limit {cap})",
                                  status=resp.status_code)
        chunks, size = [], 0
        for chunk in resp.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > cap:
                raise E.ProtocolError(f"{method} {path}: reply over {cap} bytes", status=resp.status_code)
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _stopped_or(holder: T.Holder, err: E.BackendError, late: E.BackendError) -> E.BackendError:
        """What a failed call really was: cancelled by the caller, cut at the deadline, or ``err``."""
        if holder.cancelled():
            return E.Cancelled("cancelled during the call")
        return late if holder.expired() else err

    def _decode(self, method: str, path: str, resp: requests.Response, content: bytes) -> Any:
        if resp.status_code == 204:
            return None
        try:
            data = bounds.loads(content, max_bytes=self.max_reply_bytes) if content else None
        except bounds.JsonBoundsError as exc:
            if resp.ok:
                raise E.ProtocolError(f"{method} {path}: reply outside the contract: {exc}",
                                      status=resp.status_code) from exc
            data = None
        if resp.ok:
            if not isinstance(data, dict):
                raise E.ProtocolError(f"{method} {path}: reply is not a JSON object", status=resp.status_code)
            return data
        code = data.get("code") if isinstance(data, dict) and isinstance(data.get("code"), str) else None
        message = data.get("message") if isinstance(data, dict) and isinstance(data.get("message"), str) else None
        retry_after = None
        raw_after = resp.headers.get("Retry-After", "").strip()
        if raw_after.isascii() and raw_after.isdigit() and len(raw_after) <= 9:  # else: the default backoff
            retry_after = float(raw_after)
        err = E.error_for_status(resp.status_code, code, f"{method} {path}: {message or resp.reason}",
                                 retry_after)
        if isinstance(data, dict) and isinstance(data.get("server_time_epoch"), (int, float)):
            err.server_time = float(data["server_time_epoch"])  # type: ignore[attr-defined]
        raise err


def _scanned(code: str) -> dict[str, str]:
    """The body of the scan endpoints; a scan that cannot be a code (docs/openapi.yaml ``ScannedCode``) is
    refused here with the resident's message instead of sending a request the contract forbids."""
    if not isinstance(code, str) or not 4 <= len(code) <= 512 or not all(" " <= ch <= "~" for ch in code):
        zh, en = E.ScanCodeRejected.MESSAGES["code_unreadable"]
        raise E.ScanCodeRejected("scanned text is not a code", code="code_unreadable", message_zh=zh,
                                 message_en=en)
    return {"code": code}


def _now() -> float:
    return wall_time()


def _caused_by(exc: BaseException, typ: type) -> bool:
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, typ):
            return True
        if isinstance(e, BaseException):
            stack.extend([e.__cause__, e.__context__, getattr(e, "reason", None), *e.args])
    return False
