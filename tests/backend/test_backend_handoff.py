"""Phone hand-off (/v1/handoffs) against the simulator: create, poll, submit from the phone, cancel, expire,
terminal binding, and the submission that names a hand-off. Every exchange is checked against the contract."""
from __future__ import annotations

import json
import secrets

import pytest
import requests
from backend_contract import check_exchange
from backend_support import CA, RESIDENT, make_client

from kiosk.backend import errors as E
from kiosk.backend.simulator.server import GatewaySimulator

TEXT = "小区门口的路灯坏了一个多星期，晚上老人出门很不安全，请尽快派人修理。"


def _submit(client, fields, reference="NJXL01-20261128-HAND0F", token=None):
    return client.submit(reference=reference, service_id="hotline-12345", kind="12345", fields=fields,
                         token=token, idempotency_key=secrets.token_hex(16), submitted_at="2026-11-28T07:16:00+08:00")


def test_create_poll_submit_from_the_phone_reports_only_the_length(sim, client):
    h = client.create_handoff("hotline-12345", "description")
    assert h.id.startswith("ho_") and h.url.endswith(h.id) and h.interval_s == 2.0 and h.expires_at.tzinfo
    st = client.poll_handoff(h.id)
    assert st.state == "waiting" and st.text_length is None
    sim.handoff_submit(h.id, text=TEXT)
    st = client.poll_handoff(h.id)
    assert st.state == "submitted" and st.text_length == len(TEXT)
    # the text itself never leaves the gateway: no reply carries it
    assert not any(TEXT in json.dumps(ex["body"], ensure_ascii=False) for ex in sim.responses)


def test_with_a_resident_session_and_with_a_bad_one(sim, client):
    token = client.auth_idcard(RESIDENT).token
    assert client.create_handoff("hotline-12345", "description", token).id
    with pytest.raises(E.AuthError) as info:
        client.create_handoff("hotline-12345", "description", "not-a-token-at-all")
    assert info.value.code == "token_invalid"


def test_bad_ids_are_a_validation_error():
    # requests that break the contract on purpose: only the replies are checked against it
    with GatewaySimulator(port=0, record=True) as own, make_client(own) as c:
        with pytest.raises(E.ValidationError):
            c.create_handoff("Not A Service", "description")
        with pytest.raises(E.ValidationError):
            c.create_handoff("hotline-12345", "")
    assert [ex["status"] for ex in own.responses] == [422, 422]
    for ex in own.responses:
        check_exchange(ex, request=False)


def test_cancel_is_idempotent_and_drops_the_text(sim, client):
    h = client.create_handoff("hotline-12345", "description")
    sim.handoff_submit(h.id, text=TEXT)
    client.cancel_handoff(h.id)
    client.cancel_handoff(h.id)
    assert client.poll_handoff(h.id).state == "cancelled"
    assert sim.handoffs[h.id]["text"] is None
    sim.handoff_submit(h.id, text="too late")
    assert client.poll_handoff(h.id).state == "cancelled"


def test_waiting_hand_off_expires(sim, client):
    h = client.create_handoff("hotline-12345", "description")
    sim.handoff_expire(h.id)
    assert client.poll_handoff(h.id).state == "expired"
    sim.handoff_submit(h.id)  # too late: stays expired
    assert client.poll_handoff(h.id).state == "expired"


def test_a_hand_off_is_bound_to_its_terminal(sim, client):
    h = client.create_handoff("hotline-12345", "description")
    with make_client(sim, terminal_id="SH-PD-ZJ-02") as other:
        with pytest.raises(E.NotFoundError):
            other.poll_handoff(h.id)
        with pytest.raises(E.NotFoundError):
            other.cancel_handoff(h.id)
    with pytest.raises(E.NotFoundError):
        client.poll_handoff("ho_nope")


def test_submission_attaches_a_submitted_hand_off_and_refuses_others(sim, client):
    waiting = client.create_handoff("hotline-12345", "description")
    with pytest.raises(E.ValidationError) as info:
        _submit(client, {"category": "help", "description": f"handoff:{waiting.id}"})
    assert info.value.code == "validation_failed"
    with pytest.raises(E.ValidationError):
        _submit(client, {"description": "handoff:ho_unknown"}, reference="NJXL01-20261128-HAND0G")
    sim.handoff_submit(waiting.id, text=TEXT)
    ack = _submit(client, {"category": "help", "description": f"handoff:{waiting.id}"},
                  reference="NJXL01-20261128-HAND0H")
    assert ack.reference == "NJXL01-20261128-HAND0H"
    assert sim.handoffs[waiting.id]["attached_to"] == ack.reference
    client.cancel_handoff(waiting.id)  # a wipe after submitting leaves the attached text with the submission
    assert client.poll_handoff(waiting.id).state == "submitted"
    assert sim.handoffs[waiting.id]["text"] == TEXT


def test_http_control_submits_like_a_phone(sim, client):
    h = client.create_handoff("hotline-12345", "description")
    r = requests.post(f"{sim.base_url}/_sim/control", json={"cmd": "handoff_submit", "text": "十个字的诉求内容啊"},
                      verify=str(CA), timeout=5)
    assert r.ok and r.json()["ok"] is True
    assert client.poll_handoff(h.id).text_length == 9
    r = requests.post(f"{sim.base_url}/_sim/control", json={"cmd": "handoff_expire", "handoff": "ho_missing"},
                      verify=str(CA), timeout=5)
    assert r.status_code == 400


def test_create_is_not_retried_after_sending(sim, client):
    sim.inject("status", status=503, path="/v1/handoffs")
    with pytest.raises(E.ServerError):
        client.create_handoff("hotline-12345", "description")
    assert not sim.handoffs  # one attempt, refused: nothing was made, nothing repeated
