"""Steps shared by the UI tests: sign in with the simulated card, walk into a service, read personal data
back out of the widget tree."""
from __future__ import annotations

from typing import Any, Iterable

from kivy.core.window import Window
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput

from kiosk_dev import uidriver as ui

#: the simulator's "resident" card (devices/idcard/identities.py) and the phone the tests type
RESIDENT = {"name": "李建国", "id_number": "31011519650412127X", "address": "上海市浦东新区世纪大道1000弄12号301室",
            "birth": "1965-04-12"}
PHONE = "13912345678"
#: the kiosk's two screen shapes (1080×1920 portrait, its landscape mount)
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def sign_in_with_card(k: Any, card: Any = "resident") -> None:
    """``card``: a sample card's name, or an ``IdCard`` made up by the test."""
    ui.wait_screen("attract")
    ui.tap("attract.card")
    ui.wait_screen("identify")
    ui.wait_until(lambda: k.state.card.state == "waiting", timeout=5, what="reader polling")
    if isinstance(card, str):
        k.card("place", card=card)
    else:
        k.idcard.place_card(card)
    ui.wait_screen("menu", timeout=10)
    take_card_away(k)


def take_card_away(k: Any) -> None:
    """Lift the card and wait until the reader has seen it go (its next find, up to one poll interval): a
    card placed again before that is, to the reader, the same placement and is not read again."""
    k.card("remove")
    ui.wait_until(lambda: not k.rt.reader.card_on_reader, timeout=5, what="the reader saw the card lifted")


def open_service(k: Any, service_id: str, screen: str, timeout: float = 10.0) -> None:
    ui.tap(f"menu.svc.{service_id}")
    ui.wait_until(lambda: ui.current_screen() == screen and k.state.busy is None, timeout=timeout,
                  what=f"{service_id} -> {screen}")
    ui.pump(3)


def to_address_detail(k: Any) -> None:
    """Sign in and walk 证照统一物流's form to the address picker's detail keyboard: 社会保障卡, the phone,
    邮寄到家, then 静安区 and its first street."""
    sign_in_with_card(k)
    open_service(k, "certificate-delivery", "form")
    ui.tap("form.opt.ss-card")
    for digit in PHONE:
        ui.tap(f"form.key.{digit}")
    ui.tap("form.opt.home")
    ui.tap("form.field.address")
    ui.tap("form.address.district.jingan")
    ui.tap("form.address.street.0")


def phone_fills_handoff(k: Any, field_id: str = "description",
                        text: str = "小区门口路灯坏了一周，晚上很黑，请尽快修理。") -> None:
    """The resident scans the hand-off code and types the long text on the phone (gateway simulator)."""
    ui.wait_until(lambda: k.state.form.field(field_id).handoff_state == "waiting", timeout=10,
                  what="hand-off code")
    k.gateway.handoff_submit(text=text)
    ui.wait_until(lambda: k.state.form.field(field_id).handoff_state == "submitted", timeout=10,
                  what="hand-off submitted")
    ui.pump(2)


def all_widgets() -> Iterable[Any]:
    """The window tree plus every screen the ScreenManager holds off-tree (they keep widgets too)."""
    from kivy.app import App

    seen = set()
    roots = [Window] + list(App.get_running_app().root.sm.screens)
    roots += list(App.get_running_app().root._overlays.values())
    for root in roots:
        for w in [root] + list(ui.walk(root)):
            if id(w) not in seen:
                seen.add(id(w))
                yield w


def visible_texts() -> list[str]:
    return [w.text for w in all_widgets() if isinstance(w, (Label, TextInput)) and w.text]


def personal_leftovers(needles: Iterable[str]) -> list[str]:
    """Every widget text / image that still shows one of ``needles`` (or any image marked personal)."""
    hits = []
    needles = [n for n in needles if n]
    for w in all_widgets():
        texts = []
        if isinstance(w, (Label, TextInput)):
            texts.append(str(w.text))
        if isinstance(w, Image):
            texts.append(str(w.source or ""))
            if getattr(w, "personal", False) and w.texture is not None:
                hits.append(f"{getattr(w, 'wid', type(w).__name__)}: personal image texture kept")
        for t in texts:
            for n in needles:
                if n in t:
                    hits.append(f"{getattr(w, 'wid', '') or type(w).__name__}: {n!r} in {t!r}")
    return hits


def set_variant(k: Any, lang: str, elder: bool, orient: str) -> str:
    """Put the running kiosk in one language / mode / orientation; returns the variant's name."""
    if k.state.lang != lang:
        k.ctl.set_language(lang)
    if k.state.elder_mode != elder:
        k.ctl.toggle_elder_mode()
    ui.set_window_size(*SIZES[orient])
    ui.pump(6)
    return f"{'elder' if elder else 'standard'}-{orient}{'-en' if lang == 'en' else ''}"
