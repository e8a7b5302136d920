"""``kiosk ops …``: operations helpers run by systemd units (deploy/) and by staff on the terminal.

``kiosk ops restart`` is what deploy/kiosk-nightly-restart.service runs: it asks the running app to
restart the next time no resident session is active and waits for it (kiosk/ops/watchdog.py).
``kiosk ops nightly-timer`` prints that timer with 03:30 pinned to the terminal's configured zone
(deploy/install.sh installs its output), whatever zone the machine is set to.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(groups: dict) -> None:
    ops = groups["top"].add_parser("ops", help="operations helpers / 运维工具").add_subparsers(
        dest="ops_command", metavar="ACTION")
    restart = ops.add_parser("restart", help="restart the app when idle / 空闲时重启应用")
    restart.add_argument("--run-dir", default="/run/kiosk", help="the app's runtime directory")
    restart.add_argument("--max-wait", type=float, default=7200.0,
                         help="seconds to wait for the attract screen before skipping (default 7200)")
    restart.add_argument("--poll", type=float, default=1.0, help=argparse.SUPPRESS)
    restart.set_defaults(func=_restart)
    timer = ops.add_parser("nightly-timer",
                           help="the nightly-restart timer in the terminal's zone / 按终端时区生成夜间重启定时器")
    timer.add_argument("--config", default="/etc/kiosk", help="configuration directory (its opening_hours.timezone)")
    timer.add_argument("--template", default=str(Path(__file__).resolve().parents[2] / "deploy"
                                                 / "kiosk-nightly-restart.timer"), help="the timer unit to adapt")
    timer.set_defaults(func=_nightly_timer)


def _restart(args: argparse.Namespace) -> int:
    from kiosk.ops.watchdog import request_restart

    done, message = request_restart(args.run_dir, max_wait_s=args.max_wait, poll_s=args.poll)
    print(("已重启 / restarted: " if done else "未重启 / not restarted: ") + message)
    # a skipped restart is not a failure of the unit: the kiosk kept serving, it will try tomorrow
    return 0


def _nightly_timer(args: argparse.Namespace) -> int:
    from kiosk.config.issues import ConfigError
    from kiosk.config.loader import load_config
    from kiosk.ops.watchdog import nightly_timer_unit

    try:
        zone = load_config(args.config).opening_hours.timezone
        template = Path(args.template).read_text(encoding="utf-8")
    except (ConfigError, OSError) as exc:
        print(f"无法生成夜间重启定时器 / cannot write the nightly-restart timer: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(nightly_timer_unit(template, zone))
    return 0
