"""A TCP device simulator keeps its listening port bound from start() to stop(): unplug/replug never gives
the port up (on a busy machine another process could take it in between and replug would fail), a host
connecting while the "cable" is out is refused at once, and the driver comes back on the same URL."""
from __future__ import annotations

import socket
import threading

import pytest

from devices.base import DeviceStatus
from devices.idcard.simulator import IdCardSimulator
from test_idcard_driver import quick_reader


def port_is_taken(port: int) -> bool:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind(("127.0.0.1", port))
    except OSError:
        return True
    finally:
        probe.close()
    return False


def nothing_answers(port: int) -> bool:
    """Connect and send a SAM status request: True when the connection is reset or closed unanswered (a
    silent open connection raises socket.timeout instead)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as host:
            host.settimeout(5)
            host.sendall(b"\xaa\xaa\xaa\x96\x69\x00\x03\x11\xff\xed")
            return host.recv(16) == b""
    except (ConnectionResetError, ConnectionRefusedError, BrokenPipeError):
        return True


class StatusLog:
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.statuses: list[str] = []

    def __call__(self, event) -> None:
        if event.name == "status_changed":
            with self.cond:
                self.statuses.append(event.data.get("status"))
                self.cond.notify_all()

    def wait(self, status: DeviceStatus, after: int, timeout: float = 15.0) -> int:
        """Wait for ``status`` reported after the first ``after`` changes; returns the new count."""
        with self.cond:
            assert self.cond.wait_for(lambda: status.value in self.statuses[after:], timeout), self.statuses
            return len(self.statuses)


@pytest.fixture
def sim():
    simulator = IdCardSimulator(transport="tcp", pace=False).start()
    yield simulator
    simulator.stop()


def test_unplug_keeps_the_port_bound_and_refuses_connections(sim):
    port = sim.tcp_port
    for _ in range(3):
        assert sim.handle_control({"cmd": "unplug"}) == {"ok": True}
        assert port_is_taken(port)  # nobody else can take it while the cable is out
        assert nothing_answers(port)
        reply = sim.handle_control({"cmd": "replug"})
        assert reply["ok"] and reply["url"] == f"socket://127.0.0.1:{port}"
    sim.stop()
    assert not port_is_taken(port)  # stop() does give it back


def test_driver_goes_offline_and_back_on_the_same_url(sim):
    log = StatusLog()
    reader = quick_reader(sim.url, log)
    try:
        seen = log.wait(DeviceStatus.ONLINE, 0)
        for _ in range(3):
            sim.handle_control({"cmd": "unplug"})
            seen = log.wait(DeviceStatus.OFFLINE, seen)
            sim.handle_control({"cmd": "replug"})
            seen = log.wait(DeviceStatus.ONLINE, seen)
            sim.place("resident")
            assert reader.read_card(timeout=5).name == "李建国"
    finally:
        reader.close()
