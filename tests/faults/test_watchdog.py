"""kiosk/ops/watchdog.py against a real AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET."""
from __future__ import annotations

import json
import os
import socket
import threading

import pytest

from kiosk.cli import main as kiosk_main
from kiosk.ops.watchdog import (RESTART_REQUEST, STATE_FILE, SystemdNotifier, Watchdog, request_restart,
                            watchdog_interval_s)


@pytest.fixture
def notify_socket(tmp_path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2.0)
    yield str(path), sock
    sock.close()


def _recv(sock) -> dict[str, str]:
    data = sock.recv(4096).decode("utf-8")
    return dict(line.split("=", 1) for line in data.split("\n"))


def _pending(sock) -> list[bytes]:
    sock.setblocking(False)
    out = []
    try:
        while True:
            out.append(sock.recv(4096))
    except BlockingIOError:
        return out
    finally:
        sock.settimeout(2.0)


def test_notifier_is_noop_without_notify_socket():
    notifier = SystemdNotifier(env={})
    assert not notifier.enabled
    assert notifier.send(READY=1) is False


def test_ready_only_when_window_up_and_config_valid(notify_socket):
    path, sock = notify_socket
    wd = Watchdog(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
    assert wd.interval_s == 15.0
    assert wd.ready(window_up=True, config_ok=False, detail="terminal.yaml line 3") is False
    msg = _recv(sock)
    assert "READY" not in msg
    assert msg["STATUS"].startswith("starting: waiting for valid config")
    # no ping before ready: a kiosk that never became ready must be restarted by TimeoutStartSec
    wd.tick()
    assert _pending(sock) == []
    assert wd.ready(window_up=True, config_ok=True) is True
    msg = _recv(sock)
    assert msg["READY"] == "1" and "STATUS" in msg
    wd.tick()
    assert _recv(sock) == {"WATCHDOG": "1"}
    assert wd.pings == 1
    # READY is sent once only
    wd.ready(window_up=True, config_ok=True)
    assert _pending(sock) == []


def test_status_sent_on_change_only_and_newlines_cannot_inject_fields(notify_socket):
    path, sock = notify_socket
    notifier = SystemdNotifier(path)
    wd = Watchdog(notifier, env={})
    wd.status("attract; printer paper low\nREADY=1")
    assert _recv(sock) == {"STATUS": "attract; printer paper low READY=1"}
    wd.status("attract; printer paper low\nREADY=1")
    assert _pending(sock) == []


def test_abstract_namespace_socket():
    name = f"kiosk-test-{os.getpid()}-{threading.get_ident()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2.0)
    try:
        assert SystemdNotifier("@" + name).send(WATCHDOG=1)
        assert sock.recv(100) == b"WATCHDOG=1"
    finally:
        sock.close()


def test_send_to_vanished_socket_returns_false_and_does_not_raise(tmp_path):
    notifier = SystemdNotifier(str(tmp_path / "gone.sock"))
    assert notifier.enabled
    assert notifier.send(WATCHDOG=1) is False
    assert notifier.send(WATCHDOG=1) is False


def test_watchdog_interval_parsing():
    assert watchdog_interval_s({}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "junk"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}) == 10.0


def test_start_schedules_tick_with_clock_like_callable(notify_socket):
    path, sock = notify_socket
    wd = Watchdog(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "8000000"})
    wd.ready(window_up=True, config_ok=True)
    _recv(sock)
    scheduled = []
    wd.start(lambda cb, interval: scheduled.append((cb, interval)))
    assert scheduled == [(wd.tick, 4.0)]
    assert _recv(sock) == {"WATCHDOG": "1"}  # first ping right away
    assert scheduled[0][0](0.016) is True  # Kivy passes dt; True keeps the interval scheduled
    assert _recv(sock) == {"WATCHDOG": "1"}


def test_restart_request_taken_only_when_idle(tmp_path, notify_socket):
    path, sock = notify_socket
    idle = {"value": False}
    restarts = []
    wd = Watchdog(env={"NOTIFY_SOCKET": path}, run_dir=tmp_path, is_idle=lambda: idle["value"],
                  on_restart=lambda: restarts.append(1))
    wd.tick()
    state = json.loads((tmp_path / STATE_FILE).read_text())
    assert state["pid"] == os.getpid() and state["idle"] is False
    (tmp_path / RESTART_REQUEST).write_text("{}")
    wd.tick()
    assert restarts == [] and (tmp_path / RESTART_REQUEST).exists()  # a session is in progress
    idle["value"] = True
    wd.tick()
    assert restarts == [1] and not (tmp_path / RESTART_REQUEST).exists()
    assert _recv(sock)["STOPPING"] == "1"
    wd.tick()
    assert restarts == [1]  # the request is consumed once


def test_request_restart_waits_for_idle_app(tmp_path):
    restarts = []
    idle = {"value": False}
    wd = Watchdog(env={}, run_dir=tmp_path, is_idle=lambda: idle["value"], on_restart=lambda: restarts.append(1))
    wd.tick()
    ticks = {"n": 0}

    def fake_sleep(_s):
        # the app's Clock keeps ticking while the helper waits; the resident leaves after 3 ticks
        ticks["n"] += 1
        idle["value"] = ticks["n"] >= 3
        wd.tick()

    done, message = request_restart(tmp_path, max_wait_s=100, sleep=fake_sleep)
    assert done, message
    assert restarts == [1] and ticks["n"] == 3


def test_request_restart_gives_up_and_withdraws_when_busy(tmp_path):
    wd = Watchdog(env={}, run_dir=tmp_path, is_idle=lambda: False, on_restart=lambda: pytest.fail("restarted"))
    wd.tick()
    now = {"t": 0.0}

    def fake_sleep(s):
        now["t"] += s
        wd.tick()

    done, message = request_restart(tmp_path, max_wait_s=10, poll_s=1, clock=lambda: now["t"], sleep=fake_sleep)
    assert not done and "busy" in message
    assert not (tmp_path / RESTART_REQUEST).exists()  # cannot fire later, mid-session


def test_request_restart_reports_no_app_or_stale_app(tmp_path):
    done, message = request_restart(tmp_path, max_wait_s=1)
    assert not done and "no running kiosk app" in message
    (tmp_path / STATE_FILE).write_text(json.dumps({"pid": 1, "at": 0, "interval_s": 5}))
    done, message = request_restart(tmp_path, max_wait_s=1)
    assert not done and "not ticking" in message
    assert not (tmp_path / RESTART_REQUEST).exists()


def test_cli_ops_restart_without_app(tmp_path, capsys):
    assert kiosk_main(["ops", "restart", "--run-dir", str(tmp_path), "--max-wait", "1"]) == 0
    assert "not restarted" in capsys.readouterr().out
