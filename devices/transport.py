"""Opening ports. Every device port is a pyserial URL, so hardware vs simulator is configuration only.

``/dev/ttyUSB0``, ``/dev/kiosk-idcard`` (udev name), a pty path and ``socket://127.0.0.1:17101`` all go
through the one :func:`open_port` call; ``spy://`` wraps any of them with a byte trace for debugging.
"""
from __future__ import annotations

import logging
import termios

import serial

from devices.errors import Action, DeviceUnavailable

log = logging.getLogger(__name__)
#: what a port operation raises when the device went away (a pty whose other side vanished raises
#: termios.error, not an OSError, on flush)
PORT_ERRORS = (serial.SerialException, OSError, termios.error)


def open_port(url: str, *, baudrate: int = 115200, timeout: float = 0.2,
              write_timeout: float = 2.0) -> serial.SerialBase:
    """Open ``url`` with read/write timeouts; raise DeviceUnavailable (from the cause) on failure.

    The write timeout holds for every handler we use — a serial device, a pty, ``socket://`` (pyserial's
    socket handler waits for the socket with ``select`` up to it) and ``spy://`` around them — so a dead
    peer raises ``SerialTimeoutException`` rather than blocking the device worker.
    """
    try:
        port = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout,
                                     write_timeout=write_timeout, do_not_open=True)
        port.open()
    except (serial.SerialException, OSError, ValueError) as exc:
        raise DeviceUnavailable(f"cannot open port {url}: {exc}", message_zh="无法打开设备端口",
                                action=Action.MAINTENANCE) from exc
    return port


def wire_seconds(nbytes: int, baudrate: int, bits_per_byte: int = 10) -> float:
    """Time ``nbytes`` take on a UART (8N1 = 10 bits per byte)."""
    return nbytes * bits_per_byte / float(baudrate)


def close_quietly(port: serial.SerialBase | None, name: str) -> None:
    """Close ``port`` (None: nothing to do). A vanished device may fail to close; that is logged, not raised,
    because the drivers' ``_disconnect`` hook must not raise."""
    if port is None:
        return
    try:
        port.close()
    except PORT_ERRORS as exc:
        log.debug("%s: closing the port failed: %s", name, exc)
