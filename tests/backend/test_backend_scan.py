"""Codes a resident shows the scanner, against the gateway simulator on loopback: 随申码 login (expiry,
refresh, replay), 证照统一物流 pick-up lookup, appointment check-in. Every exchange is checked against
docs/openapi.yaml by the conftest fixture."""
from __future__ import annotations

import json
import time

import pytest
import requests
from backend_support import CA

from devices.scanner.driver import NoScan
from kiosk.backend import errors as E
from kiosk.backend.simulator.scan import DEMO_APPOINTMENT, DEMO_PICKUPS


def test_ssm_code_gives_a_working_session(sim, client):
    code = sim.routes.scan.ssm_issue(name="李四")
    session = client.auth_ssm(code)
    assert session.display_name == "李*" and len(session.token) >= 16
    assert client.get_record("social-insurance", session.token).holder == "李*"


def test_ssm_replayed_code_is_refused_with_a_chinese_reason(sim, client):
    code = sim.routes.scan.ssm_issue()
    client.auth_ssm(code)
    with pytest.raises(E.ScanCodeRejected) as info:
        client.auth_ssm(code)
    assert info.value.code == "code_replayed" and info.value.status == 422
    assert "已使用" in info.value.message_zh and info.value.permanent


def test_ssm_expired_code_is_refused_and_a_refreshed_one_works(sim, client):
    old = sim.routes.scan.ssm_issue(name="王小明")
    sim.routes.scan.ssm_expire(old)
    with pytest.raises(E.ScanCodeRejected) as info:
        client.auth_ssm(old)
    assert info.value.code == "code_expired" and "过期" in info.value.message_zh and "刷新" in info.value.message_zh
    fresh = sim.routes.scan.ssm_issue(name="王小明")  # the app refreshed the code
    assert client.auth_ssm(fresh).display_name == "王**"


def test_ssm_unknown_and_malformed_codes(sim, client):
    with pytest.raises(E.ScanCodeRejected) as info:
        client.auth_ssm("https://ssm.sh.gov.cn/c/forged")
    assert info.value.code == "code_invalid" and "随申码" in info.value.message_zh
    before = len(sim.responses)
    for text in ("随申码", "abc", "x" * 513):  # cannot be a code (contract: 4-512 printable ASCII)
        with pytest.raises(E.ScanCodeRejected) as info:
            client.auth_ssm(text)
        assert info.value.code == "code_unreadable" and info.value.message_zh.startswith("无法识别")
    assert len(sim.responses) == before  # refused by the client: the gateway was not asked


def test_pickup_lookup_gives_the_slip(sim, client):
    ready = next(c for c, s in DEMO_PICKUPS.items() if s == "ready")
    slip = client.lookup_pickup(ready)
    assert slip.item_zh and slip.place_zh and slip.slot
    assert slip.recipient == "王*明" and ready not in slip.code_masked and slip.code_masked.endswith(ready[-2:])
    assert slip.keep_until > slip.looked_up_at
    assert client.lookup_pickup(ready).pickup_id == slip.pickup_id  # read-only: asking again is harmless


def test_pickup_collected_and_unknown(sim, client):
    collected = sim.routes.scan.pickup_add("collected")
    with pytest.raises(E.ScanCodeRejected) as info:
        client.lookup_pickup(collected)
    assert info.value.code == "pickup_collected" and info.value.status == 409 and "已领取" in info.value.message_zh
    with pytest.raises(E.NotFoundError):
        client.lookup_pickup("SH-WL-00000000")


def test_check_in_gives_a_ticket_with_the_window_once(sim, client):
    first = client.check_in(DEMO_APPOINTMENT)
    assert not first.already_checked_in and first.ticket.window_zh and first.ticket.number.startswith("Y")
    again = client.check_in(DEMO_APPOINTMENT)
    assert again.already_checked_in and again.ticket == first.ticket


def test_check_in_outside_the_window_and_unknown(sim, client):
    later = sim.routes.scan.appointment_add(minutes_from_now=90)
    with pytest.raises(E.ScanCodeRejected) as info:
        client.check_in(later)
    assert info.value.code == "appointment_not_now" and "30 分钟" in info.value.message_zh
    with pytest.raises(E.NotFoundError):
        client.check_in("APPT-NOPE-0000")


def test_scan_endpoints_are_signed(sim):
    for path in ("/v1/auth/ssm", "/v1/pickups/lookup", "/v1/appointments/check-in"):
        resp = requests.post(sim.base_url + path, json={"code": "ABCD1234"}, verify=str(CA), timeout=5)
        assert resp.status_code == 401 and resp.json()["code"] == "missing_signature"
    sim.responses.clear()  # deliberately unsigned: not contract traffic


def test_http_control_issues_codes(sim, client):
    def control(cmd: dict) -> dict:
        resp = requests.post(sim.base_url + "/_sim/control", data=json.dumps(cmd), verify=str(CA), timeout=5)
        assert resp.status_code == 200, resp.text
        return resp.json()

    code = control({"cmd": "ssm_issue", "name": "张三"})["code"]
    assert client.auth_ssm(code).display_name == "张*"
    assert client.lookup_pickup(control({"cmd": "pickup_add"})["code"]).slot
    assert not client.check_in(control({"cmd": "appointment_add", "minutes_from_now": 10})["code"]).already_checked_in
    later = control({"cmd": "ssm_issue"})["code"]
    control({"cmd": "ssm_expire", "code": later})
    with pytest.raises(E.ScanCodeRejected):
        client.auth_ssm(later)


def test_models_refuse_replies_that_break_the_contract():
    from kiosk.backend.models import CheckIn, PickupSlip

    with pytest.raises(E.ProtocolError):
        PickupSlip.parse({"pickup_id": "PU-1"})
    with pytest.raises(E.ProtocolError):
        CheckIn.parse({"appointment_id": "AP-1", "service_zh": "户籍", "service_en": "x",
                       "starts_at": "2026-12-03T10:00:00+08:00", "already_checked_in": "no", "ticket": {}})


def test_a_code_shown_to_the_scanner_identifies_the_resident_end_to_end(sim, client, tmp_path):
    """Device and contract together, as the session will chain them: the resident's app shows a code, the
    scanner simulator sends its bytes, the real driver reads it, the real client turns it into a session."""
    from devices.scanner.driver import Scanner
    from devices.scanner.simulator import ScannerSimulator

    with ScannerSimulator(link=tmp_path / "scanner", profile="generic") as scanner_sim:
        with Scanner(scanner_sim.url) as scanner:
            assert scanner.wait_attempted(5) and scanner.connected
            code = sim.routes.scan.ssm_issue(name="赵六")
            assert scanner_sim.scan(code)["sent"]
            scan = scanner.wait_scan(5, since=0)
            assert scan.text == code
            assert client.auth_ssm(scan.text).display_name == "赵*"
            # the same code shown again (the resident still holds the phone up) is one scan, never a replay
            scanner_sim.scan(code)
            deadline = time.monotonic() + 5  # wait for the second reading itself, not for a fixed pause
            while scanner.health()["duplicates"] < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert scanner.health()["duplicates"] == 1  # read, and counted as the same scan
            with pytest.raises(NoScan):
                scanner.wait_scan(0.1, since=1)
            assert scanner.scan_count == 1
