"""Start the card-reader, printer, scanner and gateway simulators in-process and point a config copy at them.

Used by ``kiosk demo`` and by the runtime tests. ``SimStack(cfg, out_dir, fixed_ports=False)`` binds
ephemeral loopback ports (tests never use fixed ports); ``fixed_ports=True`` uses the default config's ports
(17100–17103, controls 17111–17113) so other terminals can drive the simulators while the demo runs.
The returned config differs from the original only in ports, base URL and the writable paths (outbox,
logs) moved under ``out_dir`` — the app runs the real drivers and the real client against them.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FIXED = {"gateway": 17100, "idcard": 17101, "printer": 17102, "scanner": 17103, "idcard_control": 17111,
         "printer_control": 17112, "scanner_control": 17113}


class SimStack:
    def __init__(self, cfg: Any, out_dir: str | Path, *, fixed_ports: bool = False) -> None:
        self.base_cfg = cfg
        self.out_dir = Path(out_dir)
        self.fixed_ports = fixed_ports
        self.gateway: Any = None
        self.idcard: Any = None
        self.printer: Any = None
        self.scanner: Any = None
        self.cfg: Any = None

    def start(self) -> Any:
        """Start the four simulators; returns the patched config."""
        from devices.idcard.simulator import IdCardSimulator
        from devices.printer.simulator import PrinterSimulator
        from devices.scanner.simulator import ScannerSimulator
        from kiosk.backend.simulator.server import GatewaySimulator

        fixed = self.fixed_ports
        receipts = self.out_dir / "receipts"
        receipts.mkdir(parents=True, exist_ok=True)
        try:
            self.gateway = GatewaySimulator(port=FIXED["gateway"] if fixed else 0).start()
            self.idcard = IdCardSimulator(transport="tcp", port=FIXED["idcard"] if fixed else 0,
                                          control_port=FIXED["idcard_control"] if fixed else None, pace=False)
            self.idcard.start()
            self.printer = PrinterSimulator(transport="tcp", port=FIXED["printer"] if fixed else 0,
                                            control_port=FIXED["printer_control"] if fixed else None,
                                            out_dir=receipts, profile=self.base_cfg.devices.printer.profile,
                                            pace=False)
            self.printer.start()
            self.scanner = ScannerSimulator(transport="tcp", port=FIXED["scanner"] if fixed else 0,
                                            control_port=FIXED["scanner_control"] if fixed else None,
                                            profile=self.base_cfg.devices.scanner.profile, pace=False)
            self.scanner.start()
        except Exception:
            self.stop()
            raise
        c = self.base_cfg
        var = self.out_dir / "var"
        var.mkdir(parents=True, exist_ok=True)
        devices = c.devices.model_copy(update={
            "idcard": c.devices.idcard.model_copy(update={"port": self.idcard.url, "enabled": True}),
            "printer": c.devices.printer.model_copy(update={"port": self.printer.url, "enabled": True}),
            "scanner": c.devices.scanner.model_copy(update={"port": self.scanner.url, "enabled": True})})
        self.cfg = c.model_copy(update={
            "devices": devices,
            "backend": c.backend.model_copy(update={"base_url": self.gateway.base_url}),
            "outbox": c.outbox.model_copy(update={"path": var / "outbox.sqlite3"}),
            "logging": c.logging.model_copy(update={"dir": var / "log"}),
        })
        log.info("simulators: gateway %s, idcard %s, printer %s, scanner %s", self.gateway.base_url,
                 self.idcard.url, self.printer.url, self.scanner.url)
        return self.cfg

    def stop(self) -> None:
        for name in ("scanner", "printer", "idcard", "gateway"):
            sim = getattr(self, name)
            if sim is not None:
                try:
                    sim.stop()
                except Exception:  # stopping the rest matters more than one simulator's shutdown error
                    log.exception("stopping the %s simulator failed", name)
                setattr(self, name, None)

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class HeadlessKiosk:
    """The kiosk without its window: simulators, the real Runtime and SessionController on a QueueBridge.

    What the runtime tests, the fault suite and the session benchmark all need; a context manager that
    starts everything and stops it again (runtime first, then the simulators)::

        with HeadlessKiosk(load_config(dir), tmp) as k:
            k.bridge.pump_until(lambda: k.ctl.state.devices.printer_ready, 15)
    """

    def __init__(self, cfg: Any, out_dir: str | Path, *, bridge: Any = None) -> None:
        self.stack = SimStack(cfg, out_dir)
        self.cfg: Any = None
        self.bridge: Any = bridge  # None: a QueueBridge the caller pumps; the app's KivyBridge for a window
        self.rt: Any = None
        self.ctl: Any = None

    def start(self) -> "HeadlessKiosk":
        from kiosk.bridge import QueueBridge
        from kiosk.runtime import Runtime
        from kiosk.session.controller import SessionController

        self.cfg = self.stack.start()
        try:
            self.bridge = self.bridge if self.bridge is not None else QueueBridge()
            self.rt = Runtime(self.cfg, self.bridge)
            self.ctl = SessionController(self.cfg, self.rt)
            self.rt.attach(self.ctl)
            self.rt.start()
        except BaseException:
            self.stack.stop()
            raise
        return self

    def stop(self) -> None:
        if self.rt is not None:
            self.rt.stop()
        self.stack.stop()

    def __enter__(self) -> "HeadlessKiosk":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
