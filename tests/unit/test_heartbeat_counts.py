"""The heartbeat's outbox figures from a real Outbox: rows being sent count as undelivered.

``Outbox.counts()`` names its states ``pending``, ``in_flight``, ``done``, ``dead``; the heartbeat must read
those names, or rows in flight vanish from the gateway's view of the terminal.
"""
from __future__ import annotations

from kiosk.backend.outbox import Outbox
from kiosk.ops.heartbeat import runtime_snapshot


def _enqueue(outbox: Outbox, n: int) -> None:
    for i in range(n):
        outbox.enqueue(reference=f"NJXL01-20261128-AAAA{i:02d}", idempotency_key=f"key-{i:02d}-0123456789abcdef",
                       service_id="hotline-12345", kind="12345", fields={"category": "help"}, token=None)


def test_rows_in_flight_are_reported_as_undelivered(tmp_path):
    outbox = Outbox(tmp_path / "outbox" / "outbox.db")
    try:
        _enqueue(outbox, 5)
        claimed = outbox.claim(limit=3)  # the sender took three: they are in flight now
        assert len(claimed) == 3
        counts = outbox.counts()
        assert counts["pending"] == 2 and counts["in_flight"] == 3
        snap = runtime_snapshot({}, outbox)
        assert snap["outbox"] == {"pending": 5, "dead": 0, "dead_purge_soon": 0}
        assert snap["outbox"]["pending"] == outbox.depth()
    finally:
        outbox.close()


def test_dead_rows_are_reported_apart_and_in_flight_ones_are_not_lost(tmp_path):
    outbox = Outbox(tmp_path / "outbox.db")
    try:
        _enqueue(outbox, 3)
        first, _second = outbox.claim(limit=2)
        outbox.mark_dead(first.id, "validation_failed")  # one pending, one in flight, one dead
        assert outbox.counts() == {"pending": 1, "in_flight": 1, "done": 0, "dead": 1}
        assert runtime_snapshot({}, outbox)["outbox"] == {"pending": 2, "dead": 1, "dead_purge_soon": 0}
    finally:
        outbox.close()
