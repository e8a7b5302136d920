"""The scanner pulled out during a resident's session, against the real runtime, drivers and simulators.

However the cable goes — mid-scan, while a scanned code is being checked with the gateway, or while the
identify screen waits — the session goes on: the screen stays, a code already sent is still answered, the
ID card still identifies, the 亮码 way says the scanner is unavailable, and once the scanner is back a code
is read again. Nothing of the half-sent scan is reported as a scan.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from faultkit import record
from kiosk.config.loader import load_config
from kiosk_dev.sims import HeadlessKiosk

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
WAIT = 15.0  # a bound to give up at, not a measurement


@pytest.fixture
def kiosk(tmp_path):
    with HeadlessKiosk(load_config(CONFIG_DIR), tmp_path) as k:
        d = lambda: k.ctl.state.devices  # noqa: E731
        assert k.bridge.pump_until(lambda: d().reader_online and d().printer_ready and d().backend_ok
                                   and d().scanner == "online", WAIT), d()
        yield k


def test_unplug_mid_scan_on_identify_keeps_the_session_and_the_card_still_identifies(kiosk):
    k, ctl, bridge, sim = kiosk, kiosk.ctl, kiosk.bridge, kiosk.stack.scanner
    ctl.start_identify()
    assert bridge.pump_until(lambda: ctl.state.card.state == "waiting", WAIT)
    code = k.stack.gateway.routes.scan.ssm_issue()
    sim.control("unplug_mid_scan", text=code)
    assert bridge.pump_until(lambda: ctl.state.devices.scanner == "offline", WAIT), ctl.state.devices
    assert ctl.state.screen == "identify" and ctl.state.error is None and ctl.state.busy is None
    assert k.rt.scan.scanner.scan_count == 0  # half a code is not a scan
    unplugged = time.monotonic()
    sim.handle_control({"cmd": "replug"})
    assert bridge.pump_until(lambda: ctl.state.devices.scanner == "online", WAIT)
    back_s = time.monotonic() - unplugged
    k.stack.idcard.place("resident")  # the card way never depended on the scanner
    assert bridge.pump_until(lambda: ctl.state.screen == "menu", WAIT), (ctl.state.card, ctl.state.error)
    assert ctl.state.identity.method == "idcard"
    record("scanner unplugged mid-scan (identify)", kept_running=True,
           message="扫码器暂不可用 (亮码 way greyed)",
           lost=0, duplicated=0, recovery_s=back_s)


def test_unplug_while_a_code_is_checked_still_lands_and_a_later_code_is_read(kiosk):
    k, ctl, bridge, sim = kiosk, kiosk.ctl, kiosk.bridge, kiosk.stack.scanner
    sim.scan(k.stack.gateway.routes.scan.ssm_issue())
    assert bridge.pump_until(lambda: ctl.core.running("scan") or ctl.state.screen == "menu", WAIT)
    sim.handle_control({"cmd": "unplug"})
    assert bridge.pump_until(lambda: ctl.state.screen == "menu", WAIT), ctl.state.error
    assert bridge.pump_until(lambda: ctl.state.devices.scanner == "offline", WAIT)
    assert ctl.state.identity.method == "ssm" and ctl.state.error is None
    sim.handle_control({"cmd": "replug"})
    assert bridge.pump_until(lambda: ctl.state.devices.scanner == "online", WAIT)
    # the resident picks up a parcel next (the code is sent: the simulator has the host's new connection)
    assert sim.scan(k.stack.gateway.routes.scan.pickup_add("ready"))["sent"]
    assert bridge.pump_until(lambda: ctl.state.screen == "result", WAIT), ctl.state.error
    assert ctl.state.result.title.zh == "取件单"
    jobs = k.stack.printer.wait_jobs(1, timeout=WAIT, complete=True)
    assert "取件单" in jobs[-1].text
