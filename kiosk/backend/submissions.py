"""SubmissionService: what the app calls when a resident presses 提交 (12345, appointment, delivery).

The reference is made here, on the kiosk, before the durable enqueue, so the receipt can show it even when
the gateway is down; the gateway echoes it. ``submit`` returns only after the row is on disk, then waits up
to ``wait_s`` for the first delivery attempt and says whether the submission was delivered now or queued.
"""
from __future__ import annotations

import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Callable

from kiosk.backend.outbox import Outbox
from kiosk.backend.sender import OutboxSender
from kiosk.clock import DEFAULT_ZONE, at, wall_time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread on paper


@dataclass(frozen=True)
class SubmissionResult:
    """``status``: the gateway's status when delivered ("received"), else "queued" or "rejected"."""

    reference: str
    delivered: bool
    status: str
    message_zh: str = ""
    message_en: str = ""


def reference_prefix(terminal_id: str) -> str:
    """``SH-JA-NJXL-01`` → ``NJXL01``: the last six letters/digits of the terminal id."""
    alnum = re.sub(r"[^0-9A-Z]", "", terminal_id.upper())
    return alnum[-6:] or "KIOSK"


def make_reference(terminal_id: str, now: float, tz: tzinfo = DEFAULT_ZONE) -> str:
    """``NJXL01-20261127-7F3K9Q``: terminal, the date in the terminal's zone ``tz`` (the date printed on the
    receipt; default Shanghai, never the machine's zone), 6 random base32 characters (2^30 per day)."""
    day = at(now, tz).strftime("%Y%m%d")
    return f"{reference_prefix(terminal_id)}-{day}-{''.join(secrets.choice(_ALPHABET) for _ in range(6))}"


class SubmissionService:
    def __init__(self, outbox: Outbox, sender: OutboxSender, terminal_id: str, *,
                 clock: Callable[[], float] = wall_time, tz: tzinfo = DEFAULT_ZONE) -> None:
        """``tz``: the terminal's zone (``kiosk.clock.zone_of(cfg)``), for the date inside references."""
        self.outbox, self.sender, self.terminal_id, self.clock = outbox, sender, terminal_id, clock
        self.tz = tz

    def submit(self, service_id: str, kind: str, fields: dict[str, Any], token: str | None,
               wait_s: float = 2.0) -> SubmissionResult:
        """Durable enqueue, then up to ``wait_s`` for delivery. Blocking: call it from a worker thread."""
        row_id, reference = self._enqueue(service_id, kind, fields, token)
        self.sender.wake()
        row = self.sender.wait_for(row_id, wait_s) if wait_s > 0 else self.outbox.get(row_id)
        if row is not None and row.state == "done":
            return SubmissionResult(reference, True, row.gateway_status or "received",
                                    "已提交成功", "Submitted")
        if row is not None and row.state == "dead":
            return SubmissionResult(reference, False, "rejected", "提交未被受理，请联系工作人员",
                                    "The submission was not accepted, please ask staff")
        return SubmissionResult(reference, False, "queued", "已受理，网络恢复后将自动提交",
                                "Accepted; it will be sent automatically when the network is back")

    def _enqueue(self, service_id: str, kind: str, fields: dict, token: str | None) -> tuple[int, str]:
        for _ in range(5):
            reference = make_reference(self.terminal_id, self.clock(), self.tz)
            try:
                row_id = self.outbox.enqueue(reference=reference, idempotency_key=secrets.token_hex(16),
                                             service_id=service_id, kind=kind, fields=fields, token=token)
                return row_id, reference
            except sqlite3.IntegrityError:  # a reference collision (1 in 2^30 per day): draw again
                continue
        raise RuntimeError("could not draw a unique submission reference")
