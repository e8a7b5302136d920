"""kiosk/ops/heartbeat.py: real beats to the gateway simulator over HTTPS; alerts survive an outage."""
from __future__ import annotations

import logging
import time

import pytest

from kiosk.ops.alerts import AlertTracker, DeviceHealer
from kiosk.backend.client import GatewayClient
from kiosk.backend.signing import load_secret
from kiosk.backend.simulator.server import DEV_SECRET_FILE, DEV_TLS, GatewaySimulator
from kiosk.ops.heartbeat import Heartbeat, LastErrorHandler, process_figures, runtime_snapshot


@pytest.fixture
def gateway():
    sim = GatewaySimulator(port=0).start()
    client = GatewayClient(sim.base_url, terminal_id="SH-TEST-01", secret=load_secret(DEV_SECRET_FILE),
                           ca_bundle=DEV_TLS / "ca.pem", connect_timeout_s=1, read_timeout_s=2, retries=0)
    yield sim, client
    client.close()
    sim.stop()


class FakeDev:
    def __init__(self, status="online", paper=None):
        self.status, self.status_reason, self.last_error = status, None, None
        if paper is not None:
            self.paper = paper


def test_beat_reaches_gateway_with_the_promised_fields(gateway):
    sim, client = gateway
    printer = FakeDev(paper="full")
    acks = []
    hb = Heartbeat(client, lambda: runtime_snapshot({"printer": printer, "idcard": FakeDev(), "camera": None}),
                   interval_s=60, on_ack=acks.append, config_version=lambda: "local-abc")
    assert hb.beat() is True
    body = sim.heartbeats[-1]
    for key in ("app_version", "config_version", "uptime_s", "memory_rss_mb", "open_fds", "threads", "devices",
                "last_error", "alerts", "alert_changes"):
        assert key in body, key
    assert body["devices"]["printer"] == {"status": "online", "reason": None, "action": "none", "paper": "full"}
    assert body["devices"]["camera"]["status"] == "noDevice"
    assert body["config_version"] == "local-abc"
    assert body["memory_rss_mb"] > 10 and body["open_fds"] > 3 and body["threads"] >= 1
    assert acks and acks[0].config_version  # the gateway's wanted version goes to the remote-config updater


def test_alert_raised_once_and_survives_an_outage(gateway):
    sim, client = gateway
    printer = FakeDev(paper="full")
    hb = Heartbeat(client, lambda: runtime_snapshot({"printer": printer}), interval_s=60)
    assert hb.beat()
    printer.paper = "out"
    sim.stop()  # the centre is unreachable when the paper runs out
    assert hb.beat() is False
    assert hb.beat() is False
    sim.start()
    n = len(sim.heartbeats)
    assert hb.beat() is True
    delivered = sim.heartbeats[n]
    assert [(c["change"], c["code"]) for c in delivered["alert_changes"]] == [("raised", "printer.paper_out")]
    assert [a["code"] for a in delivered["alerts"]] == ["printer.paper_out"]
    assert hb.beat() is True
    assert sim.heartbeats[-1]["alert_changes"] == []  # once per change, not every beat
    assert [a["code"] for a in sim.heartbeats[-1]["alerts"]] == ["printer.paper_out"]


def test_gateway_5xx_does_not_stop_the_loop_and_is_logged_once(gateway, caplog):
    sim, client = gateway
    sim.inject("status", status=503, times=3, path="/v1/terminals")
    hb = Heartbeat(client, lambda: runtime_snapshot({}), interval_s=0.05)
    with caplog.at_level(logging.WARNING, logger="kiosk.ops.heartbeat"):
        hb.start()
        deadline = time.monotonic() + 10
        while hb.sent < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        hb.stop()
    assert hb.failed == 3 and hb.sent >= 2
    assert len([r for r in caplog.records if "heartbeat failed" in r.getMessage()]) == 1


def test_stop_cancels_a_slow_beat_promptly(gateway):
    sim, client = gateway
    sim.inject("slow", delay_s=5.0, times=1, path="/v1/terminals")
    hb = Heartbeat(client, lambda: runtime_snapshot({}), interval_s=60).start()
    time.sleep(0.3)
    t0 = time.monotonic()
    hb.stop(timeout=5)
    assert time.monotonic() - t0 < 4.5


def test_broken_collector_is_reported_not_fatal(gateway, caplog):
    _sim, client = gateway
    calls = {"n": 0}

    def collect():
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("driver bug")
        return runtime_snapshot({})

    hb = Heartbeat(client, collect, interval_s=60)
    assert hb.beat() is False
    assert hb.beat() is True
    assert "collecting the status failed" in caplog.text


def test_last_error_is_masked():
    handler = LastErrorHandler()
    logger = logging.getLogger("kiosk.test.lasterror")
    logger.addHandler(handler)
    try:
        logger.error("auth failed for 310106198807155218")
        logger.warning("not an error")
    finally:
        logger.removeHandler(handler)
    assert handler.last["message"] == "auth failed for 3101**********5218"


def test_healer_reset_is_called_from_the_beat(gateway):
    _sim, client = gateway
    clock = {"t": 0.0}
    resets = []
    reader = FakeDev(status="hardwareError")

    class Err:
        class action:
            value = "reset"

    reader.last_error = Err()
    hb = Heartbeat(client, lambda: runtime_snapshot({"idcard": reader}), interval_s=60,
                   healer=DeviceHealer(reset=resets.append, grace_s=5, clock=lambda: clock["t"]),
                   tracker=AlertTracker(clock=lambda: clock["t"]))
    for _ in range(4):
        hb.beat()
        clock["t"] += 5
    assert resets == ["idcard"]
    assert "idcard.reset_failed" in [a["code"] for a in hb.last_payload["alerts"]]


def test_process_figures_are_real_numbers():
    figs = process_figures()
    assert figs["memory_rss_mb"] > 1 and figs["open_fds"] >= 3 and figs["threads"] >= 1


def test_payload_matches_the_documented_heartbeat_schema(gateway):
    import jsonschema
    import yaml
    from pathlib import Path

    sim, client = gateway
    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text("utf-8"))
    schema = {"$ref": "#/components/schemas/Heartbeat", "components": spec["components"]}
    printer = FakeDev(paper="low")
    hb = Heartbeat(client, lambda: runtime_snapshot({"printer": printer, "idcard": FakeDev(status="offline")},
                                                     extra={"config_pending": None, "config_rejected": None}),
                   interval_s=60)
    assert hb.beat()
    jsonschema.Draft202012Validator(schema).validate(sim.heartbeats[-1])
