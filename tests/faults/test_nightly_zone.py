"""The nightly restart fires at 03:30 in the terminal's zone whatever zone the machine is set to.

systemd itself is the judge: ``systemd-analyze calendar --base-time=…`` says when the installed timer's
``OnCalendar=`` next elapses, from fixed instants (never today) and under several machine zones (``TZ``).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from kiosk.cli import main as kiosk_main
from kiosk.ops.watchdog import nightly_timer_unit

ROOT = Path(__file__).resolve().parents[2]
TIMER = ROOT / "deploy" / "kiosk-nightly-restart.timer"
BASES = [datetime(2026, 12, 31, 23, 59, 50, tzinfo=ZoneInfo("Asia/Shanghai")),
         datetime(2028, 2, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
         datetime(2027, 3, 14, 1, 0, tzinfo=ZoneInfo("America/Los_Angeles"))]  # the night DST starts there
_UTC_LINE = re.compile(r"(?:\(in UTC\)|Next elapse): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")


def next_elapse_utc(spec: str, base: datetime, machine_zone: str) -> datetime:
    exe = shutil.which("systemd-analyze")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is missing in CI: install the 'systemd' package")
        pytest.skip("systemd-analyze not installed (apt-get install systemd)")
    out = subprocess.run([exe, "calendar", "--iterations=1", f"--base-time=@{int(base.timestamp())}", spec],
                         capture_output=True, text=True, timeout=30, env={**os.environ, "TZ": machine_zone},
                         check=True).stdout
    (stamp,) = _UTC_LINE.findall(out)
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)


def expected_utc(base: datetime, zone: str) -> datetime:
    """The first 03:30 in ``zone`` after ``base`` (computed by zoneinfo, independently of systemd)."""
    local = base.astimezone(ZoneInfo(zone))
    for days in range(3):
        candidate = datetime.combine(local.date() + timedelta(days=days), time(3, 30), ZoneInfo(zone))
        if candidate > base:
            return candidate.astimezone(timezone.utc)
    raise AssertionError("no 03:30 within three days")


def on_calendar(unit: str) -> str:
    (spec,) = re.findall(r"^OnCalendar=(.+)$", unit, re.M)
    return spec


@pytest.mark.parametrize("machine_zone", ["UTC", "Asia/Shanghai", "America/Los_Angeles"])
@pytest.mark.parametrize("base", BASES, ids=lambda b: b.isoformat())
def test_shipped_timer_fires_at_0330_shanghai_on_any_machine_zone(machine_zone, base):
    spec = on_calendar(TIMER.read_text())
    assert next_elapse_utc(spec, base, machine_zone) == expected_utc(base, "Asia/Shanghai")


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Urumqi", "America/Los_Angeles"])
def test_installer_timer_follows_the_configured_zone(tmp_path, capsys, zone):
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    terminal = config / "terminal.yaml"
    data = yaml.safe_load(terminal.read_text(encoding="utf-8"))
    data["opening_hours"]["timezone"] = zone
    terminal.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert kiosk_main(["ops", "nightly-timer", "--config", str(config), "--template", str(TIMER)]) == 0
    unit = capsys.readouterr().out
    assert unit.replace(on_calendar(unit), "") == TIMER.read_text().replace(on_calendar(TIMER.read_text()), "")
    for base in BASES:
        assert next_elapse_utc(on_calendar(unit), base, "UTC") == expected_utc(base, zone)


def test_installer_writes_the_timer_through_the_zone_renderer():
    script = (ROOT / "deploy" / "install.sh").read_text()
    assert re.search(r"kiosk\" ops nightly-timer --config /etc/kiosk .*\n.*> /etc/systemd/system/"
                     r"kiosk-nightly-restart\.timer\.new", script)
    assert "deploy/kiosk-nightly-restart.timer\" /etc/systemd/system/" not in script  # no raw copy any more


def test_nightly_timer_refuses_what_it_cannot_pin():
    with pytest.raises(ValueError, match="OnCalendar"):
        nightly_timer_unit("[Timer]\nOnBootSec=5min\n", "Asia/Shanghai")
    with pytest.raises(KeyError):
        nightly_timer_unit(TIMER.read_text(), "Mars/Olympus_Mons")
    assert "OnCalendar=*-*-* 03:30:00 UTC\n" in nightly_timer_unit(TIMER.read_text(), "UTC")
