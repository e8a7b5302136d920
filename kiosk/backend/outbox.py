"""Outbox: the durable SQLite queue of submissions waiting to reach the gateway.

A row moves ``pending → in_flight → done | dead`` (persist-queue's ack-queue shape). ``enqueue`` returns only
after the row is committed with ``synchronous=FULL`` in WAL mode (fsync on commit), so a receipt saying
"accepted" is never a lie. Rows a crash left ``in_flight`` go back to ``pending`` in ``recover()``; they are
re-sent with the same Idempotency-Key, which is what makes re-sending safe. Personal data: the resident's
fields and session token are never written in plaintext — they are one AES-256-GCM ``sealed`` blob under
the outbox key file (``kiosk.backend.sealing``); the file is created 0600 (SQLite gives its -wal/-shm files
the same mode); the blob is erased the moment a row is done (``secure_delete`` zeroes the freed bytes;
``scrub()`` truncates the WAL, which still holds old page images, and the sender runs it with its
housekeeping). Every row ends: done rows are deleted after ``retention_days``; dead rows (kept sealed so
staff can retry them) are first flagged ``purge_warned_at`` ``dead_warn_days`` before their
``dead_retention_days`` run out — the heartbeat turns that into a staff alert — and deleted only after
both the retention and the warning period have passed.

Two clocks: ``created_at``/``updated_at``/``delivered_at`` are wall stamps (``kiosk.clock.wall_time``: what
staff read, what retention counts in days); ``next_attempt_at`` is on the monotonic clock (CLOCK_MONOTONIC,
shared by every process on one boot), so an NTP step of hours neither stalls a retry (clock set back) nor
makes every backed-off row due at once (clock set forward). Monotonic time restarts at boot: ``recover()``
makes a row whose schedule lies further ahead than any backoff could put it (a previous boot's, or a wall
stamp written by an older version) due now.

The delivering thread is ``kiosk.backend.sender.OutboxSender`` (also importable from here).
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.backend.sealing import PayloadSealer, SealError
from kiosk.clock import monotonic, wall_time

log = logging.getLogger(__name__)
DAY = 86400.0
STATES = ("pending", "in_flight", "done", "dead")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reference       TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    service_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    sealed          BLOB,            -- AES-256-GCM of {fields, token}; NULL once done
    state           TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'done', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,   -- monotonic seconds (see the module docstring)
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    delivered_at    REAL,
    gateway_status  TEXT,
    last_error      TEXT,            -- error code and English detail, never personal data
    dead_reason     TEXT,
    purge_warned_at REAL             -- a dead row: when staff were told it will be purged
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
"""
_COLUMNS = ("id, reference, idempotency_key, service_id, kind, sealed, state, attempts, next_attempt_at, "
            "created_at, updated_at, delivered_at, gateway_status, last_error, dead_reason, purge_warned_at")


@dataclass(frozen=True)
class OutboxRow:
    id: int
    reference: str
    idempotency_key: str
    service_id: str
    kind: str
    fields: dict | None = field(repr=False)
    token: str | None = field(repr=False)
    state: str
    attempts: int
    next_attempt_at: float
    created_at: float
    updated_at: float
    delivered_at: float | None
    gateway_status: str | None
    last_error: str | None
    dead_reason: str | None
    purge_warned_at: float | None = None
    #: the sealed payload is there but does not open (key file replaced or bytes damaged)
    unreadable: bool = False

    @classmethod
    def _from(cls, r: tuple, sealer: PayloadSealer) -> OutboxRow:
        fields = token = None
        unreadable = False
        if r[5] is not None:
            try:
                payload = sealer.open(r[5], r[2])
                fields, token = payload.get("fields"), payload.get("token")
            except SealError:
                unreadable = True
        return cls(*r[:5], fields, token, *r[6:], unreadable=unreadable)


class Outbox:
    """Thread-safe handle on one outbox file. ``clock`` (wall stamps) and ``mono`` (retry schedule) are
    injectable so tests drive each; ``max_delay_s`` bounds how far ahead a retry can legitimately be
    scheduled (above the sender's backoff cap and Retry-After cap)."""

    def __init__(self, path: str | os.PathLike, *, clock: Callable[[], float] = wall_time,
                 mono: Callable[[], float] = monotonic, max_delay_s: float = 3600.0,
                 retention_days: float = 30, max_done_rows: int = 10_000, dead_retention_days: float = 14,
                 dead_warn_days: float = 2, key_file: str | os.PathLike | None = None,
                 create_key: bool = True) -> None:
        """``key_file``: the payload key, default ``<path>.key`` beside it; created 0600 when missing unless
        ``create_key`` is False (staff tools: a key made by the wrong user would lock the kiosk out)."""
        self.path = Path(path)
        self.clock, self.mono, self.max_delay_s = clock, mono, max_delay_s
        self.retention_s = retention_days * DAY
        self.max_done_rows = max_done_rows
        self.dead_retention_s = dead_retention_days * DAY
        self.dead_warn_s = min(dead_warn_days * DAY, self.dead_retention_s)
        self.key_file = Path(key_file) if key_file is not None else self.path.with_name(self.path.name + ".key")
        self._sealer = PayloadSealer.from_file(self.key_file, create=create_key)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file 0600 before SQLite does, so it never exists with a wider mode.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=10000")
        # Freed cells (purged fields, deleted rows) are zeroed, not left readable in free pages.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(_SCHEMA)
        self._migrate_plaintext()

    def _migrate_plaintext(self) -> None:
        """A file from before sealing has fields_json/token columns: seal what they hold, then empty them."""
        cols = {r[1] for r in self._db.execute("PRAGMA table_info(outbox)")}
        if "fields_json" not in cols:
            return
        for col, decl in (("sealed", "BLOB"), ("purge_warned_at", "REAL")):
            if col not in cols:
                self._db.execute(f"ALTER TABLE outbox ADD COLUMN {col} {decl}")

        def run(db: sqlite3.Connection) -> None:
            rows = db.execute("SELECT id, idempotency_key, fields_json, token FROM outbox "
                              "WHERE fields_json IS NOT NULL OR token IS NOT NULL").fetchall()
            for rid, key, fields_json, token in rows:
                fields = json.loads(fields_json) if fields_json is not None else None
                db.execute("UPDATE outbox SET sealed=?, fields_json=NULL, token=NULL WHERE id=?",
                           (self._seal(fields, token, key), rid))
        self._tx(run)
        self.scrub()

    @classmethod
    def from_config(cls, cfg: Any, **kw: Any) -> Outbox:
        o = cfg.outbox
        return cls(o.path, retention_days=o.retention_days, max_done_rows=o.max_done_rows,
                   dead_retention_days=o.dead_retention_days, dead_warn_days=o.dead_warn_days,
                   key_file=o.key_file, **kw)

    def _seal(self, fields: dict | None, token: str | None, idempotency_key: str) -> bytes:
        return self._sealer.seal({"fields": fields, "token": token}, idempotency_key)

    def _row(self, r: tuple) -> OutboxRow:
        return OutboxRow._from(r, self._sealer)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _tx(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return result

    # ---- producer --------------------------------------------------------------------------------------
    def enqueue(self, *, reference: str, idempotency_key: str, service_id: str, kind: str,
                fields: dict, token: str | None) -> int:
        """Store one submission durably (committed and fsynced when this returns); returns its row id."""
        now, due = self.clock(), self.mono()
        sealed = self._seal(fields, token, idempotency_key)
        return self._tx(lambda db: db.execute(
            "INSERT INTO outbox (reference, idempotency_key, service_id, kind, sealed, state,"
            " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
            (reference, idempotency_key, service_id, kind, sealed, due, now, now)).lastrowid)

    # ---- sender ----------------------------------------------------------------------------------------
    def recover(self) -> int:
        """At start-up: rows a crash left in flight are due again (same key, so no double delivery); returns
        how many. Pending rows scheduled beyond ``max_delay_s`` from now (monotonic time restarted at boot)
        are due now too, so a reboot never parks a row for the previous boot's uptime."""
        now, due = self.clock(), self.mono()

        def run(db: sqlite3.Connection) -> int:
            db.execute("UPDATE outbox SET next_attempt_at=? WHERE state='pending' AND next_attempt_at>?",
                       (due, due + self.max_delay_s))
            return db.execute("UPDATE outbox SET state='pending', next_attempt_at=?, updated_at=? "
                              "WHERE state='in_flight'", (due, now)).rowcount
        return self._tx(run)

    def claim(self, limit: int = 16, *, ids: list[int] | None = None) -> list[OutboxRow]:
        """Atomically move up to ``limit`` due pending rows to in_flight (attempts + 1) and return them."""
        now, due = self.clock(), self.mono()

        def run(db: sqlite3.Connection) -> list[OutboxRow]:
            rows = db.execute(
                f"UPDATE outbox SET state='in_flight', attempts=attempts+1, updated_at=? WHERE id IN ("
                "SELECT id FROM outbox WHERE state='pending' AND next_attempt_at<=? ORDER BY next_attempt_at, id"
                f" LIMIT ?) RETURNING {_COLUMNS}", (now, due, limit)).fetchall()
            return sorted((self._row(r) for r in rows), key=lambda r: r.id)
        return self._tx(run)

    def mark_done(self, row_id: int, gateway_status: str) -> None:
        now = self.clock()
        self._tx(lambda db: db.execute(
            "UPDATE outbox SET state='done', sealed=NULL, delivered_at=?, updated_at=?,"
            " gateway_status=?, last_error=NULL WHERE id=? AND state='in_flight'",
            (now, now, gateway_status, row_id)))

    def mark_retry(self, row_id: int, next_attempt_at: float, error: str) -> None:
        """Back to pending, due at ``next_attempt_at`` on the monotonic clock (``self.mono() + delay``)."""
        now = self.clock()
        self._tx(lambda db: db.execute(
            "UPDATE outbox SET state='pending', next_attempt_at=?, updated_at=?, last_error=? "
            "WHERE id=? AND state='in_flight'", (next_attempt_at, now, error[:300], row_id)))

    def mark_dead(self, row_id: int, reason: str) -> None:
        now = self.clock()
        self._tx(lambda db: db.execute(
            "UPDATE outbox SET state='dead', updated_at=?, dead_reason=?, last_error=? "
            "WHERE id=? AND state='in_flight'", (now, reason[:300], reason[:300], row_id)))

    def next_due_at(self) -> float | None:
        """The earliest pending row's due time, monotonic (compare with ``self.mono()``); None when none."""
        with self._lock:
            row = self._db.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE state='pending'").fetchone()
        return row[0]

    # ---- staff -----------------------------------------------------------------------------------------
    def due_wall(self, row: OutboxRow) -> float:
        """When ``row`` is next due, as a wall stamp for staff (its schedule is monotonic)."""
        return self.clock() + max(0.0, row.next_attempt_at - self.mono())

    def get(self, row_id: int) -> OutboxRow | None:
        with self._lock:
            r = self._db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id=?", (row_id,)).fetchone()
        return self._row(r) if r else None

    def list(self, states: tuple[str, ...] = STATES, limit: int = 200) -> list[OutboxRow]:
        marks = ",".join("?" * len(states))
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ({marks}) "
                                    "ORDER BY id DESC LIMIT ?", (*states, limit)).fetchall()
        return [self._row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            found = dict(self._db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        return {s: found.get(s, 0) for s in STATES}

    def depth(self) -> int:
        """Rows not yet delivered nor dead (what the heartbeat reports as outbox depth)."""
        c = self.counts()
        return c["pending"] + c["in_flight"]

    def retry(self, row_id: int) -> bool:
        """Staff: make a dead (or waiting) row due now. Returns False for done/in-flight/unknown rows."""
        now, due = self.clock(), self.mono()
        return self._tx(lambda db: db.execute(
            "UPDATE outbox SET state='pending', next_attempt_at=?, updated_at=?, dead_reason=NULL, purge_warned_at=NULL "
            "WHERE id=? AND state IN ('dead', 'pending')", (due, now, row_id)).rowcount) == 1

    def purge_done(self, *, older_than_s: float | None = 0.0) -> int:
        """Delete done rows older than ``older_than_s`` (0 = all done rows). Never touches other states."""
        cutoff = self.clock() - (older_than_s or 0.0)
        return self._tx(lambda db: db.execute(
            "DELETE FROM outbox WHERE state='done' AND delivered_at<=?", (cutoff,)).rowcount)

    def scrub(self) -> None:
        """Checkpoint and truncate the WAL so old page images (with purged fields) leave the disk too."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def enforce_retention(self) -> int:
        """Retention: done rows older than ``retention_days`` or beyond ``max_done_rows``; dead rows whose
        ``dead_retention_days`` ran out *and* whose purge warning is ``dead_warn_days`` old. Flags the dead
        rows entering their warning period first (see :meth:`dead_purge_notice`)."""
        now = self.clock()
        self.dead_purge_notice()

        def run(db: sqlite3.Connection) -> int:
            n = db.execute("DELETE FROM outbox WHERE state='done' AND delivered_at<=?",
                           (now - self.retention_s,)).rowcount
            n += db.execute("DELETE FROM outbox WHERE state='done' AND id NOT IN (SELECT id FROM outbox "
                            "WHERE state='done' ORDER BY id DESC LIMIT ?)", (self.max_done_rows,)).rowcount
            dead = db.execute("DELETE FROM outbox WHERE state='dead' AND updated_at<=? AND purge_warned_at<=?",
                              (now - self.dead_retention_s, now - self.dead_warn_s)).rowcount
            if dead:
                log.warning("outbox: purged %d dead row(s) after their retention", dead)
            return n + dead
        return self._tx(run)

    def dead_purge_notice(self) -> list[OutboxRow]:
        """Dead rows that will be purged within ``dead_warn_days`` (flagging newly entered ones now), with
        ``purge_warned_at`` set: the heartbeat alerts staff about them, ``kiosk outbox`` lists them."""
        now = self.clock()

        def run(db: sqlite3.Connection) -> list[OutboxRow]:
            db.execute("UPDATE outbox SET purge_warned_at=? WHERE state='dead' AND purge_warned_at IS NULL "
                       "AND updated_at<=?", (now, now - (self.dead_retention_s - self.dead_warn_s)))
            rows = db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state='dead' AND purge_warned_at IS NOT NULL"
                              " ORDER BY id").fetchall()
            return [self._row(r) for r in rows]
        return self._tx(run)

    def purge_due_at(self, row: OutboxRow) -> float | None:
        """When a dead row will be purged (wall-clock seconds), or None for other states."""
        if row.state != "dead":
            return None
        due = row.updated_at + self.dead_retention_s
        if row.purge_warned_at is not None:
            due = max(due, row.purge_warned_at + self.dead_warn_s)
        return due

