"""Heartbeat: tell the centre every N seconds that this kiosk is alive, how its devices are, what is wrong.

A worker thread calls :meth:`GatewayClient.heartbeat` every ``cfg.backend.heartbeat_interval_s`` with:
app version, uptime, device statuses, outbox depth, process memory (RSS via psutil), open fds, threads,
the last error (already masked — it comes through the logging filter), active alerts and the alert
changes not yet acknowledged (:mod:`kiosk.ops.alerts`: raised once per change, kept until a beat got through).

When the gateway is unreachable the loop does not keep the steady interval nor probe on a fixed short
period: :func:`next_beat_delay` backs off with jitter from ``down_base_s`` up to the interval and honours a
``Retry-After``, so a district's terminals come back spread out rather than all within one probe period
(bench/fleet.py measures it with 2,000 terminals).

The reply's ``config_version`` goes to ``on_ack`` (the remote-config updater compares it with its own).
A failed beat is logged on the first failure and on recovery only, never once per beat, and does not
stop the loop; the next beat carries the changes the failed one could not. ``on_result`` tells the runtime
whether the gateway is reachable, and :meth:`Heartbeat.wake` beats at once (a resident's call just failed
with a network error), so a terminal in use notices a returning gateway at its next call, while an idle
one waits its jittered turn. This loop is the one the kiosk runs: the runtime starts it, the tests drive it.

What the payload is made of is injected (``collect()`` returns the snapshot; :func:`runtime_snapshot`
builds it from the app's Runtime), so this module has no import of devices, Kivy or the session.
"""
from __future__ import annotations

import logging
import os
import random
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

import psutil

from kiosk import __version__
from kiosk.backoff import backoff_delay
from kiosk.crash import log_unexpected
from kiosk.ops.alerts import AlertTracker, DeviceHealer
from kiosk.logs import PiiMaskingFilter
from kiosk.loop import LoopService, LoopThread

log = logging.getLogger(__name__)


#: first wait after a failed beat (seconds); the waits double, with jitter, up to the heartbeat interval
DOWN_BASE_S = 10.0


def next_beat_delay(ok: bool, failures: int, *, interval_s: float, down_base_s: float = DOWN_BASE_S,
                    retry_after: float | None = None, rand: Callable[[], float] = random.random) -> float:
    """Seconds until the next beat: the interval (±10 %, mean unchanged) after a success; after ``failures`` consecutive failures
    the outbox's equal-jitter backoff from ``min(down_base_s, interval_s)`` capped at the interval, and never
    sooner than the gateway's ``Retry-After`` (itself capped at ten intervals, so a wrong header cannot
    silence a terminal for good). Jitter matters: a fixed probe period brings every terminal of a district
    back within one period of the gateway's return (6x the steady rate with a 10 s probe and 60 s beats)."""
    if ok:
        # ±10 %: beats that a slow gateway (or a stalled host) answered together would otherwise stay in
        # step for good — the fleet run showed such clusters beating as one spike every interval
        return interval_s * (0.9 + 0.2 * rand())
    delay = backoff_delay(max(1, failures), base=min(down_base_s, interval_s), cap=interval_s, rand=rand)
    if retry_after:
        delay = max(delay, min(float(retry_after), 10 * interval_s))
    return delay


class LastErrorHandler(logging.Handler):
    """Remember the latest ERROR (or worse) log line — masked — for the heartbeat's ``last_error``."""

    def __init__(self, level: int = logging.ERROR) -> None:
        super().__init__(level)
        self.addFilter(PiiMaskingFilter())
        self.last: dict[str, Any] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_text:
            text += " | " + record.exc_text.strip().splitlines()[-1]
        self.last = {"at": record.created, "logger": record.name, "message": text[:500]}


def process_figures(process: psutil.Process | None = None) -> dict[str, Any]:
    """RSS (MB), open fds and threads of this process — what the heartbeat and the soak report."""
    proc = process or psutil.Process()
    with proc.oneshot():
        return {"memory_rss_mb": round(proc.memory_info().rss / 1048576, 1), "open_fds": proc.num_fds(),
                "threads": proc.num_threads()}


class Heartbeat(LoopService):
    """The heartbeat worker. ``start()``/``stop()``; :meth:`beat` runs one beat (tests call it directly)."""

    def __init__(self, client: Any, collect: Callable[[], Mapping[str, Any]], *, interval_s: float,
                 tracker: AlertTracker | None = None, healer: DeviceHealer | None = None,
                 on_ack: Callable[[Any], None] | None = None, on_alert: Callable[[list], None] | None = None,
                 last_error: LastErrorHandler | None = None, config_version: Callable[[], str] = lambda: "",
                 started_at: float | None = None, clock: Callable[[], float] = time.monotonic,
                 on_result: Callable[[bool], None] | None = None, down_base_s: float = DOWN_BASE_S,
                 rand: Callable[[], float] = random.random) -> None:
        if interval_s <= 0:
            raise ValueError("heartbeat interval must be > 0")
        self.client = client
        self.collect = collect
        self.interval_s = float(interval_s)
        self.down_base_s, self.rand = float(down_base_s), rand
        self.tracker = tracker or AlertTracker()
        self.healer = healer
        self.on_ack = on_ack
        self.on_alert = on_alert
        self.on_result = on_result
        self.last_error = last_error
        self.config_version = config_version
        #: more fields for the payload (remote config status), merged last
        self.extra: Callable[[], Mapping[str, Any]] | None = None
        #: more alert sources, each returning ``(code, level, zh, en)`` tuples (the app's last resort, the staff
        #: PIN gate's lockouts, refused remote configs)
        self.alert_sources: list[Callable[[], list]] = []
        self._clock = clock
        self.started_at = clock() if started_at is None else started_at
        self.sent = 0
        self.failed = 0
        self.last_ack: Any = None
        self.last_payload: dict[str, Any] | None = None
        self._failing = False
        self.failures = 0  # consecutive failed beats (0 after a success)
        self.retry_after: float | None = None  # the last failure's Retry-After, if the gateway sent one
        self._lock = threading.Lock()  # the loop and a staff check may beat at the same time
        self._loop = LoopThread("heartbeat", self._run)

    def next_wait(self, failures: int) -> float:
        """Seconds until the next beat after ``failures`` failed beats in a row (0: the last one got through) —
        the one wait policy, :func:`next_beat_delay`, with the last failure's ``Retry-After``."""
        return next_beat_delay(failures == 0, failures, interval_s=self.interval_s, down_base_s=self.down_base_s,
                               retry_after=self.retry_after, rand=self.rand)

    def _run(self) -> None:
        while not self._loop.stopping.is_set():
            self.beat()  # never raises; sets failures and retry_after
            self._loop.pause(self.next_wait(self.failures))

    def build_payload(self) -> dict[str, Any]:
        snapshot = dict(self.collect())
        snapshot.setdefault("memory_rss_mb", process_figures()["memory_rss_mb"])
        extra = self.healer.check(snapshot.get("devices") or {}) if self.healer is not None else []
        extra += [alert for source in self.alert_sources for alert in source()]
        changes = self.tracker.evaluate(snapshot, extra)
        if changes:
            for change in changes:
                level = logging.WARNING if change.change == "raised" else logging.INFO
                log.log(level, "alert %s: %s (%s)", change.change, change.alert.code, change.alert.message_en)
            if self.on_alert is not None:
                self.on_alert(changes)
        payload: dict[str, Any] = {
            "app_version": __version__,
            "config_version": self.config_version(),
            "uptime_s": round(self._clock() - self.started_at, 1),
            "pid": os.getpid(),
            **process_figures(),
            **snapshot,
            "last_error": self.last_error.last if self.last_error is not None else snapshot.get("last_error"),
            "alerts": [a.to_dict() for a in self.tracker.active.values()],
            "alert_changes": [c.to_dict() for c in self.tracker.pending],
        }
        if self.extra is not None:
            payload.update(self.extra())
        return payload

    def beat(self, cancel: threading.Event | None = None) -> bool:
        """Collect, evaluate alerts, send. Returns True when the gateway acknowledged the beat. Never raises:
        whatever a collector, the client or ``on_ack`` throws is logged and counted as a failed beat."""
        with self._lock:
            try:
                ok = self._beat(cancel)
            except Exception as exc:  # noqa: BLE001 — the heartbeat outlives any bug; the next beat tries again
                log_unexpected(log, "heartbeat", exc)
                self.failed += 1
                self.failures, self.retry_after = self.failures + 1, None
                self._failing = True
                ok = False
        if self.on_result is not None:
            self.on_result(ok)
        return ok

    def _beat(self, cancel: threading.Event | None) -> bool:
        try:
            payload = self.build_payload()
        except Exception as exc:  # a broken collector must not end the heartbeat; the log says which
            log_unexpected(log, "heartbeat: collecting the status failed", exc)
            self.failed += 1
            self.failures, self.retry_after = self.failures + 1, None
            return False
        self.last_payload = payload
        sent_changes = len(payload["alert_changes"])
        from kiosk.backend.errors import BackendError  # lazy: keeps this module importable in isolation

        try:
            # one attempt: this loop's jittered backoff (next_beat_delay) is the only retry
            ack = self.client.heartbeat(payload, cancel=cancel if cancel is not None else self._loop.stopping,
                                        retry=False)
        except BackendError as exc:
            self.failed += 1
            self.failures, self.retry_after = self.failures + 1, exc.retry_after
            if not self._failing:
                log.warning("heartbeat failed: %s (logged once until it recovers)", exc)
            self._failing = True
            return False
        if self._failing:
            log.info("heartbeat recovered after %d failed beat(s)", self.failed)
        self._failing = False
        self.failures, self.retry_after = 0, None
        self.sent += 1
        self.last_ack = ack
        self.tracker.acknowledge(sent_changes)
        if self.on_ack is not None:
            self.on_ack(ack)
        return True


def runtime_snapshot(devices: Mapping[str, Any], outbox: Any = None, extra: Mapping[str, Any] | None = None,
                     ) -> dict[str, Any]:
    """Snapshot from live objects: ``devices`` maps name → driver (``.status``, ``.status_reason``,
    ``.last_error``, optional ``.paper``/``.cover_open``); ``outbox`` has ``counts()`` or ``depth()``."""
    devs: dict[str, Any] = {}
    for name, dev in devices.items():
        if dev is None:
            devs[name] = {"status": "noDevice", "reason": None, "action": "none"}
            continue
        status = getattr(dev, "status", None)
        err = getattr(dev, "last_error", None)
        value = getattr(status, "value", status)
        # the action of the current status (devices.base), else of the last error; none while healthy
        action = getattr(dev, "status_action", None) if value != "online" else None
        if action is None or getattr(action, "value", action) == "none":
            action = getattr(err, "action", None) if err is not None and value != "online" else None
        entry = {"status": value, "reason": getattr(dev, "status_reason", None),
                 "action": getattr(action, "value", action) or "none"}
        for attr in ("paper", "ready"):
            if hasattr(dev, attr):
                entry[attr] = getattr(dev, attr)
        # the printer exposes its sensors as .state (DLE EOT decode); cover_open is None when unknown
        cover = getattr(dev, "cover_open", None)
        if cover is None:
            cover = getattr(getattr(dev, "state", None), "cover_open", None)
        if cover is not None:
            entry["cover_open"] = bool(cover)
        devs[name] = entry
    snap: dict[str, Any] = {"devices": devs}
    if outbox is not None:
        if hasattr(outbox, "counts"):
            counts = outbox.counts()
            snap["outbox"] = {"pending": int(counts.get("pending", 0)) + int(counts.get("in_flight", 0)),
                              "dead": int(counts.get("dead", 0))}
            if hasattr(outbox, "dead_purge_notice"):
                snap["outbox"]["dead_purge_soon"] = len(outbox.dead_purge_notice())
        elif hasattr(outbox, "depth"):
            snap["outbox"] = {"pending": int(outbox.depth()), "dead": 0}
    if extra:
        snap.update(extra)
    return snap


class OpsServices:
    """What ops adds to a running kiosk on top of the Runtime's heartbeat, built in one call.

    The Runtime owns the :class:`Heartbeat` (its loop runs on the "heartbeat" thread) and the DeviceHealer.
    This adds, around that heartbeat:

    * the systemd watchdog — READY once the UI loop turns, WATCHDOG=1 from the UI thread (via the
      bridge: :class:`kiosk.ops.watchdog.UiPinger`), STATUS lines with the active alerts, and restarts
      only on the attract/closed screen (``controller.request_exit()``; ``Restart=always`` restarts);
    * remote configuration when systemd gave us a state directory (``$STATE_DIRECTORY``) and the
      gateway client can fetch a config: the heartbeat reply's ``config_version`` drives it.
    """

    IDLE_SCREENS = ("attract", "closed")

    def __init__(self, runtime: Any, *, env: Mapping[str, str] | None = None) -> None:
        from kiosk.ops.watchdog import UiPinger, Watchdog

        env = os.environ if env is None else env
        self.runtime = runtime
        self.updater = self._remote_config(env)
        self.watchdog = Watchdog(env=env, is_idle=self._idle, on_restart=self._restart)
        self.pinger = UiPinger(self.watchdog, runtime.bridge.post)
        hb = runtime.heartbeat
        if hb is not None:
            hb.on_ack = self._on_ack
            hb.on_alert = self._on_alert
            if self.updater is not None:
                hb.config_version = self.updater.current_version
                hb.extra = self.updater.status
                hb.alert_sources.append(self.updater.alerts)

    def start(self) -> "OpsServices":
        self.pinger.start()
        return self

    def stop(self) -> None:
        self.pinger.stop()

    # ----- pieces -------------------------------------------------------------------------------
    def _remote_config(self, env: Mapping[str, str]) -> Any:
        state = env.get("STATE_DIRECTORY", "").split(":")[0]
        if not state:
            return None  # development / tests: no persistent state directory, no remote config
        fetch = getattr(self.runtime.client, "get_terminal_config", None)
        if fetch is None:
            log.warning("remote config disabled: the gateway client has no get_terminal_config()")
            return None
        from kiosk.ops.remote_config import ConfigStore, RemoteConfigUpdater

        staff_dir = env.get("KIOSK_CONFIG_DIR") or str(self.runtime.cfg.config_dir)
        store = ConfigStore(Path(state) / "config", staff_dir)
        run_dir = env.get("RUNTIME_DIRECTORY", "").split(":")[0] or None
        return RemoteConfigUpdater(store, lambda cancel: fetch(cancel=cancel),
                                   running_dir=self.runtime.cfg.config_dir, run_dir=run_dir)

    def _on_ack(self, ack: Any) -> None:
        if self.updater is not None:
            self.updater.on_ack(ack)

    def _on_alert(self, _changes: list) -> None:
        active = sorted(self.runtime.heartbeat.tracker.active)
        self.watchdog.status("alerts: " + ", ".join(active) if active else "running, no alerts")

    def _idle(self) -> bool:
        ctl = self.runtime.controller
        return ctl is not None and ctl.state.screen in self.IDLE_SCREENS

    def _restart(self) -> None:
        ctl = self.runtime.controller
        if ctl is not None:
            ctl.request_exit("restart requested while idle")  # the app stops itself, systemd restarts it
