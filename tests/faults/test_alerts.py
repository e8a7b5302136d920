"""kiosk/ops/alerts.py: alerts raised once per change, cleared once, kept until acknowledged; one reset first."""
from __future__ import annotations

from kiosk.ops.alerts import AlertTracker, DeviceHealer


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def snap(printer=None, idcard=None, pending=0, dead=0, rss=100.0):
    return {"devices": {"printer": {"status": "online", "paper": "full", **(printer or {})},
                        "idcard": {"status": "online", **(idcard or {})}},
            "outbox": {"pending": pending, "dead": dead}, "memory_rss_mb": rss}


def codes(changes):
    return [(c.change, c.alert.code) for c in changes]


def tracker(clock=None):
    clock = clock or FakeClock()
    return AlertTracker(memory_limit_mb=500, outbox_growth_beats=3, outbox_max_pending=50, offline_grace_s=15,
                        clock=clock, wall=clock)


def test_paper_low_raised_once_escalates_to_out_and_clears():
    t = tracker()
    assert t.evaluate(snap()) == []
    assert codes(t.evaluate(snap(printer={"paper": "low"}))) == [("raised", "printer.paper_low")]
    for _ in range(5):  # every beat with the same state: nothing new
        assert t.evaluate(snap(printer={"paper": "low"})) == []
    assert codes(t.evaluate(snap(printer={"paper": "out"}))) == [("cleared", "printer.paper_low"),
                                                                   ("raised", "printer.paper_out")]
    assert t.active["printer.paper_out"].level == "critical"
    assert "缺纸" in t.active["printer.paper_out"].message_zh
    assert codes(t.evaluate(snap(printer={"paper": "full"}))) == [("cleared", "printer.paper_out")]
    assert t.active == {}


def test_cover_open_alert():
    t = tracker()
    assert codes(t.evaluate(snap(printer={"status": "userError", "cover_open": True}))) == [
        ("raised", "printer.cover_open")]
    assert t.evaluate(snap(printer={"status": "userError", "cover_open": True})) == []
    assert codes(t.evaluate(snap())) == [("cleared", "printer.cover_open")]


def test_reader_offline_only_after_grace_period():
    clock = FakeClock()
    t = tracker(clock)
    assert t.evaluate(snap(idcard={"status": "offline", "reason": "cable"})) == []
    clock.t += 5
    assert t.evaluate(snap()) == []  # replugged within seconds: nobody is woken
    assert t.evaluate(snap(idcard={"status": "offline"})) == []
    clock.t += 14
    assert t.evaluate(snap(idcard={"status": "offline"})) == []
    clock.t += 2
    changes = t.evaluate(snap(idcard={"status": "offline", "reason": "Device not connected"}))
    assert codes(changes) == [("raised", "idcard.offline")]
    assert "身份证阅读器" in changes[0].alert.message_zh
    clock.t += 60
    assert t.evaluate(snap(idcard={"status": "offline"})) == []
    assert codes(t.evaluate(snap())) == [("cleared", "idcard.offline")]


def test_not_configured_device_is_no_alert():
    clock = FakeClock()
    t = tracker(clock)
    t.evaluate(snap(idcard={"status": "noDevice"}))
    clock.t += 100
    assert t.evaluate(snap(idcard={"status": "noDevice"})) == []


def test_outbox_growing_after_three_rising_beats_and_held_until_it_drains():
    t = tracker()
    for depth in (0, 1, 2):
        assert t.evaluate(snap(pending=depth)) == []
    assert codes(t.evaluate(snap(pending=3))) == [("raised", "outbox.growing")]
    assert t.evaluate(snap(pending=3)) == []  # flat: still stuck, still one alert
    assert t.evaluate(snap(pending=4)) == []
    assert codes(t.evaluate(snap(pending=2))) == [("cleared", "outbox.growing")]
    assert t.evaluate(snap(pending=2)) == []


def test_outbox_deep_or_dead():
    t = tracker()
    assert codes(t.evaluate(snap(pending=60))) == [("raised", "outbox.growing")]
    assert codes(t.evaluate(snap(pending=0, dead=2))) == [("cleared", "outbox.growing"), ("raised", "outbox.dead")]


def test_memory_alert_with_hysteresis():
    t = tracker()
    assert codes(t.evaluate(snap(rss=510))) == [("raised", "memory.high")]
    assert t.evaluate(snap(rss=480)) == []  # between 90 % and the limit: no flapping
    assert codes(t.evaluate(snap(rss=440))) == [("cleared", "memory.high")]
    assert t.evaluate(snap(rss=480)) == []


def test_pending_changes_kept_until_acknowledged():
    t = tracker()
    t.evaluate(snap(printer={"paper": "low"}))
    t.evaluate(snap(printer={"paper": "low"}))
    assert [c.alert.code for c in t.pending] == ["printer.paper_low"]
    t.evaluate(snap())
    assert [c.change for c in t.pending] == ["raised", "cleared"]
    t.acknowledge(1)
    assert [c.change for c in t.pending] == ["cleared"]
    t.acknowledge(1)
    assert t.pending == []


def test_healer_resets_once_then_alerts_staff_and_rearms_after_recovery():
    clock = FakeClock()
    resets = []
    h = DeviceHealer(reset=resets.append, grace_s=10, clock=clock)
    stuck = {"printer": {"status": "hardwareError", "action": "reset", "reason": "cutter"}}
    assert h.check(stuck) == [] and resets == []
    clock.t += 10
    assert h.check(stuck) == [] and resets == ["printer"]
    clock.t += 5
    assert h.check(stuck) == []
    clock.t += 5
    alerts = h.check(stuck)
    assert [a[0] for a in alerts] == ["printer.reset_failed"] and resets == ["printer"]  # only one reset
    clock.t += 100
    assert [a[0] for a in h.check(stuck)] == ["printer.reset_failed"] and resets == ["printer"]
    assert h.check({"printer": {"status": "online"}}) == []
    clock.t += 10
    h.check(stuck)
    clock.t += 10
    h.check(stuck)
    assert resets == ["printer", "printer"]  # a new fault after recovery earns a new reset


def test_healer_leaves_staff_fixable_and_vanished_devices_alone():
    clock = FakeClock()
    resets = []
    h = DeviceHealer(reset=resets.append, grace_s=1, clock=clock)
    for _ in range(5):
        clock.t += 5
        assert h.check({"printer": {"status": "userError", "action": "clear"},
                        "idcard": {"status": "offline", "action": "maintenance"}}) == []
    assert resets == []


def test_healer_alert_flows_through_tracker_once():
    clock = FakeClock()
    t = tracker(clock)
    h = DeviceHealer(reset=lambda n: None, grace_s=1, clock=clock)
    stuck = {"status": "hardwareError", "action": "reset"}
    raised = []
    for _ in range(6):
        clock.t += 1
        s = snap(idcard=stuck)
        raised += codes(t.evaluate(s, h.check(s["devices"])))
    assert ("raised", "idcard.reset_failed") in raised
    assert raised.count(("raised", "idcard.reset_failed")) == 1
