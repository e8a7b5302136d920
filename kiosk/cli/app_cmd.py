"""``kiosk run`` (the kiosk on its real configuration) and ``kiosk demo`` (the app walked against simulators).

``run`` refuses to start on an invalid configuration and prints every problem (file:line: key: 中文
(English)) first. ``demo`` is the README's main job: simulators, the real app, a scripted walk with real
touches, screenshots and printed receipts in ``--out``.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys



def _run(args: argparse.Namespace) -> int:
    # the config is validated inside run(), in a child forked before anything heavy is imported here, and
    # logging is set up from it; so this handler imports only kiosk.app (the rest loads during the check)
    from kiosk.app import run

    # systemd stops the kiosk with SIGTERM: turn it into KeyboardInterrupt so app.run's clean-up (devices
    # closed, outbox closed, print jobs of a session discarded) runs instead of dying mid-write
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return run(args.config, headless=args.headless, kiosk_mode=not args.windowed)
    except KeyboardInterrupt:
        logging.getLogger(__name__).info("kiosk stopped by signal")
        return 0


def _demo(args: argparse.Namespace) -> int:
    from kiosk_dev.demo import run_demo

    return run_demo(args.out, config_dir=args.config, fixed_ports=args.fixed_ports,
                    headless=True if args.headless else None)


def register(groups: dict) -> None:
    top = groups["top"]
    run = top.add_parser("run", help="start the kiosk app on its configuration / 启动自助终端")
    run.add_argument("--config", default=None, help="config directory (default: $KIOSK_CONFIG_DIR or config/)")
    run.add_argument("--headless", action="store_true", help="offscreen rendering (no display)")
    run.add_argument("--windowed", action="store_true",
                     help="developer window: Esc/close allowed, not fullscreen / 开发窗口模式")
    run.set_defaults(func=_run)

    demo = top.add_parser("demo", help="simulators + the real app walked by real touches / 演示")
    demo.add_argument("--out", default="out/demo", help="screenshots, receipts and walk.txt go here")
    demo.add_argument("--config", default=None, help="base config directory (default: config/)")
    demo.add_argument("--fixed-ports", action="store_true",
                      help="simulators on the default config's ports (17100-17102) instead of ephemeral ones")
    demo.add_argument("--headless", action="store_true", help="force offscreen rendering")
    demo.set_defaults(func=_demo)
