"""Reply parsers: any JSON value in → a typed result or ProtocolError, never another exception."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.backend.errors import ProtocolError
from kiosk.backend.models import (AuthSession, Guide, Handoff, HandoffState, HeartbeatAck, Licence, QrTicket,
                                  QrTicketState, QueueTicket, Record, SubmissionAck)

PARSERS = [AuthSession, Guide, HeartbeatAck, Licence, QrTicket, QrTicketState, QueueTicket, Record, SubmissionAck,
           Handoff, HandoffState]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=20)
KEYS = ["token", "display_name", "expires_at", "id", "qr_url", "interval_s", "state", "session", "slow_down",
        "service_id", "title_zh", "title_en", "sections", "updated_at", "kind", "holder", "columns", "rows",
        "generated_at", "name_zh", "name_en", "number", "issuer_zh", "valid_to", "image_png_base64", "window_zh",
        "window_en", "waiting", "issued_at", "reference", "status", "received_at", "config_version", "server_time",
        "url", "text_length"]
near_miss = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=12)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
@settings(max_examples=60, deadline=None)
@given(value=json_values | near_miss)
def test_any_json_is_parsed_or_rejected_with_protocol_error(parser, value):
    try:
        result = parser.parse(value)
    except ProtocolError:
        return  # rejected with the typed error: what the client turns into a clear message
    assert isinstance(result, parser)  # accepted: a typed result, never a raw dict or None


def test_confirmed_without_session_is_rejected():
    with pytest.raises(ProtocolError):
        QrTicketState.parse({"state": "confirmed", "interval_s": 2})
    with pytest.raises(ProtocolError):
        QrTicketState.parse({"state": "teleported", "interval_s": 2})


def test_licence_image_must_be_png():
    base = {"id": "x", "name_zh": "a", "name_en": "a", "number": "1", "issuer_zh": "b", "valid_to": "c"}
    with pytest.raises(ProtocolError):
        Licence.parse({**base, "image_png_base64": "bm90IGEgcG5n"})
    with pytest.raises(ProtocolError):
        Licence.parse({**base, "image_png_base64": "***"})


def test_submitted_hand_off_without_length_is_rejected():
    with pytest.raises(ProtocolError):
        HandoffState.parse({"id": "ho_1", "state": "submitted", "interval_s": 2,
                            "expires_at": "2026-11-28T07:26:00+08:00"})
    with pytest.raises(ProtocolError):
        HandoffState.parse({"id": "ho_1", "state": "typed", "interval_s": 2, "expires_at": "2026-11-28T07:26:00+08:00"})
    ok = HandoffState.parse({"id": "ho_1", "state": "submitted", "interval_s": 2, "text_length": 42,
                             "expires_at": "2026-11-28T07:26:00+08:00"})
    assert ok.text_length == 42
