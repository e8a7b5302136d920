"""``kiosk ops …``: operations helpers run by systemd units (deploy/) and by staff on the terminal.

``kiosk ops restart`` is what deploy/kiosk-nightly-restart.service runs: it asks the running app to
restart the next time no resident session is active and waits for it (kiosk/ops/watchdog.py).
"""
from __future__ import annotations

import argparse


def register(groups: dict) -> None:
    ops = groups["top"].add_parser("ops", help="operations helpers / 运维工具").add_subparsers(
        dest="ops_command", metavar="ACTION")
    restart = ops.add_parser("restart", help="restart the app when idle / 空闲时重启应用")
    restart.add_argument("--run-dir", default="/run/kiosk", help="the app's runtime directory")
    restart.add_argument("--max-wait", type=float, default=7200.0,
                         help="seconds to wait for the attract screen before skipping (default 7200)")
    restart.add_argument("--poll", type=float, default=1.0, help=argparse.SUPPRESS)
    restart.set_defaults(func=_restart)


def _restart(args: argparse.Namespace) -> int:
    from kiosk.ops.watchdog import request_restart

    done, message = request_restart(args.run_dir, max_wait_s=args.max_wait, poll_s=args.poll)
    print(("已重启 / restarted: " if done else "未重启 / not restarted: ") + message)
    # a skipped restart is not a failure of the unit: the kiosk kept serving, it will try tomorrow
    return 0
