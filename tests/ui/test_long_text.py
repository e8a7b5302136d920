"""Long text never blocks the UI thread (issue 12 §3): a 100,000-character guide item or record cell is
shown a page at a time with a visible "more" cue that pages through all of it. (Frame times are measured
by bench/long_text.py, not asserted here.)"""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from uiflow import sign_in_with_card

from kiosk_dev import uidriver as ui
from screens.guide import PAGE_CHARS
from screens.record import CELL_CHARS

pytestmark = pytest.mark.timeout(120)
N = 100_000
WHEN = datetime(2026, 12, 3, tzinfo=timezone.utc)


def _guide(text: str) -> SimpleNamespace:
    section = SimpleNamespace(heading_zh="所需材料", heading_en="Documents", items_zh=(text,), items_en=(text,))
    return SimpleNamespace(service_id="appointment", title_zh="办事指南", title_en="Guide", sections=(section,),
                           updated_at=WHEN)


def _pages_read(wid: str, limit: int) -> list[str]:
    """Tap "more" until the text comes round to the first page again; the pages seen."""
    seen = [ui.text_of(wid)]
    for _ in range(limit):
        ui.tap(f"{wid}.more")
        text = ui.text_of(wid)
        if text == seen[0]:
            return seen
        seen.append(text)
    raise AssertionError(f"no way back to the first page after {limit} taps")


def test_a_100000_character_guide_item_is_paged_with_a_visible_more_cue(kiosk, shots):
    text = "".join(f"第{i:05d}条。" for i in range(N // 8))[:N]  # distinct, so pages can be told apart
    ui.wait_screen("attract")
    kiosk.ctl.state.service = SimpleNamespace(id="appointment", printable=False)
    kiosk.ctl.services._guide_done(_guide(text))
    ui.wait_until(lambda: ui.exists("guide.b.0"), timeout=10, what="the guide section")
    ui.screenshot(shots / "long-guide-item.png")
    first = ui.text_of("guide.b.0")
    assert len(first) <= PAGE_CHARS + 2 and first.endswith("…")  # one page, and it says there is more
    more = ui.find("guide.b.0.more")
    assert ui.visible(more) and "2/" in more.text.replace(" ", "")
    pages = _pages_read("guide.b.0", N // (PAGE_CHARS // 2))
    assert "".join(p.removesuffix(" …") for p in pages) == text  # nothing lost, nothing repeated


def test_a_100000_character_record_cell_is_paged(kiosk, shots):
    sign_in_with_card(kiosk)
    cols = [SimpleNamespace(key="month", zh="月份", en="Month"), SimpleNamespace(key="note", zh="备注", en="Note")]
    record = SimpleNamespace(kind="social-insurance", title_zh="缴费记录", title_en="Payments", holder="李**",
                             columns=cols, rows=({"month": "2026-11", "note": "注" * N},), generated_at=WHEN)
    kiosk.ctl.state.service = SimpleNamespace(id="social-insurance-record", printable=False)
    kiosk.ctl.services._record_done(record)
    ui.wait_until(lambda: ui.exists("record.cell.0.1"), timeout=10, what="the record table")
    ui.screenshot(shots / "long-record-cell.png")
    assert len(ui.text_of("record.cell.0.1")) <= CELL_CHARS + 2
    assert ui.visible(ui.find("record.cell.0.1.more"))
    assert not ui.exists("record.cell.0.0.more")  # a short cell has no cue
    ui.tap("record.cell.0.1.more")
    assert ui.text_of("record.cell.0.1").startswith("注") and "3/" in ui.find("record.cell.0.1.more").text
