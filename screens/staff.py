"""Staff panel: device status and health checks, test print/card, outbox, service switches, reprint, log
tail (masked before the session hands it over), version, and the only way out to the desktop."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.session.views import StaffScreenView
from screens.widgets import IconKey, KioskScreen, icon_button, label


class StaffScreen(KioskScreen):
    outbox_text = StringProperty("")
    version_text = StringProperty("")
    message_text = StringProperty("")

    def signature(self, state: StaffScreenView) -> Any:
        s = state.staff
        return (state.lang, state.elder_mode, None if s is None else
                (tuple(s.statuses), s.outbox_depth, tuple(s.services), tuple(s.log_tail), s.version,
                 s.last_receipt, s.message))

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
            status_box.add_widget(label(f"{name}: {value}", wid=f"staff.status.{name}"))
        for sid, title, enabled in s.services:
            # the state in words and a switch icon, not by colour alone (issue 14 item 8)
            text = app.tr("staff.service_on" if enabled else "staff.service_off", lang, title=title.get(lang))
            btn = icon_button(text, "toggle_on" if enabled else "toggle_off",
                              lambda i=sid: self.act("staff_toggle_service", i),
                              wid=f"staff.svc.{sid}", style="secondary" if enabled else "disabled",
                              role="button", cls=IconKey)
            btn.icon_side = "left"
            services.add_widget(btn)
        for n, line in enumerate(s.log_tail[-12:]):
            logs.add_widget(label(line, role="small", wid=f"staff.log.{n}"))
        self.ids.reprint.disabled = not s.last_receipt

    def clear_content(self) -> None:
        for box in (self.ids.statuses, self.ids.services, self.ids.logs):
            box.clear_widgets()
        self.outbox_text = self.version_text = self.message_text = ""
