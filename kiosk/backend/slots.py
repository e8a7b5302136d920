"""Typed appointment slots (``GET /v1/services/{id}/slots``): the dates and times a service can still be
booked for, parsed and checked like every reply in :mod:`kiosk.backend.models` (a malformed reply is a
``ProtocolError``, never a half-filled calendar). Kept apart because models.py had reached its size.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from kiosk.backend.errors import ProtocolError
from kiosk.backend.models import _get, _time

_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_SLOT_ID_RE = re.compile(r"^[0-9]{8}-[0-9]{4}$")


@dataclass(frozen=True)
class AppointmentSlot:
    """One bookable time on one date (``start``/``end`` in the terminal's zone); ``id`` goes back on submit."""

    id: str
    day: date
    start: time
    end: time
    remaining: int


@dataclass(frozen=True)
class SlotDay:
    day: date
    slots: tuple[AppointmentSlot, ...]


@dataclass(frozen=True)
class SlotCalendar:
    """The open appointment slots of a service, day by day in date order."""

    service_id: str
    generated_at: datetime
    slot_minutes: int
    days: tuple[SlotDay, ...]

    @classmethod
    def parse(cls, d: Any) -> SlotCalendar:
        days = tuple(_slot_day(x) for x in _get(d, "days", list))
        if [x.day for x in days] != sorted({x.day for x in days}):
            raise ProtocolError("slot days are not in date order or repeat a date")
        return cls(_get(d, "service_id", str), _time(d, "generated_at"), _get(d, "slot_minutes", int), days)


def _slot_day(d: Any) -> SlotDay:
    raw = _get(d, "date", str)
    try:
        day = date.fromisoformat(raw) if _DATE_RE.match(raw) else None
    except ValueError:
        day = None
    if day is None:
        raise ProtocolError("slot day 'date' is not YYYY-MM-DD")
    slots = tuple(_slot(day, x) for x in _get(d, "slots", list))
    if not slots:
        raise ProtocolError("a slot day without slots")
    return SlotDay(day, slots)


def _slot(day: date, d: Any) -> AppointmentSlot:
    slot_id, start, end = _get(d, "id", str), _get(d, "start", str), _get(d, "end", str)
    remaining = _get(d, "remaining", int)
    if not _SLOT_ID_RE.match(slot_id) or not (_HHMM_RE.match(start) and _HHMM_RE.match(end)):
        raise ProtocolError("slot 'id', 'start' or 'end' is malformed")
    begin, finish = time.fromisoformat(start), time.fromisoformat(end)
    if finish <= begin or remaining < 1:
        raise ProtocolError("slot ends before it starts or has no place left")
    return AppointmentSlot(slot_id, day, begin, finish, remaining)
