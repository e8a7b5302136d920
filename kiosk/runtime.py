"""Wiring from the config to the real drivers and the gateway, for the session.

``Runtime(cfg, bridge)`` builds nothing until :meth:`start`: then it opens the ID-card reader, the printer,
the QR scanner (kiosk/runtime_scan.py), the gateway client and the outbox exactly as configured — a port
that does not answer stays *offline* and the menu says so; there is no fallback to a simulator. Device events
and task results reach the session only through ``bridge.post`` (the UI thread). The session calls the
methods below; the blocking ones are called from tasks (``spawn``), never from the UI thread.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from kiosk import clock
from kiosk.bridge import UiBridge
from kiosk.crash import LastResort, log_unexpected
from kiosk.runtime_cards import CardChecker, CardWatch
from kiosk.runtime_print import build_document
from kiosk.runtime_scan import ScannerLink
# the staff screen's status words (_STATUS_ZH is read by the font test through this module)
from kiosk.runtime_status import PAPER_ZH as _PAPER_ZH, STATUS_ZH as _STATUS_ZH  # noqa: F401
from kiosk.runtime_status import self_check as _self_check, status_of as _status, zh_status as _zh_status
from kiosk.session.state import DeviceView, Text
from kiosk.staff import PinGate, ServiceOverrides, overrides_path
from kiosk.tasks import TaskRunner

log = logging.getLogger(__name__)


class RuntimeStartError(Exception):
    """The kiosk cannot start its back end (outbox, gateway client); message in Chinese, then English."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(f"{message_zh} / {message_en}")


class Runtime:
    def __init__(self, cfg: Any, bridge: UiBridge, *, overrides: ServiceOverrides | None = None) -> None:
        self.cfg = cfg
        self.bridge = bridge
        self.tasks = TaskRunner(bridge)
        self.overrides = overrides if overrides is not None else ServiceOverrides(overrides_path(cfg))
        self.pin_gate = PinGate.from_config(cfg)  # lockouts survive restarts, reported by the heartbeat
        self.reader: Any = None
        self.printer: Any = None
        self.audio: Any = None  # kiosk.voice.player.Player: reported as device "audio" in heartbeats
        self.client: Any = None
        self.outbox: Any = None
        self.sender: Any = None
        self.submissions: Any = None
        self.controller: Any = None
        self.backend_ok = False
        self.backend_state = "unknown"
        self.help_requests = 0
        self._started_at = time.monotonic()
        self._unsubscribe: list[Callable[[], None]] = []
        self.heartbeat: Any = None
        self.ops: Any = None  # kiosk.ops.heartbeat.OpsServices
        self._last_error: Any = None
        self._cards = CardChecker(bridge, auth=lambda card, cancel: self.client.auth_idcard(card, cancel=cancel),
                                  set_polling=self.set_card_polling, note_error=self._note_backend_error)
        #: where an exception from a task callback, device event or bridge post ends (kiosk/crash.py)
        self.last_resort = LastResort(self._fail_safe)
        if getattr(bridge, "last_resort", False) is None:
            bridge.last_resort = self.last_resort
        self.scan = ScannerLink(bridge, self.tasks, lambda: self.controller, self._post_devices, self.last_resort.guard)

    # ----- lifecycle ---------------------------------------------------------------------------
    def attach(self, controller: Any) -> None:
        """Route device events to ``controller`` (on the UI thread) from now on."""
        self.controller = controller

    def start(self) -> "Runtime":
        import sqlite3  # here with the rest start() needs: importing it with this module delayed the first frame
        from devices.idcard.driver import IdCardReader
        from devices.printer.driver import Printer
        from kiosk.ops.alerts import DeviceHealer
        from kiosk.backend.client import GatewayClient
        from kiosk.backend.errors import BackendError
        from kiosk.backend.outbox import Outbox
        from kiosk.backend.sender import OutboxSender
        from kiosk.backend.submissions import SubmissionService
        from kiosk.ops.heartbeat import Heartbeat, LastErrorHandler, OpsServices, runtime_snapshot

        devs = self.cfg.devices
        if devs.idcard.enabled:
            self.reader = IdCardReader(devs.idcard.port, baudrate=devs.idcard.baudrate,
                                       photo_decoder=devs.idcard.photo_decoder,
                                       poll_interval=devs.idcard.poll_interval_s)
            self._unsubscribe.append(self.reader.subscribe(self.last_resort.guard(self._on_reader_event, "device")))
            self.reader.start()
        if devs.printer.enabled:
            self.printer = Printer(devs.printer.port, baudrate=devs.printer.baudrate, profile=devs.printer.profile)
            self._unsubscribe.append(self.printer.subscribe(self.last_resort.guard(self._on_printer_event, "device")))
            self.printer.start()
        self.scan.start(devs.scanner)
        try:
            # a kiosk's resources are fixed from the start, so a day's fd and thread counts stay flat
            # (bench/soak.py) instead of creeping up to the pools' bounds as calls happen to overlap: one
            # kept-alive connection per route to the gateway (an overlapping call opens a short-lived one,
            # closed after use), one delivery at a time (a backlog of a few hundred drains in seconds),
            # and every task worker started below
            self.client = GatewayClient.from_config(self.cfg, pool_size=1)
        except BackendError as exc:
            self.stop()
            raise RuntimeStartError(f"网关客户端无法创建：{exc}", f"gateway client cannot be created: {exc}") from exc
        try:
            self.outbox = Outbox.from_config(self.cfg)
        except (OSError, sqlite3.Error) as exc:
            self.stop()
            raise RuntimeStartError(f"本机待发件箱无法打开（{self.cfg.outbox.path}）：{exc}",
                                    f"cannot open the outbox at {self.cfg.outbox.path}: {exc}") from exc
        self.sender = OutboxSender(self.outbox, self.client, concurrency=1, tz=clock.zone_of(self.cfg))
        self.sender.start()
        self.submissions = SubmissionService(self.outbox, self.sender, self.cfg.terminal.id,
                                             tz=clock.zone_of(self.cfg))
        self._last_error = LastErrorHandler()
        logging.getLogger().addHandler(self._last_error)
        self.heartbeat = Heartbeat(
            self.client, lambda: runtime_snapshot({"idcard": self.reader, "printer": self.printer, **self.scan.devices(),
                                                   **({"audio": self.audio} if self.audio is not None else {})},
                                                  self.outbox),
            interval_s=float(self.cfg.backend.heartbeat_interval_s), last_error=self._last_error,
            healer=DeviceHealer(reset=self._reset_device), started_at=self._started_at, on_result=self._set_backend)
        self.heartbeat.alert_sources.append(self.pin_gate.alerts)
        self.heartbeat.alert_sources.append(self.last_resort.alert)  # staff hear of every last-resort catch
        self.ops = OpsServices(self).start()  # ops: systemd watchdog + remote config around the heartbeat
        self.heartbeat.start()  # its outcome is the gateway's reachability (on_result)
        self.tasks.prestart()
        self._post_devices()
        return self

    def stop(self) -> None:
        """Stop everything started; idempotent, never raises (it runs while the app exits)."""
        if self.ops is not None:
            _quietly("stop ops services", self.ops.stop)
        if self.heartbeat is not None:
            _quietly("stop heartbeat", self.heartbeat.stop)  # cancels a beat in flight
        if self._last_error is not None:
            logging.getLogger().removeHandler(self._last_error)
            self._last_error = None
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.tasks.shutdown(timeout=3.0)
        # the workers stop side by side: each waits for its own thread, and pyserial's socket:// close sleeps
        # 0.3 s (a network serial server, the simulators) — one after another that was >= 0.9 s every stop
        stoppers = [threading.Thread(target=_quietly, args=(f"stop {name}", getattr(part, "stop", None) or part.close),
                                     name=f"stop-{name}", daemon=True)
                    for name in ("sender", "reader", "printer", "scan") if (part := getattr(self, name)) is not None]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join(10.0)  # each close bounds its own join (3 s); this only guards against a hung driver
        for name in ("outbox", "client"):
            part = getattr(self, name)
            if part is not None and hasattr(part, "close"):
                _quietly(f"close {name}", part.close)

    # ----- tasks and status --------------------------------------------------------------------
    def spawn(self, name: str, fn: Callable[[threading.Event], Any], *, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None], timeout: float) -> Any:
        def watched(cancel: threading.Event) -> Any:
            try:
                result = fn(cancel)
            except Exception as exc:
                self._note_backend_error(exc)
                raise
            return result
        guard = self.last_resort.guard
        return self.tasks.spawn(name, watched, on_done=guard(on_done, "task"), on_error=guard(on_error, "task"),
                                timeout=timeout)

    def device_view(self) -> DeviceView:
        printer, reader = self.printer, self.reader
        paper = str(getattr(printer, "paper", "unknown")) if printer is not None else "unknown"
        p_status = _status(printer)
        r_status = _status(reader)
        printer_ready = bool(printer is not None and getattr(printer, "ready", False))
        reason = None
        if printer is not None and not printer_ready:
            reason = Text("打印机缺纸", "Out of paper") if paper == "out" else Text("打印机不可用", "Printer unavailable")
        return DeviceView(printer=p_status, idcard=r_status, backend=self.backend_state, paper=paper,
                          printer_ready=printer_ready, reader_online=r_status == "online",
                          backend_ok=self.backend_ok, printer_reason=reason, scanner=self.scan.status())

    def _fail_safe(self, kind: str) -> None:
        """LastResort's action, from any thread: the session fails safe on the UI thread."""
        if self.controller is not None:
            self.bridge.post(self._fail_safe_now, kind)

    def _fail_safe_now(self, kind: str) -> None:
        controller = self.controller
        if controller is None:
            return
        try:
            controller.fail_safe(kind)
        except Exception as exc:  # noqa: BLE001 — must not raise back into the last resort (no loop)
            log_unexpected(log, "failing safe", exc)

    def _post_devices(self) -> None:
        controller = self.controller
        if controller is not None:
            view = self.device_view()
            self.bridge.post(controller.on_devices, view)

    # ----- device events (device worker threads) -----------------------------------------------
    def _on_reader_event(self, event: Any) -> None:
        c = self.controller
        if event.name == "card_read":
            self._cards.check(event.data["card"])  # on this (the reader's) worker; the card is wiped there
        elif c is None:
            return
        elif event.name == "card_present":
            self.bridge.post(c.on_card_present)
        elif event.name == "card_removed":
            self.bridge.post(c.on_card_removed)
        elif event.name == "error":
            self.bridge.post(c.on_card_error, event.data.get("message_zh", ""), event.data.get("message_en", ""),
                             event.data.get("code"))
        elif event.name == "status_changed":
            self._post_devices()

    def _on_printer_event(self, event: Any) -> None:
        c = self.controller
        if c is None:
            return
        if event.name == "job_done":
            self.bridge.post(c.on_print_done, event.data.get("job_id"))
        elif event.name == "job_failed":
            self.bridge.post(c.on_print_failed, event.data.get("job_id"), event.data.get("reason_zh", ""),
                             event.data.get("reason_en", ""), str(event.data.get("action", "")))
        if event.name in ("status_changed", "paper_changed", "job_failed"):
            self._post_devices()

    # ----- gateway reachability (the heartbeat's outcome) ----------------------------------------
    def _reset_device(self, name: str) -> None:
        """DeviceHealer's one automatic reset of a device stuck in a resettable error: close and reopen."""
        device = {"idcard": self.reader, "printer": self.printer, "scanner": self.scan.scanner}.get(name)
        if device is not None:
            log.warning("resetting %s after a stuck error", name)
            device.close()
            device.start()

    def _set_backend(self, ok: bool) -> None:
        changed = ok != self.backend_ok
        self.backend_ok, self.backend_state = ok, ("online" if ok else "offline")
        if changed:
            log.info("gateway %s", "reachable" if ok else "unreachable")
            self._post_devices()

    def _note_backend_error(self, exc: BaseException) -> None:
        from kiosk.backend.errors import NetworkError, TimeoutError_

        if isinstance(exc, (NetworkError, TimeoutError_)) and self.backend_ok:
            self._set_backend(False)
            if self.heartbeat is not None:
                self.heartbeat.wake()  # the heartbeat finds out when the gateway is back

    # ----- calls for the session (blocking ones run inside tasks) -------------------------------
    def set_card_polling(self, enabled: bool) -> None:
        if self.reader is not None:
            self.reader.set_polling(enabled)
            if not enabled:
                self.reader.cancel()

    def keep_card_polling(self, keep: bool) -> None:
        """Poll the reader between watches too (kiosk/runtime_cards.py CardChecker.keep_polling)."""
        self._cards.keep_polling(keep)

    def watch_cards(self, *, on_checking: Callable[[], Any], on_done: Callable[[Any], Any],
                    on_error: Callable[[BaseException], Any]) -> CardWatch:
        """Read resident cards and check each with the gateway until the returned watch is cancelled."""
        return self._cards.watch(on_checking=on_checking, on_done=on_done, on_error=on_error)

    def submit(self, service_id: str, kind: str, fields: dict, token: str | None) -> Any:
        return self.submissions.submit(service_id, kind, fields, token, wait_s=2.0)

    def print_document(self, kind: str, data: Any, *, owner: str | None, job_id: str) -> str:
        if self.printer is None:
            from devices.errors import DeviceUnavailable
            raise DeviceUnavailable("printer disabled in config", message_zh="本机未配置打印机")
        return self.printer.submit(build_document(self.cfg, kind, data), owner=owner, job_id=job_id)

    def reprint(self, job_id: str, *, new_job_id: str) -> str:
        return self.printer.reprint(job_id, new_job_id=new_job_id)

    def discard_jobs(self, owner: str) -> None:
        if self.printer is not None:
            self.printer.discard_jobs(owner)

    def audio_status(self, health: dict) -> None:
        """The Player's ``on_status`` (UI thread): logged, and the heartbeat beats now (kiosk/voice/settings.py)."""
        from kiosk.voice.settings import report_audio

        report_audio(health, self.heartbeat)

    def set_voice(self, *, volume: float | None = None, muted: bool | None = None) -> tuple[float, bool] | None:
        """Staff's volume / mute, applied and kept (kiosk/voice/settings.py); None when there is no voice."""
        from kiosk.voice.settings import apply

        return apply(self.audio, self.cfg, volume=volume, muted=muted)

    def record_help(self, screen: str) -> None:
        self.help_requests += 1
        log.warning("resident asked for help (screen %s, %d since start)", screen, self.help_requests)

    @staticmethod
    def verify_pin(pin: str, pin_hash: str) -> bool:
        from kiosk.config.base import verify_pin
        return verify_pin(pin, pin_hash)

    def staff_read_card(self, *, cancel: threading.Event | None = None) -> dict:
        if self.reader is None:
            from devices.errors import DeviceUnavailable
            raise DeviceUnavailable("card reader disabled in config", message_zh="本机未配置读卡器")
        card = self.reader.read_card(timeout=20.0, cancel=cancel)  # Back on the staff screen cancels the wait
        try:
            return card.masked()
        finally:
            card.wipe()

    def retry_outbox(self) -> int:
        """Staff retry: every dead row back to pending, then wake the sender. Returns rows requeued."""
        count = 0
        for row in self.outbox.list(("dead", "pending")):
            count += bool(self.outbox.retry(row.id))
        self.sender.wake()
        return count

    def staff_info(self) -> dict:
        """Staff screen: health checks (the gateway check sends one heartbeat), outbox depth, masked log tail."""
        view = self.device_view()
        statuses = [("读卡器 ID reader", f"{_zh_status(view.idcard)} — {self._check_reader()}"),
                    ("打印机 printer", f"{_zh_status(view.printer)} · {_PAPER_ZH.get(view.paper, view.paper)} — "
                                    f"{self._check_printer()}"),
                    ("扫码器 scanner", self.scan.staff_line(_zh_status, clock.local_now(self.cfg))),
                    ("政务网关 gateway", f"{_zh_status(view.backend)} — {self._check_gateway()}"),
                    ("一键求助 help", f"本次启动后 {self.help_requests} 次 (since start)")]
        if self.audio is not None:
            audio = self.audio.health()
            statuses.append(("语音 audio", f"{_zh_status(audio['status'])}" + (f" — {audio['reason']}"
                                                                              if audio["reason"] else "")))
        depth = self.outbox.depth() if self.outbox is not None else None
        return {"statuses": statuses, "outbox_depth": depth, "log_tail": self.log_tail(30)}

    def log_tail(self, n: int = 30) -> list[str]:
        """The last ``n`` log lines, masked, their time stamps in the terminal's zone (the file keeps UTC)."""
        from kiosk.logs import tail
        from kiosk.masking import mask_text

        log_dir = getattr(getattr(self.cfg, "logging", None), "dir", None)
        zone = clock.zone_of(self.cfg)
        return [clock.log_line_local(mask_text(x), zone) for x in tail(log_dir, n)] if log_dir is not None else []

    def _check_reader(self) -> str:
        def verdict(info: dict) -> str:
            return "安全模块正常 SAM OK" if info.get("sam_ok") else f"安全模块故障 SAM fault {info.get('sam_status')}"
        return _self_check(self.reader, lambda reader: reader.sam_info(timeout=3.0), verdict)

    def _check_printer(self) -> str:
        def verdict(state: Any) -> str:
            fault = state.fault()
            if state.ready:
                return "就绪 ready"
            return f"不可打印 not ready: {fault[1]} ({fault[0]})" if fault else "不可打印 not ready"
        return _self_check(self.printer, lambda printer: printer.query_status(timeout=3.0), verdict)

    def _check_gateway(self) -> str:
        started = time.monotonic()
        self.heartbeat.beat()
        took = 1000 * (time.monotonic() - started)
        return f"可达 reachable, {took:.0f} ms" if self.backend_ok else f"不可达 unreachable ({took:.0f} ms)"


def _quietly(what: str, fn: Callable[[], Any]) -> None:
    try:
        fn()
    except Exception:  # shutting down: report and keep stopping the rest
        log.exception("%s failed during shutdown", what)
