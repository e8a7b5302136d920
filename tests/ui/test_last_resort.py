"""Nothing a callback raises ends the app (issue 12 §2), in the real app under SDL offscreen.

An exception is injected into each kind of callback — a task callback, a Clock timer (the app's own and a
bare one reaching Kivy's ExceptionManager), a device event, a bridge post, a widget callback — and each
time: the process and the loop go on, the resident's session is wiped, the truthful "暂时无法办理" notice
with 一键求助 is shown on the attract screen, staff get an alert through the heartbeat, nothing of the
exception's message reaches the log, and the next resident is served (signs in and reaches the menu).
"""
from __future__ import annotations

import logging

import pytest
from kivy.clock import Clock
from uiflow import sign_in_with_card, take_card_away

from kiosk_dev import uidriver as ui
from kiosk.crash import UNAVAILABLE, LastResort

pytestmark = pytest.mark.timeout(120)
SECRET = "李建国 31011519650412127X"  # what an exception's message may carry; never logged


class Boom(RuntimeError):
    pass


def _raise(*_args):
    raise Boom(SECRET)


def _inject_task(k):
    k.ctl.core.spawn("boom", lambda cancel: 42, _raise, _raise, timeout=5)


def _inject_app_timer(k):
    tick = k.ctl.tick
    calls = []

    def broken_tick():
        if not calls:
            calls.append(1)
            _raise()
        tick()
    k.ctl.tick = broken_tick


def _inject_bare_clock(k):
    Clock.schedule_once(_raise, 0)  # not guarded by anyone: Kivy's ExceptionManager must catch it


def _inject_device(k):
    # the reader's listener (a device worker thread) fails while handing an event to the UI thread
    post = k.rt.bridge.post

    def broken_post(fn, *args):
        if getattr(fn, "__name__", "") == "on_card_present":
            k.rt.bridge.post = post
            _raise()
        post(fn, *args)
    k.rt.bridge.post = broken_post
    ui.tap("attract.card")
    ui.wait_screen("identify")
    ui.wait_until(lambda: k.state.card.state == "waiting", timeout=5, what="reader polling")
    k.card("place", card="resident")


def _inject_bridge(k):
    k.rt.bridge.post(_raise, "x")


def _inject_widget(k):
    k.ctl.request_help = _raise  # the help button's handler is broken
    ui.tap("footer.help")


INJECT = {"task": _inject_task, "timer": _inject_app_timer, "kivy": _inject_bare_clock, "device": _inject_device,
          "bridge": _inject_bridge, "widget": _inject_widget}


@pytest.mark.parametrize("kind", sorted(INJECT))
def test_an_exception_in_any_callback_fails_safe_and_the_next_resident_is_served(kiosk, kind, caplog, shots):
    k = kiosk
    sign_in_with_card(k)  # a resident is signed in: personal data on screen and in the session
    assert k.state.screen == "menu"
    if kind == "device":
        ui.tap("footer.home")
        k.ctl.end_session()
        ui.wait_screen("attract")
    with caplog.at_level(logging.INFO):
        INJECT[kind](k)
        ui.wait_until(lambda: k.rt.last_resort.count >= 1, timeout=10, what=f"the {kind} exception handled")
        ui.wait_until(lambda: k.state.error is not None and k.state.error.text == UNAVAILABLE, timeout=10,
                      what="the temporarily-unavailable notice")
    ui.pump(3)
    ui.screenshot(shots / f"last-resort-{kind}.png")
    # the resident was forgotten and the truthful notice is on the attract screen, with 一键求助
    assert k.state.screen == "attract" and ui.current_screen() == "attract"
    assert k.ctl.core.token is None and k.state.error.action == "help"
    assert "暂时无法办理" in ui.text_of("error.message")
    assert ui.exists("error.help")
    assert k.rt.last_resort.last["kind"] == ("kivy" if kind == "kivy" else kind)
    # the log names the exception's type and where it happened, never its message
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "Boom" in text and "李建国" not in text and "31011519650412127X" not in text
    # staff are told through the heartbeat's alerts
    payload = k.rt.heartbeat.build_payload()
    assert LastResort.ALERT_CODE in [a["code"] for a in payload["alerts"]]
    # and the next resident is served
    if kind == "device":
        take_card_away(k)  # the first resident takes the card away
    ui.tap("error.close")
    sign_in_with_card(k)
    assert k.state.screen == "menu" and k.state.error is None
