"""The gateway client's transport pieces: signing connections, cancellable retries, the call watcher.

Kept apart from ``client.py`` (the endpoints and the decoding of replies). Each call in flight has a
:class:`Holder` (its cancel event, its overall deadline, its connection and reply socket), published in a
thread-local so urllib3's retry loop and the signing connection can see it; :data:`watch` is the one thread
that shuts down the socket of a call that was cancelled or passed its deadline.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from kiosk.backend.signing import Signer

log = logging.getLogger("kiosk.backend.client")

local = threading.local()  # per worker thread: the cancel event and the connection of the current call


class _PoolFullIsExpected(logging.Filter):
    """urllib3 warns when it closes a connection its pool has no room for; with the kiosk's one kept
    connection per route (kiosk/runtime.py) that is how an overlapping call ends, not a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Connection pool is full, discarding connection")


logging.getLogger("urllib3.connectionpool").addFilter(_PoolFullIsExpected())


class Holder:
    """One call in flight: its cancel event, its overall deadline (monotonic) and its current connection."""

    __slots__ = ("cancel", "conn", "deadline", "sock")

    def __init__(self, cancel: threading.Event | None, deadline: float) -> None:
        self.cancel = cancel
        self.deadline = deadline
        self.conn: HTTPSConnection | None = None
        # the socket the reply arrives on: http.client drops ``conn.sock`` as soon as the headers say
        # "Connection: close", while the body is still being read from it
        self.sock: Any = None

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def stopped(self) -> bool:
        return self.cancelled() or self.expired()


class RetryCancelled(Exception):
    """Raised inside urllib3's retry loop; deliberately not an OSError so urllib3 does not retry it."""


class CancellableRetry(Retry):
    """urllib3 Retry whose sleeps wait on the caller's cancel event and whose Retry-After is capped."""

    retry_after_max_s = 10.0

    def increment(self, *args: Any, **kwargs: Any) -> Retry:
        holder = getattr(local, "holder", None)
        if holder is not None and holder.stopped():
            raise RetryCancelled()
        return super().increment(*args, **kwargs)

    def _wait(self, seconds: float) -> None:
        holder = getattr(local, "holder", None)
        if holder is None:
            threading.Event().wait(seconds)
            return
        if seconds >= holder.deadline - time.monotonic():  # the wait would end after the deadline
            raise RetryCancelled()
        if holder.cancel is None:
            threading.Event().wait(seconds)
        elif holder.cancel.wait(seconds):
            raise RetryCancelled()

    def get_retry_after(self, response: Any) -> float | None:
        """urllib3's parse, but a malformed value (garbage, a 5,000-digit number) means the default backoff."""
        try:
            return super().get_retry_after(response)
        except (InvalidHeader, ValueError, OverflowError):
            return None

    def sleep(self, response: Any = None) -> None:
        if self.respect_retry_after_header and response is not None:
            after = self.get_retry_after(response)
            if after:
                self._wait(min(after, self.retry_after_max_s))
                return
        backoff = self.get_backoff_time()
        if backoff > 0:
            self._wait(backoff)


def adapter(signer: Signer, retry: Retry, pool_size: int) -> HTTPAdapter:
    class SigningConnection(HTTPSConnection):
        def request(self, method: str, url: str, body: Any = None, headers: Any = None, **kw: Any) -> None:
            holder = getattr(local, "holder", None)
            if holder is not None:
                holder.conn = self
            signed = dict(headers or {})
            signed.update(signer.headers(method, url, body if isinstance(body, (bytes, str)) else None))
            super().request(method, url, body=body, headers=signed, **kw)
            if holder is not None:
                holder.sock = self.sock

    class SigningPool(HTTPSConnectionPool):
        ConnectionCls = SigningConnection

    class SigningAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"https": SigningPool}

    return SigningAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=retry)


class CancelWatch:
    """One lazily started thread that shuts down the socket of a call whose cancel event is set or whose
    overall deadline passed (a per-read timeout alone lets a reply trickled byte by byte last forever)."""

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
                # kept until the call discards it: a retry's fresh connection is shut down too
                fired = [h for h in self._holders if h.stopped()]
            for h in fired:
                conn, h.conn, reply_sock, h.sock = h.conn, None, h.sock, None
                for sock in {id(s): s for s in (getattr(conn, "sock", None), reply_sock) if s is not None}.values():
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError as exc:  # already closed by the peer or by urllib3
                        log.debug("cancel: socket already closed (%s)", exc)
            threading.Event().wait(0.05)


watch = CancelWatch()
