"""Scanner driver: reads scans from a serial 2D scanner on the shared Device worker and emits them as events.

The worker reads the port with a short timeout (``read_timeout``), feeds what came to the profile's
:class:`~devices.scanner.protocol.ScanDecoder`, and — only after a read returned nothing — lets the decoder
end a suffix-less scan on the silence. A payload seen again within ``dedupe_s`` (by the injected monotonic
``clock``) is the same scan. Each new scan is emitted as ``scan_read`` with ``data={"scan": Scan}``; like
``card_read`` that event carries what the resident showed, so listeners must not log it.

The port vanishing (cable, USB re-enumeration, simulator ``unplug``) takes the device offline and the base
reconnects with backoff capped at ``reconnect_cap``; a partial scan from before the cut is dropped, never
glued to the next one. Profiles with a ``query`` are asked at connect (no answer = offline) and by
:meth:`Scanner.query_status`; models with host trigger are re-triggered while reading is enabled.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any, Callable

import serial

from devices.base import SerialDevice
from devices.errors import Action, DeviceTimeout, DeviceUnavailable, OperationCancelled
from devices.scanner.profiles import ScannerProfile, get_profile
from devices.scanner.protocol import Deduper, Scan, ScanDecoder
from devices.transport import PORT_ERRORS

log = logging.getLogger(__name__)


class NoScan(DeviceTimeout, zh="未扫描到二维码", en="Nothing was scanned", action=Action.NONE):
    """Nothing was scanned before the timeout."""


class ScannerSilent(DeviceUnavailable, zh="扫码器无响应", en="Scanner does not answer", action=Action.CONFIGURATION):
    """The port opened but the scanner does not answer its profile's query (wrong profile or baud rate)."""


class Scanner(SerialDevice):
    kind = "scanner"
    #: the worker blocks in the port read (``read_timeout``), so polls follow each other without a pause;
    #: the interval only paces reconnect checks while the port is gone
    poll_interval = 0.02
    #: a scanner must be back within 2 s of its cable; a failed open of a missing port costs nothing
    reconnect_cap = 1.0
    #: seconds between host-trigger commands while reading (host-triggered models stop after a few seconds)
    retrigger_s = 2.5
    #: longest one poll keeps reading a busy line before queued commands get their turn
    busy_s = 0.1

    def __init__(self, url: str, *, baudrate: int = 9600, profile: str | ScannerProfile = "generic",
                 dedupe_s: float = 2.0, clock: Callable[[], float] = time.monotonic, read_timeout: float = 0.02,
                 query_timeout: float = 0.5, name: str | None = None) -> None:
        super().__init__(url, baudrate=baudrate, name=name)
        self.profile = get_profile(profile)
        self.read_timeout = read_timeout
        self.query_timeout = query_timeout
        self._clock = clock
        p = self.profile
        self.decoder = ScanDecoder(p.suffix, encoding=p.encoding, gap_s=p.gap_ms / 1000.0, max_len=p.max_len)
        self.deduper = Deduper(dedupe_s)
        self._enabled = True
        self._last_trigger = 0.0
        self._attempted = threading.Event()
        self._cond = threading.Condition()
        self._scan_count = 0
        self._recent: deque[tuple[int, Scan]] = deque(maxlen=16)
        self.ignored = 0  # scans read while reading was disabled
        self.last_scan_at: float | None = None

    # ----- public API ----------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected

    def wait_attempted(self, timeout: float) -> bool:
        """Wait until the first connection attempt finished (either way); False on timeout."""
        return self._attempted.wait(timeout)

    @property
    def scan_count(self) -> int:
        """Scans reported since start (for :meth:`wait_scan`'s ``since``)."""
        return self._scan_count

    def wait_scan(self, timeout: float, *, since: int | None = None,
                  cancel: threading.Event | None = None) -> Scan:
        """The first scan after number ``since`` (default: the next one from now; ``since=0``: the first since
        start, so one that came while the caller was starting up is not missed).

        Raises NoScan after ``timeout`` s, OperationCancelled when ``cancel`` is set.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            start = self._scan_count if since is None else since
            while True:
                # kept: the last 16 (older → the oldest kept); none after forget() until the next scan
                found = next((scan for index, scan in self._recent if index > start), None)
                if found is not None:
                    return found
                if cancel is not None and cancel.is_set():
                    raise OperationCancelled()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NoScan(f"{self.name}: nothing scanned within {timeout:.1f}s")
                self._cond.wait(min(left, 0.05))

    def forget(self) -> None:
        """Drop the scans kept for :meth:`wait_scan` (the session ends: what a resident showed goes with it).
        The de-dup memory keeps raw bytes only for ``dedupe_s`` and is pruned on the worker meanwhile."""
        with self._cond:
            self._recent.clear()

    def set_enabled(self, enabled: bool, timeout: float = 2.0) -> None:
        """Switch reading on/off: sends the profile's enable/disable bytes (if any); scans read while
        disabled are dropped here either way, so a screen that takes no scan never receives one.

        Takes effect at once in the driver; while the scanner is offline the bytes are sent when it is back.
        """
        self._enabled = bool(enabled)
        if self._connected:
            self.call(self._apply_enabled, self._enabled, timeout=timeout)

    @property
    def enabled(self) -> bool:
        return self._enabled

    def query_status(self, timeout: float = 2.0) -> bool | None:
        """Ask the scanner now: True answered, False silent, None the profile has no query."""
        if not self.profile.query:
            return None
        return self.call(self._query, timeout=timeout)

    def health(self) -> dict[str, Any]:
        """For staff mode and the heartbeat: no scan content, counts only."""
        age = None if self.last_scan_at is None else round(self._clock() - self.last_scan_at, 1)
        return {"status": self.status.value, "reason": self.status_reason, "profile": self.profile.name,
                "enabled": self._enabled, "scans": self._scan_count, "duplicates": self.deduper.duplicates,
                "noise": self.decoder.noise, "ignored": self.ignored, "last_scan_age_s": age}

    # ----- Device hooks --------------------------------------------------------------------------
    def _connect(self) -> None:
        self._open_port(self.read_timeout)
        self.decoder.reset()
        if self.profile.query and not self._query():
            raise ScannerSilent(f"scanner at {self.url} does not answer its query (profile {self.profile.name})")
        self._apply_enabled(self._enabled)

    def _try_connect(self) -> None:
        try:
            super()._try_connect()
        finally:
            self._attempted.set()  # after the base recorded the outcome (status, last_error)

    def _poll(self) -> None:
        if self.profile.host_trigger and self._enabled and self._clock() - self._last_trigger >= self.retrigger_s:
            self._write(self.profile.trigger_on)
            self._last_trigger = self._clock()
        # keep reading while bytes flow (a socket:// port reports at most one byte waiting), but hand the
        # worker back to queued commands at least every ``busy_s``
        until = time.monotonic() + self.busy_s
        while True:
            data = self._read()
            now = self._clock()
            if not data:
                self._deliver(self.decoder.poll(now), now)
                self.deduper.prune(now)
                return
            self._deliver(self.decoder.feed(data, now), now)
            if time.monotonic() >= until:
                return

    # ----- I/O (worker thread) -------------------------------------------------------------------
    def _port_or_fail(self) -> serial.SerialBase:
        if self._port is None:
            raise DeviceUnavailable("scanner port closed", message_zh="扫码器未连接", action=Action.CLEAR)
        return self._port

    def _read(self) -> bytes:
        port = self._port_or_fail()
        try:
            waiting = port.in_waiting
            return port.read(max(1, waiting))
        except PORT_ERRORS as exc:
            raise DeviceUnavailable(f"scanner read failed: {exc}", message_zh="扫码器连接中断",
                                    action=Action.CLEAR) from exc

    def _write(self, data: bytes) -> None:
        if not data:
            return
        port = self._port_or_fail()
        try:
            port.write(data)
        except PORT_ERRORS as exc:
            raise DeviceUnavailable(f"write to scanner failed: {exc}", message_zh="扫码器连接中断",
                                    action=Action.CLEAR) from exc

    def _apply_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        p = self.profile
        self._write(p.enable if enabled else p.disable)
        if p.host_trigger:
            self._write(p.trigger_on if enabled else p.trigger_off)
            self._last_trigger = self._clock()

    def _query(self) -> bool:
        """Send the query and read until ``query_ok``; scans that arrived before the reply are kept."""
        self._write(self.profile.query)
        buf = bytearray()
        deadline = time.monotonic() + self.query_timeout
        while time.monotonic() < deadline:
            buf += self._read()
            idx = buf.find(self.profile.query_ok)
            if idx >= 0:
                before = bytes(buf[:idx])
                cut = max(before.rfind(b"\r"), before.rfind(b"\n"), before.rfind(b"\t"))
                now = self._clock()
                if cut >= 0:
                    self._deliver(self.decoder.feed(before[:cut + 1], now), now)
                rest = bytes(buf[idx + len(self.profile.query_ok):])
                if rest:
                    self._deliver(self.decoder.feed(rest, now), now)
                return True
        self._deliver(self.decoder.feed(bytes(buf), self._clock()), self._clock())
        return False

    def _deliver(self, scans: list[Scan], now: float) -> None:
        for scan in scans:
            if not self.deduper.accept(scan.raw, now):
                continue
            if not self._enabled:
                self.ignored += 1
                continue
            self.last_scan_at = now
            with self._cond:
                self._scan_count += 1
                self._recent.append((self._scan_count, scan))
                self._cond.notify_all()
            self._emit("scan_read", scan=scan)
