"""Staff panel: device status and health checks, test print/card, outbox, service switches, reprint, log
tail (masked before the session hands it over), version, and the only way out to the desktop."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty

from kiosk.session.state import StaffView
from kiosk.session.views import StaffScreenView
from screens.widgets import IconKey, KioskScreen, icon_button, label

#: the status line (state.staff.statuses) the scanner section shows instead of the status grid
SCANNER_STATUS = "扫码器 scanner"


class ServiceSwitch(IconKey):
    """A service's on/off switch: its state in words and a toggle icon (staff.kv sizes it)."""


class StaffScreen(KioskScreen):
    outbox_text = StringProperty("")
    version_text = StringProperty("")
    message_text = StringProperty("")
    scanner_text = StringProperty("")  # the scanner section's health line (no scan content, counts only)
    volume_text = StringProperty("")
    help_title = StringProperty("")
    muted = BooleanProperty(False)

    def signature(self, state: StaffScreenView) -> Any:
        s = state.staff
        return (state.lang, state.elder_mode, None if s is None else
                (tuple(s.statuses), s.outbox_depth, tuple(s.services), tuple(s.log_tail), s.version,
                 s.last_receipt, s.message, s.voice, tuple(s.help_today)))

    def build_content(self, state: StaffScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        s = state.staff
        status_box, services, logs = self.ids.statuses, self.ids.services, self.ids.logs
        for box in (status_box, services, logs):
            box.clear_widgets()
        if s is None:
            return
        self.outbox_text = (app.tr("staff.outbox", lang, n=s.outbox_depth) if s.outbox_depth is not None
                            else app.tr("staff.outbox_unknown", lang))
        self.version_text = app.tr("staff.version", lang, v=s.version)
        self.message_text = s.message.get(lang) if s.message is not None else ""
        for name, value in s.statuses:
            if name == SCANNER_STATUS:
                self.scanner_text = value  # shown in the scanner section, beside its 测试扫码
                continue
            status_box.add_widget(label(f"{name}: {value}", wid=f"staff.status.{name}"))
        for sid, title, enabled in s.services:
            # the state in words and a switch icon, not by colour alone (issue 14 item 8)
            text = app.tr("staff.service_on" if enabled else "staff.service_off", lang, title=title.get(lang))
            btn = icon_button(text, "toggle_on" if enabled else "toggle_off",
                              lambda i=sid: self.act("staff_toggle_service", i),
                              wid=f"staff.svc.{sid}", style="secondary" if enabled else "disabled",
                              role="button", cls=ServiceSwitch)
            btn.icon_side = "left"
            services.add_widget(btn)
        for n, line in enumerate(s.log_tail[-12:]):
            logs.add_widget(label(line, role="small", wid=f"staff.log.{n}"))
        if not s.log_tail:  # said, so an empty panel is not mistaken for a log that failed to load
            logs.add_widget(label(app.tr("staff.logs_none", lang), tone="muted", wid="staff.log.none"))
        self.ids.reprint.disabled = not s.last_receipt
        self._voice_section(app, lang, s)

    #: help requests listed (the newest; the title counts them all)
    HELP_ROWS = 20

    def _voice_section(self, app: Any, lang: str, s: StaffView) -> None:
        """Volume and mute, and this terminal's 一键求助 of the day (time, screen, status — never who)."""
        if s.voice is None:
            self.volume_text, self.muted = app.tr("staff.no_voice", lang), False
        else:
            percent, self.muted = s.voice
            self.volume_text = app.tr("staff.volume_muted" if self.muted else "staff.volume", lang, n=percent)
        for key in ("volume_down", "volume_up", "mute"):
            self.ids[key].disabled = s.voice is None
        rows = self.ids.help_today
        rows.clear_widgets()
        self.help_title = (app.tr("staff.help_today", lang, n=len(s.help_today)) if s.help_today
                           else app.tr("staff.help_none", lang))
        for n, (at, screen, status) in enumerate(s.help_today[-self.HELP_ROWS:]):
            rows.add_widget(label(f"{at}  {screen}  {status.get(lang)}", role="small", wid=f"staff.help.{n}"))

    def clear_content(self) -> None:
        for box in (self.ids.statuses, self.ids.services, self.ids.logs, self.ids.help_today):
            box.clear_widgets()
        self.outbox_text = self.version_text = self.message_text = self.volume_text = self.help_title = ""
        self.scanner_text = ""
