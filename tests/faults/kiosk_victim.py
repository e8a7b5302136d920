"""The kiosk process the kill -9 test kills: the real Runtime (drivers, gateway client, outbox, sender) on a
config directory, submitting the way the session does (``Runtime.submit``), or only draining the outbox.

    python tests/faults/kiosk_victim.py CONFIG_DIR submit N   # prints each reference once it is durable
    python tests/faults/kiosk_victim.py CONFIG_DIR drain      # start, deliver what is left, print "drained"
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.bridge import QueueBridge  # noqa: E402
from kiosk.config.loader import load_config  # noqa: E402
from kiosk.runtime import Runtime  # noqa: E402


def main() -> int:
    cfg = load_config(sys.argv[1])
    rt = Runtime(cfg, QueueBridge()).start()
    try:
        if sys.argv[2] == "submit":
            for i in range(int(sys.argv[3])):
                result = rt.submit("hotline-12345", "12345",
                                   {"category": "help", "phone": "13800138000", "street": "njxl"}, None)
                print(f"ref {result.reference} delivered={result.delivered}", flush=True)
            time.sleep(3600)  # stay alive, delivering, until killed
        else:
            deadline = time.monotonic() + 90
            while rt.outbox.depth() and time.monotonic() < deadline:
                rt.sender.wake()
                time.sleep(0.1)
            print("drained" if rt.outbox.depth() == 0 else f"left {rt.outbox.depth()}", flush=True)
    finally:
        rt.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
