"""Phone hand-off of long-text form fields (诉求内容, 收件地址): the session's side of ``/v1/handoffs``.

The kiosk has no Chinese input method, so a ``handoff_text`` field is typed on the resident's phone. When the
form is shown the session asks the gateway for a hand-off per such field (a task), shows its URL as the
field's QR, polls it at the gateway's interval on a worker, and shows 已在手机上填写（N 字） once the phone
submitted. The text itself stays at the gateway: the submission carries ``"handoff:<id>"`` for the field
and the gateway attaches the text, so long personal text never transits or rests on the kiosk. Leaving the
form or a wipe cancels the hand-offs on the gateway (which drops the text); after a submission they belong
to it and are left alone. A failing hand-off endpoint leaves the form usable: the field says why, offers
retry (``refresh_handoff``), stays required if it is, and the resident can always go back.

A mixin of :class:`kiosk.session.controller.SessionController` (same object, UI thread only).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk import catalog
from kiosk.session.identify import _error_text, _seconds_until
from kiosk.session.state import FormView, Text
from kiosk.session.text import msg

log = logging.getLogger(__name__)

#: seconds a hand-off call may take before the field says the phone route is unavailable
_CALL_TIMEOUT = 15.0
#: longest wait between polls after a failed poll (the QR stays; the gateway may be back soon)
_POLL_BACKOFF_MAX_S = 10.0


@dataclass
class _Handoff:
    state: str = "loading"  # loading waiting submitted expired error
    id: str | None = None
    url: str | None = None
    interval_s: float = 2.0
    expires_at: float = 0.0  # session clock
    next_poll: float | None = None
    text_length: int = 0
    reason: Text | None = None


class HandoffMixin:
    def _handoff_init(self) -> None:
        self._handoffs: dict[str, _Handoff] = {}
        self._handoff_seq = 0

    # ----- lifecycle ---------------------------------------------------------------------------
    def _handoff_start(self, service: Any) -> None:
        """The form of ``service`` is shown: one hand-off per long-text field."""
        for fdef in getattr(service, "fields", ()) or ():
            if fdef.kind == "handoff_text":
                self._handoff_create(fdef.id)

    def refresh_handoff(self, field_id: str) -> None:
        """Screen: 重试 on a hand-off field that expired or failed — a new code (the old one is cancelled)."""
        self._last_touch = self.clock()
        entry = self._handoffs.get(field_id)
        if entry is None or entry.state not in ("expired", "error") or self._service_def is None:
            return
        self._handoff_cancel_remote(entry)
        self._handoff_create(field_id)
        self._refresh_form()
        self._changed()

    def _handoff_create(self, field_id: str) -> None:
        service_id, token = self._service_def.id, self._token
        self._handoffs[field_id] = _Handoff()
        self._spawn(f"handoff:{field_id}",
                    lambda c: self.rt.client.create_handoff(service_id, field_id, token, cancel=c),
                    on_done=lambda h: self._handoff_created(field_id, h),
                    on_error=lambda exc: self._handoff_failed(field_id, exc), timeout=_CALL_TIMEOUT)

    def _handoff_created(self, field_id: str, handoff: Any) -> None:
        entry = self._handoffs.get(field_id)
        if entry is None:  # the form was left meanwhile: nobody will scan it
            self.rt.spawn("handoff_cancel", lambda c: self.rt.client.cancel_handoff(handoff.id, cancel=c),
                          on_done=lambda _r: None, on_error=lambda _e: None, timeout=_CALL_TIMEOUT)
            return
        entry.state, entry.id, entry.url = "waiting", str(handoff.id), str(handoff.url)
        entry.interval_s = max(1.0, float(getattr(handoff, "interval_s", 2.0) or 2.0))
        entry.expires_at = self.clock() + _seconds_until(getattr(handoff, "expires_at", None), self.now)
        entry.next_poll = self.clock() + entry.interval_s
        self._refresh_form()
        self._changed()

    def _handoff_failed(self, field_id: str, exc: BaseException) -> None:
        log.warning("phone hand-off unavailable: %s", type(exc).__name__)
        entry = self._handoffs.get(field_id)
        if entry is None:
            return
        entry.state, entry.reason = "error", _error_text(exc, Text("网络异常", "network problem"))
        self._refresh_form()
        self._changed()

    # ----- polling (from tick) -----------------------------------------------------------------
    def _handoff_tick(self, now: float) -> bool:
        changed = False
        for field_id, entry in self._handoffs.items():
            if entry.state != "waiting":
                continue
            if now >= entry.expires_at:
                entry.state, entry.next_poll = "expired", None
                self._cancel_task(f"handoff_poll:{field_id}")
                changed = True
            elif entry.next_poll is not None and now >= entry.next_poll:
                entry.next_poll = None  # the answer schedules the next poll
                handoff_id = entry.id
                self._spawn(f"handoff_poll:{field_id}",
                            lambda c, hid=handoff_id: self.rt.client.poll_handoff(hid, cancel=c),
                            on_done=lambda st, fid=field_id: self._handoff_polled(fid, st),
                            on_error=lambda exc, fid=field_id: self._handoff_poll_failed(fid, exc),
                            timeout=_CALL_TIMEOUT)
        if changed:
            self._refresh_form()
        return changed

    def _handoff_polled(self, field_id: str, st: Any) -> None:
        entry = self._handoffs.get(field_id)
        if entry is None or entry.state != "waiting":
            return
        entry.interval_s = max(1.0, float(getattr(st, "interval_s", entry.interval_s) or entry.interval_s))
        if st.state == "submitted":
            entry.state, entry.text_length = "submitted", int(st.text_length or 0)
        elif st.state in ("expired", "cancelled"):
            entry.state = "expired"
        else:
            entry.next_poll = self.clock() + entry.interval_s
            return
        self._refresh_form()
        self._changed()

    def _handoff_poll_failed(self, field_id: str, exc: BaseException) -> None:
        # a lost poll is not the resident's problem: keep the code, ask again a little later
        log.info("hand-off poll failed: %s", type(exc).__name__)
        entry = self._handoffs.get(field_id)
        if entry is not None and entry.state == "waiting":
            entry.next_poll = self.clock() + min(entry.interval_s * 2, _POLL_BACKOFF_MAX_S)

    # ----- leaving -----------------------------------------------------------------------------
    def _handoff_drop(self, *, cancel_remote: bool = True) -> None:
        """Forget this form's hand-offs; cancel them on the gateway unless a submission now holds them."""
        for field_id, entry in self._handoffs.items():
            self._cancel_task(f"handoff:{field_id}")
            self._cancel_task(f"handoff_poll:{field_id}")
            if cancel_remote:
                self._handoff_cancel_remote(entry)
        self._handoffs = {}

    def _handoff_cancel_remote(self, entry: _Handoff) -> None:
        if entry.id is None:
            return
        handoff_id = entry.id
        # fire-and-forget (not a session task, so a wipe does not cancel the cancel): a failed cancel only
        # means the gateway expires the hand-off by itself
        self.rt.spawn("handoff_cancel", lambda c: self.rt.client.cancel_handoff(handoff_id, cancel=c),
                      on_done=lambda _r: None, on_error=lambda _e: None, timeout=_CALL_TIMEOUT)

    # ----- the form ----------------------------------------------------------------------------
    def _handoff_values(self) -> dict[str, str]:
        """What the submission carries for hand-off fields: ``handoff:<id>`` for each submitted one."""
        return {fid: f"handoff:{e.id}" for fid, e in self._handoffs.items() if e.state == "submitted"}

    def _handoff_problems(self) -> dict[str, Text]:
        out = {}
        for fdef in getattr(self._service_def, "fields", ()) or ():
            if fdef.kind == "handoff_text" and fdef.required:
                entry = self._handoffs.get(fdef.id)
                if entry is None or entry.state != "submitted":
                    out[fdef.id] = msg("handoff.required")
        return out

    def _form_view(self) -> FormView:
        form = catalog.form_view(self._service_def, self._form_values, None, show_errors=self._form_checked)
        for f in form.fields:
            if f.kind != "handoff":
                continue
            entry = self._handoffs.get(f.id) or _Handoff(state="error", reason=msg("error.internal"))
            f.handoff_state = entry.state
            f.handoff_url = entry.url if entry.state == "waiting" else None
            if entry.state == "submitted":
                f.handoff_status = msg("handoff.done", n=entry.text_length)
            elif entry.state == "loading":
                f.handoff_status = msg("handoff.loading")
            elif entry.state == "waiting":
                f.handoff_status = msg("handoff")
            elif entry.state == "expired":
                f.handoff_status = f.error = msg("handoff.expired")
            else:
                reason, tpl = entry.reason or Text("网络异常", "network problem"), msg("handoff.failed")
                f.handoff_status = f.error = Text(tpl.zh.format(reason=reason.zh), tpl.en.format(reason=reason.en))
            if f.error is None and self._form_checked and f.required and entry.state != "submitted":
                f.error = msg("handoff.required")
        return form

    def _refresh_form(self) -> None:
        if self.state.form is not None and self._service_def is not None:
            self.state.form = self._form_view()
