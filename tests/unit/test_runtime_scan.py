"""The scanner in the real Runtime and SessionController against the simulators (real TCP, real TLS).

A 随申码 shown on the attract screen identifies the resident (auth_ssm on the gateway simulator) and the
menu follows; a pick-up code prints the pick-up slip; an appointment QR checks in and prints the queue
ticket with the window; staff mode shows the scanner's health and a test scan without its text; a terminal
with no scanner configured runs with 亮码 off (staff: 未配置). The UI thread is the test, pumping a QueueBridge.
"""
from __future__ import annotations

import logging
import re

import pytest

from devices.errors import DeviceUnavailable
from devices.scanner.driver import NoScan
from kiosk.bridge import QueueBridge
from kiosk.config.loader import load_config
from kiosk.runtime import Runtime
from kiosk_dev.sims import HeadlessKiosk

from session_fakes import CONFIG_DIR, enter_staff


@pytest.fixture
def kiosk(tmp_path):
    with HeadlessKiosk(load_config(CONFIG_DIR), tmp_path) as k:
        ctl = k.ctl
        assert k.bridge.pump_until(lambda: ctl.state.devices.printer_ready and ctl.state.devices.backend_ok
                                   and ctl.state.devices.scanner == "online", 15), ctl.state.devices
        yield k.stack, k.bridge, k.rt, ctl


def test_ssm_shown_on_attract_identifies_and_reaches_the_menu(kiosk, caplog):
    stack, bridge, rt, ctl = kiosk
    caplog.set_level(logging.DEBUG)
    code = stack.gateway.routes.scan.ssm_issue(name="李四")
    assert ctl.state.screen == "attract"
    stack.scanner.scan(code)
    assert bridge.pump_until(lambda: ctl.state.screen == "menu", 10), ctl.state.error
    assert ctl.state.identity.method == "ssm" and "*" in ctl.state.identity.display_name
    assert code not in caplog.text and code.rsplit("/", 1)[-1] not in caplog.text  # never logged
    rt.heartbeat.beat()
    assert stack.gateway.heartbeats[-1]["devices"]["scanner"]["status"] == "online"  # staff see it remotely


def test_replayed_code_is_refused_with_its_reason_then_a_refreshed_one_works(kiosk):
    stack, bridge, rt, ctl = kiosk
    code = stack.gateway.routes.scan.ssm_issue()
    stack.scanner.scan(code)
    assert bridge.pump_until(lambda: ctl.state.screen == "menu", 10)
    ctl.end_session()
    assert bridge.pump_until(lambda: ctl.state.screen == "attract" and rt.scan.scanner.enabled, 5)
    # the same code again after the 2-s de-dup window (the session forgot it) is a replay
    rt.scan.scanner.deduper.prune(1e12)
    stack.scanner.scan(code)
    assert bridge.pump_until(lambda: ctl.state.error is not None, 10)
    assert ctl.state.error.text.zh.startswith("此随申码已使用过") and ctl.state.screen == "attract"
    stack.scanner.scan(stack.gateway.routes.scan.ssm_issue())  # the app's refreshed code
    assert bridge.pump_until(lambda: ctl.state.screen == "menu", 10), ctl.state.error
    assert ctl.state.error is None
    ctl.end_session()
    assert bridge.pump_until(lambda: ctl.state.screen == "attract", 5)
    with pytest.raises(NoScan):  # the wipe made the driver forget what the resident showed
        rt.scan.scanner.wait_scan(0.05, since=0)


def test_pickup_code_prints_the_pickup_slip(kiosk):
    stack, bridge, rt, ctl = kiosk
    code = stack.gateway.routes.scan.pickup_add("ready")
    stack.scanner.scan(code)
    assert bridge.pump_until(lambda: ctl.state.screen == "result", 10), ctl.state.error
    assert ctl.state.result.title.zh == "取件单" and "3-12" in ctl.state.result.message.zh
    jobs = stack.printer.wait_jobs(1, timeout=10, complete=True)
    assert "取件单" in jobs[-1].text and "3-12" in jobs[-1].text and code not in jobs[-1].text


def test_appointment_qr_checks_in_and_prints_the_ticket_with_the_window(kiosk):
    stack, bridge, rt, ctl = kiosk
    code = stack.gateway.routes.scan.appointment_add(0)
    stack.scanner.scan(code)
    assert bridge.pump_until(lambda: ctl.state.screen == "result", 10), ctl.state.error
    number = ctl.state.result.reference
    assert number.startswith("Y") and "窗口" in ctl.state.result.message.zh
    jobs = stack.printer.wait_jobs(1, timeout=10, complete=True)
    assert number in jobs[-1].text and "户籍业务" in jobs[-1].text


def test_scanner_reads_only_where_a_scan_is_taken(kiosk):
    stack, bridge, rt, ctl = kiosk
    enter_staff(ctl, bridge)
    assert bridge.pump_until(lambda: not rt.scan.scanner.enabled, 5)
    stack.scanner.scan(stack.gateway.routes.scan.ssm_issue())
    bridge.pump_until(lambda: False, 0.5)
    assert ctl.state.screen == "staff" and ctl.state.identity is None


def test_staff_health_and_test_scan_show_no_content(kiosk):
    stack, bridge, rt, ctl = kiosk
    enter_staff(ctl, bridge)
    assert bridge.pump_until(lambda: any(name == "扫码器 scanner" for name, _ in ctl.state.staff.statuses), 10)
    line = dict(ctl.state.staff.statuses)["扫码器 scanner"]
    assert "在线" in line and "尚未扫码" in line
    ctl.staff_test_scan()
    assert bridge.pump_until(lambda: rt.scan.scanner.enabled, 5)
    code = stack.gateway.routes.scan.ssm_issue()
    stack.scanner.scan(code)
    assert bridge.pump_until(lambda: ctl.state.staff.message.zh.startswith("扫码成功"), 10), ctl.state.staff.message
    shown = ctl.state.staff.message.zh
    assert f"{len(code)} 字节" in shown and "utf-8" in shown and code not in shown
    assert ctl.state.identity is None and ctl.state.screen == "staff"
    ctl.staff_refresh()
    assert bridge.pump_until(lambda: "最近扫码" in dict(ctl.state.staff.statuses)["扫码器 scanner"], 10)
    line = dict(ctl.state.staff.statuses)["扫码器 scanner"]
    assert "共 1 次" in line and code not in line
    assert re.search(r"最近扫码 \d\d:\d\d:\d\d，\d+ 秒前", line), line


def test_no_scanner_configured_is_feature_off_not_a_simulator(tmp_path):
    cfg = load_config(CONFIG_DIR)
    cfg = cfg.model_copy(update={"devices": cfg.devices.model_copy(update={
        "idcard": cfg.devices.idcard.model_copy(update={"enabled": False}),
        "printer": cfg.devices.printer.model_copy(update={"enabled": False}),
        "scanner": cfg.devices.scanner.model_copy(update={"enabled": False})})})
    rt = Runtime(cfg, QueueBridge())
    rt.scan.start(cfg.devices.scanner)
    assert rt.scan.scanner is None and rt.device_view().scanner == "noDevice"
    assert rt.scan.devices() == {}  # the heartbeat names no scanner
    assert rt.scan.staff_line(lambda s: s) == "noDevice — 亮码未启用 scanning off"
    with pytest.raises(DeviceUnavailable) as info:
        rt.scan.test_scan()
    assert info.value.message_zh == "本机未配置扫码器"
    rt.scan.set_enabled(True)  # nothing to switch and nothing raised: the session runs without one
    rt.scan.forget()



def test_quick_screen_changes_leave_the_scanner_as_last_asked(kiosk):
    stack, bridge, rt, ctl = kiosk
    done = rt.scan.switches
    rt.scan.set_enabled(False)
    rt.scan.set_enabled(True)  # asked before the first switch ran: the last wish wins
    assert bridge.pump_until(lambda: rt.scan.switches == done + 2, 5)
    assert rt.scan.scanner.enabled is True
