"""The real Scanner driver against the ScannerSimulator over a real pty and over socket://.

Faults come through the simulator's controls only; nothing in the driver is patched. Waits are on
events/conditions with generous timeouts, never on fixed sleeps that a loaded machine could outrun.
"""
from __future__ import annotations

import threading
import time

import pytest
from scanner_support import wait_until

from devices.base import DeviceStatus
from devices.scanner.driver import NoScan, Scanner, ScannerSilent
from devices.scanner.simulator import ScannerSimulator

pytestmark = pytest.mark.timeout(60)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["pty", "tcp"])
def rig(request, tmp_path):
    profile = getattr(request, "param_profile", None) or "generic-cr"
    kw = {"link": tmp_path / "scanner"} if request.param == "pty" else {}
    sim = ScannerSimulator(transport=request.param, profile=profile, **kw).start()
    events: list = []
    scanner = Scanner(sim.url, profile=profile)
    scanner.subscribe(events.append)
    scanner.start()
    assert scanner.wait_attempted(5) and scanner.connected and sim.wait_host(5)
    yield sim, scanner, events
    scanner.close()
    sim.stop()


def scan_soon(sim, cmd: dict) -> None:
    threading.Timer(0.05, sim.handle_control, [cmd]).start()


def test_scan_is_an_event_and_a_result(rig):
    sim, scanner, events = rig
    scan_soon(sim, {"cmd": "scan", "text": "https://sh.gov.cn/ssm?c=ABC123"})
    scan = scanner.wait_scan(5)
    assert (scan.text, scan.encoding) == ("https://sh.gov.cn/ssm?c=ABC123", "utf-8")
    assert scan.raw_hex == b"https://sh.gov.cn/ssm?c=ABC123".hex()
    assert wait_until(lambda: [e.data["scan"].text for e in events if e.name == "scan_read"]
                      == ["https://sh.gov.cn/ssm?c=ABC123"])
    assert "ABC123" not in repr(scan)  # a scan never shows its content in logs


def test_split_writes_are_one_scan(rig):
    sim, scanner, _ = rig
    scan_soon(sim, {"cmd": "split", "text": "SPLIT-0123456789", "parts": 5, "gap": 0.03})
    assert scanner.wait_scan(5).text == "SPLIT-0123456789"
    with pytest.raises(NoScan):
        scanner.wait_scan(0.5)
    assert scanner.health()["scans"] == 1


@pytest.mark.parametrize("kind", ["control", "invalid", "overlong", "mixed"])
def test_noise_is_not_a_scan_and_the_next_scan_is_clean(rig, kind):
    sim, scanner, _ = rig
    sim.handle_control({"cmd": "noise", "kind": kind})
    with pytest.raises(NoScan):
        scanner.wait_scan(1.5)
    assert wait_until(lambda: scanner.health()["noise"] >= 1)
    scan_soon(sim, {"cmd": "scan", "text": "CLEAN-1"})
    assert scanner.wait_scan(5).text == "CLEAN-1"
    assert scanner.status == DeviceStatus.ONLINE


def test_gb18030_payload(rig):
    sim, scanner, _ = rig
    scan_soon(sim, {"cmd": "scan", "text": "证照物流取件码 660021", "encoding": "gb18030"})
    scan = scanner.wait_scan(5)
    assert (scan.text, scan.encoding) == ("证照物流取件码 660021", "gb18030")
    assert bytes.fromhex(scan.raw_hex) == "证照物流取件码 660021".encode("gb18030")


def test_unplug_mid_scan_recovers_and_never_glues_halves(rig):
    sim, scanner, events = rig
    sim.handle_control({"cmd": "unplug_mid_scan", "text": "HALF-AND-HALF"})
    assert wait_until(lambda: scanner.status == DeviceStatus.OFFLINE, 5)
    time.sleep(1.5)  # stay away long enough for the backoff to grow
    sim.handle_control({"cmd": "replug"})
    # back on its own (how fast is a figure: bench/bench_scanner.py, PERFORMANCE.md — not a timed assert)
    assert wait_until(lambda: scanner.connected, 5)
    assert sim.wait_host(5)
    scan_soon(sim, {"cmd": "scan", "text": "AFTER"})
    assert scanner.wait_scan(5).text == "AFTER"
    assert [e.data["scan"].text for e in events if e.name == "scan_read"] == ["AFTER"]
    assert [e.data["status"] for e in events if e.name == "status_changed"][-2:] == ["offline", "online"]


def test_held_code_is_one_scan(rig):
    sim, scanner, _ = rig
    scan_soon(sim, {"cmd": "repeat", "text": "HELD", "times": 3, "interval": 0.2})
    assert scanner.wait_scan(5).text == "HELD"
    with pytest.raises(NoScan):
        scanner.wait_scan(1.0)
    assert wait_until(lambda: scanner.health()["duplicates"] == 2)


@pytest.fixture
def pty_rig(tmp_path):
    """Factory: a simulator on a pty with ``profile`` and a started driver for it; both stop at teardown."""
    made: list = []

    def make(profile: str, *, clock=None, silent: bool = False):
        sim = ScannerSimulator(link=tmp_path / f"scanner{len(made)}", profile=profile).start()
        if silent:
            sim.handle_control({"cmd": "silent"})
        scanner = Scanner(sim.url, profile=profile, **({"clock": clock} if clock else {})).start()
        made.append((sim, scanner))
        assert scanner.wait_attempted(5)
        return sim, scanner

    yield make
    for sim, scanner in made:
        scanner.close()
        sim.stop()


def test_same_code_after_the_window_is_a_new_scan_by_the_injected_clock(pty_rig):
    clock = FakeClock()
    sim, scanner = pty_rig("generic-cr", clock=clock)
    assert scanner.connected
    for advance, expect_new in ((0.0, True), (1.9, False), (1.9, False), (2.1, True)):
        clock.now += advance
        before = scanner.scan_count
        sim.handle_control({"cmd": "scan", "text": "SAME"})
        if expect_new:
            assert scanner.wait_scan(5, since=before).text == "SAME"
        else:
            assert wait_until(lambda: scanner.deduper.duplicates >= 1)
            with pytest.raises(NoScan):
                scanner.wait_scan(0.3, since=before)
    assert scanner.scan_count == 2 and scanner.deduper.duplicates == 2


def test_no_suffix_scanner_gap_ends_the_scan(pty_rig):
    sim, scanner = pty_rig("generic-none")
    assert scanner.connected
    # back-to-back writes: without a suffix a pause of 50 ms *is* the end, so no sleep between parts
    scan_soon(sim, {"cmd": "split", "text": "NOSUFFIX-42", "parts": 3, "gap": 0})
    assert scanner.wait_scan(5).text == "NOSUFFIX-42"


@pytest.mark.parametrize("profile", ["honeywell-serial", "newland-serial"])
def test_query_enable_and_disable(pty_rig, profile):
    sim, scanner = pty_rig(profile)
    assert scanner.connected and scanner.query_status() is True
    scanner.set_enabled(False)
    assert wait_until(lambda: sim.enabled is False)
    assert sim.handle_control({"cmd": "scan", "text": "X"})["sent"] is False
    scanner.set_enabled(True)
    assert wait_until(lambda: sim.enabled is True)
    scan_soon(sim, {"cmd": "scan", "text": "ENABLED"})
    assert scanner.wait_scan(5).text == "ENABLED"
    sim.handle_control({"cmd": "silent"})
    assert scanner.query_status() is False


def test_silent_scanner_with_a_query_is_offline(pty_rig):
    sim, scanner = pty_rig("honeywell-serial", silent=True)
    assert not scanner.connected and isinstance(scanner.last_error, ScannerSilent)
    assert scanner.status == DeviceStatus.OFFLINE and "does not answer" in scanner.status_reason
    sim.handle_control({"cmd": "silent", "on": False})
    assert wait_until(lambda: scanner.connected, 5)


def test_host_triggered_model_reads_only_while_triggered(pty_rig):
    sim, scanner = pty_rig("honeywell-serial-trigger")
    assert wait_until(lambda: sim.triggered, 5)
    scan_soon(sim, {"cmd": "scan", "text": "TRIGGERED"})
    assert scanner.wait_scan(5).text == "TRIGGERED"
    scanner.set_enabled(False)
    assert wait_until(lambda: not sim.triggered)
    assert sim.handle_control({"cmd": "scan", "text": "UNTRIGGERED"})["sent"] is False


def test_disabled_driver_drops_scans_of_a_model_without_disable_bytes(rig):
    sim, scanner, events = rig
    scanner.set_enabled(False)
    sim.handle_control({"cmd": "scan", "text": "IGNORED"})
    assert wait_until(lambda: scanner.ignored == 1)
    assert not [e for e in events if e.name == "scan_read"]


def test_wait_scan_can_be_cancelled(rig):
    _, scanner, _ = rig
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    from devices.errors import OperationCancelled
    with pytest.raises(OperationCancelled):
        scanner.wait_scan(10, cancel=cancel)


def test_forget_drops_kept_scans_and_dedupe_memory_expires(pty_rig):
    clock = FakeClock()
    sim, scanner = pty_rig("generic-cr", clock=clock)
    sim.handle_control({"cmd": "scan", "text": "CREDENTIAL"})
    assert scanner.wait_scan(5, since=0).text == "CREDENTIAL"
    scanner.forget()
    with pytest.raises(NoScan):
        scanner.wait_scan(0.2, since=0)  # nothing kept any more
    clock.now += 2.5
    assert wait_until(lambda: len(scanner.deduper) == 0)  # pruned by the worker on a quiet line


def test_set_enabled_while_offline_applies_on_reconnect(pty_rig):
    sim, scanner = pty_rig("newland-serial")
    assert scanner.connected
    sim.handle_control({"cmd": "unplug"})
    assert wait_until(lambda: not scanner.connected)
    scanner.set_enabled(False)  # no error while the scanner is away
    sim.handle_control({"cmd": "replug"})
    assert wait_until(lambda: scanner.connected and sim.enabled is False)
