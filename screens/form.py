"""Form screen: every field can be completed at the kiosk, one field at a time in the input panel.

Choices, appointment dates and times (the gateway's open slots, fetched by the session) are big buttons; a
phone number has the grouped pad (138 0013 8000); digits and ID numbers a digit pad (X only as an ID
number's last character); free text (诉求内容) the pinyin keyboard and an address the district → street →
keyboard picker. For free text and addresses, filling it in on the resident's phone (QR hand-off) is an
option beside the keyboard, never the only way. The step indicator (第 2 步 / 共 4 步) sits under the
title; 返回 and 下一步 are in the fixed action bar at the bottom (form.kv).

The pad keys are plain Buttons labelled with words (删除/清空): the CJK font has no ⌫/⏎ glyphs. The value
shown is always the controller's (set_field → state); the screen keeps only which field is selected, which
way a free-text field is filled, and the keyboard or picker in use (kept across renders and rotations, so a
composition survives the re-render each pick causes and a turn of the screen, and wiped when the screen is
cleared).
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.ime import limits
from kiosk.session.views import FormScreenView
from screens.address import AddressPicker
from screens.keyboard import PinyinKeyboard
from screens.phonepad import PhonePad
from screens.qr import qr_texture
from screens.widgets import KImage, KioskScreen, PadKey, button, label

_TEXT_KINDS = {"handoff", "address"}      # typed at the kiosk, or on the phone as an option
_BUTTON_KINDS = {"choice", "date", "slot"}  # chosen from big buttons, never typed


def _kind(field: Any) -> str:
    return {"id_number": "idnumber", "handoff_text": "handoff"}.get(field.kind, field.kind)


def _limit(field: Any) -> int:
    return {"idnumber": 18, "phone": 11}.get(_kind(field), field.max_length or 32)


def typed(field: Any, key: str) -> str:
    """The new value of ``field`` after pad ``key`` (a digit, X, delete, clear)."""
    raw = field.value
    if key == "delete":
        return raw[:-1]
    if key == "clear":
        return ""
    if len(raw) >= _limit(field) or (key == "X" and not (_kind(field) == "idnumber" and len(raw) == 17)):
        return raw  # full, or X where it cannot be (only the last character of an ID number)
    return raw + key


def steps(state: FormScreenView, *, checking: bool = False) -> tuple[int, int]:
    """(step, total) of a form's flow: identify (when the service needs it) → fill in → check (``checking``:
    the confirm screen) → receipt."""
    total = 4 if state.service is not None and state.service.needs_login else 3
    return total - (1 if checking else 2), total


def step_text(state: FormScreenView, tr: Any) -> str:
    """第 2 步 / 共 4 步 on the form."""
    n, total = steps(state)
    return tr("form.step", state.lang, n=n, total=total)


def _handoff_line(field: Any, lang: str) -> str:
    """The phone hand-off's status (正在生成二维码… / 请用手机扫码填写 / 已在手机上填写（N 字） / 已过期…)."""
    status = getattr(field, "handoff_status", None)
    return status.get(lang) if status is not None else App.get_running_app().tr("form.handoff", lang)


def _shown(field: Any, lang: str, tr: Any) -> str:
    """What the field's line says about its value."""
    kind = _kind(field)
    if kind in _BUTTON_KINDS:
        chosen = next((t.get(lang) for v, t in field.options if v == field.value), "")
        return chosen or tr("form.choose", lang)
    if kind in _TEXT_KINDS:
        if field.value:  # the end of a long text, where the resident typed last
            return field.value if len(field.value) <= 16 else "…" + field.value[-15:]
        if getattr(field, "handoff_state", None) == "submitted":
            return _handoff_line(field, lang)
        return tr("form.tap_to_type", lang)
    if kind == "phone" and field.value:
        return limits.group_phone(field.value)   # 138 0013 8000, as on the pad
    return field.value or tr("form.tap_to_edit", lang)


class FillGrid(GridLayout):
    """Big buttons that share the input panel's free height: each row is at least ``row_default_height``
    and grows up to ``grow`` times that, so a short list of choices becomes a column of large buttons
    instead of a strip at the top of an empty panel (issue 14: the content band is filled, not floated)."""

    wid = StringProperty("")

    def __init__(self, *, key_h: float, grow: float, **kwargs: Any) -> None:
        super().__init__(row_default_height=key_h, **kwargs)
        self._max_h = key_h * grow

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        widget.size_hint_y, widget.size_hint_max_y = 1, self._max_h
        super().add_widget(widget, *args, **kwargs)


class FormScreen(KioskScreen):
    title_text = StringProperty("")
    step_text = StringProperty("")
    active = StringProperty("")   # selected field id (not personal data)
    _handoff_url = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._editor: tuple[str, Any] | None = None   # (field id, keyboard or picker): personal, wiped
        self._on_phone: set[str] = set()              # free-text fields the resident fills on the phone

    def signature(self, state: FormScreenView) -> Any:
        app = App.get_running_app()
        form = state.form
        fields = () if form is None else tuple(
            (f.id, f.label, f.kind, f.value, f.error, f.required, tuple(f.options), f.handoff_url, f.hint,
             getattr(f, "handoff_state", None), getattr(f, "handoff_status", None),
             getattr(f, "options_state", None))
            for f in form.fields)
        title = state.service.title if state.service is not None else None
        return (state.lang, state.elder_mode, app.landscape, title, fields, self.active,
                tuple(sorted(self._on_phone)))

    def _enter(self, field_id: str, value: str, *, done: bool) -> None:
        """Give the controller the new value; when the field is complete (a choice made, all digits in)
        move on to the next field that still needs one — fewer taps per form."""
        if done:
            form = self.view.form if isinstance(self.view, FormScreenView) else None
            ids = [f.id for f in form.fields] if form is not None else []
            after = ids[ids.index(field_id) + 1:] if field_id in ids else []
            nxt = next((f.id for f in form.fields if f.id in after and not f.filled), None) \
                if form is not None else None
            if nxt is not None:
                self.active = nxt
        self.act("set_field", field_id, value)

    def select(self, field_id: str) -> None:
        self.active = field_id
        self.rerender()

    def use_phone(self, field_id: str, on_phone: bool) -> None:
        """Switch a free-text field between the kiosk's keyboard and the phone hand-off."""
        (self._on_phone.add if on_phone else self._on_phone.discard)(field_id)
        self.rerender()

    def build_content(self, state: FormScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        form = state.form
        self.title_text = state.service.title.get(lang) if state.service is not None else app.tr("form.title", lang)
        self.step_text = step_text(state, app.tr)
        fields_box = self.ids.fields
        fields_box.clear_widgets()
        if form is None:
            self._clear_input()
            self._drop_editor()
            return
        ids = [f.id for f in form.fields]
        if self.active not in ids:  # start at the first field that still needs a value
            self.active = next((f.id for f in form.fields if not f.filled), ids[0] if ids else "")
        # elder mode, a field handed off to the phone: its code gets the page (never smaller than in standard
        # mode); the hand-off line names the field, 改用键盘输入 brings the list back
        handing_off = app.th.elder and self.active in self._on_phone
        for f in form.fields if not handing_off else ():
            need = app.tr("form.required" if f.required else "form.optional", lang)
            text = app.tr("form.field_line", lang, label=f.label.get(lang), need=need, value=_shown(f, lang, app.tr))
            if f.error is not None:
                # the problem is said in words inside the field itself (not by colour alone)
                text = app.tr("form.field_error", lang, line=text, error=f.error.get(lang))
            fields_box.add_widget(button(text, lambda fid=f.id: self.select(fid), wid=f"form.field.{f.id}",
                                         # a field with a problem is marked red AND says the problem
                                         style="error" if f.error is not None else
                                         "primary" if f.id == self.active else "secondary",
                                         role="button", cls=PadKey))
        self._build_input(state, next((f for f in form.fields if f.id == self.active), None))

    def _clear_input(self) -> None:
        for child in self.ids.input.walk(restrict=True):
            if isinstance(child, KImage):
                child.texture = None
        self.ids.input.clear_widgets()
        self._handoff_url = ""

    def _drop_editor(self) -> None:
        if self._editor is not None:
            self._editor[1].reset()   # the typed text and the composition leave the widget too
        self._editor = None

    def _build_input(self, state: FormScreenView, field: Any) -> None:
        app = App.get_running_app()
        lang = state.lang
        self._clear_input()
        box = self.ids.input
        if self._editor is not None and (field is None or self._editor[0] != field.id):
            self._drop_editor()
        if field is None:
            return
        kind = _kind(field)
        if kind in _TEXT_KINDS and field.id not in self._on_phone:
            # the keyboard needs the panel's height (elder mode too): the highlighted field line says
            # what is being typed, the keyboard's own prompt says how
            self._text_input(box, field, lang)
            box.add_widget(Widget())
            return
        # elder landscape handing off: the field list is hidden, its column says what is filled in and how
        side = self.ids.fields if app.th.elder and app.landscape and field.id in self._on_phone else box
        side.add_widget(label(app.tr("form.editing", lang, label=field.label.get(lang)), role="title",
                              wid="form.editing"))
        if field.hint is not None:
            side.add_widget(label(field.hint.get(lang), tone="muted", wid="form.hint"))
        if kind in _TEXT_KINDS:
            self._text_input(box, field, lang)
        elif kind in _BUTTON_KINDS:
            self._buttons(box, field, lang)
        elif kind == "phone":
            # the large pad with the number grouped 3-4-4; its keys keep the form's names (form.key.N)
            pad = PhonePad(wid="form", lang=lang, digits=field.value)
            pad.bind(on_change=lambda _pad, digits, fid=field.id: self._enter(
                fid, digits, done=len(digits) >= limits.PHONE_DIGITS))
            box.add_widget(pad)
        else:
            self._digit_pad(box, field, lang)
        if not any(isinstance(child, (FillGrid, KImage)) for child in box.children):
            box.add_widget(Widget())  # keeps the input at the top of the panel (a grid or the QR fills it)

    def _buttons(self, box: Any, field: Any, lang: str) -> None:
        """Choices, dates and times: one big button each (dates/times from the gateway's open slots)."""
        app = App.get_running_app()
        if getattr(field, "options_state", None) == "error":
            box.add_widget(button(app.tr("common.retry", lang), lambda: self.act("refresh_slots"),
                                  wid="form.slots_retry", style="primary"))
            return
        few = len(field.options) <= 6 and _kind(field) != "slot"
        # portrait has the height for one column of full-width buttons; elder mode's taller fields leave
        # room for two columns, landscape's short panel for three
        cols = 3 if app.landscape or not few else 2 if app.th.elder else 1
        grid = FillGrid(cols=cols, wid="form.options", key_h=app.th.button_h, grow=2.0)
        for value, text in field.options:
            grid.add_widget(button(text.get(lang), lambda v=value, fid=field.id: self._enter(fid, v, done=True),
                                   wid=f"form.opt.{value}", role="title",
                                   style="primary" if value == field.value else "secondary"))
        box.add_widget(grid)

    def _digit_pad(self, box: Any, field: Any, lang: str) -> None:
        app = App.get_running_app()
        grid = FillGrid(cols=3, wid="form.pad", key_h=app.th.target * 1.25, grow=1.6)
        x_key = "X" if _kind(field) == "idnumber" else None
        for key in ["1", "2", "3", "4", "5", "6", "7", "8", "9", x_key or "clear", "0", "delete"]:
            text = {"delete": app.tr("common.delete", lang), "clear": app.tr("common.clear", lang),
                    "X": app.tr("form.x_key", lang)}.get(key, key)
            grid.add_widget(button(text, lambda k=key, f=field: self._enter(
                                       f.id, typed(f, k), done=len(typed(f, k)) >= _limit(f)),
                                   wid=f"form.key.{key}", role="title", cls=PadKey))
        box.add_widget(grid)

    # ----- free text: the kiosk's keyboard / address picker, or the phone --------------------------------
    def _text_input(self, box: Any, field: Any, lang: str) -> None:
        app = App.get_running_app()
        on_phone = field.id in self._on_phone
        switch = button(app.tr("form.use_keyboard" if on_phone else "form.use_phone", lang),
                        lambda fid=field.id: self.use_phone(fid, not on_phone),
                        wid="form.use_keyboard" if on_phone else "form.use_phone", role="button", cls=PadKey)
        if on_phone:
            (self.ids.fields if app.landscape and app.th.elder else box).add_widget(switch)  # likewise
            self._handoff_panel(box, field, lang)
            return
        editor = self._editor_for(field, lang)
        box.add_widget(editor)
        # landscape leaves the panel too little height for the keyboard and the switch: it goes under the fields
        (self.ids.fields if app.landscape else box).add_widget(switch)

    def _editor_for(self, field: Any, lang: str) -> Any:
        """The keyboard or picker of ``field``: the one in use, or a new one holding the field's value."""
        cap = limits.cap_for(field.kind, field.max_length)
        if self._editor is not None and self._editor[0] == field.id:
            editor = self._editor[1]
            editor.lang = lang   # kept across a language switch or a rotation: its words follow
            if isinstance(editor, PinyinKeyboard) and editor.text != field.value:
                editor.text = field.value   # the session refused a change: show what the field holds
            return editor
        if _kind(field) == "address":
            book = getattr(App.get_running_app().cfg, "addresses", None)   # config/services.yaml addresses
            editor = AddressPicker(wid="form.address", lang=lang, book=book, cap=cap)
            if field.value:
                editor.value = field.value
        else:
            editor = PinyinKeyboard(wid="form.ime", lang=lang, cap=cap, text=field.value)
        # a refusal is shown by the keyboard and said by the session (ErrorView with its prompt key)
        editor.bind(on_refused=lambda w, _reason, fid=field.id: self.act("refuse_input", fid, w.refusal),
                    on_change=lambda _w, value, fid=field.id: self._enter(fid, value, done=False))
        self._editor = (field.id, editor)
        return editor

    def _handoff_panel(self, box: Any, field: Any, lang: str) -> None:
        app = App.get_running_app()
        box.add_widget(label(_handoff_line(field, lang), role="title", wid="form.handoff"))
        if field.handoff_url:
            # the gateway's one-time code, shown only while it waits for the phone
            image = KImage(wid="form.handoff_qr", fit_mode="contain")  # takes all the panel's free height
            image.texture = qr_texture(field.handoff_url)
            self._handoff_url = field.handoff_url
            box.add_widget(image)
            box.add_widget(label(app.tr("form.handoff_hint", lang), tone="muted", wid="form.handoff_hint"))
        elif getattr(field, "handoff_state", None) in ("expired", "error"):
            box.add_widget(button(app.tr("common.retry", lang), lambda fid=field.id: self.act("refresh_handoff", fid),
                                  wid="form.handoff_retry", style="primary"))

    def relayout(self) -> None:
        """A rotation rebuilds the form, keeping what the resident has not finished: the keyboard or picker
        in use (typed text, pinyin being composed, district/street), the field being filled and the choice
        of keyboard or phone. Still only in memory; clear() at the session end or on leaving drops it."""
        kept = (self._editor, self._on_phone, self.active)
        self._editor = None   # taken out of the panel by the rebuild, not reset
        self.clear()
        self._editor, self._on_phone, self.active = kept

    def clear_content(self) -> None:
        self.ids.fields.clear_widgets()
        self._clear_input()
        self._drop_editor()
        self._on_phone = set()
        self.active = ""
        self.title_text = ""
        self.step_text = ""
