"""Issue 14 §7, receipts say it all: every check goes encoder → simulator parser → renderer, as printed.

Appointment: service, date, slot, place, reference. Guide: titled as a guide with its name. Queue ticket:
the counter's hours. Every QR: ≥ 4 modules of blank paper on every side. Keys wider than a line wrap.
Numbers and times never split.
"""
from __future__ import annotations

import dataclasses
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import zxingcpp
from PIL import Image as PILImage

from devices.printer.document import QR, Document, KeyValue, Text, text_width
from devices.printer.encoder import QUIET_MODULES, encode, qr_modules
from devices.printer.linebreak import NO_LINE_END, NO_LINE_START
from devices.printer.parser import EscPosParser
from devices.printer.profiles import get_profile
from kiosk.config.loader import load_config
from kiosk.receipts import appointment_receipt, queue_ticket, render_png, service_guide
from kiosk.receipts.preview import render_page
from kiosk.receipts.samples import KINDS, sample
from kiosk.runtime_print import build_document

sys.path.insert(0, str(Path(__file__).parent))
from session_fakes import CONFIG_DIR  # noqa: E402

PRINTED = datetime(2026, 11, 27, 9, 30)


def dump(doc, profile="generic-80mm"):
    page = render_page(doc, profile)
    assert page.unknown == []
    return page.text()


def flat(text):
    """The printed text with line breaks and indents removed (a wrapped value reads as one string)."""
    return "".join(line.strip() for line in text.splitlines())


def printed_lines(doc, profile="generic-80mm"):
    parser = EscPosParser([get_profile(profile).presenter])
    return [op.args["text"] for op in parser.feed(encode(doc, profile)) + parser.flush() if op.name == "text"]


# ----- appointment ------------------------------------------------------------------------------------
def test_appointment_receipt_names_service_date_slot_place_and_reference():
    doc = appointment_receipt("社保卡业务", date(2026, 12, 5), "上午 9:00-10:30", "南京西路街道社区事务受理服务中心 一楼大厅人工窗口",
                              "NJXL01-20261127-7F3K9Q", "张三丰", delivered=True,
                              status_url="https://zwdt.sh.gov.cn/s/NJXL01-20261127-7F3K9Q", printed_at=PRINTED)
    text = dump(doc)
    for expected in ("预约凭条", "社保卡业务", "2026-12-05（周六）", "上午 9:00-10:30", "一楼大厅人工窗口",
                     "NJXL01-20261127-7F3K9Q", "张**", "已提交至政务服务平台",
                     "[QR https://zwdt.sh.gov.cn/s/NJXL01-20261127-7F3K9Q]", "打印时间 Printed：2026-11-27 09:30"):
        assert expected in flat(text), expected
    assert "张三丰" not in text


def test_the_kiosk_prints_an_appointment_receipt_from_the_submitted_form():
    """What the session passes: the submitted form values as ``data["fields"]``, choices print as labels and the
    slot as its times (the session turns the gateway's slot id into them, kiosk/session/slots.py)."""
    cfg = load_config(CONFIG_DIR)
    service = next(s for s in cfg.services if s.id == "appointment")
    result = SimpleNamespace(reference="NJXL01-20261128-7F3K9Q", delivered=False, status="queued")
    data = {"service": service, "result": result, "name": "王*明", "at": datetime(2026, 11, 28, 10, 5),
            "fields": {"service": "residence-permit", "date": "2026-12-01", "slot": "13:30-14:00", "phone": "13800138000"}}
    text = dump(build_document(cfg, "submission_receipt", data, now=lambda: datetime(2026, 11, 28, 2, 5,
                                                                                   tzinfo=timezone.utc)))
    for expected in ("预约凭条", "居住证办理", "2026-12-01（周二）", "13:30-14:00", cfg.terminal.name,
                     "一楼大厅人工窗口", "NJXL01-20261128-7F3K9Q", "王*明", "已在本机保存"):
        assert expected in flat(text), expected
    assert "13800138000" not in text
    # without the form values it is still an honest submission receipt
    del data["fields"]
    assert "办件回执" in dump(build_document(cfg, "submission_receipt", data))


# ----- guide, queue ticket ------------------------------------------------------------------------------
def test_guide_printout_is_titled_as_a_guide_with_its_name():
    guide = {"title_zh": "社保缴费记录打印", "title_en": "Social-insurance payment record",
             "sections": [{"heading_zh": "申请材料", "items_zh": ["身份证"]}]}
    lines = dump(service_guide(guide, printed_at=PRINTED)).splitlines()
    assert "办事指南" in lines[1] and "Service guide" in lines[2]
    assert "《社保缴费记录打印》" in lines[3]
    assert not any(line.strip() == "社保缴费记录打印" for line in lines)  # never looks like the record itself


def test_queue_ticket_says_when_the_counter_serves():
    doc = queue_ticket("A023", "社保卡业务", "3号窗口", 7, issued_at=PRINTED, progress_url="https://x.y/q/A023",
                       counter_hours="工作日 9:00-17:00（12:00-13:30 午休照常办理）",
                       counter_hours_en="Weekdays 9:00-17:00, open over lunch")
    text = dump(doc)
    assert "窗口办理时间 Counter hours" in text and "工作日 9:00-17:00（12:00-13:30 午休照常办理）" in text
    assert "Weekdays 9:00-17:00, open over lunch" in text
    assert len(encode(doc)) < 1024


def test_the_kiosk_ticket_carries_the_configured_counter_hours():
    cfg = load_config(CONFIG_DIR)
    service = next(s for s in cfg.services if s.id == "queue-ticket")
    ticket = SimpleNamespace(number="A023", window_zh="3号窗口", window_en="Counter 3", waiting=2,
                             issued_at=datetime(2026, 11, 28, 9, 0))
    text = dump(build_document(cfg, "queue_ticket", {"ticket": ticket, "service": service, "at": None}))
    assert service.params["counter_hours"]["zh"] in text


# ----- QR quiet zone ---------------------------------------------------------------------------------------
def blank_run(img, xs, ys):
    """How many consecutive rows/columns along ``ys``/``xs`` (one of them a range of lines) hold no ink."""
    count = 0
    for x, y in zip(xs, ys):
        box = img.crop((x[0], y[0], x[1], y[1]))
        if box.getextrema()[0] < 128:
            break
        count += 1
    return count


def quiet_zones(png, module):
    """(above, below, left, right) blank dots around each decoded QR in the rendered receipt."""
    img = PILImage.open(png).convert("L")
    found = zxingcpp.read_barcodes(img)
    assert found, "no QR decoded"
    out = []
    for result in found:
        p = result.position
        left, right = min(p.top_left.x, p.bottom_left.x), max(p.top_right.x, p.bottom_right.x)
        top, bottom = min(p.top_left.y, p.top_right.y), max(p.bottom_left.y, p.bottom_right.y)
        # the symbol's own modules span [left, right] x [top, bottom]; step one dot past its edge
        w, h = img.size
        up = range(top - 2, -1, -1)
        down = range(bottom + 2, h)
        west = range(left - 2, -1, -1)
        east = range(right + 2, w)
        out.append((blank_run(img, [(0, w)] * len(up), [(y, y + 1) for y in up]),
                    blank_run(img, [(0, w)] * len(down), [(y, y + 1) for y in down]),
                    blank_run(img, [(x, x + 1) for x in west], [(top, bottom)] * len(west)),
                    blank_run(img, [(x, x + 1) for x in east], [(top, bottom)] * len(east))))
    return out


def qr_modules_sent(doc, profile="generic-80mm"):
    parser = EscPosParser([get_profile(profile).presenter])
    return [op.args["module"] for op in parser.feed(encode(doc, profile)) + parser.flush() if op.name == "qr"]


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("record", "licence")])
def test_every_printed_qr_has_a_four_module_quiet_zone(kind, tmp_path):
    doc = sample(kind)
    (module,) = qr_modules_sent(doc)
    render_png(doc, tmp_path / "r.png")
    for zone in quiet_zones(tmp_path / "r.png", module):
        # one dot of slack: the decoder's corner points sit on the module edge
        assert min(zone) >= QUIET_MODULES * module - 1, (kind, zone, module)


def test_text_right_under_a_qr_keeps_the_quiet_zone(tmp_path):
    doc = Document([Text("上一行 line above", align="center"), QR("https://x.y/z", module=8),
                    Text("紧接二维码的文字 text right below", align="center")])
    render_png(doc, tmp_path / "q.png")
    (zone,) = quiet_zones(tmp_path / "q.png", 8)
    assert zone[0] >= 32 - 1 and zone[1] >= 32 - 1


def test_a_large_qr_gets_smaller_modules_rather_than_lose_its_quiet_zone(tmp_path):
    data = "https://zwdt.sh.gov.cn/t/" + "A" * 700
    modules = qr_modules(len(data), "M")
    doc = Document([QR(data, module=8)])
    (module,) = qr_modules_sent(doc)
    assert module < 8 and (modules + 2 * QUIET_MODULES) * module <= 576
    render_png(doc, tmp_path / "big.png")
    (zone,) = quiet_zones(tmp_path / "big.png", module)
    assert min(zone) >= QUIET_MODULES * module - 1


def test_raster_qr_on_a_model_without_native_qr_has_the_quiet_zone_too(tmp_path):
    profile = dataclasses.replace(get_profile("generic-80mm"), native_qr=False)
    doc = Document([Text("上一行"), QR("https://x.y/raster", module=6), Text("下一行")])
    data = encode(doc, profile)
    assert b"\x1d\x28\x6b" not in data and b"\x1d\x76\x30" in data
    from devices.printer.render import render_ops
    parser = EscPosParser()
    page = render_ops(parser.feed(data) + parser.flush())
    page.image().save(tmp_path / "raster.png")
    (zone,) = quiet_zones(tmp_path / "raster.png", 6)
    assert min(zone) >= QUIET_MODULES * 6 - 1


def test_qr_is_always_centred():
    with pytest.raises(ValueError, match="centred"):
        QR("https://x.y", align="left")


# ----- keys, numbers, punctuation -------------------------------------------------------------------------
def test_a_key_wider_than_a_line_wraps_and_the_value_follows():
    key = "申请人在本市登记的居住地址（含门牌号及室号）Registered residential address"
    lines = printed_lines(Document([KeyValue(key, "静安区")]))
    assert len(lines) >= 2 and all(text_width(t) <= 48 for t in lines)
    assert "".join(lines).replace(" ", "").startswith(key.replace(" ", ""))
    assert lines[-1].endswith("静安区")


def test_a_long_value_under_its_key_is_indented_not_cut():
    lines = printed_lines(Document([KeyValue("办理地点 Place", "上海市静安区南京西路街道社区事务受理服务中心一楼大厅东侧人工窗口")]))
    assert lines[0] == "办理地点 Place" and all(t.startswith("  ") and text_width(t) <= 48 for t in lines[1:])
    assert "".join(t.strip() for t in lines[1:]) == "上海市静安区南京西路街道社区事务受理服务中心一楼大厅东侧人工窗口"


@pytest.mark.parametrize("kind", KINDS)
def test_no_sample_receipt_splits_a_time_or_breaks_the_punctuation_rules(kind):
    lines = printed_lines(sample(kind))
    for prev, line in zip(lines, lines[1:]):
        if prev.strip() and line.strip() and not set(line) <= set("-="):
            assert line.lstrip()[0] not in NO_LINE_START, (prev, line)
            assert prev.rstrip()[-1] not in NO_LINE_END, (prev, line)
    text = "\n".join(lines)
    assert "17:0\n" not in text and "9:0\n" not in text
