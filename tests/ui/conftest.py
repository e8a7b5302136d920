"""Headless UI harness: the real KioskApp in one real-GL window per test session (SDL offscreen + Mesa).

Kivy reads its environment at first import, so it is set here before anything imports Kivy. The mock GL
backend draws nothing and silently turns Kivy's own graphic tests into non-tests: it is refused, and a
window without a real GL renderer fails the session loudly (never a skip).

Each test gets a fresh SessionController + Runtime wired to real simulators (card reader and printer on
loopback TCP, the HTTPS gateway) started in-process by kiosk_dev.sims.SimStack on ephemeral ports, and
binds it to the one app window.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_KIVY_HOME = tempfile.mkdtemp(prefix="kiosk-kivy-home-")
if os.environ.get("KIVY_GL_BACKEND") == "mock":
    raise RuntimeError("KIVY_GL_BACKEND=mock draws nothing; the UI tests need real GL (unset it)")
os.environ.update(SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
                  KIVY_NO_FILELOG="1", KIVY_HOME=_KIVY_HOME, KIVY_LOG_MODE="PYTHON")

import pytest  # noqa: E402

from kiosk.app import configure_kivy, create_app, kivy_environment, register_font  # noqa: E402
from kiosk.config.loader import load_config  # noqa: E402

kivy_environment(_KIVY_HOME, headless=True)  # the rest of the kiosk's own Kivy environment, as in production

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("KIOSK_UI_ARTIFACTS", REPO / "build" / "ui-artifacts"))
_CFG = load_config(REPO / "config")
#: frames a second the tests pump. The app's 60 (Kivy's default) paces every frame to 16.7 ms, and nearly
#: all of a UI test is pumping frames while a static screen waits for a simulator or a layout pass: most of
#: that time was sleep (an idle frame costs ~0.3 ms of CPU). Everything the screens time — the 300 ms busy
#: reveal, the QR animation, idle timeouts, the clock — is scheduled in seconds on Kivy's clock, so it keeps
#: its timing; only how often the tests look changes. 250, not unpaced: a wait_until() gives up after
#: 100,000 frames, still ≥ 400 s here, and an idle frame loop stays a few % of a core on the 2-core runners.
UI_TEST_FPS = 250.0
# before the test modules (which import kiosk_dev.uidriver, i.e. the Kivy window) are collected. The offscreen
# GL surface keeps the size it was created with, so it is made big enough for both orientations and the
# window is then sized to the configured display (portrait 1080x1920) — landscape tests resize it.
configure_kivy(_CFG.display, windowed=True, size=(1920, 1920))
register_font(_CFG.display.font_path)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/ui/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.ui)


@pytest.fixture(scope="session")
def base_cfg():
    return _CFG


@pytest.fixture(scope="session")
def kiosk_app(base_cfg):
    """The one KioskApp + window of this test session (kiosk mode: Esc/F1/close refused)."""
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RENDERER, glGetString
    from kivy.uix.screenmanager import NoTransition

    renderer = glGetString(GL_RENDERER)
    if not renderer or type(Window).__name__ != "WindowSDL":
        pytest.fail(f"no real GL window (window={type(Window).__name__}, renderer={renderer!r}); "
                    "the UI tests need SDL offscreen + Mesa (libegl1, libgl1-mesa-dri)", pytrace=False)
    Window.size = (base_cfg.display.width, base_cfg.display.height)
    Clock._max_fps = UI_TEST_FPS  # Clock read Config's maxfps when kivy.clock was imported; set it on the clock
    app = create_app(base_cfg, None, transition=NoTransition(), kiosk_mode=True)
    app._run_prepare()  # what App.run() does before entering the loop; the tests pump frames instead
    EventLoop.idle()
    yield app
    app.controller = None


class Kiosk:
    """One test's world: simulators, runtime, controller bound to the shared app."""

    def __init__(self, app, cfg, stack, runtime, controller):
        self.app, self.cfg, self.stack, self.rt, self.ctl = app, cfg, stack, runtime, controller

    @property
    def state(self):
        return self.ctl.state

    @property
    def idcard(self):
        return self.stack.idcard

    @property
    def printer(self):
        return self.stack.printer

    @property
    def gateway(self):
        return self.stack.gateway

    def card(self, cmd: str, **args):
        reply = self.stack.idcard.handle_control({"cmd": cmd, **args})
        assert reply.get("ok"), reply
        return reply

    def printer_ctl(self, cmd: str, **args):
        reply = self.stack.printer.handle_control({"cmd": cmd, **args})
        assert reply.get("ok"), reply
        return reply

    def devices_ready(self, timeout: float = 30.0) -> None:  # a bound to give up at, not a measurement
        from kiosk_dev import uidriver as ui

        d = lambda: self.ctl.state.devices  # noqa: E731
        ui.wait_until(lambda: d().reader_online and d().printer_ready and d().backend_ok, timeout=timeout,
                      what="card reader, printer and gateway online")


def make_kiosk(app, cfg, tmp_path, *, now=None, clock=None, ready=True) -> Kiosk:
    from kiosk.app import KivyBridge
    from kiosk_dev.sims import SimStack
    from kiosk.runtime import Runtime
    from kiosk.session.controller import SessionController

    stack = SimStack(cfg, tmp_path)
    sim_cfg = stack.start()
    rt = Runtime(sim_cfg, KivyBridge())
    kwargs = {k: v for k, v in (("now", now), ("clock", clock)) if v is not None}
    ctl = SessionController(sim_cfg, rt, **kwargs)
    rt.attach(ctl)
    rt.start()
    app.bind_controller(ctl)
    k = Kiosk(app, sim_cfg, stack, rt, ctl)
    if ready:
        k.devices_ready()
    return k


def stop_kiosk(k: Kiosk) -> None:
    if getattr(k, "stopped", False):
        return
    k.stopped = True
    if k.app.controller is k.ctl:
        k.app.controller = None
    k.rt.stop()
    k.stack.stop()


@pytest.fixture
def kiosk(kiosk_app, base_cfg, tmp_path):
    k = make_kiosk(kiosk_app, base_cfg, tmp_path)
    yield k
    stop_kiosk(k)


@pytest.fixture
def shots():
    """Where screenshots of this run go (kept as artifacts)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing UI test leaves a screenshot of what was on screen (artifacts/FAILED-<test>.png)."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "kiosk_app" in getattr(item, "fixturenames", ()):
        from kiosk_dev import uidriver as ui

        ui.screenshot(ARTIFACTS / f"FAILED-{item.name}.png")
