"""Kiosk hardening on the running app: Esc / F1 / Alt-F4 / window close do nothing, one input provider
without multitouch emulation, no inspector/touchring modules, a missing font and the mock GL backend are
start-up errors."""
from __future__ import annotations

import pytest
from kivy.base import EventLoop
from kivy.config import Config
from kivy.core.window import Window

from kiosk_dev import uidriver as ui
from kiosk.app import StartupError, input_config, kivy_environment, register_font


def test_kivy_configured_for_a_kiosk(kiosk_app):
    assert Config.get("kivy", "exit_on_escape") == "0"
    assert dict(Config.items("input")) == {"mouse": "mouse,disable_multitouch"}
    assert Config.options("modules") == []
    assert Config.get("graphics", "resizable") == "0"


@pytest.mark.parametrize("key, modifiers", [(27, []), (282, []), (285, ["alt"])])
def test_escape_f1_alt_f4_do_nothing(kiosk, key, modifiers):
    ui.wait_screen("attract")
    assert Window.dispatch("on_keyboard", key, 0, None, modifiers) is True
    ui.pump(3)
    assert not EventLoop.quit
    assert kiosk.app.root.parent is Window and ui.current_screen() == "attract"
    assert kiosk.app._app_settings is None  # no settings panel was built (F1)


def test_window_close_is_refused(kiosk):
    assert Window.dispatch("on_request_close") is True
    ui.pump(2)
    assert not EventLoop.quit


def test_one_provider_per_touch_device():
    assert input_config("mouse") == ("mouse", "mouse,disable_multitouch")
    assert input_config("mtdev:/dev/input/event3") == ("touch", "mtdev,/dev/input/event3")
    assert input_config("hidinput:/dev/input/event5") == ("touch", "hidinput,/dev/input/event5")


def test_missing_font_is_a_clear_startup_error(tmp_path):
    with pytest.raises(StartupError, match="字体"):
        register_font(tmp_path / "missing.ttc")


def test_mock_gl_backend_is_refused(monkeypatch):
    monkeypatch.setenv("KIVY_GL_BACKEND", "mock")
    with pytest.raises(StartupError, match="mock"):
        kivy_environment()
