"""Outbox and sender with a fake clock: states, backoff, dead letters, purge, retention, crash resume."""
from __future__ import annotations

import os
import re
import stat

import pytest
from backend_support import TERMINAL, make_client

from kiosk.backend import errors as E
from kiosk.backend.models import SubmissionAck
from kiosk.backend.outbox import Outbox
from kiosk.backend.sender import OutboxSender
from kiosk.backoff import backoff_delay
from kiosk.backend.submissions import SubmissionService, make_reference, reference_prefix


class FakeClock:
    def __init__(self, t: float = 1_795_800_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class ScriptedGateway:
    """Stands in for GatewayClient.submit in unit tests: answers from a script, records every call."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def submit(self, **kw):
        self.calls.append(kw)
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if isinstance(outcome, E.BackendError):
            raise outcome
        from datetime import datetime
        return SubmissionAck(kw["reference"], "received", datetime.now())


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def outbox(tmp_path, clock):
    ob = Outbox(tmp_path / "var" / "outbox.sqlite3", clock=clock, mono=clock, retention_days=1, max_done_rows=3)
    yield ob
    ob.close()


def put(ob: Outbox, n: int = 1, **kw) -> list[int]:
    ids = []
    for i in range(n):
        ids.append(ob.enqueue(reference=f"NJXL01-20261127-{i:06d}", idempotency_key=f"key-{i:016d}",
                              service_id="hotline-12345", kind="12345",
                              fields=kw.get("fields", {"phone": "13812345678", "content": "路灯不亮"}),
                              token=kw.get("token", "tok-secret")))
    return ids


def test_backoff_is_capped_exponential_with_bounded_jitter():
    assert [backoff_delay(n, base=2, cap=60, rand=lambda: 0.0) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert [backoff_delay(n, base=2, cap=60, rand=lambda: 1.0) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff_delay(50, base=2, cap=60, rand=lambda: 1.0) == 60
    assert backoff_delay(50, base=2, cap=60, rand=lambda: 0.0) == 30


def test_file_is_private_and_enqueue_is_durable(tmp_path, clock):
    path = tmp_path / "o.sqlite3"
    ob = Outbox(path, clock=clock, mono=clock)
    put(ob)
    ob.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for extra in ("-wal", "-shm"):
        p = str(path) + extra
        if os.path.exists(p):
            assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    again = Outbox(path, clock=clock, mono=clock)
    (row,) = again.list()
    assert row.state == "pending" and row.fields["content"] == "路灯不亮" and row.token == "tok-secret"
    assert again._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    again.close()


def test_delivered_row_is_done_and_personal_fields_are_purged(outbox, clock):
    (rid,) = put(outbox)
    gw = ScriptedGateway("ok")
    assert OutboxSender(outbox, gw, concurrency=1).deliver_once() == 1
    row = outbox.get(rid)
    assert row.state == "done" and row.gateway_status == "received" and row.attempts == 1
    assert row.fields is None and row.token is None
    assert gw.calls[0]["token"] == "tok-secret" and gw.calls[0]["idempotency_key"] == "key-0000000000000000"
    outbox.scrub()
    wal = outbox.path.parent / (outbox.path.name + "-wal")
    raw = outbox.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    for secret in ("13812345678", "路灯不亮", "tok-secret"):
        assert secret.encode() not in raw, secret
    assert row.reference.encode() in raw  # the reference stays, so staff can answer "was it delivered?"


def test_retryable_failures_back_off_with_the_same_key(outbox, clock):
    (rid,) = put(outbox)
    gw = ScriptedGateway(E.ServerError("down", status=503), E.NetworkError("refused"), "ok")
    sender = OutboxSender(outbox, gw, backoff_base=2.0, backoff_cap=60, rand=lambda: 0.0, concurrency=1)
    assert sender.deliver_once() == 1
    row = outbox.get(rid)
    assert row.state == "pending" and row.next_attempt_at == clock.t + 1.0 and "serverer" in row.last_error
    assert sender.deliver_once() == 0  # not due yet
    clock.t += 1.0
    assert sender.deliver_once() == 1
    assert outbox.get(rid).next_attempt_at == clock.t + 2.0
    clock.t += 2.0
    sender.deliver_once()
    assert outbox.get(rid).state == "done"
    assert {c["idempotency_key"] for c in gw.calls} == {"key-0000000000000000"} and len(gw.calls) == 3


def test_retry_after_is_honoured_by_the_sender(outbox, clock):
    (rid,) = put(outbox)
    gw = ScriptedGateway(E.ServerError("busy", status=429, retry_after=30))
    OutboxSender(outbox, gw, backoff_base=1.0, rand=lambda: 0.0, concurrency=1).deliver_once()
    assert outbox.get(rid).next_attempt_at == clock.t + 30


@pytest.mark.parametrize("err", [E.ValidationError("bad phone", code="validation_failed", status=422),
                                 E.ConflictError("key reused", code="idempotency_conflict", status=409),
                                 E.AuthError("expired", code="token_expired", status=401)])
def test_never_succeeding_4xx_goes_dead_with_reason(outbox, err):
    (rid,) = put(outbox)
    OutboxSender(outbox, ScriptedGateway(err), concurrency=1).deliver_once()
    row = outbox.get(rid)
    assert row.state == "dead" and row.dead_reason.startswith(err.code)
    assert row.fields is not None  # kept so staff can retry after fixing


def test_terminal_auth_failure_is_retried_not_dead(outbox):
    (rid,) = put(outbox)
    OutboxSender(outbox, ScriptedGateway(E.AuthError("sig", code="bad_signature", status=401)),
                 concurrency=1).deliver_once()
    assert outbox.get(rid).state == "pending"


def test_crash_left_in_flight_rows_are_resumed(tmp_path, clock):
    path = tmp_path / "o.sqlite3"
    ob = Outbox(path, clock=clock, mono=clock)
    put(ob, 3)
    claimed = ob.claim(2)
    assert [r.state for r in claimed] == ["in_flight", "in_flight"]
    ob.close()  # the process "dies" here with two rows in flight
    ob = Outbox(path, clock=clock, mono=clock)
    assert ob.counts()["in_flight"] == 2
    assert ob.recover() == 2
    gw = ScriptedGateway()
    OutboxSender(ob, gw, concurrency=1).deliver_once()
    assert ob.counts() == {"pending": 0, "in_flight": 0, "done": 3, "dead": 0}
    assert sorted(c["idempotency_key"] for c in gw.calls) == [f"key-{i:016d}" for i in range(3)]
    ob.close()


def test_staff_retry_purge_and_retention(outbox, clock):
    ids = put(outbox, 6)
    OutboxSender(outbox, ScriptedGateway(E.ValidationError("x", code="validation_failed")), batch=1,
                 concurrency=1).deliver_once()
    assert outbox.get(ids[0]).state == "dead"
    assert outbox.retry(ids[0]) and outbox.get(ids[0]).state == "pending"
    OutboxSender(outbox, ScriptedGateway(), concurrency=1).deliver_once()
    assert outbox.counts()["done"] == 6
    assert not outbox.retry(ids[0])  # done rows are not re-sent
    assert outbox.enforce_retention() == 3  # max_done_rows=3
    clock.t += 2 * 86400
    assert outbox.enforce_retention() == 3  # retention_days=1
    put(outbox, 1, fields={"a": "b"})
    assert outbox.purge_done() == 0 and outbox.counts()["pending"] == 1


def test_reference_format():
    assert reference_prefix(TERMINAL) == "NJXL01"
    ref = make_reference(TERMINAL, 1_795_800_000.0)
    assert re.fullmatch(r"NJXL01-2026112[78]-[0-9A-HJKMNP-TV-Z]{6}", ref)


def test_submission_service_delivered_now_queued_and_rejected(sim, tmp_path):
    ob = Outbox(tmp_path / "o.sqlite3")
    with make_client(sim, retries=0) as client:
        sender = OutboxSender(ob, client, backoff_base=0.05, backoff_cap=0.2).start()
        svc = SubmissionService(ob, sender, TERMINAL)
        ok = svc.submit("hotline-12345", "12345", {"phone": "13812345678", "content": "噪音"}, None, wait_s=5)
        assert ok.delivered and ok.status == "received" and sim.deliveries_by_reference[ok.reference] == 1
        bad = svc.submit("hotline-12345", "12345", {"phone": "12"}, None, wait_s=5)
        assert not bad.delivered and bad.status == "rejected" and bad.message_zh
        sim.stop()
        queued = svc.submit("certificate-delivery", "delivery", {"address": "康定路1号"}, None, wait_s=0.5)
        assert not queued.delivered and queued.status == "queued" and queued.reference.startswith("NJXL01-")
        # kept, not lost: waiting for its retry, or already being retried while the gateway is down
        kept = next(r for r in ob.list() if r.reference == queued.reference)
        assert kept.state in ("pending", "in_flight")
        sim.start()
        sender.wake()
        row = None
        for _ in range(100):
            row = next(r for r in ob.list() if r.reference == queued.reference)
            if row.state == "done":
                break
            sender.wait_for(row.id, 0.2)
        assert row.state == "done" and sim.deliveries_by_reference[queued.reference] == 1
        sender.stop()
    ob.close()
