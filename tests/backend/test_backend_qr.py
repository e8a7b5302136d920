"""随申办 scan-to-login against the simulator: every ticket state, slow_down, cancel, and the HTTP control."""
from __future__ import annotations

import time

import pytest
import requests
from backend_support import CA

from kiosk.backend import errors as E


def test_waiting_scanned_confirmed(sim, client):
    t = client.create_qr_ticket()
    assert t.qr_url.endswith(t.id) and t.interval_s == 2.0
    assert client.poll_qr_ticket(t.id).state == "waiting"
    sim.qr_scan(t.id)
    st = client.poll_qr_ticket(t.id)
    assert st.state == "scanned" and st.session is None
    sim.qr_confirm(t.id, name="李四")
    st = client.poll_qr_ticket(t.id)
    assert st.state == "confirmed" and st.session.display_name == "李*"
    # the session really works
    assert client.get_record("social-insurance", st.session.token).holder == "李*"


def test_polling_too_fast_answers_slow_down_with_a_longer_interval(sim, client):
    sim.qr_interval_s = 5.0  # two back-to-back polls are always well inside 0.8 × 5 s
    t = client.create_qr_ticket()
    first = client.poll_qr_ticket(t.id)
    second = client.poll_qr_ticket(t.id)
    assert not first.slow_down and second.slow_down and second.interval_s > first.interval_s


def test_denied_on_the_phone_is_cancelled(sim, client):
    t = client.create_qr_ticket()
    sim.qr_scan()
    sim.qr_deny()
    assert client.poll_qr_ticket(t.id).state == "cancelled"


def test_ticket_expires(sim, client):
    sim.qr_ttl_s = 0.05
    t = client.create_qr_ticket()
    time.sleep(0.1)
    assert client.poll_qr_ticket(t.id).state == "expired"
    sim.qr_confirm(t.id)  # too late: stays expired
    assert client.poll_qr_ticket(t.id).state == "expired"


def test_terminal_cancels_the_ticket(sim, client):
    t = client.create_qr_ticket()
    client.cancel_qr_ticket(t.id)
    client.cancel_qr_ticket(t.id)  # idempotent
    assert client.poll_qr_ticket(t.id).state == "cancelled"
    sim.qr_confirm(t.id)
    assert client.poll_qr_ticket(t.id).state == "cancelled"


def test_unknown_ticket_is_not_found(client):
    with pytest.raises(E.NotFoundError):
        client.poll_qr_ticket("qt_nope")
    with pytest.raises(E.NotFoundError):
        client.cancel_qr_ticket("qt_nope")


def test_http_control_confirms_like_a_phone(sim, client):
    t = client.create_qr_ticket()
    r = requests.post(f"{sim.base_url}/_sim/control", json={"cmd": "qr_confirm", "name": "赵六"},
                      verify=str(CA), timeout=5)
    assert r.ok and r.json()["ok"] is True
    assert client.poll_qr_ticket(t.id).session.display_name == "赵*"
    bad = requests.post(f"{sim.base_url}/_sim/control", json={"cmd": "explode"}, verify=str(CA), timeout=5)
    assert bad.status_code == 400


def test_http_control_injects_faults(sim, client):
    r = requests.post(f"{sim.base_url}/_sim/control", json={"cmd": "inject", "kind": "status", "status": 500,
                                                            "times": None}, verify=str(CA), timeout=5)
    assert r.ok
    with pytest.raises(E.ServerError):
        client.get_guide("appointment")
    requests.post(f"{sim.base_url}/_sim/control", json={"cmd": "clear"}, verify=str(CA), timeout=5)
    assert client.get_guide("appointment").service_id == "appointment"


def test_a_ticket_is_bound_to_its_terminal(sim, client):
    from backend_support import make_client
    t = client.create_qr_ticket()
    with make_client(sim, terminal_id="SH-PD-ZJ-02") as other:
        with pytest.raises(E.NotFoundError):
            other.poll_qr_ticket(t.id)
        with pytest.raises(E.NotFoundError):
            other.cancel_qr_ticket(t.id)
    assert client.poll_qr_ticket(t.id).state == "waiting"
