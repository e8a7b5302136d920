"""Printer commands for staff and developers.

* ``kiosk device printer status --port URL [--json]`` — DLE EOT 1–4; exit 0 ready, 5 not ready, 4 no answer
* ``kiosk device printer test --port URL`` — print the test page through the real driver
* ``kiosk receipt preview KIND --out FILE.png`` — render a sample layout without a printer
* ``kiosk sim printer [--pty LINK | --tcp PORT] [--control PORT] [--out DIR] [--baud N]`` — the simulator
* ``kiosk sim printer-ctl --control PORT COMMAND [--after-bytes N]`` — control a running simulator
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time

EXIT_READY, EXIT_NO_ANSWER, EXIT_NOT_READY = 0, 4, 5
CONTROL_COMMANDS = ("paper_low", "paper_out", "paper_loaded", "cover_open", "cover_closed", "cutter_jam",
                    "cutter_clear", "offline", "online", "silent", "unplug", "replug", "info", "jobs")


def register(groups: dict) -> None:
    device = groups["device"].add_parser("printer", help="receipt printer / 凭条打印机").add_subparsers(
        dest="printer_cmd", metavar="ACTION")
    status = device.add_parser("status", help="read real-time status / 读取打印机状态")
    _port_args(status)
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)
    test = device.add_parser("test", help="print the test page / 打印自检页")
    _port_args(test)
    test.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the page")
    test.set_defaults(func=cmd_test)

    receipt = groups["top"].add_parser("receipt", help="receipt layouts / 凭条样式").add_subparsers(
        dest="receipt_cmd", metavar="ACTION")
    preview = receipt.add_parser("preview", help="render a sample receipt to PNG / 生成凭条预览图")
    preview.add_argument("kind", choices=("ticket", "receipt", "appointment", "record", "guide", "licence", "test"))
    preview.add_argument("--out", required=True, help="PNG file to write")
    preview.add_argument("--profile", default="generic-80mm")
    preview.set_defaults(func=cmd_preview)

    sim = groups["sim"].add_parser("printer", help="run the printer simulator / 运行打印机模拟器")
    where = sim.add_mutually_exclusive_group()
    where.add_argument("--pty", metavar="LINK", help="serve on a pty, published at this symlink")
    where.add_argument("--tcp", metavar="PORT", type=int, help="serve on socket://127.0.0.1:PORT")
    sim.add_argument("--control", type=int, default=17112, help="control port (JSON lines)")
    sim.add_argument("--out", default="var/printer-out", help="directory for job PNGs and text dumps")
    sim.add_argument("--baud", type=int, default=115200)
    sim.add_argument("--profile", default="generic-80mm")
    sim.set_defaults(func=cmd_sim)
    ctl = groups["sim"].add_parser("printer-ctl", help="control a running printer simulator / 控制模拟器")
    ctl.add_argument("--control", type=int, default=17112)
    ctl.add_argument("command", choices=CONTROL_COMMANDS)
    ctl.add_argument("--after-bytes", type=int, help="paper_out/cover_open: after this many more bytes")
    ctl.add_argument("--off", action="store_true", help="silent: turn the fault off again")
    ctl.set_defaults(func=cmd_ctl)


def _port_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", required=True, help="pyserial URL: /dev/ttyUSB0, socket://127.0.0.1:17102, …")
    p.add_argument("--baud", type=int, default=115200)
    p.add_argument("--profile", default="generic-80mm")


def cmd_status(args: argparse.Namespace) -> int:
    from devices.errors import DeviceError
    from devices.printer.driver import read_state
    from devices.printer.profiles import get_profile
    from devices.transport import open_port

    profile = get_profile(args.profile)
    try:
        port = open_port(args.port, baudrate=args.baud, timeout=0.25)
        try:
            state = read_state(port, near_end_sensor=profile.near_end_sensor)
        finally:
            port.close()
    except DeviceError as exc:
        print(f"打印机不可用 / printer unavailable: {exc.message_zh} / {exc.message_en}", file=sys.stderr)
        return EXIT_NO_ANSWER
    info = state.as_dict()
    code = EXIT_READY if state.ready else (EXIT_NO_ANSWER if not state.answered else EXIT_NOT_READY)
    if args.json:
        print(json.dumps({k: info[k] for k in ("online", "paper", "cover_open", "cutter_error", "raw")}))
    else:
        fault = state.fault()
        verdict = "就绪 ready" if fault is None else f"{fault[1]} / {fault[2]}"
        raw = " ".join("--" if b is None else f"{b:02X}" for b in state.raw)
        print(f"打印机 printer: {verdict}\n纸张 paper: {info['paper']}\n原始状态 raw DLE EOT 1-4: {raw}")
    return code


def cmd_test(args: argparse.Namespace) -> int:
    from devices.printer.driver import Printer
    from kiosk.clock import now_in
    from kiosk.receipts import test_page

    done = threading.Event()
    outcome: dict = {}

    def on_event(event) -> None:
        if event.name in ("job_done", "job_failed") and event.data.get("job_id") == outcome.get("job"):
            outcome.update(event.data, result=event.name)
            done.set()

    printer = Printer(args.port, baudrate=args.baud, profile=args.profile)
    printer.subscribe(on_event)
    printer.start()
    try:
        deadline = time.monotonic() + 5.0
        # stop waiting as soon as a full status came back, ready or not
        while not printer.ready and not printer.state.complete and time.monotonic() < deadline:
            time.sleep(0.1)
        if not printer.ready:
            fault = printer.state.fault()
            print(f"打印机未就绪 / printer not ready: {fault[1] + ' / ' + fault[2] if fault else printer.status_reason}",
                  file=sys.stderr)
            return EXIT_NO_ANSWER if not printer.state.answered else EXIT_NOT_READY
        # no terminal config here (a bare port): the default terminal zone stamps the page
        outcome["job"] = printer.submit(test_page(args.profile, printed_at=now_in()))
        if not done.wait(args.timeout):
            print("打印超时 / test page timed out", file=sys.stderr)
            return EXIT_NOT_READY
        if outcome["result"] == "job_done":
            print(f"自检页已打印 / test page printed (job {outcome['job']})")
            return EXIT_READY
        print(f"打印失败 / failed: {outcome['reason_zh']} / {outcome['reason_en']} (action {outcome['action']})",
              file=sys.stderr)
        return EXIT_NOT_READY
    finally:
        printer.close()


def cmd_preview(args: argparse.Namespace) -> int:
    from kiosk.receipts import render_png
    from kiosk.receipts.samples import sample

    page = render_png(sample(args.kind, args.profile), args.out, profile=args.profile)
    print(f"{args.out}: {args.kind} ({args.profile})")
    if page.unknown:
        print(f"警告 warning: {len(page.unknown)} unknown command(s)", file=sys.stderr)
        return 1
    return 0


def cmd_sim(args: argparse.Namespace) -> int:
    import logging

    from devices.printer.simulator import PrinterSimulator

    from kiosk.logs import setup_logging

    setup_logging(None, level="INFO")  # stderr, masked, stamps with their offset
    transport = "tcp" if args.tcp is not None else "pty"
    sim = PrinterSimulator(transport=transport, port=args.tcp or 0, link=args.pty or "var/printer.pty",
                           baudrate=args.baud, control_port=args.control, out_dir=args.out, profile=args.profile)
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # stop cleanly (pty link removed) under systemd/tests
    sim.start()
    print(f"printer simulator on {sim.url} (control {sim.control_port}, out {args.out}); Ctrl-C stops", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def cmd_ctl(args: argparse.Namespace) -> int:
    from devices.simbase import send_control

    request: dict = {"cmd": args.command}
    if args.after_bytes is not None:
        request["after_bytes"] = args.after_bytes
    if args.command == "silent":
        request["on"] = not args.off
    try:
        reply = send_control(args.control, request)
    except OSError as exc:
        print(f"模拟器未运行 / simulator not reachable on control port {args.control}: {exc}", file=sys.stderr)
        return EXIT_NO_ANSWER
    print(json.dumps(reply, ensure_ascii=False))
    return 0 if reply.get("ok") else 1
