"""The last resort: what happens to an exception nobody expected, so that none ends the app or a loop.

A kiosk runs unattended at 3 a.m.; a callback, timer, device event or background loop that raises must not
take the process (or a thread) with it. This module is the one place that decides what such an exception
becomes, without Kivy:

* :func:`summary` — the exception's *type and traceback frames* (file, line, function) and nothing else.
  The exception's message and the frames' local values may hold a resident's name or ID number (a
  ``KeyError('310106…')``, a ``ValueError`` quoting a field), so they never reach the log.
* :func:`log_unexpected` — one ERROR line with that summary.
* :class:`LastResort` — the UI's handler: logs, counts, raises a staff alert through the heartbeat and asks
  the session to give up the resident's session (``SessionController.fail_safe``: wipe, the truthful
  "暂时无法办理" screen with 一键求助, then attract). :meth:`LastResort.guard` wraps a callable so that
  whatever it raises goes here; the Kivy app wires the same handler into Kivy's ``ExceptionManager``.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from kiosk.session.state import Text

log = logging.getLogger(__name__)
#: what the resident sees after the last resort: true (nothing was done) and with a way to a person
UNAVAILABLE = Text("暂时无法办理，请稍后再试。如需帮助，请点「一键求助」",
                   "Temporarily unavailable — please try again later. For help, tap Help")
_ROOT = Path(__file__).resolve().parents[1]
#: frames kept in a summary (the innermost ones say where it happened)
MAX_FRAMES = 12


def _where(frame: traceback.FrameSummary) -> str:
    path = Path(frame.filename)
    try:
        shown = str(path.resolve().relative_to(_ROOT))
    except ValueError:
        shown = path.name  # outside the project (stdlib, site-packages): the file name is enough
    return f"{shown}:{frame.lineno} in {frame.name}"


def summary(exc: BaseException) -> str:
    """``"ValueError at a.py:3 in f <- b.py:9 in g"``: type and frames (innermost first), no message/values.

    Chained causes are named by type only (``caused by KeyError``)."""
    frames = traceback.extract_tb(exc.__traceback__)[-MAX_FRAMES:]
    where = " <- ".join(_where(f) for f in reversed(frames)) or "no traceback"
    causes = []
    seen = {id(exc)}
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen and len(causes) < 5:
        seen.add(id(cause))
        causes.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    tail = f" (caused by {' <- '.join(causes)})" if causes else ""
    return f"{type(exc).__module__}.{type(exc).__qualname__} at {where}{tail}"


def log_unexpected(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log an unexpected exception as one ERROR line, without its message (see module docstring)."""
    logger.error("%s: unexpected %s", what, summary(exc))


class LastResort:
    """Turns an exception from any UI-thread callback into a logged, alerted, safe state.

    ``fail_safe(kind)`` is the session's hook (wipe + "暂时无法办理" + back to attract); ``alerts`` is
    where staff hear of it (the heartbeat's :class:`kiosk.ops.alerts.AlertTracker` via :meth:`alert`).
    A fault while handling a fault is logged and dropped: the handler itself must never raise.
    """

    ALERT_CODE = "app.unexpected_error"

    def __init__(self, fail_safe: Callable[[str], Any] | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.fail_safe = fail_safe
        self.count = 0
        self.last: dict[str, Any] | None = None
        self._clock = clock
        self._lock = threading.Lock()
        self._handling = threading.local()

    def handle(self, exc: BaseException, kind: str) -> None:
        """Log ``exc`` (raised by a ``kind`` callback: task, timer, device, bridge, widget), then fail safe."""
        if getattr(self._handling, "active", False):  # raised by fail_safe itself: log, never recurse
            log_unexpected(log, f"last resort ({kind}) failed while failing safe", exc)
            return
        self._handling.active = True
        try:
            with self._lock:
                self.count += 1
                self.last = {"kind": kind, "type": type(exc).__name__, "at": self._clock()}
            log_unexpected(log, f"{kind} callback", exc)
            if self.fail_safe is not None:
                self.fail_safe(kind)
        except Exception as inner:  # noqa: BLE001 — the handler of last resort must not raise
            log_unexpected(log, f"last resort ({kind}) failed while failing safe", inner)
        finally:
            self._handling.active = False

    def guard(self, fn: Callable[..., Any], kind: str) -> Callable[..., Any]:
        """``fn`` wrapped: what it raises (``Exception``; not ``SystemExit``/``KeyboardInterrupt``) is handled."""
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 — this is the last resort; handle() logs and fails safe
                self.handle(exc, kind)
                return None
        return guarded

    def alert(self) -> list[tuple[str, str, str, str]]:
        """The staff alert while unexpected errors have happened since start (heartbeat ``extra`` alerts)."""
        with self._lock:
            count, last = self.count, self.last
        if not count or last is None:
            return []
        return [(self.ALERT_CODE, "critical",
                 f"终端程序出现意外错误 {count} 次（最近：{last['kind']} {last['type']}），已自动恢复，请查看日志",
                 f"{count} unexpected error(s) in the kiosk app (last: {last['kind']} {last['type']}); "
                 "it recovered by itself — check the log")]
