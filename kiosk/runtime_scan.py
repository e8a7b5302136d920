"""The QR scanner between its driver and the session: built from config, scans handed to the UI thread.

:class:`ScannerLink` is the runtime's part for the third device (issue 17). ``start(conf)`` opens the scanner
exactly as ``devices.scanner`` in terminal.yaml says — a port that does not answer stays *offline*, there is
no fallback to a simulator — or leaves it ``None`` when the section is off (no scanner: 亮码 is off on this
terminal and staff mode says "未配置"). Each ``scan_read`` event is posted through the bridge to
``controller.on_scan(text)`` like a card read; screens never see the port. What was scanned may be a
credential (随申码): nothing here logs it, only its length and encoding reach the staff screen.

Switching reading on/off (``set_enabled``) waits for the driver's worker, so it runs as a task and the UI
thread never blocks on the port.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from kiosk.bridge import UiBridge
from kiosk.tasks import TaskRunner

if TYPE_CHECKING:
    from devices.base import DeviceEvent
    from devices.scanner.driver import Scanner
    from kiosk.config.terminal import ScannerConfig

log = logging.getLogger(__name__)

#: how long the staff test-scan waits for a code to be shown
TEST_SCAN_S = 20.0


class ScannerLink:
    """See the module docstring. ``controller()`` is the session now attached (None before). The session
    reaches it as ``runtime.scan`` (:class:`kiosk.session.core.ScannerPort`)."""

    def __init__(self, bridge: UiBridge, tasks: TaskRunner, controller: Callable[[], Any],
                 post_devices: Callable[[], None], guard: Callable[[Callable[..., Any], str], Callable[..., Any]]
                 ) -> None:
        self._bridge = bridge
        self._tasks = tasks
        self._controller = controller
        self._post_devices = post_devices
        self._guard = guard
        self.scanner: Scanner | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._wanted = True  # what the session last asked for; a task applies the latest one
        self._apply_lock = threading.Lock()  # one switch at a time, in the order they were asked for
        self.switches = 0  # on/off switches applied so far (a count, for tests and diagnosis)

    def start(self, conf: "ScannerConfig") -> None:
        if not conf.enabled:
            log.info("no scanner configured: 亮码 is off")
            return
        from devices.scanner.driver import Scanner

        self.scanner = Scanner(conf.port, baudrate=conf.baudrate, profile=conf.profile, dedupe_s=conf.dedupe_s,
                               name="scanner")
        self._unsubscribe = self.scanner.subscribe(self._guard(self._on_event, "device"))
        self.scanner.start()

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.scanner is not None:
            self.scanner.close()

    def devices(self) -> dict[str, Any]:
        """The heartbeat's device entry: the scanner only where one is configured."""
        return {} if self.scanner is None else {"scanner": self.scanner}

    # ----- events (the scanner's worker thread) -------------------------------------------------
    def _on_event(self, event: "DeviceEvent") -> None:
        controller = self._controller()
        if event.name == "scan_read" and controller is not None:
            self._bridge.post(controller.on_scan, event.data["scan"].text)
        elif event.name == "status_changed":
            self._post_devices()

    # ----- for the session --------------------------------------------------------------------
    def status(self) -> str:
        scanner = self.scanner
        return "noDevice" if scanner is None else str(scanner.status.value)

    def set_enabled(self, enabled: bool) -> None:
        """Reading on (a screen that takes a scan) or off; returns at once (the bytes go from a task)."""
        scanner = self.scanner
        if scanner is None or self._wanted == enabled:
            return
        self._wanted = enabled

        def apply(_cancel: threading.Event) -> None:
            with self._apply_lock:  # a later request may already be wanted: apply that, not ours
                scanner.set_enabled(self._wanted, timeout=2.0)
                self.switches += 1
        self._tasks.spawn("scanner-enable", apply, on_done=lambda _r: None, on_error=self._enable_failed,
                          timeout=5.0)

    @staticmethod
    def _enable_failed(exc: BaseException) -> None:
        # offline: the driver sends the bytes when the scanner is back (and drops scans meanwhile)
        log.info("scanner enable/disable not sent now: %s", type(exc).__name__)

    def forget(self) -> None:
        if self.scanner is not None:
            self.scanner.forget()

    def test_scan(self, cancel: threading.Event | None = None) -> dict[str, Any]:
        """Staff test-scan (blocking, from a task): the next code shown, described without its content."""
        from devices.errors import DeviceUnavailable
        from kiosk.session.scan import code_kind

        scanner = self.scanner
        if scanner is None:
            raise DeviceUnavailable("scanner disabled in config", message_zh="本机未配置扫码器")
        with self._apply_lock:
            scanner.set_enabled(True, timeout=2.0)
        try:
            scan = scanner.wait_scan(TEST_SCAN_S, cancel=cancel)
        finally:
            with self._apply_lock:
                scanner.set_enabled(self._wanted, timeout=2.0)  # back to what the screen wants
        return {"bytes": len(scan.raw), "chars": len(scan.text), "encoding": scan.encoding,
                "kind": code_kind(scan.text)}

    def staff_line(self, status_zh: Callable[[str], str], now: datetime | None = None) -> str:
        """The staff screen's health line: status, query answer, scans and when the last one came (terminal
        time ``now`` minus its age) — never what was scanned."""
        scanner = self.scanner
        if scanner is None:
            return f"{status_zh('noDevice')} — 亮码未启用 scanning off"
        from devices.errors import DeviceError

        health = scanner.health()
        try:
            answer = scanner.query_status(timeout=2.0)
        except DeviceError as exc:
            answer_text = f"自检失败 check failed: {exc.message_zh}"
        else:
            answer_text = {True: "应答正常 answers", False: "无应答 silent",
                           None: "型号无查询 no query"}[answer]
        age = health["last_scan_age_s"]
        if age is None:
            last = "尚未扫码 no scan yet"
        else:
            at = "" if now is None else f"{(now - timedelta(seconds=age)):%H:%M:%S}，"
            last = f"最近扫码 {at}{age:.0f} 秒前 (last scan {age:.0f} s ago)"
        return (f"{status_zh(health['status'])} — {answer_text} · {last} · 共 {health['scans']} 次 scans · "
                f"噪声 noise {health['noise']}")
