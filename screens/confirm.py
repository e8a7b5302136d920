"""Confirm screen: what will be submitted, field by field, before 确认提交."""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.session.views import FormScreenView
from screens.widgets import KioskScreen, label


class ConfirmScreen(KioskScreen):
    service_text = StringProperty("")

    def signature(self, state: FormScreenView) -> Any:
        form = state.form
        fields = () if form is None else tuple((f.id, f.label, f.kind, f.value, tuple(f.options),
                                                getattr(f, "handoff_status", None)) for f in form.fields)
        return (state.lang, state.elder_mode, state.service.title if state.service else None, fields)

    def build_content(self, state: FormScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        self.service_text = state.service.title.get(lang) if state.service is not None else ""
        table = self.ids.table
        table.clear_widgets()
        for f in (state.form.fields if state.form is not None else ()):
            if f.kind in ("handoff", "handoff_text"):
                status = getattr(f, "handoff_status", None)
                shown = status.get(lang) if status is not None else app.tr("confirm.handed_off", lang)
            elif f.kind == "choice":
                shown = next((t.get(lang) for v, t in f.options if v == f.value), f.value)
            else:
                shown = f.value
            table.add_widget(label(f.label.get(lang), tone="muted", wid=f"confirm.k.{f.id}"))
            table.add_widget(label(shown or app.tr("confirm.empty_value", lang), wid=f"confirm.v.{f.id}",
                                   personal=True))

    def clear_content(self) -> None:
        self.ids.table.clear_widgets()
        self.service_text = ""
