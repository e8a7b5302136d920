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
import time
from pathlib import Path
from typing import Callable

from kiosk.clock import wall_time

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


#: lockout lengths as multiples of ``staff.lockout_s``: 5 min, 15 min, 60 min with the default 300 s, then
#: four times longer each time up to a day; back to the first after a correct PIN
LOCKOUT_STEPS = (1, 3, 12)
MAX_LOCKOUT_S = 86400.0


class PinGate:
    """Counts wrong PINs; after ``lockout_after`` in a row it refuses every try for a lockout that grows
    with each lockout (:data:`LOCKOUT_STEPS`) until a correct PIN.

    With ``state_path`` the count, the level and the lockout survive a restart (pulling the plug does not
    buy an attacker fresh tries): a small JSON file written atomically, 0600. The lockout end is kept as a
    wall-clock instant in the file only; in the process it is a ``clock`` (monotonic) deadline, and a
    restored lockout is never longer than its own length (a clock set back cannot lengthen it).
    Every lockout is reported: :meth:`alerts` gives the heartbeat one ``staff.pin_lockout.<n>`` per lockout.
    The PIN itself never reaches a log: only "wrong PIN (n of m)" and "locked for s seconds".
    """

    def __init__(self, lockout_after: int = 5, lockout_s: float = 300.0, *, clock: Callable[[], float],
                 state_path: str | os.PathLike | None = None, wall: Callable[[], float] = wall_time) -> None:
        self.lockout_after = lockout_after
        self.lockout_s = lockout_s
        self.clock, self.wall = clock, wall
        self.state_path = Path(state_path) if state_path is not None else None
        self.failures = 0
        self.level = 0  # lockouts since the last correct PIN
        self.lockouts = 0  # lockouts ever (numbers the alerts)
        self._reported = 0
        self._locked_until = 0.0
        self._locked_until_wall = 0.0
        self._lock = threading.Lock()
        self._load()

    @classmethod
    def from_config(cls, cfg: object, *, clock: Callable[[], float] = time.monotonic) -> PinGate:
        staff = getattr(cfg, "staff", None)
        return cls(int(getattr(staff, "lockout_after", 5)), float(getattr(staff, "lockout_s", 300)), clock=clock,
                   state_path=pin_state_path(cfg))

    def lockout_length(self, level: int) -> float:
        """Seconds of the ``level``-th lockout (1 = first)."""
        steps = LOCKOUT_STEPS
        factor = steps[level - 1] if level <= len(steps) else steps[-1] * 4 ** (level - len(steps))
        return min(MAX_LOCKOUT_S, self.lockout_s * factor)

    def locked_for(self) -> int:
        """Whole seconds of lockout left (0 = may try)."""
        return max(0, int(-(-(self._locked_until - self.clock()) // 1)))

    def tries_left(self) -> int:
        return max(0, self.lockout_after - self.failures)

    def record(self, ok: bool) -> None:
        """One PIN checked (an empty entry is not an attempt: do not record it)."""
        with self._lock:
            if ok:
                self.failures, self.level = 0, 0
                log.info("staff PIN accepted")
            else:
                self.failures += 1
                log.warning("staff PIN wrong (%d of %d)", self.failures, self.lockout_after)
                if self.failures >= self.lockout_after:
                    self.failures = 0
                    self.level += 1
                    self.lockouts += 1
                    length = self.lockout_length(self.level)
                    self._locked_until = self.clock() + length
                    self._locked_until_wall = self.wall() + length
                    log.warning("staff PIN locked for %d s after %d wrong tries (lockout %d in a row)", length,
                                self.lockout_after, self.level)
            self._save()

    def alerts(self) -> list[tuple[str, str, str, str]]:
        """Heartbeat alerts: one per lockout not yet reported, and the current one while it lasts."""
        with self._lock:
            numbers = set(range(self._reported + 1, self.lockouts + 1))
            if self.locked_for():
                numbers.add(self.lockouts)
            if self._reported != self.lockouts:
                self._reported = self.lockouts
                self._save()
        minutes = max(1, round(self.lockout_length(max(1, self.level)) / 60))
        return [(f"staff.pin_lockout.{n}", "critical" if self.level > 1 else "warning",
                 f"工作人员 PIN 连续输错，已锁定约 {minutes} 分钟（第 {n} 次锁定），请确认是否有人试探",
                 f"staff PIN locked for about {minutes} min after repeated wrong PINs (lockout {n})")
                for n in sorted(numbers)]

    def _load(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            self.failures, self.level = int(data["failures"]), int(data["level"])
            self.lockouts, self._reported = int(data["lockouts"]), int(data["reported"])
            until = float(data["locked_until"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # unreadable state must not unlock the gate: treat it as a fresh lockout, staff are alerted
            log.error("staff PIN state %s unreadable (%s): locking", self.state_path, exc)
            self.failures, self.level = 0, max(self.level, 1)
            self.lockouts += 1
            until = self.wall() + self.lockout_length(self.level)
        left = min(until - self.wall(), self.lockout_length(max(1, self.level)))
        if left > 0:
            self._locked_until, self._locked_until_wall = self.clock() + left, until

    def _save(self) -> None:
        if self.state_path is None:
            return
        data = {"failures": self.failures, "level": self.level, "lockouts": self.lockouts,
                "reported": self._reported, "locked_until": self._locked_until_wall}
        write_private_json(self.state_path, data)


def write_private_json(path: Path, data: object) -> None:
    """Write ``data`` to ``path`` atomically (temp file + fsync + rename), readable by the owner only."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)  # mkstemp makes it 0600
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


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
        if self.path is None:
            return
        with self._save_lock:
            with self._lock:
                data = {"disabled": sorted(self._disabled)}
            write_private_json(self.path, data)


def overrides_path(cfg: object) -> Path | None:
    """``<outbox dir>/service-overrides.json`` — the kiosk's writable ``var/`` directory."""
    outbox = getattr(getattr(cfg, "outbox", None), "path", None)
    return Path(outbox).parent / "service-overrides.json" if outbox is not None else None


def pin_state_path(cfg: object) -> Path | None:
    """``<outbox dir>/staff-pin.json``: the PIN gate's count, level and lockout, kept across restarts."""
    outbox = getattr(getattr(cfg, "outbox", None), "path", None)
    return Path(outbox).parent / "staff-pin.json" if outbox is not None else None
