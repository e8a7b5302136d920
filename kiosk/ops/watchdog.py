"""systemd integration: readiness, the watchdog ping from the UI clock, status lines, idle-time restarts.

kiosk.service is ``Type=notify`` with ``WatchdogSec=``. The app tells systemd three things over the
``$NOTIFY_SOCKET`` datagram socket (sd_notify protocol, ``man sd_notify``):

* ``READY=1`` — only once the window is up *and* the config passed validation (:meth:`Watchdog.ready`);
* ``WATCHDOG=1`` — from :meth:`Watchdog.tick`, run on the **Kivy Clock / UI thread**: :class:`UiPinger`
  posts it through the app's bridge (``KivyBridge.post`` = ``Clock.schedule_once``), or the app may
  schedule it itself with :meth:`Watchdog.start`. The ping runs on the UI thread on purpose: if that thread
  freezes (a blocking call that slipped onto it, a GL hang), the pings stop and systemd restarts the kiosk
  after ``WatchdogSec``;
* ``STATUS=...`` — one human line for ``systemctl status kiosk`` (screen, devices, outbox).

Why hand-written: the protocol is one ``sendto()`` of ``KEY=value`` lines to an AF_UNIX datagram socket.
``sdnotify`` on PyPI has had no release since 2017, ``systemd-python`` needs libsystemd headers and a C
build on the terminal, and ``cysystemd`` likewise — too much to carry for 40 lines of socket code.

Outside systemd (``NOTIFY_SOCKET`` unset: development, tests, the demo) every call is a no-op.

The nightly restart (``kiosk ops restart``, deploy/kiosk-nightly-restart.service) leaves a request file
in the runtime directory; :meth:`Watchdog.tick` honours it only while the app says it is idle (attract or
closed screen), so a resident's session is never cut off. Each tick also records ``state.json`` there,
so the helper can tell a live app from a dead one.

Importing this module does nothing; no Kivy import (the app passes ``Clock.schedule_interval`` in).
"""
from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from kiosk.clock import monotonic
from kiosk.loop import LoopService, LoopThread

log = logging.getLogger(__name__)

RESTART_REQUEST = "restart-request"
STATE_FILE = "state.json"


class SystemdNotifier:
    """Send sd_notify messages to ``$NOTIFY_SOCKET``; a no-op when it is not set."""

    def __init__(self, socket_path: str | None = None, *, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        path = socket_path if socket_path is not None else env.get("NOTIFY_SOCKET", "")
        self._address: str | bytes | None = None
        if path:
            # "@name" is the abstract namespace (leading NUL byte)
            self._address = "\0" + path[1:] if path.startswith("@") else path
        self._sock: socket.socket | None = None
        self._warned = False
        self._lock = threading.Lock()  # the UI thread pings, the heartbeat thread updates STATUS

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def send(self, **fields: Any) -> bool:
        """Send ``KEY=value`` lines (``send(READY=1, STATUS="...")``). Returns True if it was delivered."""
        if self._address is None:
            return False
        lines = []
        for key, value in fields.items():
            text = str(value).replace("\n", " ")  # one field per line: a newline would start a new key
            lines.append(f"{key}={text}")
        payload = "\n".join(lines).encode("utf-8")
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                    # never block the UI thread: a full receive queue drops the message (logged) instead
                    self._sock.setblocking(False)
                self._sock.sendto(payload, self._address)
            except OSError as exc:
                if not self._warned:
                    log.warning("sd_notify to %r failed: %s (further failures not logged)", self._address, exc)
                    self._warned = True
                return False
            self._warned = False
            return True

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """Half of ``$WATCHDOG_USEC`` in seconds (systemd's advice), or None if the watchdog is off.

    ``$WATCHDOG_PID`` is deliberately not compared with our pid: systemd sets it to the main process
    (xinit), and the pinging app is xinit's child, allowed by ``NotifyAccess=all``.
    """
    env = os.environ if env is None else env
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        log.warning("ignoring malformed WATCHDOG_USEC=%r", env.get("WATCHDOG_USEC"))
        return None
    return usec / 2e6 if usec > 0 else None


class Watchdog:
    """The app's side of kiosk.service: ready once, ping on every tick, restart only when idle.

    ``is_idle()`` is called on the UI thread from :meth:`tick` and must say whether no resident session is
    in progress (attract or closed screen). ``on_restart()`` must stop the app cleanly (``App.stop()``);
    systemd's ``Restart=always`` starts it again. Keep a reference to this object: Kivy's Clock holds
    only a weak reference to the bound :meth:`tick`.
    """

    #: tick period when systemd's watchdog is off (restart requests are still honoured)
    default_interval_s = 5.0

    def __init__(self, notifier: SystemdNotifier | None = None, *, is_idle: Callable[[], bool] = lambda: True,
                 on_restart: Callable[[], None] | None = None, run_dir: str | os.PathLike | None = None,
                 env: Mapping[str, str] | None = None, clock: Callable[[], float] = monotonic) -> None:
        env = os.environ if env is None else env
        self.notifier = notifier if notifier is not None else SystemdNotifier(env=env)
        self.is_idle = is_idle
        self.on_restart = on_restart
        run = run_dir if run_dir is not None else env.get("RUNTIME_DIRECTORY", "").split(":")[0]
        self.run_dir = Path(run) if run else None
        self.interval_s = watchdog_interval_s(env) or self.default_interval_s
        self.is_ready = False
        self.pings = 0
        self.restart_requested_at: float | None = None
        self._clock = clock
        self._last_status: str | None = None
        self._last_idle: bool | None = None

    def start(self, schedule_interval: Callable[[Callable[..., Any], float], Any]) -> Any:
        """Schedule :meth:`tick` with ``schedule_interval`` (``Clock.schedule_interval`` in the app)."""
        self.tick()
        return schedule_interval(self.tick, self.interval_s)

    def ready(self, *, window_up: bool, config_ok: bool, detail: str = "") -> bool:
        """Send READY=1 the first time both conditions hold; otherwise say in STATUS what is missing."""
        if self.is_ready:
            return True
        if window_up and config_ok:
            self.is_ready = True
            self.notifier.send(READY=1, STATUS=detail or "ready: attract screen / 待机")
            log.info("reported ready to systemd (notify socket %s)",
                     "set" if self.notifier.enabled else "not set")
            return True
        missing = [what for what, ok in (("window", window_up), ("valid config", config_ok)) if not ok]
        self.status(f"starting: waiting for {', '.join(missing)}" + (f" ({detail})" if detail else ""))
        return False

    def status(self, text: str) -> None:
        """One line for ``systemctl status``; sent only when it changed."""
        if text != self._last_status:
            self._last_status = text
            self.notifier.send(STATUS=text)

    def stopping(self, why: str = "") -> None:
        self.notifier.send(STOPPING=1, STATUS=f"stopping: {why}" if why else "stopping")

    def tick(self, *_dt: Any) -> bool:
        """Ping systemd, record state, honour a pending restart request if idle. Returns True (keep scheduled)."""
        if self.is_ready:
            self.notifier.send(WATCHDOG=1)
            self.pings += 1
        idle = bool(self.is_idle())
        self._write_state(idle)
        if idle and self._take_restart_request():
            self.stopping("nightly restart while idle")
            if self.on_restart is not None:
                self.on_restart()
        return True

    # ----- runtime directory ----------------------------------------------------------------------
    def _write_state(self, idle: bool) -> None:
        if self.run_dir is None:
            return
        now = self._clock()
        state = {"pid": os.getpid(), "idle": idle, "at": now, "ready": self.is_ready,
                 "interval_s": self.interval_s}
        tmp = self.run_dir / (STATE_FILE + ".tmp")
        try:
            tmp.write_text(json.dumps(state))
            os.replace(tmp, self.run_dir / STATE_FILE)
        except OSError as exc:  # /run full or gone: the watchdog ping matters more than this file
            if idle != self._last_idle:
                log.warning("cannot write %s: %s", self.run_dir / STATE_FILE, exc)
        self._last_idle = idle

    def _take_restart_request(self) -> bool:
        if self.run_dir is None:
            return False
        request = self.run_dir / RESTART_REQUEST
        try:
            request.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.warning("cannot consume restart request %s: %s", request, exc)
            return False
        self.restart_requested_at = self._clock()
        log.info("restart request taken while idle; restarting")
        return True


class UiPinger(LoopService):
    """Run :meth:`Watchdog.tick` on the UI thread without importing Kivy here.

    A small timer thread posts the tick through the app's bridge (``KivyBridge.post`` is
    ``Clock.schedule_once``), so the ping really runs in the Kivy Clock on the UI thread: a frozen UI
    thread runs no posted callbacks and the pings stop. At most one tick is outstanding, so a long
    freeze does not pile up callbacks. The first tick that runs is proof the event loop turns with the
    window up — it sends READY=1 (the config was validated before the app was built).
    """

    stop_timeout_s = 2.0

    def __init__(self, watchdog: Watchdog, post: Callable[..., None], *, config_ok: bool = True) -> None:
        self.watchdog = watchdog
        self.post = post
        self.config_ok = config_ok
        self._outstanding = threading.Event()
        self._loop = LoopThread("watchdog-pinger", self._run)

    def _run(self) -> None:
        while not self._loop.stopping.is_set():
            if not self._outstanding.is_set():
                self._outstanding.set()
                self.post(self._on_ui_thread)
            self._loop.pause(self.watchdog.interval_s)

    def _on_ui_thread(self) -> None:
        self._outstanding.clear()
        if not self.watchdog.is_ready:
            self.watchdog.ready(window_up=True, config_ok=self.config_ok)
        self.watchdog.tick()


def request_restart(run_dir: str | os.PathLike, *, max_wait_s: float, poll_s: float = 1.0,
                    reason: str = "nightly", clock: Callable[[], float] = monotonic,
                    sleep: Callable[[float], None] = time.sleep) -> tuple[bool, str]:
    """Ask the running app to restart when idle and wait for it to take the request.

    Returns ``(done, message)``. Not done when no app is alive (no fresh ``state.json``) or it stayed busy
    for ``max_wait_s``; the request is then withdrawn so it cannot fire at a later, worse moment.
    """
    run = Path(run_dir)
    state_path = run / STATE_FILE
    try:
        state = json.loads(state_path.read_text())
    except FileNotFoundError:
        return False, f"no running kiosk app ({state_path} missing); nothing to restart"
    except (OSError, ValueError) as exc:
        return False, f"cannot read {state_path}: {exc}"
    interval = float(state.get("interval_s", Watchdog.default_interval_s))
    # "at" is CLOCK_MONOTONIC, which every process on this boot shares (the run dir is a tmpfs, gone at
    # reboot): an NTP step cannot make a ticking app look stale or a stale one fresh.
    age = clock() - float(state.get("at", 0))
    if age > 3 * interval + 5:
        return False, f"kiosk app state is {age:.0f}s old (not ticking); systemd's watchdog handles a frozen app"
    request = run / RESTART_REQUEST
    request.write_text(json.dumps({"reason": reason, "at": clock(), "pid": os.getpid()}))
    deadline = clock() + max_wait_s
    while clock() < deadline:
        if not request.exists():
            return True, "the app took the restart request while idle"
        sleep(poll_s)
    try:
        request.unlink()
    except FileNotFoundError:  # taken between the last look and now
        return True, "the app took the restart request while idle"
    return False, f"the app stayed busy for {max_wait_s:.0f}s; restart skipped until next time"


_ON_CALENDAR = re.compile(r"^OnCalendar=(\*-\*-\* \d\d:\d\d(?::\d\d)?)(?: \S+)?$", re.M)


def nightly_timer_unit(template: str, zone: str) -> str:
    """deploy/kiosk-nightly-restart.timer with its ``OnCalendar=`` pinned to the terminal's ``zone``.

    systemd reads a bare ``03:30`` in the machine's zone (UTC on the kiosks: 11:30 in Shanghai, mid-day);
    a zone suffix (``*-*-* 03:30:00 Asia/Shanghai``; systemd 252 on Debian 12 reads it) makes it 03:30
    where the terminal stands, DST included. ``kiosk ops nightly-timer`` prints this and deploy/install.sh installs it.
    """
    ZoneInfo(zone)  # ZoneInfoNotFoundError (a KeyError) for a zone the machine does not know
    if len(_ON_CALENDAR.findall(template)) != 1:
        raise ValueError("the timer template needs exactly one 'OnCalendar=*-*-* HH:MM[:SS]' line")
    return _ON_CALENDAR.sub(lambda m: f"OnCalendar={m.group(1)} {zone}", template)
