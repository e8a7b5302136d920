"""The staff screen's voice section through the real app: volume and mute change the Player and say so in
words; this terminal's help requests of the day are listed (time, screen, status)."""
from __future__ import annotations

from kiosk_dev import uidriver as ui

from test_staff_ui import open_staff
from test_voice_ui import voice  # noqa: F401 — the fixture: a real Player over a recording backend


def test_volume_mute_and_the_help_list(voice, kiosk):  # noqa: F811
    kiosk.rt.audio = kiosk.app.voice
    try:
        ui.wait_screen("attract")
        kiosk.devices_ready()
        ui.tap("footer.help")
        ui.wait_until(lambda: kiosk.state.help is not None and kiosk.state.help.state == "pending", timeout=15,
                      what="help request pending")
        ui.tap("help.close")  # 取消求助
        ui.wait_until(lambda: kiosk.state.help is None, what="cancelled")
        open_staff(kiosk)
        assert ui.text_of("staff.volume") == "语音音量：80%"
        ui.tap("staff.volume_down")
        ui.wait_until(lambda: ui.text_of("staff.volume") == "语音音量：70%", what="quieter")
        assert kiosk.app.voice.volume == 0.7
        ui.tap("staff.mute")
        ui.wait_until(lambda: ui.text_of("staff.volume") == "语音已静音（音量 70%）", what="muted")
        assert kiosk.app.voice.muted and ui.text_of("staff.mute") == "取消静音"
        ui.tap("staff.mute")
        ui.wait_until(lambda: not kiosk.app.voice.muted, what="unmuted")
        assert ui.text_of("staff.help_title") == "今日一键求助（1 次）"
        assert ui.text_of("staff.help.0").endswith("attract  已取消")
    finally:
        kiosk.rt.audio = None
