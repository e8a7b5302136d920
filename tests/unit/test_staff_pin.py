"""Issue 13 §4: the staff PIN gate — lockout survives a restart, backoff grows, every lockout reaches the
heartbeat's alerts, an empty entry costs no try (PINs under 6 digits: tests/unit/test_config.py)."""
from __future__ import annotations

import json
import stat
from types import SimpleNamespace

from session_fakes import FakeClock, make

from kiosk.ops.alerts import AlertTracker
from kiosk.ops.heartbeat import Heartbeat
from kiosk.staff import PinGate, pin_state_path


class Wall(FakeClock):
    pass


def gate_at(path, clock, wall, **kw):
    return PinGate(5, 300, clock=clock, wall=wall, state_path=path, **kw)


def fail(gate, n=5):
    for _ in range(n):
        gate.record(False)


def test_backoff_grows_5_15_60_minutes_then_more_and_a_correct_pin_resets_it(tmp_path):
    clock, wall = FakeClock(), Wall()
    gate = gate_at(tmp_path / "pin.json", clock, wall)
    seen = []
    for _ in range(4):
        fail(gate)
        seen.append(gate.locked_for())
        clock.advance(gate.locked_for())
        wall.advance(seen[-1])
    assert seen == [300, 900, 3600, 14400]
    gate.record(True)
    fail(gate)
    assert gate.locked_for() == 300


def test_wrong_tries_and_lockout_survive_a_restart(tmp_path):
    path, clock, wall = tmp_path / "var" / "staff-pin.json", FakeClock(), Wall()
    gate = gate_at(path, clock, wall)
    fail(gate, 3)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = gate_at(path, FakeClock(), wall)  # power cycled: a fresh monotonic clock
    assert again.tries_left() == 2
    fail(again, 2)
    wall.advance(100)
    third = gate_at(path, FakeClock(), wall)
    assert third.locked_for() == 200 and third.tries_left() == 5
    wall.advance(200)
    fail(gate_at(path, FakeClock(), wall))  # the level survived too: the next lockout is 15 min
    assert gate_at(path, FakeClock(), wall).locked_for() == 900


def test_a_clock_set_back_cannot_lengthen_a_restored_lockout(tmp_path):
    path, wall = tmp_path / "pin.json", Wall()
    fail(gate_at(path, FakeClock(), wall))
    wall.advance(-30 * 86400)
    assert gate_at(path, FakeClock(), wall).locked_for() == 300


def test_an_unreadable_state_file_locks_rather_than_unlocks(tmp_path):
    path = tmp_path / "pin.json"
    path.write_text("{not json")
    gate = gate_at(path, FakeClock(), Wall())
    assert gate.locked_for() == 300 and [a[0] for a in gate.alerts()] == ["staff.pin_lockout.1"]


def test_every_lockout_is_an_alert_even_one_that_ended_between_two_beats(tmp_path):
    clock, wall = FakeClock(), Wall()
    gate = gate_at(tmp_path / "pin.json", clock, wall)
    tracker = AlertTracker(clock=clock, wall=wall)
    assert tracker.evaluate({}, gate.alerts()) == []
    fail(gate)
    clock.advance(300)
    wall.advance(300)
    fail(gate)  # a second lockout before the next beat
    clock.advance(900)
    wall.advance(900)  # …and it is over too when the beat comes
    raised = [c.alert.code for c in tracker.evaluate({}, gate.alerts()) if c.change == "raised"]
    assert raised == ["staff.pin_lockout.1", "staff.pin_lockout.2"]
    assert tracker.active["staff.pin_lockout.2"].level == "critical"
    cleared = [c.alert.code for c in tracker.evaluate({}, gate.alerts()) if c.change == "cleared"]
    assert sorted(cleared) == ["staff.pin_lockout.1", "staff.pin_lockout.2"]


def test_a_lockout_not_yet_reported_is_reported_after_a_restart(tmp_path):
    path, wall = tmp_path / "pin.json", Wall()
    fail(gate_at(path, FakeClock(), wall))
    wall.advance(400)  # restarted after the lockout ended, before any heartbeat
    assert [a[0] for a in gate_at(path, FakeClock(), wall).alerts()] == ["staff.pin_lockout.1"]
    assert json.loads(path.read_text())["reported"] == 1


def test_the_heartbeat_carries_the_gates_alerts(tmp_path):
    gate = gate_at(tmp_path / "pin.json", FakeClock(), Wall())
    hb = Heartbeat(None, lambda: {"devices": {}}, interval_s=60)
    hb.alert_sources.append(gate.alerts)
    fail(gate)
    payload = hb.build_payload()
    assert [a["code"] for a in payload["alerts"]] == ["staff.pin_lockout.1"]
    assert "111111" not in json.dumps(payload)


def test_the_runtime_gate_keeps_its_state_beside_the_outbox():
    cfg = SimpleNamespace(staff=SimpleNamespace(lockout_after=4, lockout_s=60),
                          outbox=SimpleNamespace(path="/var/lib/kiosk/outbox.sqlite3"))
    assert str(pin_state_path(cfg)) == "/var/lib/kiosk/staff-pin.json"


def test_an_empty_entry_costs_no_try():
    ctl, rt, _clock = make()
    for _ in range(5):
        ctl.staff_corner_tap()
    assert ctl.state.screen == "staff_pin"
    for _ in range(10):
        ctl.staff_pin_submit()
    assert not rt.has_pending("pin") and ctl.staff.pin_gate.tries_left() == 5
    for d in "111111":
        ctl.staff_pin_digit(d)
    ctl.staff_pin_submit()
    rt.finish("pin", False)
    assert ctl.staff.pin_gate.tries_left() == 4


def test_the_real_runtime_persists_lockouts_and_its_heartbeat_reports_them(tmp_path):
    from kiosk.config.loader import load_config
    from kiosk_dev.sims import HeadlessKiosk
    from session_fakes import CONFIG_DIR

    with HeadlessKiosk(load_config(CONFIG_DIR), tmp_path) as k:
        ctl, rt = k.ctl, k.rt
        assert ctl.staff.pin_gate is rt.pin_gate  # the session uses the runtime's persistent gate
        for _ in range(5):
            ctl.staff_corner_tap()
        assert ctl.state.screen == "staff_pin"
        for _ in range(5):
            for d in "111111":
                ctl.staff_pin_digit(d)
            ctl.staff_pin_submit()
            assert k.bridge.pump_until(lambda: "pin" not in ctl.core.tasks, 15)
        assert ctl.state.staff.locked_for_s == 300
        payload = rt.heartbeat.build_payload()
        assert "staff.pin_lockout.1" in {a["code"] for a in payload["alerts"]}
        state = json.loads(rt.pin_gate.state_path.read_text())
        assert state["lockouts"] == 1 and rt.pin_gate.state_path.parent == rt.cfg.outbox.path.parent
