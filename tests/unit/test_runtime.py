"""The real Runtime and SessionController against the in-process simulators (real TCP ports, real TLS).

ID card placed in the card-reader simulator → auth on the gateway simulator → 12345 submission through the
durable outbox → receipt bytes printed by the printer simulator; plus QR login, paper out mid-flow and the
gateway down at submission. The UI thread is the test thread pumping a QueueBridge.
"""
from __future__ import annotations

import pytest

from kiosk.bridge import QueueBridge
from kiosk.config.loader import load_config
from kiosk_dev.sims import HeadlessKiosk
from kiosk.runtime import Runtime

from session_fakes import CONFIG_DIR, enter_staff


@pytest.fixture
def kiosk(tmp_path):
    with HeadlessKiosk(load_config(CONFIG_DIR), tmp_path) as k:
        ctl = k.ctl
        assert k.bridge.pump_until(lambda: ctl.state.devices.printer_ready and ctl.state.devices.reader_online
                                   and ctl.state.devices.backend_ok, 15), ctl.state.devices
        yield k.stack, k.bridge, k.rt, ctl


def _identify_with_card(stack, bridge, ctl):
    ctl.start_identify()
    assert bridge.pump_until(lambda: ctl.state.qr is not None and ctl.state.qr.state == "waiting", 10)
    stack.idcard.place("resident")
    assert bridge.pump_until(lambda: ctl.state.screen == "menu", 10), (ctl.state.card, ctl.state.error)


PHONE_TEXT = "小区门口的路灯坏了一个多星期，晚上老人出门很不安全，请尽快派人修理。"


def _type_on_the_phone(stack, bridge, ctl, field="description", text=PHONE_TEXT):
    """The resident scans the field's code and submits ``text`` on the phone; the kiosk's poll sees it."""
    assert bridge.pump_until(lambda: ctl.state.form.field(field).handoff_state == "waiting", 10), \
        ctl.state.form.field(field)
    handoff_id = ctl.state.form.field(field).handoff_url.rsplit("/", 1)[-1]
    stack.gateway.handoff_submit(handoff_id, text=text)

    def seen() -> bool:
        ctl.tick()  # the app's Clock does this every 0.5 s
        return ctl.state.form.field(field).handoff_state == "submitted"
    assert bridge.pump_until(seen, 10), ctl.state.form.field(field)
    return handoff_id


def _fill_and_submit(stack, bridge, ctl, before_confirm=None):
    ctl.choose_service("hotline-12345")
    for key, value in {"category": "help", "phone": "13800138000", "street": "njxl"}.items():
        ctl.set_field(key, value)
    handoff_id = _type_on_the_phone(stack, bridge, ctl)
    if before_confirm is not None:
        before_confirm()
    ctl.next()
    assert ctl.state.screen == "confirm"
    ctl.confirm()
    assert bridge.pump_until(lambda: ctl.state.result is not None, 15), ctl.state.error
    return handoff_id


def test_card_auth_submission_and_printed_receipt(kiosk):
    stack, bridge, rt, ctl = kiosk
    _identify_with_card(stack, bridge, ctl)
    ident = ctl.state.identity
    assert ident.method == "idcard" and "*" in ident.display_name
    # the card won the race: the QR ticket was cancelled on the gateway
    assert stack.gateway.tickets
    assert bridge.pump_until(lambda: all(t["state"] == "cancelled" for t in stack.gateway.tickets.values()), 5)
    handoff_id = _fill_and_submit(stack, bridge, ctl)
    result = ctl.state.result
    assert result.delivered is True and result.reference
    assert bridge.pump_until(lambda: ctl.state.result.printed is not None, 10)
    assert ctl.state.result.printed is True
    jobs = stack.printer.wait_jobs(1, timeout=5, complete=True)
    assert any(result.reference in j.text for j in jobs)
    assert stack.gateway.deliveries_by_reference[result.reference] == 1
    # the phone's text reached the gateway and the submission there; the kiosk held only its length
    assert stack.gateway.handoffs[handoff_id]["attached_to"] == result.reference
    assert stack.gateway.handoffs[handoff_id]["text"] == PHONE_TEXT
    assert ctl.state.form is None and PHONE_TEXT not in repr(vars(ctl))
    assert PHONE_TEXT.encode() not in rt.outbox.path.read_bytes()


def test_qr_login_confirmed_on_the_phone(kiosk):
    stack, bridge, rt, ctl = kiosk
    ctl.start_identify()
    assert bridge.pump_until(lambda: ctl.state.qr is not None and ctl.state.qr.state == "waiting", 10)
    stack.gateway.qr_scan()
    assert bridge.pump_until(lambda: (ctl.tick(), ctl.state.qr is not None and ctl.state.qr.state == "scanned")[1], 10)
    stack.gateway.qr_confirm()
    assert bridge.pump_until(lambda: (ctl.tick(), ctl.state.screen == "menu")[1], 10)
    assert ctl.state.identity.method == "qr"
    assert ctl.identify._watch is None  # the card wait ended; the reader polls on unwatched (card anywhere)


def test_paper_out_mid_flow_then_staff_reprint(kiosk):
    stack, bridge, rt, ctl = kiosk
    _identify_with_card(stack, bridge, ctl)
    stack.printer.control("paper_out", after_bytes=200)
    _fill_and_submit(stack, bridge, ctl)
    reference = ctl.state.result.reference
    assert bridge.pump_until(lambda: ctl.state.result.printed is not None, 10)
    assert ctl.state.result.printed is False
    assert "缺纸" in ctl.state.result.print_message.zh or "纸" in ctl.state.result.print_message.zh
    assert ctl.state.result.reference == reference  # the submission itself stands
    ctl.end_session()
    stack.printer.control("paper_loaded")
    assert bridge.pump_until(lambda: ctl.state.devices.printer_ready, 10)
    enter_staff(ctl, bridge)
    ctl.staff_reprint_last()
    assert bridge.pump_until(lambda: any(j.complete and reference in j.text for j in stack.printer.jobs), 10)


def test_gateway_down_at_submission_is_queued_and_sent_later(kiosk):
    stack, bridge, rt, ctl = kiosk
    _identify_with_card(stack, bridge, ctl)
    # the details were typed on the phone (the hand-off needs the gateway), then the gateway went away
    handoff_id = _fill_and_submit(stack, bridge, ctl, before_confirm=stack.gateway.stop)
    result = ctl.state.result
    assert result.delivered is False and result.reference and "不会丢失" in result.message.zh
    assert bridge.pump_until(lambda: ctl.state.result.printed is not None, 10)
    jobs = stack.printer.wait_jobs(1, timeout=5, complete=True)
    assert any("自动提交" in j.text for j in jobs)  # the receipt says it is queued
    assert rt.outbox.depth() == 1
    stack.gateway.start()
    rt.sender.wake()
    assert bridge.pump_until(lambda: rt.outbox.depth() == 0, 20)
    assert stack.gateway.handoffs[handoff_id]["attached_to"] == result.reference  # attached on late delivery


def test_staff_health_checks_against_the_simulators(kiosk):
    stack, bridge, rt, ctl = kiosk
    info = dict(rt.staff_info()["statuses"])
    assert "SAM OK" in info["读卡器 ID reader"] and "在线" in info["读卡器 ID reader"]
    assert info["打印机 printer"].endswith("就绪 ready") and "纸充足" in info["打印机 printer"]
    assert "可达 reachable" in info["政务网关 gateway"] and "不可达" not in info["政务网关 gateway"]
    stack.printer.control("cover_open")
    assert "cover_open" in dict(rt.staff_info()["statuses"])["打印机 printer"]
    assert rt.staff_info()["outbox_depth"] == 0


def test_unwritable_outbox_is_a_clear_start_error(tmp_path):
    from kiosk.runtime import RuntimeStartError

    cfg = load_config(CONFIG_DIR)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cfg = cfg.model_copy(update={
        "outbox": cfg.outbox.model_copy(update={"path": blocker / "outbox.sqlite3"}),
        "devices": cfg.devices.model_copy(update={
            "idcard": cfg.devices.idcard.model_copy(update={"enabled": False}),
            "printer": cfg.devices.printer.model_copy(update={"enabled": False})})})
    rt = Runtime(cfg, QueueBridge())
    with pytest.raises(RuntimeStartError) as info:
        rt.start()
    assert "待发件箱" in info.value.message_zh and str(blocker) in info.value.message_en
    assert rt.device_view().printer == "noDevice" and rt.device_view().idcard == "noDevice"


def test_heartbeat_reports_devices_and_gateway_loss_greys_online_services(kiosk):
    stack, bridge, rt, ctl = kiosk
    beat = stack.gateway.heartbeats[-1]
    assert beat["devices"]["printer"]["status"] == "online" and beat["devices"]["idcard"]["status"] == "online"
    assert "outbox" in beat and beat["app_version"]
    stack.gateway.stop()
    rt.heartbeat.wake()
    assert bridge.pump_until(lambda: not ctl.state.devices.backend_ok, 15)
    items = {i.service_id: i for c in ctl.state.menu for i in c.items}
    assert not items["e-licences"].available and items["hotline-12345"].available


def test_staff_test_card_read_shows_only_masked_data(kiosk):
    stack, bridge, rt, ctl = kiosk
    enter_staff(ctl, bridge)
    stack.idcard.place("resident")
    ctl.staff_test_card()
    assert bridge.pump_until(lambda: ctl.state.staff.message is not None
                             and ctl.state.staff.message.zh.startswith("读卡成功"), 15), ctl.state.staff.message
    shown = ctl.state.staff.message.zh
    full = stack.idcard.card.id_number
    assert full not in shown and full[:4] in shown and "*" in shown


def test_home_during_a_slow_gateway_call_returns_at_once_and_the_late_answer_is_ignored(kiosk):
    stack, bridge, rt, ctl = kiosk
    _identify_with_card(stack, bridge, ctl)
    stack.gateway.inject("timeout", path="/v1/licences", delay_s=5.0)
    ctl.choose_service("e-licences")
    assert ctl.state.busy is not None
    bridge.pump_until(lambda: False, 0.3)
    ctl.home()  # returns without waiting for the gateway: the call runs in a cancelled task
    assert ctl.state.screen == "menu" and ctl.state.busy is None
    bridge.pump_until(lambda: False, 1.0)
    assert ctl.state.screen == "menu" and ctl.state.licences == [] and ctl.state.error is None


@pytest.mark.parametrize("service_id, values", [
    # the date and the time: the first the gateway offers (filled in below, from its slots)
    ("appointment", {"service": "ss-card", "date": None, "slot": None, "phone": "13800138000"}),
    ("certificate-delivery", {"certificate": "ss-card", "phone": "13800138000", "method": "pickup",
                              "pickup_point": "njxl-centre"}),
])
def test_appointment_and_delivery_are_accepted_by_the_gateway(kiosk, service_id, values):
    stack, bridge, rt, ctl = kiosk
    _identify_with_card(stack, bridge, ctl)
    ctl.choose_service(service_id)
    for key, value in values.items():
        if value is None:  # chosen from the gateway's open slots, as the buttons offer them
            assert bridge.pump_until(lambda k=key: ctl.state.form.field(k).options, 15), ctl.state.form
            value = ctl.state.form.field(key).options[0][0]
        ctl.set_field(key, value)
    ctl.next()
    assert ctl.state.screen == "confirm", ctl.state.form
    ctl.confirm()
    assert bridge.pump_until(lambda: ctl.state.result is not None, 15), ctl.state.error
    assert ctl.state.result.delivered is True, ctl.state.result
    assert stack.gateway.deliveries_by_reference[ctl.state.result.reference] == 1


def test_card_read_error_asks_to_place_the_card_again_then_succeeds(kiosk):
    stack, bridge, rt, ctl = kiosk
    ctl.start_identify()
    assert bridge.pump_until(lambda: ctl.state.qr is not None and ctl.state.qr.state == "waiting", 10)
    stack.idcard.set_fault("read_fail")  # SW3 0x41 on every read until cleared
    stack.idcard.place("resident")
    assert bridge.pump_until(lambda: ctl.state.card.state == "error", 10), ctl.state.card
    assert "请重新放置身份证" in ctl.state.card.message.zh
    assert ctl.state.identity is None and ctl.state.screen == "identify"
    stack.idcard.clear_faults()
    stack.idcard.remove()
    assert bridge.pump_until(lambda: ctl.state.card.state in ("waiting", "error"), 5)
    assert bridge.pump_until(lambda: not rt.reader.card_on_reader, 5)  # the reader has seen the empty field
    stack.idcard.place("resident")
    assert bridge.pump_until(lambda: ctl.state.screen == "menu", 10), ctl.state.card


def test_a_broken_audio_device_reaches_staff_at_once(kiosk, caplog):
    """The Player's on_status (kiosk/app.py wires it): logged, the heartbeat beats now, the staff panel says it."""
    from types import SimpleNamespace

    stack, bridge, rt, ctl = kiosk
    woken = []
    real_heartbeat = rt.heartbeat
    rt.heartbeat = SimpleNamespace(wake=lambda: woken.append(1))
    try:
        health = {"status": "hardwareError", "reason": "音频设备无法打开", "action": "maintenance"}
        rt.audio_status(health)
        assert woken == [1] and "audio device hardwareError" in caplog.text
        rt.audio = SimpleNamespace(health=lambda: health)
        rt.heartbeat = real_heartbeat
        line = dict(rt.staff_info()["statuses"])["语音 audio"]
        assert "硬件故障" in line and "音频设备无法打开" in line
    finally:
        rt.heartbeat, rt.audio = real_heartbeat, None
