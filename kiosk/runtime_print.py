"""Turn what the session wants printed into a receipt Document, using the printer team's layouts.

The session says *what* ("queue_ticket" with the gateway's QueueTicket, "submission_receipt" with the
service and SubmissionResult — and, for an appointment, the submitted form values as ``data["fields"]`` so the
slip names the service, date and time slot —, …); this adds *where* (terminal name/location from config, QR targets on the
gateway) so the session stays free of layout arguments. Only masked identity data is passed on.
Every time on paper is in the terminal's zone (kiosk/clock.py): the session passes the moment it means as
``data["at"]`` for result receipts; copies are stamped with the terminal-local time of printing.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from kiosk import clock


def _base(cfg: Any) -> str:
    return str(cfg.backend.base_url).rstrip("/")


def build_document(cfg: Any, kind: str, data: Any, *, now: Callable[[], datetime] = clock.utc_now) -> Any:
    from kiosk import receipts

    term = cfg.terminal
    zone = clock.zone_of(cfg)
    at = data.get("at") if isinstance(data, dict) else None
    printed_at = clock.to_local(at if at is not None else now(), zone)
    where = {"terminal_name": term.name, "location": term.location, "tz": zone}
    if kind == "queue_ticket":
        t = data["ticket"]
        service = data["service"]
        hours = _local_text(service.params.get("counter_hours"))
        return receipts.queue_ticket(t.number, service.title.zh, t.window_zh, t.waiting, issued_at=t.issued_at,
                                     progress_url=f"{_base(cfg)}/q/{t.number}", service_en=service.title.en,
                                     window_en=t.window_en, counter_hours=hours[0], counter_hours_en=hours[1],
                                     **where)
    if kind == "submission_receipt" and data["service"].params.get("submission_type") == "appointment" \
            and data.get("fields"):
        return _appointment(cfg, data, printed_at, where)
    if kind == "submission_receipt":
        r = data["result"]
        return receipts.submission_receipt(data["service"].title.zh, r.reference, data.get("name"), printed_at,
                                           delivered=bool(r.delivered), status_url=f"{_base(cfg)}/s/{r.reference}",
                                           **where)
    if kind == "pickup_slip":
        from kiosk.receipts.pickup import pickup_slip

        slip = data["slip"]
        return pickup_slip(slip, printed_at=printed_at, status_url=f"{_base(cfg)}/p/{slip.pickup_id}", **where)
    if kind == "checkin_ticket":
        c = data["checkin"]
        t = c.ticket
        return receipts.queue_ticket(t.number, c.service_zh, t.window_zh, t.waiting, issued_at=t.issued_at,
                                     progress_url=f"{_base(cfg)}/q/{t.number}", service_en=c.service_en,
                                     window_en=t.window_en, **where)
    if kind == "record_printout":
        return receipts.record_printout(data, **where, printed_at=printed_at)
    if kind == "service_guide":
        return receipts.service_guide(data, hours=cfg.opening_hours.describe("zh-CN"), address=term.location,
                                      terminal_name=term.name, printed_at=printed_at, tz=zone)
    if kind == "licence_copy":
        return receipts.licence_copy(data, **where, printed_at=printed_at)
    if kind == "test_page":
        return receipts.test_page(cfg.devices.printer.profile, terminal_name=term.name, printed_at=printed_at,
                                  tz=zone)
    raise ValueError(f"unknown document kind {kind!r}")


def _local_text(value: Any) -> tuple[str | None, str | None]:
    """(zh, en) of a ``{zh, en}`` params entry from services.yaml (already validated), or (None, None)."""
    if isinstance(value, dict):
        return value.get("zh"), value.get("en")
    return None, None


def _appointment(cfg: Any, data: dict, printed_at: datetime, where: dict) -> Any:
    """The appointment receipt: ``data["fields"]`` are the submitted form values (service, date, slot);
    the place is this centre plus the service's ``params.place`` (which counters) from services.yaml."""
    from kiosk.receipts.appointment import appointment_from_form, appointment_receipt

    service, result, term = data["service"], data["result"], cfg.terminal
    booked = appointment_from_form(service, data["fields"])
    place_zh, place_en = _local_text(service.params.get("place"))
    place = f"{term.name} {place_zh}" if place_zh else term.name
    place_en = f"{place_en}, {term.name_en}" if place_en else term.name_en
    return appointment_receipt(booked["service"], booked["day"], booked["slot"], place, result.reference,
                               data.get("name"), delivered=bool(result.delivered),
                               status_url=f"{_base(cfg)}/s/{result.reference}", printed_at=printed_at,
                               service_en=booked["service_en"] or None, slot_en=booked["slot_en"] or None,
                               place_en=place_en, **where)
