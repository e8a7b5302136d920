"""The session coordinator: the single decider of what the kiosk shows.

``SessionController`` runs on the UI thread only. Screens call its methods (docs/app-contract.md); device
events and background results arrive through the runtime's bridge. It never blocks: every device/backend
call is a cancellable task on a worker, so Home/Back/idle can abandon it at once.

It is small on purpose: it owns navigation (Home, Back, retry), the wipe, the idle countdown and opening
hours, and hands everything else to one collaborator per concern — :class:`IdentifyFlow` (card and QR),
:class:`ServiceFlows` (services and forms), :class:`HandoffFlow` (phone hand-off), :class:`Printing`,
:class:`StaffFlow` — which share only :class:`SessionCore` (state, tasks, token, clocks). A new flow (the
scanner, voice, help requests) is one more collaborator built here. The public methods below are the
contract screens and tests use; one that only passes its arguments on is declared as a :class:`Delegate`
to the collaborator's method (same name for callers, same typed parameters).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from kiosk import catalog, clock as wallclock
from kiosk.ime import clear_session as clear_ime_picks
from kiosk.session.core import SessionCore, SessionRuntime
from kiosk.session.delegate import Delegate
from kiosk.session.handoff import HandoffFlow
from kiosk.session.help import HelpFlow
from kiosk.session.identify import IdentifyFlow
from kiosk.session.idle import IdleWatch
from kiosk.session.printing import Printing
from kiosk.session.scan import ScanFlow
from kiosk.session.services import ServiceFlows
from kiosk.session.staff import StaffFlow
from kiosk.session.staff_voice import VOLUME_STEP, StaffVoice
from kiosk.session.state import DeviceView, SessionState, Text

if TYPE_CHECKING:
    from kiosk.config.loader import KioskConfig

log = logging.getLogger(__name__)


class SessionController:
    """See the module docstring. ``runtime`` is a :class:`kiosk.runtime.Runtime` or a test fake."""

    def __init__(self, config: "KioskConfig", runtime: SessionRuntime, *, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = wallclock.utc_now) -> None:
        self.core = core = SessionCore(config, runtime, clock=clock, now=now)
        self.identify = IdentifyFlow(core, on_identified=self._identified)
        self.handoff = HandoffFlow(core)
        self.staff = StaffFlow(core, Printing(core, staff_note=lambda t: self.staff.note(t)),
                               wipe=lambda: self.wipe(), refresh_menu=self._refresh_menu)
        self.printing = self.staff.printing
        self.scan = ScanFlow(core, self.identify, self.printing)
        self.services = ServiceFlows(core, self.identify, self.handoff, self.printing, leave_flow=self._leave_flow)
        # wipe is looked up at call time: whatever wipe() is (a test's leaky one included) is what runs
        self.idle = IdleWatch(core, wipe=lambda: self.wipe(), stop_cards=self.identify.stop_cards)
        self.help = HelpFlow(core, self.idle)
        self.staff_voice = StaffVoice(core, self.help)
        self._refresh_menu()

    # ----- observation -------------------------------------------------------------------------
    @property
    def state(self) -> SessionState:
        return self.core.state

    @property
    def exit_requested(self) -> bool:
        return self.core.exit_requested

    def subscribe(self, listener: Callable[[SessionState], None]) -> Callable[[], None]:
        listeners = self.core.listeners
        listeners.append(listener)

        def unsubscribe() -> None:
            if listener in listeners:
                listeners.remove(listener)
        return unsubscribe

    def local_now(self) -> datetime:
        return self.core.local_now()

    def clock_text(self) -> str:
        """The header clock, e.g. ``2026-11-28  07:16`` in the terminal's zone (screens/shell.py calls it)."""
        return self.core.local_now().strftime(wallclock.CLOCK_FORMAT)

    def session_left(self) -> int | None:
        """Seconds before the session ends if left alone (the header's "剩余 1:45"); None outside a session."""
        return self.idle.remaining(self.core.clock())

    def request_exit(self, reason: str = "") -> None:
        """Ask the app to end cleanly (ops: restart while idle). The app stops when it sees exit_requested."""
        log.info("app exit requested: %s", reason)
        self.core.exit_requested = True
        self.core.changed()

    # ----- simple inputs -----------------------------------------------------------------------
    def touch(self) -> None:
        if self.idle.touch():
            self.core.changed()

    def dismiss(self) -> None:
        self.state.help = None
        self.state.error = None
        self.core.changed()

    def set_language(self, lang: str) -> None:
        if lang not in ("zh-CN", "en"):
            raise ValueError(f"unsupported language {lang!r}")
        self.state.lang = lang
        self.core.changed()

    def toggle_elder_mode(self) -> None:
        self.state.elder_mode = not self.state.elder_mode
        self.core.changed()

    request_help = Delegate("help", HelpFlow.request)
    cancel_help = Delegate("help", HelpFlow.cancel)

    def continue_session(self) -> None:
        self.idle.touch()
        self.core.changed()

    def end_session(self) -> None:
        self.wipe()

    # ----- device status and events ------------------------------------------------------------
    def on_devices(self, view: DeviceView) -> None:
        self.state.devices = view
        if self.state.screen == "identify" and self.core.token is None:
            self.identify.reader_changed(view.reader_online)
        self._refresh_menu()
        self.core.changed()

    on_card_present = Delegate("identify", IdentifyFlow.on_card_present)
    on_card_removed = Delegate("identify", IdentifyFlow.on_card_removed)

    def on_card_error(self, message_zh: str = "", message_en: str = "", code: object = None) -> None:
        if self.state.screen == "staff":
            self.staff.card_error(Text(message_zh or "读卡失败", message_en or "Card read failed"))
        else:
            self.identify.on_card_error(message_zh, message_en)

    on_scan = Delegate("scan", ScanFlow.on_scan)
    on_print_done = Delegate("printing", Printing.on_print_done)

    def on_print_failed(self, job_id: str, reason_zh: str = "", reason_en: str = "", action: str = "") -> None:
        self.printing.on_print_failed(job_id, reason_zh, reason_en)

    def _refresh_menu(self) -> None:
        self.state.menu, self.state.attract_services = catalog.build_menu(
            self.core.cfg, self.state.devices, self.core.overrides.disabled())

    # ----- the resident's actions (each owned by one collaborator) -------------------------------
    start_identify = Delegate("identify", IdentifyFlow.start)
    refresh_qr = Delegate("identify", IdentifyFlow.refresh_qr)
    choose_service = Delegate("services", ServiceFlows.choose)
    open_guide = Delegate("services", ServiceFlows.open_guide)
    set_field = Delegate("services", ServiceFlows.set_field)
    next = Delegate("services", ServiceFlows.next)
    confirm = Delegate("services", ServiceFlows.confirm)
    print_current = Delegate("services", ServiceFlows.print_current)
    back_to_shown = Delegate("printing", Printing.back_to_shown)
    refresh_handoff = Delegate("handoff", HandoffFlow.refresh)
    refuse_input = Delegate("services", ServiceFlows.refuse_input)
    refresh_slots = Delegate("services", ServiceFlows.refresh_slots)

    def _identified(self, pending_service: str | None) -> None:
        if pending_service:
            self.services.choose(pending_service)  # straight on into the service chosen before identifying
        else:
            self.core.changed()

    # ----- staff (hidden corner, PIN, staff screen) --------------------------------------------
    staff_corner_tap = Delegate("staff", StaffFlow.corner_tap)
    staff_pin_digit = Delegate("staff", StaffFlow.pin_digit)
    staff_pin_clear = Delegate("staff", StaffFlow.pin_clear)
    staff_pin_submit = Delegate("staff", StaffFlow.pin_submit)
    staff_refresh = Delegate("staff", StaffFlow.refresh)
    staff_test_print = Delegate("staff", StaffFlow.test_print)
    staff_test_card = Delegate("staff", StaffFlow.test_card)
    staff_test_scan = Delegate("scan", ScanFlow.staff_test)
    staff_retry_outbox = Delegate("staff", StaffFlow.retry_outbox)
    staff_toggle_service = Delegate("staff", StaffFlow.toggle_service)
    staff_reprint_last = Delegate("staff", StaffFlow.reprint_last)
    staff_exit_app = Delegate("staff", StaffFlow.exit_app)

    def staff_volume_up(self) -> None:
        self.staff_voice.volume(VOLUME_STEP)

    def staff_volume_down(self) -> None:
        self.staff_voice.volume(-VOLUME_STEP)

    staff_toggle_mute = Delegate("staff_voice", StaffVoice.toggle_mute)

    def staff_leave(self) -> None:
        if self.staff.leave():
            self.idle.reset()
            self.core.changed()

    # ----- navigation --------------------------------------------------------------------------
    def home(self) -> None:
        if self.staff.active:
            self.staff_leave()
            return
        self._leave_flow()
        self.state.screen = "menu" if self.core.token else "attract"
        self.core.changed()

    def back(self) -> None:
        state = self.state
        if state.error is not None and state.error.action == "back":
            state.error = None  # "back" on an error (e.g. fix the highlighted fields) returns to the screen
        elif state.screen == "confirm":
            state.screen = "form"
        elif state.screen == "guide" and (state.guide is not None or self.core.running("guide")):
            self.services.back_to_topics()
        elif self.staff.active:
            self.staff_leave()
            return
        elif state.screen == "identify":
            self.identify.leave()
            self.idle.stop_countdown()  # attract never counts down
            state.screen = "attract"
        else:
            self.home()
            return
        self.core.changed()

    def retry(self) -> None:
        """The error overlay's retry: run the current service (or identification) again."""
        self.state.error = None
        screen, services = self.state.screen, self.services
        if screen == "identify":
            self.identify.refresh_qr()
        elif screen == "guide" and services.guide_topic is not None:
            services.open_guide(services.guide_topic)
        elif screen == "confirm":
            services.confirm()
        elif services.service is not None:
            services.choose(services.service.id)
        else:
            self.core.changed()

    def _leave_flow(self) -> None:
        """Abandon whatever the current screen was waiting for (Home/Back)."""
        if self.state.screen == "identify":
            self.identify.leave()
        for name in ("queue", "guide", "record", "licences"):
            self.core.cancel_task(name)
        self.state.busy = None
        self.state.error = None
        self.idle.stop_countdown()
        self.services.clear()

    # ----- wipe --------------------------------------------------------------------------------
    def wipe(self) -> None:
        """Forget the resident completely; see docs/app-contract.md."""
        core = self.core
        self.identify.stop_cards()
        core.cancel_all_tasks()
        self.identify.leave()
        core.rt.discard_jobs(core.owner())
        core.token = None
        self.staff.forget_pin()
        self.services.clear()
        self.printing.reset()
        clear_ime_picks()  # the resident's own picks on the pinyin keyboard leave with them
        core.session_no += 1
        core.state = core.fresh_state()
        self._refresh_menu()
        core.touched()
        self.idle.reset()
        log.info("session wiped")
        core.changed()

    def unexpected(self, exc: BaseException, kind: str) -> bool:
        """A screen's callback raised ``exc``: hand it to the runtime's last resort (kiosk/crash.py), which
        logs it, alerts staff and calls :meth:`fail_safe`. False when the runtime has none (a test fake)."""
        handler = getattr(self.core.rt, "last_resort", None)
        if handler is None:
            return False
        handler.handle(exc, kind)
        return True

    def fail_safe(self, kind: str = "") -> None:
        """The last resort's hook (kiosk/crash.py): something raised unexpectedly. Forget the resident and
        show the truthful "暂时无法办理" notice with 一键求助 on the attract screen, for the next resident."""
        from kiosk.crash import UNAVAILABLE
        from kiosk.session.state import ErrorView

        core = self.core
        try:
            self.wipe()
        finally:  # even a wipe that fails leaves a fresh, empty state on the glass
            if core.state.screen != "attract" or core.state.error is not None:
                core.state = core.fresh_state()
            core.state.error = ErrorView(UNAVAILABLE, action="help")
            log.warning("failed safe after an unexpected %s error: session wiped", kind or "callback")
            core.changed()

    # ----- clock -------------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.core.clock()
        changed = self.identify.tick(now)
        changed = self.handoff.tick(now) or changed
        changed = self.idle.tick(now) or changed
        if changed:
            self.core.changed()
