"""Shared device lifecycle: one worker thread per device, calls with timeouts, status events on change.

A driver subclass fills a few hooks (``_connect``, ``_disconnect``, ``_poll``) and submits its operations
with :meth:`Device.call`, which runs them on the worker and waits with a timeout.  The base owns:

* the worker thread and its command queue (so serial I/O never runs on the caller's thread);
* reconnecting with capped exponential backoff while the port is gone;
* the status vocabulary (XFS4IoT/UnifiedPOS) and events that fire only when something changed;
* cancellation: :meth:`cancel` sets an event that long operations check between steps.

Subscribers are called on the worker thread; the app moves them to the UI thread through its bridge.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

import serial

from devices.errors import Action, DeviceError, DeviceTimeout, DeviceUnavailable, OperationCancelled
from devices.transport import close_quietly, open_port
from kiosk.backoff import backoff_delay

log = logging.getLogger(__name__)


class DeviceStatus(str, Enum):
    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "noDevice"  # not configured
    HARDWARE_ERROR = "hardwareError"
    USER_ERROR = "userError"  # a person is blocking it (cover open, card held wrongly)
    BUSY = "busy"


@dataclass(frozen=True)
class DeviceEvent:
    """Something a device reports. ``data`` never holds personal data unless ``name`` says so (``card_read``)."""

    device: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


_STOP = object()


class Device:
    """Base of every driver. Subclasses set ``kind`` and implement the hooks below."""

    kind: str = "device"
    #: seconds between idle polls (card-find, printer status); the worker also wakes for commands
    poll_interval: float = 0.5
    #: reconnect backoff (kiosk.backoff) first window and cap in seconds. A device must be back within 5 s of
    #: returning (issue 7): the delay never exceeds the cap, so 2 s allows 2 s + connect. A failed open of a
    #: missing port every 2 s costs nothing worth saving.
    reconnect_base: float = 0.2
    reconnect_cap: float = 2.0

    def __init__(self, *, name: str | None = None) -> None:
        self.name = name or self.kind
        self._listeners: list[Callable[[DeviceEvent], None]] = []
        self._listeners_lock = threading.Lock()
        self._commands: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._cancel = threading.Event()
        self._status = DeviceStatus.OFFLINE
        self._status_reason: str | None = None
        self._status_action = Action.NONE
        self._connected = False
        self._reconnect_attempt = 0
        self._next_connect_at = 0.0
        self.last_error: DeviceError | None = None

    # ----- hooks for subclasses ---------------------------------------------------------------
    def _connect(self) -> None:
        """Open the port and check the device answers. Raise DeviceError on failure."""
        raise NotImplementedError

    def _disconnect(self) -> None:
        """Close the port. Must not raise."""
        raise NotImplementedError

    def _poll(self) -> None:
        """Called on the worker every ``poll_interval`` while connected and idle."""

    # ----- lifecycle ----------------------------------------------------------------------------
    def start(self) -> "Device":
        """Start the worker (idempotent). The worker connects in the background."""
        if self._thread is None or not self._thread.is_alive():
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name=f"dev-{self.name}", daemon=True)
            self._thread.start()
        return self

    def close(self, timeout: float = 3.0) -> None:
        """Stop the worker and close the port. Idempotent; never raises."""
        self._stopping.set()
        self._cancel.set()
        self._commands.put(_STOP)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.error("%s worker did not stop within %.1fs", self.name, timeout)
        self._thread = None

    def __enter__(self) -> "Device":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def status(self) -> DeviceStatus:
        return self._status

    @property
    def status_reason(self) -> str | None:
        return self._status_reason

    @property
    def status_action(self) -> Action:
        """What resolves the current status (``reset`` = software may retry; kiosk/ops/alerts.py resets once)."""
        return self._status_action

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ----- events -------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[DeviceEvent], None]) -> Callable[[], None]:
        """Register ``listener`` (called on the worker thread). Returns an unsubscribe function."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def _emit(self, name: str, **data: Any) -> None:
        event = DeviceEvent(self.name, name, data)
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a broken listener must not kill the device worker
                log.exception("listener for %s/%s failed", self.name, name)

    def _set_status(self, status: DeviceStatus, reason: str | None = None,
                    action: Action = Action.NONE) -> None:
        """Record the status; emit ``status_changed`` only when status or reason changed."""
        if status == self._status and reason == self._status_reason:
            return
        previous = self._status
        self._status, self._status_reason, self._status_action = status, reason, action
        self._emit("status_changed", status=status.value, previous=previous.value,
                   reason=reason, action=action.value)

    # ----- calls --------------------------------------------------------------------------------
    def call(self, fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` on the worker and return its result within ``timeout`` seconds.

        Raises DeviceTimeout when the worker did not finish in time, DeviceUnavailable when the
        device is not connected, or whatever DeviceError ``fn`` raised.
        """
        if not self.alive:
            raise DeviceUnavailable(f"{self.name} worker is not running",
                                    message_zh="设备未启动", action=Action.MAINTENANCE)
        future: Future = Future()
        self._commands.put((future, fn, args, kwargs))
        try:
            return future.result(timeout=timeout)
        except FutureTimeout as exc:
            future.cancel()
            raise DeviceTimeout(f"{self.name}: no result within {timeout:.1f}s") from exc

    def cancel(self) -> None:
        """Ask the operation in progress (if any) to stop at its next check."""
        self._cancel.set()

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise OperationCancelled()

    # ----- worker -------------------------------------------------------------------------------
    def _run(self) -> None:
        next_poll = 0.0
        while not self._stopping.is_set():
            if not self._connected:
                self._try_connect()
            wait = max(0.0, (next_poll if self._connected else self._next_connect_at) - time.monotonic())
            try:
                item = self._commands.get(timeout=min(wait, self.poll_interval))
            except queue.Empty:
                item = None
            if item is _STOP:
                break
            if item is not None:
                self._run_command(*item)
                continue
            if self._connected and time.monotonic() >= next_poll:
                next_poll = time.monotonic() + self.poll_interval
                self._guarded(self._poll)
        self._drop_connection()
        self._fail_pending()

    def _run_command(self, future: Future, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        if not future.set_running_or_notify_cancel():
            return
        self._cancel.clear()
        if not self._connected:
            future.set_exception(DeviceUnavailable(f"{self.name} is not connected"))
            return
        try:
            future.set_result(fn(*args, **kwargs))
        except DeviceUnavailable as exc:
            self._lost(exc)
            future.set_exception(exc)
        except DeviceError as exc:
            self.last_error = exc
            future.set_exception(exc)
        except Exception as exc:  # a bug in a driver must reach the caller, not kill the worker
            log.exception("%s: unexpected error in command", self.name)
            future.set_exception(exc)

    def _guarded(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except DeviceUnavailable as exc:
            self._lost(exc)
        except DeviceError as exc:
            self.last_error = exc
            log.warning("%s: %s", self.name, exc)

    def _try_connect(self) -> None:
        if time.monotonic() < self._next_connect_at:
            return
        try:
            self._connect()
        except DeviceError as exc:
            self.last_error = exc
            self._drop_connection()
            delay = backoff_delay(self._reconnect_attempt + 1, base=self.reconnect_base, cap=self.reconnect_cap)
            self._reconnect_attempt += 1
            self._next_connect_at = time.monotonic() + delay
            self._set_status(DeviceStatus.OFFLINE, exc.message_en, exc.action)
            return
        self._connected = True
        self._reconnect_attempt = 0
        self._next_connect_at = 0.0
        if self._status == DeviceStatus.OFFLINE:
            self._set_status(DeviceStatus.ONLINE)

    def _lost(self, exc: DeviceError) -> None:
        """The port vanished or stopped answering: go offline and reconnect with backoff."""
        self.last_error = exc
        log.warning("%s lost: %s", self.name, exc)
        self._drop_connection()
        self._next_connect_at = time.monotonic() + backoff_delay(1, base=self.reconnect_base, cap=self.reconnect_cap)
        self._set_status(DeviceStatus.OFFLINE, exc.message_en, exc.action)

    def _drop_connection(self) -> None:
        self._connected = False
        try:
            self._disconnect()
        except Exception:  # _disconnect must not raise; log if a driver breaks that rule
            log.exception("%s: error while closing", self.name)

    def _fail_pending(self) -> None:
        while True:
            try:
                item = self._commands.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP and item[0].set_running_or_notify_cancel():
                item[0].set_exception(DeviceUnavailable(f"{self.name} closed"))


class SerialDevice(Device):
    """A device behind one port (serial, pty or ``socket://``): its URL and baud rate, and the open port.

    Drivers open it in ``_connect`` with the read timeout their protocol wants; closing is shared.
    """

    def __init__(self, url: str, *, baudrate: int, name: str | None = None) -> None:
        super().__init__(name=name)
        self.url = url
        self.baudrate = baudrate
        self._port: serial.SerialBase | None = None

    def _open_port(self, timeout: float) -> None:
        self._port = open_port(self.url, baudrate=self.baudrate, timeout=timeout)

    def _disconnect(self) -> None:
        port, self._port = self._port, None
        close_quietly(port, self.name)
