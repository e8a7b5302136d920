"""Confirm screen: what will be submitted, field by field, before 确认提交.

Under the title the step indicator (第 3 步 / 共 4 步, counted as on the form). One tinted card per field in large type — the field's name above its value (landscape standard: name left,
value right) — growing a little to share the screen when they fit, scrolling with a visible cue when they do
not; under them what happens on 确认提交 (a receipt with the reference is printed).
返回修改 bottom-left, 确认提交 bottom-right.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import NumericProperty, StringProperty

from kiosk.session.views import FormScreenView
from screens.form import steps
from screens.plain import say
from screens.scrollbox import ScrollBox
from screens.widgets import KioskScreen, Panel, label

__all__ = ["ConfirmScreen", "ScrollBox"]


class ConfirmScreen(KioskScreen):
    service_text = StringProperty("")
    hint_text = StringProperty("")
    next_text = StringProperty("")
    step = NumericProperty(0)     # 第 3 步 / 共 4 步, as the form counts them (0: no service, no indicator)
    step_total = NumericProperty(0)

    def signature(self, state: FormScreenView) -> Any:
        form = state.form
        fields = () if form is None else tuple((f.id, f.label, f.kind, f.value, tuple(f.options),
                                                getattr(f, "handoff_status", None)) for f in form.fields)
        return (state.lang, state.elder_mode, App.get_running_app().landscape,
                state.service.title if state.service else None, fields)

    def build_content(self, state: FormScreenView) -> None:
        self.ids.scroll.to_top()
        app = App.get_running_app()
        lang, elder = state.lang, bool(state.elder_mode)
        self.service_text = state.service.title.get(lang) if state.service is not None else ""
        self.hint_text = say("confirm.hint", lang, elder)
        self.next_text = say("confirm.next_step", lang, elder)
        self.step, self.step_total = steps(state, checking=True) if state.service is not None else (0, 0)
        self._place_next_card(app.landscape)
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
            table.add_widget(self._card(f.id, f.label.get(lang), shown or app.tr("confirm.empty_value", lang),
                                        elder or not app.landscape))

    def _place_next_card(self, landscape: bool) -> None:
        """Landscape: the next-step card under the service on the left; portrait: under the fields."""
        card, side, body = self.ids.next_card, self.ids.side, self.ids.body
        target = side if landscape else body
        if card.parent is not target:
            card.parent.remove_widget(card)
            target.add_widget(card, index=1 if landscape else 0)  # side: above its spacer; body: last

    @staticmethod
    def _card(field_id: str, name: str, value: str, stacked: bool) -> Panel:
        """One field, its name above (``stacked``) or beside its value; grows with the others to share the
        page, never below its text's height nor beyond a third more."""
        th = App.get_running_app().th
        card = Panel(orientation="vertical" if stacked else "horizontal", bg_name="stripe_bg", size_hint_y=1,
                     padding=(th.pad, th.gap), spacing=th.gap / 2 if stacked else th.pad, wid=f"confirm.card.{field_id}")
        key = label(name, role="title", tone="muted", wid=f"confirm.k.{field_id}")
        val = label(value, role="largest", wid=f"confirm.v.{field_id}", personal=True)
        val.font_size = th.largest * 1.25
        key.pos_hint = val.pos_hint = {"center_y": 0.5}
        if not stacked:
            key.size_hint_x, val.size_hint_x = 0.4, 0.6
        card.add_widget(key)
        card.add_widget(val)

        def fit(*_: Any) -> None:
            card.size_hint_min_y = card.minimum_height
            card.size_hint_max_y = card.minimum_height * 1.35
        card.bind(minimum_height=fit)
        fit()
        return card

    def clear_content(self) -> None:
        self.ids.table.clear_widgets()
        self.service_text = ""
        self.step = self.step_total = 0
