"""Drive the real Kivy app like a resident would: find widgets by ``wid``, tap them with real touches,
pump frames, take screenshots. Used by tests/ui and by ``kiosk demo`` (the headless walk).

Taps are ``UnitTestTouch`` down/up at the widget's window centre, dispatched through Kivy's event loop and
hit-tested like a finger, so a covered, moved or disabled widget does not react. Every wait is bounded by
frames and seconds (a static screen draws no frames, so waiting for a flip would hang). Imports Kivy:
only for code that already runs the app (kiosk/app.py's world).
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from kivy.base import EventLoop, ExceptionManager
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch


class UiTimeout(AssertionError):
    """A bounded wait ran out; the message says what was awaited."""


def walk(root: Any = None) -> Iterator[Any]:
    """Every widget currently in the window tree (or under ``root``)."""
    start = root if root is not None else Window
    stack = list(start.children)
    while stack:
        widget = stack.pop()
        yield widget
        stack.extend(widget.children)


def visible(widget: Any) -> bool:
    """In the window, not transparent and not under a zero-size parent."""
    node = widget
    while node is not None and node is not Window:
        if getattr(node, "opacity", 1) <= 0 or node.width <= 0 or node.height <= 0:
            return False
        node = node.parent
    return node is Window


def find_all(wid_prefix: str = "", predicate: Callable[[Any], bool] | None = None) -> list[Any]:
    return [w for w in walk() if getattr(w, "wid", "").startswith(wid_prefix)
            and (predicate is None or predicate(w))]


def find(wid: str) -> Any:
    """The one visible widget named ``wid``; AssertionError naming what is there instead."""
    hits = [w for w in walk() if getattr(w, "wid", "") == wid and visible(w)]
    if len(hits) != 1:
        shown = sorted({getattr(w, 'wid', '') for w in walk() if getattr(w, 'wid', '')})
        raise AssertionError(f"expected one visible widget {wid!r}, found {len(hits)}; wids: {shown}")
    return hits[0]


def exists(wid: str) -> bool:
    return any(getattr(w, "wid", "") == wid and visible(w) for w in walk())


def as_loop(fn: Callable[[], Any]) -> None:
    """Run ``fn`` as Kivy's main loop runs a frame: an exception goes to the ExceptionManager (the app's
    last resort), and is raised here only when no handler lets the loop go on (EventLoop.mainloop)."""
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 — exactly what EventLoop.mainloop catches
        if ExceptionManager.handle_exception(exc) == ExceptionManager.RAISE:
            raise


def pump(frames: int = 2) -> None:
    for _ in range(frames):
        as_loop(EventLoop.idle)


def wait_until(predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition",
               max_frames: int = 100_000) -> None:
    """Pump frames until ``predicate()``; UiTimeout after ``timeout`` seconds or ``max_frames`` frames."""
    deadline = time.monotonic() + timeout
    frames = 0
    while not predicate():
        if time.monotonic() > deadline or frames >= max_frames:
            raise UiTimeout(f"timed out after {timeout}s/{frames} frames waiting for {what}")
        as_loop(EventLoop.idle)
        frames += 1


def current_screen() -> str:
    from kivy.app import App
    return App.get_running_app().root.sm.current


def wait_screen(name: str, timeout: float = 5.0) -> None:
    wait_until(lambda: current_screen() == name, timeout=timeout, what=f"screen {name!r}")
    pump(2)


def tap_at(x: float, y: float) -> None:
    touch = UnitTestTouch(x, y)
    as_loop(touch.touch_down)  # input is dispatched inside the loop's frame in the app
    pump(1)
    as_loop(touch.touch_up)
    pump(2)


def settled(wid: str, *, frames: int = 60, timeout: float = 20.0) -> Any:
    """The visible widget ``wid`` once the same widget has kept the same place for two frames in a row.

    A screen that has just changed rebuilds and lays out its content over the next frames; on a loaded machine
    a tap aimed from a widget's first, not yet laid-out rectangle lands beside it and is lost. Waiting for a
    stable rectangle is waiting on what the resident sees, not on a timer.
    """
    def place() -> tuple[Any, tuple[float, ...]]:
        widget = find(wid)
        return widget, (*widget.to_window(*widget.pos), *widget.size)
    deadline = time.monotonic() + timeout
    last = place()
    for _ in range(frames):
        pump(1)
        now = place()
        if now[0] is last[0] and now[1] == last[1]:
            return now[0]
        if time.monotonic() > deadline:
            break
        last = now
    raise UiTimeout(f"widget {wid!r} did not keep its place for two frames ({frames} frames, {timeout}s)")


def tap(target: Any) -> Any:
    """Tap a widget (or the visible widget with that wid, once laid out) at its centre; returns the widget."""
    widget = settled(target) if isinstance(target, str) else target
    x, y = widget.to_window(*widget.center)
    tap_at(x, y)
    return widget


def text_of(wid: str) -> str:
    return str(find(wid).text)


def set_window_size(width: int, height: int) -> None:
    if tuple(Window.size) != (width, height):
        Window.size = (width, height)
    pump(3)


def screenshot(path: str | os.PathLike) -> Path:
    """Draw the current frame and save it as ``path`` (PNG)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    pump(3)
    Window.dispatch("on_draw")
    written = Window.screenshot(name=str(target.with_suffix(".png")))  # Kivy inserts a counter
    os.replace(written, target)
    return target
