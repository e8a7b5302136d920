"""Issue 13 §1: nothing personal at rest in plaintext, and every outbox row ends.

The raw database file and its WAL are read byte for byte after a run with the gateway down; a 10-day outage
(time injected: the outbox clock moves, the gateway's tokens are aged) loses nothing, delivers everything
afterwards, and leaves no personal data after retention; dead rows are announced before they are purged.
"""
from __future__ import annotations

import os
import random
import sqlite3
import stat

import pytest
from backend_support import RESIDENT, SECRET, TERMINAL, make_client

from kiosk.ops.alerts import AlertTracker
from kiosk.backend.outbox import DAY, Outbox
from kiosk.backend.sealing import KeyFileError, PayloadSealer, load_key
from kiosk.backend.sender import OutboxSender
from kiosk.backend.submissions import make_reference
from kiosk.ops.heartbeat import runtime_snapshot

T0 = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


def raw_bytes(outbox: Outbox) -> bytes:
    wal = outbox.path.with_name(outbox.path.name + "-wal")
    return outbox.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def personal(i: int) -> tuple[str, str]:
    """A phone number and a free text unique to this run, so a hit cannot come from another file."""
    rnd = random.Random()
    return f"13{rnd.randrange(10**8, 10**9)}", f"楼道路灯不亮第{rnd.randrange(10**6)}号{i}"


def fill(outbox: Outbox, n: int, token: str) -> list[tuple[str, str]]:
    needles = []
    for i in range(n):
        phone, text = personal(i)
        ref = make_reference(TERMINAL, outbox.clock())
        outbox.enqueue(reference=ref, idempotency_key=f"rest-{i:04d}-{ref}", service_id="hotline-12345",
                       kind="12345", fields={"phone": phone, "content": text}, token=token)
        needles += [(phone, text)]
    return needles


def assert_nothing_personal(outbox: Outbox, needles, token: str) -> None:
    raw = raw_bytes(outbox)
    assert token.encode() not in raw
    for phone, text in needles:
        assert phone.encode() not in raw and text.encode() not in raw
    # the same for the -shm file and the key's neighbours: nothing else in the directory holds them either
    for f in outbox.path.parent.iterdir():
        if f != outbox.key_file:
            assert token.encode() not in f.read_bytes(), f


def sender_for(outbox: Outbox, sim) -> OutboxSender:
    client = make_client(sim, retries=0)  # the outbox's backoff is under test, not urllib3's
    return OutboxSender(outbox, client, backoff_base=60, backoff_cap=3600, concurrency=1, rand=lambda: 0.5)


def test_gateway_down_run_leaves_no_phone_token_or_text_in_the_file_or_its_wal(tmp_path, sim, client):
    token = client.auth_idcard(RESIDENT).token
    sim.stop()  # the gateway is down for the whole run
    outbox = Outbox(tmp_path / "var" / "outbox.sqlite3", clock=Clock())
    try:
        needles = fill(outbox, 20, token)
        assert sender_for(outbox, sim).deliver_once() == 20  # every row tried once, all failed
        assert outbox.counts()["pending"] == 20
        assert (tmp_path / "var" / "outbox.sqlite3-wal").stat().st_size > 0  # the WAL is there to be read
        assert_nothing_personal(outbox, needles, token)
        row = outbox.list(("pending",), limit=1)[0]
        assert row.token == token and row.fields["phone"] in {p for p, _ in needles}  # …yet nothing is lost
    finally:
        outbox.close()


def test_ten_day_outage_loses_nothing_delivers_everything_then_retention_leaves_nothing(tmp_path, sim, client):
    clock = Clock()
    token = client.auth_idcard(RESIDENT).token
    sim.stop()
    outbox = Outbox(tmp_path / "outbox.sqlite3", clock=clock, mono=clock, retention_days=30)
    try:
        needles = fill(outbox, 12, token)
        sender = sender_for(outbox, sim)
        for _pass in range(20):  # ten days of failed attempts, one pass every 12 hours
            clock.t += 12 * 3600
            sender.deliver_once()
            outbox.enforce_retention()
        assert outbox.counts() == {"pending": 12, "in_flight": 0, "done": 0, "dead": 0}
        with sim.lock:  # the gateway's clock moved ten days as well: its token is ten days old
            sim.tokens[token]["issued"] -= 10 * DAY
            sim.tokens[token]["expires"] -= 10 * DAY
        sim.start()
        clock.t += 3600
        while outbox.depth():
            assert sender.deliver_once() > 0
        assert outbox.counts()["done"] == 12 and outbox.counts()["dead"] == 0
        assert sim.counts()["deliveries"] == 12
        clock.t += 31 * DAY
        outbox.enforce_retention()
        outbox.scrub()
        assert sum(outbox.counts().values()) == 0
        assert_nothing_personal(outbox, needles, token)
    finally:
        outbox.close()


def _dead_row(outbox: Outbox) -> int:
    (rid,) = [outbox.enqueue(reference="NJXL01-20270115-AAAAAA", idempotency_key="dead-000000000000000",
                             service_id="hotline-12345", kind="12345", fields={"phone": "13900001111"},
                             token="tok-dead")]
    outbox.claim()
    outbox.mark_dead(rid, "validation_failed: phone")
    return rid


def test_dead_rows_are_announced_then_purged_never_purged_unannounced(tmp_path):
    clock = Clock()
    outbox = Outbox(tmp_path / "o.sqlite3", clock=clock, mono=clock, dead_retention_days=14, dead_warn_days=2)
    tracker = AlertTracker(clock=clock, wall=clock)
    try:
        rid = _dead_row(outbox)
        clock.t += 11 * DAY
        assert outbox.enforce_retention() == 0 and outbox.get(rid).purge_warned_at is None
        assert "outbox.dead_purge_soon" not in {c.alert.code for c in tracker.evaluate(runtime_snapshot({}, outbox))}
        clock.t += 1 * DAY  # day 12: inside the warning window
        assert outbox.enforce_retention() == 0
        raised = {c.alert.code for c in tracker.evaluate(runtime_snapshot({}, outbox)) if c.change == "raised"}
        assert "outbox.dead_purge_soon" in raised
        assert outbox.purge_due_at(outbox.get(rid)) == T0 + 14 * DAY
        clock.t += 2 * DAY - 1
        assert outbox.enforce_retention() == 0  # one second before its time
        clock.t += 1
        assert outbox.enforce_retention() == 1 and outbox.get(rid) is None
        outbox.scrub()
        assert b"13900001111" not in raw_bytes(outbox) and b"tok-dead" not in raw_bytes(outbox)
    finally:
        outbox.close()


def test_housekeeping_that_missed_the_window_warns_first_and_purges_only_after_the_warning(tmp_path):
    clock = Clock()
    outbox = Outbox(tmp_path / "o.sqlite3", clock=clock, mono=clock, dead_retention_days=14, dead_warn_days=2)
    try:
        rid = _dead_row(outbox)
        clock.t += 30 * DAY  # the kiosk was switched off for a month
        assert outbox.enforce_retention() == 0 and outbox.get(rid).purge_warned_at == clock.t
        clock.t += 2 * DAY
        assert outbox.enforce_retention() == 1
    finally:
        outbox.close()


def test_staff_retry_of_a_warned_dead_row_clears_the_warning(tmp_path):
    clock = Clock()
    outbox = Outbox(tmp_path / "o.sqlite3", clock=clock, mono=clock)
    try:
        rid = _dead_row(outbox)
        clock.t += 13 * DAY
        assert [r.id for r in outbox.dead_purge_notice()] == [rid]
        assert outbox.retry(rid) and outbox.get(rid).purge_warned_at is None
    finally:
        outbox.close()


def test_key_file_is_its_own_0600_file_and_not_the_hmac_secret(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3")
    outbox.close()
    key = outbox.key_file
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert load_key(key) != SECRET and len(load_key(key)) == 32
    os.chmod(key, 0o640)
    with pytest.raises(KeyFileError, match="0600"):
        Outbox(tmp_path / "o.sqlite3")


def test_a_row_sealed_under_another_key_goes_dead_unreadable_never_sent_empty(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", key_file=tmp_path / "k1")
    rid = outbox.enqueue(reference="NJXL01-20270115-BBBBBB", idempotency_key="swap-000000000000000",
                         service_id="hotline-12345", kind="12345", fields={"phone": "13900002222"}, token=None)
    outbox.close()
    outbox = Outbox(tmp_path / "o.sqlite3", key_file=tmp_path / "k2")  # the key was replaced
    sent = []

    class Gateway:
        def submit(self, **kw):
            sent.append(kw)

    try:
        assert OutboxSender(outbox, Gateway(), concurrency=1).deliver_once() == 1
        row = outbox.get(rid)
        assert sent == [] and row.state == "dead" and row.dead_reason.startswith("payload_unreadable")
    finally:
        outbox.close()


def test_a_blob_copied_onto_another_row_does_not_open(tmp_path):
    sealer = PayloadSealer(bytes(range(32)))
    blob = sealer.seal({"fields": {"phone": "13900003333"}, "token": None}, "key-a")
    assert sealer.open(blob, "key-a")["fields"]["phone"] == "13900003333"
    with pytest.raises(Exception, match="does not open"):
        sealer.open(blob, "key-b")


def test_a_plaintext_file_from_before_sealing_is_sealed_in_place(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        PRAGMA journal_mode=WAL;
        CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, reference TEXT NOT NULL UNIQUE,
            idempotency_key TEXT NOT NULL UNIQUE, service_id TEXT NOT NULL, kind TEXT NOT NULL, fields_json TEXT,
            token TEXT, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
            created_at REAL NOT NULL, updated_at REAL NOT NULL, delivered_at REAL, gateway_status TEXT,
            last_error TEXT, dead_reason TEXT);
        INSERT INTO outbox (reference, idempotency_key, service_id, kind, fields_json, token, state,
            next_attempt_at, created_at, updated_at) VALUES ('NJXL01-20261101-CCCCCC', 'old-0000000000000000',
            'hotline-12345', '12345', '{"phone": "13900004444"}', 'tok-old-plain', 'pending', 0, 0, 0);
    """)
    db.close()
    outbox = Outbox(path)
    try:
        row = outbox.list()[0]
        assert row.fields == {"phone": "13900004444"} and row.token == "tok-old-plain"
        assert b"13900004444" not in raw_bytes(outbox) and b"tok-old-plain" not in raw_bytes(outbox)
    finally:
        outbox.close()


def test_kiosk_outbox_list_shows_the_rows_about_to_be_purged(tmp_path, capsys):
    import time

    from kiosk.cli import main as kiosk_main

    db = tmp_path / "o.sqlite3"
    clock = Clock()
    clock.t = time.time() - 13 * DAY  # the row died 13 days ago (of 14)
    outbox = Outbox(db, clock=clock, mono=clock)
    rid = _dead_row(outbox)
    outbox.close()
    # in-process, so the CLI reads the same wall clock as the test (the shifted-clock pass moves only ours)
    assert kiosk_main(["outbox", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    note = next(ln for ln in out.splitlines() if ln.startswith("注意"))
    assert "purged soon" in note and f"{rid} @ " in note
    assert any("清除 purge" in ln and ln.split()[0] == str(rid) for ln in out.splitlines())
    assert "13900001111" not in out


def test_staff_tools_never_create_the_key_and_the_runtime_reports_a_bad_one(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "o.sqlite3"
    Outbox(db).close()
    key = db.with_name(db.name + ".key")
    key.unlink()  # e.g. staff run the tool before the kiosk (its owner) ever started
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "outbox", "list", "--db", str(db)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "outbox key" in proc.stderr and not key.exists()
    assert issubclass(KeyFileError, OSError)  # kiosk/runtime.py turns an OSError into "cannot open the outbox"
