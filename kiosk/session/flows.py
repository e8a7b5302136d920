"""Service flows of the session: queue ticket, guide, record, e-licence, forms → confirm → submit, printing.

A mixin of :class:`kiosk.session.controller.SessionController` (same object, same UI-thread rule); kept in its own
module so each file stays readable. Every backend call is a named task so Home/Back/idle can cancel it.
"""
from __future__ import annotations

import logging
from typing import Any

from kiosk import catalog
from kiosk.session.state import ErrorView, GuideView, LicenceView, RecordView, ResultView, Text
from kiosk.session.text import msg

log = logging.getLogger(__name__)

#: seconds a flow's backend call may take before the resident is told to retry (the client retries inside)
_FETCH_TIMEOUT = 30.0
#: print-job owner of result receipts (kept for staff reprint); session copies use the session's owner
RECEIPT_OWNER = "receipts"


class FlowsMixin:
    # ----- choosing ----------------------------------------------------------------------------
    def choose_service(self, service_id: str) -> None:
        self._last_touch = self.clock()
        service = catalog.find_service(self.cfg, service_id, self._overrides.disabled())
        if service is None:
            log.warning("unknown or disabled service chosen: %s", service_id)
            self.state.error = ErrorView(msg("error.unknown_service"), "home")
            self._changed()
            return
        reason = catalog.unavailable_reason(service, self.state.devices)
        if reason is not None:  # said before identifying: nobody should show their ID for a dead service
            self.state.error = ErrorView(reason, "help")
            self._changed()
            return
        if catalog.needs_login(service) and self._token is None:
            self.start_identify(pending_service=service_id)
            return
        if self.state.screen != "identify":
            self._leave_flow()  # a new service replaces whatever flow was open (its pending calls too)
            self.state.screen = "menu" if self._token else "attract"
        else:
            self._clear_service()
        self._service_def = service
        self.state.service = catalog.service_view(service)
        self.state.error = None
        action = service.action
        token = self._token
        if action == "queue_ticket":
            self._spawn("queue", lambda c: self.rt.client.create_queue_ticket(service.id, token, cancel=c),
                        on_done=self._queue_done, on_error=self._fetch_failed, timeout=_FETCH_TIMEOUT,
                        busy=msg("busy.queue"))
        elif action == "guide":
            # a guide service is a browser: first the topics (the catalog's other services), then one guide
            self.state.guide_topics = catalog.guide_topics(self.cfg, self._overrides.disabled())
            self.state.screen = "guide"
        elif action == "record":
            kind = str(service.params.get("kind", service.id))
            self._spawn("record", lambda c: self.rt.client.get_record(kind, token, cancel=c),
                        on_done=self._record_done, on_error=self._fetch_failed, timeout=_FETCH_TIMEOUT,
                        busy=msg("busy.record"))
        elif action == "licences":
            self._spawn("licences", lambda c: self.rt.client.get_licences(token, cancel=c),
                        on_done=self._licences_done, on_error=self._fetch_failed, timeout=_FETCH_TIMEOUT,
                        busy=msg("busy.licences"))
        elif action == "submission":
            self._form_values = {}
            self._handoff_start(service)  # long-text fields: a phone hand-off each (kiosk/session/handoff.py)
            self.state.form = self._form_view()
            self.state.screen = "form"
        else:  # config validation forbids it; say so rather than show a dead screen
            self.state.error = ErrorView(msg("error.unknown_service"), "home")
        self._changed()

    def open_guide(self, topic_id: str) -> None:
        """On the guide screen: fetch and show the guide of ``topic_id`` (one of ``state.guide_topics``)."""
        self._last_touch = self.clock()
        if self.state.screen != "guide" or topic_id not in {t.service_id for t in self.state.guide_topics}:
            return
        self._guide_topic = topic_id
        self._spawn("guide", lambda c: self.rt.client.get_guide(topic_id, cancel=c),
                    on_done=self._guide_done, on_error=self._fetch_failed, timeout=_FETCH_TIMEOUT,
                    busy=msg("busy.guide"))
        self._changed()

    def retry(self) -> None:
        """The error overlay's retry: run the current service (or identification) again."""
        self.state.error = None
        if self.state.screen == "identify":
            self.refresh_qr()
        elif self.state.screen == "guide" and self._guide_topic is not None:
            self.open_guide(self._guide_topic)
        elif self.state.screen == "confirm":
            self.confirm()
        elif self._service_def is not None:
            self.choose_service(self._service_def.id)
        else:
            self._changed()

    def _clear_service(self) -> None:
        self._service_def = None
        self._form_values = {}
        self._form_checked = False
        self._handoff_drop()
        self._last_printable = None
        self._licence_data = []
        for name in ("submit",):
            self._cancel_task(name)
        self.state.service = None
        self.state.form = None
        self.state.guide = None
        self.state.guide_topics = []
        self._guide_topic = None
        self.state.record = None
        self.state.licences = []
        self.state.result = None
        self.state.notice = None

    def _fetch_failed(self, exc: BaseException) -> None:
        log.warning("service call failed: %s", type(exc).__name__)
        from kiosk.backend.errors import AuthError

        if isinstance(exc, AuthError) and self._token is not None and self._service_def is not None:
            # the resident's gateway session expired: identify again, then straight back into the service
            service_id = self._service_def.id
            self._token = None
            self.state.identity = None
            self._clear_service()
            self.start_identify(pending_service=service_id)
            return
        reason = Text(getattr(exc, "message_zh", "") or "网络异常", getattr(exc, "message_en", "") or "network problem")
        template = msg("error.backend")
        self.state.error = ErrorView(Text(template.zh.format(reason=reason.zh), template.en.format(reason=reason.en)),
                                     "retry")
        self._changed()

    # ----- fetch results -----------------------------------------------------------------------
    def _queue_done(self, ticket: Any) -> None:
        self.state.result = ResultView(
            title=msg("result.queue"), reference=str(ticket.number),
            message=Text(msg("result.queue_msg").zh.format(window=ticket.window_zh),
                         msg("result.queue_msg").en.format(window=ticket.window_en)))
        self.state.screen = "result"
        self._print("queue_ticket", {"ticket": ticket, "service": self._service_def, "at": self.local_now()},
                    purpose="result")
        self._changed()

    def _guide_done(self, guide: Any) -> None:
        self.state.guide = GuideView(
            title=Text(guide.title_zh, guide.title_en),
            sections=[(Text(s.heading_zh, s.heading_en), Text("\n".join(s.items_zh), "\n".join(s.items_en)))
                      for s in guide.sections])
        self._last_printable = ("service_guide", guide) if self.state.service.printable else None
        self.state.screen = "guide"
        self._changed()

    def _record_done(self, record: Any) -> None:
        columns = list(record.columns)
        table = [[str(row.get(col.key, "")) for col in columns] for row in record.rows]
        # rows: a two-column fallback (first cell as the label, the other cells as the value)
        rows = [(Text("持有人", "Holder"), str(record.holder))]
        rows += [(Text(cells[0], cells[0]), "  ".join(cells[1:])) for cells in table if cells]
        self.state.record = RecordView(title=Text(record.title_zh, record.title_en), rows=rows,
                                       holder=str(record.holder), columns=[Text(c.zh, c.en) for c in columns],
                                       table=table)
        self._last_printable = ("record_printout", record)
        self.state.screen = "record"
        self._changed()

    def _licences_done(self, licences: list[Any]) -> None:
        self.state.licences = [LicenceView(title=Text(x.name_zh, x.name_en), image_png=x.image_png,
                                           number_masked=str(x.number)) for x in licences]
        self._licence_data = list(licences)
        self._last_printable = ("licence_copy", None) if self.state.service.printable and licences else None
        self.state.screen = "licence"
        self._changed()

    # ----- forms -------------------------------------------------------------------------------
    def set_field(self, field_id: str, value: str) -> None:
        self._last_touch = self.clock()
        if self._service_def is None or self.state.form is None:
            return
        self._service_def.field(field_id)  # KeyError for a field the form does not have: a screen bug
        self._form_values[field_id] = str(value)
        self.state.form = self._form_view()
        self._changed()

    def next(self) -> None:
        self._last_touch = self.clock()
        if self.state.screen != "form" or self._service_def is None:
            return
        problems = {**catalog.form_problems(self._service_def, self._form_values), **self._handoff_problems()}
        self._form_checked = self._form_checked or bool(problems)  # after a refused 下一步, judge every field
        self.state.form = self._form_view()
        if problems:
            self.state.error = ErrorView(msg("error.form"), "back")
        else:
            self.state.error = None
            self.state.screen = "confirm"
        self._changed()

    def confirm(self) -> None:
        self._last_touch = self.clock()
        if self.state.screen != "confirm" or self._service_def is None or "submit" in self._tasks:
            return
        service = self._service_def
        fields = {k: v for k, v in self._form_values.items()}
        fields.update(self._handoff_values())  # the text stays at the gateway; the submission names it
        kind = str(service.params.get("submission_type", service.id))
        token = self._token
        self._spawn("submit", lambda c: self.rt.submit(service.id, kind, fields, token),
                    on_done=self._submitted, on_error=self._submit_failed, timeout=_FETCH_TIMEOUT,
                    busy=msg("busy.submit"))
        self._changed()

    def _submitted(self, result: Any) -> None:
        # the submission (delivered or queued) now holds the hand-offs: leave them on the gateway — unless
        # the gateway refused it, then the typed text has no use and is dropped
        self._handoff_drop(cancel_remote=getattr(result, "status", "") == "rejected")
        self._form_values = {}
        self.state.form = None
        self.state.screen = "result"
        if getattr(result, "status", "") == "rejected":  # the gateway refused it: never claim it is on its way
            self.state.result = ResultView(
                title=msg("result.rejected"), reference=str(result.reference), delivered=False,
                message=Text(result.message_zh or msg("result.rejected").zh, result.message_en or msg("result.rejected").en))
            self._changed()
            return
        delivered = bool(result.delivered)
        self.state.result = ResultView(
            title=msg("result.delivered") if delivered else msg("result.queued"),
            message=msg("result.delivered_msg") if delivered else msg("result.queued_msg"),
            reference=str(result.reference), delivered=delivered)
        name = self.state.identity.display_name if self.state.identity else None
        self._print("submission_receipt", {"service": self._service_def, "result": result, "name": name,
                                           "at": self.local_now()}, purpose="result")
        self._changed()

    def _submit_failed(self, exc: BaseException) -> None:
        # the outbox could not even store it: do not claim it is safe; keep the form so nothing is retyped
        log.error("submission could not be stored: %s", type(exc).__name__)
        self.state.error = ErrorView(msg("error.internal"), "retry")
        self._changed()

    # ----- printing ----------------------------------------------------------------------------
    def print_current(self, index: int = 0) -> None:
        """Print the shown guide / record / licence (``index`` of ``state.licences``) or reprint the receipt."""
        self._last_touch = self.clock()
        if self.state.screen == "result" and self._last_job is not None:
            self._reprint(self._last_job, purpose="result")
        elif self._last_printable is not None:
            kind, data = self._last_printable
            if kind == "licence_copy":
                if not 0 <= index < len(self._licence_data):
                    return
                data = self._licence_data[index]
            self._print(kind, data, purpose="copy")
        self._changed()

    def _print(self, kind: str, data: Any, *, purpose: str) -> None:
        if not self.state.devices.printer_ready and purpose != "staff":
            self._print_unavailable(purpose, msg("reason.paper_out") if self.state.devices.paper == "out"
                                    else msg("print.unavailable"))
            return
        # receipts (ticket, submission) hold only a masked name and a reference, and must outlive the session
        # so staff can reprint them after fixing the printer; copies of records/licences die with the session
        owner = "staff" if purpose == "staff" else RECEIPT_OWNER if purpose == "result" else self._owner()
        self._submit_print(lambda _c: self.rt.print_document(kind, data, owner=owner), purpose)

    def _reprint(self, job_id: str, *, purpose: str) -> None:
        self._submit_print(lambda _c: self.rt.reprint(job_id), purpose)

    def _submit_print(self, fn: Any, purpose: str) -> None:
        """Layout + ESC/POS encoding take tens of ms (a licence image): done in a task, not on the UI thread."""
        self._print_seq += 1
        if purpose == "result" and self.state.result is not None:
            self.state.result.printed = None
            self.state.result.print_message = msg("print.printing")
        elif purpose == "staff":
            self._staff_note(msg("print.printing"))
        else:
            self.state.notice = msg("print.printing")
        self._spawn(f"print-{self._print_seq}", fn, on_done=lambda job: self._print_queued(job, purpose),
                    on_error=lambda exc: self._print_refused(exc, purpose), timeout=20.0)

    def _print_queued(self, job: str, purpose: str) -> None:
        self._jobs[job] = purpose
        if purpose == "result":
            self._last_job = job
            self._staff_last_receipt = job
        early = self._early_print_events.pop(job, None)
        if early is not None:  # the printer finished before the task's answer was handled
            early()
        else:
            self._changed()

    def _print_refused(self, exc: BaseException, purpose: str) -> None:
        # a printer refusing a job must become a message, never a crash
        log.warning("print job refused: %s", type(exc).__name__)
        if purpose == "staff":
            self._staff_note(Text(f"打印失败：{_reason_of(exc).zh}", f"Print failed: {_reason_of(exc).en}"))
        else:
            self._print_unavailable(purpose, _reason_of(exc))
        self._changed()

    def _early(self, job_id: str, replay: Any) -> None:
        self._early_print_events[job_id] = replay
        while len(self._early_print_events) > 20:  # events of jobs that are not this session's: forget
            self._early_print_events.pop(next(iter(self._early_print_events)))

    def _print_unavailable(self, purpose: str, reason: Text) -> None:
        if purpose == "result" and self.state.result is not None:
            self.state.result.printed = False
            self.state.result.print_message = Text(msg("print.failed").zh.format(reason=reason.zh),
                                                   msg("print.failed").en.format(reason=reason.en))
        elif purpose != "staff":
            self.state.notice = Text(msg("print.copy_failed").zh.format(reason=reason.zh),
                                     msg("print.copy_failed").en.format(reason=reason.en))

    def on_print_done(self, job_id: str) -> None:
        purpose = self._jobs.pop(job_id, None)
        if purpose is None:
            self._early(job_id, lambda: self.on_print_done(job_id))
            return
        if purpose == "staff":
            self._staff_note(msg("staff.test_printed"))
        elif purpose == "result" and self.state.result is not None:
            self.state.result.printed = True
            self.state.result.print_message = msg("print.done")
        else:
            self.state.notice = msg("print.done")
        self._changed()

    def on_print_failed(self, job_id: str, reason_zh: str = "", reason_en: str = "", action: str = "") -> None:
        purpose = self._jobs.pop(job_id, None)
        if purpose is None:
            self._early(job_id, lambda: self.on_print_failed(job_id, reason_zh, reason_en, action))
            return
        reason = Text(reason_zh or "打印机故障", reason_en or reason_zh or "printer fault")
        if purpose == "staff":
            self._staff_note(Text(f"打印失败：{reason.zh}", f"Print failed: {reason.en}"))
        else:
            self._print_unavailable(purpose, reason)
        self._changed()


def _reason_of(exc: BaseException) -> Text:
    zh = getattr(exc, "message_zh", None) or "打印机暂不可用"
    en = getattr(exc, "message_en", None) or "printer unavailable"
    return Text(str(zh), str(en))
