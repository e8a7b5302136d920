"""IdCardReader: the SAM ID-card reader driver on the shared Device base (one worker, timeouts, events).

Every exchange is "write one command frame, read one reply frame" on the worker thread, through a port
opened by :func:`devices.transport.open_port` (so a tty, a pty path or ``socket://`` all work). The
driver polls find-card while polling is enabled, reads the card once per placement and reports
``card_present`` → ``card_read`` → ``card_removed``. Find is sent every ``poll_interval`` (100 ms at the
least) while no card is on the reader — a find and its "no card" reply are 21 bytes, under 2 ms of a
115200-baud line, and the wait for this poll is most of what a resident waits for before the read starts
— and no faster than every 300 ms (the vendor's advice) once a card has been found and lies there.

Failure policy: a bad frame or a reader-side checksum complaint is retried once, then reported; a reader
that stops answering (timeout after one retry) or a port that vanishes takes the device offline, and the
base reconnects with backoff. Card fields are never logged here — only status codes.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Callable

import serial

from devices.base import DeviceStatus, SerialDevice
from devices.errors import DeviceError, DeviceTimeout, DeviceUnavailable, OperationCancelled, ProtocolError
from devices.idcard import protocol as p
from devices.idcard.card import IdCard
from devices.idcard.photo import PhotoDecoder, PhotoDecoderError, load_photo_decoder
from devices.idcard.textblock import decode_text_block
from devices.transport import wire_seconds

log = logging.getLogger(__name__)

MIN_POLL_INTERVAL = 0.1  # between finds while no card is on the reader
PRESENT_POLL_INTERVAL = 0.3  # between finds while a found card lies on the reader (vendor advice)
_READ_REPLY_LEN = 7 + 3 + 4 + p.TEXT_LEN + p.PHOTO_LEN + 1  # 1295
_RETRY = (p.Sw3.BAD_CHECKSUM, p.Sw3.BAD_LENGTH)  # the reader got our frame damaged: send it again
Abort = Callable[[], bool]


class IdCardReader(SerialDevice):
    """Driver for a SAM reader at ``url``. Start with :meth:`start`; see the module docstring."""

    kind = "idcard"

    def __init__(self, url: str, *, baudrate: int = 115200, poll_interval: float = 0.3,
                 photo_decoder: str | os.PathLike | PhotoDecoder | None = None, reply_timeout: float = 0.5,
                 health_interval: float = 2.0, name: str | None = None) -> None:
        super().__init__(url, baudrate=baudrate, name=name)
        self.poll_interval = max(MIN_POLL_INTERVAL, poll_interval)
        self.reply_timeout = reply_timeout
        self.health_interval = health_interval
        self._photo_source = photo_decoder
        self._photo: PhotoDecoder | None = photo_decoder if isinstance(photo_decoder, PhotoDecoder) else None
        self._photo_checked = self._photo is not None or photo_decoder is None
        self._decoder = p.FrameDecoder()
        self._polling = False
        self._rearm = False
        self._card_state = "absent"  # absent | present (found, not read yet) | read
        self._reported: str | None = None  # error code already reported for this placement
        self._cancel_gen = 0
        self._gen_lock = threading.Lock()
        self._last_health = 0.0
        self._last_find = 0.0

    # ----- public API -----------------------------------------------------------------------------
    def set_polling(self, enabled: bool) -> None:
        """Poll find-card while enabled; a card already on the reader is read again after re-enabling."""
        if enabled and not self._polling:
            self._rearm = True
        self._polling = bool(enabled)

    @property
    def polling(self) -> bool:
        return self._polling

    @property
    def card_on_reader(self) -> bool:
        """Whether the last find saw a card. A card lifted stays "on" until the next find (up to one poll
        interval); a card lifted and placed again within one poll is the same placement to the reader."""
        return self._card_state != "absent"

    def cancel(self) -> None:
        """Abort a pending :meth:`read_card` (Home/Back, idle reset, QR identification won)."""
        with self._gen_lock:
            self._cancel_gen += 1
        super().cancel()

    def read_card(self, timeout: float, *, cancel: threading.Event | None = None) -> IdCard:
        """Wait up to ``timeout`` s for a card, then find/select/read it. Call from a worker thread.

        ``cancel`` (e.g. a ``kiosk.tasks`` cancel event) aborts like :meth:`cancel`, within ~20 ms of a poll.

        Raises CardNotPresent (no card in time), CardReadFailed (card found but unreadable until the
        deadline; ``error`` events were emitted meanwhile), SamFault, OperationCancelled, DeviceTimeout
        or DeviceUnavailable. Does not emit ``card_read`` — the caller has the card.
        """
        gen = self._cancel_gen
        deadline = time.monotonic() + timeout
        slack = 2 * self._reply_timeout(_READ_REPLY_LEN) + 1.0
        return self.call(self._read_until, deadline, gen, cancel, timeout=timeout + slack)

    def sam_info(self, timeout: float = 3.0) -> dict[str, Any]:
        """SAM status and ID: ``{"sam_ok": bool, "sam_status": code, "sam_id": str | None}``."""
        return self.call(self._sam_info, timeout=timeout)

    # ----- Device hooks ---------------------------------------------------------------------------
    def _connect(self) -> None:
        self._open_port(0.02)
        self._decoder.reset()
        self._card_state, self._reported = "absent", None
        self._load_photo_decoder()
        reply = self._request(p.encode_sam_status(), 11)
        self._last_health = time.monotonic()
        if reply.sw3 != p.Sw3.SUCCESS:
            try:
                self._failure(reply)
            except p.SamFault:
                pass  # recorded as hardwareError + error event; the reader answers, so stay connected

    def _poll(self) -> None:
        try:
            if self._polling:
                self._poll_card()
            elif time.monotonic() - self._last_health >= self.health_interval:
                self._sam_info()
        except DeviceTimeout as exc:
            if self._connected:  # _sam_info may already have dropped the connection
                self._lost(exc)
        except p.SamFault:
            pass  # already reported as hardwareError + error event by _failure

    # ----- operations (worker thread) -------------------------------------------------------------
    def _poll_card(self) -> None:
        if self._rearm:
            self._rearm, self._card_state, self._reported = False, "absent", None
        elif self._card_state != "absent" and time.monotonic() - self._last_find < PRESENT_POLL_INTERVAL:
            return  # a card lies on the reader: only watch for its removal, at the vendor's pace
        if not self._find(None):
            if self._card_state != "absent":
                self._card_state, self._reported = "absent", None
                self._emit("card_removed")
            return
        if self._card_state == "read":
            return
        if self._card_state == "absent":
            self._card_state = "present"
            self._emit("card_present")
        try:
            card = self._select_and_read(None)
        except (p.CardReadFailed, ProtocolError) as exc:
            self._report(exc, once=True)
            return
        self._card_state, self._reported = "read", None
        self._emit("card_read", card=card)

    def _read_until(self, deadline: float, gen: int, cancel: threading.Event | None) -> IdCard:
        def aborted() -> bool:
            return (self._cancel_gen != gen or self._stopping.is_set()
                    or (cancel is not None and cancel.is_set()))

        last: DeviceError | None = None
        self._reported = None  # each wait reports a failing card once, not every poll
        try:
            while True:
                if aborted():
                    raise OperationCancelled()
                if self._find(aborted):
                    try:
                        card = self._select_and_read(aborted)
                    except p.CardReadFailed as exc:
                        last = exc
                        self._report(exc, once=True)
                    else:
                        self._card_state, self._reported = "read", None
                        return card
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise last or p.CardNotPresent("no card placed before the timeout")
                # a card that failed to read lies there: try it again at the vendor's pace
                pace = self.poll_interval if last is None else max(self.poll_interval, PRESENT_POLL_INTERVAL)
                step = min(pace, remaining)
                if cancel is None:
                    self._cancel.wait(step)
                else:  # two events to watch: slice the wait so either one stops it promptly
                    end = time.monotonic() + step
                    while not aborted() and time.monotonic() < end:
                        self._cancel.wait(min(0.02, max(0.0, end - time.monotonic())))
        except DeviceTimeout as exc:
            self._lost(exc)
            raise

    def _sam_info(self) -> dict[str, Any]:
        try:
            self._last_health = time.monotonic()
            status = self._request(p.encode_sam_status(), 11)
            info: dict[str, Any] = {"sam_ok": status.sw3 == p.Sw3.SUCCESS,
                                    "sam_status": p.describe_sw3(status.sw3).code, "sam_id": None}
            if status.sw3 != p.Sw3.SUCCESS:
                try:
                    self._failure(status)
                except p.SamFault:
                    return info  # reported (hardwareError + error event); the caller sees sam_ok False
            ident = self._request(p.encode_sam_id(), 27)
            if ident.sw3 == p.Sw3.SUCCESS:
                info["sam_id"] = p.format_sam_id(ident.data)
            return info
        except DeviceTimeout as exc:
            if self._connected:
                self._lost(exc)
            raise

    def _find(self, aborted: Abort | None) -> bool:
        self._last_find = time.monotonic()
        reply = self._request(p.encode_find_card(), 15, aborted)
        if reply.sw3 == p.Sw3.FIND_OK:
            return True
        if reply.sw3 in (p.Sw3.NO_CARD, p.Sw3.NO_CARD_YET):
            return False
        self._failure(reply)
        return False  # not reached: _failure raises

    def _select_and_read(self, aborted: Abort | None) -> IdCard:
        """select + read after a successful find. A damaged or lost read reply repeats find+select+read once
        (the SAM wants a fresh select before every read)."""
        for attempt in (0, 1):
            if attempt:
                self._find(aborted)
            reply = self._request(p.encode_select_card(), 19, aborted)
            if reply.sw3 != p.Sw3.SUCCESS:
                self._failure(reply, card_found=True)
            try:
                reply = self._request(p.encode_read_basic(), _READ_REPLY_LEN, aborted, retries=0)
            except (ProtocolError, DeviceTimeout):
                if attempt:
                    raise
                continue
            if reply.sw3 != p.Sw3.SUCCESS:
                self._failure(reply, card_found=True)
            text, photo, _fp = p.split_read_reply(reply.data)
            card = decode_text_block(text)
            card.photo_wlt = bytearray(photo)
            if self._photo is not None:
                card.photo_bmp = self._photo.decode(card.photo_wlt)
            return card
        raise AssertionError("unreachable")

    # ----- frames -------------------------------------------------------------------------------
    def _reply_timeout(self, reply_len: int) -> float:
        return self.reply_timeout + wire_seconds(reply_len + 16, self.baudrate)

    def _request(self, frame: bytes, reply_len: int, aborted: Abort | None = None, *,
                 retries: int = 1) -> p.Reply:
        """Send ``frame`` and return its reply, retrying ``retries`` times on a damaged exchange."""
        for attempt in range(retries + 1):
            last = attempt == retries
            try:
                reply = self._exchange(frame, self._reply_timeout(reply_len), aborted)
            except ProtocolError as exc:
                if last:
                    self._report(exc, once=False)
                    raise
                continue
            except DeviceTimeout:
                if last:
                    raise
                continue
            if reply.sw3 in _RETRY and not last:
                continue
            if self._status == DeviceStatus.HARDWARE_ERROR and reply.sw3 not in _SAM_FAULTS:
                self._reported = None  # a later SAM fault is news again
                self._set_status(DeviceStatus.ONLINE)
            return reply
        raise AssertionError("unreachable")

    def _exchange(self, frame: bytes, timeout: float, aborted: Abort | None) -> p.Reply:
        port = self._port
        if port is None:
            raise DeviceUnavailable(f"{self.name} is not connected")
        self._decoder.reset()
        try:
            if port.in_waiting:
                port.reset_input_buffer()  # a late reply to an earlier, timed-out command
            port.write(frame)
            deadline = last_rx = time.monotonic()
            deadline += timeout
            quiet_gap = 0.2 + wire_seconds(128, self.baudrate)
            while True:
                if aborted is not None and aborted():
                    raise OperationCancelled()
                data = port.read(self._wanted())
                now = time.monotonic()
                if data:
                    last_rx = now
                    items = self._decoder.feed(data)
                elif self._decoder.pending and (now - last_rx > quiet_gap or now >= deadline):
                    items = self._expire_all()  # the line went quiet: a false preamble may hide the reply
                else:
                    items = []
                for item in items:
                    if isinstance(item, p.Reply):
                        return item
                    if item.kind == "bad_checksum":  # the reply itself arrived damaged
                        raise item.to_error()
                    # bad_length: a false preamble in line noise; the real reply may follow
                if now >= deadline:
                    raise DeviceTimeout(f"{self.name}: no reply within {timeout:.2f}s",
                                        message_zh="身份证读卡器无响应")
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"{self.name}: port lost: {exc}", message_zh="身份证读卡器已断开") from exc

    def _expire_all(self) -> list:
        """Give up on the partial frame held; stop at the first complete item found behind it."""
        while self._decoder.pending:
            items = [i for i in self._decoder.expire() if not isinstance(i, p.DecodeError)
                     or i.kind == "bad_checksum"]
            if items:
                return items
        return []

    def _wanted(self) -> int:
        """Bytes that would complete the frame in progress: read exactly that much, no waiting for more."""
        return max(1, self._decoder.needed())

    # ----- errors and events --------------------------------------------------------------------
    def _failure(self, reply: p.Reply, *, card_found: bool = False) -> None:
        """Raise the typed error for a failure reply; SAM faults also set hardwareError."""
        if p.describe_sw3(reply.sw3).error is type(None):
            # a non-failure status (e.g. 0x91 "no content") where this step needs success: untrusted reply
            raise ProtocolError(f"unexpected reader status 0x{reply.sw3:02X} for this step",
                                message_zh="读卡器返回了意外的状态")
        exc = p.sw3_error(reply.sw3)
        if card_found and isinstance(exc, p.CardNotPresent):
            # the card was found a moment ago: it was lifted mid-read
            exc = p.CardReadFailed(f"card left the reader during the read (SW3 0x{reply.sw3:02X})")
            exc.sw3, exc.code = reply.sw3, "card_removed_mid_read"
        if isinstance(exc, p.SamFault):
            self._set_status(DeviceStatus.HARDWARE_ERROR, exc.message_en, exc.action)
            self._report(exc, once=True)
        raise exc

    def _report(self, exc: DeviceError, *, once: bool) -> None:
        code = getattr(exc, "code", None) or type(exc).__name__
        if once and self._reported == code:
            return
        self._reported = code
        log.warning("%s: %s (%s)", self.name, code, exc.message_en)
        self._emit("error", code=code, message_zh=exc.message_zh, message_en=exc.message_en,
                   action=exc.action.value)

    def _load_photo_decoder(self) -> None:
        if self._photo_checked:
            return
        self._photo_checked = True
        try:
            self._photo = load_photo_decoder(self._photo_source)  # type: ignore[arg-type]
        except PhotoDecoderError as exc:
            exc.code = "photo_decoder"
            self._report(exc, once=False)


_SAM_FAULTS = (p.Sw3.SAM_SELF_TEST_FAILED, p.Sw3.LOGIN_FAILED, p.Sw3.SAM_NOT_AUTHORISED)
