"""Sample receipts for previews, docs and tests (``kiosk receipt preview KIND``). All data is fictional."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from devices.printer.document import Document
from kiosk.receipts.appointment import appointment_receipt
from kiosk.receipts.layouts import FONT, licence_copy, queue_ticket, service_guide, submission_receipt, test_page
from kiosk.receipts.record import record_printout

KINDS = ("ticket", "receipt", "appointment", "record", "guide", "licence", "test")
NOW = datetime(2026, 11, 27, 14, 3)
TERMINAL = ("静安区社区事务受理服务中心 自助终端 03", "上海市静安区江场三路 28 号 一楼大厅")


@lru_cache(maxsize=1)
def _licence_image() -> Image.Image:
    """The backend's picture (input data, not layout work): drawn once; layouts never modify it."""
    img = Image.new("RGB", (480, 300), (234, 244, 252))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 479, 56), fill=(22, 93, 168))
    big, small = ImageFont.truetype(FONT, 28), ImageFont.truetype(FONT, 20)
    d.text((18, 12), "居民户口簿（电子证照）", font=big, fill="white")
    for i, line in enumerate(["户主：王*明", "证号：3101**********0023", "签发机关：上海市公安局静安分局",
                              "有效期至：长期"]):
        d.text((18, 76 + i * 40), line, font=small, fill=(20, 30, 40))
    d.rectangle((360, 80, 460, 200), outline=(22, 93, 168), width=3)
    d.text((378, 128), "样例", font=small, fill=(200, 40, 40))
    return img


def _record() -> dict:
    months = [f"{2026 - (i + 2) // 12}-{(10 - i - 1) % 12 + 1:02d}" for i in range(36)]
    return {"title_zh": "社会保险缴费记录", "title_en": "Social-insurance payment record",
            "holder": "张三丰", "generated_at": NOW,
            "columns": [{"key": "month", "zh": "费款所属期"}, {"key": "base", "zh": "缴费基数"},
                        {"key": "personal", "zh": "个人缴纳"}, {"key": "status", "zh": "状态"}],
            "rows": [{"month": m, "base": "11240.00", "personal": "1180.20", "status": "已到账（补缴）"
                      if i == 5 else "已到账"} for i, m in enumerate(months)]}


GUIDE = {"title_zh": "社保缴费记录打印", "title_en": "Social-insurance payment record",
         "updated_at": "2026-11-01T09:00:00+08:00",
         "sections": [{"heading_zh": "申请材料", "items_zh": ["本人有效身份证件，或随申办扫码登录"]},
                      {"heading_zh": "办理流程", "items_zh": ["选择“社保缴费记录打印”", "刷身份证或扫码登录",
                                                           "核对记录后点击“打印”", "取走凭条"]},
                      {"heading_zh": "办理时限", "items_zh": ["即时办结，现场打印"]},
                      {"heading_zh": "办理地点", "items_zh": ["本中心一楼大厅综合受理窗口（工作日 9:00-17:00）",
                                                           "24小时自助区可先行自助办理"]}]}
# the inputs are built once (a backend reply arrives built): ``sample`` times only the layout
RECORD = _record()
LICENCE = {"name_zh": "居民户口簿", "name_en": "Household register", "number": "310106199001010023",
           "issuer_zh": "上海市公安局静安分局", "valid_to": "长期"}


def sample(kind: str, profile: str = "generic-80mm") -> Document:
    """The sample document for ``kind`` (one of KINDS); ValueError otherwise. Layouts never modify their
    inputs, so the shared sample data above is safe to reuse."""
    name, location = TERMINAL
    if kind == "ticket":
        return queue_ticket("A023", "社保卡业务", "3号窗口", 7, issued_at=NOW,
                            progress_url="https://zwdt.sh.gov.cn/q/JA03/A023", terminal_name=name,
                            location=location, service_en="Social security card", window_en="Counter 3",
                            counter_hours="工作日 9:00-17:00（12:00-13:30 午休照常办理）",
                            counter_hours_en="Weekdays 9:00-17:00, open over lunch")
    if kind == "appointment":
        return appointment_receipt("社保卡业务", date(2026, 12, 3), "下午 15:00-17:00",
                                   "静安区社区事务受理服务中心 一楼大厅人工窗口", "JA03-20261127-7F3K9Q", "欧阳娜娜",
                                   delivered=True, status_url="https://zwdt.sh.gov.cn/s/JA03-20261127-7F3K9Q",
                                   printed_at=NOW, service_en="Social security card", slot_en="15:00-17:00",
                                   place_en="Staffed counters, ground-floor hall", terminal_name=name,
                                   location=location)
    if kind == "receipt":
        return submission_receipt("12345 市民服务热线诉求", "JA03-20261127-0042", "欧阳𠈌明", NOW, delivered=False,
                                  status_url="https://zwdt.sh.gov.cn/t/JA03-20261127-0042",
                                  terminal_name=name, location=location)
    if kind == "record":
        return record_printout(RECORD, rows_per_page=12, terminal_name=name, location=location, printed_at=NOW)
    if kind == "guide":
        return service_guide(GUIDE, fees="不收费（免费）", hours="自助区 24 小时开放；人工窗口工作日 9:00-17:00",
                             address=location, url="https://zwdt.sh.gov.cn/g/social-insurance-record",
                             terminal_name=name, printed_at=NOW)
    if kind == "licence":
        return licence_copy(LICENCE, image=_licence_image(), purpose="仅供自助终端打印留存使用",
                            terminal_name=name, location=location, printed_at=NOW)
    if kind == "test":
        return test_page(profile, terminal_name=name, printed_at=NOW)
    raise ValueError(f"unknown receipt kind {kind!r} (one of {', '.join(KINDS)}) / 未知的凭条类型")
