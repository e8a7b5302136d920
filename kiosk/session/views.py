"""Per-screen view state: what each screen may read of the session, and nothing else.

The session publishes one :class:`~kiosk.session.state.SessionState`; a screen is handed only its own slice
of it — a frozen, slotted dataclass built by one function per screen (``BUILDERS``, keyed by screen name).
A field a screen does not list here does not exist for it (the menu cannot see the form, the attract
screen cannot see the identity), so a screen's dependencies on the session are declared in one place and
checked by the type checker. Field names match ``SessionState`` so a screen's body reads ``state.lang`` or
``state.menu`` whichever it is given. Lists become tuples: a screen cannot change what the session shows.

The window root (header, footer, banner, overlays) has its own :class:`RootView`. The kv rules read no
session state at all: they read the app's properties (``app.lang``, ``app.terminal_text``, ``app.clock_text``,
``app.landscape``, ``app.th``), which the app sets from the session in ``KioskApp.apply_state``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from kiosk.session.state import (CardView, ErrorView, FormView, GuideView, HelpView, Identity, LicenceView,
                                 MenuCategory, MenuItem, QrView, RecordView, ResultView, ServiceView, SessionState,
                                 StaffView, TerminalView, Text)


@dataclass(frozen=True, slots=True)
class ScreenView:
    """What every screen reads: the language and whether elder mode is on."""

    lang: str
    elder_mode: bool


@dataclass(frozen=True, slots=True)
class AttractScreenView(ScreenView):
    attract_services: tuple[MenuItem, ...]
    terminal: TerminalView


@dataclass(frozen=True, slots=True)
class IdentifyScreenView(ScreenView):
    qr: QrView | None
    card: CardView
    scanner: str  # online / offline / noDevice: whether and how the 亮随申码 way is offered


@dataclass(frozen=True, slots=True)
class MenuScreenView(ScreenView):
    identity: Identity | None  # masked display name only
    menu: tuple[MenuCategory, ...]


@dataclass(frozen=True, slots=True)
class GuideScreenView(ScreenView):
    service: ServiceView | None
    guide: GuideView | None
    guide_topics: tuple[MenuItem, ...]


@dataclass(frozen=True, slots=True)
class RecordScreenView(ScreenView):
    service: ServiceView | None
    record: RecordView | None


@dataclass(frozen=True, slots=True)
class LicenceScreenView(ScreenView):
    service: ServiceView | None
    licences: tuple[LicenceView, ...]


@dataclass(frozen=True, slots=True)
class FormScreenView(ScreenView):
    """The form and the confirm screen read the same slice: the service's title and its fields."""

    service: ServiceView | None
    form: FormView | None


@dataclass(frozen=True, slots=True)
class ResultScreenView(ScreenView):
    result: ResultView | None


@dataclass(frozen=True, slots=True)
class ClosedScreenView(ScreenView):
    closed: Text | None
    closed_hint: Text | None


@dataclass(frozen=True, slots=True)
class StaffScreenView(ScreenView):
    """The staff PIN pad and the staff panel both read the staff view (PIN progress, statuses, switches)."""

    staff: StaffView | None


@dataclass(frozen=True, slots=True)
class RootView(ScreenView):
    """The window root: which footer buttons (screen, identity), the error banner, the notice line, the
    idle countdown, the progress layer and the help notice."""

    screen: str
    identity: Identity | None
    error: ErrorView | None
    notice: Text | None
    countdown: int | None
    busy: Text | None
    help: HelpView | None


def attract_view(s: SessionState) -> AttractScreenView:
    return AttractScreenView(s.lang, s.elder_mode, tuple(s.attract_services), s.terminal)


def identify_view(s: SessionState) -> IdentifyScreenView:
    return IdentifyScreenView(s.lang, s.elder_mode, s.qr, s.card, s.devices.scanner)


def menu_view(s: SessionState) -> MenuScreenView:
    return MenuScreenView(s.lang, s.elder_mode, s.identity, tuple(s.menu))


def guide_view(s: SessionState) -> GuideScreenView:
    return GuideScreenView(s.lang, s.elder_mode, s.service, s.guide, tuple(s.guide_topics))


def record_view(s: SessionState) -> RecordScreenView:
    return RecordScreenView(s.lang, s.elder_mode, s.service, s.record)


def licence_view(s: SessionState) -> LicenceScreenView:
    return LicenceScreenView(s.lang, s.elder_mode, s.service, tuple(s.licences))


def form_view(s: SessionState) -> FormScreenView:
    return FormScreenView(s.lang, s.elder_mode, s.service, s.form)


def result_view(s: SessionState) -> ResultScreenView:
    return ResultScreenView(s.lang, s.elder_mode, s.result)


def closed_view(s: SessionState) -> ClosedScreenView:
    return ClosedScreenView(s.lang, s.elder_mode, s.closed, s.closed_hint)


def staff_view(s: SessionState) -> StaffScreenView:
    return StaffScreenView(s.lang, s.elder_mode, s.staff)


def root_view(s: SessionState) -> RootView:
    return RootView(s.lang, s.elder_mode, s.screen, s.identity, s.error, s.notice, s.countdown, s.busy, s.help)


def plain_view(s: SessionState) -> ScreenView:
    """A screen that shows nothing of the session (language and elder mode only)."""
    return ScreenView(s.lang, s.elder_mode)


#: screen name -> the one function that builds its view (every name of ``state.SCREENS`` is here)
BUILDERS: dict[str, Callable[[SessionState], ScreenView]] = {
    "attract": attract_view, "identify": identify_view, "menu": menu_view, "guide": guide_view,
    "record": record_view, "licence": licence_view, "form": form_view, "confirm": form_view,
    "result": result_view, "closed": closed_view, "staff_pin": staff_view, "staff": staff_view,
}


def view_for(screen: str, s: SessionState) -> ScreenView:
    """The view of ``s`` that the screen called ``screen`` is given; a screen not in ``BUILDERS`` (one a
    test builds) gets only the language and elder mode."""
    return BUILDERS.get(screen, plain_view)(s)
