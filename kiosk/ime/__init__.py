"""Pinyin input for the kiosk's on-screen keyboard (no Kivy here): engine, index builder, input checks.

``shared()`` is the one engine of the process: opened (and built, the first time) by whoever asks first —
the keyboard asks on a worker thread (``load_async``) so the UI never waits for the index.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from kiosk.ime.build import build_index, default_index_path
from kiosk.ime.engine import Candidate, IndexError_, NotPinyin, PinyinEngine
from kiosk.ime.syllables import Syllables

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
            _engine = PinyinEngine.open()
        return _engine


def ready() -> PinyinEngine | None:
    """The engine if it is already open, else None (never blocks)."""
    return _engine


def load_async(done: Callable[[PinyinEngine | None, BaseException | None], None]) -> threading.Thread:
    """Open the shared engine on a daemon thread and call ``done(engine, None)`` or ``done(None, error)``
    there (the caller hands the result to its own thread)."""
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
