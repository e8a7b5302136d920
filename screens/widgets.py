"""Shared widgets every screen is built from: themed labels, buttons, panels, the screen base class.

Sizes and colours are never literals: the kv rules bind them to ``app.th`` (kiosk.theme.Resolved for the
current mode), so switching 长辈模式 re-sizes every widget through Kivy bindings. Each widget that paints a
background exposes ``bg_rgb`` so the accessibility test can compute the contrast of text against what is
really behind it. ``wid`` names a widget for kiosk_dev.uidriver (kv ``ids`` are local to one rule).
"""
from __future__ import annotations

from typing import Any

from kivy.properties import (AliasProperty, BooleanProperty, ListProperty, NumericProperty,
                             OptionProperty, StringProperty)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.session.state import SessionState
from kiosk.session.views import ScreenView, view_for


class KLabel(Label):
    """Text in one of the theme roles (small/body/button/title/largest) and palette tones."""

    wid = StringProperty("")
    role = StringProperty("body")
    tone = StringProperty("text")
    personal = BooleanProperty(False)  # shows resident data: cleared on every wipe/leave


class FitLabel(Label):
    """One line of text whose box is as wide as the text (the header clock); KLabel wraps instead."""

    wid = StringProperty("")
    role = StringProperty("body")
    tone = StringProperty("text")


class KButton(Button):
    """A touch target: plain coloured rectangle, never smaller than the theme's target size.

    ``style`` picks the palette pair (primary, secondary, help, disabled). A greyed button is always also
    ``disabled`` and carries its reason in its text — colour is never the only signal.
    """

    wid = StringProperty("")
    style = StringProperty("secondary")
    role = StringProperty("button")
    #: False: the label stays on one line and the button is sized for it (footer)
    wrap = BooleanProperty(True)
    bg_rgb = ListProperty([1.0, 1.0, 1.0])
    fg_rgb = ListProperty([0.0, 0.0, 0.0])


class PadKey(KButton):
    """A key of a digit pad (form numbers, staff PIN)."""


def _icon_glyph(name: str) -> str:
    from kiosk.icons import glyph

    return glyph(name) if name else ""


def _icon_font() -> str:
    from kiosk.icons import font_path

    return font_path()


class Icon(Label):
    """One Material icon by name, drawn as a glyph of the icon TTF through Kivy's text rendering."""

    name = StringProperty("")

    def _get_glyph(self) -> str:
        return _icon_glyph(self.name)

    glyph = AliasProperty(_get_glyph, None, bind=("name",), cache=True)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("font_name", _icon_font())
        super().__init__(**kwargs)


class IconMixin:
    """A button with an icon: above its text (tiles, big actions) or left of it (footer, bars).

    The icon is a child :class:`Icon` placed by the kv rule; the button's padding leaves room for it, so
    the text never runs under it and the button grows to fit both.
    """

    icon = StringProperty("")
    icon_side = OptionProperty("top", options=("top", "left"))
    #: icon edge in px; 0 = the theme's size for this button role (kv)
    icon_size = NumericProperty(0)
    #: the icon edge really used (kv: icon_size, else a size that goes with the text; 0 without an icon)
    icon_px = NumericProperty(0)
    #: left/right padding in px; 0 = the theme's gap (the footer packs six labels in tighter)
    pad_x = NumericProperty(0)


class IconButton(IconMixin, KButton):
    """A main action or a tile with its icon."""


class IconKey(IconMixin, PadKey):
    """A compact button (footer, bars) with its icon."""


class Tile(IconButton):
    """A service tile: icon above the name, a frame that stands out from the page (>= 3:1), pressed = shifted
    frame. ``frame_rgb`` is exposed for the accessibility measure."""

    frame_rgb = ListProperty([0.0, 0.0, 0.0])


class NavBar(BoxLayout):
    """The action bar every screen ends with (issue 14 §2): 返回 bottom-left, the primary action bottom-right.

    Put it as the last child of the screen's outer vertical layout (padding ``app.th.pad``): then both
    buttons sit at the same place on every screen. A button without text keeps its place but is hidden and
    disabled, so the other never moves. Taps dispatch ``on_back`` / ``on_primary``; each button's ``wid`` is
    the screen's own (``form.back``, ``confirm.submit``…), for the UI driver and the tests.
    """

    back_text = StringProperty("")
    back_wid = StringProperty("")
    back_icon = StringProperty("arrow_back")
    primary_text = StringProperty("")
    primary_wid = StringProperty("")
    primary_icon = StringProperty("")
    primary_disabled = BooleanProperty(False)
    __events__ = ("on_back", "on_primary")

    def on_back(self) -> None:
        """Bound by the screen."""

    def on_primary(self) -> None:
        """Bound by the screen."""


class StepIndicator(BoxLayout):
    """"第 2 步 / 共 4 步" with one dot per step (filled up to the current one) — not colour alone: the words
    say it too. Hidden (no height) when ``total`` < 2. Its text label is ``<wid>.text``."""

    wid = StringProperty("")
    step = NumericProperty(1)
    total = NumericProperty(0)


class StepDots(Widget):
    """The dots of a :class:`StepIndicator`: done and current steps filled, the rest rings."""

    step = NumericProperty(1)
    total = NumericProperty(0)
    rgb = ListProperty([0.0, 0.0, 0.0])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, step=self._draw, total=self._draw, rgb=self._draw)

    def _draw(self, *_args: Any) -> None:
        from kivy.graphics import Color, Ellipse, Line

        self.canvas.clear()
        n = int(self.total)
        if n < 2:
            return
        d = self.height * 0.55
        step_x = d * 1.8
        x0 = self.x
        y = self.center_y - d / 2
        with self.canvas:
            Color(*self.rgb)
            for i in range(n):
                x = x0 + i * step_x
                if i < self.step:
                    Ellipse(pos=(x, y), size=(d, d))
                else:
                    Line(ellipse=(x + 1.5, y + 1.5, d - 3, d - 3), width=1.5)


class PagerBar(BoxLayout):
    """上一页 · 第 1 页 / 共 2 页 · 下一页 as large buttons (elder mode's short pages); no height with one page.
    Taps dispatch ``on_prev`` / ``on_next``; the buttons are ``<wid>.prev`` / ``<wid>.next``, the words
    ``<wid>.text``."""

    wid = StringProperty("")
    page = NumericProperty(1)
    pages = NumericProperty(1)
    __events__ = ("on_prev", "on_next")

    def on_prev(self) -> None:
        """Bound by the screen."""

    def on_next(self) -> None:
        """Bound by the screen."""


class Panel(BoxLayout):
    """A box with a painted background colour taken from the palette by name."""

    wid = StringProperty("")
    bg_name = StringProperty("panel_bg")
    bg_rgb = ListProperty([1.0, 1.0, 1.0])


class KGrid(GridLayout):
    wid = StringProperty("")


class KImage(Image):
    wid = StringProperty("")
    personal = BooleanProperty(False)


class Spacer(Widget):
    pass


class ModalLayer(FloatLayout):
    """Full-window layer over the screens (idle countdown, progress, help, staff). Swallows every touch
    that its own buttons do not take, so nothing underneath reacts while it is up."""

    wid = StringProperty("")
    bg_rgb = ListProperty([1.0, 1.0, 1.0])

    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True


class KioskScreen(Screen):
    """Base of every screen: renders its own view of the session state and forgets everything on clear().

    ``render(session)`` is called after every state change while the screen is shown; it builds the
    screen's view (kiosk/session/views.py: only the fields this screen reads) and subclasses rebuild their
    dynamic parts only when ``signature(view)`` changed, so a tap elsewhere costs nothing here.
    ``clear`` runs when the screen is left and on every wipe: no resident data survives in its widgets.
    """

    bg_rgb = ListProperty([1.0, 1.0, 1.0])
    _sig: Any = None
    #: False for screens that never show anything about the resident (attract, closed): they keep their
    #: widgets when left, so coming back costs no rebuild; every screen is still cleared on a wipe
    keep_on_leave = False

    def act(self, method: str, *args: Any) -> None:
        from kivy.app import App
        App.get_running_app().act(method, *args)

    #: the view this screen was last rendered with (None once cleared: a wipe drops it with the widgets)
    view: ScreenView | None = None

    def render(self, session: SessionState) -> None:
        # the one place a screen's view is made: signature() and build_content() see only their own slice
        self.view = view_for(self.name, session)
        self.rerender()

    def rerender(self) -> None:
        """Rebuild from the last view if the signature changed — after a change of the screen's own
        widget state (e.g. the form's selected field) that the session does not know about."""
        state = self.view
        if state is None:
            return
        sig = self.signature(state)
        if sig == self._sig:
            return
        self._sig = sig
        self.build_content(state)

    def signature(self, state: ScreenView) -> Any:
        return (state.lang, state.elder_mode)

    def build_content(self, state: ScreenView) -> None:
        """Fill dynamic widgets from ``state``, this screen's view (subclasses)."""

    def clear(self) -> None:
        self._sig = None
        self.view = None
        self.clear_content()

    def clear_content(self) -> None:
        """Drop dynamic widgets / textures (subclasses)."""

    def relayout(self) -> None:
        """The screen turned (portrait ↔ landscape): rebuild for the new shape. Not a wipe — a screen holding
        input the resident has not finished keeps it (the form); by default everything is rebuilt."""
        self.clear()


def label(text: str, *, role: str = "body", tone: str = "text", wid: str = "", halign: str = "left",
          personal: bool = False) -> KLabel:
    return KLabel(text=text, role=role, tone=tone, wid=wid, halign=halign, personal=personal)


def pages_of(text: str, page_chars: int) -> list[str]:
    """``text`` cut into pages of at most ``page_chars`` characters, at a line break when one is near."""
    pages = []
    while len(text) > page_chars:
        cut = text.rfind("\n", page_chars * 3 // 4, page_chars)
        cut = page_chars if cut < 0 else cut + 1
        pages.append(text[:cut])
        text = text[cut:]
    pages.append(text)
    return pages


class PagedText(BoxLayout):
    """Text of any length shown a page at a time, so the UI thread never lays out or renders more than a
    page (a 100,000-character guide item is one texture of a few hundred characters, not a giant one).

    A text longer than a page ends its page with "…" and gets a visible "more (2/167)" button
    (``<wid>.more``) that turns the page; the label keeps ``wid``. ``more_text(page, pages)`` words the
    button in the screen's language."""

    def __init__(self, text: str, *, page_chars: int, wid: str, more_text: Any, personal: bool = False,
                 role: str = "body", **kwargs: Any) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self._pages = pages_of(text, page_chars)
        self._page = 0
        self._more_text = more_text
        self.label = label("", wid=wid, personal=personal, role=role)
        self.add_widget(self.label)
        self.more: KButton | None = None
        if len(self._pages) > 1:
            self.more = button("", self.next_page, wid=f"{wid}.more", cls=PadKey)
            self.add_widget(self.more)
        self._show()

    def next_page(self) -> None:
        self._page = (self._page + 1) % len(self._pages)
        self._show()

    def _show(self) -> None:
        last = self._page == len(self._pages) - 1
        self.label.text = self._pages[self._page] + ("" if last else " …")
        if self.more is not None:
            self.more.text = self._more_text(self._page + 2 if not last else 1, len(self._pages))


def button(text: str, on_release: Any, *, style: str = "secondary", wid: str = "", disabled: bool = False,
           role: str = "button", cls: type = KButton) -> KButton:
    btn = cls(text=text, style=style, wid=wid, disabled=disabled, role=role)
    btn.bind(on_release=lambda *_: on_release())
    return btn


def icon_button(text: str, icon: str, on_release: Any, *, style: str = "secondary", wid: str = "",
                disabled: bool = False, role: str = "button", cls: type = IconButton) -> KButton:
    btn = button(text, on_release, style=style, wid=wid, disabled=disabled, role=role, cls=cls)
    btn.icon = icon
    return btn


def columns(landscape: bool, portrait: int = 2, wide: int = 3) -> int:
    return wide if landscape else portrait
