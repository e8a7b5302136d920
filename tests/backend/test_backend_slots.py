"""Appointment slots (GET /v1/services/{id}/slots) against the simulator on loopback: the open dates and
times from tomorrow on, full slots and closed days left out, unknown services refused, malformed replies
refused by the typed model. Every exchange is checked against docs/openapi.yaml (conftest). The simulator's
"today" is pinned, so no test depends on the real date."""
from __future__ import annotations

from datetime import date, time

import pytest

from kiosk.backend import errors as E
from kiosk.backend.slots import SlotCalendar

THURSDAY = date(2026, 12, 3)


@pytest.fixture
def book(sim):
    b = sim.routes.slots.slot_book
    b.today = lambda: THURSDAY
    return b


def test_lists_open_slots_from_tomorrow_without_sunday(sim, client, book):
    cal = client.get_slots("appointment")
    assert cal.service_id == "appointment" and cal.slot_minutes == 30
    days = [d.day for d in cal.days]
    assert days and days[0] > THURSDAY and days[-1] <= date(2026, 12, 10)
    assert date(2026, 12, 6) not in days  # Sunday: closed
    for d in cal.days:
        assert all(s.remaining >= 1 and s.day == d.day and s.start < s.end for s in d.slots)
        assert [s.start for s in d.slots] == sorted(s.start for s in d.slots)
        assert all(s.id == f"{d.day:%Y%m%d}-{s.start:%H%M}" for s in d.slots)
    friday = next(d for d in cal.days if d.day == date(2026, 12, 4))
    assert {s.start for s in friday.slots} <= {time(h, m) for h in (9, 10, 11, 13, 14, 15, 16) for m in (0, 30)}
    saturday = next(d for d in cal.days if d.day == date(2026, 12, 5))
    assert max(s.end for s in saturday.slots) <= time(11, 30)  # Saturday: mornings only


def test_a_full_slot_and_a_closed_day_are_left_out(sim, client, book):
    first = client.get_slots("appointment").days[0]
    slot = first.slots[0]
    book.take(first.day, f"{slot.start:%H:%M}")
    again = client.get_slots("appointment")
    assert slot.id not in {s.id for d in again.days for s in d.slots}
    book.closed.add(first.day)
    assert first.day not in {d.day for d in client.get_slots("appointment").days}


def test_unknown_service_is_not_found(sim, client, book):
    sim.catalog = {"appointment": ("预约办事", "Book an appointment")}
    with pytest.raises(E.NotFoundError):
        client.get_slots("no-such-service")
    assert client.get_slots("appointment").days


@pytest.mark.parametrize("bad", [
    {"days": [{"date": "2026-12-04", "slots": []}]},
    {"days": [{"date": "04.12.2026", "slots": [{"id": "20261204-0900", "start": "09:00", "end": "09:30",
                                               "remaining": 2}]}]},
    {"days": [{"date": "2026-12-04", "slots": [{"id": "20261204-0900", "start": "09:30", "end": "09:00",
                                               "remaining": 2}]}]},
    {"days": [{"date": "2026-12-05", "slots": [{"id": "x", "start": "09:00", "end": "09:30", "remaining": 1}]}]},
    {"days": [{"date": "2026-12-05", "slots": [{"id": "20261205-0900", "start": "09:00", "end": "09:30",
                                               "remaining": 0}]}]},
    {"days": "soon"},
])
def test_malformed_replies_are_protocol_errors(bad):
    reply = {"service_id": "appointment", "generated_at": "2026-12-03T10:00:00+08:00", "slot_minutes": 30, **bad}
    with pytest.raises(E.ProtocolError):
        SlotCalendar.parse(reply)


def test_days_out_of_order_are_refused():
    slot = {"start": "09:00", "end": "09:30", "remaining": 1}
    days = [{"date": "2026-12-05", "slots": [{**slot, "id": "20261205-0900"}]},
            {"date": "2026-12-04", "slots": [{**slot, "id": "20261204-0900"}]}]
    with pytest.raises(E.ProtocolError):
        SlotCalendar.parse({"service_id": "a", "generated_at": "2026-12-03T10:00:00+08:00", "slot_minutes": 30,
                            "days": days})
