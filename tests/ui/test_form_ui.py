"""Forms at the kiosk, in the real app window (real GL, real taps): every field filled without a phone.

A 20-character 12345 complaint is typed on the form's pinyin keyboard, submitted and read back from the
gateway simulator; an appointment is booked by tapping the gateway's date and time buttons (nothing typed);
the delivery address is picked district → street → keyboard; a refused character is shown in the banner
and names its spoken prompt. The form's 返回/下一步 sit in the action bar at the bottom, with the step
indicator under the title. The simulator's "today" is pinned, so no test depends on the real date.
"""
from __future__ import annotations

from datetime import date

import pytest

from kiosk import ime
from kiosk.voice.prompts import prompt_for
from kiosk_dev import uidriver as ui

from test_ime_ui import COMPLAINT, _pick, _type
from uiflow import PHONE, open_service, sign_in_with_card, to_address_detail

THURSDAY = date(2026, 12, 3)


class Taps:
    """Counts the taps from the menu on (card placement on the attract screen is not a tap), apart from
    what is typed: keyboard letters and candidates (``form.ime.*``) and phone/number digits (``form.key.*``)."""

    def __init__(self, monkeypatch) -> None:
        self.wids: list[str] = []
        real = ui.tap

        def tap(target):
            widget = real(target)
            self.wids.append(str(getattr(widget, "wid", "")))
            return widget
        monkeypatch.setattr(ui, "tap", tap)

    @property
    def actions(self) -> int:
        return sum(1 for w in self.wids if not w.startswith(("form.ime.", "form.key.")))

    @property
    def typed(self) -> int:
        return len(self.wids) - self.actions


@pytest.fixture(autouse=True)
def _session_picks_wiped():
    """A resident's picks rank first for the rest of their session; here every test is a new resident."""
    yield
    ime.clear_session()


def _keyboard():
    ui.wait_until(lambda: ime.ready() is not None, timeout=30, what="IME engine opened")
    return ui.find("form.ime")


def _submitted(kiosk, service_id: str) -> dict:
    """The fields the gateway simulator received for ``service_id`` (after 确认提交)."""
    ui.tap("confirm.submit")
    ui.wait_screen("result", timeout=15)
    gw = kiosk.gateway
    ui.wait_until(lambda: any(s["service_id"] == service_id for s in gw.submissions.values()), timeout=15,
                  what="submission at the gateway")
    return next(s for s in gw.submissions.values() if s["service_id"] == service_id)["fields"]


def test_complaint_typed_on_the_kiosk_reaches_the_gateway(kiosk, shots, monkeypatch):
    sign_in_with_card(kiosk)
    taps = Taps(monkeypatch)
    open_service(kiosk, "hotline-12345", "form")
    assert ui.text_of("form.step") == "第 2 步 / 共 4 步"
    ui.tap("form.opt.complaint")                     # each complete field moves on to the next
    for digit in PHONE:
        ui.tap(f"form.key.{digit}")
    ui.tap("form.opt.njxl")
    kb = _keyboard()                                  # 诉求内容: the kiosk's keyboard, no phone needed
    assert ui.exists("form.use_phone")                # the phone stays an option beside it
    for letters, word in COMPLAINT:
        _type(kb, letters)
        _pick(kb, word)
    ui.tap("form.ime.key.punct1")
    text = "小区门口路灯坏了一周晚上很黑请尽快修理。"
    assert kiosk.state.form.field("description").value == text and len(text) == 20
    ui.screenshot(shots / "form-12345-keyboard-1080x1920.png")
    back, nxt, panel = ui.find("form.back"), ui.find("form.next"), ui.find("form.input")
    # the action bar: 返回 bottom-left, 下一步 bottom-right, on one line below the input panel
    assert back.x < nxt.x and back.y == nxt.y and back.top <= panel.y and back.right < kiosk.app.root.width / 2
    ui.tap("form.next")
    ui.wait_screen("confirm")
    assert ui.text_of("confirm.step.text") == "第 3 步 / 共 4 步"   # the step after the form's 第 2 步
    fields = _submitted(kiosk, "hotline-12345")
    assert fields["description"] == text and fields["phone"] == PHONE and fields["category"] == "complaint"
    print(f"taps 12345: {taps.actions} + {taps.typed} typed (11 phone digits, the text)")
    assert taps.actions <= 8            # issue 14 §6: 12345 ≤ 8 taps plus what is typed


def test_appointment_booked_by_tapping_slot_buttons(kiosk, shots, monkeypatch):
    kiosk.gateway.routes.slots.slot_book.today = lambda: THURSDAY
    sign_in_with_card(kiosk)
    taps = Taps(monkeypatch)
    open_service(kiosk, "appointment", "form")
    assert not ui.exists("form.key.0")                # no date is typed
    ui.tap("form.opt.ss-card")
    ui.wait_until(lambda: kiosk.state.form.field("date").options, timeout=10, what="slots from the gateway")
    ui.pump(2)
    first_day = kiosk.state.form.field("date").options[0][0]
    assert first_day > THURSDAY.isoformat()
    ui.tap(f"form.opt.{first_day}")
    slot_id, slot_text = kiosk.state.form.field("slot").options[0]
    assert slot_id.startswith(first_day.replace("-", ""))
    ui.screenshot(shots / "form-appointment-slots-1080x1920.png")
    ui.tap(f"form.opt.{slot_id}")
    ui.tap("form.next")
    ui.wait_screen("confirm")
    fields = _submitted(kiosk, "appointment")
    assert fields["date"] == first_day and fields["slot"] == slot_id and fields["service"] == "ss-card"
    print(f"taps 预约办事: {taps.actions} + {taps.typed} typed")
    assert taps.actions <= 6 and taps.typed == 0   # issue 14 §6: 预约办事 ≤ 6, nothing typed


def test_delivery_address_by_district_street_and_keyboard(kiosk):
    to_address_detail(kiosk)
    ui.wait_until(lambda: ime.ready() is not None, timeout=30, what="IME engine opened")
    kb = ui.find("form.address.ime")
    _type(kb, "weihailu")
    _pick(kb, "威海路")
    assert kiosk.state.form.field("address").value == "上海市静安区南京西路街道威海路"
    ui.tap("form.next")
    ui.wait_screen("confirm")
    assert _submitted(kiosk, "certificate-delivery")["address"] == "上海市静安区南京西路街道威海路"


def test_delivery_to_a_pick_up_point_in_few_taps(kiosk, monkeypatch):
    sign_in_with_card(kiosk)
    taps = Taps(monkeypatch)
    open_service(kiosk, "certificate-delivery", "form")
    ui.tap("form.opt.ss-card")
    for digit in PHONE:
        ui.tap(f"form.key.{digit}")
    ui.tap("form.opt.pickup")
    ui.tap("form.opt.njxl-centre")               # the pick-up point is offered next by itself
    ui.tap("form.next")
    ui.wait_screen("confirm")
    fields = _submitted(kiosk, "certificate-delivery")
    assert fields["method"] == "pickup" and fields["pickup_point"] == "njxl-centre" and fields["phone"] == PHONE
    print(f"taps 证照统一物流: {taps.actions} + {taps.typed} typed (11 phone digits)")
    assert taps.actions <= 8                     # issue 14 §6: 证照统一物流 ≤ 8


def test_a_refused_character_is_shown_and_spoken(kiosk):
    sign_in_with_card(kiosk)
    open_service(kiosk, "hotline-12345", "form")
    ui.tap("form.field.description")
    kb = _keyboard()
    _type(kb, "shequ")
    _pick(kb, "社区")
    assert kb.insert("😀") is False                  # e.g. pasted by a test device: never taken
    ui.wait_until(lambda: kiosk.state.error is not None, timeout=5, what="refusal banner")
    ui.pump(2)
    assert ui.text_of("error.message") == "不能输入表情符号，请用文字描述"
    assert ui.text_of("form.ime.message") == "不能输入表情符号，请用文字描述"
    assert prompt_for(kiosk.state) == "error.input_emoji"   # what the app speaks for this state
    assert kiosk.state.form.field("description").value == "社区"
    ui.tap("error.action")                            # one action: back to typing
    assert kiosk.state.error is None and kiosk.state.screen == "form"


def test_the_form_keyboard_fits_in_elder_mode(kiosk, shots):
    sign_in_with_card(kiosk)
    open_service(kiosk, "hotline-12345", "form")   # (the elder menu pages its tiles: switch on the form)
    ui.tap("footer.elder")
    assert kiosk.state.elder_mode
    ui.tap("form.field.description")
    kb = _keyboard()
    ui.pump(4)
    panel, bar = ui.find("form.input"), ui.find("form.actions")
    keys = [ui.find(f"form.ime.key.{c}") for c in "qazm"] + [ui.find("form.ime.key.space"), ui.find("form.use_phone")]
    # every key and the phone option inside the input panel, above the action bar, none squeezed
    assert all(panel.y <= k.y and k.top <= panel.top and k.y >= bar.top for k in keys)
    assert min(k.height for k in keys[:4]) >= 120
    _type(kb, "shequ")
    _pick(kb, "社区")
    assert kiosk.state.form.field("description").value == "社区"
    ui.pump(2)
    panel = ui.find("form.input")
    assert ui.find("form.ime.text").top <= panel.top      # the typed text too: nothing drawn over the fields
    ui.screenshot(shots / "form-12345-keyboard-elder-1080x1920.png")
    ui.tap("footer.elder")                               # the app is shared: leave it in standard mode


def test_the_form_keyboard_fits_in_elder_landscape(kiosk, shots):
    sign_in_with_card(kiosk)
    open_service(kiosk, "hotline-12345", "form")
    ui.tap("footer.elder")
    try:
        ui.set_window_size(1920, 1080)
        ui.pump(6)
        ui.tap("form.field.description")
        kb = _keyboard()
        for letters, word in COMPLAINT * 2:             # two lines of text above the keys
            _type(kb, letters)
            _pick(kb, word)
        _type(kb, "shequ")                              # and a composition with its candidates
        ui.pump(4)
        panel, bar = ui.find("form.input"), ui.find("form.actions")
        parts = [ui.find("form.ime.text"), ui.find("form.ime.composing"), ui.find("form.ime.key.q"),
                 ui.find("form.ime.key.space"), next(w for w in ui.find_all("form.ime.cand.") if ui.visible(w))]
        assert all(panel.y <= w.y and w.top <= panel.top for w in parts), ([(w.wid, w.y, w.top) for w in parts], panel.y, panel.top)
        assert ui.find("form.use_phone").y >= bar.top   # the phone option still there, beside the fields
        assert ui.find("form.ime.key.q").height > 90    # still larger than standard keys
        ui.screenshot(shots / "form-12345-keyboard-elder-1920x1080.png")
    finally:
        ui.set_window_size(1080, 1920)
        ui.pump(4)
        ui.tap("footer.elder")


def test_elder_hand_off_code_gets_the_page_never_smaller_than_standard(kiosk, shots):
    from uiflow import SIZES, set_variant

    sign_in_with_card(kiosk)
    open_service(kiosk, "hotline-12345", "form")
    ui.tap("form.field.description")
    ui.tap("form.use_phone")
    ui.wait_until(lambda: ui.exists("form.handoff_qr"), timeout=10, what="hand-off QR")
    side = lambda: min(ui.find("form.handoff_qr").norm_image_size)  # noqa: E731 — the drawn code
    try:
        for orient in ("portrait", "landscape"):
            set_variant(kiosk, "zh-CN", False, orient)
            standard = side()
            assert ui.exists("form.field.phone")                 # standard mode lists every field beside it
            set_variant(kiosk, "zh-CN", True, orient)
            ui.screenshot(shots / "screens" / f"form-handoff-page-elder-{orient}.png")
            assert not ui.exists("form.field.phone") and side() >= standard, (orient, side(), standard)
            assert "诉求内容" in ui.text_of("form.editing")       # the page names the field
        ui.tap("form.use_keyboard")                              # back to the keyboard: the list is back
        ui.pump(3)
        assert ui.exists("form.field.phone") and ui.exists("form.ime.key.a")
    finally:
        set_variant(kiosk, "zh-CN", False, "portrait")
        ui.set_window_size(*SIZES["portrait"])
