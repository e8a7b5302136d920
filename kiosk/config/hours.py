"""Opening hours of the self-service area: weekly ``HH:MM-HH:MM`` ranges, closed holidays, or 24/7.

Small enough to hand-write: the kiosk needs "open now?" and a bilingual sentence for the closed screen;
recurrence libraries (dateutil.rrule, opening_hours parsers) bring a larger syntax staff would have to learn.
Naive datetimes passed to :meth:`OpeningHours.is_open` are taken as local time in ``timezone``.
Like every config type these are stdlib dataclasses; pydantic validates them (see :mod:`kiosk.config.base`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.config.base import Check, Strict, bad

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_ZH = {"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五", "sat": "周六", "sun": "周日"}
DAY_EN = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}
_RANGE_RE = re.compile(r"^([0-2][0-9]):([0-5][0-9])-([0-2][0-9]):([0-5][0-9])$")


def parse_range(text: str) -> tuple[int, int]:
    """``"09:00-17:30"`` -> minutes since midnight ``(540, 1050)``; ``24:00`` is allowed only as an end."""
    match = _RANGE_RE.match(text.strip())
    if match is None:
        raise bad(f"时间段格式应为 HH:MM-HH:MM，如 09:00-17:00：{text!r}",
                  f"time range must look like 09:00-17:00: {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise bad(f"时间不存在：{text!r}", f"no such time of day: {text!r}")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start >= end:
        raise bad(f"开始时间应早于结束时间（跨午夜请拆成两段）：{text!r}",
                  f"start must be before end (split ranges across midnight): {text!r}")
    return start, end


def _check_range(text: str) -> str:
    parse_range(text)
    return text


TimeRange = Annotated[str, Check(_check_range)]


def _date_from_text(value: Any) -> Any:
    # safe_load turns 2026-10-01 into a date already; a quoted one is accepted too (staff quote things)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


HolidayDate = Annotated[date, Check(before=_date_from_text)]


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _no_overlap(ranges: list[str]) -> list[str]:
    spans = sorted(parse_range(r) for r in ranges)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        if s2 < e1:
            raise bad(f"时间段重叠：{_fmt(s1)}-{_fmt(e1)} 与 {_fmt(s2)}-{_fmt(e2)}",
                      f"overlapping ranges {_fmt(s1)}-{_fmt(e1)} and {_fmt(s2)}-{_fmt(e2)}")
    return ranges


#: one weekday's open ranges, none overlapping
DayRanges = Annotated[list[TimeRange], Check(_no_overlap)]


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise bad(f"未知的时区：{value!r}（如 Asia/Shanghai）", f"unknown time zone {value!r}") from exc
    return value


@dataclass(frozen=True, kw_only=True)
class WeeklyHours(Strict):
    """Open ranges per weekday; a day left out or empty is closed."""

    mon: DayRanges = field(default_factory=list)
    tue: DayRanges = field(default_factory=list)
    wed: DayRanges = field(default_factory=list)
    thu: DayRanges = field(default_factory=list)
    fri: DayRanges = field(default_factory=list)
    sat: DayRanges = field(default_factory=list)
    sun: DayRanges = field(default_factory=list)

    def spans(self, day: str) -> list[tuple[int, int]]:
        return sorted(parse_range(r) for r in getattr(self, day))


@dataclass(frozen=True, kw_only=True)
class OpeningHours(Strict):
    """When residents may use the kiosk; outside these times the app shows the closed screen."""

    timezone: Annotated[str, Check(_known_zone)] = "Asia/Shanghai"
    always_open: bool = False
    weekly: WeeklyHours = field(default_factory=WeeklyHours)
    holidays_closed: list[HolidayDate] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, dt: datetime) -> bool:
        """Open at ``dt``? Aware datetimes are converted to ``timezone``; naive ones are local already."""
        if self.always_open:
            return True
        local = dt.astimezone(self.zone) if dt.tzinfo is not None else dt
        if local.date() in self.holidays_closed:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.weekly.spans(DAYS[local.weekday()]))

    def describe(self, lang: str = "zh-CN") -> str:
        """One bilingual-ready sentence: ``周一至周五 09:00-17:00；周六 09:00-12:00；周日休息``."""
        en = lang.lower().startswith("en")
        if self.always_open:
            return "Open 24 hours, 7 days a week" if en else "24小时开放，全年无休"
        groups: list[tuple[list[str], list[str]]] = []
        for day in DAYS:
            ranges = [f"{_fmt(s)}-{_fmt(e)}" for s, e in self.weekly.spans(day)]
            if groups and groups[-1][1] == ranges:
                groups[-1][0].append(day)
            else:
                groups.append(([day], ranges))
        names = DAY_EN if en else DAY_ZH
        parts = []
        for days, ranges in groups:
            label = names[days[0]] if len(days) == 1 else (
                f"{names[days[0]]}–{names[days[-1]]}" if en else f"{names[days[0]]}至{names[days[-1]]}")
            when = (", ".join(ranges) if en else "、".join(ranges)) if ranges else ("closed" if en else "休息")
            parts.append(f"{label} {when}" if en else f"{label}{' ' if ranges else ''}{when}")
        text = ("; " if en else "；").join(parts)
        if self.holidays_closed:
            text += "; closed on public holidays" if en else "；法定节假日休息"
        return text
