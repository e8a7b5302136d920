"""A form keeps what the resident typed when the screen is rotated (issue 14: staff may mount the kiosk in
landscape; a rotation rebuilds every screen's grids). Rotating is a rebuild, not a wipe: the characters
already typed, the pinyin still being composed with its candidates, the field being filled, the choice of
keyboard or phone and the address picker's district/street all survive it; the end of the session still
wipes them (tests/ui/test_session_ui.py, tests/ui/privacy.py)."""
from __future__ import annotations

import pytest

from kiosk import ime
from kiosk_dev import uidriver as ui

from test_ime_ui import _pick, _type
from uiflow import PHONE, SIZES, open_service, sign_in_with_card, to_address_detail


@pytest.fixture(autouse=True)
def _portrait_again():
    yield
    ui.set_window_size(*SIZES["portrait"])
    ui.pump(4)
    ime.clear_session()


def _rotate(orient: str) -> None:
    ui.set_window_size(*SIZES[orient])
    ui.pump(6)


def _keyboard(wid: str = "form.ime"):
    ui.wait_until(lambda: ime.ready() is not None, timeout=30, what="IME engine opened")
    return ui.find(wid)


def test_a_complaint_half_typed_on_the_keyboard_survives_rotations(kiosk, shots):
    sign_in_with_card(kiosk)
    open_service(kiosk, "hotline-12345", "form")
    ui.tap("form.field.description")
    kb = _keyboard()
    for letters, word in (("xiaoqu", "小区"), ("menkou", "门口"), ("ludeng", "路灯")):
        _type(kb, letters)
        _pick(kb, word)
    _type(kb, "huaile")                       # letters typed, no candidate picked yet
    for orient in ("landscape", "portrait"):
        _rotate(orient)
        kb = _keyboard()
        assert ui.text_of("form.ime.text") == "小区门口路灯", orient
        assert kb.composing == "huaile" and "坏了" in kb.candidates(), orient
        assert "huaile" in ui.text_of("form.ime.composing"), orient
        assert ui.find("form.field.description").style == "primary", orient   # still the field being filled
        ui.screenshot(shots / f"form-rotated-{orient}.png")
    _pick(kb, "坏了")                          # and typing goes on where it stopped
    assert kiosk.state.form.field("description").value == "小区门口路灯坏了"
    kiosk.ctl.set_language("en")               # the kept keyboard follows the language
    _rotate("landscape")
    ui.wait_until(lambda: ui.text_of("form.ime.key.delete") == "Delete", timeout=5, what="English keys")
    assert ui.text_of("form.ime.text") == "小区门口路灯坏了"
    ui.tap("footer.end")
    ui.wait_screen("attract")
    assert kiosk.state.form is None and kb.composing == "" and kb.text == ""   # the session end wipes it


def test_a_half_typed_number_and_the_phone_choice_survive_a_rotation(kiosk):
    sign_in_with_card(kiosk)
    open_service(kiosk, "hotline-12345", "form")
    ui.tap("form.field.description")
    ui.tap("form.use_phone")                   # this field is to be filled on the phone
    ui.tap("form.field.phone")
    for digit in PHONE[:7]:
        ui.tap(f"form.key.{digit}")
    _rotate("landscape")
    assert ui.find("form.field.phone").style == "primary" and ui.exists("form.key.0")
    assert ui.text_of("form.number") == "139 1234"
    ui.tap("form.field.description")
    assert ui.exists("form.use_keyboard") and not ui.exists("form.ime")


def test_the_address_picker_keeps_district_street_and_detail_across_a_rotation(kiosk, shots):
    to_address_detail(kiosk)
    kb = _keyboard("form.address.ime")
    _type(kb, "weihailu")
    _pick(kb, "威海路")
    _type(kb, "yibai")
    _rotate("landscape")
    ui.screenshot(shots / "form-address-rotated-landscape.png")
    kb = _keyboard("form.address.ime")
    assert ui.text_of("form.address.ime.text") == "威海路" and kb.composing == "yibai"
    assert ui.exists("form.address.change_street")
    kiosk.ctl.set_language("en")               # the picker's words change, the detail stays
    ui.pump(4)
    assert ui.text_of("form.address.ime.text") == "威海路" and ui.find("form.address.ime").composing == "yibai"
    assert ui.text_of("form.address.ask") == kiosk.app.tr("ime.detail", "en")
    assert kiosk.state.form.field("address").value == "上海市静安区南京西路街道威海路"
