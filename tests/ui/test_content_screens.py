"""The content screens of issue 14 (§2, §5) on the real app: a print ends on the full result screen with the
pointer to the printer slot; e-licence images are never smaller in 长辈模式 or landscape; wherever content
scrolls (record table, guide text) a visible cue says so and turns the page when tapped."""
from __future__ import annotations

from kiosk_dev import uidriver as ui
from uiflow import open_service, sign_in_with_card

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def _variant(k, elder: bool, orient: str) -> None:
    if k.state.elder_mode != elder:
        k.ctl.toggle_elder_mode()
    ui.set_window_size(*SIZES[orient])
    ui.pump(6)


def _reset(k) -> None:
    _variant(k, False, "portrait")


def test_a_printed_record_ends_on_take_your_receipt_with_a_pointer_to_the_slot(kiosk, shots):
    sign_in_with_card(kiosk)
    open_service(kiosk, "social-insurance-record", "record")
    ui.tap("record.print")
    ui.wait_until(lambda: ui.current_screen() == "result" and kiosk.state.result.printed, timeout=15,
                  what="the copy printed")
    ui.pump(3)
    assert ui.text_of("result.card_title") == "请取走凭条"
    assert "出纸口" in ui.text_of("result.slot")
    pointer, slot = ui.find("result.pointer"), ui.find("result.slot")
    assert pointer.name == "south" and pointer.text  # a drawn arrow, under the words, pointing down
    assert pointer.to_window(*pointer.pos)[1] < slot.to_window(*slot.pos)[1]
    assert ui.text_of("result.title") == "您的打印件" and "社会保险" in ui.text_of("result.message")
    ui.screenshot(shots / "content-result-print.png")
    kiosk.printer.wait_jobs(1, timeout=8)
    ui.tap("result.reprint")  # 重新打印 prints the same copy again and stays on the result
    kiosk.printer.wait_jobs(2, timeout=8)
    ui.tap("result.continue")  # 返回 goes back to the record
    ui.wait_screen("record")


def test_licence_images_are_never_smaller_in_elder_mode_or_landscape(kiosk):
    sign_in_with_card(kiosk)
    open_service(kiosk, "e-licences", "licence")
    sizes = {}
    try:
        for elder in (False, True):
            for orient in SIZES:
                _variant(kiosk, elder, orient)
                images = ui.find_all("licence.image.", lambda w: w.texture is not None)
                assert images, (elder, orient)
                sizes[(elder, orient)] = min(tuple(w.size) for w in images)
    finally:
        _reset(kiosk)
    standard = sizes[(False, "portrait")]
    assert standard[0] >= 480  # at least the image's own pixels
    for variant, size in sizes.items():
        assert size[0] >= standard[0] and size[1] >= standard[1], (variant, size, standard)


def _cue_walk(box_wid: str) -> None:
    """The cue is shown, turns the page down on each tap until the end, then offers the way back up."""
    box = ui.find(box_wid)
    assert box.overflows and ui.exists(f"{box_wid}.cue")
    assert "下面还有" in ui.text_of(f"{box_wid}.cue")
    start = box.sv.scroll_y
    ui.tap(f"{box_wid}.cue")
    assert box.sv.scroll_y < start
    for _ in range(30):
        if box.at_end:
            break
        ui.tap(f"{box_wid}.cue")
    assert box.at_end and "回到开头" in ui.text_of(f"{box_wid}.cue")
    ui.tap(f"{box_wid}.cue")
    assert box.sv.scroll_y == 1.0


def test_record_table_scrolls_with_a_visible_cue_in_elder_landscape_and_fits_in_standard(kiosk, shots):
    sign_in_with_card(kiosk)
    open_service(kiosk, "social-insurance-record", "record")
    assert not ui.find("record.scroll").overflows and not ui.exists("record.scroll.cue")
    try:
        _variant(kiosk, True, "landscape")
        ui.screenshot(shots / "content-record-elder-landscape.png")
        _cue_walk("record.scroll")
    finally:
        _reset(kiosk)


def test_guide_text_scrolls_with_a_visible_cue_in_elder_landscape(kiosk):
    sign_in_with_card(kiosk)
    open_service(kiosk, "service-guides", "guide")
    ui.tap(f"guide.topic.{kiosk.state.guide_topics[0].service_id}")
    ui.wait_until(lambda: kiosk.state.guide is not None and kiosk.state.busy is None, timeout=10, what="guide")
    try:
        _variant(kiosk, True, "landscape")
        _cue_walk("guide.scroll")
    finally:
        _reset(kiosk)
