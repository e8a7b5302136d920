"""Appointment dates and times from the gateway (``GET /v1/services/{id}/slots``), offered as buttons.

A form with a ``date`` or ``slot`` field (预约办事) asks the gateway for the service's open slots when it is
shown (a named task, so Home/Back/idle cancel it). The date field then offers the open days as options, the
slot field the open times of the chosen day; nothing is typed. The submission carries the date (ISO) and
the slot's ``id`` as the contract says; the receipt is given the slot's times as the resident saw them.
A failing endpoint leaves the form usable: both fields say why and offer 重试 (``refresh``).

UI thread only, like the rest of the session; the form belongs to :mod:`kiosk.session.services`.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from kiosk.session.core import SessionCore, error_text
from kiosk.session.state import FormView, Text
from kiosk.session.text import msg

if TYPE_CHECKING:
    from kiosk.backend.slots import SlotCalendar, SlotDay
    from kiosk.config.services import ServiceDef

log = logging.getLogger(__name__)

#: seconds the slots call may take before the fields say the times could not be fetched
_CALL_TIMEOUT = 15.0
_WEEKDAYS = (("一", "Mon"), ("二", "Tue"), ("三", "Wed"), ("四", "Thu"), ("五", "Fri"), ("六", "Sat"), ("日", "Sun"))
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_label(day: "SlotDay") -> Text:
    """``12月5日 周六`` / ``Sat 5 Dec`` — what a date button says."""
    d = day.day
    zh, en = _WEEKDAYS[d.weekday()]
    return Text(f"{d.month}月{d.day}日 周{zh}", f"{en} {d.day} {_MONTHS_EN[d.month - 1]}")


def slot_times(slot: object) -> str:
    """``09:30-10:00``: a slot's times (the button's text and the receipt's 预约时段)."""
    return f"{slot.start:%H:%M}-{slot.end:%H:%M}"  # type: ignore[attr-defined]


class SlotFlow:
    """The open slots of the form on screen: ``state`` loading ready error, ``calendar`` once fetched."""

    def __init__(self, core: SessionCore) -> None:
        self.core = core
        self.on_change: Callable[[], None] = lambda: None
        self.state: str | None = None
        self.calendar: SlotCalendar | None = None
        self.reason: Text | None = None
        self._service_id: str | None = None

    def start(self, service: "ServiceDef") -> None:
        """The form of ``service`` is shown: fetch its slots when it has a date or slot field."""
        self.drop()
        if not any(f.kind in ("date", "slot") for f in getattr(service, "fields", ()) or ()):
            return
        self._service_id = service.id
        self._fetch()

    def refresh(self) -> None:
        """Screen: 重试 after the slots could not be fetched."""
        self.core.touched()
        if self.state == "error" and self._service_id is not None:
            self._fetch()
            self.on_change()
            self.core.changed()

    def _fetch(self) -> None:
        service_id, token, client = self._service_id, self.core.token, self.core.rt.client
        self.state, self.calendar, self.reason = "loading", None, None
        self.core.spawn("slots", lambda c: client.get_slots(service_id, cancel=c), on_done=self._fetched,
                        on_error=self._failed, timeout=_CALL_TIMEOUT)

    def _fetched(self, calendar: "SlotCalendar") -> None:
        if self._service_id is None:
            return
        self.state, self.calendar = "ready", calendar
        self.on_change()
        self.core.changed()

    def _failed(self, exc: BaseException) -> None:
        log.warning("appointment slots unavailable: %s", type(exc).__name__)
        if self._service_id is None:
            return
        self.state, self.reason = "error", error_text(exc, Text("网络异常", "network problem"))
        self.on_change()
        self.core.changed()

    def drop(self) -> None:
        self.core.cancel_task("slots")
        self.state, self.calendar, self.reason, self._service_id = None, None, None, None

    # ----- the form ----------------------------------------------------------------------------
    def _day(self, iso: str) -> "SlotDay | None":
        days = self.calendar.days if self.calendar is not None else ()
        return next((d for d in days if d.day.isoformat() == iso), None)

    def chosen(self, values: dict[str, str], field_id: str) -> None:
        """After ``field_id`` was set: a new date drops a time of another day (it is no longer on offer)."""
        if not self._service_id or self.calendar is None:
            return
        day = self._day(values.get("date", ""))
        slot = values.get("slot", "")
        if field_id == "date" and slot and (day is None or all(s.id != slot for s in day.slots)):
            values["slot"] = ""

    def decorate(self, form: FormView, values: dict[str, str], *, show_required: bool) -> None:
        """Give the date and slot fields their buttons and their state line."""
        if self._service_id is None:
            return
        empty = self.state == "ready" and not (self.calendar and self.calendar.days)
        for f in form.fields:
            if f.kind not in ("date", "slot"):
                continue
            f.options_state = "empty" if empty else self.state
            if self.state == "ready" and self.calendar is not None:
                if f.kind == "date":
                    f.options = [(d.day.isoformat(), day_label(d)) for d in self.calendar.days]
                else:
                    day = self._day(values.get("date", ""))
                    f.options = [(s.id, Text(slot_times(s), slot_times(s))) for s in (day.slots if day else ())]
            else:
                f.options = []
            if self.state == "loading":
                f.hint = msg("slots.loading")
            elif self.state == "error":
                f.error = msg("slots.failed", reason=self.reason or Text("网络异常", "network problem"))
            elif empty:
                f.error = msg("slots.none")
            elif f.kind == "slot" and not values.get("date"):
                f.hint = msg("slots.date_first")
            if f.error is None and f.value and f.value not in {v for v, _ in f.options}:
                f.error = msg("slots.gone")
            elif f.error is None and show_required and f.required and not f.value:
                f.error = msg("slots.pick")

    def problems(self, service: "ServiceDef", values: dict[str, str]) -> dict[str, Text]:
        """A date or time that is not (or no longer) on offer; an unfetched calendar blocks both."""
        out: dict[str, Text] = {}
        if self._service_id is None:
            return out
        for fdef in service.fields:
            if fdef.kind not in ("date", "slot"):
                continue
            value = values.get(fdef.id, "")
            if not value:
                if fdef.required:
                    out[fdef.id] = msg("slots.pick")
                continue
            day = self._day(values.get("date", ""))
            offered = (day is not None if fdef.kind == "date"
                       else day is not None and any(s.id == value for s in day.slots))
            if not offered:
                out[fdef.id] = msg("slots.gone")
        return out

    def receipt_fields(self, values: dict[str, str]) -> dict[str, str]:
        """The form values with the slot's id turned into its times, for the appointment receipt."""
        out = dict(values)
        day = self._day(values.get("date", ""))
        slot = next((s for s in (day.slots if day else ()) if s.id == values.get("slot")), None)
        if slot is not None:
            out["slot"] = slot_times(slot)
        return out
