"""Print the fault table (tests/faults/faultkit.py) at the end of a run that recorded any rows."""
from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from faultkit import ROWS

    if not ROWS:
        return
    tr = terminalreporter
    tr.section("fault records (fault | kept running | message | lost | duplicated | recovery s)")
    for r in ROWS:
        tr.write_line(f"{r['fault']:<38} {str(r['kept_running']):<5} {r['message'][:60]:<60} "
                      f"{r['lost']:>2} {r['duplicated']:>2} {r['recovery_s']}  {r['note']}")
