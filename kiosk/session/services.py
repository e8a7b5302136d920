"""Services and forms: queue ticket, guide, record, e-licence, forms → confirm → submit.

Every backend call is a named task of the session so Home/Back/idle can cancel it. A service that needs the
resident's identity sends them through identification first and comes back here (``choose``) afterwards.
Long-text fields of a form are typed on the phone (:mod:`kiosk.session.handoff`); what is printed goes
through :mod:`kiosk.session.printing`.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

from kiosk import catalog
from kiosk.session.core import SessionCore
from kiosk.session.handoff import HandoffFlow
from kiosk.session.identify import IdentifyFlow
from kiosk.session.printing import Printing
from kiosk.session.state import ErrorView, FormView, GuideView, LicenceView, RecordView, ResultView, Text
from kiosk.session.text import backend_voice, msg, voice_of

if TYPE_CHECKING:
    from kiosk.backend.models import Guide, Licence, QueueTicket, Record
    from kiosk.backend.submissions import SubmissionResult
    from kiosk.config.services import ServiceDef

log = logging.getLogger(__name__)

#: seconds a flow's backend call may take before the resident is told to retry (the client retries inside)
_FETCH_TIMEOUT = 30.0


class ServiceFlows:
    """Owns ``state.service/form/guide/guide_topics/record/licences/result/notice``."""

    def __init__(self, core: SessionCore, identify: IdentifyFlow, handoff: HandoffFlow, printing: Printing,
                 leave_flow: Callable[[], None]) -> None:
        self.core = core
        self.identify = identify
        self.handoff = handoff
        self.printing = printing
        self._leave_flow = leave_flow
        self.service: ServiceDef | None = None
        self.form_values: dict[str, str] = {}
        self._form_checked = False
        self._printable: tuple[str, Any] | None = None
        self._licences: list[Licence] = []
        self.guide_topic: str | None = None
        handoff.on_change = self.refresh_form

    # ----- choosing ----------------------------------------------------------------------------
    def choose(self, service_id: str) -> None:
        core = self.core
        core.touched()
        service = catalog.find_service(core.cfg, service_id, core.overrides.disabled())
        if service is None:
            log.warning("unknown or disabled service chosen: %s", service_id)
            self._error(ErrorView(msg("error.unknown_service"), "home", voice="error.generic"))
            return
        reason = catalog.unavailable_reason(service, core.state.devices)
        if reason is not None:  # said before identifying: nobody should show their ID for a dead service
            self._error(ErrorView(reason, "help", voice=voice_of(reason)))
            return
        if catalog.needs_login(service) and core.token is None:
            self.identify.start(pending_service=service_id)
            return
        if core.state.screen != "identify":
            self._leave_flow()  # a new service replaces whatever flow was open (its pending calls too)
            core.state.screen = "menu" if core.token else "attract"
        else:
            self.clear()
        self.service = service
        core.state.service = catalog.service_view(service)
        core.state.error = None
        self._start(service)
        core.changed()

    def _start(self, service: "ServiceDef") -> None:
        core, client, token = self.core, self.core.rt.client, self.core.token
        action = service.action
        if action == "queue_ticket":
            core.spawn("queue", lambda c: client.create_queue_ticket(service.id, token, cancel=c),
                       on_done=self._queue_done, on_error=self._fetch_failed, timeout=_FETCH_TIMEOUT,
                       busy=msg("busy.queue"))
        elif action == "guide":
            # a guide service is a browser: first the topics (the catalog's other services), then one guide
            core.state.guide_topics = catalog.guide_topics(core.cfg, core.overrides.disabled())
            core.state.screen = "guide"
        elif action == "record":
            kind = str(service.params.get("kind", service.id))
            core.spawn("record", lambda c: client.get_record(kind, token, cancel=c),
                       on_done=self._record_done, on_error=self._fetch_failed, timeout=_FETCH_TIMEOUT,
                       busy=msg("busy.record"))
        elif action == "licences":
            core.spawn("licences", lambda c: client.get_licences(token, cancel=c),
                       on_done=self._licences_done, on_error=self._fetch_failed, timeout=_FETCH_TIMEOUT,
                       busy=msg("busy.licences"))
        elif action == "submission":
            self.form_values = {}
            self.handoff.start(service)  # long-text fields: a phone hand-off each (kiosk/session/handoff.py)
            core.state.form = self._form_view()
            core.state.screen = "form"
        else:  # config validation forbids it; say so rather than show a dead screen
            core.state.error = ErrorView(msg("error.unknown_service"), "home", voice="error.generic")

    def open_guide(self, topic_id: str) -> None:
        """On the guide screen: fetch and show the guide of ``topic_id`` (one of ``state.guide_topics``)."""
        core = self.core
        core.touched()
        if core.state.screen != "guide" or topic_id not in {t.service_id for t in core.state.guide_topics}:
            return
        self.guide_topic = topic_id
        client = core.rt.client
        core.spawn("guide", lambda c: client.get_guide(topic_id, cancel=c), on_done=self._guide_done,
                   on_error=self._fetch_failed, timeout=_FETCH_TIMEOUT, busy=msg("busy.guide"))
        core.changed()

    def back_to_topics(self) -> None:
        """Back from one guide to the list of topics."""
        self.core.cancel_task("guide")
        self.core.state.guide = None
        self._printable = None

    def clear(self) -> None:
        self.service = None
        self.form_values = {}
        self._form_checked = False
        self.handoff.drop()
        self._printable = None
        self._licences = []
        self.core.cancel_task("submit")
        state = self.core.state
        state.service = state.form = state.guide = state.record = state.result = state.notice = None
        state.guide_topics = []
        state.licences = []
        self.guide_topic = None

    def _error(self, error: ErrorView) -> None:
        self.core.state.error = error
        self.core.changed()

    def _fetch_failed(self, exc: BaseException) -> None:
        log.warning("service call failed: %s", type(exc).__name__)
        from kiosk.backend.errors import AuthError

        core = self.core
        if isinstance(exc, AuthError) and core.token is not None and self.service is not None:
            # the resident's gateway session expired: identify again, then straight back into the service
            service_id = self.service.id
            core.token = None
            core.state.identity = None
            self.clear()
            self.identify.start(pending_service=service_id)
            return
        reason = Text(getattr(exc, "message_zh", "") or "网络异常", getattr(exc, "message_en", "") or "network problem")
        self._error(ErrorView(msg("error.backend", reason=reason), "retry", voice=backend_voice(exc)))

    # ----- fetch results -----------------------------------------------------------------------
    def _queue_done(self, ticket: "QueueTicket") -> None:
        state = self.core.state
        state.result = ResultView(title=msg("result.queue"), reference=str(ticket.number),
                                  message=msg("result.queue_msg", window=Text(ticket.window_zh, ticket.window_en)))
        state.screen = "result"
        self.printing.print("queue_ticket", {"ticket": ticket, "service": self.service, "at": self.core.local_now()},
                            purpose="result")
        self.core.changed()

    def _guide_done(self, guide: "Guide") -> None:
        state = self.core.state
        state.guide = GuideView(
            title=Text(guide.title_zh, guide.title_en),
            sections=[(Text(s.heading_zh, s.heading_en), Text("\n".join(s.items_zh), "\n".join(s.items_en)))
                      for s in guide.sections])
        self._printable = ("service_guide", guide) if state.service is not None and state.service.printable else None
        state.screen = "guide"
        self.core.changed()

    def _record_done(self, record: "Record") -> None:
        columns = list(record.columns)
        table = [[str(row.get(col.key, "")) for col in columns] for row in record.rows]
        # rows: a two-column fallback (first cell as the label, the other cells as the value)
        rows = [(Text("持有人", "Holder"), str(record.holder))]
        rows += [(Text(cells[0], cells[0]), "  ".join(cells[1:])) for cells in table if cells]
        state = self.core.state
        state.record = RecordView(title=Text(record.title_zh, record.title_en), rows=rows,
                                  holder=str(record.holder), columns=[Text(c.zh, c.en) for c in columns],
                                  table=table)
        self._printable = ("record_printout", record)
        state.screen = "record"
        self.core.changed()

    def _licences_done(self, licences: "list[Licence]") -> None:
        from kiosk.masking import mask_licence_number

        state = self.core.state
        state.licences = [LicenceView(title=Text(x.name_zh, x.name_en), image_png=x.image_png,
                                      number_masked=mask_licence_number(str(x.number))) for x in licences]
        self._licences = list(licences)
        printable = state.service is not None and state.service.printable and licences
        self._printable = ("licence_copy", None) if printable else None
        state.screen = "licence"
        self.core.changed()

    # ----- forms -------------------------------------------------------------------------------
    def set_field(self, field_id: str, value: str) -> None:
        self.core.touched()
        if self.service is None or self.core.state.form is None:
            return
        self.service.field(field_id)  # KeyError for a field the form does not have: a screen bug
        self.form_values[field_id] = str(value)
        self.core.state.form = self._form_view()
        self.core.changed()

    def next(self) -> None:
        core = self.core
        core.touched()
        if core.state.screen != "form" or self.service is None:
            return
        problems = {**catalog.form_problems(self.service, self.form_values), **self.handoff.problems(self.service)}
        self._form_checked = self._form_checked or bool(problems)  # after a refused 下一步, judge every field
        core.state.form = self._form_view()
        if problems:
            core.state.error = ErrorView(msg("error.form"), "back", voice="error.input")
        else:
            core.state.error = None
            core.state.screen = "confirm"
        core.changed()

    def confirm(self) -> None:
        core = self.core
        core.touched()
        if core.state.screen != "confirm" or self.service is None or core.running("submit"):
            return
        service = self.service
        fields = dict(self.form_values)
        fields.update(self.handoff.values())  # the text stays at the gateway; the submission names it
        kind = str(service.params.get("submission_type", service.id))
        token, rt = core.token, core.rt
        core.spawn("submit", lambda c: rt.submit(service.id, kind, fields, token), on_done=self._submitted,
                   on_error=self._submit_failed, timeout=_FETCH_TIMEOUT, busy=msg("busy.submit"))
        core.changed()

    def _submitted(self, result: "SubmissionResult") -> None:
        # the submission (delivered or queued) now holds the hand-offs: leave them on the gateway — unless
        # the gateway refused it, then the typed text has no use and is dropped
        rejected = getattr(result, "status", "") == "rejected"
        self.handoff.drop(cancel_remote=rejected)
        self.form_values = {}
        state = self.core.state
        state.form = None
        state.screen = "result"
        if rejected:  # the gateway refused it: never claim it is on its way
            state.result = ResultView(
                title=msg("result.rejected"), reference=str(result.reference), delivered=False,
                message=Text(result.message_zh or msg("result.rejected").zh,
                             result.message_en or msg("result.rejected").en))
            self.core.changed()
            return
        delivered = bool(result.delivered)
        state.result = ResultView(
            title=msg("result.delivered") if delivered else msg("result.queued"),
            message=msg("result.delivered_msg") if delivered else msg("result.queued_msg"),
            reference=str(result.reference), delivered=delivered)
        name = state.identity.display_name if state.identity else None
        self.printing.print("submission_receipt", {"service": self.service, "result": result, "name": name,
                                                   "at": self.core.local_now()}, purpose="result")
        self.core.changed()

    def _submit_failed(self, exc: BaseException) -> None:
        # the outbox could not even store it: do not claim it is safe; keep the form so nothing is retyped
        log.error("submission could not be stored: %s", type(exc).__name__)
        self._error(ErrorView(msg("error.internal"), "retry", voice="error.generic"))

    def _form_view(self) -> FormView:
        form = catalog.form_view(self.service, self.form_values, None, show_errors=self._form_checked)
        self.handoff.decorate(form, show_required=self._form_checked)
        return form

    def refresh_form(self) -> None:
        if self.core.state.form is not None and self.service is not None:
            self.core.state.form = self._form_view()

    # ----- printing what is shown --------------------------------------------------------------
    def print_current(self, index: int = 0) -> None:
        """Print the shown guide / record / licence (``index`` of ``state.licences``) or reprint the receipt."""
        self.core.touched()
        printing = self.printing
        if self.core.state.screen == "result" and printing.last_job is not None:
            printing.reprint(printing.last_job, purpose="result")
        elif self._printable is not None:
            kind, data = self._printable
            if kind == "licence_copy":
                if not 0 <= index < len(self._licences):
                    return
                data = self._licences[index]
            printing.print(kind, data, purpose="copy")
        self.core.changed()
