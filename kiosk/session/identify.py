"""Identification in the session: ID card and 随申办 QR side by side; whichever finishes first wins.

A mixin of :class:`kiosk.session.controller.SessionController`. The QR ticket is polled from ``tick()`` at the
gateway's interval (backing off on ``slow_down``), never refreshed automatically once expired, and cancelled
on the gateway when the card wins, on Back and on wipe. Card data is wiped right after the identity check.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from kiosk import clock as wallclock
from kiosk.session.state import CardView, Identity, QrView, Text
from kiosk.session.text import msg

log = logging.getLogger(__name__)


class IdentifyMixin:
    # ----- identification ----------------------------------------------------------------------
    def start_identify(self, pending_service: str | None = None) -> None:
        self._pending_service = pending_service
        self.state.screen = "identify"
        self.state.error = None
        if self.state.devices.reader_online:
            self.state.card = CardView("waiting", msg("card.waiting"))
            self.rt.set_card_polling(True)
        else:
            self.state.card = CardView("error", msg("card.unavailable"))
        self._create_qr()
        self._changed()

    def refresh_qr(self) -> None:
        self.touch()
        self._create_qr()
        self._changed()

    def _create_qr(self) -> None:
        self._drop_qr_ticket()
        self.state.qr = QrView("loading", message=msg("busy.qr"))
        self._spawn("qr_create", lambda cancel: self.rt.client.create_qr_ticket(cancel=cancel),
                    on_done=self._qr_created, on_error=self._qr_failed, timeout=15.0)

    def _qr_created(self, ticket: Any) -> None:
        if self.state.screen != "identify":
            self._cancel_qr_on_backend(ticket)
            return
        self._qr_ticket = ticket
        self._qr_interval = float(getattr(ticket, "interval_s", 2.0) or 2.0)
        self._qr_expires_at = self.clock() + _seconds_until(getattr(ticket, "expires_at", None), self.now)
        self._qr_next_poll = self.clock() + self._qr_interval
        self.state.qr = QrView("waiting", qr_url=ticket.qr_url, seconds_left=self._qr_seconds_left(),
                               message=msg("qr.waiting"))
        self._changed()

    def _qr_failed(self, exc: BaseException) -> None:
        log.warning("QR ticket failed: %s", exc)
        self.state.qr = QrView("error", message=msg("qr.error"))
        self._changed()

    def _qr_seconds_left(self) -> int:
        return max(0, int(round(self._qr_expires_at - self.clock())))

    def _poll_qr(self) -> None:
        ticket = self._qr_ticket
        self._qr_next_poll = None
        self._spawn("qr_poll", lambda cancel: self.rt.client.poll_qr_ticket(ticket.id, cancel=cancel),
                    on_done=self._qr_polled, on_error=self._qr_poll_failed, timeout=15.0)

    def _qr_polled(self, reply: Any) -> None:
        if self._qr_ticket is None or self.state.screen != "identify":
            return
        state = str(getattr(reply, "state", "waiting"))
        interval = float(getattr(reply, "interval_s", 0) or 0)
        if getattr(reply, "slow_down", False):  # RFC 8628 §3.5: add 5 s for this and every later poll
            self._qr_interval = max(interval, self._qr_interval + 5.0)
        elif interval:
            self._qr_interval = interval
        qr = self.state.qr or QrView()
        if state == "confirmed":
            self._qr_ticket = None
            auth = reply.session
            self._identified(auth, "qr")
            return
        if state in ("expired", "cancelled", "denied"):
            self._qr_ticket = None
            key = "qr.expired" if state == "expired" else "qr.cancelled"
            self.state.qr = QrView("expired" if state == "expired" else "cancelled", message=msg(key))
        else:
            self.state.qr = QrView(state, qr_url=qr.qr_url, seconds_left=self._qr_seconds_left(),
                                   message=msg("qr.scanned") if state == "scanned" else msg("qr.waiting"))
            self._qr_next_poll = self.clock() + self._qr_interval
        self._changed()

    def _qr_poll_failed(self, exc: BaseException) -> None:
        log.warning("QR poll failed: %s", exc)
        if self._qr_ticket is not None:  # transient: keep polling (backed off) until the ticket expires
            self._qr_interval = min(10.0, self._qr_interval * 2)
            self._qr_next_poll = self.clock() + self._qr_interval

    def _drop_qr_ticket(self) -> None:
        self._cancel_task("qr_create")
        self._cancel_task("qr_poll")
        ticket, self._qr_ticket = self._qr_ticket, None
        self._qr_next_poll = None
        if ticket is not None:
            self._cancel_qr_on_backend(ticket)

    def _cancel_qr_on_backend(self, ticket: Any) -> None:
        # fire-and-forget: a failed cancel only means the ticket expires by itself on the gateway
        self.rt.spawn("qr_cancel", lambda cancel: self.rt.client.cancel_qr_ticket(ticket.id, cancel=cancel),
                      on_done=lambda _r: None,
                      on_error=lambda exc: log.info("QR ticket cancel not delivered: %s", exc), timeout=10.0)

    # card events (from the runtime, on the UI thread)
    def on_card_present(self) -> None:
        if self.state.screen == "identify" and self.state.card.state in ("waiting", "error"):
            self.state.card = CardView("reading", msg("card.reading"))
            self._changed()

    def on_card_read(self, card: Any) -> None:
        if self.state.screen == "staff":
            self._staff_card_read(card)
            return
        if self.state.screen != "identify" or self._token is not None or "auth" in self._tasks:
            wipe = getattr(card, "wipe", None)
            if wipe:
                wipe()
            return
        self.state.card = CardView("reading", msg("card.reading"))

        def auth(cancel: Any) -> Any:
            try:
                return self.rt.auth_idcard(card, cancel=cancel)
            finally:
                card.wipe()  # the resident's card data is not kept past the identity check
        self._spawn("auth", auth, on_done=lambda a: self._identified(a, "idcard"), on_error=self._auth_failed,
                    timeout=20.0, busy=msg("busy.auth"))
        self._changed()

    def on_card_error(self, message_zh: str = "", message_en: str = "", code: Any = None) -> None:
        if self.state.screen == "staff":
            self._staff_card_error(Text(message_zh or "读卡失败", message_en or "Card read failed"))
            return
        if self.state.screen != "identify" or self._token is not None:
            return
        text = msg("card.retry")
        if message_zh:
            text = Text(f"{text.zh}（{message_zh}）", f"{text.en} ({message_en or message_zh})")
        self.state.card = CardView("error", text)
        self._changed()

    def on_card_removed(self) -> None:
        """Pulling the card does not end the session: residents put their cards away."""
        if self.state.screen == "identify" and self.state.card.state == "reading" and "auth" not in self._tasks:
            self.state.card = CardView("waiting", msg("card.waiting"))
            self._changed()

    def _auth_failed(self, exc: BaseException) -> None:
        log.warning("identity check failed: %s", type(exc).__name__)
        reason = _error_text(exc, msg("auth.failed"))
        again = msg("card.retry")
        # the reader reads a card once per placement: lifting and placing it again is the retry
        self.state.card = CardView("error", Text(f"{reason.zh}。{again.zh}", f"{reason.en}. {again.en}"))
        self._changed()

    def _identified(self, auth: Any, method: str) -> None:
        self._token = auth.token
        self.rt.set_card_polling(False)
        self._cancel_task("auth")  # QR won while a card check was in flight: its late answer is ignored
        self._drop_qr_ticket()
        self.state.qr = None
        self.state.card = CardView("done")
        self.state.identity = Identity(display_name=str(auth.display_name), method=method)
        log.info("resident identified via %s", method)
        pending, self._pending_service = self._pending_service, None
        self.state.screen = "menu"
        if pending:
            self.choose_service(pending)  # straight on into the service the resident chose before identifying
        else:
            self._changed()



def _seconds_until(expires_at: Any, now: Callable[[], datetime]) -> float:
    """Seconds until ``expires_at`` (datetime, epoch seconds or None → 60 s, the usual ticket life)."""
    if expires_at is None:
        return 60.0
    if isinstance(expires_at, datetime):
        # both through the one clock's rule (aware = an instant, naive = terminal-local)
        return max(0.0, (wallclock.to_local(expires_at) - wallclock.to_local(now())).total_seconds())
    return max(0.0, float(expires_at) - wallclock.to_local(now()).timestamp())


def _error_text(exc: BaseException, fallback: Text) -> Text:
    zh = getattr(exc, "message_zh", None)
    en = getattr(exc, "message_en", None)
    if zh:
        return Text(str(zh), str(en or zh))
    return fallback
