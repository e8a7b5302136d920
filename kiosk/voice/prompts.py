"""Which prompt a session state calls for — the one rule the app follows to speak on entering a screen.

:func:`prompt_for` looks at the state the controller published (kiosk/session/state.py) and names the catalog
key that says what to do *now*: the idle warning over everything, then an error, then a step inside the
screen (card being read, code scanned, paper out at the end of a print), else the screen's own prompt. The
app speaks whenever this key changes, so entering a screen, a new step and a new error each speak once, and
nothing repeats on the many state updates in between. An error may name its prompt (``ErrorView.voice``);
otherwise the device state decides (a gateway that is down, a reader that is offline), else the generic
"暂时无法办理" prompt. Pure, no I/O.
"""
from __future__ import annotations

from typing import Any

from kiosk.voice.catalog import PROMPTS, screen_key

#: when the screen prompts are spoken without a tap on 再听一遍
AUTO_PLAY = ("always", "elder", "never")


def prompt_for(state: Any) -> str | None:
    if getattr(state, "countdown", None) is not None:
        return "step.idle_warning"
    devices = getattr(state, "devices", None)
    card = getattr(state, "card", None)
    card_error = card is not None and card.state == "error"
    reader_down = devices is not None and not devices.reader_online
    error = getattr(state, "error", None)
    if error is not None:
        named = getattr(error, "voice", None)
        if named in PROMPTS:
            return named
        if card_error:
            return "error.reader_offline" if reader_down else "error.card_unread"
        if devices is not None and devices.backend not in ("unknown", "online") and not devices.backend_ok:
            return "error.gateway_down"
        return "error.generic"
    if card_error:
        return "error.reader_offline" if reader_down else "error.card_unread"
    if card is not None and card.state == "reading":
        return "step.card_reading"
    qr = getattr(state, "qr", None)
    if qr is not None and qr.state == "scanned":
        return "step.qr_scanned"
    result = getattr(state, "result", None)
    if result is not None and result.printed is False and devices is not None and devices.paper == "out":
        return "error.paper_out"
    return screen_key(state.screen)


def speaks_on_entry(auto_play: str, elder_mode: bool) -> bool:
    return auto_play == "always" or (auto_play == "elder" and elder_mode)
