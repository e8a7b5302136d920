"""The outbox sender and the heartbeat never die (issue 12 §3): an untyped exception from the client —
a bug, a ValueError or RuntimeError nobody wrapped — is logged without its message, the row goes back to
pending with backoff, and the loop goes on to deliver."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

import pytest

from kiosk.backend.models import HeartbeatAck, SubmissionAck
from kiosk.backend.outbox import Outbox
from kiosk.backend.sender import OutboxSender
from kiosk.ops.heartbeat import Heartbeat, runtime_snapshot

pytestmark = pytest.mark.timeout(60)
SECRET = "王小明 310106198807155218"  # what an exception message may carry; never logged


class FlakyClient:
    """``submit``/``heartbeat`` raise the given exceptions in turn, then succeed; ``done`` is set then."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0
        self.done = threading.Event()

    def _next(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.done.set()

    def submit(self, **kw):
        self._next()
        return SubmissionAck(kw["reference"], "received", datetime.now(timezone.utc))

    def heartbeat(self, payload, *, cancel=None, retry=True):
        self._next()
        return HeartbeatAck("v1", datetime.now(timezone.utc))


def _put(ob: Outbox) -> int:
    return ob.enqueue(reference="NJXL01-20261127-000001", idempotency_key="key-0000000000000001",
                      service_id="hotline-12345", kind="12345", fields={"phone": "13812345678"}, token="tok")


def test_the_sender_outlives_untyped_client_errors_and_delivers(tmp_path, caplog):
    ob = Outbox(tmp_path / "outbox.sqlite3")
    rid = _put(ob)
    client = FlakyClient(ValueError(SECRET), RuntimeError(SECRET), TypeError(SECRET))
    sender = OutboxSender(ob, client, backoff_base=0.02, backoff_cap=0.05, idle_wait_s=0.05, concurrency=1)
    with caplog.at_level(logging.INFO):
        sender.start()
        try:
            assert client.done.wait(30), f"not delivered after {client.calls} calls"
            row = sender.wait_for(rid, 10)
            while row is not None and row.state != "done":
                row = sender.wait_for(rid, 10)
            assert row is not None and row.state == "done" and row.attempts == 4
            assert sender.running
        finally:
            sender.stop()
            ob.close()
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "ValueError" in text and "RuntimeError" in text and "TypeError" in text
    assert "王小明" not in text and "310106198807155218" not in text


def test_an_untyped_failure_puts_the_row_back_to_pending_with_backoff(tmp_path):
    now = [1_795_800_000.0]
    ob = Outbox(tmp_path / "outbox.sqlite3", clock=lambda: now[0], mono=lambda: now[0])
    rid = _put(ob)
    sender = OutboxSender(ob, FlakyClient(ValueError(SECRET)), backoff_base=2.0, rand=lambda: 0.0, concurrency=1)
    assert sender.deliver_once() == 1
    row = ob.get(rid)
    assert row.state == "pending" and row.next_attempt_at == now[0] + 1.0
    assert row.last_error == "unexpected: ValueError"  # the type, never the message
    ob.close()


@pytest.mark.parametrize("failure", [ValueError(SECRET), RuntimeError(SECRET), KeyError(SECRET)])
def test_a_beat_never_raises(failure, caplog):
    hb = Heartbeat(FlakyClient(failure), lambda: runtime_snapshot({}), interval_s=60)
    with caplog.at_level(logging.ERROR):
        assert hb.beat() is False
    assert hb.failed == 1
    assert "王小明" not in caplog.text and type(failure).__name__ in caplog.text
    assert hb.beat() is True


def test_the_heartbeat_thread_outlives_errors_from_the_client_and_on_ack():
    client = FlakyClient(ValueError(SECRET), RuntimeError(SECRET))
    acks = []

    def on_ack(ack):
        acks.append(ack)
        if len(acks) == 1:
            raise RuntimeError("a broken remote-config hook")

    hb = Heartbeat(client, lambda: runtime_snapshot({}), interval_s=0.02, on_ack=on_ack)
    hb.start()
    try:
        assert client.done.wait(20)
        deadline = threading.Event()
        for _ in range(500):
            if len(acks) >= 3:
                break
            deadline.wait(0.02)
        assert len(acks) >= 3 and hb.running
    finally:
        hb.stop()
