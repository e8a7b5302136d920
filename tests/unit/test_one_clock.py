"""One clock: only kiosk/clock.py reads the wall clock or the machine's zone; receipts never stamp "now"
themselves; log lines carry an explicit offset and the staff view converts them whatever the machine zone."""
from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk import clock
from kiosk.logs import setup_logging, tail
from kiosk.receipts import licence_copy, record_printout, service_guide
from kiosk.receipts import test_page as make_test_page

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("kiosk", "kiosk_dev", "devices", "screens", "bench")
# The simulators stand for other machines (the gateway, a device) with clocks of their own, skew included.
EXEMPT = {"kiosk/clock.py"}
EXEMPT_GLOBS = ("kiosk/backend/simulator/*.py", "devices/*/simulator.py")
WALL_READS = re.compile(
    r"\btime\.time\(|\btime\.time\b(?!_)|datetime\.now\(|datetime\.utcnow\(|date\.today\(|\btime\.localtime\(|"
    r"\btime\.strftime\(|\btime\.ctime\(|\.astimezone\(\)|fromtimestamp\([^,()]*\)|"
    r"timedelta\(hours=8\)|(?<![0-9])\+08:?00\b")


def scanned_files() -> list[Path]:
    exempt = set(EXEMPT)
    for pattern in EXEMPT_GLOBS:
        exempt |= {p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)}
    files = [p for d in SCANNED for p in (ROOT / d).rglob("*.py")]
    return sorted(p for p in files if p.relative_to(ROOT).as_posix() not in exempt)


def test_only_kiosk_clock_reads_the_wall_clock_or_hard_codes_an_offset():
    found = []
    for path in scanned_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if WALL_READS.search(code):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == [], "read the time through kiosk.clock instead:\n" + "\n".join(found)


def test_the_scan_catches_what_it_forbids():
    for bad in ("t = time.time()", "clock=time.time)", "datetime.now(tz)", "date.today()", "time.strftime('%H')",
                "x.astimezone()", "datetime.fromtimestamp(ts)", "timezone(timedelta(hours=8))", 'f"{d}+08:00"'):
        assert WALL_READS.search(bad), bad
    for fine in ("time.monotonic()", "clock.wall_time()", '"2026-11-27T14:03:00+08:00"', "at(ts, zone)"):
        assert not WALL_READS.search(fine), fine


@pytest.mark.parametrize("build", [
    lambda **kw: record_printout({"title_zh": "医保", "holder": "王*", "columns": [], "rows": []}, **kw),
    lambda **kw: service_guide({"title_zh": "指南"}, **kw),
    lambda **kw: licence_copy({"name_zh": "居民户口簿", "number": "3101**********0023"}, **kw),
    lambda **kw: make_test_page(**kw),
])
def test_receipts_require_printed_at(build):
    with pytest.raises(TypeError, match="printed_at"):
        build()
    with pytest.raises(ValueError, match="printed_at"):
        build(printed_at=None)
    doc = build(printed_at="2026-12-31T23:59:50+08:00")
    assert doc.blocks


def test_log_lines_carry_an_explicit_offset_and_the_staff_view_converts_them(tmp_path, monkeypatch):
    instant = datetime(2026, 11, 27, 23, 16, 5, 123000, tzinfo=timezone.utc)
    record = logging.LogRecord("kiosk.session", logging.WARNING, __file__, 1, "gateway slow", None, None)
    record.created = instant.timestamp()
    line = clock.LogFormatter("%(asctime)s %(levelname)s %(message)s", ZoneInfo("UTC")).format(record)
    assert line == "2026-11-27 23:16:05.123+00:00 WARNING gateway slow"
    assert clock.parse_time(line[:29]) == instant  # one instant, whoever reads it
    shanghai = "2026-11-28 07:16:05.123+08:00 WARNING gateway slow"
    for machine_zone in ("UTC", "Asia/Shanghai", "America/Los_Angeles"):
        monkeypatch.setenv("TZ", machine_zone)
        time.tzset()
        assert clock.log_line_local(line) == shanghai
        assert clock.log_line_local(line, ZoneInfo("America/Los_Angeles")).startswith("2026-11-27 15:16:05.123-08:00")
    monkeypatch.undo()
    time.tzset()


def test_setup_logging_writes_stamps_in_the_terminal_zone(tmp_path):
    setup_logging(tmp_path, stderr=False, zone=ZoneInfo("Asia/Shanghai"))
    try:
        logging.getLogger("kiosk.test").warning("stamped")
    finally:
        setup_logging(None, stderr=False)
    (last,) = [x for x in tail(tmp_path) if "stamped" in x]
    stamp = clock.parse_time(last[:29])
    assert stamp is not None and stamp.utcoffset().total_seconds() == 8 * 3600
    assert abs(stamp.timestamp() - clock.wall_time()) < 60
