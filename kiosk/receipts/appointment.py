"""The appointment receipt (预约凭条): what was booked, when, where, and the reference to quote.

A resident who books a counter time takes this slip home and comes back with it, so it must answer on its
own: which service, which day (with the weekday), which time slot, at which place, and the reference —
plus whether the booking already reached the gateway or waits in this kiosk's outbox.
"""
from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from devices.printer.document import QR, Cut, Document, KeyValue, Separator, Text
from kiosk.masking import mask_name
from kiosk.receipts.common import delivery_status, footer, header

WEEKDAYS_ZH = "一二三四五六日"


def booked_day(value: date | datetime | str) -> str:
    """``2026-12-05`` → ``2026-12-05（周六）``; text that is not an ISO date is printed as given."""
    day: date | None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            day = None
    if day is None:
        return str(value)
    return f"{day.isoformat()}（周{WEEKDAYS_ZH[day.weekday()]}）"


def appointment_receipt(service: str, day: date | datetime | str, slot: str, place: str, reference: str,
                        name: str | None, *, delivered: bool, status_url: str, printed_at: datetime | str,
                        service_en: str | None = None, slot_en: str | None = None, place_en: str | None = None,
                        terminal_name: str | None = None, location: str | None = None,
                        tz: tzinfo | None = None) -> Document:
    """An appointment receipt.

    service    the booked service in Chinese (the form's 预约事项 label, e.g. "社保卡业务"); ``service_en``
    day        the booked date (date or ISO ``YYYY-MM-DD``), printed with its weekday
    slot       the time slot as the resident chose it (e.g. "上午 9:00-10:30"); ``slot_en`` optional
    place      where to go (e.g. "静安区南京西路街道社区事务受理服务中心 一楼大厅人工窗口"); ``place_en``
    reference  the submission's reference (printed large, the resident quotes it)
    name       resident's name, printed masked; None when not known
    delivered  True: the gateway confirmed the booking; False: kept in this kiosk's outbox
    status_url QR target to look the booking up (ASCII URL)
    printed_at when this slip is printed (terminal-local or aware)
    """
    doc = Document(kind="appointment_receipt")
    doc.add(*header("预约凭条", "Appointment"))
    doc.add(KeyValue("预约事项 Service", service))
    if service_en:
        doc.add(Text(service_en, align="right"))
    doc.add(KeyValue("预约日期 Date", booked_day(day), bold=True),
            KeyValue("预约时段 Time", slot, bold=True))
    if slot_en and slot_en not in slot:  # "下午 15:00-17:00" already says "15:00-17:00"
        doc.add(Text(slot_en, align="right"))
    doc.add(KeyValue("办理地点 Place", place))
    if place_en:
        doc.add(Text(place_en, align="right"))
    if name:
        doc.add(KeyValue("预约人 Booked by", mask_name(name)))
    doc.add(Text("预约编号 Reference", align="center"),
            Text(reference, size=(2, 2), bold=True, align="center"),
            Separator(),
            *delivery_status(delivered),
            Text("请携带本人有效身份证件，在预约时段内到上述地点办理；过时未到，请重新预约。"),
            Text("Bring your ID card to the place above within the booked time slot."),
            QR(status_url, module=6),
            Text("扫码查看或取消预约 Scan to view or cancel", align="center"),
            *footer(terminal_name, location, printed_at, tz), Cut())
    return doc


def appointment_from_form(service_def: Any, fields: dict[str, Any]) -> dict[str, str]:
    """The booked service / date / slot of a submitted appointment form, choice values turned into the
    labels the resident saw (``{"service", "service_en", "day", "slot", "slot_en"}``; missing → "")."""
    def label(field_id: str) -> tuple[str, str]:
        value = str(fields.get(field_id, "") or "")
        try:
            choices = service_def.field(field_id).choices or []
        except (KeyError, AttributeError):
            choices = []
        for choice in choices:
            if choice.value == value:
                return choice.label.zh, choice.label.en
        return value, ""

    service, service_en = label("service")
    slot, slot_en = label("slot")
    return {"service": service, "service_en": service_en, "day": str(fields.get("date", "") or ""),
            "slot": slot, "slot_en": slot_en}

