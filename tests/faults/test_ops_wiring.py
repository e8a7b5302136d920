"""The ops services inside a real Runtime (simulators, QueueBridge as the UI thread): READY only once the
UI loop turns, WATCHDOG=1 only while the UI thread runs (a frozen UI thread stops the pings), restarts only
on the attract screen, and the heartbeat reply reaching the ops hook."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from faultkit import wait_for
from kiosk.config.loader import load_config
from kiosk_dev.sims import HeadlessKiosk
from kiosk.ops.watchdog import RESTART_REQUEST

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def systemd(tmp_path, monkeypatch):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "400000")  # ping every 0.2 s
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(run))
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    yield sock, run
    sock.close()


def messages(sock, wait: float = 0.0) -> list[str]:
    out = []
    sock.settimeout(wait if wait else 0.001)
    try:
        while True:
            out.append(sock.recv(4096).decode())
            sock.settimeout(0.001)
    except (TimeoutError, socket.timeout, BlockingIOError):
        return out


@pytest.fixture
def kiosk(tmp_path, systemd):
    with HeadlessKiosk(load_config(REPO / "config"), tmp_path) as k:
        yield k.stack, k.bridge, k.rt, k.ctl, systemd


def test_ready_then_pings_only_while_the_ui_thread_runs(kiosk):
    _stack, bridge, rt, ctl, (sock, _run) = kiosk
    time.sleep(0.5)
    assert not any("READY=1" in m for m in messages(sock))  # nothing before the UI loop ran
    bridge.pump_until(lambda: rt.ops.watchdog.is_ready, 5)
    got = messages(sock, 0.5)
    assert any("READY=1" in m for m in got)
    pings_before = rt.ops.watchdog.pings
    assert bridge.pump_until(lambda: rt.ops.watchdog.pings >= pings_before + 3, 5)
    # freeze: the UI thread stops pumping; the posted tick waits, no ping reaches systemd
    messages(sock)
    time.sleep(1.0)
    frozen = [m for m in messages(sock) if "WATCHDOG=1" in m]
    assert frozen == []
    # thaw: pings resume
    assert bridge.pump_until(lambda: any("WATCHDOG=1" in m for m in messages(sock)), 5)


def test_restart_request_waits_for_attract_then_asks_the_app_to_exit(kiosk):
    stack, bridge, rt, ctl, (_sock, run) = kiosk
    assert bridge.pump_until(lambda: ctl.state.devices.reader_online and ctl.state.devices.backend_ok, 15)
    ctl.start_identify()
    assert bridge.pump_until(lambda: ctl.state.screen == "identify", 5)
    (run / RESTART_REQUEST).write_text("{}")
    bridge.pump_until(lambda: False, 1.0)  # several watchdog ticks while a resident is identifying
    assert (run / RESTART_REQUEST).exists() and not ctl.exit_requested
    ctl.end_session()
    assert bridge.pump_until(lambda: ctl.exit_requested, 5)
    assert not (run / RESTART_REQUEST).exists()


def test_heartbeat_reply_reaches_ops_and_status_line_follows_alerts(kiosk):
    stack, bridge, rt, ctl, (sock, _run) = kiosk
    assert bridge.pump_until(lambda: ctl.state.devices.backend_ok, 15)
    acks = []
    original = rt.ops._on_ack
    rt.heartbeat.on_ack = lambda ack: (acks.append(ack), original(ack))
    stack.printer.handle_control({"cmd": "paper_out"})
    assert wait_for(lambda: rt.printer.paper == "out", 10)
    assert rt.heartbeat.beat()
    assert acks and acks[-1].config_version
    assert "printer.paper_out" in rt.heartbeat.tracker.active
    status = [m for m in messages(sock, 0.5) if m.startswith("STATUS=alerts")]
    assert status and "printer.paper_out" in status[-1]
