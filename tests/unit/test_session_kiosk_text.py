"""Free text typed at the kiosk and appointment slots, in the session (fake runtime, fake clock).

12345's 诉求内容 and the delivery address are accepted as typed on the kiosk (the phone hand-off stays an
option and is cancelled when the typed text is sent instead), within the field's cap and without emoji or
control characters — a refusal keeps what the field had, is shown and names the prompt that speaks it. The
appointment's date and time are the gateway's open slots, offered as options; the slot's id is submitted
and its times go on the receipt.
"""
from __future__ import annotations

from types import SimpleNamespace

from kiosk.backend.errors import ServerError
from kiosk.backend.slots import SlotCalendar
from kiosk.voice.catalog import PROMPTS

from session_fakes import handoff, identify_by_card, make

COMPLAINT = "小区门口路灯坏了一周晚上很黑请尽快修理。"


class Client:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def create_handoff(self, service_id, field_id, token=None, *, cancel=None):
        return handoff()

    def poll_handoff(self, handoff_id, *, cancel=None):
        raise AssertionError("not polled in these tests")

    def cancel_handoff(self, handoff_id, *, cancel=None):
        self.calls.append(("cancel", handoff_id))

    def get_slots(self, service_id, *, cancel=None):
        self.calls.append(("slots", service_id))
        return calendar()


def calendar() -> SlotCalendar:
    return SlotCalendar.parse({
        "service_id": "appointment", "generated_at": "2026-12-03T10:00:00+08:00", "slot_minutes": 30,
        "days": [{"date": "2026-12-04", "slots": [{"id": "20261204-0900", "start": "09:00", "end": "09:30",
                                                   "remaining": 2}]},
                 {"date": "2026-12-05", "slots": [{"id": "20261205-0930", "start": "09:30", "end": "10:00",
                                                   "remaining": 4},
                                                  {"id": "20261205-1000", "start": "10:00", "end": "10:30",
                                                   "remaining": 1}]}]})


def open_form(service: str):
    ctl, rt, clock = make()
    rt.client = Client()
    identify_by_card(ctl, rt)
    ctl.choose_service(service)
    assert ctl.state.screen == "form"
    return ctl, rt


def submit(ctl, rt) -> dict:
    ctl.next()
    assert ctl.state.screen == "confirm", ctl.state.error
    ctl.confirm()
    sent: dict = {}
    rt.submit = lambda sid, kind, fields, token: sent.update(fields)
    rt.pending("submit").fn(None)
    return sent


def test_12345_text_typed_at_the_kiosk_is_sent_and_the_unused_phone_code_cancelled():
    ctl, rt = open_form("hotline-12345")
    rt.finish("handoff:description", handoff("ho_unused"))
    for fid, value in (("category", "complaint"), ("phone", "13800138000"), ("street", "njxl")):
        ctl.set_field(fid, value)
    ctl.set_field("description", COMPLAINT)
    f = ctl.state.form.field("description")
    assert f.value == COMPLAINT and f.filled and f.error is None and ctl.state.form.can_confirm
    sent = submit(ctl, rt)
    assert sent["description"] == COMPLAINT     # typed on the kiosk: the text itself, no hand-off named
    rt.finish("submit", SimpleNamespace(reference="NJXL01-20261203-ABCDEF", delivered=True, status="received"))
    for task in [t for t in rt.tasks if t.name == "handoff_cancel"]:
        task.fn(None)
    assert ("cancel", "ho_unused") in rt.client.calls


def test_emoji_control_and_over_cap_are_refused_shown_and_spoken():
    ctl, rt = open_form("certificate-delivery")
    ctl.set_field("address", "上海市静安区南京西路街道威海路100号")
    for value, shown, voice in (("威海路😀", "不能输入表情符号，请用文字描述", "error.input_emoji"),
                                ("威海路\x07", "不能输入控制字符", "error.input_control"),
                                ("路" * 201, "最多只能输入 200 个字", "error.input_too_long")):
        ctl.set_field("address", value)
        assert ctl.state.form.field("address").value == "上海市静安区南京西路街道威海路100号"  # kept
        assert ctl.state.error.text.zh == shown and ctl.state.error.voice == voice and voice in PROMPTS
        ctl.back()                                   # 返回 closes the message; the form stays
        assert ctl.state.screen == "form" and ctl.state.error is None
    ctl.refuse_input("address", "ime.too_long")      # what the kiosk keyboard reports when it is full
    assert ctl.state.error.voice == "error.input_too_long" and "200" in ctl.state.error.text.zh


def test_12345_text_over_the_contract_cap_is_refused():
    ctl, rt = open_form("hotline-12345")
    ctl.set_field("description", "修" * 1000)
    assert len(ctl.state.form.field("description").value) == 1000
    ctl.set_field("description", "修" * 1001)
    assert len(ctl.state.form.field("description").value) == 1000 and "1000" in ctl.state.error.text.zh


def test_appointment_dates_and_times_are_the_gateways_slots():
    ctl, rt = open_form("appointment")
    assert ctl.state.form.field("date").options_state == "loading" and ctl.state.form.field("date").options == []
    rt.pending("slots").fn(None)
    assert rt.client.calls == [("slots", "appointment")]
    rt.finish("slots", calendar())
    form = ctl.state.form
    assert [t.zh for _, t in form.field("date").options] == ["12月4日 周五", "12月5日 周六"]
    assert form.field("slot").options == [] and form.field("slot").hint.zh == "请先选择日期"
    ctl.set_field("service", "ss-card")
    ctl.set_field("date", "2026-12-05")
    assert [v for v, _ in ctl.state.form.field("slot").options] == ["20261205-0930", "20261205-1000"]
    ctl.set_field("slot", "20261205-1000")
    ctl.set_field("date", "2026-12-04")              # another day: the time of the old one is dropped
    assert ctl.state.form.field("slot").value == ""
    ctl.set_field("date", "2026-12-05")
    ctl.set_field("slot", "20261205-1000")
    sent = submit(ctl, rt)
    assert sent["date"] == "2026-12-05" and sent["slot"] == "20261205-1000" and "phone" not in sent
    rt.finish("submit", SimpleNamespace(reference="NJXL01-20261203-ABCDEF", delivered=True, status="received"))
    kind, data, _ = rt.printed[-1]
    assert data["fields"]["slot"] == "10:00-10:30" and data["fields"]["date"] == "2026-12-05"


def test_a_slot_not_on_offer_is_refused_and_a_failed_fetch_offers_retry():
    ctl, rt = open_form("appointment")
    rt.fail("slots", ServerError("503"))
    f = ctl.state.form.field("date")
    assert f.options_state == "error" and f.error.zh.startswith("暂时无法获取可预约时间") and "重试" in f.error.zh
    ctl.refresh_slots()
    rt.finish("slots", calendar())
    ctl.set_field("service", "ss-card")
    ctl.set_field("date", "2026-12-05")
    ctl.set_field("slot", "20261205-1500")           # not offered (a stale screen): never booked
    ctl.next()
    assert ctl.state.screen == "form" and ctl.state.form.field("slot").error.zh == "该时间已约满，请另选"
