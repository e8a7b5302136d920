"""The session state machine with a fake runtime and a fake clock: identification, flows, printing, menu."""
from __future__ import annotations

from types import SimpleNamespace

from kiosk.backend.errors import NetworkError
from kiosk.session.state import DeviceView

from session_fakes import FakeCard, all_ready, auth, identify_by_card, make, phone_fills, qr_ticket


def test_starts_on_attract_with_no_login_services_and_terminal_name():
    ctl, rt, _ = make()
    s = ctl.state
    assert s.screen == "attract"
    assert s.lang == "zh-CN"
    assert s.terminal.id == "SH-JA-NJXL-01"
    assert {i.service_id for i in s.attract_services} == {"queue-ticket", "service-guides"}
    assert all(not i.needs_login for i in s.attract_services)
    menu_ids = {i.service_id for c in s.menu for i in c.items}
    assert {"hotline-12345", "e-licences", "social-insurance-record"} <= menu_ids


def test_listeners_see_every_change_with_increasing_version():
    ctl, rt, _ = make()
    seen = []
    ctl.subscribe(lambda st: seen.append((st.version, st.lang)))
    ctl.set_language("en")
    ctl.toggle_elder_mode()
    assert [v for v, _ in seen] == sorted(v for v, _ in seen) and len(seen) == 2
    assert seen[0][1] == "en" and ctl.state.elder_mode


def test_card_identification_reaches_menu_with_masked_name_and_cancels_qr():
    ctl, rt, _ = make()
    ctl.start_identify()
    assert ctl.state.screen == "identify"
    assert rt.polling[-1] is True
    assert ctl.state.card.state == "waiting"
    rt.finish("qr_create", qr_ticket())
    assert ctl.state.qr.state == "waiting" and ctl.state.qr.qr_url.endswith("T1")
    card = FakeCard()
    rt.place_card(card)
    assert ctl.state.busy is not None  # identity check in progress shows progress
    rt.finish("auth", auth("张*"))
    s = ctl.state
    assert s.screen == "menu"
    assert s.identity.display_name == "张*" and s.identity.method == "idcard"
    assert s.qr is None and s.busy is None
    assert rt.watch is None  # the card wait ended (the reader polls on unwatched: test_card_anywhere.py)
    assert rt.has_pending("qr_cancel")  # the QR ticket is cancelled on the gateway
    assert "tok-secret" not in repr(s)


def test_qr_wins_the_race_and_turns_card_polling_off():
    ctl, rt, clock = make()
    ctl.start_identify()
    rt.finish("qr_create", qr_ticket(interval=2.0))
    clock.advance(2.1)
    ctl.tick()
    rt.finish("qr_poll", SimpleNamespace(state="scanned", interval_s=2.0, session=None))
    assert ctl.state.qr.state == "scanned"
    assert "确认" in ctl.state.qr.message.zh
    clock.advance(2.1)
    ctl.tick()
    rt.finish("qr_poll", SimpleNamespace(state="confirmed", interval_s=2.0, session=auth("李*")))
    assert ctl.state.screen == "menu" and ctl.state.identity.method == "qr"
    assert rt.watch is None  # the card wait ended (the reader polls on unwatched: test_card_anywhere.py)
    # a card arriving afterwards is ignored and wiped
    late = FakeCard()
    rt.place_card(late)
    assert late.wiped and not rt.has_pending("auth")


def test_card_wins_while_qr_poll_in_flight_and_late_poll_result_is_ignored():
    ctl, rt, clock = make()
    ctl.start_identify()
    rt.finish("qr_create", qr_ticket())
    clock.advance(2.5)
    ctl.tick()
    poll = rt.pending("qr_poll")
    rt.place_card(FakeCard())
    rt.finish("auth", auth())
    assert poll.cancelled
    assert ctl.state.identity.method == "idcard"


def test_qr_confirmed_while_card_check_in_flight_wins_and_ignores_the_card():
    ctl, rt, clock = make()
    ctl.start_identify()
    rt.finish("qr_create", qr_ticket())
    clock.advance(2.5)
    ctl.tick()
    rt.place_card(FakeCard())
    card_check = rt.pending("auth")
    rt.finish("qr_poll", SimpleNamespace(state="confirmed", interval_s=2.0, session=auth("李*")))
    assert card_check.cancelled and ctl.state.identity.method == "qr" and ctl.state.busy is None


def test_qr_expiry_does_not_refresh_by_itself_and_refresh_creates_a_new_ticket():
    ctl, rt, clock = make()
    ctl.start_identify()
    rt.finish("qr_create", qr_ticket(ttl=5, interval=2))
    for _ in range(4):
        clock.advance(2.0)
        ctl.tick()
        if rt.has_pending("qr_poll"):
            rt.finish("qr_poll", SimpleNamespace(state="waiting", interval_s=2.0, session=None))
    assert ctl.state.qr.state == "expired"
    assert "刷新" in ctl.state.qr.message.zh
    created = len([t for t in rt.tasks if t.name == "qr_create"])
    clock.advance(30)
    ctl.tick()
    assert len([t for t in rt.tasks if t.name == "qr_create"]) == created  # no endless refresh
    ctl.refresh_qr()
    assert rt.has_pending("qr_create")


def test_qr_slow_down_lengthens_the_poll_interval():
    ctl, rt, clock = make()
    ctl.start_identify()
    rt.finish("qr_create", qr_ticket(interval=2))
    clock.advance(2.0)
    ctl.tick()
    rt.finish("qr_poll", SimpleNamespace(state="waiting", interval_s=2.0, session=None, slow_down=True))
    clock.advance(6.5)
    ctl.tick()
    assert not rt.has_pending("qr_poll")  # 2 s + 5 s
    clock.advance(0.6)
    ctl.tick()
    assert rt.has_pending("qr_poll")


def test_expired_gateway_session_sends_the_resident_to_identify_then_back():
    from kiosk.backend.errors import AuthError

    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    ctl.choose_service("e-licences")
    rt.fail("licences", AuthError("token expired"))
    assert ctl.state.screen == "identify" and ctl.state.identity is None
    rt.place_card(FakeCard())
    rt.finish("auth", auth())
    assert rt.has_pending("licences")


def test_card_error_says_place_again_and_card_removal_keeps_session():
    ctl, rt, _ = make()
    ctl.start_identify()
    ctl.on_card_error("读卡失败", "read failed", "80")
    assert ctl.state.card.state == "error" and "请重新放置身份证" in ctl.state.card.message.zh
    rt.place_card(FakeCard())
    rt.finish("auth", auth())
    ctl.on_card_removed()
    assert ctl.state.screen == "menu" and ctl.state.identity is not None


def test_auth_failure_is_shown_with_the_backend_reason():
    ctl, rt, _ = make()
    ctl.start_identify()
    rt.place_card(FakeCard())
    rt.fail("auth", NetworkError("down"))
    assert ctl.state.screen == "identify" and ctl.state.card.state == "error"
    assert ctl.state.card.message.zh and ctl.state.busy is None


def test_back_from_identify_cancels_qr_card_and_auth():
    ctl, rt, _ = make()
    ctl.start_identify()
    rt.finish("qr_create", qr_ticket())
    rt.place_card(FakeCard())
    auth_task = rt.pending("auth")
    ctl.back()
    assert ctl.state.screen == "attract"
    assert auth_task.cancelled and rt.polling[-1] is False
    assert rt.has_pending("qr_cancel")
    assert ctl.state.busy is None


def test_queue_ticket_without_login_prints_and_reports_printing_outcome():
    ctl, rt, _ = make()
    ctl.choose_service("queue-ticket")
    assert ctl.state.busy is not None
    rt.finish("queue", SimpleNamespace(number="A023", window_zh="3号窗口", window_en="Window 3"))
    s = ctl.state
    assert s.screen == "result" and s.result.reference == "A023"
    assert "3号窗口" in s.result.message.zh
    assert rt.printed[-1][0] == "queue_ticket" and s.result.printed is None
    ctl.on_print_done(rt.printed_jobs[-1])
    assert s.result.printed is True


def test_guide_browse_and_print_copy():
    ctl, rt, _ = make()
    ctl.choose_service("service-guides")
    assert ctl.state.screen == "guide" and ctl.state.guide is None
    topics = {t.service_id for t in ctl.state.guide_topics}
    assert "social-insurance-record" in topics and "service-guides" not in topics
    ctl.open_guide("social-insurance-record")
    guide = SimpleNamespace(title_zh="指南", title_en="Guide", sections=[
        SimpleNamespace(heading_zh="材料", heading_en="Documents", items_zh=["身份证"], items_en=["ID card"])])
    rt.finish("guide", guide)
    assert ctl.state.screen == "guide" and ctl.state.guide.sections[0][0].zh == "材料"
    ctl.print_current()
    assert rt.printed[-1][0] == "service_guide"
    ctl.on_print_failed(rt.printed_jobs[-1], "缺纸", "out of paper", "clear")
    assert "缺纸" in ctl.state.notice.zh
    ctl.back()
    assert ctl.state.screen == "guide" and ctl.state.guide is None and ctl.state.guide_topics


def test_login_service_from_attract_goes_through_identify_then_straight_into_it():
    ctl, rt, _ = make()
    identify_by_card(ctl, rt, service="e-licences")
    assert rt.has_pending("licences")
    png = b"\x89PNG\r\n\x1a\nfake"
    rt.finish("licences", [SimpleNamespace(name_zh="驾驶证", name_en="Driving licence", number="3101**********12",
                                           image_png=png)])
    assert ctl.state.screen == "licence" and ctl.state.licences[0].image_png == png
    ctl.print_current(5)  # no such licence: nothing printed
    assert not rt.printed
    ctl.print_current()  # config: e-licences params.printable is true → a watermarked copy of the one shown
    assert [(kind, data.name_zh) for kind, data, _ in rt.printed] == [("licence_copy", "驾驶证")]


def test_record_flow_fetches_shows_and_prints():
    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    ctl.choose_service("social-insurance-record")
    record = SimpleNamespace(title_zh="社保缴费记录", title_en="Social insurance", holder="王*明",
                             columns=[SimpleNamespace(key="month", zh="月份", en="Month")], rows=[{"month": "2026-10"}])
    rt.finish("record", record)
    rec = ctl.state.record
    assert ctl.state.screen == "record" and rec.table == [["2026-10"]] and rec.columns[0].zh == "月份"
    assert rec.holder == "王*明" and rec.rows[1][0].zh == "2026-10"
    ctl.print_current()
    assert rt.printed[-1][0] == "record_printout"


def fill_12345(ctl):
    ctl.choose_service("hotline-12345")
    assert ctl.state.screen == "form"
    ctl.set_field("category", "help")
    ctl.set_field("phone", "13800138000")
    ctl.set_field("street", "njxl")
    phone_fills(ctl, ctl.core.rt, ctl.core.clock)  # 诉求内容 typed on the phone


def test_form_validation_then_confirm_submit_delivered_and_receipt_printed():
    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    ctl.choose_service("hotline-12345")
    ctl.set_field("phone", "138")
    assert ctl.state.form.field("phone").error is None  # still typing: no red error yet
    ctl.set_field("phone", "12345678901")
    assert ctl.state.form.field("phone").error is not None  # 11 digits but not a mobile number
    ctl.set_field("phone", "138")
    ctl.next()
    assert ctl.state.screen == "form" and ctl.state.error is not None
    assert ctl.state.form.field("phone").error is not None and ctl.state.form.field("category").error is not None
    assert ctl.state.error.action == "back"
    ctl.back()  # the error's button: back to the form, values kept
    assert ctl.state.screen == "form" and ctl.state.error is None and ctl.state.form.field("phone").value == "138"
    handoff = ctl.state.form.field("description")
    assert handoff.kind == "handoff" and handoff.handoff_state == "loading" and handoff.handoff_url is None
    ctl.set_field("category", "help")
    ctl.set_field("phone", "13800138000")
    ctl.set_field("street", "njxl")
    assert not ctl.state.form.can_confirm  # 诉求内容 is required and not typed yet
    phone_fills(ctl, rt, ctl.core.clock, length=57)
    assert ctl.state.form.field("description").handoff_status.zh == "已在手机上填写（57 字）"
    assert ctl.state.form.can_confirm
    ctl.next()
    assert ctl.state.screen == "confirm"
    ctl.confirm()
    task = rt.pending("submit")
    submitted = {}
    rt.submit = lambda sid, kind, fields, token: submitted.update(sid=sid, kind=kind, fields=fields, token=token)
    task.fn(None)
    assert submitted["kind"] == "12345" and submitted["token"] == "tok-secret"
    assert submitted["fields"]["description"] == "handoff:ho_T1"
    rt.finish("submit", SimpleNamespace(reference="SHJA-20261127-ABC123", delivered=True, status="delivered"))
    s = ctl.state
    assert s.screen == "result" and s.result.delivered is True and s.result.reference == "SHJA-20261127-ABC123"
    assert s.form is None
    assert rt.printed[-1][0] == "submission_receipt"


def test_gateway_down_at_submission_result_says_queued():
    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    fill_12345(ctl)
    ctl.next()
    ctl.confirm()
    rt.finish("submit", SimpleNamespace(reference="SHJA-20261127-XYZ999", delivered=False, status="queued"))
    r = ctl.state.result
    assert r.delivered is False and "不会丢失" in r.message.zh and r.reference
    assert rt.printed[-1][1]["result"].delivered is False


def test_printer_out_of_paper_mid_flow_is_truthful_and_submission_kept():
    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    fill_12345(ctl)
    ctl.next()
    ctl.confirm()
    rt.finish("submit", SimpleNamespace(reference="R-1", delivered=True, status="delivered"))
    ctl.on_print_failed(rt.printed_jobs[-1], "打印机缺纸", "out of paper", "clear")
    r = ctl.state.result
    assert r.printed is False and "缺纸" in r.print_message.zh and "已保存" in r.print_message.zh
    assert r.reference == "R-1"


def test_printer_not_ready_before_printing_says_so():
    ctl, rt, _ = make()
    ctl.on_devices(DeviceView(printer="online", idcard="online", backend="online", paper="out",
                              printer_ready=False, reader_online=True, backend_ok=True))
    identify_by_card(ctl, rt)
    fill_12345(ctl)
    ctl.next()
    ctl.confirm()
    rt.finish("submit", SimpleNamespace(reference="R-2", delivered=True, status="delivered"))
    assert ctl.state.result.printed is False and "缺纸" in ctl.state.result.print_message.zh
    assert not rt.printed


def test_menu_greys_services_with_reasons():
    ctl, rt, _ = make()
    ctl.on_devices(DeviceView(printer="online", idcard="online", backend="offline", paper="out",
                              printer_ready=False, reader_online=True, backend_ok=False))
    items = {i.service_id: i for c in ctl.state.menu for i in c.items}
    assert not items["queue-ticket"].available and items["queue-ticket"].reason.zh == "打印机缺纸，请联系工作人员"
    assert not items["e-licences"].available and "网络" in items["e-licences"].reason.zh
    assert items["hotline-12345"].available  # submissions go to the outbox
    ctl.choose_service("queue-ticket")
    assert ctl.state.error is not None and not rt.has_pending("queue")


def test_fetch_error_offers_retry_which_runs_again():
    ctl, rt, _ = make()
    ctl.choose_service("service-guides")
    ctl.open_guide("hotline-12345")
    rt.fail("guide", NetworkError("down"))
    assert ctl.state.error.action == "retry" and ctl.state.busy is None
    ctl.retry()
    assert rt.has_pending("guide")


def test_home_cancels_pending_fetch():
    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    ctl.choose_service("e-licences")
    task = rt.pending("licences")
    ctl.home()
    assert task.cancelled and ctl.state.screen == "menu" and ctl.state.busy is None


def test_unknown_service_is_a_clear_message():
    ctl, rt, _ = make()
    ctl.choose_service("no-such-service")
    assert ctl.state.error is not None and ctl.state.screen == "attract"


def test_help_is_recorded_and_an_unreachable_gateway_gives_numbers_to_call():
    ctl, rt, _ = make()
    ctl.request_help()
    assert rt.help == ["attract"] and ctl.state.help.live
    rt.fail("help_create", NetworkError("down"))  # tests/unit/test_help_session.py has the whole flow
    assert "12345" in ctl.state.help.message.zh and not ctl.state.help.live
    ctl.touch()
    assert ctl.state.help is None


def test_print_done_arriving_before_the_print_task_answer_is_not_lost():
    """The session names the job before the printer sees it, so the printer's answer always finds it."""
    ctl, rt, _ = make()
    rt.auto_print = False
    ctl.choose_service("queue-ticket")
    rt.finish("queue", SimpleNamespace(number="A7", window_zh="1号窗口", window_en="Window 1"))
    task = [t for t in rt.tasks if t.name.startswith("print-")][-1]
    job = task.fn(None)  # the worker hands the job to the printer …
    assert ctl.state.result.printed is None
    ctl.on_print_done(job)  # … which finishes before the task's answer reaches the UI thread
    assert ctl.state.result.printed is True
    task.ended = True
    task.on_done(job)
    assert ctl.state.result.printed is True


def test_events_of_unknown_print_jobs_are_ignored():
    ctl, rt, _ = make()
    ctl.choose_service("queue-ticket")
    rt.finish("queue", SimpleNamespace(number="A7", window_zh="1号窗口", window_en="Window 1"))
    ctl.on_print_failed("J99999", "缺纸", "out of paper")  # another job's event (a wiped session's copy)
    assert ctl.state.result.printed is None and ctl.state.notice is None


def test_printer_refusing_a_job_is_a_message():
    from devices.errors import DeviceUnavailable

    ctl, rt, _ = make()
    rt.print_error = DeviceUnavailable("gone", message_zh="打印机未连接")
    ctl.choose_service("queue-ticket")
    rt.finish("queue", SimpleNamespace(number="A8", window_zh="1号窗口", window_en="Window 1"))
    r = ctl.state.result
    assert r.printed is False and "打印机未连接" in r.print_message.zh and r.reference == "A8"


def test_reader_offline_sends_residents_to_qr_and_comes_back():
    ctl, rt, _ = make()
    offline = DeviceView(printer="online", idcard="offline", backend="online", paper="full", printer_ready=True,
                         reader_online=False, backend_ok=True)
    ctl.on_devices(offline)
    ctl.start_identify()
    assert ctl.state.card.state == "error" and "扫码" in ctl.state.card.message.zh
    assert rt.polling == []  # never asked an offline reader to poll
    assert rt.has_pending("qr_create")  # the QR path still works
    ctl.on_devices(all_ready())
    assert ctl.state.card.state == "waiting" and rt.polling[-1] is True


def test_language_switch_changes_nothing_but_the_language():
    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    before = (ctl.state.screen, ctl.state.identity.display_name)
    ctl.set_language("en")
    assert ctl.state.lang == "en" and (ctl.state.screen, ctl.state.identity.display_name) == before
    assert ctl.state.menu[0].title.get("en") != ctl.state.menu[0].title.get("zh-CN")


def test_unavailable_login_service_says_why_before_asking_for_identification():
    ctl, rt, _ = make()
    ctl.on_devices(DeviceView(printer="online", idcard="online", backend="online", paper="out",
                              printer_ready=False, reader_online=True, backend_ok=True))
    ctl.choose_service("social-insurance-record")
    assert ctl.state.screen == "attract" and "缺纸" in ctl.state.error.text.zh
    assert not rt.has_pending("qr_create") and rt.polling == []


def test_every_session_message_is_drawable_by_the_configured_font():
    from kiosk.config.loader import load_config
    from kiosk.fonts import load_font
    from kiosk.runtime import _PAPER_ZH, _STATUS_ZH
    from kiosk.session.text import MSG

    from session_fakes import CONFIG_DIR

    font = load_font(load_config(CONFIG_DIR).display.font_path)
    texts = [t.zh for t in MSG.values()] + [t.en for t in MSG.values()]
    texts += list(_STATUS_ZH.values()) + list(_PAPER_ZH.values())
    texts += ["读卡器 ID reader — 安全模块正常 SAM OK · 自检失败 check failed 政务网关 不可达 一键求助 本次启动后"]
    assert len(texts) > 100
    assert font.missing(texts) == set()


def test_an_e_licence_number_the_gateway_sends_in_full_is_shown_masked():
    """One masking rule everywhere: the screen shows the e-licence number as paper does, whatever the gateway sent."""
    ctl, rt, _ = make()
    identify_by_card(ctl, rt, service="e-licences")
    rt.finish("licences", [SimpleNamespace(name_zh="驾驶证", name_en="Driving licence", number="310106199001010023",
                                           image_png=b"\x89PNG\r\n\x1a\nfake")])
    shown = ctl.state.licences[0]
    assert shown.number_masked == "3101**********0023"
    assert "310106199001010023" not in repr(ctl.state)
