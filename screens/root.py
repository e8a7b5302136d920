"""The window's root: header (terminal, clock), the ScreenManager, footer (一键求助 and session buttons) and
the overlays (error banner, idle countdown, progress, help). Decides nothing: it shows what the controller
state says and forwards taps to controller methods through ``app.act``.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.session.views import RootView
from screens.kv import load_widget_kv
from screens.overlays import BusyLayer, ErrorBanner, HelpLayer, IdleLayer
from screens.widgets import IconKey, KioskScreen, Panel

#: footer buttons per situation (left to right); help is on every screen
_FOOTER_ORDER = ("help", "repeat", "home", "end", "lang", "elder")
#: modal overlays, stacked in this order when several are shown; built after the first frame (their labels
#: were a quarter of the text rendered before the attract screen could appear)
_LAYERS = {"idle": IdleLayer, "busy": BusyLayer, "help": HelpLayer}
#: footer buttons never shown on the attract screen: built (from their kv rule) the first time they are shown
_LAZY_FOOTER = {"home": "FooterHome", "end": "FooterEnd"}


class CornerZone(Widget):
    """Invisible hidden staff entry in the top-left corner: each tap is counted by the controller."""

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos):
            App.get_running_app().act("staff_corner_tap")
            return True
        return False


class FooterKey(IconKey):
    """A footer button: its label on one line in every language and mode, a big icon with it."""


class NoticeBar(Panel):
    """The notice line above the screen ("打印完成…"): built the first time a notice is shown."""

    text = StringProperty("")


class KioskRoot(FloatLayout):
    sm = ObjectProperty(None)
    notice_text = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        # ids are weak proxies: keep strong references to widgets that leave the tree while hidden
        self._footer_buttons = {name: self.ids[f"f_{name}"].__self__ for name in _FOOTER_ORDER
                                if f"f_{name}" in self.ids}
        for button in self._footer_buttons.values():
            self.remove_widget(button)
        self._footer_shown: tuple = ()
        self._overlays: dict[str, Any] = {}
        self._notice: Any = None

    def _footer_button(self, name: str) -> Any:
        """A footer button; 首页 and 结束办理 (never on the attract screen) are built the first time shown."""
        button = self._footer_buttons.get(name)
        if button is None:
            button = self._footer_buttons[name] = Factory.get(_LAZY_FOOTER[name])()
        return button

    def _error_banner(self) -> Any:
        if "error" not in self._overlays:
            load_widget_kv("overlays")
            self._overlays["error"] = ErrorBanner()
        return self._overlays["error"]

    def on_touch_down(self, touch: Any) -> bool:
        # widgets see the touch first (so an overlay button is pressed before touch() may close its
        # overlay); then any touch re-arms the idle timer — before the button's on_release method runs
        handled = super().on_touch_down(touch)
        app = App.get_running_app()
        if app.controller is not None:
            app.controller.touch()
        return handled

    # --- rendering -----------------------------------------------------------------------------------
    def render(self, state: RootView) -> None:
        self._render_footer(state)
        self._render_error(state)
        self._render_notice(state)
        self._set_layer("idle", state.countdown is not None, state)
        self._set_layer("busy", state.busy is not None and state.countdown is None, state)
        self._set_layer("help", state.help is not None, state)

    def _render_footer(self, state: RootView) -> None:
        screen = state.screen
        if screen in ("staff_pin", "staff"):
            shown: tuple[str, ...] = ()  # the PIN pad has its own 返回, the staff panel its 退出管理
        else:
            shown = ("help",)
            if getattr(App.get_running_app(), "voice", None) is not None:
                shown += ("repeat",)  # 再听一遍 wherever a prompt can be heard
            if screen not in ("attract", "closed"):
                shown += ("home",)
            if state.identity is not None:
                shown += ("end",)
            shown += ("lang", "elder")
        key = (shown, state.lang, bool(state.elder_mode))
        if key == self._footer_shown:
            return
        self._footer_shown = key
        bar = self.ids.footer
        bar.clear_widgets()
        for name in _FOOTER_ORDER:
            if name in shown:
                bar.add_widget(self._footer_button(name))
        Clock.schedule_once(lambda _dt: _share_by_label(bar.children), 0)  # after the labels' text updates

    def _render_error(self, state: RootView) -> None:
        content = self.ids.content
        if state.error is None:
            banner = self._overlays.get("error")
            if banner is not None:
                if banner.parent is not None:
                    content.remove_widget(banner)
                banner.clear()
            return
        banner = self._error_banner()
        banner.show(state)
        if banner.parent is None:
            # below the header, above the screen
            content.add_widget(banner, index=len(content.children) - 1)

    def _render_notice(self, state: RootView) -> None:
        notice = getattr(state, "notice", None)
        content = self.ids.content
        self.notice_text = notice.get(state.lang) if notice is not None else ""
        if notice is None:
            if self._notice is not None and self._notice.parent is not None:
                content.remove_widget(self._notice)
            return
        bar = self._notice_bar()
        if bar.parent is None:
            content.add_widget(bar, index=content.children.index(self.sm) + 1)

    def _notice_bar(self) -> Any:
        if self._notice is None:
            self._notice = NoticeBar(text=self.notice_text)
            self.bind(notice_text=self._notice.setter("text"))  # both live as long as the window
        return self._notice

    def build_overlays(self) -> None:
        """Build what the attract screen does not show and that is not built yet — the modal overlays, the
        error banner, the notice bar, 首页 and 结束办理 — kept out of the tree until shown. The app calls it
        right after the first frame, so neither the first frame nor the first touch waits for them."""
        load_widget_kv("overlays")  # their rules
        self._error_banner()
        self._notice_bar()
        for name in _LAZY_FOOTER:
            self._footer_button(name)
        for name, cls in _LAYERS.items():
            if name not in self._overlays:
                self._overlays[name] = cls()

    def _set_layer(self, name: str, visible: bool, state: RootView) -> None:
        layer = self._overlays.get(name)
        if layer is None:
            if not visible:
                return
            self.build_overlays()
            layer = self._overlays[name]
        if visible:
            layer.show(state)
            if layer.parent is None:
                self.add_widget(layer)
        else:
            if layer.parent is not None:
                self.remove_widget(layer)
            layer.clear()

    def clear_all(self, wipe: bool = True) -> None:
        """Forget everything shown (wipe): every screen and overlay drops its content. ``wipe=False`` is a
        rotation: the screens rebuild for the new shape but keep the resident's unfinished input."""
        for screen in self.sm.screens:
            if isinstance(screen, KioskScreen):
                if wipe:
                    screen.clear()
                else:
                    screen.relayout()
        for layer in self._overlays.values():
            layer.clear()
        self.notice_text = ""


def _share_by_label(buttons: list[Any]) -> None:
    """Widths in proportion to each button's whole one-line label (with its icon when beside it), so no
    label wraps: 一键求助 never narrower than the mean, short labels (中文, Home) give room to long ones.

    Six footer buttons in elder mode leave ~157 px each on a 1080 px screen; "Standard text" (elder,
    English) needs ~260 px on one line and 中文 ~110 px: a share by need fits them all on one line.
    """
    needs = []
    for b in buttons:
        b.texture_update()  # the one-line texture of the label as it is now
        needs.append(b.texture_size[0] + 4)
    mean = sum(needs) / len(needs) if needs else 0
    for b, need in zip(buttons, needs):
        b.size_hint_x = max(need, mean) if b.wid == "footer.help" else need
