"""The resident's ID card from the reader to the gateway, without ever reaching the UI thread.

The session asks for cards with :meth:`CardChecker.watch` while the identify screen waits. When the reader's
worker thread reads a card it calls :meth:`CardChecker.check` (from the reader's event), which — still on
that worker — sends the card to the gateway's identity check, wipes the card (the one place a resident
card is wiped; also when nobody wants it), and posts to the UI thread only ``on_checking()`` and then the
gateway's answer (a token and the masked name) or the typed error. Cancelling the watch stops the reader
polling and aborts a check in flight; an answer that arrives after the cancel is dropped.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Callable

from kiosk.bridge import UiBridge

if TYPE_CHECKING:
    from devices.idcard.card import IdCard
    from kiosk.backend.models import AuthSession

log = logging.getLogger(__name__)

Auth = Callable[["IdCard", threading.Event], "AuthSession"]


class CardWatch:
    """One request for cards; :meth:`cancel` (UI thread) ends it."""

    def __init__(self, checker: "CardChecker", on_checking: Callable[[], Any],
                 on_done: Callable[["AuthSession"], Any], on_error: Callable[[BaseException], Any]) -> None:
        self._checker = checker
        self.on_checking, self.on_done, self.on_error = on_checking, on_done, on_error
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()
        self._checker.unwatch(self)


class CardChecker:
    """Checks cards on the reader's worker for the current :class:`CardWatch` (see the module docstring)."""

    def __init__(self, bridge: UiBridge, *, auth: Auth, set_polling: Callable[[bool], None],
                 note_error: Callable[[BaseException], None]) -> None:
        self._bridge = bridge
        self._auth = auth
        self._set_polling = set_polling
        self._note_error = note_error
        self._lock = threading.Lock()
        self._watch: CardWatch | None = None
        self._keep = False  # poll also while nobody watches (keep_polling)

    def watch(self, *, on_checking: Callable[[], Any], on_done: Callable[["AuthSession"], Any],
              on_error: Callable[[BaseException], Any]) -> CardWatch:
        new = CardWatch(self, on_checking, on_done, on_error)
        with self._lock:
            old, self._watch = self._watch, new
        if old is not None:
            old.cancelled.set()
        self._set_polling(True)
        return new

    def unwatch(self, watch: CardWatch) -> None:
        with self._lock:
            if self._watch is not watch:
                return
            self._watch = None
            keep = self._keep
        self._set_polling(keep)

    def keep_polling(self, keep: bool) -> None:
        """Poll the reader also while nobody watches (the session's resident screens; a card read then is
        wiped unchecked). Why: the reader reads a card lying on it again whenever polling is switched back
        on, so a card left on the reader after a session would sign its owner in again on the next watch;
        kept polling, it stays read until it is lifted and placed again."""
        with self._lock:
            self._keep = keep
            watching = self._watch is not None
        self._set_polling(keep or watching)

    def check(self, card: "IdCard") -> None:
        """Reader worker: check ``card`` for the current watch, then wipe it whatever happened."""
        try:
            with self._lock:
                watch = self._watch
            if watch is None or watch.cancelled.is_set():
                return  # nobody asked for a card (staff screen, closed, already identified)
            self._bridge.post(watch.on_checking)
            try:
                auth = self._auth(card, watch.cancelled)
            except Exception as exc:  # every failure becomes the resident's "try again", never a dead reader
                self._note_error(exc)
                if not watch.cancelled.is_set():
                    self._bridge.post(watch.on_error, exc)
                return
            if not watch.cancelled.is_set():
                self._bridge.post(watch.on_done, auth)
        finally:
            card.wipe()  # the resident's card data is not kept past the identity check
