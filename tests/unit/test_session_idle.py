"""Idle countdown and wipe, opening hours, and staff mode of the session (fake runtime, fake clock)."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config.base import hash_pin
from kiosk.staff import CornerTaps, PinGate, ServiceOverrides

from session_fakes import CONFIG_DIR, FakeClock, handoff, identify_by_card, make, qr_ticket
from kiosk.config.loader import load_config


def _personal_strings(ctl) -> str:
    return repr(asdict(ctl.state)) + repr(vars(ctl))


def test_idle_countdown_then_wipe_leaves_no_personal_data():
    ctl, rt, clock = make()
    identify_by_card(ctl, rt)
    ctl.set_language("en")
    ctl.choose_service("hotline-12345")
    ctl.set_field("phone", "13912345678")
    ctl.set_field("category", "help")
    rt.finish("handoff:description", handoff("ho_secret1"))
    handoff_id = ctl.state.form.field("description").handoff_url
    assert handoff_id.endswith("ho_secret1")
    limit = 120  # per_screen.form in config/terminal.yaml
    clock.advance(limit - 1)
    ctl.tick()
    assert ctl.state.countdown is None
    clock.advance(1.5)
    ctl.tick()
    assert ctl.state.countdown == 15
    clock.advance(7)
    ctl.tick()
    assert ctl.state.countdown == 8
    before = _personal_strings(ctl)
    assert "13912345678" in before and "王*明" in before
    clock.advance(8)
    ctl.tick()
    s = ctl.state
    assert s.screen == "attract" and s.countdown is None and s.identity is None and s.form is None
    assert s.lang == "zh-CN"  # back to the default language for the next person
    after = _personal_strings(ctl)
    for secret in ("13912345678", "王*明", "tok-secret", handoff_id):
        assert secret not in after, secret
    assert rt.discarded == ["session-0"]
    assert rt.watch is None  # no card check awaited (the reader polls on unwatched: test_card_anywhere.py)


def test_continue_on_countdown_keeps_the_session():
    ctl, rt, clock = make()
    identify_by_card(ctl, rt)
    clock.advance(61)
    ctl.tick()
    assert ctl.state.countdown is not None
    ctl.continue_session()
    assert ctl.state.countdown is None
    clock.advance(30)
    ctl.tick()
    assert ctl.state.screen == "menu" and ctl.state.identity is not None


def test_long_backend_call_pauses_idle():
    ctl, rt, clock = make()
    identify_by_card(ctl, rt)
    ctl.choose_service("e-licences")
    for _ in range(10):
        clock.advance(30)
        ctl.tick()
    assert ctl.state.countdown is None and ctl.state.busy is not None
    rt.finish("licences", [])
    clock.advance(59)
    ctl.tick()
    assert ctl.state.countdown is None and ctl.state.screen == "licence"


def test_wipe_during_identify_cancels_qr_ticket_and_auth():
    ctl, rt, clock = make()
    ctl.start_identify()
    rt.finish("qr_create", qr_ticket())
    rt.place_card(SimpleNamespace(wipe=lambda: None))
    auth = rt.pending("auth")
    ctl.end_session()
    assert auth.cancelled and rt.has_pending("qr_cancel") and ctl.state.screen == "attract"
    # a late auth result cannot resurrect the session
    assert ctl.core.token is None


def test_end_session_is_immediate_wipe_with_new_print_owner():
    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    first = ctl.core.owner()
    ctl.end_session()
    assert ctl.state.identity is None and rt.discarded == [first] and ctl.core.owner() != first


def test_attract_language_change_resets_quietly_after_idle():
    ctl, rt, clock = make()
    ctl.set_language("en")
    clock.advance(61)
    ctl.tick()
    assert ctl.state.lang == "zh-CN" and ctl.state.countdown is None


def _hours_config(always_open: bool):
    cfg = load_config(CONFIG_DIR)
    hours = cfg.opening_hours.model_copy(update={
        "always_open": always_open,
        "weekly": cfg.opening_hours.weekly.model_copy(update={d: ["09:00-17:00"] for d in
                                                               ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})})
    return cfg.model_copy(update={"opening_hours": hours})


def test_closed_screen_outside_hours_and_back_at_opening():
    now = {"t": datetime(2026, 11, 27, 20, 0)}
    ctl, rt, clock = make(_hours_config(False), now=lambda: now["t"])
    ctl.tick()
    assert ctl.state.screen == "closed" and "09:00-17:00" in ctl.state.closed.zh
    assert "人工窗口" in ctl.state.closed_hint.zh  # terminal.nearest_staffed from the config
    now["t"] = datetime(2026, 11, 28, 9, 1)
    clock.advance(16)
    ctl.tick()
    assert ctl.state.screen == "attract"


def test_closing_time_does_not_cut_an_active_session():
    now = {"t": datetime(2026, 11, 27, 16, 59)}
    ctl, rt, clock = make(_hours_config(False), now=lambda: now["t"])
    identify_by_card(ctl, rt)
    now["t"] = datetime(2026, 11, 27, 17, 1)
    clock.advance(16)
    ctl.tick()
    assert ctl.state.screen == "menu"
    ctl.end_session()
    ctl.tick()
    assert ctl.state.screen == "closed"


def test_a_card_forgotten_at_closing_time_does_not_sign_in_at_opening():
    """The reader re-reads a card lying on it whenever its polling is switched back on: the closed screen keeps
    polling (a card read there is wiped unchecked), so the card stays read through the night."""
    now = {"t": datetime(2026, 11, 27, 16, 59)}
    ctl, rt, clock = make(_hours_config(False), now=lambda: now["t"])
    ctl.tick()
    identify_by_card(ctl, rt)
    since = len(rt.polling)
    now["t"] = datetime(2026, 11, 27, 17, 1)
    ctl.end_session()
    ctl.tick()
    assert ctl.state.screen == "closed"
    card = rt.place_card()
    assert card.wiped and not rt.has_pending("auth")  # read on the closed screen, never checked
    now["t"] = datetime(2026, 11, 28, 9, 1)
    clock.advance(16)
    ctl.tick()
    ctl.tick()  # the attract screen's watch starts on the tick after the screen
    assert ctl.state.screen == "attract" and rt.watch is not None
    assert False not in rt.polling[since - 1:]  # never switched off: the forgotten card is not read again


def _enter_pin(ctl, rt, pin: str, ok: bool):
    for d in pin:
        ctl.staff_pin_digit(d)
    ctl.staff_pin_submit()
    rt.finish("pin", ok)


def test_staff_entry_needs_corner_taps_within_window_then_pin():
    ctl, rt, clock = make()
    for _ in range(4):
        ctl.staff_corner_tap()
        clock.advance(1.0)  # too slow: 5 taps spread over > 3 s
    ctl.staff_corner_tap()
    assert ctl.state.screen == "attract"
    for _ in range(5):
        ctl.staff_corner_tap()
    assert ctl.state.screen == "staff_pin"
    task_fn_check = {}
    for d in "246810":
        ctl.staff_pin_digit(d)
    assert ctl.state.staff.pin_digits == 6 and "246810" not in repr(asdict(ctl.state))
    ctl.staff_pin_submit()
    rt.verify_pin = lambda pin, h: task_fn_check.setdefault("pin", pin) == "246810"
    assert rt.pending("pin").fn(None) is True
    rt.finish("pin", True)
    assert ctl.state.screen == "staff"
    assert rt.has_pending("staff_info")
    rt.finish("staff_info", {"statuses": [("printer", "online")], "outbox_depth": 3, "log_tail": ["x"]})
    assert ctl.state.staff.outbox_depth == 3


def test_staff_pin_lockout_after_wrong_tries(caplog):
    ctl, rt, clock = make()
    for _ in range(5):
        ctl.staff_corner_tap()
    caplog.set_level("INFO")
    for i in range(5):
        _enter_pin(ctl, rt, "111111", False)
    assert ctl.state.screen == "staff_pin" and ctl.state.staff.locked_for_s == 300
    assert "300" in ctl.state.staff.message.zh
    _enter_pin_no_task = ctl.staff_pin_submit
    for d in "246810":
        ctl.staff_pin_digit(d)
    _enter_pin_no_task()
    assert not rt.has_pending("pin")  # locked: the PIN is not even checked
    assert "111111" not in caplog.text and "246810" not in caplog.text
    assert "locked" in caplog.text
    clock.advance(301)
    _enter_pin(ctl, rt, "246810", True)
    assert ctl.state.screen == "staff"


def test_staff_can_disable_a_service_persistently(tmp_path):
    path = tmp_path / "var" / "service-overrides.json"
    ctl, rt, _ = make()
    rt.overrides = ServiceOverrides(path)
    ctl.core.overrides = rt.overrides
    for _ in range(5):
        ctl.staff_corner_tap()
    _enter_pin(ctl, rt, "246810", True)
    ctl.staff_toggle_service("queue-ticket")
    rt.pending("staff_save_queue-ticket").fn(None)  # the save runs as a task (fsync is slow)
    assert json.loads(path.read_text()) == {"disabled": ["queue-ticket"]}
    assert ServiceOverrides(path).disabled() == {"queue-ticket"}
    ctl.staff_leave()
    assert "queue-ticket" not in {i.service_id for i in ctl.state.attract_services}
    ctl.choose_service("queue-ticket")
    assert ctl.state.error is not None


def test_staff_exit_and_reprint_last_receipt():
    ctl, rt, _ = make()
    ctl.choose_service("queue-ticket")
    rt.finish("queue", SimpleNamespace(number="A1", window_zh="1", window_en="1"))
    ctl.end_session()
    for _ in range(5):
        ctl.staff_corner_tap()
    _enter_pin(ctl, rt, "246810", True)
    ctl.staff_reprint_last()
    assert rt.printed[-1] == ("reprint", rt.printed_jobs[0], "")
    assert not ctl.exit_requested
    ctl.staff_exit_app()
    assert ctl.exit_requested


def test_overrides_file_corrupt_is_reported_not_fatal(tmp_path):
    path = tmp_path / "o.json"
    path.write_text("{not json")
    o = ServiceOverrides(path)
    assert o.disabled() == frozenset() and o.load_error


def test_pin_gate_and_corner_taps_units():
    clock = FakeClock()
    gate = PinGate(3, 60, clock=clock)
    for _ in range(3):
        gate.record(False)
    assert gate.locked_for() == 60
    clock.advance(60)
    assert gate.locked_for() == 0 and gate.tries_left() == 3
    taps = CornerTaps(3, 1.0, clock=clock)
    assert not taps.tap() and not taps.tap() and taps.tap()
    assert hash_pin("123456") != hash_pin("123456")  # salted


def test_staff_can_enter_on_the_closed_screen_and_it_returns_to_closed():
    now = {"t": datetime(2026, 11, 27, 23, 0)}
    ctl, rt, clock = make(_hours_config(False), now=lambda: now["t"])
    ctl.tick()
    assert ctl.state.screen == "closed"
    for _ in range(5):
        ctl.staff_corner_tap()
    assert ctl.state.screen == "staff_pin"
    _enter_pin(ctl, rt, "246810", True)
    ctl.staff_leave()
    ctl.tick()
    assert ctl.state.screen == "closed"


def test_idle_on_staff_screen_wipes_to_attract():
    ctl, rt, clock = make()
    for _ in range(5):
        ctl.staff_corner_tap()
    _enter_pin(ctl, rt, "246810", True)
    clock.advance(61)
    ctl.tick()
    assert ctl.state.countdown == 15
    clock.advance(15.1)
    ctl.tick()
    assert ctl.state.screen == "attract" and ctl.state.staff is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_overrides_file_with_any_bytes_never_stops_the_kiosk(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("o") / "service-overrides.json"
    path.write_bytes(data)
    overrides = ServiceOverrides(path)
    assert isinstance(overrides.disabled(), frozenset)
    assert all(isinstance(x, str) for x in overrides.disabled())
    overrides.set_enabled("queue-ticket", False)  # and the next change rewrites it cleanly
    assert ServiceOverrides(path).disabled() >= {"queue-ticket"}
