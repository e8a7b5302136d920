"""The on-screen pinyin keyboard, number pad and address picker in the real app window (real GL, real taps).

The service forms are not wired to the keyboard yet (that goes on top of the session split), so the widgets
are mounted over the app in the harness's window, as a form would hold them, and driven by taps on their
keys and candidates only.
"""
from __future__ import annotations

import pytest
from kivy.core.window import Window
from kivy.uix.label import Label

from kiosk import ime
from kiosk_dev import uidriver as ui
from screens.widgets import ModalLayer, Panel

#: a 20-character 12345 complaint, as the pinyin chunks a resident would type and the word picked for each
COMPLAINT = [("xiaoqu", "小区"), ("menkou", "门口"), ("ludeng", "路灯"), ("huaile", "坏了"), ("yizhou", "一周"),
             ("wanshang", "晚上"), ("henhei", "很黑"), ("qingjinkuai", "请尽快"), ("xiuli", "修理")]


@pytest.fixture
def mount(kiosk_app):
    """Put a widget over the app, bottom-aligned in a white panel as the form's input panel is."""
    layers = []

    def put(widget):
        layer = ModalLayer()
        panel = Panel(orientation="vertical", padding=kiosk_app.th.pad, size_hint=(1, 1))
        panel.add_widget(Label(size_hint_y=1))     # the form's fields sit above
        panel.add_widget(widget)
        layer.add_widget(panel)
        Window.add_widget(layer)
        layers.append(layer)
        ui.pump(4)
        return widget

    ime.shared()   # the index opens on a worker in the app; here it is simply ready before the first tap
    yield put
    for layer in layers:
        Window.remove_widget(layer)
    ime.clear_session()
    ui.pump(2)


def _type(kb, letters: str) -> None:
    for ch in letters:
        ui.tap(f"{kb.wid}.key.{ch}")


def _pick(kb, word: str) -> None:
    """Tap the candidate showing ``word``, paging with 更多 as a resident would."""
    for _ in range(20):
        shown = [w for w in ui.find_all(f"{kb.wid}.cand.") if ui.visible(w)]
        hit = next((w for w in shown if w.text == word), None)
        if hit is not None:
            ui.tap(hit)
            return
        assert ui.exists(f"{kb.wid}.more"), f"{word} not offered for {kb.composing}: {kb.candidates()}"
        ui.tap(f"{kb.wid}.more")
    raise AssertionError(f"{word} not found after 20 pages")


def test_twenty_character_complaint_by_taps(kiosk_app, mount, shots):
    from screens.keyboard import PinyinKeyboard

    typed = []
    kb = mount(PinyinKeyboard(wid="ime", cap=1000))
    kb.bind(on_change=lambda _kb, text: typed.append(text))
    for letters, word in COMPLAINT:
        _type(kb, letters)
        assert kb.composing == letters
        _pick(kb, word)
        assert kb.composing == ""
    ui.tap("ime.key.punct1")   # 。
    assert kb.text == "小区门口路灯坏了一周晚上很黑请尽快修理。"
    assert len(kb.text) == 20
    assert typed[-1] == kb.text              # the owner was told every change
    # keys are big enough for a finger: >= 90 px high, wide enough for ten across
    keys = [ui.find(f"ime.key.{c}") for c in "qwertyuiop"]
    assert min(k.height for k in keys) >= 90 and min(k.width for k in keys) >= 85
    _type(kb, "shequweixiu")
    assert kb.candidates()[0] == "社区维修"
    ui.screenshot(shots / "ime-keyboard-1080x1920.png")
    # delete takes letters back first, then characters
    for _ in range(len("shequweixiu")):
        ui.tap("ime.key.delete")
    assert kb.composing == "" and kb.text.endswith("。")
    ui.tap("ime.key.delete")
    assert kb.text == "小区门口路灯坏了一周晚上很黑请尽快修理"


def test_session_pick_ranks_first_then_wiped(kiosk_app, mount):
    from screens.keyboard import PinyinKeyboard

    kb = mount(PinyinKeyboard(wid="ime", cap=100))
    _type(kb, "shequ")
    second = kb.candidates()[1]
    _pick(kb, second)
    _type(kb, "shequ")
    assert kb.candidates()[0] == second
    ime.clear_session()                    # what the session does when it ends
    kb.reset()
    _type(kb, "shequ")
    assert kb.candidates()[0] == "社区" and kb.text == ""


def test_cap_and_refusals_are_shown(kiosk_app, mount):
    from screens.keyboard import PinyinKeyboard

    refused = []
    kb = mount(PinyinKeyboard(wid="ime", cap=3))
    kb.bind(on_refused=lambda _kb, reason: refused.append(reason))
    _type(kb, "shequ")
    _pick(kb, "社区")
    _type(kb, "weixiu")
    _pick(kb, "维修")                       # 社区维修 is 4 > 3: refused, nothing half-typed
    assert kb.text == "社区"
    assert ui.text_of("ime.message") == "最多只能输入 3 个字" == refused[-1]
    assert kb.insert("😀") is False and kb.text == "社区"
    assert ui.text_of("ime.message") == "不能输入表情符号，请用文字描述"


def test_phone_pad_groups_the_number(kiosk_app, mount):
    from screens.phonepad import PhonePad

    pad = mount(PhonePad())
    for d in "138001380001":      # one digit too many: the 12th is not taken
        ui.tap(f"phonepad.key.{d}")
    assert pad.digits == "13800138000"
    assert ui.text_of("phonepad.number") == "138 0013 8000"
    assert min(ui.find(f"phonepad.key.{d}").height for d in "0123456789") >= 90
    ui.tap("phonepad.key.delete")
    assert ui.text_of("phonepad.number") == "138 0013 800"


def test_address_picker_district_street_then_text(kiosk_app, mount, base_cfg, shots):
    from screens.address import AddressPicker

    values = []
    picker = mount(AddressPicker(book=base_cfg.addresses, cap=200))
    picker.bind(on_change=lambda _p, v: values.append(v))
    assert len(ui.find_all("address.district.")) == 16
    ui.tap("address.district.jingan")
    ui.tap("address.street.0")
    assert picker.step == "detail"
    _type(picker._keyboard, "weihailu")
    _pick(picker._keyboard, "威海路")
    assert picker.value == "上海市静安区南京西路街道威海路" == values[-1]
    ui.screenshot(shots / "ime-address-1080x1920.png")
    ui.tap("address.change_district")
    ui.tap("address.district.chongming")   # no streets listed: straight to free text
    assert picker.step == "detail" and picker.value == "上海市崇明区"
    assert [w for w in ui.find_all("address.") if isinstance(w, Label) and "威海路" in w.text] == []


def test_elder_mode_keys_are_larger(kiosk_app, mount, shots):
    from kivy.metrics import Metrics

    from kiosk.theme import resolve, theme_for
    from screens.keyboard import PinyinKeyboard

    standard = kiosk_app.th
    kiosk_app.th = resolve(theme_for(True), Metrics.dpi, Metrics.density)   # what 长辈模式 switches to
    try:
        kb = mount(PinyinKeyboard(wid="ime", cap=200))
        _type(kb, "nihao")
        _pick(kb, "你好")
        _type(kb, "shequ")
        elder_h = min(ui.find(f"ime.key.{c}").height for c in "asdfghjkl")
        assert elder_h >= 120 and elder_h > max(90, standard.target * 1.7)
        assert ui.text_of("ime.text") == "你好"
        ui.screenshot(shots / "ime-keyboard-elder-1080x1920.png")
    finally:
        kiosk_app.th = standard


def test_form_phone_field_uses_the_grouped_pad(kiosk, shots):
    from uiflow import open_service, sign_in_with_card

    sign_in_with_card(kiosk)
    open_service(kiosk, "hotline-12345", "form")
    ui.tap("form.field.phone")
    for digit in "1380013":
        ui.tap(f"form.key.{digit}")
    assert ui.text_of("form.number") == "138 0013"
    assert kiosk.state.form.field("phone").value == "1380013"     # the session keeps plain digits
    assert min(ui.find(f"form.key.{d}").height for d in "0123456789") >= 90
    ui.screenshot(shots / "ime-form-phone-1080x1920.png")
    for digit in "8000":
        ui.tap(f"form.key.{digit}")
    assert kiosk.state.form.field("phone").value == "13800138000"
    assert "138 0013 8000" in ui.text_of("form.field.phone")


def test_keyboard_opens_the_engine_on_a_worker_and_says_when_it_cannot(kiosk_app, mount, monkeypatch, tmp_path):
    from screens.keyboard import PinyinKeyboard

    junk = tmp_path / "ime.sqlite3"
    junk.write_bytes(b"not an index" * 64)
    monkeypatch.setenv("KIOSK_IME_INDEX", str(junk))
    monkeypatch.setattr(ime, "_engine", None)       # as at a cold start: nothing opened yet
    kb = mount(PinyinKeyboard(wid="ime", cap=100))
    _type(kb, "ni")                                  # letters still collect while the worker runs
    ui.wait_until(lambda: ui.text_of("ime.message") == "输入法暂不可用，请用手机扫码填写", timeout=10,
                  what="the keyboard says the IME is unavailable")
    assert kb.composing == "ni" and kb.candidates() == []
    monkeypatch.delenv("KIOSK_IME_INDEX")
    kb2 = mount(PinyinKeyboard(wid="ime2", cap=100))  # the real index: opened on the worker, then used
    ui.wait_until(lambda: ime.ready() is not None and kb2.message == "", timeout=30, what="engine opened")
    _type(kb2, "nihao")
    assert kb2.candidates()[0] == "你好"
