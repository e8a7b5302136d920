"""One clock: everything a resident or staff member sees is in the terminal's zone, not the machine's.

The kiosks run in UTC; the terminal stands in Shanghai. A fixed instant, 2026-11-27 23:16 UTC, must read
2026-11-28 07:16 on the header clock, the queue ticket, the submission receipt and inside the reference.
"""
from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from kiosk import clock
from kiosk.backend.models import QueueTicket
from kiosk.backend.submissions import SubmissionService, make_reference
from kiosk.config.hours import OpeningHours
from kiosk.config.loader import load_config
from kiosk.receipts.preview import render_page
from kiosk.runtime_print import build_document
from kiosk.session.controller import SessionController

sys.path.insert(0, str(Path(__file__).parent))
from session_fakes import (CONFIG_DIR, FakeClock, FakeRuntime, all_ready, identify_by_card,  # noqa: E402
                           phone_fills)

INSTANT = datetime(2026, 11, 27, 23, 16, tzinfo=timezone.utc)
LOCAL = "2026-11-28 07:16"


def text_of(doc) -> str:
    page = render_page(doc)
    assert page.unknown == []
    return page.text()


def controller(cfg=None, now=lambda: INSTANT):
    cfg = cfg or load_config(CONFIG_DIR)
    rt = FakeRuntime()
    ctl = SessionController(cfg, rt, clock=FakeClock(), now=now)
    ctl.on_devices(all_ready())
    return ctl, rt


def in_zone(cfg, name: str):
    return cfg.model_copy(update={"opening_hours": cfg.opening_hours.model_copy(update={"timezone": name})})


def test_helpers_convert_instants_and_gateway_strings_to_the_terminal_zone():
    cfg = load_config(CONFIG_DIR)
    assert cfg.opening_hours.timezone == "Asia/Shanghai"
    local = clock.local_now(cfg, now=lambda: INSTANT)
    assert local.tzinfo is not None and local.utcoffset() == timedelta(hours=8)
    assert local.strftime("%Y-%m-%d %H:%M") == LOCAL
    assert clock.format_local("2026-11-27T23:16:00Z") == LOCAL
    assert clock.format_local("2026-11-28T07:16:00+08:00") == LOCAL
    assert clock.format_local("2026-11-27T18:16:00-05:00", ZoneInfo("Asia/Shanghai")) == LOCAL
    assert clock.format_local(datetime(2026, 11, 28, 7, 16)) == LOCAL  # naive: terminal-local already
    assert clock.format_local("长期") == "长期" and clock.format_local(None) == ""
    with pytest.raises(ValueError):
        clock.to_local("tomorrow")


def test_session_default_clock_is_an_instant_shown_in_the_terminal_zone():
    cfg = load_config(CONFIG_DIR)
    ctl = SessionController(cfg, FakeRuntime(), clock=FakeClock())  # the default now, as the app builds it
    assert ctl.core.now().tzinfo is not None  # never the machine's naive local time
    assert ctl.local_now().utcoffset() == timedelta(hours=8)
    fixed, _ = controller(cfg)
    assert fixed.local_now().strftime("%Y-%m-%d %H:%M") == LOCAL
    assert fixed.clock_text() == "2026-11-28  07:16"  # what the header shows


def test_opening_hours_are_judged_in_the_terminal_zone():
    cfg = load_config(CONFIG_DIR)
    hours = OpeningHours.model_validate({"timezone": "Asia/Shanghai", "weekly": {
        d: ["07:00-22:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}})
    cfg = cfg.model_copy(update={"opening_hours": hours})
    ctl, _ = controller(cfg, now=lambda: INSTANT)  # 07:16 in Shanghai: open, though 23:16 in UTC
    ctl.tick()
    assert ctl.state.screen == "attract"
    late, _ = controller(cfg, now=lambda: datetime(2026, 11, 27, 14, 30, tzinfo=timezone.utc))  # 22:30 there
    late.tick()
    assert late.state.screen == "closed"


def test_queue_ticket_prints_the_gateway_time_in_the_terminal_zone():
    cfg = load_config(CONFIG_DIR)
    ctl, rt = controller(cfg)
    ctl.choose_service("queue-ticket")
    ticket = QueueTicket.parse({"number": "A023", "service_id": "queue-ticket", "window_zh": "3号窗口",
                                "window_en": "Counter 3", "waiting": 4,
                                "issued_at": "2026-11-27T23:16:05Z"})  # a gateway answering in UTC
    rt.finish("queue", ticket)
    kind, data, _owner = rt.printed[-1]
    text = text_of(build_document(cfg, kind, data))
    issued = next(line for line in text.splitlines() if line.startswith("取号时间 Issued"))
    assert issued.split()[-2:] == LOCAL.split() and "23:16" not in text


def test_submission_receipt_and_reference_agree_with_the_ticket():
    cfg = load_config(CONFIG_DIR)
    ctl, rt = controller(cfg)
    identify_by_card(ctl, rt)
    ctl.choose_service("hotline-12345")
    ctl.set_field("category", "help")
    ctl.set_field("phone", "13800138000")
    ctl.set_field("street", "njxl")
    phone_fills(ctl, rt, ctl.core.clock)
    ctl.next()
    ctl.confirm()
    reference = make_reference(cfg.terminal.id, INSTANT.timestamp(), clock.zone_of(cfg))
    assert "-20261128-" in reference  # the Shanghai date of the instant, not the UTC one
    rt.finish("submit", SimpleNamespace(reference=reference, delivered=True, status="received"))
    kind, data, _owner = rt.printed[-1]
    assert kind == "submission_receipt"
    text = text_of(build_document(cfg, kind, data, now=lambda: INSTANT + timedelta(hours=5)))
    submitted = next(line for line in text.splitlines() if line.startswith("提交时间 Submitted"))
    assert submitted.split()[-2:] == LOCAL.split()
    assert f"打印时间 Printed：{LOCAL}" in text
    assert "23:16" not in text and "2026-11-27" not in text


def test_copies_are_stamped_with_terminal_local_print_time():
    cfg = load_config(CONFIG_DIR)
    guide = {"title_zh": "指南", "title_en": "Guide", "updated_at": "2026-11-27T16:30:00Z",
             "sections": [{"heading_zh": "材料", "items_zh": ["身份证"]}]}
    text = text_of(build_document(cfg, "service_guide", guide, now=lambda: INSTANT))
    assert "指南更新 Updated：2026-11-28 00:30" in text and f"打印时间 Printed：{LOCAL}" in text


def test_the_configured_zone_is_used_everywhere(tmp_path):
    cfg = in_zone(load_config(CONFIG_DIR), "America/New_York")  # 2026-11-27 18:16 there
    ctl, _ = controller(cfg)
    assert ctl.clock_text() == "2026-11-27  18:16"
    text = text_of(build_document(cfg, "test_page", None, now=lambda: INSTANT))
    assert "2026-11-27 18:16" in text
    from kiosk.backend.wiring import open_backend
    cfg = cfg.model_copy(update={"outbox": cfg.outbox.model_copy(update={"path": tmp_path / "outbox.db"})})
    backend = open_backend(cfg, start_sender=False)
    try:
        backend.submissions.clock = INSTANT.timestamp
        result = backend.submissions.submit("hotline-12345", "12345", {"category": "help"}, None, wait_s=0)
        assert "-20261127-" in result.reference and result.status == "queued"
    finally:
        backend.close()


def test_staff_log_tail_is_shown_in_the_terminal_zone(monkeypatch, tmp_path):
    import time as _time

    from kiosk.bridge import QueueBridge
    from kiosk.runtime import Runtime

    monkeypatch.setenv("TZ", "UTC")  # the kiosks' machine zone
    _time.tzset()
    try:
        line = "2026-11-27 23:16:05,123 WARNING MainThread kiosk.session: gateway slow"
        assert clock.log_line_local(line) == "2026-11-28 07:16:05,123 WARNING MainThread kiosk.session: gateway slow"
        assert clock.log_line_local("Traceback (most recent call last):") == "Traceback (most recent call last):"
        cfg = load_config(CONFIG_DIR)
        (tmp_path / "kiosk.log").write_text(line + "\n", encoding="utf-8")
        cfg = cfg.model_copy(update={"logging": cfg.logging.model_copy(update={"dir": tmp_path})})
        rt = Runtime(cfg, QueueBridge())  # not started: the staff screen's log tail needs no device
        assert rt.log_tail()[-1].startswith("2026-11-28 07:16:05,123 WARNING")
    finally:
        monkeypatch.undo()
        _time.tzset()
