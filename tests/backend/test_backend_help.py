"""一键求助 (/v1/help-requests) against the simulator on loopback: create, poll through acknowledged / call,
cancel, list of the day, terminal binding, no personal data accepted, the duty console's actions and state.
Every exchange is checked against docs/openapi.yaml (conftest)."""
from __future__ import annotations

import json
import ssl
import urllib.request

import pytest
from backend_contract import check_exchange
from backend_support import CA, TERMINAL, make_client

from kiosk.backend import errors as E
from kiosk.backend.simulator.server import GatewaySimulator


def _help(client, **kw):
    args = dict(screen="identify", elder_mode=True, location="24小时自助服务区（一楼大厅东侧）",
                service_id="social-insurance-record", lang="zh-CN")
    args.update(kw)
    return client.create_help_request(**args)


def console(sim, path, body=None, content_type="application/json"):
    """The duty console's own endpoints, as its page calls them (unsigned, loopback only)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(sim.base_url + path, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": content_type} if data is not None else {})
    ctx = ssl.create_default_context(cafile=str(CA))
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_create_then_acknowledged_with_post_and_eta(sim, client):
    req = _help(client)
    assert req.state == "pending" and req.open and req.elder_mode and req.screen == "identify"
    assert req.duty_post is None and req.eta_minutes is None and req.interval_s == 2.0
    assert client.poll_help_request(req.id).state == "pending"
    sim.duty.acknowledge(req.id, "hall-desk", 3)
    got = client.poll_help_request(req.id)
    assert got.state == "acknowledged" and got.eta_minutes == 3 and got.open
    assert got.duty_post.name_zh == "一楼大厅值班台" and got.call_phone is None


def test_nobody_can_come_gives_a_number_to_call(sim, client):
    req = _help(client, elder_mode=False, service_id=None)
    sim.duty.call(req.id, "021-62470000")
    got = client.poll_help_request(req.id)
    assert got.state == "call" and got.call_phone == "021-62470000" and not got.open
    # a request nobody picks up in time turns into "call" by itself
    sim.duty.call_after_s = 0.0
    late = client.poll_help_request(_help(client).id)
    assert late.state == "call" and late.call_phone == sim.duty.call_phone


def test_cancel_is_idempotent_and_bound_to_the_terminal(sim, client):
    req = _help(client)
    with make_client(sim, terminal_id="SH-PD-ZJ-02") as other:
        with pytest.raises(E.NotFoundError):
            other.poll_help_request(req.id)
        with pytest.raises(E.NotFoundError):
            other.cancel_help_request(req.id)
        assert other.list_help_requests() == []
    client.cancel_help_request(req.id)
    client.cancel_help_request(req.id)
    assert client.poll_help_request(req.id).state == "cancelled"
    with pytest.raises(ValueError):
        sim.duty.acknowledge(req.id, "hall-desk", 3)  # the resident left: nobody is sent
    with pytest.raises(E.NotFoundError):
        client.poll_help_request("help_nope")


def test_list_gives_this_terminals_requests_of_the_day(sim, client):
    first, second = _help(client), _help(client, screen="result")
    sim.duty.acknowledge(first.id, "security", 5)
    listed = client.list_help_requests()
    assert [(r.id, r.state) for r in listed] == [(first.id, "acknowledged"), (second.id, "pending")]


def test_personal_data_and_bad_fields_are_refused():
    with GatewaySimulator(port=0, record=True) as own, make_client(own) as c:
        with pytest.raises(E.ValidationError) as info:
            c._call("POST", "/v1/help-requests", {"screen": "menu", "elder_mode": False, "name": "王小明"})
        assert info.value.code == "validation_failed"
        with pytest.raises(E.ValidationError):
            _help(c, screen="Not A Screen")
        with pytest.raises(E.ValidationError):
            c._call("POST", "/v1/help-requests", {"screen": "menu", "elder_mode": "yes"})
    assert [ex["status"] for ex in own.responses] == [422, 422, 422]
    assert own.responses[0]["body"]["fields"] == ["name"]
    assert own.duty.requests == {}
    for ex in own.responses:
        check_exchange(ex, request=False)


def test_console_state_and_actions(sim, client):
    client.heartbeat({"app_version": "0.1.0", "uptime_s": 12.0,
                      "devices": {"printer": {"status": "userError", "paper": "out"}, "idcard": "online"},
                      "alerts": [{"code": "printer.paper_out", "level": "critical", "message_zh": "打印纸用完"}]})
    req = _help(client)
    status, page = console(sim, "/_sim/console")
    assert status == 200 and "值班台" in page.decode()
    status, raw = console(sim, "/_sim/console/state")
    state = json.loads(raw)
    assert [r["id"] for r in state["requests"]] == [req.id] and state["requests"][0]["terminal_id"] == TERMINAL
    [term] = state["terminals"]
    assert term["id"] == TERMINAL and term["devices"] == {"printer": "userError", "idcard": "online"}
    assert term["alerts"][0]["code"] == "printer.paper_out" and term["age_s"] >= 0
    # a form post from another site is not JSON: refused
    assert console(sim, "/_sim/console/ack", {"id": req.id}, content_type="text/plain")[0] == 415
    assert console(sim, "/_sim/console/ack", {"id": req.id, "post_id": "nowhere", "eta_minutes": 3})[0] == 400
    assert console(sim, "/_sim/console/ack", {"id": "help_nope", "post_id": "hall-desk", "eta_minutes": 3})[0] == 404
    status, raw = console(sim, "/_sim/console/ack", {"id": req.id, "post_id": "hall-desk", "eta_minutes": 4})
    assert status == 200 and json.loads(raw)["request"]["state"] == "acknowledged"
    assert client.poll_help_request(req.id).eta_minutes == 4
    console(sim, "/_sim/console/resolve", {"id": req.id})
    assert client.poll_help_request(req.id).state == "resolved"
    assert json.loads(console(sim, "/_sim/console/state")[1])["requests"] == []
