"""Sample data the gateway simulator serves: service guides, personal records, e-licence images.

Realistic in shape and wording (Shanghai community-centre services), invented in content: every person,
number and address here is fictional. Licence images are drawn with Pillow on first use, not at import.
"""
from __future__ import annotations

import base64
import io
from datetime import date
from functools import lru_cache

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

_COMMON_TAIL = [
    ("办理地点", "Where", ["本中心一楼大厅综合受理窗口（工作日 9:00-17:00）", "24小时自助区可先行自助办理"],
     ["Integrated counters, ground-floor hall (weekdays 9:00-17:00)", "Self-service first in the 24-hour area"]),
    ("咨询电话", "Enquiries", ["12345 市民服务热线"], ["12345 citizens' hotline"]),
]

GUIDES: dict[str, tuple[str, str, list[tuple[str, str, list[str], list[str]]]]] = {
    "queue-ticket": ("取号排队", "Take a queue number", [
        ("适用范围", "Who it is for", ["需要到人工窗口办理业务的居民"], ["Residents who need a staffed counter"]),
        ("办理流程", "Steps", ["选择业务类别", "取号后留意叫号屏", "过号请重新取号"],
         ["Choose the business category", "Watch the calling display", "Take a new number if you miss your turn"]),
    ]),
    "service-guides": ("办事指南", "Service guides", [
        ("说明", "About", ["可查询本中心受理的各项业务所需材料、办理流程和时限", "可打印指南带回家"],
         ["Materials, steps and time limits of every service handled here", "Print a guide to take home"]),
    ]),
    "social-insurance-record": ("社保缴费记录打印", "Social-insurance payment record", [
        ("申请材料", "What to bring", ["本人有效身份证件，或随申办扫码登录"],
         ["Your own valid ID card, or sign in with the Suishenban app"]),
        ("办理时限", "Time limit", ["即时办结，现场打印"], ["Immediate, printed on the spot"]),
        ("收费标准", "Fees", ["不收费"], ["Free of charge"]),
    ]),
    "medical-insurance-record": ("医保账户查询", "Medical-insurance account", [
        ("申请材料", "What to bring", ["本人有效身份证件，或随申办扫码登录"],
         ["Your own valid ID card, or sign in with the Suishenban app"]),
        ("办理时限", "Time limit", ["即时办结"], ["Immediate"]),
    ]),
    "e-licences": ("电子亮证", "Show my e-licences", [
        ("说明", "About", ["电子证照与实体证照具有同等效力", "仅展示本人证照，离开前请点击“退出”"],
         ["E-licences have the same standing as paper ones", "Only your own licences are shown; tap Exit"]),
    ]),
    "hotline-12345": ("12345 市民服务热线诉求", "12345 citizens' hotline request", [
        ("受理范围", "What it covers", ["咨询、求助、投诉、建议", "不受理 110、119、120 等紧急事项"],
         ["Questions, help, complaints, suggestions", "Not for emergencies (110, 119, 120)"]),
        ("办理时限", "Time limit", ["一般诉求 5 个工作日内答复"], ["A reply within 5 working days"]),
    ]),
    "appointment": ("预约办事", "Book an appointment", [
        ("说明", "About", ["可预约 7 日内的工作日时段", "请按预约时间携带身份证件到窗口办理"],
         ["Working-day slots in the next 7 days", "Bring your ID card to the counter at the booked time"]),
    ]),
    "certificate-delivery": ("证照寄递（统一物流）", "Certificate delivery", [
        ("说明", "About", ["办结的证照可免费寄递到上海市内地址", "寄出后短信通知运单号"],
         ["Finished certificates are posted free within Shanghai", "A text message gives the tracking number"]),
        ("办理时限", "Time limit", ["办结后 1-3 个工作日寄达"], ["1-3 working days after completion"]),
    ]),
}


def guide_payload(service_id: str, title: tuple[str, str] | None = None) -> dict | None:
    """The guide reply for ``service_id``; a generic guide when only a catalog title is known."""
    if service_id in GUIDES:
        zh, en, sections = GUIDES[service_id]
    elif title is not None:
        zh, en = title
        sections = [("申请材料", "What to bring", ["本人有效身份证件"], ["Your own valid ID card"])]
    else:
        return None
    return {"service_id": service_id, "title_zh": zh, "title_en": en, "updated_at": "2026-11-01T09:00:00+08:00",
            "sections": [{"heading_zh": a, "heading_en": b, "items_zh": c, "items_en": d}
                         for a, b, c, d in [*sections, *_COMMON_TAIL]]}


def _months(n: int) -> list[str]:
    y, m = 2026, 10
    out = []
    for _ in range(n):
        out.append(f"{y}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


RECORD_KINDS = {"social-insurance": ("社会保险缴费记录", "Social-insurance payment record"),
                "medical-insurance": ("医保个人账户明细", "Medical-insurance account statement"),
                "housing-fund": ("住房公积金缴存记录", "Housing provident fund record")}


def record_payload(kind: str, holder: str, generated_at: str) -> dict | None:
    if kind not in RECORD_KINDS:
        return None
    zh, en = RECORD_KINDS[kind]
    base = 11_240
    columns = [{"key": "month", "zh": "费款所属期", "en": "Month"},
               {"key": "base", "zh": "缴费基数", "en": "Contribution base"},
               {"key": "personal", "zh": "个人缴纳", "en": "Personal"},
               {"key": "employer", "zh": "单位缴纳", "en": "Employer"},
               {"key": "status", "zh": "状态", "en": "Status"}]
    rows = [{"month": m, "base": f"{base:.2f}", "personal": f"{base * 0.105:.2f}",
             "employer": f"{base * 0.26:.2f}", "status": "已到账"} for m in _months(12)]
    return {"kind": kind, "title_zh": zh, "title_en": en, "holder": holder, "columns": columns, "rows": rows,
            "generated_at": generated_at}


LICENCES = [("lic-idcard", "居民身份证", "Resident identity card", "上海市公安局静安分局", "2036-05-20"),
            ("lic-hukou", "居民户口簿", "Household register", "上海市公安局静安分局", "长期"),
            ("lic-driving", "机动车驾驶证", "Driving licence", "上海市公安局交通警察总队", "2031-08-14")]


@lru_cache(maxsize=16)
def licence_png(licence_id: str, holder: str, number: str) -> bytes:
    """A 480×300 card image (masked holder and number) rendered with the CJK font."""
    from PIL import Image, ImageDraw, ImageFont
    name_zh, name_en, issuer, valid = next((n, e, i, v) for k, n, e, i, v in LICENCES if k == licence_id)
    img = Image.new("RGB", (480, 300), (234, 244, 252))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 479, 56), fill=(22, 93, 168))
    big, small = ImageFont.truetype(FONT_PATH, 28), ImageFont.truetype(FONT_PATH, 20)
    d.text((18, 12), f"{name_zh}（电子证照）", font=big, fill="white")
    for i, line in enumerate([f"持证人：{holder}", f"证号：{number}", f"签发机关：{issuer}",
                              f"有效期至：{valid}", name_en]):
        d.text((18, 76 + i * 40), line, font=small, fill=(20, 30, 40))
    d.text((330, 262), "样例 SAMPLE", font=small, fill=(200, 40, 40))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def licences_payload(holder: str, id_number_masked: str) -> dict:
    items = []
    for lic_id, zh, en, issuer, valid in LICENCES:
        number = id_number_masked if lic_id != "lic-driving" else "3101" + "*" * 8 + "0451"
        items.append({"id": lic_id, "name_zh": zh, "name_en": en, "number": number, "issuer_zh": issuer,
                      "valid_to": valid,
                      "image_png_base64": base64.b64encode(licence_png(lic_id, holder, number)).decode()})
    return {"licences": items}


QUEUE_WINDOWS = [("1号窗口", "Counter 1"), ("2号窗口", "Counter 2"), ("3号窗口", "Counter 3")]
TODAY = date(2026, 11, 27)
