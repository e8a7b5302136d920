"""One wall clock for everything a resident or staff member sees: the terminal's time zone, not the machine's.

The kiosks run in UTC while the terminal stands in Shanghai (``cfg.opening_hours.timezone``). Every time that
is shown or printed — header clock, receipt times, the date in a submission reference, opening hours — goes
through these helpers so they all agree. Times from the gateway arrive as ISO 8601 strings with an offset
and are converted to the terminal's zone here before anyone formats them.

Rules: an aware datetime is an instant and is converted; a naive datetime is taken as terminal-local
already (the convention of :meth:`kiosk.config.hours.OpeningHours.is_open`, and what tests write).
The standard library's ``zoneinfo`` does the work; this module only decides which zone and when.

It is also the only place that reads the clocks: :func:`wall_time` (seconds since the epoch, for stamps
that outlive the process — outbox rows, alerts, the watchdog's state file) and :func:`monotonic` (every
duration, deadline and retry schedule, which an NTP step of hours must neither stall nor flood). Other
modules take them as injectable defaults (``clock=wall_time``), so tests drive time; a source scan
(tests/unit/test_one_clock.py) keeps ``time.time()``, ``datetime.now`` and hard-coded offsets out of the
rest of the code. Log lines carry an explicit offset (:class:`LogFormatter`) so they mean one instant
whatever zone the machine is set to.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone, tzinfo
from typing import Any, Callable
from zoneinfo import ZoneInfo

#: the zone of the 一网通办 kiosks when a config does not say otherwise (OpeningHours' default too)
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)
#: the header clock's format (minute resolution: the label changes once a minute)
CLOCK_FORMAT = "%Y-%m-%d  %H:%M"
#: how times are printed on receipts
PRINT_FORMAT = "%Y-%m-%d %H:%M"


def zone_of(cfg: Any) -> tzinfo:
    """The terminal's zone from ``cfg.opening_hours.timezone`` (Asia/Shanghai when the config has none)."""
    hours = getattr(cfg, "opening_hours", None)
    name = getattr(hours, "timezone", None)
    return ZoneInfo(name) if isinstance(name, str) and name else DEFAULT_ZONE


def wall_time() -> float:
    """Seconds since the epoch: the one read of the wall clock (stamps, never durations)."""
    return time.time()


def monotonic() -> float:
    """Seconds on the monotonic clock: durations, deadlines and retry schedules (immune to NTP steps)."""
    return time.monotonic()


def utc_now() -> datetime:
    """The current instant, aware (the default ``now`` of the session: never the machine's local time)."""
    return datetime.fromtimestamp(wall_time(), timezone.utc)


def now_in(zone: tzinfo | None = None) -> datetime:
    """The current time as an aware datetime in ``zone`` (default Asia/Shanghai)."""
    return utc_now().astimezone(zone or DEFAULT_ZONE)


def at(epoch_s: float, zone: tzinfo | None = None) -> datetime:
    """Epoch seconds (a stored wall stamp) as an aware datetime in ``zone`` (default Asia/Shanghai)."""
    return datetime.fromtimestamp(epoch_s, zone or DEFAULT_ZONE)


def local_now(cfg: Any = None, *, now: Callable[[], datetime] = utc_now) -> datetime:
    """The current time as an aware datetime in the terminal's zone."""
    return to_local(now(), zone_of(cfg) if cfg is not None else DEFAULT_ZONE)


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 string (``2026-11-28T07:16:00+08:00``, ``…Z``) as a datetime; None when it is not one."""
    text = value.strip()
    if len(text) < 16 or text[4] != "-" or text[10] not in "T ":
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def to_local(value: datetime | str, zone: tzinfo | None = None) -> datetime:
    """``value`` in ``zone`` (default Asia/Shanghai): aware times and ISO strings with an offset are converted;
    naive ones are terminal-local already and only get the zone attached. ValueError for a non-time string."""
    zone = zone or DEFAULT_ZONE
    if isinstance(value, str):
        parsed = parse_time(value)
        if parsed is None:
            raise ValueError(f"not an ISO 8601 time: {value!r}")
        value = parsed
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def format_local(value: Any, zone: tzinfo | None = None, fmt: str = PRINT_FORMAT) -> str:
    """A time for people, in ``zone``: datetimes and ISO strings converted; other strings as given; None → ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value, zone).strftime(fmt)
    if isinstance(value, str):
        parsed = parse_time(value)
        return to_local(parsed, zone).strftime(fmt) if parsed is not None else value
    return str(value)


#: the stamp at the head of every log line: ``2026-11-28 07:16:05.123+08:00`` (ISO 8601 with its offset)
LOG_STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_LEGACY_STAMP_LEN = len("2026-11-27 23:16:05")
_LOG_STAMP_LEN = len("2026-11-28 07:16:05.123+08:00")


class LogFormatter(logging.Formatter):
    """``%(asctime)s`` as the record's instant in ``zone`` with milliseconds and an explicit UTC offset, so a
    line means one instant whatever zone the machine (or the person reading it) is in."""

    def __init__(self, fmt: str, zone: tzinfo | None = None) -> None:
        super().__init__(fmt)
        self.zone = zone or DEFAULT_ZONE

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return at(record.created, self.zone).isoformat(sep=" ", timespec="milliseconds")


def log_line_local(line: str, zone: tzinfo | None = None) -> str:
    """A log line for the staff screen with its leading stamp shown in the terminal's zone; lines without a
    stamp are returned as they are. Stamps carry their offset (:class:`LogFormatter`); lines written before
    they did (``2026-11-27 23:16:05,123``, the machine's zone) are read in the machine's zone."""
    zone = zone or DEFAULT_ZONE
    stamp = parse_time(line[:_LOG_STAMP_LEN]) if len(line) >= _LOG_STAMP_LEN else None
    if stamp is not None and stamp.tzinfo is not None:
        return stamp.astimezone(zone).isoformat(sep=" ", timespec="milliseconds") + line[_LOG_STAMP_LEN:]
    try:
        legacy = datetime.strptime(line[:_LEGACY_STAMP_LEN], LOG_STAMP_FORMAT)
    except ValueError:
        return line
    local = legacy.astimezone().astimezone(zone)  # naive → the machine's zone → the terminal's
    return local.strftime(LOG_STAMP_FORMAT) + line[_LEGACY_STAMP_LEN:]
