"""Phone hand-off of long-text fields in the session (fake runtime, fake clock): create when the form is
shown, poll at the gateway's interval, 已在手机上填写（N 字）, the submission names the hand-off, a wipe cancels
it, and a failing hand-off endpoint leaves the form usable."""
from __future__ import annotations

from types import SimpleNamespace

from kiosk.backend.errors import NetworkError, ServerError

from session_fakes import handoff, handoff_state, identify_by_card, make, phone_fills


class RecordingClient:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def create_handoff(self, service_id, field_id, token=None, *, cancel=None):
        self.calls.append(("create", service_id, field_id, token))
        return handoff()

    def poll_handoff(self, handoff_id, *, cancel=None):
        self.calls.append(("poll", handoff_id))
        return handoff_state("waiting")

    def cancel_handoff(self, handoff_id, *, cancel=None):
        self.calls.append(("cancel", handoff_id))


def open_form(service="hotline-12345"):
    ctl, rt, clock = make()
    rt.client = RecordingClient()
    identify_by_card(ctl, rt)
    ctl.choose_service(service)
    assert ctl.state.screen == "form"
    return ctl, rt, clock


def fill_others(ctl):
    ctl.set_field("category", "help")
    ctl.set_field("phone", "13800138000")
    ctl.set_field("street", "njxl")


def cancels(rt):
    return [t for t in rt.tasks if t.name == "handoff_cancel"]


def test_code_is_created_for_the_resident_and_polled_at_the_gateway_interval():
    ctl, rt, clock = open_form()
    f = ctl.state.form.field("description")
    assert f.handoff_state == "loading" and f.handoff_url is None and f.handoff_status.zh == "正在生成二维码…"
    rt.pending("handoff:description").fn(None)  # the task calls the gateway with the session's token
    assert rt.client.calls == [("create", "hotline-12345", "description", "tok-secret")]
    rt.finish("handoff:description", handoff("ho_A", interval=3.0))
    f = ctl.state.form.field("description")
    assert f.handoff_state == "waiting" and f.handoff_url == "https://m.gw/h/ho_A"
    assert f.handoff_status.zh == "请用手机扫码填写"
    clock.advance(2.0)
    ctl.tick()
    assert not rt.has_pending("handoff_poll:description")  # not before interval_s
    clock.advance(1.1)
    ctl.tick()
    rt.pending("handoff_poll:description").fn(None)
    assert rt.client.calls[-1] == ("poll", "ho_A")
    rt.finish("handoff_poll:description", handoff_state("waiting"))
    clock.advance(3.1)
    ctl.tick()
    rt.finish("handoff_poll:description", handoff_state("submitted", 128))
    f = ctl.state.form.field("description")
    assert f.handoff_state == "submitted" and f.handoff_url is None
    assert f.handoff_status.zh == "已在手机上填写（128 字）" and f.handoff_status.en == "Filled in on your phone (128 characters)"
    clock.advance(10)
    ctl.tick()
    assert not rt.has_pending("handoff_poll:description")  # done: no more polling


def test_submission_names_the_hand_off_and_keeps_it_on_the_gateway():
    ctl, rt, clock = open_form()
    fill_others(ctl)
    phone_fills(ctl, rt, clock, hid="ho_B", length=30)
    ctl.next()
    assert ctl.state.screen == "confirm"
    ctl.confirm()
    sent = {}
    rt.submit = lambda sid, kind, fields, token: sent.update(fields)
    rt.pending("submit").fn(None)
    assert sent["description"] == "handoff:ho_B"  # the id only: the text never comes to the kiosk
    rt.finish("submit", SimpleNamespace(reference="NJXL01-20261128-ABCDEF", delivered=True, status="received"))
    ctl.home()
    ctl.end_session()
    assert cancels(rt) == []  # the submission holds it now


def test_required_text_blocks_confirm_until_typed_on_the_phone_or_kiosk():
    ctl, rt, clock = open_form()
    fill_others(ctl)
    rt.finish("handoff:description", handoff())
    assert not ctl.state.form.can_confirm
    ctl.next()
    assert ctl.state.screen == "form" and ctl.state.error.action == "back"
    assert ctl.state.form.field("description").error.zh == "请在下方键盘输入，或用手机扫码填写"
    ctl.back()  # closes the error, the code stays
    assert ctl.state.error is None and ctl.state.form.field("description").handoff_url
    clock.advance(2.1)
    ctl.tick()
    rt.finish("handoff_poll:description", handoff_state("submitted", 9))
    assert ctl.state.form.field("description").error is None
    ctl.next()
    assert ctl.state.screen == "confirm"


def test_failing_endpoint_says_why_offers_retry_and_the_resident_can_go_back():
    ctl, rt, clock = open_form()
    fill_others(ctl)
    rt.fail("handoff:description", ServerError("503"))
    f = ctl.state.form.field("description")
    assert f.handoff_state == "error" and f.handoff_url is None
    assert f.error is not None and f.error.zh.startswith("手机填写暂不可用：") and "重试" in f.error.zh
    assert f.error.en.startswith("Filling in on the phone is unavailable")
    assert not ctl.state.form.can_confirm  # still required: no empty 12345 request goes out
    assert ctl.state.form.field("phone").value == "13800138000"  # the rest of the form is untouched
    ctl.refresh_handoff("description")
    assert ctl.state.form.field("description").handoff_state == "loading"
    rt.finish("handoff:description", handoff("ho_C"))
    assert ctl.state.form.field("description").handoff_url.endswith("ho_C")
    ctl.back()  # and leaving is always possible
    assert ctl.state.screen == "menu"


def test_expired_code_can_be_renewed_and_the_old_one_is_cancelled():
    ctl, rt, clock = open_form()
    rt.finish("handoff:description", handoff("ho_old", ttl=30))
    clock.advance(31)
    ctl.tick()
    f = ctl.state.form.field("description")
    assert f.handoff_state == "expired" and f.handoff_url is None and "过期" in f.error.zh
    ctl.refresh_handoff("description")
    cancel = cancels(rt)[-1]
    cancel.fn(None)
    assert rt.client.calls[-1] == ("cancel", "ho_old")
    rt.finish("handoff:description", handoff("ho_new"))
    assert ctl.state.form.field("description").handoff_state == "waiting"


def test_gateway_saying_expired_or_cancelled_ends_the_code():
    ctl, rt, clock = open_form()
    rt.finish("handoff:description", handoff())
    clock.advance(2.1)
    ctl.tick()
    rt.finish("handoff_poll:description", handoff_state("cancelled"))
    assert ctl.state.form.field("description").handoff_state == "expired"


def test_a_failed_poll_keeps_the_code_and_asks_again_later():
    ctl, rt, clock = open_form()
    rt.finish("handoff:description", handoff(interval=2.0))
    clock.advance(2.1)
    ctl.tick()
    rt.fail("handoff_poll:description", NetworkError("down"))
    assert ctl.state.form.field("description").handoff_state == "waiting"
    clock.advance(2.1)
    ctl.tick()
    assert not rt.has_pending("handoff_poll:description")  # backing off (2 × interval)
    clock.advance(2.1)
    ctl.tick()
    assert rt.has_pending("handoff_poll:description")


def test_wipe_and_home_cancel_the_hand_off_on_the_gateway():
    ctl, rt, clock = open_form()
    rt.finish("handoff:description", handoff("ho_W"))
    ctl.end_session()
    assert ctl.state.screen == "attract"
    cancel = cancels(rt)[-1]
    cancel.fn(None)
    assert rt.client.calls[-1] == ("cancel", "ho_W")
    ctl2, rt2, _ = open_form()
    rt2.finish("handoff:description", handoff("ho_H"))
    ctl2.home()
    cancels(rt2)[-1].fn(None)
    assert rt2.client.calls[-1] == ("cancel", "ho_H")


def test_code_arriving_after_the_form_was_left_is_cancelled():
    ctl, rt, clock = open_form()
    task = rt.pending("handoff:description")
    ctl.home()
    assert task.cancelled
    ctl.handoff.created("description", handoff("ho_late"))  # a late answer that slipped through
    cancels(rt)[-1].fn(None)
    assert rt.client.calls[-1] == ("cancel", "ho_late")


def test_optional_hand_off_left_empty_is_not_submitted():
    ctl, rt, clock = open_form("certificate-delivery")
    assert ctl.state.form.field("address").required is False
    for key, value in {"certificate": "ss-card", "phone": "13800138000", "method": "pickup",
                       "pickup_point": "njxl-centre"}.items():
        ctl.set_field(key, value)
    ctl.next()
    assert ctl.state.screen == "confirm"
    ctl.confirm()
    sent = {}
    rt.submit = lambda sid, kind, fields, token: sent.update(fields)
    rt.pending("submit").fn(None)
    assert "address" not in sent
