"""Spoken errors: every error the session shows names the prompt that says it, the prompt exists in the
catalog, and errors (with help statuses and the idle warning) are spoken even where screens stay silent."""
from __future__ import annotations

import ast
from pathlib import Path

from kiosk.backend.errors import NetworkError, ProtocolError
from kiosk.session.state import DeviceView, ErrorView, HelpView, SessionState, Text
from kiosk.voice.catalog import PROMPTS
from kiosk.voice.prompts import prompt_for, speaks, urgent

from session_fakes import identify_by_card, make

ROOT = Path(__file__).resolve().parents[2]


def test_errors_of_the_session_name_their_prompt():
    ctl, rt, _ = make()
    ctl.on_devices(DeviceView(printer="online", idcard="online", backend="online", paper="out",
                              printer_ready=False, reader_online=True, backend_ok=True))
    ctl.choose_service("social-insurance-record")
    assert ctl.state.error.voice == "error.paper_out" and prompt_for(ctl.state) == "error.paper_out"
    ctl.dismiss()
    ctl.on_devices(DeviceView(printer="online", idcard="offline", backend="online", paper="full",
                              printer_ready=True, reader_online=False, backend_ok=True))
    ctl.choose_service("no-such-service")
    assert prompt_for(ctl.state) == "error.generic"

    ctl, rt, _ = make()
    ctl.choose_service("service-guides")
    ctl.open_guide("hotline-12345")
    rt.fail("guide", NetworkError("down"))
    assert ctl.state.error.voice == "error.gateway_down"
    ctl.retry()
    rt.fail("guide", ProtocolError("garbled"))
    assert ctl.state.error.voice == "error.generic"

    ctl, rt, _ = make()
    identify_by_card(ctl, rt)
    ctl.choose_service("hotline-12345")
    ctl.next()  # nothing filled in
    assert ctl.state.error.voice == "error.input" and prompt_for(ctl.state) == "error.input"


def test_every_voice_named_in_the_code_is_in_the_catalog():
    """A typo in ``voice="error.paper_ot"`` would be silence; every literal prompt key must exist."""
    named = []
    for path in [*(ROOT / "kiosk").rglob("*.py"), *(ROOT / "screens").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "voice" and isinstance(node.value, ast.Constant):
                named.append((path.name, node.value.value))
    from kiosk.session.text import REASON_VOICE
    named += [("text.py", v) for v in REASON_VOICE.values()]
    assert len(named) >= 8
    assert [n for n in named if n[1] not in PROMPTS] == []


def test_an_unknown_voice_falls_back_to_the_device_state_then_generic():
    down = DeviceView(reader_online=True, backend="offline", backend_ok=False)
    assert prompt_for(SessionState(screen="menu", devices=down, error=ErrorView(Text("x", "x"), voice="nope"))) \
        == "error.gateway_down"
    assert prompt_for(SessionState(screen="menu", error=ErrorView(Text("x", "x"), voice="error.scan_expired"))) \
        == "error.scan_expired"


def test_errors_and_help_are_urgent_screens_follow_auto_play():
    assert speaks("error.paper_out", "elder", elder_mode=False)
    assert speaks("step.idle_warning", "elder", elder_mode=False)
    assert not speaks("screen.menu", "elder", elder_mode=False) and speaks("screen.menu", "elder", elder_mode=True)
    assert not speaks("error.paper_out", "never", elder_mode=True)
    eta = prompt_for(SessionState(help=HelpView("acknowledged", Text("x", "x"), eta_minutes=3)))
    assert isinstance(eta, tuple) and urgent(eta) and speaks(eta, "elder", elder_mode=False)


def test_help_statuses_are_spoken_with_their_numbers():
    def said(view, lang="zh-CN"):
        return prompt_for(SessionState(help=view, lang=lang, error=ErrorView(Text("x", "x"))))

    assert said(HelpView("sending", Text("x", "x"))) == "help.sending"
    assert said(HelpView("pending", Text("x", "x"))) == "help.notified"
    ack = said(HelpView("acknowledged", Text("x", "x"), eta_minutes=2))
    assert "piece.zh.liang" in ack and ack[-1] == "piece.minutes_arrive"  # 约两分钟到达
    fallback = said(HelpView("unreachable", Text("x", "x"), phones=("021-62470000", "12345")))
    assert fallback[0] == "help.unreachable" and fallback[-1] == "piece.or_hotline"
    assert "piece.call" in fallback and fallback.count("piece.digit.2") >= 2
    assert said(HelpView("call", Text("x", "x"), phones=("12345",))) == ("help.call", "|", "piece.hotline")
    assert said(HelpView("unreachable", Text("x", "x"), phones=("12345",)))[-1] == "piece.hotline"
    assert said(HelpView("cancelled", Text("x", "x"))) == "help.cancelled"
    # an idle warning still wins over the help status (the wait's upper bound ran out)
    assert prompt_for(SessionState(help=HelpView("pending", Text("x", "x")), countdown=10)) == "step.idle_warning"
