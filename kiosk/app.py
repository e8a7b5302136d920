"""The Kivy application entry: Kivy configuration for a kiosk, the CJK font, the UI-thread bridge, start-up.

Kivy reads its window/input settings when its modules are first imported, so nothing here imports Kivy at
module level: :func:`configure_kivy` must run first (``Config.set`` before any other Kivy import), then
:func:`register_font`, then :func:`create_app`. The App class itself lives in screens/shell.py.

Kiosk hardening done here: no Esc-to-quit, no inspector/monitor/touchring modules, one input provider
(mouse with multitouch emulation off by default — right clicks would leave red dots), fullscreen/borderless
and cursor from config. F1, Esc, Alt-F4 and window close are refused by the App (screens/shell.py).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable

from kiosk.bridge import UiBridge

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The app cannot start (bad font, Kivy already configured, …); message in Chinese then English."""


def kivy_environment(kivy_home: str | os.PathLike | None = None, *, headless: bool = False) -> None:
    """Environment Kivy reads at import time: no argv parsing, no console/file log of its own."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # PYTHON mode: Kivy logs through the standard logging tree (our masking filter) and leaves
    # sys.stderr alone — in its default mode tracebacks vanish when the console log is off
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    # every Kivy setting the kiosk needs is set by configure_kivy from the staff config: a user-level
    # ~/.kivy/config.ini left on a terminal must not change it (and reading/upgrading it costs the start)
    os.environ.setdefault("KIVY_NO_CONFIG", "1")
    # the kiosk's images are PNGs, which SDL2 loads; without this Kivy also imports PIL and probes
    # ffpyplayer to register image loaders nobody uses (~10 ms of the cold start)
    os.environ.setdefault("KIVY_IMAGE", "sdl2")
    if kivy_home is not None:
        os.environ["KIVY_HOME"] = str(kivy_home)
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    if os.environ.get("KIVY_GL_BACKEND") == "mock":
        raise StartupError("KIVY_GL_BACKEND=mock 不绘制任何内容，禁止使用 / the mock GL backend draws nothing")


def input_config(provider: str) -> tuple[str, str]:
    """Kivy ``[input]`` entry for the single configured provider (see DisplayConfig.input_provider)."""
    if provider == "mouse":
        return "mouse", "mouse,disable_multitouch"
    if provider == "probesysfs":
        return "touch", "probesysfs"
    kind, _, device = provider.partition(":")
    return "touch", f"{kind},{device}"


def configure_kivy(display: Any, *, windowed: bool = False, size: tuple[int, int] | None = None) -> None:
    """Apply display config to Kivy's Config. Must run before kivy.core.window is imported (the window is
    created at that import and reads the size, fullscreen and cursor settings then; the input and module
    sections are read when the app starts). ``kivy.app`` and ``kivy.clock`` may already be loaded: nothing
    set here is read at their import (the Clock reads only ``maxfps`` and ``kivy_clock``, not set here).

    ``windowed`` ignores fullscreen/borderless (development, headless runs and tests)."""
    late = [m for m in ("kivy.core.window",) if m in sys.modules]
    if late:
        raise StartupError(f"Kivy 已在配置前加载（{', '.join(late)}）/ Kivy was imported before configure_kivy")
    from kivy.config import Config

    width, height = size or (display.width, display.height)
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    for section in ("modules", "input"):
        for option in list(Config.options(section)) if Config.has_section(section) else ():
            Config.remove_option(section, option)
    name, value = input_config(getattr(display, "input_provider", "mouse"))
    Config.set("input", name, value)
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "fullscreen", "auto" if (not windowed and display.fullscreen) else "0")
    Config.set("graphics", "borderless", "1" if (not windowed and display.borderless) else "0")
    Config.set("graphics", "show_cursor", "1" if display.show_cursor else "0")
    Config.set("graphics", "multisamples", "0")


def register_font(path: str | os.PathLike) -> str:
    """Make ``path`` Kivy's default font (before any widget is built); a missing/unusable font is an error."""
    # header-level check only (a few ms): glyph coverage of every UI string is proven by tests/test_fonts.py
    from kiosk.fonts import FontError, quick_check

    try:
        family = quick_check(str(path))
    except FontError as exc:
        raise StartupError(str(exc)) from exc
    from kiosk.icons import IconError, codepoints, font_path

    try:  # the tiles and action buttons draw their icons from this font: refuse to start without it
        font_path()
        codepoints()
    except IconError as exc:
        raise StartupError(str(exc)) from exc
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, str(path))
    return family


def configure_headless(config_dir: str | os.PathLike, *, prefix: str = "kiosk-kivy-") -> Any:
    """Benches and tools: load the config, then set Kivy up for an offscreen window of the configured size
    with the kiosk's font (a fresh KIVY_HOME). Returns the config. Must run before Kivy's window exists."""
    import tempfile

    from kiosk.config.loader import load_config

    cfg = load_config(Path(config_dir))
    kivy_environment(tempfile.mkdtemp(prefix=prefix), headless=True)
    configure_kivy(cfg.display, windowed=True)
    register_font(cfg.display.font_path)
    return cfg


class KivyBridge(UiBridge):
    """Worker thread -> UI thread: Clock.schedule_once is safe to call from any thread."""

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        from kivy.clock import Clock

        call = self._guarded(fn)
        Clock.schedule_once(lambda _dt: call(*args), 0)


def create_app(cfg: Any, controller: Any = None, *, transition: Any = None, kiosk_mode: bool = True) -> Any:
    """The KioskApp (not started). ``transition`` defaults to NoTransition.

    The app gets the session controller only: the runtime (devices, gateway, outbox) stays out of reach of
    every screen; whoever built the runtime starts and stops it (``start_runtime_after_first_frame``).
    """
    from screens.shell import KioskApp

    return KioskApp(cfg, controller, transition=transition, kiosk_mode=kiosk_mode)


def run(config_dir: str | os.PathLike | None = None, *, headless: bool = False, kiosk_mode: bool = True,
        setup_logs: bool = True) -> int:
    """``kiosk run``: load config, wire devices and backend, show the UI until staff exit. Returns exit code
    (2: invalid config or unusable display/font, every problem printed like ``kiosk config check``;
    1: devices/outbox/gateway client could not be started). ``config_dir`` None: the default directory.

    The config is validated in a forked child (kiosk/config/child.py) while this process imports Kivy and
    the kiosk's modules; the window is created only once the child says the config is valid. Logging is
    set up from the validated config (``setup_logs``) before anything else is started.
    """
    from kiosk.config.child import ConfigChildError, PendingConfig

    pending = PendingConfig(Path(config_dir) if config_dir is not None else None)
    try:
        kivy_environment(headless=headless)
        _import_ahead()
    except StartupError as exc:
        pending.discard()
        print(f"无法启动 / cannot start: {exc}", file=sys.stderr)
        return 2
    from kiosk.config.issues import ConfigError
    from kiosk.config.loader import default_config_dir

    config_dir = config_dir if config_dir is not None else default_config_dir()
    try:
        cfg = pending.result()
    except ConfigError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"配置无效，终端未启动：共 {len(exc.issues)} 处错误 (invalid configuration, kiosk not started: "
              f"{len(exc.issues)} error(s)) — {config_dir}", file=sys.stderr)
        return 2
    except ConfigChildError as exc:
        print(f"无法启动 / cannot start: {exc}", file=sys.stderr)
        return 2
    from kiosk import i18n

    i18n.preload(pending.catalogs)
    if setup_logs:
        from kiosk.clock import zone_of
        from kiosk.logs import setup_logging

        setup_logging(cfg.logging.dir, level=cfg.logging.level, max_bytes=cfg.logging.max_bytes,
                      backups=cfg.logging.backups, zone=zone_of(cfg))
    return _serve(cfg, headless=headless, kiosk_mode=kiosk_mode)


def _serve(cfg: Any, *, headless: bool, kiosk_mode: bool) -> int:
    """The validated config's window, session and runtime: run the app until it ends; the exit code."""
    try:
        configure_kivy(cfg.display, windowed=headless or not kiosk_mode)
        register_font(cfg.display.font_path)
    except StartupError as exc:
        print(f"无法启动 / cannot start: {exc}", file=sys.stderr)
        return 2
    from kiosk.runtime import Runtime
    from kiosk.session.controller import SessionController

    runtime = Runtime(cfg, KivyBridge())
    controller = SessionController(cfg, runtime)
    runtime.attach(controller)
    app = create_app(cfg, controller, kiosk_mode=kiosk_mode)
    from kiosk.voice.setup import player_from_config
    from screens.audio import SdlAudio

    audio = SdlAudio()
    # a missing or broken sound card: reported to staff (heartbeat alert, staff screen), never stops a flow
    app.voice = runtime.audio = player_from_config(cfg, KivyBridge().post, backend=audio,
                                                   on_status=runtime.audio_status)
    failed = start_runtime_after_first_frame(app, runtime)
    collect_between_sessions(app, controller)
    try:
        app.run()
    finally:
        runtime.stop()
        if app.voice is not None:
            app.voice.stop_all()
            app.voice.engine.close()
        audio.close()
    if failed:  # a RuntimeStartError (start_runtime_after_first_frame keeps only those)
        print(f"终端未启动 / kiosk not started: {failed[0]}", file=sys.stderr)
        return 1
    return 0


def _import_ahead() -> None:
    """Import what the start needs and that reads no display setting, while the config is being checked.

    Nothing here may import ``kivy.core.window`` (that creates the window, which needs the validated size).
    """
    window_before = "kivy.core.window" in sys.modules  # (only in a process that already ran an app: tests)
    import kivy.app  # noqa: F401  (also kivy.clock, kivy.lang, kivy.uix.widget)
    import kivy.uix.boxlayout  # noqa: F401
    import kivy.uix.button  # noqa: F401
    import kivy.uix.floatlayout  # noqa: F401
    import kivy.uix.gridlayout  # noqa: F401
    import kivy.uix.label  # noqa: F401
    import kivy.uix.screenmanager  # noqa: F401

    import kivy.core.text  # noqa: F401  (reads only Kivy's own default_font setting)

    # the window's input side (providers, post-processing): read only when the window is created and the app
    # starts, so loading them here moves ~5 ms from after the verdict into the time spent waiting for it
    import kivy.input.postproc  # noqa: F401
    import kivy.input.providers  # noqa: F401
    import kivy.vector  # noqa: F401

    import kiosk.config.loader  # noqa: F401  (the types the child's verdict is unpickled into)
    import kiosk.runtime  # noqa: F401
    import kiosk.session.controller  # noqa: F401
    # what screens/shell.py and run() import after the verdict (~12 ms): the theme, fonts, catalogs, the
    # prompts and the voice player's modules (the player itself is built from the config, in _serve)
    import kiosk.fonts  # noqa: F401
    import kiosk.i18n  # noqa: F401
    import kiosk.theme  # noqa: F401
    import kiosk.voice.prompts  # noqa: F401
    import kiosk.voice.setup  # noqa: F401
    import screens.audio  # noqa: F401
    from screens.kv import load_kv, screen_class

    load_kv()
    screen_class("attract")  # the usual first screen (a closed terminal's first screen loads its own later)
    if not window_before and "kivy.core.window" in sys.modules:  # a Kivy upgrade changed its imports
        raise StartupError("kivy.core.window 在配置前被导入 / kivy.core.window was imported before the config")


def start_runtime_after_first_frame(app: Any, runtime: Any) -> list[BaseException]:
    """Start devices, gateway client and outbox once the first frame is on the glass.

    Importing and opening them (requests, the SQLite outbox, two driver threads) took ~0.3 s before the
    attract screen could be drawn; nothing on the attract screen needs them in its first frame, and device
    readiness arrives as events anyway. Returns a list that holds the start error, if any, after ``run()``
    (the app stops at once on such an error — the CLI prints it and exits non-zero).
    """
    from kivy.clock import Clock
    from kivy.core.window import Window

    failed: list[BaseException] = []

    def start(_dt: float) -> None:
        from kiosk.runtime import RuntimeStartError

        try:
            runtime.start()
        except RuntimeStartError as exc:
            failed.append(exc)
            app.stop()

    def on_flip(*_args: Any) -> None:
        Window.unbind(on_flip=on_flip)
        Clock.schedule_once(start, 0)

    app.bind(on_start=lambda *_a: Window.bind(on_flip=on_flip))
    return failed


#: full collections happen only between sessions: at least this often while the terminal stands idle
IDLE_COLLECT_S = 300.0


def heap_release() -> Callable[[], Any]:
    """glibc's ``malloc_trim(0)``: hand the pages the C allocator holds free back to the system.

    A session's garbage is collected in one go after the wipe, so the heap peaks once a session and the
    allocator keeps the freed pages; in a process that runs for days that is ~100 MB of RSS nothing uses,
    and the slow creep of a fragmented heap (docs/PERFORMANCE.md §1b). On a C library without it (not
    glibc) there is nothing to give back and this does nothing (said once in the log).
    """
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except AttributeError:
        log.info("this C library has no malloc_trim: freed heap pages stay with the kiosk process")
        return lambda: None
    trim.argtypes, trim.restype = (ctypes.c_size_t,), ctypes.c_int
    return lambda: trim(0)


class SessionGc:
    """Keep the garbage collector's full collections out of residents' sessions.

    A full collection walks the whole heap — every Kivy widget of 12 screens — and held the GIL for up to
    ~300 ms of CPU inside the card → menu path (docs/PERFORMANCE.md §13). So: once the first frame is
    drawn and the other screens are built (:meth:`settle`), one collection and automatic *full* collections
    off — the young generations are still collected as usual (they are short); one full collection after
    each wipe, once its frame is drawn, and every ``IDLE_COLLECT_S`` while no session runs: garbage cycles
    never outlive one session or five idle minutes. ``gc_api``: the ``gc`` module (tests pass a recorder).

    No ``gc.freeze()``: the heap at start-up does not all live as long as the process. What is built then
    and dropped later (screen content a language switch or a later session replaces) would, frozen, never
    be collected: with it, 8 soak sessions left ~38,000 objects and ~50 MB of C heap (label textures
    included) for good (docs/PERFORMANCE.md §1b). The price: the between-session collection walks the
    whole heap (70–290 ms of the UI thread beside a running soak), while the attract screen shows.
    """

    def __init__(self, app: Any, controller: Any, gc_api: Any = None,
                 release: Callable[[], Any] | None = None) -> None:
        import gc

        self.app, self.controller, self.gc = app, controller, gc_api or gc
        self.release = release or heap_release()
        self._seen = controller.state  # the last state object: a wipe replaces it
        controller.subscribe(self.on_state)

    def idle(self) -> bool:
        state = self.controller.state
        return state.screen in ("attract", "closed") and state.identity is None

    def collect_if_idle(self, _dt: float = 0.0) -> None:
        from kivy.clock import Clock

        if self.idle():  # not if a new session began meanwhile
            self.gc.collect()
            # Kivy frees the collected widgets' GL textures in its next frame; then the heap is returned
            Clock.schedule_once(self.release_if_idle, 0.2)

    def release_if_idle(self, _dt: float = 0.0) -> None:
        if self.idle():
            self.release()

    def settle(self, _dt: float = 0.0) -> None:
        from kivy.clock import Clock

        from kiosk.session.state import SCREENS

        if not all(self.app.root.sm.has_screen(name) for name in SCREENS):
            Clock.schedule_once(self.settle, 0.1)  # the other screens are built in the frames after the first
            return
        self.gc.collect()
        young, middle, _full = self.gc.get_threshold()
        self.gc.set_threshold(young, middle, 1_000_000_000)  # full collections: only the ones here
        Clock.schedule_interval(self.collect_if_idle, IDLE_COLLECT_S)

    def on_state(self, state: Any) -> None:
        from kivy.clock import Clock

        if state is not self._seen:  # a wipe: the session's garbage is garbage now
            self._seen = state
            Clock.schedule_once(self.collect_if_idle, 0.5)  # once the wiped screen's frame is drawn


def collect_between_sessions(app: Any, controller: Any) -> SessionGc:
    """Install :class:`SessionGc` on ``app`` (before it starts): it settles after the first frame."""
    from kivy.clock import Clock
    from kivy.core.window import Window

    policy = SessionGc(app, controller)

    def on_flip(*_args: Any) -> None:
        Window.unbind(on_flip=on_flip)
        Clock.schedule_once(policy.settle, 0)

    app.bind(on_start=lambda *_a: Window.bind(on_flip=on_flip))
    return policy
