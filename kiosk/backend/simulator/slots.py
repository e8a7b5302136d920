"""The gateway simulator's appointment slots (``GET /v1/services/{id}/slots``): which dates and times a
service can still be booked for, so the kiosk offers them as buttons instead of asking for typed dates.

The simulated centre opens Monday–Friday 09:00–11:30 and 13:30–16:30 and Saturday morning, in 30-minute
slots of a few places each; some slots are already taken (a fixed pseudo-random pattern per date and time,
so a run is repeatable), Sundays and the dates in ``closed`` have none. Listing starts tomorrow in the
terminal's zone (Asia/Shanghai) and covers ``days`` days. Tests pin ``today`` and mark slots taken through
``sim.routes.slots.slot_book``.
"""
from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from kiosk.backend.simulator.replies import GatewayState

Reply = tuple[int, "dict | None", dict]
ROUTES = [(r"^/v1/services/(?P<id>[^/]+)/slots$", "GET", "slots")]
SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SHANGHAI = timezone(timedelta(hours=8))
SLOT_MINUTES = 30
#: opening periods by weekday (Monday = 0); Sunday closed
HOURS: dict[int, tuple[tuple[str, str], ...]] = {
    **{d: (("09:00", "11:30"), ("13:30", "16:30")) for d in range(5)}, 5: (("09:00", "11:30"),)}


@dataclass
class SlotBook:
    """The simulated appointment book. Thread-safe; ``today`` None = the simulator's clock in Shanghai."""

    today: Callable[[], date] | None = None
    days: int = 7
    capacity: int = 4
    closed: set[date] = field(default_factory=set)          # public holidays: no slots at all
    booked: dict[tuple[date, str], int] = field(default_factory=dict)  # (date, "HH:MM") -> places taken
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, day: date, start: str, places: int | None = None) -> None:
        """Book ``places`` (default: all) of a slot, as other residents would."""
        with self.lock:
            self.booked[(day, start)] = self.capacity if places is None else places

    def remaining(self, day: date, start: str) -> int:
        # a repeatable share of slots already partly or fully booked elsewhere
        seed = hashlib.sha256(f"{day.isoformat()} {start}".encode()).digest()[0]
        elsewhere = seed % (self.capacity + 2) if seed % 3 == 0 else 0
        return max(0, self.capacity - min(self.capacity, elsewhere) - self.booked.get((day, start), 0))

    def listing(self, today: date) -> list[dict[str, Any]]:
        """The open slots of the next ``days`` days after ``today``; a day without any is left out."""
        out = []
        with self.lock:
            for offset in range(1, self.days + 1):
                day = today + timedelta(days=offset)
                if day in self.closed:
                    continue
                slots = [slot for start, end in _steps(HOURS.get(day.weekday(), ()))
                         if (slot := self._slot(day, start, end))["remaining"] > 0]
                if slots:
                    out.append({"date": day.isoformat(), "slots": slots})
        return out

    def _slot(self, day: date, start: str, end: str) -> dict[str, Any]:
        return {"id": f"{day:%Y%m%d}-{start.replace(':', '')}", "start": start, "end": end,
                "remaining": self.remaining(day, start)}


def _steps(periods: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """("09:00", "10:00") -> [("09:00", "09:30"), ("09:30", "10:00")]."""
    out = []
    for first, last in periods:
        t = datetime.strptime(first, "%H:%M")
        stop = datetime.strptime(last, "%H:%M")
        while t + timedelta(minutes=SLOT_MINUTES) <= stop:
            nxt = t + timedelta(minutes=SLOT_MINUTES)
            out.append((f"{t:%H:%M}", f"{nxt:%H:%M}"))
            t = nxt
    return out


class SlotRoutes:
    """The slots endpoint, one of ``handlers.Routes``' collaborators, with its book of taken places."""

    def __init__(self, sim: GatewayState) -> None:
        self.sim = sim
        self.slot_book = SlotBook()

    def slots(self, h: dict, data: dict, id: str) -> Reply:  # noqa: A002 — the path parameter's name
        catalog = self.sim.catalog
        if not SERVICE_RE.match(id) or (catalog and id not in catalog):
            return 404, {"code": "not_found", "message": f"no appointments for service {id!r}"}, {}
        book = self.slot_book
        now = self.sim.now()
        today = book.today() if book.today is not None else datetime.fromtimestamp(now, SHANGHAI).date()
        generated = datetime.fromtimestamp(now, SHANGHAI).isoformat(timespec="seconds")
        return 200, {"service_id": id, "generated_at": generated, "slot_minutes": SLOT_MINUTES,
                     "days": book.listing(today)}, {}
