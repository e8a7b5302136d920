"""Form screen: pickers for choices, a digit pad (with X for ID numbers), the grouped phone pad
(screens/phonepad.py, 138 0013 8000), dates as 8 digits, long text handed off to the phone by QR (the
pinyin keyboard, screens/keyboard.py, is not wired here yet: the session still requires the hand-off).

The pad keys are plain Buttons labelled with words (删除/清空): the CJK font has no ⌫/⏎ glyphs. The value
shown is always the controller's (set_field → state); the only local state is which field is selected.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.widget import Widget

from kiosk.ime import limits
from kiosk.session.views import FormScreenView
from screens.phonepad import PhonePad
from screens.qr import qr_texture
from screens.widgets import KGrid, KImage, KioskScreen, PadKey, button, label

_PAD_KINDS = {"digits", "idnumber", "id_number", "phone", "date"}
_HANDOFF_KINDS = {"handoff", "handoff_text", "text"}


def _kind(field: Any) -> str:
    return {"id_number": "idnumber", "handoff_text": "handoff"}.get(field.kind, field.kind)


def _limit(field: Any) -> int:
    return {"idnumber": 18, "phone": 11, "date": 8}.get(_kind(field), field.max_length or 32)


def typed(field: Any, key: str) -> str:
    """The new value of ``field`` after pad ``key`` (a digit, X, delete, clear); dates as YYYY-MM-DD."""
    kind = _kind(field)
    raw = field.value.replace("-", "") if kind == "date" else field.value
    if key == "delete":
        raw = raw[:-1]
    elif key == "clear":
        raw = ""
    elif len(raw) < _limit(field):
        if key == "X" and not (kind == "idnumber" and len(raw) == 17):
            return field.value  # X is only the last character of an ID number
        raw += key
    if kind == "date":
        return "-".join(p for p in (raw[:4], raw[4:6], raw[6:8]) if p)
    return raw


def _handoff_line(field: Any, lang: str) -> str:
    """What a phone hand-off field says: the controller's status (正在生成二维码… / 请用手机扫码填写 /
    已在手机上填写（N 字） / 已过期…) or, from a controller without hand-off states, the plain instruction."""
    status = getattr(field, "handoff_status", None)
    if status is not None:
        return status.get(lang)
    from kivy.app import App
    return App.get_running_app().tr("form.handoff", lang)


class FormScreen(KioskScreen):
    title_text = StringProperty("")
    active = StringProperty("")   # selected field id (not personal data)
    _handoff_url = ""

    def signature(self, state: FormScreenView) -> Any:
        app = App.get_running_app()
        form = state.form
        fields = () if form is None else tuple(
            (f.id, f.label, f.kind, f.value, f.error, f.required, tuple(f.options), f.handoff_url,
             getattr(f, "handoff_state", None), getattr(f, "handoff_status", None))
            for f in form.fields)
        title = state.service.title if state.service is not None else None
        return (state.lang, state.elder_mode, app.landscape, title, fields, self.active)

    def _enter(self, field_id: str, value: str, *, done: bool) -> None:
        """Give the controller the new value; when the field is complete (a choice made, all digits in)
        move on to the next field that still needs one — fewer taps per form."""
        if done:
            form = self.view.form if isinstance(self.view, FormScreenView) else None
            ids = [f.id for f in form.fields] if form is not None else []
            after = ids[ids.index(field_id) + 1:] if field_id in ids else []
            nxt = next((f.id for f in form.fields if f.id in after and not f.value
                        and _kind(f) not in _HANDOFF_KINDS), None) if form is not None else None
            if nxt is not None:
                self.active = nxt
        self.act("set_field", field_id, value)

    def select(self, field_id: str) -> None:
        self.active = field_id
        self.rerender()

    def build_content(self, state: FormScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        form = state.form
        self.title_text = state.service.title.get(lang) if state.service is not None else app.tr("form.title", lang)
        fields_box = self.ids.fields
        fields_box.clear_widgets()
        if form is None:
            self._clear_input()
            return
        ids = [f.id for f in form.fields]
        if self.active not in ids:
            # start at the first field that still needs a value
            self.active = next((f.id for f in form.fields if not f.value and _kind(f) not in _HANDOFF_KINDS),
                               ids[0] if ids else "")
        for f in form.fields:
            kind = _kind(f)
            need = app.tr("form.required" if f.required else "form.optional", lang)
            if kind in _HANDOFF_KINDS:
                shown = _handoff_line(f, lang)
            elif kind == "choice":
                shown = next((t.get(lang) for v, t in f.options if v == f.value), "") or app.tr("form.choose", lang)
            elif kind == "phone" and f.value:
                shown = limits.group_phone(f.value)   # 138 0013 8000, as on the pad
            else:
                shown = f.value or app.tr("form.tap_to_edit", lang)
            text = app.tr("form.field_line", lang, label=f.label.get(lang), need=need, value=shown)
            if f.error is not None:
                # the problem is said in words inside the field itself (not by colour alone)
                text = app.tr("form.field_error", lang, line=text, error=f.error.get(lang))
            fields_box.add_widget(button(text,
                                         lambda fid=f.id: self.select(fid), wid=f"form.field.{f.id}",
                                         # a field with a problem is marked red AND says the problem
                                         style="error" if f.error is not None else
                                         "primary" if f.id == self.active else "secondary",
                                         role="button", cls=PadKey))
        active = next((f for f in form.fields if f.id == self.active), None)
        self._build_input(state, active)

    def _clear_input(self) -> None:
        for child in self.ids.input.walk(restrict=True):
            if isinstance(child, KImage):
                child.texture = None
        self.ids.input.clear_widgets()
        self._handoff_url = ""

    def _build_input(self, state: FormScreenView, field: Any) -> None:
        app = App.get_running_app()
        lang = state.lang
        self._clear_input()
        box = self.ids.input
        if field is None:
            return
        kind = _kind(field)
        box.add_widget(label(app.tr("form.editing", lang, label=field.label.get(lang)), role="title",
                             wid="form.editing"))
        hint = getattr(field, "hint", None)
        if kind in _HANDOFF_KINDS:
            box.add_widget(label(_handoff_line(field, lang), role="title", wid="form.handoff"))
            if field.handoff_url:
                # the gateway's one-time code, shown only while it waits for the phone
                image = KImage(wid="form.handoff_qr", fit_mode="contain")  # takes the panel's free height
                image.texture = qr_texture(field.handoff_url)
                self._handoff_url = field.handoff_url
                box.add_widget(image)
                box.add_widget(label(app.tr("form.handoff_hint", lang), tone="muted", wid="form.handoff_hint"))
                return
            if getattr(field, "handoff_state", None) in ("expired", "error"):
                box.add_widget(button(app.tr("common.retry", lang),
                                      lambda fid=field.id: self.act("refresh_handoff", fid),
                                      wid="form.handoff_retry", style="primary"))
            box.add_widget(Widget())
            return
        if hint is not None:
            box.add_widget(label(hint.get(lang), tone="muted", wid="form.hint"))
        if kind == "choice":
            grid = KGrid(cols=2 if not app.landscape else 3, wid="form.options")
            for value, text in field.options:
                grid.add_widget(button(text.get(lang), lambda v=value, fid=field.id: self._enter(fid, v, done=True),
                                       wid=f"form.opt.{value}",
                                       style="primary" if value == field.value else "secondary"))
            box.add_widget(grid)
            box.add_widget(Widget())
            return
        if kind == "phone":
            # the large pad with the number grouped 3-4-4; its keys keep the form's names (form.key.N)
            pad = PhonePad(wid="form", lang=lang, digits=field.value)
            pad.bind(on_change=lambda _pad, digits, fid=field.id: self._enter(
                fid, digits, done=len(digits) >= limits.PHONE_DIGITS))
            box.add_widget(pad)
            box.add_widget(Widget())
            return
        if kind == "date":
            box.add_widget(label(app.tr("form.date_hint", lang), tone="muted", wid="form.date_hint"))
        grid = KGrid(cols=3, wid="form.pad")
        x_key = "X" if kind == "idnumber" else None
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", x_key or "clear", "0", "delete"]
        for key in keys:
            text = {"delete": app.tr("common.delete", lang), "clear": app.tr("common.clear", lang),
                    "X": app.tr("form.x_key", lang)}.get(key, key)
            grid.add_widget(button(text, lambda k=key, f=field: self._enter(
                                       f.id, typed(f, k), done=len(typed(f, k).replace("-", "")) >= _limit(f)),
                                   wid=f"form.key.{key}", role="title", cls=PadKey))
        box.add_widget(grid)
        box.add_widget(Widget())  # keeps the pad at the top of the panel

    def clear_content(self) -> None:
        self.ids.fields.clear_widgets()
        self._clear_input()
        self.active = ""
        self.title_text = ""
