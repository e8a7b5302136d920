"""Staff mode of the session: hidden entry, PIN, device checks, outbox, service switches, reprint, exit.

Entering staff mode first wipes any resident session (the coordinator's ``wipe``); everything slow (PIN
hashing, health checks, outbox query, log tail, test card read) runs as a task. The test card read is a
task like any other: Back cancels it at once, and it returns only the masked card (the runtime masks and
wipes the card on the worker that read it).
"""
from __future__ import annotations

import logging
from typing import Callable

from kiosk import __version__, catalog
from kiosk.session.core import SessionCore
from kiosk.session.printing import Printing
from kiosk.session.state import StaffView, Text
from kiosk.session.text import msg
from kiosk.staff import CornerTaps, PinGate

log = logging.getLogger(__name__)


class StaffFlow:
    """Owns ``state.staff`` and the staff screens; ``wipe`` and ``refresh_menu`` come from the coordinator."""

    def __init__(self, core: SessionCore, printing: Printing, *, wipe: Callable[[], None],
                 refresh_menu: Callable[[], None]) -> None:
        self.core = core
        self.printing = printing
        self._wipe = wipe
        self._refresh_menu = refresh_menu
        staff = getattr(core.cfg, "staff", None)
        self._corner = CornerTaps(int(getattr(staff, "corner_taps", 5)),
                                  float(getattr(staff, "corner_window_s", 3.0)), clock=core.clock)
        # the runtime's gate persists its state and reports lockouts through the heartbeat (issue 13 §4)
        self.pin_gate = getattr(core.rt, "pin_gate", None) or PinGate(
            int(getattr(staff, "lockout_after", 5)), float(getattr(staff, "lockout_s", 300)), clock=core.clock)
        self._pin = ""

    @property
    def active(self) -> bool:
        return self.core.state.screen in ("staff_pin", "staff")

    def _on(self, screen: str) -> bool:
        return self.core.state.screen == screen

    def note(self, text: Text) -> None:
        if self.core.state.staff is not None:
            self.core.state.staff.message = text

    def _noted(self, text: Text) -> None:
        self.note(text)
        self.core.changed()

    def forget_pin(self) -> None:
        self._pin = ""

    # ----- entry -------------------------------------------------------------------------------
    def corner_tap(self) -> None:
        core = self.core
        if self.active or not self._corner.tap():
            return
        if core.token is not None or core.state.screen not in ("attract", "closed"):
            self._wipe()
        self._pin = ""
        core.state.screen = "staff_pin"
        core.state.staff = StaffView(locked_for_s=self.pin_gate.locked_for())
        core.changed()

    def pin_digit(self, digit: str) -> None:
        core = self.core
        core.touched()
        if not self._on("staff_pin") or not str(digit).isdigit() or len(self._pin) >= 12:
            return
        self._pin += str(digit)
        core.state.staff.pin_digits = len(self._pin)
        core.changed()

    def pin_clear(self) -> None:
        self._pin = ""
        if self.core.state.staff is not None:
            self.core.state.staff.pin_digits = 0
        self.core.changed()

    def pin_submit(self) -> None:
        core = self.core
        if not self._on("staff_pin") or core.running("pin"):
            return
        pin, self._pin = self._pin, ""
        if not pin:  # 确定 on an empty entry is a slip, not a guess: it costs no try
            return
        view = core.state.staff
        view.pin_digits = 0
        locked = self.pin_gate.locked_for()
        if locked:
            view.locked_for_s = locked
            view.message = msg("staff.locked", seconds=locked)
            core.changed()
            return
        pin_hash, rt = str(getattr(getattr(core.cfg, "staff", None), "pin_hash", "")), core.rt
        core.spawn("pin", lambda _c: rt.verify_pin(pin, pin_hash), on_done=self._pin_checked,
                   on_error=lambda exc: self._pin_checked(False), timeout=10.0)
        core.changed()

    def _pin_checked(self, ok: bool) -> None:
        core = self.core
        self.pin_gate.record(bool(ok))
        if not self._on("staff_pin"):
            return
        if ok:
            core.state.screen = "staff"
            core.state.staff = StaffView(version=__version__)
            self.refresh()
            return
        locked = self.pin_gate.locked_for()
        core.state.staff.locked_for_s = locked
        core.state.staff.message = (msg("staff.locked", seconds=locked) if locked
                                    else msg("staff.wrong", left=self.pin_gate.tries_left()))
        core.changed()

    # ----- staff screen ------------------------------------------------------------------------
    def _services(self) -> list[tuple[str, Text, bool]]:
        off = self.core.overrides.disabled()
        return [(s.id, catalog.text_of(s.title), s.id not in off)
                for s in getattr(self.core.cfg, "services", ()) if getattr(s, "enabled", True)]

    def refresh(self) -> None:
        core = self.core
        if not self._on("staff"):
            return
        core.state.staff.services = self._services()
        core.state.staff.last_receipt = self.printing.last_receipt is not None
        rt = core.rt
        core.spawn("staff_info", lambda c: rt.staff_info(), on_done=self._info,
                   on_error=lambda exc: self._noted(Text(f"状态读取失败：{exc}", f"Status failed: {exc}")),
                   timeout=15.0)
        core.changed()

    def _info(self, info: dict) -> None:
        if not self._on("staff"):
            return
        view = self.core.state.staff
        view.statuses = list(info.get("statuses", []))
        view.outbox_depth = info.get("outbox_depth")
        view.log_tail = list(info.get("log_tail", []))
        self.core.changed()

    def test_print(self) -> None:
        if self._on("staff"):
            self.printing.print("test_page", None, purpose="staff")
            self.core.changed()

    def test_card(self) -> None:
        core = self.core
        if not self._on("staff"):
            return
        self.note(msg("card.waiting"))
        rt = core.rt
        core.spawn("staff_card", lambda cancel: rt.staff_read_card(cancel=cancel), on_done=self._card_read,
                   on_error=lambda exc: self.card_error(Text(str(getattr(exc, "message_zh", exc)),
                                                             str(getattr(exc, "message_en", exc)))),
                   timeout=30.0)
        core.changed()

    def _card_read(self, masked: dict[str, str]) -> None:
        summary = " ".join(str(masked.get(k) or "") for k in ("card_type", "name", "id_number")).strip()
        self._noted(msg("staff.card_ok", name=summary))

    def card_error(self, reason: Text) -> None:
        self._noted(msg("staff.card_failed", reason=reason))

    def retry_outbox(self) -> None:
        core = self.core
        if not self._on("staff"):
            return
        rt = core.rt
        core.spawn("staff_outbox", lambda c: rt.retry_outbox(), on_done=lambda _r: self._retried(),
                   on_error=lambda exc: self._noted(Text(f"重发失败：{exc}", f"Retry failed: {exc}")), timeout=15.0)
        core.changed()

    def _retried(self) -> None:
        self.note(msg("staff.outbox_retry"))
        self.refresh()

    def toggle_service(self, service_id: str) -> None:
        core = self.core
        if not self._on("staff"):
            return
        overrides = core.overrides
        overrides.set_enabled(service_id, service_id in overrides.disabled(), save=False)
        core.spawn(f"staff_save_{service_id}", lambda _c: overrides.save(), on_done=lambda _r: None,
                   on_error=lambda exc: self._noted(Text(f"服务开关保存失败：{exc}",
                                                         f"Could not save the service switch: {exc}")),
                   timeout=10.0)
        core.state.staff.services = self._services()
        self._refresh_menu()
        core.changed()

    def reprint_last(self) -> None:
        if not self._on("staff"):
            return
        if self.printing.last_receipt is None:
            self.note(msg("staff.no_receipt"))
        else:
            self.printing.reprint(self.printing.last_receipt, purpose="staff")
        self.core.changed()

    def leave(self) -> bool:
        """Back to the attract screen; False for a stale tap from a staff screen that is already gone."""
        core = self.core
        if not self.active:
            return False
        core.cancel_all_tasks()
        self._pin = ""
        core.state.staff = None
        core.state.countdown = None
        core.state.screen = "attract"
        return True

    def exit_app(self) -> None:
        if self._on("staff"):
            log.info("staff exit requested")
            self.core.exit_requested = True
            self.core.changed()
