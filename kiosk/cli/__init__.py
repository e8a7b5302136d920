"""The ``kiosk`` command: staff and developer entry point.

Sub-commands live in ``kiosk/cli/*_cmd.py``; each module defines ``register(groups)`` where ``groups`` maps
``"top"`` (the root sub-parsers), ``"device"`` (``kiosk device …``) and ``"sim"`` (``kiosk sim …``) to
argparse sub-parser collections. A handler is stored with ``set_defaults(func=handler)`` and returns the
process exit code. Modules import their heavy dependencies inside the handler so ``kiosk --help`` is quick.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


#: commands whose start time matters, answered by one module without discovering the others:
#: ``kiosk run`` is how systemd starts the kiosk, and building every sub-parser cost ~30 ms of its cold start
FAST_COMMANDS = {"run": "app_cmd"}


def action_group(groups: dict, name: str, help_: str, *, exit_code: int) -> argparse._SubParsersAction:
    """``kiosk <name> ACTION``: the collection its actions are added to; ``kiosk <name>`` without an action
    prints the command's help and ends with ``exit_code``."""
    parser = groups["top"].add_parser(name, help=help_)
    parser.set_defaults(func=lambda _args: (parser.print_help(), exit_code)[1])
    return parser.add_subparsers(dest=f"{name}_cmd", metavar="ACTION")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; ``only`` = one ``*_cmd`` module name registers just that module's commands."""
    parser = argparse.ArgumentParser(prog="kiosk", description="一网通办自助终端 / one-network self-service kiosk")
    top = parser.add_subparsers(dest="command", metavar="COMMAND")
    device = top.add_parser("device", help="talk to a real (or simulated) device / 设备调试").add_subparsers(
        dest="device_kind", metavar="KIND")
    sim = top.add_parser("sim", help="run a simulator / 运行模拟器").add_subparsers(dest="sim_kind", metavar="KIND")
    groups = {"top": top, "device": device, "sim": sim}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.endswith("_cmd") and only in (None, info.name):
            importlib.import_module(f"{__name__}.{info.name}").register(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(FAST_COMMANDS.get(argv[0]) if argv else None)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    return int(func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
