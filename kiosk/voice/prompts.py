"""Which prompt a session state calls for — the one rule the app follows to speak on entering a screen.

:func:`prompt_for` looks at the state the controller published (kiosk/session/state.py) and names what to say
*now*: the idle warning over everything, then the live 一键求助 status, then an error, then a step inside the
screen (card being read, code scanned, paper out at the end of a print), else the screen's own prompt. The app
speaks whenever this prompt changes, so entering a screen, a new step, a new error and a new help status each
speak once, and nothing repeats on the many state updates in between. An error names its prompt
(``ErrorView.voice``); when it does not, the device state decides (a gateway that is down, a reader that is
offline), else the generic "暂时无法办理" prompt. A help status with numbers in it (minutes, a phone number) is
an utterance joined from cached pieces (:mod:`kiosk.voice.numbers`).

:func:`speaks` decides whether it is said without a tap on 再听一遍: screens follow ``voice.auto_play``
(elder mode by default), but errors, help statuses and the idle warning are *urgent* — a resident who does
not read the screen well must hear that something went wrong or that help is coming — and are spoken unless
``auto_play`` is ``never``. Pure, no I/O.
"""
from __future__ import annotations

from typing import Any

from kiosk.voice import numbers
from kiosk.voice.catalog import PROMPTS, screen_key
from kiosk.voice.numbers import PAUSE, Utterance

#: when the screen prompts are spoken without a tap on 再听一遍
AUTO_PLAY = ("always", "elder", "never")
Prompt = str | Utterance
_URGENT = ("error.", "help.", "step.idle_warning", "piece.helper_coming")
HOTLINE = "12345"


def prompt_for(state: Any) -> Prompt | None:
    if getattr(state, "countdown", None) is not None:
        return "step.idle_warning"
    help_view = getattr(state, "help", None)
    if help_view is not None and hasattr(help_view, "state"):
        return help_prompt(help_view, getattr(state, "lang", "zh-CN"))
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
    if result is not None and result.printed is False and devices is not None:
        return "error.paper_out" if devices.paper == "out" else "error.printer_offline"
    return screen_key(state.screen)


def help_prompt(view: Any, lang: str) -> Prompt | None:
    """What the 一键求助 overlay says for its status (kiosk.session.state.HelpView)."""
    status = view.state
    if status == "acknowledged" and view.eta_minutes is not None:
        return numbers.help_eta(int(view.eta_minutes), lang)
    if status in ("call", "unreachable") and view.phones:
        head = "help.call" if status == "call" else "help.unreachable"
        if view.phones[0] == HOTLINE:  # the hotline is said 一二三四五, the way residents know it
            return (head, PAUSE, "piece.hotline")
        parts: list[str] = [head, PAUSE, *numbers.phone(view.phones[0], lang)]
        if HOTLINE in view.phones[1:]:
            parts += [PAUSE, "piece.or_hotline"]
        return tuple(parts)
    return {"sending": "help.sending", "pending": "help.notified", "acknowledged": "help.notified",
            "resolved": "help.resolved", "cancelled": "help.cancelled"}.get(status)


def urgent(prompt: Prompt) -> bool:
    keys = (prompt,) if isinstance(prompt, str) else prompt
    return any(k.startswith(_URGENT) for k in keys)


def speaks(prompt: Prompt, auto_play: str, elder_mode: bool) -> bool:
    """Whether ``prompt`` is said as soon as it is due (else only 再听一遍 says it)."""
    if auto_play == "never":
        return False
    return speaks_on_entry(auto_play, elder_mode) or urgent(prompt)


def speaks_on_entry(auto_play: str, elder_mode: bool) -> bool:
    return auto_play == "always" or (auto_play == "elder" and elder_mode)
