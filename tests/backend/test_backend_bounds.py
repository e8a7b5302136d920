"""A hostile or broken gateway is contained (issue 12 §3): every reply bounded before it is parsed.

Replies come from a misbehaving HTTPS server on loopback (tests/backend/hostile_gateway.py); every
failure must be a typed BackendError — never ValueError, RecursionError or TypeError — and a reply
trickled byte by byte is cut at the request's overall deadline.
"""
from __future__ import annotations

import base64
import copy
import json
import time

import pytest
from backend_contract import spec
from backend_support import make_client
from hostile_gateway import HostileGateway, reply

from kiosk.backend import bounds
from kiosk.backend import errors as E
from kiosk.backend.models import (MAX_LENGTH, AuthSession, CheckIn, Guide, Handoff, HandoffState, HeartbeatAck,
                                  Licence, PickupSlip, QrTicket, QrTicketState, QueueTicket, Record, SubmissionAck)

pytestmark = pytest.mark.timeout(60)
T = "2026-11-28T07:26:00+08:00"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
SAMPLES = {
    "Session": (AuthSession, {"token": "t" * 20, "display_name": "王*", "expires_at": T}),
    "QrTicket": (QrTicket, {"id": "qt_1", "qr_url": "https://q.invalid/x", "expires_at": T, "interval_s": 2}),
    "QrTicketState": (QrTicketState, {"id": "qt_1", "state": "waiting", "interval_s": 2, "slow_down": False,
                                      "expires_at": T}),
    "Guide": (Guide, {"service_id": "s", "title_zh": "a", "title_en": "a", "updated_at": T,
                      "sections": [{"heading_zh": "h", "heading_en": "h", "items_zh": ["i"], "items_en": ["i"]}]}),
    "Record": (Record, {"kind": "k", "title_zh": "a", "title_en": "a", "holder": "王*", "generated_at": T,
                        "columns": [{"key": "c", "zh": "c", "en": "c"}], "rows": [{"c": "v"}]}),
    "Licences": (Licence, {"id": "l", "name_zh": "a", "name_en": "a", "number": "1", "issuer_zh": "b",
                           "valid_to": "长期", "image_png_base64": PNG}),
    "QueueTicket": (QueueTicket, {"number": "A001", "service_id": "s", "window_zh": "w", "window_en": "w",
                                  "waiting": 1, "issued_at": T}),
    "Handoff": (Handoff, {"id": "h", "url": "https://h.invalid/x", "expires_at": T, "interval_s": 2}),
    "HandoffState": (HandoffState, {"id": "h", "state": "waiting", "interval_s": 2, "expires_at": T}),
    "SubmissionAck": (SubmissionAck, {"reference": "R", "status": "received", "received_at": T}),
    "HeartbeatAck": (HeartbeatAck, {"config_version": "v", "server_time": T}),
    "PickupSlip": (PickupSlip, {"pickup_id": "p", "code_masked": "12****89", "item_zh": "证", "item_en": "ID",
                                "recipient": "王*明", "place_zh": "柜", "place_en": "locker", "slot": "A3",
                                "keep_until": T, "looked_up_at": T}),
    "CheckIn": (CheckIn, {"appointment_id": "a", "service_zh": "社保", "service_en": "Social", "starts_at": T,
                          "already_checked_in": False, "ticket": {"number": "A001", "service_id": "s",
                                                                  "window_zh": "w", "window_en": "w", "waiting": 1,
                                                                  "issued_at": T}}),
}


# ---- the contract carries the limits, the models enforce the same numbers ------------------------------
def _string_limits(schema: dict, name: str, out: dict) -> None:
    """Every string in ``schema`` (refs to Time aside) as limit-name → maxLength."""
    if "$ref" in schema:
        return
    if schema.get("type") == "string":
        assert "maxLength" in schema, f"{name}: a string without maxLength in docs/openapi.yaml"
        out[name] = schema["maxLength"]
    for key, sub in (schema.get("properties") or {}).items():
        _string_limits(sub, key, out)
    if isinstance(schema.get("items"), dict):
        _string_limits(schema["items"], name, out)
    if isinstance(schema.get("additionalProperties"), dict):
        _string_limits(schema["additionalProperties"], "cell", out)
    if isinstance(schema.get("propertyNames"), dict):
        out["key"] = schema["propertyNames"]["maxLength"]


@pytest.mark.parametrize("schema_name", sorted(SAMPLES))
def test_every_reply_string_has_a_max_length_in_the_contract_and_the_model_uses_it(schema_name):
    limits: dict[str, int] = {}
    _string_limits(spec()["components"]["schemas"][schema_name], schema_name, limits)
    assert limits
    for name, limit in limits.items():
        assert MAX_LENGTH[name] == limit, name
    assert spec()["components"]["schemas"]["Time"]["maxLength"] == MAX_LENGTH["time"]


def _string_paths(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _string_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _string_paths(v, (*path, i))
    elif isinstance(value, str) and not path[-1] in ("expires_at", "updated_at", "generated_at", "issued_at",
                                                       "received_at", "server_time", "state", "status",
                                                       "keep_until", "looked_up_at", "starts_at"):
        yield path


def _limit_of(path) -> int:
    names = [p for p in path if isinstance(p, str)]
    return MAX_LENGTH["cell" if names[0] == "rows" else names[-1]]


def _with(sample: dict, path, text: str) -> dict:
    out = copy.deepcopy(sample)
    node = out
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = text
    return out


@pytest.mark.parametrize("schema_name", sorted(SAMPLES))
def test_a_string_one_past_its_max_length_is_a_protocol_error(schema_name):
    parser, sample = SAMPLES[schema_name]
    assert isinstance(parser.parse(sample), parser)
    for path in _string_paths(sample):
        limit = _limit_of(path)
        if path[-1] == "image_png_base64":  # valid base64 of a PNG, just too long
            at, over = (PNG[:12] + "A" * (limit - 12 - limit % 4)), PNG[:12] + "A" * (limit - 12 - limit % 4 + 4)
        else:
            at, over = "x" * limit, "x" * (limit + 1)
        assert isinstance(parser.parse(_with(sample, path, at)), parser), path
        with pytest.raises(E.ProtocolError):
            parser.parse(_with(sample, path, over))
    if schema_name == "Record":
        with pytest.raises(E.ProtocolError):  # a row key longer than a column key may be
            parser.parse({**sample, "rows": [{"k" * (MAX_LENGTH["key"] + 1): "v"}]})


@pytest.mark.parametrize("when", ["2026-11-28T07:26:00", "2026-11-28", "2026-11-28T07:26:00.5"])
def test_a_gateway_time_without_offset_is_a_contract_error_at_parse_time(when):
    with pytest.raises(E.ProtocolError, match="offset"):
        HeartbeatAck.parse({"config_version": "v", "server_time": when})


def test_intervals_and_counts_outside_the_contract_are_refused():
    _, ticket = SAMPLES["QrTicket"]
    for bad in (1e300, 0.01, 601):  # Event.wait(1e300) would raise OverflowError on the UI side
        with pytest.raises(E.ProtocolError):
            QrTicket.parse({**ticket, "interval_s": bad})
    _, queue = SAMPLES["QueueTicket"]
    with pytest.raises(E.ProtocolError):
        QueueTicket.parse({**queue, "waiting": 10 ** 18})


# ---- the client against a hostile gateway --------------------------------------------------------------
GUIDE = SAMPLES["Guide"][1]


def _get_guide(gw: HostileGateway, **kw):
    with make_client(gw, retries=0, **kw) as client:
        return client.get_guide("s")


def _ok(body: bytes, **kw) -> bytes:
    return reply("200 OK", body, **kw)


HOSTILE = {
    "nested_100000": _ok(b"[" * 100_000 + b"]" * 100_000),
    "nested_objects": _ok(b'{"a":' * 5000 + b"1" + b"}" * 5000),
    "number_5000_digits": _ok(b'{"service_id": ' + b"9" * 5000 + b"}"),
    "float_overflow": _ok(b'{"interval_s": 1e999}'),
    "nan": _ok(b'{"interval_s": NaN}'),
    "not_utf8": _ok(b'{"title_zh": "\xff\xfe"}'),
    "over_cap_announced": _ok(b"{" + b" " * 70_000 + b"}"),
    "over_cap_unannounced": _ok(b'{"a": "' + b"x" * 70_000 + b'"}', length=False),
    "lying_length": reply("200 OK", b"{}", {"Content-Length": "99999999999999999999999"}, length=False),
    "guide_item_100000": _ok(json.dumps({**GUIDE, "sections": [{**GUIDE["sections"][0],
                                                                "items_zh": ["长" * 100_000]}]}).encode()),
    "naive_time": _ok(json.dumps({**GUIDE, "updated_at": "2026-11-28T07:26:00"}).encode()),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_reply_outside_the_bounds_is_a_typed_backend_error(case):
    with HostileGateway(HOSTILE[case]) as gw:
        with pytest.raises(E.BackendError) as caught:
            _get_guide(gw, max_reply_bytes=65_536)
    assert isinstance(caught.value, (E.ProtocolError, E.NetworkError)), repr(caught.value)


@pytest.mark.parametrize("after", ["soon", "٣", "9" * 5000, "-1", "1e9", "Wed, 99 Foo 2026 99:99:99 GMT"])
def test_a_malformed_retry_after_means_the_default_backoff(after):
    raw = reply("503 Service Unavailable", b'{"code":"unavailable","message":"x"}', {"Retry-After": after})
    with HostileGateway(raw) as gw:
        with make_client(gw, retries=2, backoff_factor=0.01, backoff_max_s=0.05) as client:
            with pytest.raises(E.ServerError) as caught:
                client.get_guide("s")
        assert gw.requests == 3  # retried after the default backoff, not given up or crashed
    assert caught.value.retry_after is None


@pytest.mark.parametrize("what", ["headers", "body"])
def test_a_reply_trickled_byte_by_byte_is_cut_at_the_overall_deadline(what):
    if what == "headers":  # 90 header lines (http.client allows 100), one every 0.5 s after the status line
        raw = reply("200 OK", json.dumps(GUIDE).encode(), {f"X-Pad-{i}": "x" for i in range(90)})
        at_once, chunk, gap = raw.index(b"\r\n") + 2, -1, 0.5
    else:  # the head at once, then the body one byte every 50 ms
        raw = _ok(json.dumps(GUIDE).encode() + b" " * 2000)
        at_once, chunk, gap = raw.index(b"\r\n\r\n") + 4, 1, 0.05
    # every gap is far inside the read timeout, so only an overall deadline can end the call
    with HostileGateway(raw, chunk=chunk, gap_s=gap, at_once=at_once) as gw:
        began = time.monotonic()
        with pytest.raises(E.TimeoutError_, match="no complete reply"):
            _get_guide(gw, read_timeout_s=5.0, deadline_s=1.5)
        took = time.monotonic() - began
    # the whole trickle takes 45 s or more; the call ended at its deadline (however loaded the machine)
    assert took < 30, took


def test_bounds_loads_refuses_without_echoing_the_document():
    secret = b'{"name": "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e", "n": ' + b"1" * 100 + b"}"
    with pytest.raises(bounds.JsonBoundsError) as caught:
        bounds.loads(secret)
    assert "王小明" not in str(caught.value) and "1" * 40 not in str(caught.value)
    assert bounds.nesting_depth('{"a": "[[[[", "b": [[1]]}') == 3
