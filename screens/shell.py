"""KioskApp: the Kivy App. Builds the root and every screen once, follows the SessionController.

The controller (kiosk/session/controller.py) is the single decider of what is shown; this class only mirrors its
state into widgets after every change (``apply_state``) and forwards taps (``act``). Screens are built once
and reset, never re-created, because widgets that are dropped and rebuilt leak in a 24/7 process.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics.opengl import glFinish
from kivy.metrics import Metrics
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition

from kiosk import clock as wallclock, i18n
from kiosk.crash import log_unexpected
from kiosk.session.state import SCREENS
from kiosk.session.views import root_view
from kiosk.theme import resolve, theme_for
from kiosk.voice.prompts import prompt_for, speaks
from screens.kv import load_kv, screen_class

log = logging.getLogger(__name__)


def frames_need_finishing() -> bool:
    """Whether each frame must be finished by the GL driver before the next is drawn: offscreen only.

    On a display the buffer swap waits until the driver has drawn the frame. SDL's offscreen driver (headless
    runs, the UI tests, the soak) swaps nothing, so with Mesa's software rasterizer (llvmpipe, the GL of
    machines without a GPU) the UI thread can hand over frames faster than llvmpipe's rasterizer threads
    draw them — whenever those threads are short of CPU, or a frame uploads no texture (an upload waits for
    the frames that use it). Every queued frame holds its command bins ("scenes", megabytes each at
    1080×1920), and Mesa keeps the scenes it has allocated for the life of the process: a 10,000-session
    soak once stepped +137 MB this way while another job held the second core, and ``bench/gl_frames.py``
    queues over half a gigabyte in 5 s. Finishing each frame (``glFinish`` after the flip) keeps one frame
    in flight, as a display's swap does.
    """
    return os.environ.get("SDL_VIDEODRIVER") == "offscreen"


def settle_layout(root: Any, size: tuple[int, int]) -> None:
    """Lay the tree out top-down once, now, at the window's size.

    Kivy would otherwise render every label's text first at the default 100 px width and again at its
    real width after the layouts ran (62 texture renders for the attract screen's 31 labels); with the
    widths settled before the first frame each label is rendered once. Heights that follow the rendered
    text settle in the first frame as usual.
    """
    from kivy.uix.layout import Layout

    root.size = size
    queue = [root]
    while queue:
        widget = queue.pop(0)
        if isinstance(widget, Layout):
            widget.do_layout()
        queue.extend(widget.children)


class _LastResortHandler(ExceptionHandler):
    """Kivy's ExceptionManager hook: an exception that reached the main loop (a Clock callback, a touch or
    kv handler nobody guarded) goes to the app's last resort and the loop goes on (PASS). Only a request
    to end the process (Ctrl-C, SystemExit) still ends it."""

    def __init__(self, app: "KioskApp") -> None:
        super().__init__()
        self.app = app

    def handle_exception(self, exception: BaseException) -> int:
        if not isinstance(exception, Exception):
            return ExceptionManager.RAISE
        self.app.last_resort(exception, "kivy")
        return ExceptionManager.PASS


class KioskApp(App):
    lang = StringProperty(i18n.DEFAULT_LANGUAGE)
    # rebind: kv rules read app.th.<size>; without it they would keep the first theme's numbers
    th = ObjectProperty(None, rebind=True)
    clock_text = StringProperty("")
    terminal_text = StringProperty("")
    session_text = StringProperty("")
    landscape = BooleanProperty(False)
    controller = ObjectProperty(None, allownone=True)
    title = "一网通办"

    def __init__(self, cfg: Any = None, controller: Any = None, *, transition: Any = None,
                 kiosk_mode: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.th = resolve(theme_for(False), Metrics.dpi, Metrics.density)
        self.cfg = cfg
        self.kiosk_mode = kiosk_mode
        self.transition = transition or NoTransition()
        self._first_controller = controller
        self._state_obj: Any = None
        self._elder = False
        self._tick_event: Any = None
        self.frames_drawn = 0
        self.finish_frames = frames_need_finishing()
        self._sm: Any = None
        self._exception_handler = _LastResortHandler(self)
        ExceptionManager.add_handler(self._exception_handler)
        #: kiosk.voice.player.Player, or None for a silent kiosk (set by kiosk.app.run)
        self.voice: Any = None
        self._spoken: tuple[str | None, str] | None = None

    # --- Kivy hooks ---------------------------------------------------------------------------------
    def build(self) -> Any:
        from screens.root import KioskRoot

        load_kv()
        root = KioskRoot()
        root.sm.transition = self.transition
        self._sm = root.sm
        # only the first screen before the first frame; the rest right after it (one start-up pause
        # of ~0.2 s while nobody can have touched yet, instead of a longer black window)
        first = getattr(getattr(self._first_controller, "state", None), "screen", None) or SCREENS[0]
        self.ensure_screen(first)
        Window.bind(on_flip=self._after_first_frame)
        Window.bind(on_request_close=self._on_request_close, on_keyboard=self._on_keyboard,
                    on_resize=self._on_resize, on_flip=self._on_flip)
        self._on_resize(Window, *Window.size)
        self.on_th(self, self.th)
        self._update_clock(0)
        Clock.schedule_interval(self.guarded(self._update_clock, "timer"), 1.0)
        self.root = root
        if self._first_controller is not None:
            self.bind_controller(self._first_controller)
        settle_layout(root, Window.size)
        return root

    def ensure_screen(self, name: str) -> Any:
        """The screen called ``name``, built (once, for the life of the process) if it was not yet."""
        sm = self._sm
        if sm is None:
            raise RuntimeError("ensure_screen before build")
        if not sm.has_screen(name):
            sm.add_widget(screen_class(name)(name=name))
        return sm.get_screen(name)

    def _after_first_frame(self, *_args: Any) -> None:
        Window.unbind(on_flip=self._after_first_frame)
        Clock.schedule_once(self._build_remaining_screens, 0)

    def _build_remaining_screens(self, _dt: float) -> None:
        if self.root is not None:
            self.root.build_overlays()
        for name in SCREENS:
            self.ensure_screen(name)

    def open_settings(self, *args: Any) -> bool:
        return False  # F1 / settings panel never opens on a kiosk

    def _on_request_close(self, *args: Any, **kwargs: Any) -> bool:
        return self.kiosk_mode  # True = refuse (Alt-F4, window manager close)

    def _on_keyboard(self, window: Any, key: int, scancode: int, codepoint: Any, modifiers: Any) -> bool:
        # Esc (27), F1 (282), F4 with alt (285): swallowed in kiosk mode
        return bool(self.kiosk_mode and key in (27, 282, 285))

    def on_th(self, _app: Any, th: Any) -> None:
        Window.clearcolor = (*th.c.bg, 1)

    def _on_resize(self, window: Any, width: int, height: int) -> None:
        landscape = width > height
        if landscape != self.landscape:
            self.landscape = landscape
            if self.root is not None and self.controller is not None:
                self.root.clear_all(wipe=False)  # rebuild grids for the new orientation, keep what is typed
                self.apply_state(self.controller.state)
                settle_layout(self.root, (width, height))  # the new widths at once, not a frame per level

    def _on_flip(self, *args: Any) -> None:
        self.frames_drawn += 1
        if self.finish_frames:
            glFinish()  # offscreen: no swap waits for the driver (frames_need_finishing)

    def _update_clock(self, _dt: float) -> None:
        # minute resolution: the label (and so a redraw) changes once a minute, not every second
        # the terminal's zone (the machine may run in UTC); the controller knows it
        clock_text = getattr(self.controller, "clock_text", None)
        text = clock_text() if clock_text is not None else wallclock.now_in().strftime(wallclock.CLOCK_FORMAT)
        if text != self.clock_text:
            self.clock_text = text
        self._update_session_left()

    def _update_session_left(self) -> None:
        """The header's session countdown ("剩余 1:45"), always visible during a session, not only in the
        15-s warning; one label changes once a second, nothing else is redrawn."""
        left_of = getattr(self.controller, "session_left", None)
        left = left_of() if left_of is not None else None
        text = "" if left is None else self.tr("shell.session_left", self.lang, time=f"{left // 60}:{left % 60:02d}")
        if text != self.session_text:
            self.session_text = text

    # --- controller ---------------------------------------------------------------------------------
    def bind_controller(self, controller: Any) -> None:
        """Follow ``controller`` (tests bind a fresh one per test to the one window)."""
        self.controller = controller

        def on_state(state: Any, _ctl: Any = controller) -> None:
            if self.controller is _ctl:
                self.apply_state(state)
        controller.subscribe(on_state)
        if self._tick_event is not None:
            self._tick_event.cancel()
        self._tick_event = Clock.schedule_interval(self.guarded(self._tick, "timer"), 0.5)
        self._state_obj = None
        self._update_clock(0)
        self.apply_state(controller.state)

    def _tick(self, _dt: float) -> None:
        if self.controller is not None:
            self.controller.tick()

    def act(self, method: str, *args: Any) -> None:
        """A tap asks the controller to do something; the controller decides and notifies."""
        if self.controller is None:
            return
        try:
            getattr(self.controller, method)(*args)
        except Exception as exc:  # noqa: BLE001 — handed to the last resort, which logs and fails safe
            self.last_resort(exc, "widget")

    # --- last resort ----------------------------------------------------------------------------------
    def last_resort(self, exc: BaseException, kind: str) -> None:
        """Hand ``exc`` to the session, which passes it to the last resort (log, wipe, "暂时无法办理", staff
        alert); with no session (no controller yet) it is only logged — there is nothing to wipe."""
        report = getattr(self.controller, "unexpected", None)
        if report is None or not report(exc, kind):
            log_unexpected(log, f"{kind} callback (no session)", exc)

    def guarded(self, fn: Any, kind: str) -> Any:
        """``fn`` with whatever it raises handed to :meth:`last_resort` (Clock timers of the app)."""
        def call(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as exc:  # noqa: BLE001 — see last_resort
                self.last_resort(exc, kind)
                return None
        return call

    def on_stop(self) -> None:
        ExceptionManager.remove_handler(self._exception_handler)

    def _speak(self, state: Any) -> None:
        """Entering a screen, a new step or a new error says what to do now, once (kiosk/voice/prompts.py)."""
        if self.voice is None:
            return
        key = prompt_for(state)
        if (key, state.lang) == self._spoken:
            return
        self._spoken = (key, state.lang)
        if key is None:
            self.voice.stop()  # the screen left has nothing more to say
        elif speaks(key, self.voice.auto_play, bool(state.elder_mode)):  # errors and help: always
            self.voice.play(key, state.lang)
        else:
            self.voice.stop()
            self.voice.remember(key, state.lang)  # 再听一遍 says it

    def repeat_prompt(self) -> None:
        """再听一遍: the current screen's prompt again (always available, whatever auto_play says)."""
        if self.voice is not None:
            self.voice.repeat()

    def tr(self, key: str, lang: str, **params: Any) -> str:
        return i18n.tr(key, lang, **params)

    def apply_state(self, state: Any) -> None:
        root = self.root
        if root is None:
            return
        resettle = False
        if state is not self._state_obj:
            # a wipe replaces the state object: every widget forgets what it showed
            root.clear_all()
            self._state_obj = state
            if self.voice is not None:
                self.voice.stop_all()  # and the resident's last sentence is not said again
        if state.lang != self.lang:
            self.lang = state.lang
        if bool(state.elder_mode) != self._elder:
            self._elder = bool(state.elder_mode)
            self._spoken = None  # turning elder mode on speaks the screen's prompt
            self.th = resolve(theme_for(self._elder), Metrics.dpi, Metrics.density)
            resettle = True
        term = state.terminal
        en = state.lang == "en"
        name = (getattr(term, "name_en", "") if en else "") or term.name
        location = (getattr(term, "location_en", "") if en else "") or term.location
        self.terminal_text = "  ".join(x for x in (name, location) if x)
        sm = root.sm
        if sm.current != state.screen:
            self.ensure_screen(state.screen)
            previous = sm.current_screen
            sm.current = state.screen
            if previous is not None and not getattr(previous, "keep_on_leave", False):
                previous.clear()
        sm.current_screen.render(state)
        root.render(root_view(state))  # the screen builds its own view in render()
        self._update_session_left()
        if resettle:  # every size changed with the mode: lay the tree out once now
            settle_layout(root, Window.size)
        self._speak(state)
        if getattr(self.controller, "exit_requested", False):
            log.info("staff asked to leave the kiosk app")
            self.stop()
