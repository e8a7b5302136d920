"""The HTTP plumbing under :class:`kiosk.backend.client.GatewayClient`: signing, cancellable retries, cancel watch.

Every attempt, urllib3's own retries included, is signed when it goes on the wire (``signing_adapter``); the
retry's sleeps wait on the caller's cancel event (``CancellableRetry``); and one lazily started thread shuts
down the socket of a call whose cancel event is set (``cancel_watch``). ``call_local`` carries the current
call's :class:`Holder` (its cancel event and connection) on the worker thread that makes it.
"""
from __future__ import annotations

import logging
import socket
import threading
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.util.retry import Retry

from kiosk.backend.signing import Signer

log = logging.getLogger("kiosk.backend.client")

#: per worker thread: the cancel event and the connection of the current call
call_local = threading.local()


class _PoolFullIsExpected(logging.Filter):
    """urllib3 warns when it closes a connection its pool has no room for; with the kiosk's one kept
    connection per route (kiosk/runtime.py) that is how an overlapping call ends, not a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Connection pool is full, discarding connection")


logging.getLogger("urllib3.connectionpool").addFilter(_PoolFullIsExpected())


class Holder:
    __slots__ = ("cancel", "conn")

    def __init__(self, cancel: threading.Event | None) -> None:
        self.cancel = cancel
        self.conn: HTTPSConnection | None = None


class RetryCancelled(Exception):
    """Raised inside urllib3's retry loop; deliberately not an OSError so urllib3 does not retry it."""


class CancellableRetry(Retry):
    """urllib3 Retry whose sleeps wait on the caller's cancel event and whose Retry-After is capped."""

    retry_after_max_s = 10.0

    def increment(self, *args: Any, **kwargs: Any) -> Retry:
        holder = getattr(call_local, "holder", None)
        if holder is not None and holder.cancel is not None and holder.cancel.is_set():
            raise RetryCancelled()
        return super().increment(*args, **kwargs)

    def _wait(self, seconds: float) -> None:
        holder = getattr(call_local, "holder", None)
        cancel = holder.cancel if holder is not None else None
        if cancel is None:
            threading.Event().wait(seconds)
        elif cancel.wait(seconds):
            raise RetryCancelled()

    def sleep(self, response: Any = None) -> None:
        if self.respect_retry_after_header and response is not None:
            after = self.get_retry_after(response)
            if after:
                self._wait(min(after, self.retry_after_max_s))
                return
        backoff = self.get_backoff_time()
        if backoff > 0:
            self._wait(backoff)


def signing_adapter(signer: Signer, retry: Retry, pool_size: int) -> HTTPAdapter:
    class SigningConnection(HTTPSConnection):
        def request(self, method: str, url: str, body: Any = None, headers: Any = None, **kw: Any) -> None:
            holder = getattr(call_local, "holder", None)
            if holder is not None:
                holder.conn = self
            signed = dict(headers or {})
            signed.update(signer.headers(method, url, body if isinstance(body, (bytes, str)) else None))
            super().request(method, url, body=body, headers=signed, **kw)

    class SigningPool(HTTPSConnectionPool):
        ConnectionCls = SigningConnection

    class SigningAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"https": SigningPool}

    return SigningAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=retry)


class CancelWatch:
    """One lazily started thread that shuts down the socket of a call whose cancel event is set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders: set[Holder] = set()
        self._thread: threading.Thread | None = None

    def add(self, holder: Holder) -> None:
        with self._lock:
            self._holders.add(holder)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="gateway-cancel", daemon=True)
                self._thread.start()

    def discard(self, holder: Holder) -> None:
        with self._lock:
            self._holders.discard(holder)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._holders:
                    self._thread = None
                    return
                fired = [h for h in self._holders if h.cancel is not None and h.cancel.is_set()]
                for h in fired:
                    self._holders.discard(h)
            for h in fired:
                sock = getattr(h.conn, "sock", None)
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError as exc:  # already closed by the peer or by urllib3
                        log.debug("cancel: socket already closed (%s)", exc)
            threading.Event().wait(0.05)


cancel_watch = CancelWatch()
