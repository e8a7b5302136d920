"""Identification: ID card and 随申办 QR side by side; whichever finishes first wins.

The card never reaches this module (nor the UI thread): the session asks the runtime to *watch* the reader
(:meth:`SessionRuntime.watch_cards`); the runtime checks each card with the gateway on the reader's own worker
thread, wipes it there, and posts only what the gateway answered (a token and the masked name) — or the
typed error. Cancelling the watch (QR won, Back, Home, wipe, closing time) aborts a check in flight.

Card anywhere: on the attract screen (and the menu, before anyone signed in) the reader is watched too, so
placing the card signs in at once and goes on to the menu, or to the service chosen before signing in;
``tick()`` starts and stops that watch as the screen changes. A card that fails there opens the identify
screen with the reason, next to the QR alternative.

The QR ticket is polled from ``tick()`` at the gateway's interval (backing off on ``slow_down``), never
refreshed automatically once expired, and cancelled on the gateway when the card wins, on Back and on wipe.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from kiosk.session.core import SessionCore, TaskHandle, error_text, seconds_until
from kiosk.session.state import CardView, Identity, QrView, Text
from kiosk.session.text import msg

if TYPE_CHECKING:
    from kiosk.backend.models import AuthSession, QrTicket, QrTicketState

log = logging.getLogger(__name__)

#: the session's name for the card check in flight (a tracked task: wipe and Home cancel it)
CARD_CHECK = "auth"
#: screens where a card placed on the reader signs in at once, without tapping 刷身份证 first (issue 14 §3)
CARD_ANYWHERE = ("attract", "menu")
#: screens where the reader rests between watches: the staff screens read cards their own way. The closed
#: screen keeps polling (a card read there is wiped unchecked), so a card forgotten on the reader at closing
#: time stays read and does not sign its owner in for whoever comes at opening time
_CARDS_OFF = ("staff_pin", "staff")


class IdentifyFlow:
    """Owns ``state.card`` and ``state.qr``; tells the coordinator who the resident is (``on_identified``)."""

    def __init__(self, core: SessionCore, on_identified: Callable[[str | None], None]) -> None:
        self.core = core
        self._on_identified = on_identified
        self.pending_service: str | None = None
        self._watch: TaskHandle | None = None
        self._keep_polling = False
        self._ticket: QrTicket | None = None
        self._expires_at = 0.0
        self._next_poll: float | None = None
        self._interval = 2.0

    # ----- entering and leaving ----------------------------------------------------------------
    def start(self, pending_service: str | None = None) -> None:
        state = self.core.state
        self.pending_service = pending_service
        state.screen = "identify"
        state.error = None
        if state.devices.reader_online:
            state.card = CardView("waiting", msg("card.waiting"))
            self.watch_cards()
        else:
            state.card = CardView("error", msg("card.unavailable"))
        self._create_qr()
        self.core.changed()

    def leave(self) -> None:
        """Back/Home/wipe: stop the reader watch and the QR ticket; forget the pending service."""
        self.stop_cards()
        self.drop_ticket()
        self.core.state.qr = None
        self.core.state.card = CardView()
        self.pending_service = None

    def reader_changed(self, online: bool) -> None:
        """The reader came back or went away while the identify screen waits."""
        card = self.core.state.card
        if online and card.state == "error" and card.message == msg("card.unavailable"):
            self.core.state.card = CardView("waiting", msg("card.waiting"))
            self.watch_cards()
        elif not online and card.state in ("waiting", "reading"):
            self.core.state.card = CardView("error", msg("card.unavailable"))

    # ----- the card (results posted by the runtime from the reader's worker) ---------------------
    def watch_cards(self) -> None:
        if self._watch is not None:
            return
        token: list[TaskHandle] = []

        def live() -> bool:
            return bool(token) and self._watch is token[0]
        watch = self.core.rt.watch_cards(on_checking=lambda: live() and self._checking(),
                                         on_done=lambda auth: live() and self._checked(auth),
                                         on_error=lambda exc: live() and self._check_failed(exc))
        token.append(watch)
        self._watch = watch

    def stop_cards(self) -> None:
        watch, self._watch = self._watch, None
        self.core.cancel_task(CARD_CHECK)
        if watch is not None:
            watch.cancel()

    def follow_screen(self) -> None:
        """Card anywhere: watch the reader while the attract screen (or the menu, nobody signed in) is shown
        and the reader is online; stop when the screen leaves them (identify keeps its own watch)."""
        core = self.core
        state = core.state
        keep = state.screen not in _CARDS_OFF and state.devices.reader_online
        if keep != self._keep_polling:
            # the reader polls on between watches on the resident's screens, so a card left lying on it
            # after a session is not read again for the next resident (runtime_cards.CardChecker.keep_polling)
            self._keep_polling = keep
            core.rt.keep_card_polling(keep)
        wanted = state.screen in CARD_ANYWHERE and core.token is None and state.devices.reader_online
        if wanted and self._watch is None:
            self.watch_cards()
        elif not wanted and self._watch is not None and state.screen != "identify":
            self.stop_cards()

    def _listening(self) -> bool:
        return self.core.state.screen in ("identify",) + CARD_ANYWHERE and self.core.token is None

    def _checking(self) -> None:
        core = self.core
        if not self._listening() or core.running(CARD_CHECK):
            return
        core.state.card = CardView("reading", msg("card.reading"))
        core.track(CARD_CHECK, busy=msg("busy.auth"))
        core.changed()

    def _checked(self, auth: "AuthSession") -> None:
        if self.core.settle(CARD_CHECK) and self._listening():
            self._identified(auth, "idcard")

    def _check_failed(self, exc: BaseException) -> None:
        if not self.core.settle(CARD_CHECK):
            return
        log.warning("identity check failed: %s", type(exc).__name__)
        if self.core.state.screen in CARD_ANYWHERE:
            self.start(self.pending_service)  # the reason where both ways in are shown (the watch goes on)
        reason = error_text(exc, msg("auth.failed"))
        again = msg("card.retry")
        # the reader reads a card once per placement: lifting and placing it again is the retry
        self.core.state.card = CardView("error", Text(f"{reason.zh}。{again.zh}", f"{reason.en}. {again.en}"))
        self.core.changed()

    def on_card_present(self) -> None:
        if self.core.state.screen == "identify" and self.core.state.card.state in ("waiting", "error"):
            self.core.state.card = CardView("reading", msg("card.reading"))
            self.core.changed()

    def on_card_error(self, message_zh: str = "", message_en: str = "") -> None:
        if self.core.state.screen != "identify" or self.core.token is not None:
            return
        text = msg("card.retry")
        if message_zh:
            text = Text(f"{text.zh}（{message_zh}）", f"{text.en} ({message_en or message_zh})")
        self.core.state.card = CardView("error", text)
        self.core.changed()

    def on_card_removed(self) -> None:
        """Pulling the card does not end the session: residents put their cards away."""
        state = self.core.state
        if state.screen == "identify" and state.card.state == "reading" and not self.core.running(CARD_CHECK):
            state.card = CardView("waiting", msg("card.waiting"))
            self.core.changed()

    # ----- the QR ticket -----------------------------------------------------------------------
    def refresh_qr(self) -> None:
        self.core.touched()
        self._create_qr()
        self.core.changed()

    def _create_qr(self) -> None:
        self.drop_ticket()
        self.core.state.qr = QrView("loading", message=msg("busy.qr"))
        client = self.core.rt.client
        self.core.spawn("qr_create", lambda cancel: client.create_qr_ticket(cancel=cancel),
                        on_done=self._qr_created, on_error=self._qr_failed, timeout=15.0)

    def _qr_created(self, ticket: "QrTicket") -> None:
        core = self.core
        if core.state.screen != "identify":
            self._cancel_on_gateway(ticket)
            return
        self._ticket = ticket
        self._interval = float(getattr(ticket, "interval_s", 2.0) or 2.0)
        self._expires_at = core.clock() + seconds_until(getattr(ticket, "expires_at", None), core.now)
        self._next_poll = core.clock() + self._interval
        core.state.qr = QrView("waiting", qr_url=ticket.qr_url, seconds_left=self._seconds_left(),
                               message=msg("qr.waiting"))
        core.changed()

    def _qr_failed(self, exc: BaseException) -> None:
        log.warning("QR ticket failed: %s", type(exc).__name__)
        self.core.state.qr = QrView("error", message=msg("qr.error"))
        self.core.changed()

    def _seconds_left(self) -> int:
        return max(0, int(round(self._expires_at - self.core.clock())))

    def tick(self, now: float) -> bool:
        """Follow the screen for card anywhere, poll the ticket when due, count its seconds down; True when
        the view changed."""
        self.follow_screen()
        changed = False
        state = self.core.state
        if self._next_poll is not None and now >= self._next_poll and self._ticket is not None:
            if now >= self._expires_at:
                self._ticket = None
                self._next_poll = None
                state.qr = QrView("expired", message=msg("qr.expired"))
            else:
                self._poll()
            changed = True
        if state.qr is not None and state.qr.state in ("waiting", "scanned"):
            left = self._seconds_left()
            if left != state.qr.seconds_left:
                state.qr.seconds_left = left
                changed = True
        return changed

    def _poll(self) -> None:
        ticket, client = self._ticket, self.core.rt.client
        self._next_poll = None
        self.core.spawn("qr_poll", lambda cancel: client.poll_qr_ticket(ticket.id, cancel=cancel),
                        on_done=self._qr_polled, on_error=self._qr_poll_failed, timeout=15.0)

    def _qr_polled(self, reply: "QrTicketState") -> None:
        core = self.core
        if self._ticket is None or core.state.screen != "identify":
            return
        state = str(getattr(reply, "state", "waiting"))
        interval = float(getattr(reply, "interval_s", 0) or 0)
        if getattr(reply, "slow_down", False):  # RFC 8628 §3.5: add 5 s for this and every later poll
            self._interval = max(interval, self._interval + 5.0)
        elif interval:
            self._interval = interval
        qr = core.state.qr or QrView()
        if state == "confirmed":
            self._ticket = None
            self._identified(reply.session, "qr")
            return
        if state in ("expired", "cancelled", "denied"):
            self._ticket = None
            key = "qr.expired" if state == "expired" else "qr.cancelled"
            core.state.qr = QrView("expired" if state == "expired" else "cancelled", message=msg(key))
        else:
            core.state.qr = QrView(state, qr_url=qr.qr_url, seconds_left=self._seconds_left(),
                                   message=msg("qr.scanned") if state == "scanned" else msg("qr.waiting"))
            self._next_poll = core.clock() + self._interval
        core.changed()

    def _qr_poll_failed(self, exc: BaseException) -> None:
        log.warning("QR poll failed: %s", type(exc).__name__)
        if self._ticket is not None:  # transient: keep polling (backed off) until the ticket expires
            self._interval = min(10.0, self._interval * 2)
            self._next_poll = self.core.clock() + self._interval

    def drop_ticket(self) -> None:
        self.core.cancel_task("qr_create")
        self.core.cancel_task("qr_poll")
        ticket, self._ticket = self._ticket, None
        self._next_poll = None
        if ticket is not None:
            self._cancel_on_gateway(ticket)

    def _cancel_on_gateway(self, ticket: "QrTicket") -> None:
        client = self.core.rt.client
        self.core.fire_and_forget("qr_cancel", lambda cancel: client.cancel_qr_ticket(ticket.id, cancel=cancel),
                                  timeout=10.0)

    # ----- the winner --------------------------------------------------------------------------
    def identified(self, auth: "AuthSession", method: str) -> None:
        """Another way in won (a scanned 随申码, kiosk/session/scan.py): the same path as the card's."""
        self._identified(auth, method)

    def _identified(self, auth: "AuthSession", method: str) -> None:
        core = self.core
        core.token = auth.token
        self.stop_cards()  # QR won while a card check was in flight: the check is cancelled
        self.drop_ticket()
        core.state.qr = None
        core.state.card = CardView("done")
        core.state.identity = Identity(display_name=str(auth.display_name), method=method)
        log.info("resident identified via %s", method)
        pending, self.pending_service = self.pending_service, None
        core.state.screen = "menu"
        self._on_identified(pending)
