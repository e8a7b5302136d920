"""Printing for the session: receipts, copies of what is shown, staff test pages and reprints.

The session names every print job itself (``P000001`` …) and records what the job is for *before* the job
reaches the printer, so the printer's ``job_done`` / ``job_failed`` events always find their purpose — no
event can come "too early". Layout and ESC/POS encoding take tens of ms (a licence image), so each job is
handed over in a task, never on the UI thread.

Purposes: ``result`` (the receipt of a queue ticket or submission: owned by ``receipts`` so staff can
reprint it after the session ended), ``copy`` (a guide, record or licence: dies with the session) and
``staff`` (test page, reprint from the staff screen).

Every print a resident asked for ends on the full result screen (issue 14 §2): a copy opens its own result
(``ResultView.copy_of`` names the screen 返回 goes back to) that says printing → 请取走凭条 → or what to do
when it failed; a receipt's outcome is shown on the result screen it was printed from.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from kiosk.session.core import SessionCore
from kiosk.session.state import ResultView, Text
from kiosk.session.text import msg

log = logging.getLogger(__name__)

#: print-job owner of result receipts (kept for staff reprint); session copies use the session's owner
RECEIPT_OWNER = "receipts"


class Printing:
    """Owns ``state.result.printed/print_message`` and ``state.notice``; staff lines go to ``staff_note``."""

    def __init__(self, core: SessionCore, staff_note: Callable[[Text], None]) -> None:
        self.core = core
        self._staff_note = staff_note
        self.jobs: dict[str, str] = {}  # job id -> purpose (result | copy | staff), until its outcome
        self.last_job: str | None = None  # this session's receipt (reprint on the result screen)
        self.last_receipt: str | None = None  # the last receipt of any session (staff reprint)
        self.last_copy: tuple[str, Any] | None = None  # (kind, data) of this session's last copy: 重新打印
        self._seq = 0

    def reset(self) -> None:
        """Wipe: this session's jobs are forgotten (staff jobs keep their purpose)."""
        self.last_job = None
        self.last_copy = None
        self.jobs = {job: p for job, p in self.jobs.items() if p == "staff"}

    # ----- what the flows ask for --------------------------------------------------------------
    def print(self, kind: str, data: Any, *, purpose: str) -> None:
        if purpose == "copy":
            self._show_copy(kind, data)
        devices = self.core.state.devices
        if not devices.printer_ready and purpose != "staff":
            self._unavailable(purpose, msg("reason.paper_out") if devices.paper == "out" else msg("print.unavailable"))
            return
        # receipts (ticket, submission) hold only a masked name and a reference, and must outlive the session
        # so staff can reprint them after fixing the printer; copies of records/licences die with the session
        owner = "staff" if purpose == "staff" else RECEIPT_OWNER if purpose == "result" else self.core.owner()
        rt = self.core.rt
        self._hand_over(lambda job_id: rt.print_document(kind, data, owner=owner, job_id=job_id), purpose)

    def _show_copy(self, kind: str, data: Any) -> None:
        """The copy's own result screen, before the job exists: its outcome fills it in."""
        state = self.core.state
        self.last_copy = (kind, data)
        shown_from = state.result.copy_of if state.screen == "result" and state.result is not None else state.screen
        what = Text(str(getattr(data, "title_zh", "") or getattr(data, "name_zh", "")),
                    str(getattr(data, "title_en", "") or getattr(data, "name_en", "")))
        state.result = ResultView(title=msg("result.copy"), message=what, copy_of=shown_from)
        state.screen = "result"

    def back_to_shown(self) -> None:
        """返回 on a copy's result screen: the guide, record or licence it was printed from, as it was."""
        state = self.core.state
        if state.screen == "result" and state.result is not None and state.result.copy_of:
            state.screen, state.result = state.result.copy_of, None
            self.core.changed()

    def reprint(self, job_id: str, *, purpose: str) -> None:
        rt = self.core.rt
        self._hand_over(lambda new_id: rt.reprint(job_id, new_job_id=new_id), purpose)

    def _hand_over(self, submit: Callable[[str], str], purpose: str) -> None:
        self._seq += 1
        job_id = f"P{self._seq:06d}"
        self.jobs[job_id] = purpose  # before the printer can answer: its events always find the purpose
        if purpose == "result":
            self.last_job = self.last_receipt = job_id
        self._progress(purpose, msg("print.printing"))
        self.core.spawn(f"print-{self._seq}", lambda _c: submit(job_id), on_done=lambda _job: None,
                        on_error=lambda exc: self._refused(job_id, exc, purpose), timeout=20.0)

    def _progress(self, purpose: str, text: Text) -> None:
        result = self.core.state.result
        if purpose in ("result", "copy") and result is not None:
            result.printed = None
            result.print_message = text
        elif purpose == "staff":
            self._staff_note(text)
        else:
            self.core.state.notice = text

    def _refused(self, job_id: str, exc: BaseException, purpose: str) -> None:
        # a printer refusing a job must become a message, never a crash
        log.warning("print job refused: %s", type(exc).__name__)
        self.jobs.pop(job_id, None)
        if self.last_job == job_id:
            self.last_job = None
        if self.last_receipt == job_id:
            self.last_receipt = None
        self._failed(purpose, _reason_of(exc))
        self.core.changed()

    # ----- printer events (UI thread) ----------------------------------------------------------
    def on_print_done(self, job_id: str) -> None:
        purpose = self.jobs.pop(job_id, None)
        if purpose is None:
            return  # not this session's job (a wiped session's copy): nothing to tell anyone
        result = self.core.state.result
        if purpose == "staff":
            self._staff_note(msg("staff.test_printed"))
        elif purpose in ("result", "copy") and result is not None:
            result.printed = True
            result.print_message = msg("print.done")
        else:
            self.core.state.notice = msg("print.done")
        self.core.changed()

    def on_print_failed(self, job_id: str, reason_zh: str = "", reason_en: str = "") -> None:
        purpose = self.jobs.pop(job_id, None)
        if purpose is None:
            return
        self._failed(purpose, Text(reason_zh or "打印机故障", reason_en or reason_zh or "printer fault"))
        self.core.changed()

    def _failed(self, purpose: str, reason: Text) -> None:
        if purpose == "staff":
            self._staff_note(Text(f"打印失败：{reason.zh}", f"Print failed: {reason.en}"))
        else:
            self._unavailable(purpose, reason)

    def _unavailable(self, purpose: str, reason: Text) -> None:
        result = self.core.state.result
        if purpose in ("result", "copy") and result is not None:
            result.printed = False
            result.print_message = msg("print.failed" if purpose == "result" else "print.copy_failed", reason=reason)
        elif purpose != "staff":
            self.core.state.notice = msg("print.copy_failed", reason=reason)


def _reason_of(exc: BaseException) -> Text:
    zh = getattr(exc, "message_zh", None) or "打印机暂不可用"
    en = getattr(exc, "message_en", None) or "printer unavailable"
    return Text(str(zh), str(en))
