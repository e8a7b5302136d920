"""Any sequence of taps, device events, task outcomes and time passing: no exception, invariants hold.

Hypothesis drives the controller with the fake runtime: screens call methods in any order (as a resident
hammering the screen would), tasks finish or fail in any order, cards come and go, time jumps. After every
step the state must be coherent and, after an end of session, hold nothing personal.
"""
from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.backend.errors import NetworkError, error_for_status
from kiosk.session.state import SCREENS, DeviceView

from session_fakes import FakeCard, all_ready, auth, handoff, handoff_state, make, qr_ticket

SERVICES = ["queue-ticket", "service-guides", "social-insurance-record", "e-licences", "hotline-12345",
            "appointment", "certificate-delivery", "nope"]
NEEDS_LOGIN = ("menu", "record", "licence", "form", "confirm")

_RESULTS = {
    "qr_create": lambda: qr_ticket(),
    "qr_poll": lambda: SimpleNamespace(state="confirmed", interval_s=2.0, session=auth("赵*")),
    "auth": lambda: auth("钱*"),
    "queue": lambda: SimpleNamespace(number="A1", window_zh="1号", window_en="1"),
    "guide": lambda: SimpleNamespace(title_zh="指南", title_en="Guide", sections=[]),
    "record": lambda: SimpleNamespace(title_zh="记录", title_en="Record", holder="钱*", columns=[], rows=[]),
    "licences": lambda: [],
    "submit": lambda: SimpleNamespace(reference="R-1", delivered=False, status="queued"),
    "pin": lambda: False,
    "staff_info": lambda: {"statuses": [], "outbox_depth": 0, "log_tail": []},
    "handoff:description": lambda: handoff("ho_D"),
    "handoff:address": lambda: handoff("ho_A", ttl=5),
    "handoff_poll:description": lambda: handoff_state("submitted", 40),
    "handoff_poll:address": lambda: handoff_state("expired"),
    "help_create": lambda: SimpleNamespace(id="help_F", state="pending", interval_s=2.0, duty_post=None,
                                           eta_minutes=None, call_phone=None),
    "help_poll": lambda: SimpleNamespace(id="help_F", state="acknowledged", interval_s=2.0, eta_minutes=3,
                                         duty_post=SimpleNamespace(name_zh="值班台", name_en="Desk"), call_phone=None),
}

#: codes shown to the scanner; "hold" leaves the check pending so other steps interleave with it
_CODES = {"ssm": "https://ssm.sh.gov.cn/c/FuzzCode1", "pickup": "SH-WL-00000001", "appointment": "APPT-FUZZ01"}
_AT = auth("孙*").expires_at
_SCAN_CLIENT = SimpleNamespace(  # what each endpoint answers (the fake runs a scan task's own call on it)
    auth_ssm=lambda code, cancel: auth("孙*"),
    lookup_pickup=lambda code, cancel: SimpleNamespace(pickup_id="PU-1", item_zh="证", item_en="ID", place_zh="柜",
                                                       place_en="locker", slot="1-1"),
    check_in=lambda code, cancel: SimpleNamespace(service_zh="户籍", service_en="Household", already_checked_in=False,
                                                  ticket=SimpleNamespace(number="Y1", window_zh="1号",
                                                                         window_en="1", issued_at=_AT)))

action = st.one_of(
    st.tuples(st.just("call"), st.sampled_from(
        ["touch", "start_identify", "refresh_qr", "next", "back", "home", "confirm", "print_current",
         "request_help", "cancel_help", "continue_session", "end_session", "tick", "dismiss", "retry",
         "toggle_elder_mode",
         "staff_corner_tap", "staff_pin_submit", "staff_leave"])),
    st.tuples(st.just("refresh_handoff"), st.sampled_from(["description", "address", "phone"])),
    st.tuples(st.just("service"), st.sampled_from(SERVICES)),
    st.tuples(st.just("field"), st.sampled_from(["phone", "category", "street", "date", "slot", "service"]),
              st.sampled_from(["", "13800138000", "help", "njxl", "2026-12-01", "x"])),
    st.tuples(st.just("finish"), st.sampled_from(sorted(_RESULTS))),
    st.tuples(st.just("fail"), st.sampled_from(sorted(_RESULTS))),
    st.tuples(st.just("card"), st.sampled_from(["read", "error", "removed", "present"])),
    st.tuples(st.just("devices"), st.booleans(), st.booleans(), st.booleans()),
    st.tuples(st.just("time"), st.sampled_from([0.5, 3, 30, 61, 200])),
    st.tuples(st.just("printed"), st.booleans()),
    st.tuples(st.just("login"), st.sampled_from(["card", "qr"])),
    st.tuples(st.just("scan"), st.sampled_from(sorted(_CODES)), st.sampled_from(["ok", "refused", "hold"])),
)


def _do(ctl, rt, clock, step) -> None:
    kind = step[0]
    if kind == "call":
        getattr(ctl, step[1])()
    elif kind == "refresh_handoff":
        ctl.refresh_handoff(step[1])
    elif kind == "service":
        ctl.choose_service(step[1])
    elif kind == "field":
        if ctl.state.form is not None and step[1] in {f.id for f in ctl.state.form.fields}:
            ctl.set_field(step[1], step[2])
    elif kind in ("finish", "fail"):
        if rt.has_pending(step[1]):
            if kind == "finish":
                rt.finish(step[1], _RESULTS[step[1]]())
            else:
                rt.fail(step[1], NetworkError("down"))
    elif kind == "card":
        {"read": lambda: rt.place_card(FakeCard()), "error": lambda: ctl.on_card_error("读卡失败", "failed", "80"),
         "removed": ctl.on_card_removed, "present": ctl.on_card_present}[step[1]]()
    elif kind == "devices":
        printer, reader, backend = step[1:]
        ctl.on_devices(DeviceView(printer="online" if printer else "offline", idcard="online" if reader else "offline",
                                  backend="online" if backend else "offline", paper="full" if printer else "out",
                                  printer_ready=printer, reader_online=reader, backend_ok=backend))
    elif kind == "time":
        clock.advance(step[1])
        ctl.tick()
    elif kind == "login":  # a whole identification, so deep flows are reached often
        ctl.start_identify()
        if step[1] == "card":
            rt.place_card(FakeCard())
            if rt.has_pending("auth"):
                rt.finish("auth", auth("钱*"))
        elif rt.has_pending("qr_create"):
            rt.finish("qr_create", qr_ticket())
            clock.advance(2.5)
            ctl.tick()
            if rt.has_pending("qr_poll"):
                rt.finish("qr_poll", _RESULTS["qr_poll"]())
    elif kind == "scan":
        ctl.on_scan(_CODES[step[1]])
        if step[2] != "hold" and rt.has_pending("scan"):
            if step[2] == "ok":
                rt.finish("scan", rt.pending("scan").fn(None))  # the answer to whichever code is being checked
            else:
                rt.fail("scan", error_for_status(422, "code_expired", "refused"))
    elif kind == "printed":
        for job in list(ctl.printing.jobs):
            (ctl.on_print_done(job) if step[1] else ctl.on_print_failed(job, "缺纸", "paper out", "clear"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=1, max_size=40))
def test_any_sequence_keeps_the_session_coherent(steps):
    ctl, rt, clock = make()
    rt.client = _SCAN_CLIENT
    for step in steps:
        _do(ctl, rt, clock, step)
        s = ctl.state
        assert s.screen in SCREENS
        assert s.lang in ("zh-CN", "en")
        if s.screen in NEEDS_LOGIN:
            assert s.identity is not None and ctl.core.token is not None, (s.screen, step)
        if s.identity is None:
            assert ctl.core.token is None
        if s.busy is not None:
            assert ctl.core.busy_task in ctl.core.tasks
        if s.screen in ("form", "confirm"):
            assert s.form is not None and s.service is not None
        if s.screen == "result":
            assert s.result is not None
        for f in (s.form.fields if s.form is not None else ()):
            if f.kind == "handoff":  # a code is shown exactly while the phone can still fill the field
                assert f.handoff_state in ("loading", "waiting", "submitted", "expired", "error")
                assert (f.handoff_url is not None) == (f.handoff_state == "waiting"), f
                assert f.handoff_status is not None
        if s.screen in ("guide", "record", "licence"):
            assert s.service is not None and s.service.action in ("guide", "record", "licences")
        if s.screen in ("staff_pin", "staff"):
            assert s.staff is not None and s.identity is None
        if s.countdown is not None:
            assert s.screen not in ("attract", "closed")
    ctl.end_session()
    assert ctl.handoff.entries == {}  # a wipe leaves no hand-off behind (each was cancelled on the gateway)
    leftovers = repr(asdict(ctl.state))
    for secret in ("赵*", "钱*", "孙*", "13800138000", "R-1", "tok-secret"):
        assert secret not in leftovers
    assert ctl.core.token is None and ctl.services.form_values == {} and ctl.state.screen in ("attract", "closed")
    # a help request being created outlives the wipe on purpose: its answer names the request to cancel
    assert all(t.cancelled or getattr(t, "ended", False) or t.name.startswith(
        ("qr_cancel", "handoff_cancel", "print-", "help_create", "help_cancel")) for t in rt.tasks)
    assert ctl.state.help is None and not ctl.help._open and ctl.idle.hold_until is None


def test_regression_staff_leave_from_a_resident_screen_is_ignored():
    """Found by the sequence test: start_identify, 200 s idle (countdown shown), then a stale staff_leave
    put the attract screen up with the resident's countdown still running."""
    ctl, rt, clock = make()
    for step in [("call", "start_identify"), ("time", 200), ("call", "staff_leave")]:
        _do(ctl, rt, clock, step)
    assert not (ctl.state.screen in ("attract", "closed") and ctl.state.countdown is not None)
    assert ctl.state.screen == "identify"
