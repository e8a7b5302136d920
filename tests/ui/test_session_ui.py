"""Idle countdown -> wipe -> attract with nothing personal left in any widget or anywhere on the Python
heap (a resident made up for each run, tests/ui/privacy.py); a wipe that leaves one field is caught; closed
hours."""
from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import make_kiosk, stop_kiosk
from kiosk_dev import uidriver as ui
from kiosk.config.hours import OpeningHours, WeeklyHours
from privacy import HeapProbe, forget_simulated_world, random_resident
from uiflow import (all_widgets, open_service, personal_leftovers, phone_fills_handoff, sign_in_with_card,
                    visible_texts)


class SkewClock:
    """The session's monotonic clock plus an offset the test moves forward: idle timeouts keep their
    configured values and nothing depends on how fast this machine is."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self):
        return time.monotonic() + self.offset


@pytest.fixture
def quick_idle(kiosk_app, base_cfg, tmp_path):
    clock = SkewClock()
    k = make_kiosk(kiosk_app, base_cfg, tmp_path, clock=clock)
    k.clock = clock
    yield k
    stop_kiosk(k)


def _fill_and_submit(k, phone):
    open_service(k, "hotline-12345", "form")
    ui.tap("form.field.category")
    ui.tap("form.opt.help")
    ui.tap("form.field.phone")
    for digit in phone:
        ui.tap(f"form.key.{digit}")
    ui.tap("form.field.street")
    ui.tap("form.opt.jas")
    phone_fills_handoff(k)
    ui.tap("form.next")
    ui.wait_screen("confirm")
    ui.tap("confirm.submit")
    ui.wait_until(lambda: ui.current_screen() == "result" and k.state.result.delivered is not None,
                  timeout=15, what="result")


def _session_then_idle_wipe(k, resident, shots=None):
    """A whole session for ``resident`` (card, e-licence, a 12345 submission), the idle countdown answered
    once, then left to run out. Returns the widget-only needles (reference, masked name) and the probe."""
    probe = HeapProbe(resident.fragments())  # before the card is read: the test's own copies are not leaks
    sign_in_with_card(k, resident.card())
    shown_name = k.state.identity.display_name
    open_service(k, "e-licences", "licence")
    assert ui.find("licence.image.0").texture is not None
    ui.tap("licence.back")
    ui.wait_screen("menu")
    _fill_and_submit(k, resident.phone)
    reference = k.state.result.reference
    assert reference and reference in visible_texts()
    # before the wipe both searches do find the resident (they can fail)
    assert personal_leftovers([reference, shown_name])
    assert probe.leftovers()

    k.clock.offset += 3600  # an hour without a touch
    ui.wait_until(lambda: ui.exists("idle.continue"), timeout=5, what="idle countdown")
    assert ui.find("idle.seconds").text.isdigit()
    if shots is not None:
        ui.screenshot(shots / "overlay-idle.png")
    ui.tap("idle.continue")
    assert not ui.exists("idle.continue") and ui.current_screen() == "result"

    k.clock.offset += 3600
    ui.wait_until(lambda: ui.exists("idle.continue"), timeout=5, what="idle countdown again")
    k.clock.offset += k.cfg.session.countdown_s + 1  # nobody answers the countdown
    ui.wait_screen("attract", timeout=5)
    ui.pump(3)
    assert k.state.identity is None and not ui.exists("idle.continue")
    assert k.printer.wait_jobs(1, timeout=5)
    return [reference, shown_name], probe


def test_idle_countdown_continue_then_wipe_leaves_no_personal_data(quick_idle, shots):
    k, resident = quick_idle, random_resident()
    shown, probe = _session_then_idle_wipe(k, resident, shots)
    assert personal_leftovers(resident.fragments() + shown) == []
    forget_simulated_world(k)
    assert probe.leftovers() == []


def test_a_wipe_that_leaves_one_field_is_caught(quick_idle, monkeypatch):
    """The same two searches against a wipe that forgets one field: each of them fails, so they can."""
    from kiosk.session.controller import SessionController

    k, resident = quick_idle, random_resident()
    real_wipe = SessionController.wipe

    def leaky_wipe(self):
        kept = self.state.form  # the form, with the phone typed into it, survives on the controller
        real_wipe(self)
        self._kept = kept

    monkeypatch.setattr(SessionController, "wipe", leaky_wipe)
    probe = HeapProbe(resident.fragments())
    sign_in_with_card(k, resident.card())
    open_service(k, "hotline-12345", "form")
    ui.tap("form.field.phone")
    for digit in resident.phone:
        ui.tap(f"form.key.{digit}")
    k.clock.offset += 3600 + k.cfg.session.countdown_s + 1  # walked away mid-form
    ui.wait_until(lambda: ui.exists("idle.continue"), timeout=5, what="idle countdown")
    k.clock.offset += k.cfg.session.countdown_s + 1
    ui.wait_screen("attract", timeout=5)
    ui.pump(3)
    assert personal_leftovers(resident.fragments()) == []  # the screens were cleared…
    welcome = next(w for w in all_widgets() if getattr(w, "wid", "") == "menu.welcome")
    welcome.text = resident.phone  # …until one keeps a field's text: the widget search catches it
    assert any(resident.phone in hit for hit in personal_leftovers(resident.fragments()))
    welcome.text = ""
    forget_simulated_world(k)
    assert any(repr(resident.phone) in hit for hit in probe.leftovers())  # the heap search catches the form


def test_closed_hours_show_hours_and_staffed_option(kiosk_app, base_cfg, tmp_path, shots):
    hours = OpeningHours(timezone="Asia/Shanghai", always_open=False,
                         weekly=WeeklyHours(mon=["09:00-17:00"], tue=["09:00-17:00"], wed=["09:00-17:00"],
                                            thu=["09:00-17:00"], fri=["09:00-17:00"]))
    sunday_night = datetime(2026, 11, 29, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    cfg = base_cfg.model_copy(update={"opening_hours": hours})
    k = make_kiosk(kiosk_app, cfg, tmp_path, now=lambda: sunday_night)
    try:
        ui.wait_screen("closed", timeout=5)
        assert "09:00-17:00" in ui.text_of("closed.hours")
        assert ui.text_of("closed.nearest") == k.state.closed_hint.zh and "12345" in k.state.closed_hint.zh
        ui.screenshot(shots / "screen-closed.png")
        # a resident's tap does not open anything while closed; help still answers
        ui.tap_at(20, 600)
        assert ui.current_screen() == "closed"
        ui.tap("footer.help")
        assert ui.exists("help.message") and ui.text_of("help.message")
        ui.tap("help.close")
        assert not ui.exists("help.message")
    finally:
        stop_kiosk(k)
