"""Shared by the ``kiosk sim <device>`` commands: where a simulator serves, running it until a signal, and
sending one control request. Not a ``*_cmd`` module, so it registers no command of its own."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any


def where(args: argparse.Namespace, default_tcp_port: int) -> dict[str, Any]:
    """Simulator keyword arguments from ``--pty LINK`` / ``--tcp PORT`` (TCP on the default port if neither)."""
    if args.pty:
        return {"transport": "pty", "link": args.pty}
    return {"transport": "tcp", "port": default_tcp_port if args.tcp is None else args.tcp}


def serve_until_signal(sim: Any, *lines: str) -> int:
    """Start ``sim``, print where it serves (and ``lines``), run until SIGINT/SIGTERM, stop it cleanly."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    sim.start()
    try:
        print(f"port: {sim.url}", flush=True)
        print(f"control: {sim.control_port}", flush=True)
        for line in lines:
            print(line, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


def send_and_print(port: int, request: dict, *, host: str = "127.0.0.1", timeout: float = 5.0) -> int:
    """Send one control request, print the JSON reply; 0 when it says ok, 1 otherwise or unreachable."""
    from devices.simbase import send_control

    try:
        reply = send_control(port, request, host=host, timeout=timeout)
    except OSError as exc:
        print(f"错误：无法连接模拟器控制端口 {port}\nerror: cannot reach control port: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(reply, ensure_ascii=False))
    return 0 if reply.get("ok") else 1
