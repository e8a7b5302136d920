"""The kiosk speaks: entering a screen plays its prompt (elder mode by default), 再听一遍 in the footer says it
again, a wipe silences everything — through the real app, real taps, the real Player (a recording backend
stands in for the sound card; tests/devices/test_voice_disk.py proves the SDL path)."""
from __future__ import annotations

import pytest

from kiosk_dev import uidriver as ui
from kiosk.app import KivyBridge
from kiosk.voice.cache import VoiceCache
from kiosk.voice.engine import VoiceEngine
from kiosk.voice.player import Player

from tests.unit.test_voice import FakeBackend, FakeSynth  # noqa: I001 — the same doubles as the unit tests


@pytest.fixture
def voice(kiosk_app, tmp_path):
    cache = VoiceCache(tmp_path / "voice")
    cache.build(FakeSynth())
    engine = VoiceEngine(cache, tmp_path / "voice-work")
    backend = FakeBackend()
    kiosk_app.voice = Player(engine, backend, KivyBridge().post, auto_play="elder")
    kiosk_app._spoken = None
    yield backend
    kiosk_app.voice = None
    engine.close()


def played(backend):
    return [name for kind, name, *_ in backend.log if kind == "play"]


def test_screens_speak_in_elder_mode_and_repeat_on_request(voice, kiosk):
    ui.wait_screen("attract")
    kiosk.app.apply_state(kiosk.state)
    ui.pump(2)
    assert played(voice) == []  # standard mode: silent until asked
    ui.tap("footer.repeat")
    ui.wait_until(lambda: played(voice) == ["screen.attract.wav"], what="再听一遍 says the attract prompt")
    ui.tap("footer.elder")
    ui.wait_until(lambda: played(voice)[-1:] == ["screen.attract.wav"] and len(played(voice)) == 2,
                  what="elder mode on: the screen's prompt is spoken")
    ui.tap("attract.svc.service-guides")
    ui.wait_until(lambda: played(voice)[-1:] == ["screen.guide.wav"], timeout=10, what="guide prompt on entry")
    # the previous prompt was stopped before the next one started: never two at once
    plays = [i for i, e in enumerate(voice.log) if e[0] == "play"]
    assert voice.log[plays[-1] - 1] == ("stop", "screen.attract.wav")
    kiosk.ctl.wipe()
    ui.wait_until(lambda: voice.log[-1][0] == "stop" or played(voice)[-1] == "screen.attract.wav",
                  what="the wipe silences")
    assert ("stop", "screen.guide.wav") in voice.log


@pytest.mark.parametrize("signed_in", [False, True])
def test_footer_with_the_repeat_button_passes_the_audit(voice, kiosk, shots, signed_in):
    from a11y import audit
    from uiflow import sign_in_with_card

    ui.wait_screen("attract")
    if signed_in:  # the fullest footer: 一键求助 再听一遍 返回首页 结束办理 English 长辈模式
        sign_in_with_card(kiosk)
    problems = []
    for lang in ("zh-CN", "en"):
        if kiosk.state.lang != lang:
            kiosk.ctl.set_language(lang)
        for elder in (False, True):
            if kiosk.state.elder_mode != elder:
                kiosk.ctl.toggle_elder_mode()
            ui.pump(6)
            assert ui.visible(ui.find("footer.repeat"))
            problems += [f"[{lang} elder={elder}] {p}" for p in audit(elder) if "footer" in p]
            ui.screenshot(shots / f"voice-footer-{kiosk.state.screen}-{lang}-{'elder' if elder else 'normal'}.png")
    assert problems == []


def test_an_error_is_spoken_once_even_in_standard_mode_and_closing_it_stops_it(voice, kiosk):
    ui.wait_screen("attract")
    kiosk.app.apply_state(kiosk.state)
    ui.pump(2)
    assert played(voice) == [] and not kiosk.state.elder_mode
    kiosk.ctl.choose_service("no-such-service")  # an error banner
    ui.wait_until(lambda: played(voice) == ["error.generic.wav"], what="the error is spoken in standard mode")
    kiosk.ctl.touch()
    kiosk.app.apply_state(kiosk.state)  # more state updates while the banner stays: not said again
    ui.pump(4)
    assert played(voice) == ["error.generic.wav"]
    ui.tap("error.close")
    ui.wait_until(lambda: voice.log[-1] == ("stop", "error.generic.wav"), what="closing the error stops it")
    assert played(voice) == ["error.generic.wav"]  # the screen's own prompt is not forced on standard mode


def test_help_status_is_shown_and_spoken_as_the_duty_post_answers(voice, kiosk):
    ui.wait_screen("attract")
    kiosk.devices_ready()
    ui.tap("footer.help")
    ui.wait_until(lambda: kiosk.state.help is not None and kiosk.state.help.state == "pending", timeout=15,
                  what="the gateway took the request")
    assert ui.text_of("help.close") == "取消求助" and "已通知值班人员" in ui.text_of("help.message")
    ui.wait_until(lambda: "help.notified.wav" in played(voice), what="pending is spoken")
    duty = kiosk.gateway.duty
    (rid,) = [r for r, e in duty.requests.items() if e["state"] == "pending"]
    assert duty.requests[rid]["screen"] == "attract"
    duty.acknowledge(rid, "hall-desk", 3)
    ui.wait_until(lambda: kiosk.state.help.state == "acknowledged", timeout=15, what="the kiosk polls the ack")
    ui.pump(2)
    assert "一楼大厅值班台" in ui.text_of("help.message") and ui.text_of("help.big") == "约 3 分钟"
    ui.wait_until(lambda: played(voice)[-1].startswith("utt-"), what="约三分钟到达 is spoken (composed)")
    ui.tap("help.close")  # 取消求助
    ui.wait_until(lambda: duty.requests[rid]["state"] == "cancelled", timeout=15, what="cancelled at the gateway")
    assert kiosk.state.help is None and not ui.exists("help.message")
