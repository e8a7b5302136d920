"""The scanner in the real app (offscreen GL, simulators on loopback, real taps): a 随申码 shown on the attract
or the identify screen reaches the menu; a refused code is shown in words and dismissed with 返回; the
identify screen draws its three ways with icons in every variant (audited, screenshots kept); staff mode
shows the scanner's health and a 测试扫码 that reports length and encoding, never the code.
"""
from __future__ import annotations

from kivy.uix.label import Label

from a11y import audit
from kiosk_dev import uidriver as ui
from test_staff_ui import open_staff
from uiflow import SIZES, set_variant, visible_texts



def _scanner_ready(k):
    ui.wait_until(lambda: k.state.devices.scanner == "online", timeout=15, what="scanner online")


def test_ssm_on_attract_reaches_the_menu(kiosk):
    _scanner_ready(kiosk)
    ui.wait_screen("attract")
    code = kiosk.gateway.routes.scan.ssm_issue(name="李四")
    kiosk.stack.scanner.scan(code)
    ui.wait_screen("menu", timeout=10)
    assert kiosk.state.identity.method == "ssm"
    assert not any(code in t for t in visible_texts())


def test_ssm_on_identify_after_a_refusal_reaches_the_menu(kiosk):
    _scanner_ready(kiosk)
    ui.wait_screen("attract")
    ui.tap("attract.card")
    ui.wait_screen("identify")
    assert ui.visible(ui.find("identify.ssm_panel")) and "扫码窗口" in ui.text_of("identify.ssm_message")
    old = kiosk.gateway.routes.scan.ssm_issue()
    kiosk.gateway.routes.scan.ssm_expire(old)
    kiosk.stack.scanner.scan(old)
    ui.wait_until(lambda: kiosk.state.error is not None, timeout=10, what="refusal")
    ui.pump(3)
    assert any(t.startswith("随申码已过期") for t in visible_texts())
    ui.tap("error.action")  # 返回: back to the identify screen, the refusal gone
    ui.wait_until(lambda: kiosk.state.error is None, timeout=5, what="refusal dismissed")
    assert ui.current_screen() == "identify"
    kiosk.stack.scanner.scan(kiosk.gateway.routes.scan.ssm_issue())  # the refreshed code
    ui.wait_screen("menu", timeout=10)
    assert kiosk.state.identity.method == "ssm"


def _icons() -> set[str]:
    screen = ui.find_all("identify.")[0]
    while screen is not None and type(screen).__name__ != "IdentifyScreen":
        screen = screen.parent
    return {w.name for w in ui.walk(screen) if type(w).__name__ == "Icon" and ui.visible(w)
            and w.texture is not None and w.texture.width > 20}


def test_identify_draws_three_ways_in_every_variant(kiosk, shots):
    _scanner_ready(kiosk)
    ui.tap("attract.card")
    ui.wait_until(lambda: kiosk.state.qr is not None and kiosk.state.qr.state == "waiting", timeout=10, what="QR")
    problems = []
    for lang, elder, orient in [("zh-CN", False, "portrait"), ("zh-CN", True, "portrait"),
                                ("zh-CN", False, "landscape"), ("zh-CN", True, "landscape"),
                                ("en", False, "portrait"), ("en", True, "portrait")]:
        name = "identify3-" + set_variant(kiosk, lang, elder, orient)
        assert _icons() >= {"contactless", "qr_code_scanner", "phone_iphone"}, name
        problems += [f"{name}: {p}" for p in audit(elder)]
        ui.screenshot(shots / "screens" / f"{name}.png")
    ui.set_window_size(*SIZES["portrait"])
    kiosk.ctl.set_language("zh-CN")
    if kiosk.state.elder_mode:
        kiosk.ctl.toggle_elder_mode()
    assert not problems, "\n".join(problems)


def _qr_side() -> float:
    image = ui.find("identify.qr")
    assert ui.visible(image) and image.texture is not None
    return min(image.norm_image_size)


def test_elder_login_qr_has_its_own_page_never_smaller_than_standard(kiosk, shots):
    ui.tap("attract.card")
    ui.wait_until(lambda: kiosk.state.qr is not None and kiosk.state.qr.state == "waiting", timeout=10, what="QR")
    sides = {}
    for orient in ("portrait", "landscape"):
        set_variant(kiosk, "zh-CN", False, orient)
        assert not ui.exists("identify.qr_way")
        sides[orient] = _qr_side()
        set_variant(kiosk, "zh-CN", True, orient)
        assert not ui.exists("identify.qr") and ui.visible(ui.find("identify.card_panel"))
        ui.tap("identify.qr_way")  # the 随申办 tile opens the code on a page of its own
        ui.pump(3)
        ui.screenshot(shots / "screens" / f"identify-qr-page-elder-{orient}.png")
        assert not ui.exists("identify.card_panel") and _qr_side() >= sides[orient], (orient, _qr_side(), sides)
        ui.tap("identify.back")  # 返回 closes the page, still on identify
        ui.pump(3)
        assert ui.current_screen() == "identify" and ui.visible(ui.find("identify.qr_way"))
    ui.set_window_size(*SIZES["portrait"])
    kiosk.ctl.toggle_elder_mode()


def test_identify_without_a_scanner_hides_the_way_and_greys_it_while_offline(kiosk):
    _scanner_ready(kiosk)
    ui.tap("attract.card")
    ui.wait_screen("identify")
    kiosk.stack.scanner.handle_control({"cmd": "unplug"})
    ui.wait_until(lambda: kiosk.state.devices.scanner == "offline", timeout=10, what="scanner offline")
    ui.pump(3)
    assert "扫码器暂不可用" in ui.text_of("identify.ssm_message")
    assert ui.current_screen() == "identify"  # the flow goes on: card and QR still work
    kiosk.stack.scanner.handle_control({"cmd": "replug"})
    # shown back online (a status read before the replug may still land once just after it: wait, not assert)
    ui.wait_until(lambda: kiosk.state.devices.scanner == "online" and "扫码窗口" in ui.text_of("identify.ssm_message"),
                  timeout=10, what="scanner back")
    view = kiosk.state.devices
    kiosk.ctl.on_devices(type(view)(**{**vars(view), "scanner": "noDevice"}))  # a terminal without one
    ui.pump(3)
    assert not ui.exists("identify.ssm_panel") and ui.visible(ui.find("identify.card_panel"))


def test_staff_scanner_health_and_test_scan(kiosk, shots):
    _scanner_ready(kiosk)
    ui.wait_screen("attract")
    open_staff(kiosk)
    ui.wait_screen("staff", timeout=10)
    ui.wait_until(lambda: "在线" in ui.text_of("staff.scanner"), timeout=15, what="scanner health line")
    assert ui.visible(ui.find("staff.scanner")) and "尚未扫码" in ui.text_of("staff.scanner")
    ui.tap("staff.test_scan")
    ui.wait_until(lambda: kiosk.rt.scan.scanner.enabled, timeout=5, what="reading on for the test")
    code = kiosk.gateway.routes.scan.ssm_issue()
    kiosk.stack.scanner.scan(code)
    ui.wait_until(lambda: ui.text_of("staff.message").startswith("扫码成功"), timeout=10, what="test scan")
    shown = ui.text_of("staff.message")
    assert f"{len(code)} 字节" in shown and code not in shown
    assert not any(code in w.text for w in ui.walk() if isinstance(w, Label))
    ui.screenshot(shots / "screens" / "staff-scanner-standard-portrait.png")
    ui.tap("staff.leave")
    ui.wait_screen("attract")
