"""Staff mode of the session: hidden entry, PIN, device checks, outbox, service switches, reprint, exit.

A mixin of :class:`kiosk.session.controller.SessionController`. Entering staff mode first wipes any resident session;
everything slow (PIN hashing, health checks, outbox query, log tail, test card read) runs as a task.
"""
from __future__ import annotations

import logging
from typing import Any

from kiosk import __version__, catalog
from kiosk.session.state import StaffView, Text
from kiosk.session.text import msg
from kiosk.staff import CornerTaps, PinGate, ServiceOverrides, overrides_path

log = logging.getLogger(__name__)


class StaffMixin:
    def _staff_init(self) -> None:
        staff = getattr(self.cfg, "staff", None)
        self._corner = CornerTaps(int(getattr(staff, "corner_taps", 5)),
                                  float(getattr(staff, "corner_window_s", 3.0)), clock=self.clock)
        # the runtime's gate persists its state and reports lockouts through the heartbeat (issue 13 §4)
        self._pin_gate = getattr(self.rt, "pin_gate", None) or PinGate(
            int(getattr(staff, "lockout_after", 5)), float(getattr(staff, "lockout_s", 300)), clock=self.clock)
        self._pin = ""
        self._overrides = getattr(self.rt, "overrides", None) or ServiceOverrides(overrides_path(self.cfg))
        self._staff_last_receipt: str | None = None

    # ----- entry -------------------------------------------------------------------------------
    def staff_corner_tap(self) -> None:
        if self.state.screen in ("staff_pin", "staff"):
            return
        if self._corner.tap():
            if self._token is not None or self.state.screen not in ("attract", "closed"):
                self.wipe()
            self._pin = ""
            self.state.screen = "staff_pin"
            self.state.staff = StaffView(locked_for_s=self._pin_gate.locked_for())
            self._changed()

    def staff_pin_digit(self, digit: str) -> None:
        self._last_touch = self.clock()
        if self.state.screen != "staff_pin" or not str(digit).isdigit() or len(self._pin) >= 12:
            return
        self._pin += str(digit)
        self.state.staff.pin_digits = len(self._pin)
        self._changed()

    def staff_pin_clear(self) -> None:
        self._pin = ""
        if self.state.staff is not None:
            self.state.staff.pin_digits = 0
        self._changed()

    def staff_pin_submit(self) -> None:
        if self.state.screen != "staff_pin" or "pin" in self._tasks:
            return
        pin, self._pin = self._pin, ""
        if not pin:  # 确定 on an empty entry is a slip, not a guess: it costs no try
            return
        self.state.staff.pin_digits = 0
        locked = self._pin_gate.locked_for()
        if locked:
            self.state.staff.locked_for_s = locked
            self.state.staff.message = msg("staff.locked", seconds=locked)
            self._changed()
            return
        pin_hash = str(getattr(getattr(self.cfg, "staff", None), "pin_hash", ""))
        self._spawn("pin", lambda _c: self.rt.verify_pin(pin, pin_hash), on_done=self._pin_checked,
                    on_error=lambda exc: self._pin_checked(False), timeout=10.0)
        self._changed()

    def _pin_checked(self, ok: Any) -> None:
        self._pin_gate.record(bool(ok))
        if self.state.screen != "staff_pin":
            return
        if ok:
            self.state.screen = "staff"
            self.state.staff = StaffView(version=__version__)
            self.staff_refresh()
            return
        locked = self._pin_gate.locked_for()
        self.state.staff.locked_for_s = locked
        self.state.staff.message = (msg("staff.locked", seconds=locked) if locked
                                    else msg("staff.wrong", left=self._pin_gate.tries_left()))
        self._changed()

    # ----- staff screen ------------------------------------------------------------------------
    def _staff_services(self) -> list[tuple[str, Text, bool]]:
        off = self._overrides.disabled()
        return [(s.id, catalog.text_of(s.title), s.id not in off)
                for s in getattr(self.cfg, "services", ()) if getattr(s, "enabled", True)]

    def staff_refresh(self) -> None:
        if self.state.screen != "staff":
            return
        self.state.staff.services = self._staff_services()
        self.state.staff.last_receipt = self._staff_last_receipt is not None
        self._spawn("staff_info", lambda c: self.rt.staff_info(), on_done=self._staff_info,
                    on_error=lambda exc: self._staff_note(Text(f"状态读取失败：{exc}", f"Status failed: {exc}")),
                    timeout=15.0)
        self._changed()

    def _staff_info(self, info: dict) -> None:
        if self.state.screen != "staff":
            return
        self.state.staff.statuses = list(info.get("statuses", []))
        self.state.staff.outbox_depth = info.get("outbox_depth")
        self.state.staff.log_tail = list(info.get("log_tail", []))
        self._changed()

    def _staff_note(self, text: Text) -> None:
        if self.state.staff is not None:
            self.state.staff.message = text

    def staff_test_print(self) -> None:
        if self.state.screen != "staff":
            return
        self._print("test_page", None, purpose="staff")
        self._changed()

    def staff_test_card(self) -> None:
        if self.state.screen != "staff":
            return
        self._staff_note(msg("card.waiting"))
        self._spawn("staff_card", lambda c: self.rt.staff_read_card(cancel=c), on_done=self._staff_card_read,
                    on_error=lambda exc: self._staff_card_error(
                        Text(str(getattr(exc, "message_zh", exc)), str(getattr(exc, "message_en", exc)))),
                    timeout=30.0)
        self._changed()

    def _staff_card_read(self, masked: Any) -> None:
        if not isinstance(masked, dict):  # an IdCard from an event: mask, then drop it
            card, masked = masked, masked.masked()
            card.wipe()
        summary = " ".join(str(masked.get(k) or "") for k in ("card_type", "name", "id_number")).strip()
        self._staff_note(msg("staff.card_ok", name=summary))
        self._changed()

    def _staff_card_error(self, reason: Text) -> None:
        self._staff_note(Text(msg("staff.card_failed").zh.format(reason=reason.zh),
                              msg("staff.card_failed").en.format(reason=reason.en)))
        self._changed()

    def staff_retry_outbox(self) -> None:
        if self.state.screen != "staff":
            return
        self._spawn("staff_outbox", lambda c: self.rt.retry_outbox(), on_done=lambda _r: self._staff_retried(),
                    on_error=lambda exc: self._staff_note(Text(f"重发失败：{exc}", f"Retry failed: {exc}")),
                    timeout=15.0)
        self._changed()

    def _staff_retried(self) -> None:
        self._staff_note(msg("staff.outbox_retry"))
        self.staff_refresh()

    def staff_toggle_service(self, service_id: str) -> None:
        if self.state.screen != "staff":
            return
        enabled = service_id in self._overrides.disabled()
        self._overrides.set_enabled(service_id, enabled, save=False)
        self._spawn(f"staff_save_{service_id}", lambda _c: self._overrides.save(), on_done=lambda _r: None,
                    on_error=lambda exc: (self._staff_note(Text(f"服务开关保存失败：{exc}",
                                                                f"Could not save the service switch: {exc}")),
                                          self._changed()),
                    timeout=10.0)
        self.state.staff.services = self._staff_services()
        self._refresh_menu()
        self._changed()

    def staff_reprint_last(self) -> None:
        if self.state.screen != "staff":
            return
        if self._staff_last_receipt is None:
            self._staff_note(msg("staff.no_receipt"))
        else:
            self._reprint(self._staff_last_receipt, purpose="staff")
        self._changed()

    def staff_leave(self) -> None:
        if self.state.screen not in ("staff_pin", "staff"):
            return  # a stale tap from a staff screen that is already gone: nothing to leave
        self._cancel_all_tasks()
        self._pin = ""
        self.state.staff = None
        self.state.countdown = None
        self._countdown_end = None
        self.state.screen = "attract"
        self._next_hours_check = 0.0
        self._changed()

    def staff_exit_app(self) -> None:
        if self.state.screen != "staff":
            return
        log.info("staff exit requested")
        self.exit_requested = True
        self._changed()
