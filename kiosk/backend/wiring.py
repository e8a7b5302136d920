"""One call that builds the kiosk's backend side from the loaded config (for kiosk/runtime.py).

``open_backend(cfg)`` → client, outbox, started sender, submission service; ``.close()`` stops them in order.
Nothing happens at import; the sender thread starts only in ``open_backend``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.backend.client import GatewayClient
from kiosk.backend.outbox import Outbox
from kiosk.backend.sender import OutboxSender
from kiosk.backend.submissions import SubmissionService
from kiosk.clock import zone_of


@dataclass
class BackendServices:
    client: GatewayClient
    outbox: Outbox
    sender: OutboxSender
    submissions: SubmissionService

    def close(self, timeout: float = 10.0) -> None:
        self.sender.stop(timeout)
        self.client.close()
        self.outbox.close()


def open_backend(cfg: Any, *, start_sender: bool = True) -> BackendServices:
    client = GatewayClient.from_config(cfg)
    outbox = Outbox.from_config(cfg)
    sender = OutboxSender(outbox, client, tz=zone_of(cfg))
    if start_sender:
        sender.start()
    return BackendServices(client, outbox, sender, SubmissionService(outbox, sender, cfg.terminal.id,
                                                                      tz=zone_of(cfg)))
