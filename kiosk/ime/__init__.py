"""Pinyin input for the kiosk's on-screen keyboard (no Kivy here): engine, index builder, input checks.

``shared()`` is the one engine of the process: opened (and built, the first time) by whoever asks first —
the keyboard asks on a worker thread (``load_async``) so the UI never waits for the index.
"""
from __future__ import annotations

import importlib
import logging
import threading
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from kiosk.ime.engine import PinyinEngine

#: loaded on first use (PEP 562): the session and the screens import ``kiosk.ime.limits`` and
#: ``clear_session`` before the kiosk's first frame; the engine (sqlite3, the syllable tables) waits for the
#: first keyboard
_LAZY = {"build_index": "build", "default_index_path": "build", "Candidate": "engine", "IndexError_": "engine",
         "NotPinyin": "engine", "PinyinEngine": "engine", "Syllables": "syllables"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kiosk.ime' has no attribute {name!r}")
    return getattr(importlib.import_module(f"kiosk.ime.{module}"), name)


__all__ = ["Candidate", "IndexError_", "NotPinyin", "PinyinEngine", "Syllables", "build_index",
           "default_index_path", "shared", "load_async", "clear_session"]

log = logging.getLogger(__name__)
_lock = threading.Lock()
_engine: PinyinEngine | None = None


def shared() -> PinyinEngine:
    """The process's engine, opened on first call (blocking: call it from a worker the first time)."""
    global _engine
    with _lock:
        if _engine is None:
            from kiosk.ime.engine import PinyinEngine

            _engine = PinyinEngine.open()
        return _engine


def ready() -> PinyinEngine | None:
    """The engine if it is already open, else None (never blocks)."""
    return _engine


def load_async(done: Callable[[PinyinEngine | None, BaseException | None], None]) -> threading.Thread:
    """Open the shared engine on a daemon thread and call ``done(engine, None)`` or ``done(None, error)``
    there (the caller hands the result to its own thread)."""
    from kiosk.ime.engine import IndexError_

    def run() -> None:
        try:
            engine = shared()
        except (OSError, IndexError_, ImportError, ValueError) as exc:
            done(None, exc)
            return
        except Exception as exc:  # anything else (sqlite, a bug) must still reach the keyboard, which says
            log.exception("ime: the index could not be opened")  # the IME is unavailable instead of waiting
            done(None, exc)
            return
        done(engine, None)

    thread = threading.Thread(target=run, name="ime-load", daemon=True)
    thread.start()
    return thread


def clear_session() -> None:
    """Forget the resident's picks (session end); a no-op when the engine was never opened."""
    if _engine is not None:
        _engine.clear()
