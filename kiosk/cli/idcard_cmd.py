"""``kiosk device idcard …`` (staff checks of the reader) and ``kiosk sim idcard`` / ``idcard-ctl`` (simulator).

Exit codes of ``device idcard read``: 0 a card was read, 3 no card before the timeout, 4 a device error
(the message says which, in Chinese and English). Personal data is masked unless ``--show-personal-data``.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any, Callable

from kiosk.cli.simrun import device_parsers, sim_parsers

EXIT_OK, EXIT_NO_CARD, EXIT_DEVICE = 0, 3, 4
DEFAULT_SIM_PORT, DEFAULT_SIM_CONTROL = 17101, 17111

_LABELS = {
    "card_type": "证件类型 / card type", "name": "姓名 / name", "english_name": "英文姓名 / English name",
    "sex": "性别 / sex", "nation": "民族 / nation", "birth_date": "出生 / birth date", "address": "住址 / address",
    "id_number": "证件号码 / number", "issuer": "签发机关 / issuer", "valid_from": "有效期起 / valid from",
    "valid_to": "有效期止 / valid to", "pass_number": "通行证号码 / pass number",
    "issue_count": "签发次数 / issue count", "nationality": "国籍 / nationality",
    "id_number_valid": "号码校验 / number check",
}


def register(groups: dict) -> None:
    status, read = device_parsers(groups, "idcard", "ID card reader / 身份证读卡器",
                                  {"status": "SAM status and SAM ID / 安全模块状态", "read": "read one card / 读一张卡"},
                                  port_example="/dev/ttyUSB0, socket://127.0.0.1:17101", baud=115200)
    status.add_argument("--timeout", type=float, default=3.0)
    status.set_defaults(func=_status)
    read.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a card (default 10)")
    read.add_argument("--json", action="store_true", help="print one JSON object")
    read.add_argument("--show-personal-data", action="store_true",
                      help="print names and numbers whole (default: masked) / 显示完整个人信息")
    read.set_defaults(func=_read)

    card = {"help": "card on the reader at start (resident, resident_rare, J, I, Y, bad_checksum_id)"}
    ctl = sim_parsers(groups, "idcard", ("run the ID card reader simulator / 身份证读卡器模拟器",
                                         "control a running ID card simulator / 控制模拟器"),
                      simulator="devices.idcard.simulator:IdCardSimulator", options={"card": card},
                      describe=lambda sim: f"card: {sim.card_name or '-'}",
                      tcp_port=DEFAULT_SIM_PORT, control_port=DEFAULT_SIM_CONTROL, baud=115200)
    ctl.add_argument("command", help="place NAME | remove | fault KIND [key=value…] | clear_faults | unplug | "
                                     "replug | baud N | cards | info")
    ctl.add_argument("args", nargs="*")
    ctl.set_defaults(func=_ctl)


def _fail(exc: BaseException) -> None:
    zh = getattr(exc, "message_zh", "读卡器错误")
    en = getattr(exc, "message_en", str(exc))
    action = getattr(getattr(exc, "action", None), "value", "")
    print(f"错误：{zh}\nerror: {en}" + (f" (action: {action})" if action else ""), file=sys.stderr)


def _quiet_device_logs() -> None:
    """Errors reach the operator through this command's own bilingual messages, not log warnings."""
    logging.getLogger("devices").addHandler(logging.NullHandler())


def _explain(exc: BaseException, reader) -> None:
    from devices.errors import DeviceUnavailable

    if isinstance(exc, DeviceUnavailable) and reader.last_error is not None:
        _fail(reader.last_error)  # "not connected" says less than why the connection failed
    else:
        _fail(exc)


def _ask_reader(args: argparse.Namespace, call: Callable[[Any], Any]) -> tuple[Any, int | None]:
    """Open the reader at ``args.port``, run ``call(reader)``, close it: (answer, None) or (None, exit code)."""
    from devices.errors import DeviceError
    from devices.idcard.driver import IdCardReader
    from devices.idcard.protocol import CardNotPresent

    _quiet_device_logs()
    reader = IdCardReader(args.port, baudrate=args.baud).start()
    try:
        return call(reader), None
    except CardNotPresent as exc:
        _fail(exc)
        return None, EXIT_NO_CARD
    except DeviceError as exc:
        _explain(exc, reader)
        return None, EXIT_DEVICE
    finally:
        reader.close()


def _status(args: argparse.Namespace) -> int:
    info, failed = _ask_reader(args, lambda reader: reader.sam_info(timeout=args.timeout))
    if failed is not None:
        return failed
    print(f"读卡器 / reader: {args.port}")
    print(f"安全模块 / SAM: {'正常 ok' if info['sam_ok'] else '故障 fault'} ({info['sam_status']})")
    print(f"SAM ID: {info['sam_id'] or '-'}")
    return EXIT_OK if info["sam_ok"] else EXIT_DEVICE


def _read(args: argparse.Namespace) -> int:
    card, failed = _ask_reader(args, lambda reader: reader.read_card(timeout=args.timeout))
    if failed is not None:
        return failed
    try:
        fields = card.to_dict() if args.show_personal_data else card.masked()
        if args.json:
            print(json.dumps(fields, ensure_ascii=False))
        else:
            for key, value in fields.items():
                if value is not None:
                    print(f"{_LABELS[key]}: {value}")
            if card.id_number_valid is False:
                print("注意：证件号码校验位不正确 / warning: the number fails its check character")
    finally:
        card.wipe()
    return EXIT_OK


def _ctl(args: argparse.Namespace) -> int:
    from kiosk.cli.simrun import send_and_print

    request: dict = {"cmd": args.command}
    rest = list(args.args)
    if args.command == "place" and rest and "=" not in rest[0]:
        request["card"] = rest.pop(0)
    elif args.command == "fault" and rest and "=" not in rest[0]:
        request["kind"] = rest.pop(0)
    elif args.command == "baud" and rest and "=" not in rest[0]:
        request["baudrate"] = int(rest.pop(0))
    for item in rest:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"参数应为 key=value / expected key=value, got {item!r}", file=sys.stderr)
            return 2
        try:
            request[key] = json.loads(value)
        except ValueError:
            request[key] = value
    return send_and_print(args.control, request, host=args.host)
