"""Alerts for the service centre, raised once per change — and the one automatic reset before them.

:class:`AlertTracker` looks at one health snapshot per heartbeat (device statuses, paper, outbox depth,
memory) and returns only what *changed*: an alert raised, an alert cleared. A printer that stays out of
paper all night is one alert, not one per beat. Changes wait in :attr:`AlertTracker.pending` until a
heartbeat carrying them was acknowledged, so an alert raised while the network is down is not lost.

:class:`DeviceHealer` is the self-healing step: a device that sits in an error whose action is ``reset``
(software can fix it: a printer reporting itself offline/in error, a reader that stopped answering) gets
exactly one reset (close + start: a fresh port and worker) before
``<device>.reset_failed`` tells staff. A device whose port vanished (action ``maintenance``/``clear``) is
*not* reset — the device base already reopens it with backoff — but is alerted once it has been gone
longer than a grace period (a replugged cable that comes back within seconds is not worth waking anyone).

Pure logic over a snapshot dict and an injected clock; no threads, no I/O (tests use a fake clock).

Snapshot shape (built by :mod:`kiosk.ops.heartbeat`)::

    {"devices": {"idcard": {"status": "online", "reason": None, "action": "none"},
                 "printer": {"status": "userError", "reason": "cover open", "action": "clear",
                             "paper": "low", "cover_open": True}},
     "outbox": {"pending": 3, "dead": 0, "dead_purge_soon": 0},
     "memory_rss_mb": 180.5}
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

from kiosk.clock import monotonic, wall_time

WARNING = "warning"
CRITICAL = "critical"

#: statuses in which a device cannot serve residents
DOWN_STATUSES = frozenset({"offline", "hardwareError", "noDevice"})
#: statuses a software reset may fix — only when the device's own action says ``reset``
RESETTABLE_STATUSES = frozenset({"offline", "hardwareError"})


@dataclass(frozen=True)
class Alert:
    code: str  # stable id, e.g. "printer.paper_out"
    level: str  # warning | critical
    message_zh: str
    message_en: str
    since: float  # wall-clock seconds (kiosk.clock.wall_time) when raised

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AlertChange:
    change: str  # raised | cleared
    alert: Alert
    at: float

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "at": self.at, **self.alert.to_dict()}


_DEVICE_ZH = {"idcard": "身份证阅读器", "printer": "打印机", "audio": "语音播放（音频设备）"}
_DEVICE_EN = {"idcard": "ID-card reader", "printer": "printer", "audio": "voice prompts (audio device)"}


@dataclass
class AlertTracker:
    """Turn successive snapshots into raised/cleared alerts (hysteresis where a value hovers)."""

    memory_limit_mb: float = 600.0
    #: clear the memory alert only below this fraction of the limit (no flapping around the line)
    memory_clear_ratio: float = 0.9
    #: consecutive beats with a rising outbox before "outbox growing" is raised
    outbox_growth_beats: int = 3
    #: an outbox this deep is an alert even when it is not (yet) rising
    outbox_max_pending: int = 50
    #: seconds a device may be down before the centre hears about it (replugs heal in seconds)
    offline_grace_s: float = 15.0
    clock: Callable[[], float] = monotonic
    wall: Callable[[], float] = wall_time
    active: dict[str, Alert] = field(default_factory=dict)
    pending: list[AlertChange] = field(default_factory=list)
    _down_since: dict[str, float] = field(default_factory=dict)
    _outbox_prev: int | None = None
    _outbox_rising: int = 0

    def evaluate(self, snapshot: dict[str, Any], extra: Iterable[tuple[str, str, str, str]] = ()) -> list[AlertChange]:
        """Compare ``snapshot`` with what is active; return (and queue in ``pending``) the changes.

        ``extra``: alerts other components want raised now, as ``(code, level, zh, en)`` (e.g. the
        healer's ``reset_failed``); an extra code not given again on a later call is cleared.
        """
        wanted: dict[str, tuple[str, str, str]] = {}
        for name, dev in (snapshot.get("devices") or {}).items():
            self._device_alerts(name, dev or {}, wanted)
        self._outbox_alerts(snapshot.get("outbox") or {}, wanted)
        self._memory_alert(snapshot.get("memory_rss_mb"), wanted)
        for code, level, zh, en in extra:
            wanted[code] = (level, zh, en)

        changes: list[AlertChange] = []
        now_wall = self.wall()
        for code in sorted(set(self.active) - set(wanted)):
            changes.append(AlertChange("cleared", self.active.pop(code), now_wall))
        for code, (level, zh, en) in sorted(wanted.items()):
            current = self.active.get(code)
            if current is not None and current.level == level:
                continue
            alert = Alert(code, level, zh, en, current.since if current else now_wall)
            self.active[code] = alert
            changes.append(AlertChange("raised", alert, now_wall))
        self.pending.extend(changes)
        return changes

    def acknowledge(self, count: int) -> None:
        """The first ``count`` pending changes reached the centre; drop them."""
        del self.pending[:count]

    # ----- rules -----------------------------------------------------------------------------------
    def _device_alerts(self, name: str, dev: dict[str, Any], wanted: dict) -> None:
        zh, en = _DEVICE_ZH.get(name, name), _DEVICE_EN.get(name, name)
        status = dev.get("status")
        now = self.clock()
        if status in DOWN_STATUSES and status != "noDevice":
            since = self._down_since.setdefault(name, now)
            if now - since >= self.offline_grace_s:
                reason = dev.get("reason") or status
                wanted[f"{name}.offline"] = (CRITICAL, f"{zh}离线或故障：{reason}", f"{en} offline or faulty: {reason}")
        else:
            self._down_since.pop(name, None)
        if dev.get("cover_open"):
            wanted[f"{name}.cover_open"] = (CRITICAL, f"{zh}盖板打开，请合上", f"{en} cover open")
        paper = dev.get("paper")
        if paper == "out":
            wanted[f"{name}.paper_out"] = (CRITICAL, f"{zh}缺纸，请更换纸卷", f"{en} out of paper")
        elif paper == "low":
            wanted[f"{name}.paper_low"] = (WARNING, f"{zh}纸将用尽，请准备纸卷", f"{en} paper low")

    def _outbox_alerts(self, outbox: dict[str, Any], wanted: dict) -> None:
        pending = outbox.get("pending")
        if pending is not None:
            pending = int(pending)
            prev, self._outbox_prev = self._outbox_prev, pending
            draining = pending == 0 or (prev is not None and pending < prev)
            if draining:
                self._outbox_rising = 0
            elif prev is not None and pending > prev:
                self._outbox_rising += 1
            growing = self._outbox_rising >= self.outbox_growth_beats or pending >= self.outbox_max_pending
            # once raised, hold it until the queue actually drains, not merely on a flat beat
            if growing or ("outbox.growing" in self.active and not draining):
                wanted["outbox.growing"] = (WARNING, f"待发送申请积压（{pending} 件），请检查网络",
                                            f"outbox growing ({pending} pending): check the network")
        dead = int(outbox.get("dead") or 0)
        if dead:
            wanted["outbox.dead"] = (CRITICAL, f"{dead} 件申请无法送达，需人工处理",
                                     f"{dead} submission(s) undeliverable: staff must act")
        soon = int(outbox.get("dead_purge_soon") or 0)
        if soon:
            wanted["outbox.dead_purge_soon"] = (
                CRITICAL, f"{soon} 件无法送达的申请即将按保留期限清除，请尽快处理（kiosk outbox list --state dead）",
                f"{soon} undeliverable submission(s) will be purged soon (retention): see `kiosk outbox list`")

    def _memory_alert(self, rss_mb: Any, wanted: dict) -> None:
        if rss_mb is None:
            return
        rss = float(rss_mb)
        limit = self.memory_limit_mb
        if rss > limit or ("memory.high" in self.active and rss > limit * self.memory_clear_ratio):
            wanted["memory.high"] = (WARNING, f"内存占用过高（{rss:.0f} MB），将在空闲时重启",
                                     f"memory high ({rss:.0f} MB > {limit:.0f} MB)")


@dataclass
class DeviceHealer:
    """One automatic reset for a device stuck in a ``reset``-able error, then an alert for staff.

    ``reset(name)`` does the reset (the runtime closes and starts the device). Call :meth:`check` with
    the device snapshot every beat (or more often); it returns the extra alerts for :class:`AlertTracker`.
    """

    reset: Callable[[str], None]
    #: seconds in error before the automatic reset, and again before staff are alerted after it
    grace_s: float = 10.0
    clock: Callable[[], float] = monotonic
    resets: dict[str, int] = field(default_factory=dict)
    _error_since: dict[str, float] = field(default_factory=dict)
    _reset_at: dict[str, float] = field(default_factory=dict)

    def check(self, devices: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
        alerts = []
        now = self.clock()
        for name, dev in devices.items():
            stuck = dev.get("status") in RESETTABLE_STATUSES and dev.get("action") == "reset"
            if not stuck:
                if dev.get("status") == "online":  # healthy again: the next fault earns a fresh reset
                    self._error_since.pop(name, None)
                    self._reset_at.pop(name, None)
                continue
            since = self._error_since.setdefault(name, now)
            if name not in self._reset_at:
                if now - since >= self.grace_s:
                    self._reset_at[name] = now
                    self.resets[name] = self.resets.get(name, 0) + 1
                    self.reset(name)
                continue
            if now - self._reset_at[name] >= self.grace_s:
                zh, en = _DEVICE_ZH.get(name, name), _DEVICE_EN.get(name, name)
                reason = dev.get("reason") or "hardwareError"
                alerts.append((f"{name}.reset_failed", CRITICAL, f"{zh}自动复位后仍故障（{reason}），请联系维护",
                               f"{en} still faulty after an automatic reset ({reason}): maintenance needed"))
        return alerts
