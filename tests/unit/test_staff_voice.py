"""Staff mode's voice section: volume and mute reach the Player and survive a restart (like the service
switches, in a private JSON beside the outbox); the help requests of the day are listed with time, screen and
status — never who asked."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict
from types import SimpleNamespace

from kiosk.backend.errors import NetworkError
from kiosk.voice import settings

from session_fakes import identify_by_card, make
from test_help_session import Client, reply


def open_staff(ctl, rt):
    for _ in range(5):
        ctl.staff_corner_tap()
    for d in "246810":
        ctl.staff_pin_digit(d)
    ctl.staff_pin_submit()
    rt.finish("pin", True)
    assert ctl.state.screen == "staff"


def test_volume_and_mute_from_the_staff_screen():
    ctl, rt, _ = make()
    rt.voice = (0.8, False)
    ctl.staff_volume_up()  # not on the staff screen: nothing happens
    assert rt.voice == (0.8, False)
    open_staff(ctl, rt)
    assert ctl.state.staff.voice == (80, False)
    ctl.staff_volume_down()
    ctl.staff_volume_down()
    assert rt.voice[0] == 0.6 and ctl.state.staff.voice == (60, False)
    for _ in range(6):
        ctl.staff_volume_up()
    assert rt.voice[0] == 1.0 and ctl.state.staff.voice == (100, False)  # kept within 0–100 %
    ctl.staff_toggle_mute()
    assert ctl.state.staff.voice == (100, True)
    ctl.staff_toggle_mute()
    assert ctl.state.staff.voice == (100, False)


def test_a_kiosk_without_voice_says_so():
    ctl, rt, _ = make()
    open_staff(ctl, rt)
    ctl.staff_volume_up()
    assert ctl.state.staff.voice is None


def test_the_help_requests_of_the_day_without_personal_data():
    ctl, rt, clock = make()
    rt.client = Client()
    identify_by_card(ctl, rt)
    ctl.request_help()
    rt.finish("help_create", reply())
    rt.finish("help_poll", reply("acknowledged", eta=3))
    ctl.end_session()
    ctl.request_help()
    rt.fail("help_create", NetworkError("down"))
    ctl.dismiss()
    open_staff(ctl, rt)
    rows = ctl.state.staff.help_today
    assert [(at, screen, status.zh) for at, screen, status in rows] == [
        ("10:00", "menu", "已取消"), ("10:00", "attract", "网关不可达，已给出值班电话")]
    assert "王" not in repr(asdict(ctl.state.staff)) and "tok-secret" not in repr(asdict(ctl.state.staff))


def test_the_runtime_applies_and_keeps_the_level(tmp_path):
    from kiosk.config.loader import load_config
    from kiosk.runtime import Runtime
    from kiosk.voice.setup import player_from_config
    from session_fakes import CONFIG_DIR

    from kiosk.bridge import QueueBridge

    cfg = load_config(CONFIG_DIR)
    cfg = dataclasses.replace(cfg, outbox=dataclasses.replace(cfg.outbox, path=tmp_path / "var" / "outbox.db"))
    backend = SimpleNamespace(prepare=lambda p: p, load=lambda p: None)
    rt = Runtime(cfg, QueueBridge())
    assert rt.set_voice(volume=0.3) is None  # no Player: no voice
    rt.audio = player_from_config(cfg, QueueBridge().post, backend=backend)
    assert (rt.audio.volume, rt.audio.muted) == (0.8, False)  # terminal.yaml's
    assert rt.set_voice(volume=0.3, muted=True) == (0.3, True)
    saved = tmp_path / "var" / "voice-settings.json"
    assert json.loads(saved.read_text()) == {"volume": 0.3, "muted": True}
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    again = player_from_config(cfg, QueueBridge().post, backend=backend)  # the next start
    assert (again.volume, again.muted) == (0.3, True)
    rt.audio.engine.close()
    again.engine.close()
    saved.write_text("{not json")
    assert settings.load(saved, settings.VoiceLevel(0.8, False)) == settings.VoiceLevel(0.8, False)
