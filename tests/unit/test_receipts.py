"""Receipt layouts: each round-trips encoder → simulator parser with nothing unknown, shows what the
resident needs, prints personal data only masked, and previews to a 576-dot PNG."""
from datetime import datetime

import pytest
from PIL import Image as PILImage

from devices.printer.encoder import encode
from kiosk.receipts import (licence_copy, queue_ticket, record_printout, render_png, service_guide,
                            submission_receipt)
from kiosk.receipts import test_page as make_test_page
from kiosk.masking import mask_licence_number, mask_name, mask_phone
from kiosk.receipts.preview import render_page
from kiosk.receipts.samples import KINDS, sample

NOW = datetime(2026, 11, 27, 9, 30)


def dump(doc, profile="generic-80mm"):
    page = render_page(doc, profile)
    assert page.unknown == []
    return page.text()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("profile", ["generic-80mm", "snbc-bt-t080"])
def test_every_sample_round_trips_and_previews(kind, profile, tmp_path):
    page = render_png(sample(kind, profile), tmp_path / f"{kind}.png", profile=profile)
    assert page.unknown == [] and page.cut
    img = PILImage.open(tmp_path / f"{kind}.png")
    assert img.width == 576 and img.height > 300
    # something is printed: a receipt with no ink would be a broken layout
    assert img.convert("L").getextrema()[0] == 0


def test_queue_ticket_content_and_size():
    doc = queue_ticket("A023", "社保卡业务", "3号窗口", 7, issued_at=NOW, progress_url="https://zwdt.sh.gov.cn/q/A023",
                       terminal_name="静安 03 号机", location="江场三路 28 号")
    text = dump(doc)
    for expected in ("A023", "社保卡业务", "3号窗口", "7 人", "2026-11-27 09:30", "静安 03 号机", "江场三路 28 号",
                     "[QR https://zwdt.sh.gov.cn/q/A023]"):
        assert expected in text
    data = encode(doc)
    assert len(data) < 1024  # native QR keeps a ticket under 1 KB
    assert bytes.fromhex("1D 21 33") in data  # the number printed 4x4
    assert b"\x1d\x76\x30" not in data  # no raster at all


def test_submission_receipt_masks_the_name_and_says_what_happens_next():
    doc = submission_receipt("12345 热线诉求", "JA03-0042", "张三丰", NOW, delivered=False,
                             status_url="https://zwdt.sh.gov.cn/t/JA03-0042")
    text = dump(doc)
    assert "张**" in text and "张三丰" not in text
    assert "JA03-0042" in text and "自动提交" in text and "[QR https://zwdt.sh.gov.cn/t/JA03-0042]" in text
    delivered = dump(submission_receipt("热线", "R1", None, NOW, delivered=True, status_url="https://x.y/t/R1"))
    assert "已提交至政务服务平台" in delivered and "申请人" not in delivered


def test_record_printout_pages_and_masking():
    record = {"title_zh": "社会保险缴费记录", "title_en": "Social insurance", "holder": "李四",
              "generated_at": "2026-11-27T09:00:00+08:00",
              "columns": [{"key": "month", "zh": "月份", "en": "Month"}, {"key": "amount", "zh": "金额", "en": "Amt"}],
              "rows": [{"month": f"2026-{m:02d}", "amount": f"{m}00.00"} for m in range(1, 13)] * 3}
    doc = record_printout(record, rows_per_page=15, printed_at=NOW)
    text = dump(doc)
    assert text.count("cut") == 3
    assert "第 1/3 页" in text and "第 3/3 页" in text and "共 36 条记录" in text
    assert "李*" in text and "李四" not in text
    assert text.count("2026-12") == 3 and "1200.00" in text


def test_record_without_rows_still_prints_a_page():
    text = dump(record_printout({"title_zh": "医保", "holder": "王*", "columns": [], "rows": []}, printed_at=NOW))
    assert "暂无记录" in text and "第 1/1 页" in text


def test_service_guide_sections_hours_address():
    guide = {"title_zh": "社保缴费记录打印", "title_en": "Record", "updated_at": "2026-11-01T09:00:00+08:00",
             "sections": [{"heading_zh": "申请材料", "items_zh": ["身份证"]},
                          {"heading_zh": "办理流程", "items_zh": ["刷卡", "打印"]}]}
    text = dump(service_guide(guide, hours="24 小时", address="江场三路 28 号", fees="免费", url="https://x.y/g", printed_at=NOW))
    for expected in ("【申请材料】", "· 身份证", "【办理流程】", "· 打印", "【收费标准】", "· 免费", "【办理时间】",
                     "· 24 小时", "【办理地址】", "江场三路 28 号", "2026-11-01 09:00", "[QR https://x.y/g]"):
        assert expected in text


def test_licence_copy_has_image_watermark_and_masked_number():
    img = PILImage.new("RGB", (480, 300), "white")
    text = dump(licence_copy({"name_zh": "居民户口簿", "number": "310106199001010023", "issuer_zh": "静安分局",
                              "valid_to": "长期"}, image=img, purpose="仅供办理社保业务使用", printed_at=NOW))
    assert "3101**********0023" in text and "310106199001010023" not in text
    assert "仅供办理社保业务使用" in text and "[image " in text


def test_test_page_shows_sizes_qr_raster_and_a_four_byte_line():
    text = dump(make_test_page(printed_at=NOW))
    assert "打印机自检页" in text and "[QR " in text and text.count("[image ") >= 2
    assert "123456789012345678901234567890123456789012345678" in text


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧***"), ("张*丰", "张*丰"),
                                          ("", "")])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_number():
    assert mask_licence_number("310106199001010023") == "3101**********0023"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_licence_number("3101**********0023") == "3101**********0023"


@pytest.mark.parametrize("kind, url", [("ticket", "https://zwdt.sh.gov.cn/q/JA03/A023"),
                                       ("receipt", "https://zwdt.sh.gov.cn/t/JA03-20261127-0042"),
                                       ("guide", "https://zwdt.sh.gov.cn/g/social-insurance-record")])
def test_qr_in_the_preview_scans(kind, url, tmp_path):
    import zxingcpp
    render_png(sample(kind), tmp_path / "r.png")
    found = zxingcpp.read_barcodes(PILImage.open(tmp_path / "r.png"))
    assert [r.text for r in found] == [url]
