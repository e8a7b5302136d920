"""Phone hand-off of free-text form fields (诉求内容, 收件地址): the session's side of ``/v1/handoffs``.

A free-text field (``handoff_text``, ``address``) is typed on the kiosk's own keyboard or address picker;
typing it on the resident's phone is an option beside that, never the only way. When the form is shown the session asks the gateway for a hand-off per such field (a task), shows its URL as the
field's QR, polls it at the gateway's interval on a worker, and shows 已在手机上填写（N 字） once the phone
submitted. The text itself stays at the gateway: the submission carries ``"handoff:<id>"`` for the field
and the gateway attaches the text, so long personal text never transits or rests on the kiosk. Leaving the
form or a wipe cancels the hand-offs on the gateway (which drops the text); after a submission they belong
to it and are left alone. A failing hand-off endpoint leaves the form usable: the field says why, offers
retry (``refresh_handoff``), stays required if it is, and the resident can always go back.

UI thread only, like the rest of the session; the form itself belongs to :mod:`kiosk.session.services`,
which asks this module for each hand-off field's line (``decorate``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from kiosk.session.core import SessionCore, error_text, seconds_until
from kiosk.session.state import FormView, Text
from kiosk.session.text import msg

if TYPE_CHECKING:
    from kiosk.backend.models import Handoff, HandoffState
    from kiosk.config.services import ServiceDef

log = logging.getLogger(__name__)

#: catalog kinds typed as free text, each with a phone hand-off beside the kiosk's own keyboard
FREE_TEXT = ("handoff_text", "address")
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


class HandoffFlow:
    """The hand-offs of the form on screen, one per long-text field (``entries``: field id -> state)."""

    def __init__(self, core: SessionCore) -> None:
        self.core = core
        self.entries: dict[str, _Handoff] = {}
        self.on_change: Callable[[], None] = lambda: None  # the form re-renders its hand-off fields
        self._service_id: str | None = None

    # ----- lifecycle ---------------------------------------------------------------------------
    def start(self, service: "ServiceDef") -> None:
        """The form of ``service`` is shown: one hand-off per free-text field."""
        self._service_id = service.id
        for fdef in getattr(service, "fields", ()) or ():
            if fdef.kind in FREE_TEXT:
                self._create(fdef.id)

    def refresh(self, field_id: str) -> None:
        """Screen: 重试 on a hand-off field that expired or failed — a new code (the old one is cancelled)."""
        self.core.touched()
        entry = self.entries.get(field_id)
        if entry is None or entry.state not in ("expired", "error") or self._service_id is None:
            return
        self._cancel_remote(entry)
        self._create(field_id)
        self._changed()

    def _changed(self) -> None:
        self.on_change()
        self.core.changed()

    def _create(self, field_id: str) -> None:
        service_id, token, client = self._service_id, self.core.token, self.core.rt.client
        self.entries[field_id] = _Handoff()
        self.core.spawn(f"handoff:{field_id}", lambda c: client.create_handoff(service_id, field_id, token, cancel=c),
                        on_done=lambda h: self.created(field_id, h),
                        on_error=lambda exc: self._failed(field_id, exc), timeout=_CALL_TIMEOUT)

    def created(self, field_id: str, handoff: "Handoff") -> None:
        entry = self.entries.get(field_id)
        if entry is None:  # the form was left meanwhile: nobody will scan it
            self._cancel_remote(_Handoff(id=str(handoff.id)))
            return
        core = self.core
        entry.state, entry.id, entry.url = "waiting", str(handoff.id), str(handoff.url)
        entry.interval_s = max(1.0, float(getattr(handoff, "interval_s", 2.0) or 2.0))
        entry.expires_at = core.clock() + seconds_until(getattr(handoff, "expires_at", None), core.now)
        entry.next_poll = core.clock() + entry.interval_s
        self._changed()

    def _failed(self, field_id: str, exc: BaseException) -> None:
        log.warning("phone hand-off unavailable: %s", type(exc).__name__)
        entry = self.entries.get(field_id)
        if entry is None:
            return
        entry.state, entry.reason = "error", error_text(exc, Text("网络异常", "network problem"))
        self._changed()

    # ----- polling (from tick) -----------------------------------------------------------------
    def tick(self, now: float) -> bool:
        changed = False
        for field_id, entry in self.entries.items():
            if entry.state != "waiting":
                continue
            if now >= entry.expires_at:
                entry.state, entry.next_poll = "expired", None
                self.core.cancel_task(f"handoff_poll:{field_id}")
                changed = True
            elif entry.next_poll is not None and now >= entry.next_poll:
                entry.next_poll = None  # the answer schedules the next poll
                self._poll(field_id, str(entry.id))
        if changed:
            self.on_change()
        return changed

    def _poll(self, field_id: str, handoff_id: str) -> None:
        client = self.core.rt.client
        self.core.spawn(f"handoff_poll:{field_id}", lambda c: client.poll_handoff(handoff_id, cancel=c),
                        on_done=lambda st: self._polled(field_id, st),
                        on_error=lambda exc: self._poll_failed(field_id, exc), timeout=_CALL_TIMEOUT)

    def _polled(self, field_id: str, st: "HandoffState") -> None:
        entry = self.entries.get(field_id)
        if entry is None or entry.state != "waiting":
            return
        entry.interval_s = max(1.0, float(getattr(st, "interval_s", entry.interval_s) or entry.interval_s))
        if st.state == "submitted":
            entry.state, entry.text_length = "submitted", int(st.text_length or 0)
        elif st.state in ("expired", "cancelled"):
            entry.state = "expired"
        else:
            entry.next_poll = self.core.clock() + entry.interval_s
            return
        self._changed()

    def _poll_failed(self, field_id: str, exc: BaseException) -> None:
        # a lost poll is not the resident's problem: keep the code, ask again a little later
        log.info("hand-off poll failed: %s", type(exc).__name__)
        entry = self.entries.get(field_id)
        if entry is not None and entry.state == "waiting":
            entry.next_poll = self.core.clock() + min(entry.interval_s * 2, _POLL_BACKOFF_MAX_S)

    # ----- leaving -----------------------------------------------------------------------------
    def drop(self, *, cancel_remote: bool = True, kept: frozenset[str] = frozenset()) -> None:
        """Forget this form's hand-offs; cancel them on the gateway unless a submission now holds them
        (``kept``: the fields whose hand-off the submission names; the others are cancelled all the same)."""
        for field_id, entry in self.entries.items():
            self.core.cancel_task(f"handoff:{field_id}")
            self.core.cancel_task(f"handoff_poll:{field_id}")
            if cancel_remote or field_id not in kept:
                self._cancel_remote(entry)
        self.entries = {}
        self._service_id = None

    def _cancel_remote(self, entry: _Handoff) -> None:
        if entry.id is None:
            return
        handoff_id, client = entry.id, self.core.rt.client
        self.core.fire_and_forget("handoff_cancel", lambda c: client.cancel_handoff(handoff_id, cancel=c),
                                  timeout=_CALL_TIMEOUT)

    # ----- the form ----------------------------------------------------------------------------
    def values(self, typed: frozenset[str] = frozenset()) -> dict[str, str]:
        """What the submission carries for hand-off fields: ``handoff:<id>`` for each submitted one that was
        not typed at the kiosk (``typed``: what the resident sees on the kiosk is what is sent)."""
        return {fid: f"handoff:{e.id}" for fid, e in self.entries.items()
                if e.state == "submitted" and fid not in typed}

    def submitted(self, field_id: str) -> bool:
        entry = self.entries.get(field_id)
        return entry is not None and entry.state == "submitted"

    def decorate(self, form: FormView, *, show_required: bool) -> None:
        """Fill each hand-off field of ``form`` with its code, its state line and its error."""
        for f in form.fields:
            if f.kind not in ("handoff", "address"):
                continue
            entry = self.entries.get(f.id) or _Handoff(state="error", reason=msg("error.internal"))
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
                f.handoff_status = f.error = msg("handoff.failed", reason=entry.reason or Text("网络异常", "network problem"))
            if f.value:  # typed at the kiosk: a code that failed or expired is no longer a problem
                f.error = None
            elif f.error is None and show_required and f.required and entry.state != "submitted":
                f.error = msg("text.required")
