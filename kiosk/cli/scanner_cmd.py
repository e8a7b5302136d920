"""``kiosk device scanner …`` (staff checks of the QR scanner) and ``kiosk sim scanner`` / ``scanner-ctl``.

* ``kiosk device scanner read --port URL [--baud N] [--profile NAME] --timeout S [--json]`` — the first
  complete scan: exit 0 (with ``--json`` one object ``{"text", "raw_hex", "encoding"}``), 3 nothing scanned
  before the timeout, 4 the port cannot be opened (or the scanner does not answer its profile's query).
* ``kiosk device scanner status --port URL [--baud N] [--profile NAME] [--json]`` — whether it answers:
  exit 0 answers (or the profile has no query: the port opened, answering cannot be told), 4 port cannot be
  opened, 5 the scanner does not answer the query.
* ``kiosk sim scanner [--pty LINK | --tcp PORT] [--control PORT] [--profile NAME]`` — the simulator
* ``kiosk sim scanner-ctl [--control PORT] scan TEXT | noise [KIND] | split TEXT | unplug | replug | …``
"""
from __future__ import annotations

import argparse
import json
import sys

from kiosk.cli.simrun import device_parsers, sim_parsers

EXIT_OK, EXIT_NOTHING, EXIT_PORT, EXIT_SILENT = 0, 3, 4, 5
DEFAULT_SIM_PORT, DEFAULT_SIM_CONTROL = 17103, 17113
CTL_COMMANDS = ("scan", "noise", "split", "repeat", "unplug_mid_scan", "unplug", "replug", "silent", "info")


def register(groups: dict) -> None:
    read, status = device_parsers(groups, "scanner", "QR code scanner / 扫码器",
                                  {"read": "print the first complete scan / 读取一次扫码",
                                   "status": "does the scanner answer / 扫码器是否应答"},
                                  port_example="/dev/ttyACM0, socket://127.0.0.1:17103", baud=9600,
                                  baud_help="9600 or 115200 (8N1); ignored by pty/socket")
    for sp in (read, status):
        sp.add_argument("--profile", default="generic", help="scanner profile (devices/scanner/profiles.yaml)")
        sp.add_argument("--json", action="store_true", help="print one JSON object")
    read.add_argument("--timeout", type=float, required=True, help="seconds to wait for a scan")
    read.set_defaults(func=cmd_read)
    status.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for the answer")
    status.set_defaults(func=cmd_status)

    ctl = sim_parsers(groups, "scanner", ("run the QR scanner simulator / 扫码器模拟器",
                                          "control a running scanner simulator / 控制扫码器模拟器"),
                      simulator="devices.scanner.simulator:ScannerSimulator",
                      options={"profile": {"default": "generic"}}, describe=lambda sim: f"profile: {sim.profile.name}",
                      tcp_port=DEFAULT_SIM_PORT, control_port=DEFAULT_SIM_CONTROL, baud=9600)
    ctl.add_argument("command", choices=CTL_COMMANDS)
    ctl.add_argument("text", nargs="?", help="scan/split/repeat/unplug_mid_scan: the code; noise: the kind "
                                             "(control, invalid, overlong, mixed)")
    ctl.add_argument("--encoding", choices=("utf-8", "gb18030"), default="utf-8")
    ctl.add_argument("--parts", type=int, default=3, help="split: number of writes")
    ctl.add_argument("--gap", type=float, default=0.02, help="split: seconds between writes")
    ctl.add_argument("--times", type=int, default=3, help="repeat: how many reads")
    ctl.add_argument("--off", action="store_true", help="silent: turn the fault off again")
    ctl.set_defaults(func=cmd_ctl)


def _fail(zh: str, en: str) -> None:
    print(f"错误：{zh}\nerror: {en}", file=sys.stderr)


def cmd_read(args: argparse.Namespace) -> int:
    import logging

    from devices.errors import DeviceError
    from devices.scanner.driver import NoScan, Scanner

    logging.getLogger("devices").addHandler(logging.NullHandler())  # errors reach the operator below
    try:
        scanner = Scanner(args.port, baudrate=args.baud, profile=args.profile)
    except ValueError as exc:
        _fail("扫码器型号配置错误", str(exc))
        return 2
    scanner.start()
    try:
        scanner.wait_attempted(max(3.0, args.timeout))
        if not scanner.connected:
            err = scanner.last_error
            _fail(err.message_zh if err else "无法打开扫码器端口", err.message_en if err else f"cannot open {args.port}")
            return EXIT_PORT
        try:
            scan = scanner.wait_scan(args.timeout, since=0)
        except NoScan as exc:
            _fail(exc.message_zh, exc.message_en)
            return EXIT_NOTHING
        except DeviceError as exc:
            _fail(exc.message_zh, exc.message_en)
            return EXIT_PORT
    finally:
        scanner.close()
    if args.json:
        print(json.dumps(scan.as_dict(), ensure_ascii=False), flush=True)
    else:
        print(scan.text, flush=True)
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from devices.errors import DeviceError
    from devices.scanner.driver import Scanner, ScannerSilent
    from devices.scanner.profiles import get_profile

    try:
        profile = get_profile(args.profile)
    except ValueError as exc:
        _fail("扫码器型号配置错误", str(exc))
        return 2
    # query_timeout: the whole answer must come within --timeout
    scanner = Scanner(args.port, baudrate=args.baud, profile=profile, query_timeout=args.timeout).start()
    try:
        scanner.wait_attempted(args.timeout + 3.0)
        err = scanner.last_error
        if not scanner.connected:
            silent = isinstance(err, ScannerSilent)
            code, answers = (EXIT_SILENT, False) if silent else (EXIT_PORT, None)
            verdict = ("无应答", "no answer to the query") if silent else ("无法打开端口", "port cannot be opened")
        else:
            try:
                answers = scanner.query_status(timeout=args.timeout + 1.0)
            except DeviceError as exc:
                _fail(exc.message_zh, exc.message_en)
                return EXIT_SILENT
            code = EXIT_OK if answers is not False else EXIT_SILENT
            verdict = {True: ("正常应答", "answers"), False: ("无应答", "no answer to the query"),
                       None: ("端口已打开，此型号无查询指令，无法确认是否应答",
                              "port opened; this profile has no query, so answering cannot be told")}[answers]
    finally:
        scanner.close()
    if args.json:
        print(json.dumps({"port": args.port, "profile": profile.name, "port_open": code != EXIT_PORT,
                          "answers": answers}, ensure_ascii=False))
    else:
        print(f"扫码器 / scanner: {args.port} ({profile.name})\n状态 / status: {verdict[0]} / {verdict[1]}")
        if code == EXIT_PORT and err is not None:
            print(f"原因 / reason: {err.message_zh} / {err.message_en}", file=sys.stderr)
    return code


def cmd_ctl(args: argparse.Namespace) -> int:
    from kiosk.cli.simrun import send_and_print

    request: dict = {"cmd": args.command}
    if args.command in ("scan", "split", "repeat", "unplug_mid_scan"):
        if args.text is None:
            print(f"{args.command} 需要扫码内容 / needs TEXT", file=sys.stderr)
            return 2
        request.update(text=args.text, encoding=args.encoding)
        if args.command == "split":
            request.update(parts=args.parts, gap=args.gap)
        if args.command == "repeat":
            request["times"] = args.times
    elif args.command == "noise" and args.text:
        request["kind"] = args.text
    elif args.command == "silent":
        request["on"] = not args.off
    # a split or repeated scan is sent before the reply: allow for its pacing
    return send_and_print(args.control, request, host=args.host, timeout=30.0)
