"""``python -m kiosk.backend.sender_main``: run only the outbox sender (ops, and the outage test's victim).

Either ``--config DIR`` or explicit ``--db --base-url --secret-file --terminal-id [--ca]``. Runs until
SIGTERM/SIGINT, or with ``--until-empty`` until nothing is pending or in flight.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kiosk.backend.sender_main")
    p.add_argument("--config")
    p.add_argument("--db")
    p.add_argument("--base-url")
    p.add_argument("--ca")
    p.add_argument("--secret-file")
    p.add_argument("--terminal-id")
    p.add_argument("--backoff-base", type=float, default=2.0)
    p.add_argument("--backoff-cap", type=float, default=300.0)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--read-timeout", type=float, default=10.0)
    p.add_argument("--until-empty", action="store_true")
    args = p.parse_args(argv)
    from kiosk.logs import setup_logging

    setup_logging(None, level="INFO")  # stderr, masked, stamps with their offset

    from kiosk.backend.client import GatewayClient
    from kiosk.backend.outbox import Outbox
    from kiosk.backend.sender import OutboxSender
    from kiosk.backend.signing import load_secret
    if args.config:
        from kiosk.config.loader import load_config
        cfg = load_config(args.config)
        client, outbox = GatewayClient.from_config(cfg), Outbox.from_config(cfg)
    else:
        if not (args.db and args.base_url and args.secret_file and args.terminal_id):
            p.error("give --config DIR, or --db, --base-url, --secret-file and --terminal-id")
        client = GatewayClient(args.base_url, terminal_id=args.terminal_id, secret=load_secret(args.secret_file),
                               ca_bundle=args.ca, read_timeout_s=args.read_timeout, retries=0)
        outbox = Outbox(args.db)
    sender = OutboxSender(outbox, client, backoff_base=args.backoff_base, backoff_cap=args.backoff_cap,
                          concurrency=args.concurrency, idle_wait_s=0.5)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    sender.start()
    while not done.wait(0.2):
        if args.until_empty and outbox.depth() == 0:
            break
    sender.stop()
    client.close()
    outbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
