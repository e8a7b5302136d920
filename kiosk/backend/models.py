"""Typed results of gateway calls (frozen dataclasses) and their parsers.

Parsers check the shape the OpenAPI contract promises and raise ``ProtocolError`` otherwise, so a caller
never sees a raw response or a half-filled object. Hand-written rather than pydantic models because each
is a handful of fields and the error must be our typed ``ProtocolError``. A reply type whose fields are all
read the plain way derives from :class:`Reply`, which reads each field by its declared type (a bounded number
by its :class:`Range`), so the field list is written once; the others add their own checks in ``parse``.
"""
from __future__ import annotations

import base64
import binascii
import typing
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Self

from kiosk.backend.errors import ProtocolError


#: ``maxLength`` of every string field a reply may carry — the same numbers as docs/openapi.yaml (a test
#: holds the two together). Keyed by field name: a name means the same thing in every schema. Longer text
#: is a reply outside the contract, refused before any screen or printer sees it.
MAX_LENGTH = {
    "token": 512, "display_name": 120, "holder": 120, "id": 128, "qr_url": 2048, "url": 2048,
    "state": 32, "status": 32, "service_id": 64, "kind": 64, "key": 64, "reference": 64, "number": 64,
    "config_version": 64, "valid_to": 32, "title_zh": 200, "title_en": 200, "heading_zh": 200,
    "heading_en": 200, "name_zh": 200, "name_en": 200, "issuer_zh": 200, "window_zh": 200, "window_en": 200,
    "zh": 200, "en": 200, "items_zh": 2000, "items_en": 2000, "cell": 500, "image_png_base64": 1_000_000,
    "time": 40, "screen": 32, "location": 200, "call_phone": 20, "post_id": 64, "post_name_zh": 40,
    "post_name_en": 80, "pickup_id": 64, "code_masked": 64, "item_zh": 200, "item_en": 200, "recipient": 120,
    "place_zh": 200, "place_en": 200, "slot": 32, "appointment_id": 64, "service_zh": 200, "service_en": 200,
    "date": 10, "start": 5, "end": 5,
}
#: upper bounds of the numbers the kiosk waits on or shows (openapi.yaml ``maximum``)
MAX_INTERVAL_S = 600.0
MAX_COUNT = 100_000


def _get(d: Any, key: str, typ: type | tuple, *, optional: bool = False, limit: str | None = None) -> Any:
    if not isinstance(d, dict):
        raise ProtocolError(f"expected an object around {key!r}")
    if key not in d or d[key] is None:
        if optional:
            return None
        raise ProtocolError(f"missing field {key!r}")
    value = d[key]
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, typ) or (isinstance(value, bool) and typ in (int, float)):
        raise ProtocolError(f"field {key!r} has the wrong type")
    if isinstance(value, str):
        _check_length(key, value, limit or key)
    return value


def _check_length(key: str, value: str, limit: str) -> None:
    if len(value) > MAX_LENGTH[limit]:
        raise ProtocolError(f"field {key!r} is {len(value)} characters long (limit {MAX_LENGTH[limit]})")


def _number(d: Any, key: str, typ: type, low: float, high: float, *, optional: bool = False) -> Any:
    value = _get(d, key, typ, optional=optional)
    if value is not None and not low <= value <= high:
        raise ProtocolError(f"field {key!r} is outside {low:g}..{high:g}")
    return value


def _time(d: Any, key: str, *, optional: bool = False) -> datetime | None:
    raw = _get(d, key, str, optional=optional, limit="time")
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ProtocolError(f"field {key!r} is not an ISO 8601 time") from exc
    if parsed.utcoffset() is None:  # the contract requires an offset; a naive time breaks every comparison
        raise ProtocolError(f"field {key!r} has no UTC offset")
    return parsed


def _strs(d: Any, key: str) -> tuple[str, ...]:
    items = _get(d, key, list)
    if not all(isinstance(x, str) for x in items):
        raise ProtocolError(f"field {key!r} must be a list of strings")
    for item in items:
        _check_length(key, item, key)
    return tuple(items)


@dataclass(frozen=True)
class Range:
    """The bounds of a number field (``Annotated[float, Range(1.0, 600.0)]``), checked by :func:`_number`."""

    low: float
    high: float


#: seconds between polls the gateway may ask for, and a count it may report (openapi.yaml ``maximum``)
Interval = Annotated[float, Range(1.0, MAX_INTERVAL_S)]
Count = Annotated[int, Range(0, MAX_COUNT)]


class Reply:
    """Base of the reply types read field by field from their declarations: ``str``/``bool`` as they are,
    ``datetime`` as an ISO time with an offset, ``tuple[str, ...]`` as a list of strings, an ``Annotated``
    number within its :class:`Range`, another ``Reply`` (or a tuple of them) as nested objects."""

    @classmethod
    def parse(cls, d: Any) -> Self:
        return cls(**{name: _read(d, name, hint) for name, hint in _hints(cls)})


@cache
def _hints(cls: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return tuple((f.name, hints[f.name]) for f in fields(cls) if f.init)


def _read(d: Any, key: str, hint: Any) -> Any:
    if typing.get_origin(hint) is Annotated:
        typ, bounds = typing.get_args(hint)[:2]
        return _number(d, key, typ, bounds.low, bounds.high)
    if hint is datetime:
        return _time(d, key)
    if hint in (str, bool):
        return _get(d, key, hint)
    if isinstance(hint, type) and issubclass(hint, Reply):
        return hint.parse(_get(d, key, dict))
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        return _strs(d, key) if item is str else tuple(item.parse(x) for x in _get(d, key, list))
    raise TypeError(f"no reader for field {key!r} of type {hint!r}")


@dataclass(frozen=True)
class AuthSession(Reply):
    """A resident's short-lived session. The token lives in memory only; ``repr`` hides it."""

    token: str = field(repr=False)
    display_name: str
    expires_at: datetime


@dataclass(frozen=True)
class QrTicket(Reply):
    id: str
    qr_url: str
    expires_at: datetime
    interval_s: Interval


QR_STATES = ("waiting", "scanned", "confirmed", "cancelled", "expired")


@dataclass(frozen=True)
class QrTicketState:
    """``session`` is set only when ``state == "confirmed"``; ``slow_down``: poll less often."""

    state: str
    interval_s: float
    session: AuthSession | None = None
    slow_down: bool = False

    @classmethod
    def parse(cls, d: Any) -> QrTicketState:
        state = _get(d, "state", str)
        _get(d, "id", str, optional=True)  # not kept, but bounded like every string of a reply
        if state not in QR_STATES:
            raise ProtocolError(f"unknown QR ticket state {state!r}")
        raw_session = _get(d, "session", dict, optional=True)
        session = AuthSession.parse(raw_session) if raw_session is not None else None
        if state == "confirmed" and session is None:
            raise ProtocolError("confirmed QR ticket without a session")
        return cls(state, _read(d, "interval_s", Interval), session,
                   bool(_get(d, "slow_down", bool, optional=True)))


@dataclass(frozen=True)
class GuideSection(Reply):
    heading_zh: str
    heading_en: str
    items_zh: tuple[str, ...]
    items_en: tuple[str, ...]


@dataclass(frozen=True)
class Guide(Reply):
    service_id: str
    title_zh: str
    title_en: str
    sections: tuple[GuideSection, ...]
    updated_at: datetime


@dataclass(frozen=True)
class RecordColumn(Reply):
    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Record:
    """A tabular personal record (e.g. social-insurance payments). ``holder`` is already masked."""

    kind: str
    title_zh: str
    title_en: str
    holder: str
    columns: tuple[RecordColumn, ...]
    rows: tuple[dict, ...] = field(repr=False)
    generated_at: datetime

    @classmethod
    def parse(cls, d: Any) -> Record:
        columns = _read(d, "columns", tuple[RecordColumn, ...])
        rows = _get(d, "rows", list)
        if not all(isinstance(r, dict) and all(isinstance(v, str) for v in r.values()) for r in rows):
            raise ProtocolError("record rows must be objects of strings")
        for row in rows:
            for key, cell in row.items():
                _check_length("rows", key, "key")
                _check_length("rows", cell, "cell")
        return cls(_get(d, "kind", str), _get(d, "title_zh", str), _get(d, "title_en", str),
                   _get(d, "holder", str), columns, tuple(rows), _time(d, "generated_at"))


@dataclass(frozen=True)
class Licence:
    """An e-licence (电子亮证); ``image_png`` is the rendered licence, ``number`` is masked."""

    id: str
    name_zh: str
    name_en: str
    number: str
    issuer_zh: str
    valid_to: str
    image_png: bytes = field(repr=False)

    @classmethod
    def parse(cls, d: Any) -> Licence:
        try:
            image = base64.b64decode(_get(d, "image_png_base64", str), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProtocolError("licence image is not base64") from exc
        if not image.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ProtocolError("licence image is not a PNG")
        return cls(_get(d, "id", str), _get(d, "name_zh", str), _get(d, "name_en", str), _get(d, "number", str),
                   _get(d, "issuer_zh", str), _get(d, "valid_to", str), image)


@dataclass(frozen=True)
class QueueTicket(Reply):
    number: str
    service_id: str
    window_zh: str
    window_en: str
    waiting: Count
    issued_at: datetime


@dataclass(frozen=True)
class SubmissionAck(Reply):
    """The gateway's answer to a submission; ``reference`` echoes the kiosk-generated reference."""

    reference: str
    status: str
    received_at: datetime


@dataclass(frozen=True)
class HeartbeatAck(Reply):
    config_version: str
    server_time: datetime


@dataclass(frozen=True)
class Handoff(Reply):
    """A phone hand-off for one long-text field: the kiosk shows ``url`` as a QR and polls ``id``."""

    id: str
    url: str
    expires_at: datetime
    interval_s: Interval


HANDOFF_STATES = ("waiting", "submitted", "expired", "cancelled")


@dataclass(frozen=True)
class HandoffState:
    """``text_length`` (characters typed on the phone) is set only when ``submitted``; the text itself stays
    at the gateway and is attached to the submission by the hand-off id."""

    id: str
    state: str
    interval_s: float
    expires_at: datetime
    text_length: int | None = None

    @classmethod
    def parse(cls, d: Any) -> HandoffState:
        state = _get(d, "state", str)
        if state not in HANDOFF_STATES:
            raise ProtocolError(f"unknown hand-off state {state!r}")
        length = _number(d, "text_length", int, 0, MAX_COUNT, optional=True)
        if state == "submitted" and (length is None or length < 0):
            raise ProtocolError("submitted hand-off without a text_length")
        return cls(_get(d, "id", str), state, _read(d, "interval_s", Interval),
                   _time(d, "expires_at"),
                   length if state == "submitted" else None)


HELP_STATES = ("pending", "acknowledged", "call", "resolved", "cancelled")


@dataclass(frozen=True)
class DutyPost:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class HelpRequest:
    """A 一键求助 request as the gateway sees it: ``pending`` → ``acknowledged`` (``duty_post`` and
    ``eta_minutes`` set) | ``call`` (nobody can come: ``call_phone``) | ``resolved`` | ``cancelled``."""

    id: str
    state: str
    created_at: datetime
    screen: str
    elder_mode: bool
    interval_s: float
    location: str = ""
    service_id: str | None = None
    duty_post: DutyPost | None = None
    eta_minutes: int | None = None
    call_phone: str | None = None

    @property
    def open(self) -> bool:
        return self.state in ("pending", "acknowledged")

    @classmethod
    def parse(cls, d: Any) -> HelpRequest:
        state = _get(d, "state", str)
        if state not in HELP_STATES:
            raise ProtocolError(f"unknown help request state {state!r}")
        post = eta = phone = None
        if state == "acknowledged":
            p = _get(d, "duty_post", dict)
            post = DutyPost(_get(p, "id", str, limit="post_id"), _get(p, "name_zh", str, limit="post_name_zh"),
                            _get(p, "name_en", str, limit="post_name_en"))
            eta = _get(d, "eta_minutes", int)
            if not 0 <= eta <= 120:
                raise ProtocolError("eta_minutes out of range")
        if state == "call":
            phone = _get(d, "call_phone", str)
        return cls(_get(d, "id", str), state, _time(d, "created_at"), _get(d, "screen", str),
                   _get(d, "elder_mode", bool), _number(d, "interval_s", float, 1.0, 60.0),
                   _get(d, "location", str, optional=True) or "", _get(d, "service_id", str, optional=True), post,
                   eta, phone)


@dataclass(frozen=True)
class PickupSlip(Reply):
    """证照统一物流: what the pick-up slip prints for a code from the resident's SMS (recipient masked)."""

    pickup_id: str
    code_masked: str
    item_zh: str
    item_en: str
    recipient: str
    place_zh: str
    place_en: str
    slot: str
    keep_until: datetime
    looked_up_at: datetime


@dataclass(frozen=True)
class CheckIn(Reply):
    """An appointment checked in: its queue ticket names the window. ``already_checked_in``: a repeat."""

    appointment_id: str
    service_zh: str
    service_en: str
    starts_at: datetime
    already_checked_in: bool
    ticket: QueueTicket
