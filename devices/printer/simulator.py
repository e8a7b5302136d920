"""A simulated ESC/POS receipt printer on a pty or TCP port: parses, "prints" to PNG + text, answers status.

* Real-time commands (DLE EOT n, DLE ENQ n) are answered/acted on the moment they arrive, from the current
  state, even in the middle of a job (like the printer's receive interrupt).
* Everything else goes to a receive buffer that an engine thread consumes at the baud rate; while paper
  is out, the cover open, the printer offline or the cutter jammed the engine holds the buffer.
* Each job (ESC @ … cut) becomes ``job-NNNN.png`` (576 dots wide, Chinese drawn with the CJK font, QR drawn
  as a real QR) and ``job-NNNN.txt`` in ``out_dir``; a job cut short is saved as ``job-NNNN-incomplete``.
  ``jobs`` keeps the same records (raw bytes included) for tests.
* Controls (JSON lines, see SimulatorBase): paper_low, paper_out [after_bytes], paper_loaded, cover_open
  [after_bytes], cover_closed, cutter_jam, cutter_clear, offline, online, jobs, plus unplug/replug/silent.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devices.printer.parser import EscPosParser, RealtimeScanner
from devices.printer.profiles import get_profile
from devices.printer import render
from devices.printer.render import Page
from devices.simbase import SimulatorBase
from devices.transport import wire_seconds

log = logging.getLogger(__name__)

_NOT_JOB = ("status_query", "recover")
# operations that put something on paper (or start a job); settings sent alone (ASB off at connect) do not
_JOB_OPS = ("init", "text", "lf", "cr", "feed", "feed_dots", "qr", "raster", "cut", "unknown")


@dataclass
class SimJob:
    index: int
    raw: bytearray = field(default_factory=bytearray)
    complete: bool = False
    reason: str = ""
    text: str = ""
    png: Path | None = None
    unknown: list[str] = field(default_factory=list)
    qr_count: int = 0

    def summary(self) -> dict[str, Any]:
        return {"index": self.index, "complete": self.complete, "reason": self.reason, "bytes": len(self.raw),
                "png": str(self.png) if self.png else None, "unknown": self.unknown, "qr": self.qr_count}


class PrinterSimulator(SimulatorBase):
    kind = "printer"

    def __init__(self, *, out_dir: str | Path | None = None, profile: str = "generic-80mm",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile = get_profile(profile)
        self.out_dir = Path(out_dir) if out_dir else None
        self.jobs: list[SimJob] = []
        self.unknown: list[str] = []  # hex of every byte sequence not understood, across jobs
        self.settings: list[str] = []  # setting commands received outside any job (hex)
        # printer state (what the sensors say)
        self.paper = "full"  # full | low | out
        self.cover_open = False
        self.cutter_jammed = False  # the physical jam (staff clears it)
        self.cutter_error = False  # latched error, cleared by DLE ENQ once the jam is gone
        self.forced_offline = False
        self._triggers: dict[str, int] = {}  # fault -> bytes still to consume before it happens
        self._state = threading.RLock()
        self._wake = threading.Condition(self._state)
        self._inbox = bytearray()
        self._scanner = RealtimeScanner()
        self._parser = EscPosParser(vendor_commands=[self.profile.presenter])
        self._job: SimJob | None = None
        self._page: Page | None = None
        self._last_closed: SimJob | None = None
        self._pending: list = []
        self._modes: tuple = (0, (1, 1), False)
        self.consumed = 0

    # ----- state ---------------------------------------------------------------------------------------
    @property
    def holding(self) -> bool:
        """The engine does not print: something stops the mechanism."""
        return self.paper == "out" or self.cover_open or self.cutter_error or self.forced_offline

    def status_byte(self, n: int) -> int:
        paper_out = self.paper == "out"
        b = 0x12
        if n == 1 and self.holding:
            b |= 0x08
        elif n == 2:
            b |= (0x04 if self.cover_open else 0) | (0x20 if paper_out else 0) | (0x40 if self.cutter_error else 0)
        elif n == 3:
            b |= 0x08 if self.cutter_error else 0
        elif n == 4:
            if self.profile.near_end_sensor and self.paper in ("low", "out"):
                b |= 0x0C
            b |= 0x60 if paper_out else 0
        return b

    # ----- bytes from the host ---------------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> bytes:
        reply = bytearray()
        with self._state:
            keep_from = 0
            for kind, n, end in self._scanner.feed(data):
                if kind == 0x04 and 1 <= n <= 4:
                    reply.append(self.status_byte(n))
                elif kind == 0x05 and n in (1, 2):
                    if not self.cutter_jammed:
                        self.cutter_error = False
                    if n == 2:  # clear receive and print buffers: the unfinished job is dropped
                        self._inbox.clear()
                        keep_from = max(keep_from, end)
                        self._parser.clear()
                        self._pending.clear()
                        self._close_job(complete=False, reason="cleared by DLE ENQ 2")
            self._inbox += data[keep_from:]
            self._wake.notify_all()
        return bytes(reply)

    def on_disconnect(self) -> None:
        # A pulled cable or a closed host port does not empty a printer's buffer: what arrived keeps
        # printing, and a half-received job stays open until the host sends DLE ENQ 2 or ESC @.
        with self._state:
            self._scanner = RealtimeScanner()

    # ----- engine ------------------------------------------------------------------------------------------
    def start(self) -> "PrinterSimulator":
        if self.out_dir:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        # pages are drawn under the state lock; loading the CJK font there delayed the first real-time
        # status replies past the driver's timeout ("printer does not answer" on the first ticket)
        render.warm_up()
        super().start()
        self._spawn(self._engine, "engine")
        return self

    def stop(self) -> None:
        with self._state:
            self._wake.notify_all()
        super().stop()

    def _engine(self) -> None:
        while not self._stop.is_set():
            self.step(wait=0.05)

    def step(self, wait: float = 0.0) -> bool:
        """Consume and print one piece of the receive buffer (the engine thread calls this in a loop;
        tests may call it directly on a simulator that was never started). False when nothing to do."""
        with self._state:
            if not self._inbox or self.holding:
                if wait:
                    self._wake.wait(wait)
                return False
            size = min(len(self._inbox), 512, *self._triggers.values()) or 1
            piece = bytes(self._inbox[:size])
        if self.pace:
            time.sleep(wire_seconds(len(piece), self.baudrate))
        finished: list[tuple[SimJob, Page]] = []
        with self._state:
            if not self._inbox.startswith(piece):  # cleared by DLE ENQ 2 / unplug meanwhile
                return True
            del self._inbox[:len(piece)]
            self.consumed += len(piece)
            for op in self._parser.feed(piece):
                self._apply(op, finished)
            self._count_triggers(len(piece))
        for job, page in finished:
            self._save(job, page)
        return True

    def _count_triggers(self, n: int) -> None:
        for fault in list(self._triggers):
            self._triggers[fault] -= n
            if self._triggers[fault] <= 0:
                del self._triggers[fault]
                self._fault(fault)

    def _apply(self, op, finished: list) -> None:
        if op.name in _NOT_JOB:
            return
        if op.name == "vendor" and self._job is None and self._last_closed is not None:
            self._last_closed.raw += op.raw  # presenter bytes after the cut belong to that ticket
            return
        if op.name == "init" and self._job is not None:
            self._close_job(complete=False, reason="new job before cut")
        if self._job is None:
            if op.name not in _JOB_OPS:
                # a setting between tickets (bold/align before page 2's first line, ASB off at connect):
                # it belongs to the next ticket, unless ESC @ resets it first
                self._pending.append(op)
                return
            self._job = SimJob(index=len(self.jobs) + 1)
            self.jobs.append(self._job)
            self._page = Page(dots=self.profile.dots, align=self._modes[0], size=self._modes[1],
                              bold=self._modes[2])
            pending, self._pending = self._pending, []
            if op.name == "init":
                self.settings += [p.raw.hex(" ") for p in pending]
            else:
                for p in pending:
                    self._job.raw += p.raw
                    self._page.apply(p)
        self._job.raw += op.raw
        self._page.apply(op)
        if op.name == "unknown":
            self.unknown.append(op.raw.hex(" "))
            self._job.unknown.append(op.raw.hex(" "))
        if op.name == "cut":
            if self.cutter_jammed:
                self.cutter_error = True
                finished.append(self._finish(complete=False, reason="cutter jam"))
            else:
                finished.append(self._finish(complete=True))

    def _finish(self, complete: bool, reason: str = "") -> tuple[SimJob, Page]:
        job, page = self._job, self._page
        self._modes = (page.align, page.size, page.bold)  # modes outlive a cut, as on the printer
        job.complete, job.reason = complete, reason
        self._job, self._page, self._last_closed = None, None, job
        return job, page

    def _close_job(self, complete: bool, reason: str) -> None:
        if self._job is not None:
            job, page = self._finish(complete, reason)
            # rendering a partial job is rare (faults only); do it here to keep the record together
            self._save(job, page)

    def _save(self, job: SimJob, page: Page) -> None:
        page.finish()
        job.text = page.text()
        job.qr_count = page.qr_count
        if self.out_dir is None:
            return
        stem = f"job-{job.index:04d}" + ("" if job.complete else "-incomplete")
        job.png = self.out_dir / f"{stem}.png"
        page.image().save(job.png)
        note = "" if job.complete else f"# incomplete: {job.reason}\n"
        (self.out_dir / f"{stem}.txt").write_text(note + job.text, encoding="utf-8")
        log.info("printed %s (%d bytes)", job.png.name, len(job.raw))

    # ----- faults and controls -------------------------------------------------------------------------------
    def _fault(self, fault: str) -> None:
        if fault == "paper_out":
            self.paper = "out"
        elif fault == "cover_open":
            self.cover_open = True

    def control(self, cmd: str, **args: Any) -> dict[str, Any]:
        with self._state:
            after = args.get("after_bytes")
            if cmd in ("paper_out", "cover_open") and after is not None:
                self._triggers[cmd] = max(1, int(after))
            elif cmd in ("paper_out", "cover_open"):
                self._fault(cmd)
            elif cmd == "paper_low":
                self.paper = "low"
            elif cmd == "paper_loaded":
                self.paper = "full"
                self._triggers.pop("paper_out", None)
            elif cmd == "cover_closed":
                self.cover_open = False
                self._triggers.pop("cover_open", None)
            elif cmd == "cutter_jam":
                self.cutter_jammed = True
            elif cmd in ("cutter_clear", "clear"):
                self.cutter_jammed = False
            elif cmd == "offline":
                self.forced_offline = True
            elif cmd == "online":
                self.forced_offline = False
            elif cmd == "jobs":
                return {"jobs": [j.summary() for j in self.jobs]}
            elif cmd != "info":
                raise ValueError(f"unknown command {cmd!r}")
            self._wake.notify_all()
            return {"paper": self.paper, "cover_open": self.cover_open, "cutter_error": self.cutter_error,
                    "cutter_jammed": self.cutter_jammed, "offline": self.holding, "jobs": len(self.jobs),
                    "buffered": len(self._inbox), "raw": [self.status_byte(n) for n in (1, 2, 3, 4)]}

    def wait_jobs(self, count: int, timeout: float = 5.0, complete: bool | None = None) -> list[SimJob]:
        """Tests: wait until at least ``count`` jobs (optionally only complete ones) were finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._state:
                done = [j for j in self.jobs if j is not self._job and (complete is None or j.complete == complete)]
            if len(done) >= count and all(j.text for j in done):
                return done
            time.sleep(0.02)
        return done
