"""ScanFlow (kiosk/session/scan.py) with the fake runtime: each use of a scanned code and each refusal.

The fake never runs task functions: the test answers the "scan" task with what the gateway would return,
or with the typed error ``error_for_status`` builds from the gateway's reply (the client's own path).
"""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from devices.scanner.driver import NoScan
from kiosk.backend.errors import NetworkError, error_for_status
from kiosk.session.scan import SCAN_TASK, code_kind
from kiosk.session.state import StaffView
from kiosk.voice.prompts import prompt_for

from session_fakes import auth, make, qr_ticket

SSM = "https://ssm.sh.gov.cn/c/Zx9fQk2LmN0pRsT"
PICKUP = "SH-WL-66002188"
APPOINTMENT = "APPT-20261203-0193"
AT = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def slip():
    return SimpleNamespace(pickup_id="PU-66002188", code_masked="SH-WL-****88", item_zh="居民身份证（换领）",
                           item_en="Resident ID card (renewal)", recipient="王*明", place_zh="3 号智能柜",
                           place_en="locker 3", slot="3-12", keep_until=AT, looked_up_at=AT)


def checkin(again=False):
    ticket = SimpleNamespace(number="Y007", service_id="household-registration", window_zh="5号窗口",
                             window_en="Window 5", waiting=1, issued_at=AT)
    return SimpleNamespace(appointment_id="AP-0193", service_zh="户籍业务", service_en="Household registration",
                           starts_at=AT, already_checked_in=again, ticket=ticket)


def test_code_kinds():
    assert code_kind(SSM) == "ssm" and code_kind(PICKUP) == "pickup" and code_kind(APPOINTMENT) == "appointment"
    assert code_kind("anything else") == "ssm"  # the gateway tells a 随申码 from the rest, not the kiosk


def test_ssm_on_attract_identifies_and_goes_to_the_menu():
    ctl, rt, _ = make()
    ctl.on_scan(SSM)
    task = rt.pending(SCAN_TASK)
    assert ctl.state.busy.zh.startswith("正在核验身份")
    rt.finish(SCAN_TASK, auth("李*"))
    assert ctl.state.screen == "menu" and ctl.state.identity.method == "ssm"
    assert ctl.core.token == "tok-secret" and ctl.state.busy is None and task.timeout <= 15


def test_ssm_on_identify_wins_over_the_card_and_the_qr_and_opens_the_pending_service():
    ctl, rt, _ = make()
    ctl.choose_service("social-insurance-record")
    assert ctl.state.screen == "identify"
    rt.finish("qr_create", qr_ticket(now=ctl.core.now()))
    assert rt.watch is not None
    ctl.on_scan(SSM)
    rt.finish(SCAN_TASK, auth())
    assert ctl.state.identity.method == "ssm" and ctl.state.qr is None
    assert rt.watch is None and rt.polling[-1] is False  # the card watch stopped
    assert rt.has_pending("record")  # straight on into the service chosen before identifying
    assert rt.has_pending("qr_cancel")  # the QR ticket cancelled on the gateway


def test_pickup_code_shows_and_prints_the_slip():
    ctl, rt, _ = make()
    ctl.on_scan(PICKUP)
    assert ctl.state.busy.zh.startswith("正在查询取件")
    rt.finish(SCAN_TASK, slip())
    r = ctl.state.result
    assert ctl.state.screen == "result" and r.title.zh == "取件单" and r.reference == "PU-66002188"
    assert "3-12" in r.message.zh and "3 号智能柜" in r.message.zh and "locker 3" in r.message.en
    kind, data, owner = rt.printed[-1]
    assert kind == "pickup_slip" and data["slip"].slot == "3-12" and owner == "receipts"


@pytest.mark.parametrize("again,title", [(False, "签到成功"), (True, "您已签到，号码不变")])
def test_appointment_qr_checks_in_and_prints_the_ticket_with_the_window(again, title):
    ctl, rt, _ = make()
    ctl.start_identify()
    ctl.on_scan(APPOINTMENT)
    rt.finish(SCAN_TASK, checkin(again))
    r = ctl.state.result
    assert ctl.state.screen == "result" and r.title.zh == title and r.reference == "Y007"
    assert "5号窗口" in r.message.zh and "Window 5" in r.message.en and "户籍业务" in r.message.zh
    assert rt.printed[-1][0] == "checkin_ticket" and rt.printed[-1][1]["checkin"].ticket.number == "Y007"
    assert rt.watch is None and ctl.state.qr is None  # leaving identify stopped the card watch and the QR


@pytest.mark.parametrize("code,status,kind,starts,voice", [
    (SSM, 422, "code_expired", "随申码已过期", "error.scan_expired"),
    (SSM, 422, "code_replayed", "此随申码已使用过", "error.scan_replayed"),
    (SSM, 422, "code_invalid", "无法识别此码，请出示随申办中的随申码", "error.scan_invalid"),
    (PICKUP, 409, "pickup_collected", "此件已领取", None),
    (PICKUP, 409, "pickup_returned", "此件已退回", None),
    (PICKUP, 404, "not_found", "未找到此取件码", None),
    (APPOINTMENT, 422, "appointment_not_now", "不在预约签到时间内", None),
    (APPOINTMENT, 404, "not_found", "未找到此预约", None),
])
def test_a_refused_code_says_why_and_the_next_scan_is_taken(code, status, kind, starts, voice):
    ctl, rt, _ = make()
    ctl.on_scan(code)
    rt.fail(SCAN_TASK, error_for_status(status, kind, "refused"))
    error = ctl.state.error
    assert error is not None and error.text.zh.startswith(starts) and error.action == "back"
    assert error.voice == voice and (voice is None or prompt_for(ctl.state) == voice)  # spoken by its prompt
    assert error.text.en and error.text.en != error.text.zh
    assert ctl.state.screen == "attract" and ctl.core.token is None and ctl.state.busy is None
    ctl.on_scan(SSM)  # the refreshed code: taken at once, the refusal leaves the screen
    assert ctl.state.error is None and rt.has_pending(SCAN_TASK)
    ctl.back()  # 返回 on a refusal only dismisses it
    assert ctl.state.screen == "attract"


def test_unreadable_and_network_failures_are_refusals_too():
    ctl, rt, _ = make()
    ctl.on_scan(SSM)
    rt.fail(SCAN_TASK, NetworkError("down"))
    assert ctl.state.error.text.zh == "网络连接失败，请稍后再试"
    ctl.on_scan(SSM)
    rt.fail(SCAN_TASK, RuntimeError("a bug"))
    assert ctl.state.error.text.zh == "无法识别此码，请重新出示"


def test_scans_are_ignored_where_no_scan_is_taken_and_while_one_runs():
    ctl, rt, _ = make()
    ctl.choose_service("queue-ticket")
    rt.finish("queue", SimpleNamespace(number="A001", service_id="queue-ticket", window_zh="1号窗口",
                                       window_en="Window 1", waiting=0, issued_at=AT))
    assert ctl.state.screen == "result"
    ctl.on_scan(SSM)
    assert not rt.has_pending(SCAN_TASK)
    ctl.home()
    ctl.on_scan(PICKUP)
    first = rt.pending(SCAN_TASK)
    ctl.on_scan(APPOINTMENT)  # a second code while the first is checked: ignored, not queued
    assert rt.pending(SCAN_TASK) is first


def test_ssm_is_ignored_once_someone_is_identified():
    ctl, rt, _ = make()
    ctl.on_scan(SSM)
    rt.finish(SCAN_TASK, auth())
    ctl.on_scan(SSM.replace("Zx9", "Ab1"))
    assert not rt.has_pending(SCAN_TASK) and ctl.state.screen == "menu"


def test_wipe_cancels_a_code_being_checked_and_codes_still_work_on_the_menu():
    ctl, rt, _ = make()
    ctl.on_scan(SSM)
    task = rt.pending(SCAN_TASK)
    ctl.wipe()
    assert task.cancelled and ctl.state.busy is None  # its answer never lands in the next session
    ctl.on_scan(SSM)
    rt.finish(SCAN_TASK, auth())
    ctl.on_scan(PICKUP)  # identified residents pick up parcels from the menu too
    rt.finish(SCAN_TASK, slip())
    assert ctl.state.screen == "result" and ctl.state.identity.method == "ssm"


def test_reading_follows_the_screen_and_a_wipe_forgets_the_scans():
    ctl, rt, _ = make()
    ctl.choose_service("queue-ticket")
    rt.finish("queue", SimpleNamespace(number="A001", service_id="queue-ticket", window_zh="1号窗口",
                                       window_en="Window 1", waiting=0, issued_at=AT))
    assert rt.scan.enabled[-1] is False  # result screen: no scan taken
    forgotten = rt.scan.forgotten
    ctl.wipe()
    assert rt.scan.forgotten == forgotten + 1 and rt.scan.enabled[-1] is True  # attract takes scans
    ctl.start_identify()
    ctl.touch()
    assert rt.scan.enabled[-1] is True and rt.scan.forgotten == forgotten + 1  # told on change only


def test_staff_test_scan_shows_length_and_encoding_only():
    ctl, rt, _ = make()
    ctl.core.state.screen = "staff"
    ctl.core.state.staff = StaffView()
    ctl.staff_test_scan()
    assert ctl.state.staff.message.zh.startswith("请在扫码窗口出示")
    rt.finish("staff_scan", {"bytes": 41, "chars": 41, "encoding": "utf-8", "kind": "ssm"})
    assert ctl.state.staff.message.zh == ("扫码成功：身份码（随申码或其它），41 字节 / 41 字符，"
                                          "编码 utf-8（内容不显示）")
    ctl.staff_test_scan()
    rt.fail("staff_scan", NoScan("nothing"))
    assert ctl.state.staff.message.zh == "测试扫码失败：未扫描到二维码"
