"""Every resident flow, tapped through the real app with real touches, against the real simulators."""
from __future__ import annotations

from kivy.clock import Clock

from kiosk_dev import uidriver as ui
from screens.overlays import BusyLayer
from uiflow import PHONE, RESIDENT, open_service, phone_fills_handoff, sign_in_with_card


def test_card_to_menu_to_queue_ticket(kiosk, shots):
    sign_in_with_card(kiosk)
    assert "李" in ui.text_of("menu.welcome") and RESIDENT["name"] not in ui.text_of("menu.welcome")
    ui.screenshot(shots / "flow-menu.png")
    open_service(kiosk, "queue-ticket", "result")
    ui.wait_until(lambda: kiosk.state.result.printed is not None, timeout=10, what="ticket printed")
    ui.pump(3)
    assert kiosk.state.result.printed is True
    assert ui.text_of("result.card_title") == "请取走凭条" and ui.find("result.pointer").text
    assert ui.text_of("result.reference") == kiosk.state.result.reference != ""
    ui.screenshot(shots / "flow-queue-result.png")
    jobs = kiosk.printer.wait_jobs(1, timeout=5)
    assert jobs and jobs[-1].complete


def test_guide_without_login(kiosk, shots):
    ui.wait_screen("attract")
    ui.tap("attract.svc.service-guides")
    ui.wait_until(lambda: ui.current_screen() == "guide" and kiosk.state.guide_topics, timeout=10,
                  what="guide topics")
    ui.pump(3)
    ui.screenshot(shots / "flow-guide-topics.png")
    topic = kiosk.state.guide_topics[0].service_id
    ui.tap(f"guide.topic.{topic}")
    ui.wait_until(lambda: kiosk.state.guide is not None and kiosk.state.busy is None, timeout=10,
                  what="guide text")
    ui.pump(3)
    assert kiosk.state.guide is not None and kiosk.state.guide.sections
    heading = kiosk.state.guide.sections[0][0].zh
    assert ui.text_of("guide.h.0") == heading
    ui.screenshot(shots / "flow-guide.png")
    ui.tap("guide.print")
    kiosk.printer.wait_jobs(1, timeout=8)


def test_record_table_and_print(kiosk, shots):
    sign_in_with_card(kiosk)
    open_service(kiosk, "social-insurance-record", "record")
    record = kiosk.state.record
    assert record.columns and record.table
    assert ui.text_of("record.col.0") == record.columns[0].zh
    assert ui.text_of("record.cell.0.0") == str(record.table[0][0])
    last = len(record.table) - 1
    assert ui.text_of(f"record.cell.{last}.{len(record.columns) - 1}") == str(record.table[last][-1])
    ui.screenshot(shots / "flow-record.png")
    ui.tap("record.print")
    kiosk.printer.wait_jobs(1, timeout=8)


def test_e_licence_images(kiosk, shots):
    sign_in_with_card(kiosk)
    open_service(kiosk, "e-licences", "licence")
    assert kiosk.state.licences
    image = ui.find("licence.image.0")
    assert image.texture is not None and image.texture.width > 10
    ui.screenshot(shots / "flow-licence.png")


def _fill_12345(kiosk, shots=None):
    open_service(kiosk, "hotline-12345", "form")
    ui.tap("form.field.category")
    ui.tap("form.opt.consult")
    ui.tap("form.field.phone")
    for digit in PHONE:
        ui.tap(f"form.key.{digit}")
    ui.tap("form.field.phone")  # back to the phone number (the pad moved on after 11 digits)
    ui.tap("form.key.delete")
    assert kiosk.state.form.field("phone").value == PHONE[:-1]
    ui.tap(f"form.key.{PHONE[-1]}")
    assert kiosk.state.form.field("phone").value == PHONE
    ui.tap("form.field.street")
    ui.tap("form.opt.njxl")
    ui.tap("form.field.description")
    assert ui.exists("form.ime.key.a")  # the kiosk's own keyboard first; the phone is the option beside it
    ui.tap("form.use_phone")
    ui.wait_until(lambda: ui.exists("form.handoff_qr"), timeout=10, what="hand-off QR")
    assert ui.text_of("form.handoff") == kiosk.state.form.field("description").handoff_status.zh
    assert ui.find("form.handoff_qr").texture is not None
    if shots is not None:
        ui.screenshot(shots / "flow-form.png")
    phone_fills_handoff(kiosk)
    assert not ui.exists("form.handoff_qr")  # the code is gone once the phone has sent the text
    assert "已在手机上填写" in ui.text_of("form.handoff")
    ui.tap("form.next")
    ui.wait_screen("confirm")


def test_12345_form_confirm_result(kiosk, shots):
    sign_in_with_card(kiosk)
    _fill_12345(kiosk, shots)
    assert ui.text_of("confirm.v.phone") == PHONE
    ui.screenshot(shots / "flow-confirm.png")
    ui.tap("confirm.submit")
    ui.wait_until(lambda: ui.current_screen() == "result" and kiosk.state.result.delivered is not None,
                  timeout=15, what="submission result")
    ui.wait_until(lambda: kiosk.state.result.printed is not None, timeout=10, what="receipt")
    ui.pump(3)
    assert kiosk.state.result.delivered is True
    assert ui.text_of("result.title") == "已提交成功"
    assert ui.text_of("result.reference") == kiosk.state.result.reference
    ui.screenshot(shots / "flow-result.png")


def test_gateway_down_at_submission_says_queued(kiosk, shots):
    sign_in_with_card(kiosk)
    _fill_12345(kiosk)
    kiosk.gateway.stop()
    ui.tap("confirm.submit")
    ui.wait_until(lambda: ui.current_screen() == "result" and kiosk.state.result.delivered is not None,
                  timeout=20, what="queued result")
    ui.pump(3)
    assert kiosk.state.result.delivered is False
    assert "待网络恢复后自动提交" in ui.text_of("result.title")
    assert kiosk.rt.outbox.depth() >= 1
    ui.screenshot(shots / "flow-result-queued.png")


def test_printer_out_of_paper_mid_flow(kiosk, shots):
    sign_in_with_card(kiosk)
    open_service(kiosk, "social-insurance-record", "record")
    kiosk.printer_ctl("paper_out", after_bytes=40)
    ui.tap("record.print")
    # the print ends on the full result screen: what failed and what to do, not a bar at the top
    ui.wait_until(lambda: ui.current_screen() == "result" and kiosk.state.result.printed is False, timeout=15,
                  what="print failure shown")
    ui.pump(3)
    assert ui.find("result.card_icon").name == "print_disabled"
    assert ui.text_of("result.card_title") == "没有打印出来"
    shown = ui.text_of("result.card_text")
    assert "打印失败" in shown and "重新打印" in shown and "一键求助" in shown, shown
    assert not ui.exists("result.pointer")  # nothing came out: no pointer to the slot
    ui.screenshot(shots / "flow-paper-out.png")
    ui.tap("result.continue")  # 返回: the record again, as it was
    ui.wait_screen("record")
    assert ui.exists("record.cell.0.0")
    # the menu now greys printing services WITH the reason
    ui.tap("footer.home")
    ui.wait_screen("menu")
    ui.wait_until(lambda: ui.find("menu.svc.queue-ticket").disabled, timeout=10, what="queue ticket greyed")
    ui.pump(2)
    assert "暂不可用" in ui.text_of("menu.svc.queue-ticket")


def test_qr_scan_confirm_and_expiry(kiosk, shots):
    ui.wait_screen("attract")
    ui.tap("attract.qr")
    ui.wait_until(lambda: kiosk.state.qr is not None and kiosk.state.qr.state == "waiting", timeout=10,
                  what="QR shown")
    ui.pump(3)
    assert ui.find("identify.qr").texture is not None
    ui.screenshot(shots / "flow-identify.png")
    kiosk.gateway.qr_expire()
    ui.wait_until(lambda: kiosk.state.qr.state == "expired", timeout=10, what="QR expired")
    ui.pump(3)
    assert ui.find("identify.qr").texture is not None and ui.find("identify.qr").color[3] < 0.5  # grey QR
    refresh = ui.find("identify.qr_refresh")
    assert not refresh.disabled
    ui.screenshot(shots / "flow-qr-expired.png")
    ui.tap(refresh)
    ui.wait_until(lambda: kiosk.state.qr.state == "waiting", timeout=10, what="fresh QR")
    kiosk.gateway.qr_scan()
    ui.wait_until(lambda: kiosk.state.qr.state == "scanned", timeout=10, what="scanned")
    ui.pump(3)
    assert "请在手机上确认" in ui.text_of("identify.qr_message")
    assert ui.find("identify.qr").texture is None  # the code is hidden once scanned
    kiosk.gateway.qr_confirm()
    ui.wait_screen("menu", timeout=10)
    assert "王" in ui.text_of("menu.welcome")


def test_card_read_error_says_what_to_do(kiosk, shots):
    ui.wait_screen("attract")
    ui.tap("attract.card")
    ui.wait_screen("identify")
    ui.wait_until(lambda: kiosk.state.card.state == "waiting", timeout=5, what="reader polling")
    kiosk.card("fault", kind="read_fail", count=3)
    kiosk.card("place", card="resident")
    ui.wait_until(lambda: kiosk.state.card.state == "error", timeout=10, what="card error")
    ui.pump(3)
    text = ui.text_of("identify.card_message")
    assert "身份证" in text, text
    ui.screenshot(shots / "flow-card-error.png")


def test_tap_in_empty_area_changes_nothing(kiosk):
    ui.wait_screen("attract")
    before = (ui.current_screen(), kiosk.state.version)
    brand = ui.find("attract.clock")
    # the gap below the clock holds no widget
    ui.tap_at(brand.to_window(brand.x, brand.y)[0] + 5, brand.to_window(brand.x, brand.y)[1] - 60)
    ui.pump(3)
    assert (ui.current_screen(), kiosk.state.version) == before
    ui.tap("attract.card")
    ui.wait_screen("identify")


def test_language_switch_and_elder_mode_from_the_attract_screen(kiosk, shots):
    ui.wait_screen("attract")
    body = ui.find("attract.login_hint").font_size
    ui.tap("footer.lang")
    assert ui.text_of("attract.title") == "Welcome to One-Network self-service"
    assert ui.text_of("attract.terminal") == kiosk.cfg.terminal.name_en
    assert ui.text_of("footer.lang") == "中文"
    ui.screenshot(shots / "attract-en.png")
    ui.tap("footer.lang")
    assert ui.text_of("attract.title") == "欢迎使用一网通办自助服务"
    ui.tap("footer.elder")
    assert kiosk.state.elder_mode and ui.find("attract.login_hint").font_size > body
    assert ui.text_of("footer.elder") == "标准模式"  # the switch says what it does next, in words
    ui.tap("footer.elder")
    assert ui.find("attract.login_hint").font_size == body


def test_form_moves_on_by_itself_and_progress_waits_300ms(kiosk, monkeypatch):
    sign_in_with_card(kiosk)
    open_service(kiosk, "hotline-12345", "form")
    ui.tap("form.opt.complaint")  # the first field is open already; choosing moves to the next one
    assert kiosk.state.form.field("category").value == "complaint"
    assert "联系电话" in ui.text_of("form.editing")
    for digit in PHONE:
        ui.tap(f"form.key.{digit}")
    assert "事发街道" in ui.text_of("form.editing")  # 11 digits in: on to the next field
    # a slow gateway: the progress dialog blocks taps at once but shows itself only after 300 ms. The
    # dialog's own moments are recorded (attached, revealed) on Kivy's frame clock, which is what the
    # reveal is scheduled on, and compared — rather than looking at the screen right after the tap: on a
    # busy machine the tap alone can take longer than 300 ms.
    moments: list[tuple[str, float]] = []
    real_show, real_start = BusyLayer.show, BusyLayer._start

    def show(self, state):
        moments.append(("shown", Clock.get_time()))
        real_show(self, state)

    def _start(self, dt):  # same name: Kivy's Clock holds it as a weak method looked up by name
        moments.append(("revealed", Clock.get_time()))
        real_start(self, dt)

    monkeypatch.setattr(BusyLayer, "show", show)
    monkeypatch.setattr(BusyLayer, "_start", _start)
    kiosk.gateway.inject("slow", times=1, delay_s=5.0, path="/v1/queue-tickets")
    ui.tap("footer.home")
    ui.wait_screen("menu")
    ui.tap("menu.svc.queue-ticket")
    assert kiosk.state.busy is not None  # taps are blocked from the tap on
    ui.wait_until(lambda: ui.exists("busy.message"), timeout=10, what="progress dialog")
    shown = next(t for name, t in moments if name == "shown")
    revealed = next(t for name, t in moments if name == "revealed")
    assert revealed - shown >= BusyLayer.REVEAL_AFTER_S - 0.01, moments  # never sooner than 300 ms
    ui.wait_until(lambda: kiosk.state.busy is None, timeout=15, what="queue ticket")
    ui.pump(2)
    assert not ui.exists("busy.message")
