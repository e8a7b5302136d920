"""Receipt printer driver: a print queue with status-checked jobs on the shared Device worker.

* ``submit(document, owner)`` encodes at once (a bad document fails in the caller) and queues the job;
  the worker prints it and emits ``job_done`` or ``job_failed`` (reason zh/en + action). Failed jobs are
  kept so staff or the resident can ``reprint`` them after fixing the printer; ``discard_jobs(owner)``
  wipes a session's jobs when it ends.
* Status is DLE EOT 1–4, one byte per query with a short timeout, after flushing stale input; a missing or
  malformed reply is "unknown", never "paper OK". Polled while idle, checked before each job, between
  chunks of a job, and confirmed after it. ``status_changed``/``paper_changed`` fire on change only.
* After a job is interrupted the printer's buffers are cleared (profile ``recover``, DLE ENQ 2) so the
  unprinted half of the old job never comes out after the paper is loaded; the reprint sends it whole.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field

import serial

from devices.base import DeviceStatus, SerialDevice
from devices.errors import Action, DeviceUnavailable
from devices.printer import protocol as P
from devices.printer.document import Document
from devices.printer.encoder import encode_segments
from devices.printer.profiles import Profile, get_profile
from devices.transport import PORT_ERRORS, wire_seconds


log = logging.getLogger(__name__)

_ACTIONS = {"paper_out": Action.CLEAR, "cover_open": Action.CLEAR, "cutter_error": Action.CLEAR,
            "hardware_error": Action.MAINTENANCE, "head_error": Action.CLEAR, "error": Action.RESET,
            "offline": Action.RESET, "no_answer": Action.RESET, "disconnected": Action.CLEAR}
_USER_FAULTS = ("paper_out", "cover_open", "cutter_error", "head_error")


@dataclass
class PrintJob:
    id: str
    document: Document
    owner: str | None
    segments: list[bytes]
    state: str = "pending"  # pending | printing | done | failed
    reason: tuple[str, str, str] | None = None  # (code, zh, en)
    attempts: int = 0
    created: float = field(default_factory=time.monotonic)

    @property
    def size(self) -> int:
        return sum(len(s) for s in self.segments)


def query_status_byte(port: serial.SerialBase, n: int, timeout: float = 0.3) -> int | None:
    """One DLE EOT n: flush stale input, then read until a validly shaped byte or ``timeout``.

    None means no valid answer (the caller reports "unknown"). Raises DeviceUnavailable when the port is gone.
    """
    try:
        port.reset_input_buffer()
        port.write(P.dle_eot(n))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            b = port.read(1)
            if b and P.valid_status_byte(b[0]):
                return b[0]
            if b:
                log.debug("printer: ignoring stray byte %02x", b[0])
        return None
    except PORT_ERRORS as exc:
        raise DeviceUnavailable(f"printer status query failed: {exc}", message_zh="打印机连接中断",
                                action=Action.CLEAR) from exc


def read_state(port: serial.SerialBase, *, near_end_sensor: bool = True, timeout: float = 0.3) -> P.PrinterState:
    """DLE EOT 1–4 (stops after a silent n1: a printer that does not answer does not answer)."""
    n1 = query_status_byte(port, 1, timeout)
    if n1 is None:  # one lost byte on a serial line must not fail a resident's ticket
        n1 = query_status_byte(port, 1, timeout)
    if n1 is None:
        return P.UNKNOWN_STATE
    raw = (n1, query_status_byte(port, 2, timeout), query_status_byte(port, 3, timeout),
           query_status_byte(port, 4, timeout))
    return P.PrinterState(raw, near_end_sensor)


class Printer(SerialDevice):
    kind = "printer"
    poll_interval = 0.5
    #: seconds to wait for each status byte (a printer answers in milliseconds; this is for a loaded host)
    status_timeout = 0.3
    #: how long a job waits for a silent printer to answer again before the job fails as "no answer"
    answer_grace_s = 1.5
    #: jobs kept for reprint (oldest done jobs are dropped first)
    keep_jobs = 50

    def __init__(self, url: str, *, baudrate: int = 115200, profile: str | Profile = "generic-80mm",
                 name: str | None = None, poll_interval: float | None = None) -> None:
        super().__init__(url, baudrate=baudrate, name=name)
        self.profile = get_profile(profile)
        if poll_interval is not None:
            self.poll_interval = poll_interval
        self._jobs: OrderedDict[str, PrintJob] = OrderedDict()
        self._jobs_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._state = P.UNKNOWN_STATE
        self._paper = "unknown"
        self._needs_recover = False

    # ----- public API --------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._connected and self._state.ready

    @property
    def paper(self) -> str:
        return self._paper

    @property
    def state(self) -> P.PrinterState:
        return self._state

    def submit(self, document: Document, owner: str | None = None, *, job_id: str | None = None) -> str:
        """Queue ``document``; returns its job id at once. Outcome arrives as job_done / job_failed.

        A caller that must recognise the job's events (the session) names the job itself with ``job_id``,
        so an event can never arrive before the caller knows the id; ValueError if that id is taken.
        """
        job = PrintJob(id=job_id or f"J{next(self._ids):05d}", document=document, owner=owner,
                       segments=encode_segments(document, self.profile))
        with self._jobs_lock:
            if job.id in self._jobs:
                raise ValueError(f"print job id {job.id!r} already used")
            self._jobs[job.id] = job
            self._trim()
        self._kick()
        return job.id

    def reprint(self, job_id: str, *, new_job_id: str | None = None) -> str:
        """Print a kept job again (as a new job). KeyError if the job is unknown or was discarded."""
        with self._jobs_lock:
            old = self._jobs[job_id]
        return self.submit(old.document, owner=old.owner, job_id=new_job_id)

    def job(self, job_id: str) -> PrintJob | None:
        with self._jobs_lock:
            return self._jobs.get(job_id)

    def failed_jobs(self, owner: str | None = None) -> list[str]:
        with self._jobs_lock:
            return [j.id for j in self._jobs.values() if j.state == "failed" and (owner is None or j.owner == owner)]

    def discard_jobs(self, owner: str) -> int:
        """Forget every job of ``owner`` that is not being printed right now; wipe their content."""
        with self._jobs_lock:
            gone = [j for j in self._jobs.values() if j.owner == owner and j.state != "printing"]
            for j in gone:
                del self._jobs[j.id]
                j.document.wipe()
                j.segments = []
        return len(gone)

    def query_status(self, timeout: float = 3.0) -> P.PrinterState:
        """Ask the printer now (on the worker) and return the decoded state."""
        return self.call(self._read_state, timeout=timeout)

    # ----- Device hooks -------------------------------------------------------------------------------------
    def _connect(self) -> None:
        self._open_port(self.status_timeout)
        # no automatic status back (its 4-byte messages would mix with DLE EOT replies)
        self._write(P.ASB_OFF)
        self._state = self._read_state()
        if not self._state.answered:
            raise DeviceUnavailable(f"printer at {self.url} does not answer DLE EOT",
                                    message_zh="打印机无响应", action=Action.RESET)

    def _try_connect(self) -> None:
        super()._try_connect()
        if self._connected:
            self._update(self._state)  # the base marks a fresh connection online; the printer may disagree

    def _disconnect(self) -> None:
        super()._disconnect()
        self._update(P.UNKNOWN_STATE)

    def _poll(self) -> None:
        self._refresh()
        if self._needs_recover and self._state.answered:
            self._recover()
        elif self._state.cutter_error:
            self._recover()  # DLE ENQ 2 clears the latched error once staff removed the jam
        self._process_jobs()

    # ----- I/O --------------------------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        port = self._port
        if port is None:
            raise DeviceUnavailable("printer port closed", message_zh="打印机未连接", action=Action.CLEAR)
        try:
            port.write(data)
        except PORT_ERRORS as exc:
            raise DeviceUnavailable(f"write to printer failed: {exc}", message_zh="打印机连接中断",
                                    action=Action.CLEAR) from exc

    def _query(self, n: int) -> int | None:
        port = self._port
        if port is None:
            raise DeviceUnavailable("printer port closed", message_zh="打印机未连接", action=Action.CLEAR)
        return query_status_byte(port, n, self.status_timeout)

    def _read_state(self, full: bool = True) -> P.PrinterState:
        n1 = self._query(1)
        if n1 is None:  # one retry: a single lost byte is not "printer gone"
            n1 = self._query(1)
        if n1 is None:
            return P.UNKNOWN_STATE
        if not full and not n1 & 0x08:
            # online: the other bytes cannot show a stop; keep the last paper reading
            prev = self._state.raw
            return P.PrinterState((n1, *prev[1:]), self.profile.near_end_sensor) if self._state.complete \
                else self._read_state(full=True)
        raw = (n1, self._query(2), self._query(3), self._query(4))
        return P.PrinterState(raw, self.profile.near_end_sensor)

    def _refresh(self, full: bool = True) -> P.PrinterState:
        state = self._read_state(full)
        self._update(state)
        return state

    def _refresh_in_job(self, full: bool = True) -> P.PrinterState:
        """Status during/after a job: a silent query is asked again for up to ``answer_grace_s``.

        Some models answer real-time status late while rasterising, and a loaded host can miss one short
        window; failing a resident's ticket for that would be wrong. Events fire once, on the final answer.
        """
        state = self._read_state(full)
        deadline = time.monotonic() + self.answer_grace_s
        while not state.answered and time.monotonic() < deadline:
            state = self._read_state(full=True)
        self._update(state)
        return state

    def _update(self, state: P.PrinterState) -> None:
        self._state = state
        paper = state.paper
        if paper != self._paper:
            previous, self._paper = self._paper, paper
            self._emit("paper_changed", paper=paper, previous=previous)
        if self._port is None:
            return  # the base reports offline/reconnect itself
        fault = state.fault()
        if fault is None:
            self._set_status(DeviceStatus.ONLINE)
        else:
            code, _zh, en = fault
            status = DeviceStatus.USER_ERROR if code in _USER_FAULTS else (
                DeviceStatus.HARDWARE_ERROR if code == "hardware_error" else DeviceStatus.OFFLINE)
            self._set_status(status, en, _ACTIONS.get(code, Action.RESET))

    def _recover(self) -> None:
        if self.profile.recover:
            self._write(self.profile.recover)
        self._needs_recover = False

    # ----- jobs ----------------------------------------------------------------------------------------------------
    def _kick(self) -> None:
        future: Future = Future()
        future.add_done_callback(self._kick_done)
        self._commands.put((future, self._process_jobs, (), {}))

    def _kick_done(self, future: Future) -> None:
        if future.cancelled() or not isinstance(future.exception(), DeviceUnavailable):
            return
        # not connected (or the cable went while printing): the resident must hear now, not at reconnect
        for job in self._pending():
            self._fail(job, ("disconnected", "打印机未连接", "Printer not connected"))

    def _pending(self) -> list[PrintJob]:
        with self._jobs_lock:
            return [j for j in self._jobs.values() if j.state == "pending"]

    def _process_jobs(self) -> None:
        for job in self._pending():
            with self._jobs_lock:  # discard_jobs may have removed it meanwhile
                if self._jobs.get(job.id) is not job or job.state != "pending":
                    continue
                job.state = "printing"
            self._print(job)

    def _print(self, job: PrintJob) -> None:
        job.attempts += 1
        try:
            if self._needs_recover:
                self._recover()
            state = self._refresh()
            if not state.ready:
                self._fail(job, state.fault() or ("offline", "打印机未就绪", "Printer not ready"))
                return
            started = time.monotonic()
            sent = 0
            for segment in job.segments:
                self._write(segment)
                sent += len(segment)
                # a UART drains at the baud rate; keep pace so status checks mean "now"
                lag = started + wire_seconds(sent, self.baudrate) - time.monotonic()
                if lag > 0:
                    time.sleep(lag)
                state = self._refresh_in_job(full=False)
                if not state.ready:
                    self._interrupted(job, state)
                    return
            time.sleep(wire_seconds(max(len(s) for s in job.segments), self.baudrate) + 0.1)
            state = self._refresh_in_job()
            if not state.ready:
                self._interrupted(job, state)
                return
        except DeviceUnavailable:
            self._needs_recover = True
            self._fail(job, ("disconnected", "打印机连接中断", "Printer disconnected during printing"))
            raise
        job.state = "done"
        self._emit("job_done", job_id=job.id)

    def _interrupted(self, job: PrintJob, state: P.PrinterState) -> None:
        self._needs_recover = True
        if state.answered:
            self._recover()  # drop the unprinted rest now, so loading paper does not print half a ticket
        self._fail(job, state.fault() or ("offline", "打印机未就绪", "Printer not ready"))

    def _fail(self, job: PrintJob, reason: tuple[str, str, str]) -> None:
        job.state = "failed"
        job.reason = reason
        code, zh, en = reason
        action = _ACTIONS.get(code, Action.RESET)
        log.warning("print job %s failed: %s (%s)", job.id, en, code)
        self._emit("job_failed", job_id=job.id, code=code, reason_zh=zh, reason_en=en, action=action.value)

    def _trim(self) -> None:
        done = [j.id for j in self._jobs.values() if j.state == "done"]
        while len(self._jobs) > self.keep_jobs and done:
            self._jobs.pop(done.pop(0)).document.wipe()
