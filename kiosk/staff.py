"""Staff access: the hidden corner-tap entry, the PIN gate with lockout, and service on/off overrides.

Pure logic with an injected clock (tests drive time); the PIN itself is checked with
``kiosk.config.base.verify_pin`` (PBKDF2, ~0.1 s, so the session runs it on a worker). Overrides made at the
kiosk are kept in a small JSON file next to the outbox (``var/``) rather than written back into
``services.yaml``, so staff's YAML (and its comments) is never rewritten by the machine.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)


class CornerTaps:
    """``taps`` taps within ``window_s`` seconds open the PIN screen."""

    def __init__(self, taps: int = 5, window_s: float = 3.0, *, clock: Callable[[], float]) -> None:
        self.taps = taps
        self.window_s = window_s
        self.clock = clock
        self._times: list[float] = []

    def tap(self) -> bool:
        now = self.clock()
        self._times = [t for t in self._times if now - t <= self.window_s] + [now]
        if len(self._times) >= self.taps:
            self._times = []
            return True
        return False


class PinGate:
    """Counts wrong PINs; after ``lockout_after`` in a row it refuses every try for ``lockout_s`` seconds.

    The PIN itself never reaches a log: only "wrong PIN (n of m)" and "locked for s seconds".
    """

    def __init__(self, lockout_after: int = 5, lockout_s: float = 300.0, *, clock: Callable[[], float]) -> None:
        self.lockout_after = lockout_after
        self.lockout_s = lockout_s
        self.clock = clock
        self.failures = 0
        self._locked_until = 0.0

    def locked_for(self) -> int:
        """Whole seconds of lockout left (0 = may try)."""
        return max(0, int(-(-(self._locked_until - self.clock()) // 1)))

    def tries_left(self) -> int:
        return max(0, self.lockout_after - self.failures)

    def record(self, ok: bool) -> None:
        if ok:
            self.failures = 0
            log.info("staff PIN accepted")
            return
        self.failures += 1
        log.warning("staff PIN wrong (%d of %d)", self.failures, self.lockout_after)
        if self.failures >= self.lockout_after:
            self._locked_until = self.clock() + self.lockout_s
            self.failures = 0
            log.warning("staff PIN locked for %d s after %d wrong tries", self.lockout_s, self.lockout_after)


class ServiceOverrides:
    """Services staff switched off at the kiosk, persisted as ``{"disabled": [ids]}``.

    ``path=None`` keeps them in memory only (tests, demo). A corrupt file is reported and treated as empty
    rather than stopping the kiosk; the next change rewrites it atomically.
    """

    def __init__(self, path: str | os.PathLike | None) -> None:
        self.path = Path(path) if path is not None else None
        self._disabled: set[str] = set()
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self.load_error: str | None = None
        if self.path is not None and self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                items = data.get("disabled", []) if isinstance(data, dict) else None
                if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                    raise ValueError("expected {\"disabled\": [service ids]}")
                self._disabled = set(items)
            except (OSError, ValueError) as exc:
                self.load_error = f"{self.path}: {exc}"
                log.error("service overrides file unreadable, ignoring it: %s", self.load_error)

    def disabled(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._disabled)

    def set_enabled(self, service_id: str, enabled: bool, *, save: bool = True) -> None:
        """Switch a service; ``save=False`` leaves the (fsync'ed, so slow) write to a later :meth:`save`."""
        with self._lock:
            if enabled:
                self._disabled.discard(service_id)
            else:
                self._disabled.add(service_id)
        log.info("staff %s service %s", "enabled" if enabled else "disabled", service_id)
        if save:
            self.save()

    def save(self) -> None:
        """Write the current set atomically; concurrent saves are serialised and the last one is current."""
        import tempfile  # here: only staff switching a service needs it, not the kiosk's start

        if self.path is None:
            return
        with self._save_lock:
            with self._lock:
                data = {"disabled": sorted(self._disabled)}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".overrides-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)


def overrides_path(cfg: object) -> Path | None:
    """``<outbox dir>/service-overrides.json`` — the kiosk's writable ``var/`` directory."""
    outbox = getattr(getattr(cfg, "outbox", None), "path", None)
    return Path(outbox).parent / "service-overrides.json" if outbox is not None else None
