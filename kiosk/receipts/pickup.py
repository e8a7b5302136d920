"""The 证照统一物流 pick-up slip (取件单): what was sent, where to collect it, until when (issue 17).

Printed after the resident scanned the pick-up code from their SMS. Holds only the gateway's masked code and
recipient (masked again here); the slip is what the counter or locker attendant checks.
"""
from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from devices.printer.document import QR, Cut, Document, KeyValue, Separator, Text
from kiosk.masking import mask_name
from kiosk.receipts.common import field, footer, header, when


def pickup_slip(slip: Any, *, printed_at: datetime | str, status_url: str, terminal_name: str | None = None,
                location: str | None = None, tz: tzinfo | None = None) -> Document:
    """``slip``: a :class:`kiosk.backend.models.PickupSlip` (or a dict with its field names)."""
    doc = Document(kind="pickup_slip")
    doc.add(*header("证照统一物流取件单", "Pick-up slip"))
    doc.add(Text("取件格口 Slot", align="center"),
            Text(str(field(slip, "slot", "")), size=(3, 3), bold=True, align="center"),
            Text(str(field(slip, "item_zh", "")), size=(2, 2), bold=True, align="center"),
            Text(str(field(slip, "item_en", "")), align="center"),
            Separator(),
            KeyValue("取件地点 Place", str(field(slip, "place_zh", ""))),
            Text(str(field(slip, "place_en", "")), align="right"),
            KeyValue("收件人 Recipient", mask_name(str(field(slip, "recipient", ""))) or ""),
            KeyValue("取件码 Code", str(field(slip, "code_masked", ""))),
            KeyValue("保管至 Kept until", when(field(slip, "keep_until"), tz)),
            KeyValue("单号 Slip", str(field(slip, "pickup_id", ""))),
            QR(status_url, module=5),
            Text("请凭本单取件，取件时出示身份证件。", align="center"),
            Text("Show this slip and your ID to collect.", align="center"),
            *footer(terminal_name, location, printed_at, tz),
            Cut())
    return doc
