"""The simulators for bench/soak.py and the end-to-end fault tests, in their own process.

The soak measures the kiosk process's memory, fds and threads; simulators in the same process would add
their own growth (the printer simulator keeps every job, the gateway every delivery) and blur it. So
they run here: card reader and printer on loopback TCP, the HTTPS gateway, all on ephemeral ports.

Protocol (JSON lines): one line on stdout at start —
``{"gateway": URL, "idcard": URL, "printer": URL}`` — then each request line on stdin
``{"to": "idcard"|"printer"|"gateway", "cmd": {...}}`` gets one reply line. Gateway extras:
``{"cmd": "stop"}``, ``{"cmd": "start"}``, ``{"cmd": "stats"}``; printer extra ``{"cmd": "stats"}``.
End of stdin stops everything.
"""
from __future__ import annotations

import json
import logging
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.idcard.simulator import IdCardSimulator  # noqa: E402
from devices.printer.simulator import PrinterSimulator  # noqa: E402
from kiosk.backend.simulator.server import GatewaySimulator  # noqa: E402


def _gateway(sim: GatewaySimulator, cmd: dict) -> dict:
    name = cmd.get("cmd")
    if name == "stop":
        sim.stop()
        return {"ok": True}
    if name == "start":
        sim.start()
        return {"ok": True, "url": sim.base_url}
    if name == "stats":
        with sim.lock:
            return {"ok": True, "deliveries_by_reference": dict(sim.deliveries_by_reference),
                    "heartbeats": len(sim.heartbeats), **sim.counts()}
    return sim.control(cmd)


def _printer(sim: PrinterSimulator, cmd: dict) -> dict:
    if cmd.get("cmd") == "stats":
        with sim._state:
            jobs = list(sim.jobs)
        complete = [j for j in jobs if j.complete]
        # job texts are kept (the reference on a receipt identifies it); raw bytes are not needed here
        for j in jobs:
            j.raw = bytearray()
        return {"ok": True, "jobs": len(jobs), "complete": len(complete),
                "texts": [j.text for j in complete[-int(cmd.get("last", 0)):]] if cmd.get("last") else []}
    return sim.handle_control(cmd)


def _warm_up(printer: PrinterSimulator) -> None:
    """Print one small ticket before the kiosk connects: the first render loads the CJK font while the
    simulator holds its state lock, which can delay its DLE EOT answers past the driver's 0.25 s status
    timeout ("printer does not answer") — a simulator start-up cost, not something the soak measures."""
    host, port = printer.url.removeprefix("socket://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(b"\x1b@" + "预热 warm-up\n".encode("gb18030") + b"\x1dV\x00")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(j.complete for j in printer.jobs):
            time.sleep(0.05)
    if not any(j.complete for j in printer.jobs):
        raise RuntimeError("printer simulator did not print its warm-up ticket")


def main() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    gateway = GatewaySimulator(port=0, handoff_interval_s=1.0).start()  # the kiosk polls no faster than 1 s
    idcard = IdCardSimulator(transport="tcp", port=0, pace=False).start()
    printer = PrinterSimulator(transport="tcp", port=0, pace=False).start()
    _warm_up(printer)
    print(json.dumps({"gateway": gateway.base_url, "idcard": idcard.url, "printer": printer.url,
                      "printer_jobs_at_start": len(printer.jobs)}), flush=True)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                target, cmd = req["to"], req["cmd"]
                if target == "gateway":
                    reply = _gateway(gateway, cmd)
                elif target == "printer":
                    reply = _printer(printer, cmd)
                elif target == "idcard":
                    reply = idcard.handle_control(cmd)
                else:
                    raise ValueError(f"unknown target {target!r}")
            except (ValueError, KeyError, TypeError) as exc:
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(reply, ensure_ascii=False, default=str), flush=True)
    finally:
        for sim in (printer, idcard, gateway):
            sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
