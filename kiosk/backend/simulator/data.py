"""Sample data the gateway simulator serves: service guides, personal records, e-licence images.

Realistic in shape and wording (Shanghai community-centre services), invented in content: every person,
number and address here is fictional. The guides' texts are data, in guides.json beside this module. Licence
images are drawn with Pillow on first use, not at import.
"""
from __future__ import annotations

import base64
import copy
import io
import json
from datetime import date
from functools import lru_cache
from pathlib import Path

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

#: the guides the simulator serves, in the reply's own shape (docs/openapi.yaml ``Guide``), kept as data in
#: guides.json beside this module; ``common_tail`` ends every guide (where to go, whom to ask)
_GUIDE_DATA = json.loads(Path(__file__).with_name("guides.json").read_text("utf-8"))
GUIDES: dict[str, dict] = _GUIDE_DATA["guides"]


def guide_payload(service_id: str, title: tuple[str, str] | None = None) -> dict | None:
    """The guide reply for ``service_id``; a generic guide when only a catalog title is known."""
    if service_id in GUIDES:
        guide = GUIDES[service_id]
    elif title is not None:
        guide = {"title_zh": title[0], "title_en": title[1],
                 "sections": [{"heading_zh": "申请材料", "heading_en": "What to bring",
                               "items_zh": ["本人有效身份证件"], "items_en": ["Your own valid ID card"]}]}
    else:
        return None
    return {"service_id": service_id, "title_zh": guide["title_zh"], "title_en": guide["title_en"],
            "updated_at": "2026-11-01T09:00:00+08:00",
            # a copy: a test or fault hook may change the reply it gets without changing the next one
            "sections": copy.deepcopy([*guide["sections"], *_GUIDE_DATA["common_tail"]])}


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
