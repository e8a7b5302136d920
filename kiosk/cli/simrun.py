"""Shared by the device commands (``kiosk device <device>``, ``kiosk sim <device>``): their common options,
where a simulator serves, running it until a signal, and sending one control request. Not a ``*_cmd`` module, so it registers no command of its own."""
from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import threading
from typing import Any, Callable


def device_parsers(groups: dict, kind: str, help_: str, actions: dict[str, str], *, port_example: str,
                   baud: int, baud_help: str | None = None) -> list[argparse.ArgumentParser]:
    """``kiosk device <kind> <action>`` for each of ``actions`` (name -> help), each with ``--port`` (a pyserial
    URL) and ``--baud``; the parsers in the order of ``actions``."""
    dev = groups["device"].add_parser(kind, help=help_).add_subparsers(dest=f"{kind}_cmd", metavar="ACTION")
    parsers = [dev.add_parser(name, help=text) for name, text in actions.items()]
    for sp in parsers:
        sp.add_argument("--port", required=True, help=f"pyserial URL: {port_example}, …")
        sp.add_argument("--baud", type=int, default=baud, help=baud_help)
    return parsers


def sim_parsers(groups: dict, kind: str, helps: tuple[str, str], *, simulator: str, describe: Callable[[Any], str],
                options: dict[str, dict[str, Any]], tcp_port: int, control_port: int,
                baud: int) -> argparse.ArgumentParser:
    """``kiosk sim <kind>`` and ``kiosk sim <kind>-ctl`` with the options every serial-device simulator takes
    (``--pty``/``--tcp``, ``--control``, ``--baud``; the controller's ``--control``/``--host``). The first runs
    ``simulator`` ("module:Class", imported when run), also given ``options`` (name -> add_argument keywords);
    ``describe(sim)`` is the line that says what it holds. Returns the controller's parser, for its command."""
    sim = groups["sim"].add_parser(kind, help=helps[0])
    place = sim.add_mutually_exclusive_group()
    place.add_argument("--pty", metavar="LINK", help="serve on a pty, published as symlink LINK")
    place.add_argument("--tcp", metavar="PORT", type=int, help=f"serve on TCP (default {tcp_port})")
    sim.add_argument("--control", metavar="PORT", type=int, default=control_port,
                     help=f"JSON-lines control port (default {control_port}; 0 = any free port)")
    sim.add_argument("--baud", type=int, default=baud)
    for option, spec in options.items():
        sim.add_argument(f"--{option}", **spec)
    sim.set_defaults(func=lambda args: _serve(simulator, args, tcp_port, describe, options))
    ctl = groups["sim"].add_parser(f"{kind}-ctl", help=helps[1])
    ctl.add_argument("--control", metavar="PORT", type=int, default=control_port)
    ctl.add_argument("--host", default="127.0.0.1")
    return ctl


def _serve(simulator: str, args: argparse.Namespace, tcp_port: int, describe: Callable[[Any], str],
           options: dict[str, dict[str, Any]]) -> int:
    module, _, name = simulator.partition(":")
    make = getattr(importlib.import_module(module), name)
    sim = make(baudrate=args.baud, control_port=args.control, **{o: getattr(args, o) for o in options},
               **where(args, tcp_port))
    return serve_until_signal(sim, f"{describe(sim)}  (stop with Ctrl-C / 按 Ctrl-C 停止)")


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
