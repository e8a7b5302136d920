"""``kiosk config check [DIR]`` and ``kiosk config hash-pin``: the staff's tools for the config directory.

``check`` prints every problem as ``file:line: key: message`` and exits 2, or the one-line summary and exits 0;
``--production`` (or ``terminal.production: true`` in the file) adds the production guard.
``hash-pin`` reads a PIN (stdin when piped, else a hidden prompt) and prints the ``pin_hash`` line.
"""
from __future__ import annotations

import argparse
import sys

from kiosk.cli import action_group

EXIT_INVALID = 2


def _check(args: argparse.Namespace) -> int:
    from kiosk.config.loader import check_config, default_config_dir

    config_dir = args.dir if args.dir is not None else default_config_dir()
    cfg, issues = check_config(config_dir, production=True if args.production else None)
    if cfg is not None and args.remote_of is not None:
        from pathlib import Path

        from kiosk.ops.remote_policy import remote_problems

        issues = remote_problems(Path(config_dir), Path(args.remote_of))
        cfg = None if issues else cfg
    if cfg is None:
        for issue in issues:
            print(issue)
        print(f"共 {len(issues)} 处错误，配置无效 ({len(issues)} error(s), configuration invalid): {config_dir}",
              file=sys.stderr)
        return EXIT_INVALID
    print(cfg.summary())
    return 0


def _read_pin() -> str | None:
    if sys.stdin is not None and not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    import getpass

    first = getpass.getpass("新 PIN (new PIN, 6-12 digits): ").strip()
    again = getpass.getpass("再输入一次 (again): ").strip()
    if first != again:
        print("两次输入不一致 (the two PINs differ)", file=sys.stderr)
        return None
    return first


def _hash_pin(args: argparse.Namespace) -> int:
    from kiosk.config.base import hash_pin

    pin = _read_pin()
    if pin is None:
        return EXIT_INVALID
    try:
        line = hash_pin(pin)
    except ValueError as exc:
        print(f"PIN 无效 (invalid PIN): {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"pin_hash: {line}")
    return 0


def register(groups: dict) -> None:
    sub = action_group(groups, "config", "check the staff configuration / 检查终端配置", exit_code=EXIT_INVALID)
    check = sub.add_parser("check", help="validate terminal.yaml + services.yaml / 检查配置文件")
    check.add_argument("dir", nargs="?", default=None,
                       help="config directory (default: $KIOSK_CONFIG_DIR or the repository's config/)")
    check.add_argument("--production", action="store_true",
                       help="also refuse development secrets, PIN, CA and open key files / 按正式终端标准检查")
    check.add_argument("--remote-of", metavar="STAFF_DIR", default=None,
                       help="DIR is a remote config: refuse keys that differ from STAFF_DIR and are not remotely "
                            "changeable / 远程配置只能修改允许的项")
    check.set_defaults(func=_check)
    pin = sub.add_parser("hash-pin", help="hash a staff PIN for staff.pin_hash / 生成工作人员 PIN 哈希")
    pin.set_defaults(func=_hash_pin)
