"""Identify screen: three ways in — 刷身份证 · 亮随申码 (to the kiosk's scanner) · 随申办扫码 (the QR).

Each way has a drawn picture (contactless, qr_code_scanner, phone_iphone from the icon font) and big text.
The 亮随申码 way is shown where a scanner is configured (the view's ``scanner`` is not ``noDevice``), greyed
with the reason while it is offline; a scan itself reaches the session as a device event, never through here.

The QR comes from the gateway ticket (state.qr.qr_url, opaque, no personal data) and is drawn with
qrcode -> texture (nearest filter). scanned -> QR hidden, "请在手机上确认"; expired -> grey QR + 点击刷新.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.session.views import IdentifyScreenView
from screens.qr import qr_texture
from screens.widgets import KioskScreen

_QR_KEYS = {"waiting": "identify.qr_waiting", "scanned": "identify.qr_scanned",
            "expired": "identify.qr_expired", "error": "identify.qr_error", "loading": "identify.qr_loading",
            "cancelled": "identify.qr_cancelled", "confirmed": "identify.qr_scanned"}
_CARD_KEYS = {"waiting": "identify.card_place", "reading": "identify.card_reading",
              "error": "identify.card_retry", "idle": "identify.card_idle", "done": "identify.card_reading"}


class IdentifyScreen(KioskScreen):
    card_text = StringProperty("")
    card_error = BooleanProperty(False)
    qr_text = StringProperty("")
    qr_seconds_text = StringProperty("")
    qr_state = StringProperty("")
    card_offset = NumericProperty(0.0)  # 0..1, the card icon's breathing while it waits
    ssm_text = StringProperty("")
    ssm_off = BooleanProperty(False)  # scanner configured but not online: the way is greyed, with the reason
    #: elder mode: the login QR alone on the page, so it is never smaller than in standard mode (issue 14 §5)
    qr_page = BooleanProperty(False)
    _qr_url = ""
    _anim: Any = None
    #: the card slides in 10 steps a second: enough to read as motion, and on a machine without a GPU
    #: (llvmpipe) it costs 10 redraws a second instead of 60
    ANIM_STEP_S = 0.1

    def on_kv_post(self, base_widget: Any) -> None:
        # kept strongly: the button leaves the tree while hidden so the QR gets its height
        self._refresh = self.ids.qr_refresh.__self__
        self.ids.qr_panel.remove_widget(self._refresh)
        # likewise for the ways: which are in the tree depends on the scanner, elder mode and the QR page
        self._ways = {name: self.ids[name].__self__ for name in ("card_panel", "ssm_panel", "qr_panel", "qr_way")}
        self._elder = self._ssm_on = False

    def _arrange(self) -> None:
        """Standard: the card, the 随申码 (where a scanner is configured) and the QR panel. Elder: the card, the
        随申码 and a big 随申办 tile — or, once that is tapped, the QR panel alone."""
        elder = self._elder
        if elder and self.qr_page:
            wanted = ["qr_panel"]
        else:
            wanted = ["card_panel"] + (["ssm_panel"] if self._ssm_on else []) + ["qr_way" if elder else "qr_panel"]
        ways = self.ids.ways
        if [w for w in reversed(ways.children)] == [self._ways[n] for n in wanted]:
            return
        ways.clear_widgets()
        for name in wanted:
            ways.add_widget(self._ways[name])

    def show_qr_page(self, shown: bool) -> None:
        self.qr_page = shown
        self._arrange()

    def back(self) -> None:
        """返回 from the QR page goes back to the ways; from the ways, out of identify."""
        if self.qr_page:
            self.show_qr_page(False)
        else:
            self.act("back")

    def _refresh_button(self, shown: bool) -> None:
        panel = self.ids.qr_panel
        if shown and self._refresh.parent is None:
            panel.add_widget(self._refresh, index=0)
        elif not shown and self._refresh.parent is not None:
            panel.remove_widget(self._refresh)

    def signature(self, state: IdentifyScreenView) -> Any:
        qr, card = state.qr, state.card
        return (state.lang, state.elder_mode,
                None if qr is None else (qr.state, qr.qr_url, qr.seconds_left, qr.message),
                card.state, card.message, state.scanner)

    def build_content(self, state: IdentifyScreenView) -> None:
        app = App.get_running_app()
        lang = state.lang
        card = state.card
        key = _CARD_KEYS.get(card.state, "identify.card_place")
        self.card_text = card.message.get(lang) if card.message is not None else app.tr(key, lang)
        self.card_error = card.state == "error"
        self._animate(card.state == "waiting")
        scanner = state.scanner
        self._elder, self._ssm_on = state.elder_mode, scanner != "noDevice"
        self.qr_page = self.qr_page and state.elder_mode
        self._arrange()
        self.ssm_off = scanner != "online"
        self.ssm_text = app.tr("identify.ssm_offline" if self.ssm_off else "identify.ssm_show", lang)
        qr = state.qr
        self.qr_state = "none" if qr is None else qr.state
        self._refresh_button(self.qr_state in ("expired", "error", "cancelled"))
        if qr is None:
            self.qr_text, self.qr_seconds_text = app.tr("identify.qr_loading", lang), ""
        else:
            key = _QR_KEYS.get(qr.state, "identify.qr_waiting")
            self.qr_text = qr.message.get(lang) if qr.message is not None else app.tr(key, lang)
            self.qr_seconds_text = (app.tr("identify.qr_seconds", lang, n=qr.seconds_left)
                                    if qr.state == "waiting" and qr.seconds_left > 0 else "")
        image = self.ids.qr_image
        if qr is not None and qr.state == "expired":
            return  # keep the last code on screen, greyed by the kv rule, under 点击刷新
        url = qr.qr_url if qr is not None and qr.state == "waiting" else ""
        if url and url != self._qr_url:
            image.texture = qr_texture(url)
        elif not url:
            image.texture = None
        self._qr_url = url

    def _animate(self, on: bool) -> None:
        if on and self._anim is None:
            self._phase = 0
            self.card_offset = 0.0
            self._anim = Clock.schedule_interval(self._step, self.ANIM_STEP_S)
        elif not on and self._anim is not None:
            self._anim.cancel()
            self._anim = None
            self.card_offset = 1.0

    def _step(self, _dt: float) -> None:
        # 12 steps sliding down (ease-out), 8 resting on the reader, then again from the top
        self._phase = (self._phase + 1) % 20
        t = min(self._phase / 12.0, 1.0)
        self.card_offset = 1.0 - (1.0 - t) ** 2

    def clear_content(self) -> None:
        self._animate(False)
        self.ids.qr_image.texture = None
        self._qr_url = ""
        self.card_text = self.qr_text = self.qr_seconds_text = self.ssm_text = ""
        self.qr_state = ""
        self._refresh_button(False)
        self.qr_page = False
