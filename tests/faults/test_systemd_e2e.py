"""The real ``kiosk run`` process under a stand-in for systemd: a real NOTIFY_SOCKET, WATCHDOG_USEC and
RUNTIME_DIRECTORY, as kiosk.service gives them. READY=1 arrives only once the window is up; WATCHDOG=1
keeps coming; a restart request (what ``kiosk ops restart`` leaves at 03:30) makes the app, idle on its
attract screen, say STOPPING=1 and exit 0 by itself — Restart=always would start it again. A config that
fails validation never reports READY."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faultkit import record
from kiosk.ops.watchdog import RESTART_REQUEST, STATE_FILE

REPO = Path(__file__).resolve().parents[2]
KIOSK = Path(sys.executable).parent / "kiosk"


def _spawn(tmp_path: Path, config: Path, sock_path: Path, run: Path) -> subprocess.Popen:
    env = dict(os.environ, NOTIFY_SOCKET=str(sock_path), WATCHDOG_USEC="1000000", RUNTIME_DIRECTORY=str(run),
               SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path / "kivy"), KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1")
    env.pop("STATE_DIRECTORY", None)
    return subprocess.Popen([str(KIOSK), "run", "--config", str(config), "--headless"], env=env, cwd=str(tmp_path),
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "kiosk.stderr", "wb"))


def _recv_until(sock: socket.socket, predicate, timeout: float) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            got.append(sock.recv(4096).decode())
        except (TimeoutError, socket.timeout):
            break
        if predicate(got):
            break
    return got


@pytest.fixture
def notify(tmp_path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    run = tmp_path / "run"
    run.mkdir()
    yield sock, path, run
    sock.close()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_real_app_ready_pings_and_restarts_itself_when_asked(tmp_path, notify):
    sock, path, run = notify
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    t0 = time.monotonic()
    proc = _spawn(tmp_path, config, path, run)
    try:
        got = _recv_until(sock, lambda g: any("READY=1" in m for m in g), 90)
        assert any("READY=1" in m for m in got), (got, (tmp_path / "kiosk.stderr").read_text()[-2000:])
        ready_s = time.monotonic() - t0
        pings = _recv_until(sock, lambda g: sum("WATCHDOG=1" in m for m in g) >= 3, 15)
        assert sum("WATCHDOG=1" in m for m in pings) >= 3, pings
        assert (run / STATE_FILE).exists()
        t_req = time.monotonic()
        (run / RESTART_REQUEST).write_text('{"reason": "test"}')
        tail = _recv_until(sock, lambda g: any("STOPPING=1" in m for m in g), 20)
        assert any("STOPPING=1" in m for m in tail), tail
        assert proc.wait(30) == 0
        exit_s = time.monotonic() - t_req
        assert not (run / RESTART_REQUEST).exists()
        record("nightly restart request, real app idle", kept_running=True,
               message="STOPPING=1 then exit 0 (systemd restarts)", lost=0, duplicated=0, recovery_s=exit_s,
               note=f"spawn -> READY=1 {ready_s:.1f}s; request -> exit {exit_s:.1f}s")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_invalid_config_never_reports_ready(tmp_path, notify):
    sock, path, run = notify
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    text = (config / "terminal.yaml").read_text(encoding="utf-8")
    (config / "terminal.yaml").write_text(text.replace("idle_timeout_s: 60", "idle_timeout_s: soon"),
                                          encoding="utf-8")
    proc = _spawn(tmp_path, config, path, run)
    try:
        assert proc.wait(60) == 2
        got = _recv_until(sock, lambda g: False, 0.5)
        assert not any("READY=1" in m for m in got), got
        assert "idle_timeout_s" in (tmp_path / "kiosk.stderr").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_sigterm_from_systemd_stops_the_app_cleanly(tmp_path, notify):
    """``systemctl stop/restart`` sends SIGTERM and waits TimeoutStopSec=15 before SIGKILL. SDL turns
    SIGTERM into a window-close request if nobody handles it first — which the kiosk (rightly) refuses —
    so this checks the app really ends, cleanly and well within the stop timeout."""
    import signal

    sock, path, run = notify
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    proc = _spawn(tmp_path, config, path, run)
    try:
        got = _recv_until(sock, lambda g: any("READY=1" in m for m in g), 90)
        assert any("READY=1" in m for m in got)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(15)
        stop_s = time.monotonic() - t0
        assert code == 0, code
        record("SIGTERM (systemctl stop/restart), real app", kept_running=False, message="clean exit 0",
               lost=0, duplicated=0, recovery_s=stop_s, note="time SIGTERM -> exit (TimeoutStopSec=15)")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
