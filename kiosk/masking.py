"""The one masking rule for personal data, used by screens, receipts, logs, the CLI and the card reader.

A resident sees the same masked form of their data everywhere — on screen, on paper, in the staff CLI —
and logs hold nothing more. The rule (a value that already contains ``*`` was masked upstream, e.g. by
the gateway, and is kept as it is):

=============  =====================================  ==============================
what           rule                                   example
=============  =====================================  ==============================
name           first character of each word           张三丰 → 张**, Li Na → L* N*
ID / permit    first 4 and last 4 (less when short)   310101199001011234 → 3101**********1234
e-licence no.  same as an ID number                   31011520200101 → 3101******0101
phone          first 3 and last 4                     13812345678 → 138****5678
address        first 6 characters (city + district)   上海市浦东新区… → 上海市浦东新***
date of birth  the year                               1965-04-12 → 1965-**-**
free text      personal numbers anywhere, and the     ``name=张三`` → ``name=张*``
               values of personal keys
=============  =====================================  ==============================

Pure functions over strings, importing nothing from the project, so the device layer can use them too.
"""
from __future__ import annotations

import re

# 18-digit resident / permit numbers (17 digits + digit or X), 15-digit first-generation numbers.
# Bounded by non-digits only: a number glued to letters ("id310…") is still masked.
_ID18 = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)")
_ID15 = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{3})(?!\d)")
# Foreign permanent resident ID (2017): 3 letters + 12 digits; HK/Macau pass H/M + 8 or 10 digits.
_FOREIGN = re.compile(r"(?<![0-9A-Za-z])([A-Z]{3})\d{8}(\d{4})(?![0-9A-Za-z])")
_PASS = re.compile(r"(?<![0-9A-Za-z])([HM])\d{4,6}(\d{4})(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally +86 / 86 prefixed.
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)\d{4}(\d{4})(?!\d)")

#: keys whose values are personal data wherever they appear as key=value / "key": "value" / 键：值
PERSONAL_KEYS = (
    "name", "english_name", "chinese_name", "full_name", "display_name_full", "address", "phone",
    "mobile", "id_number", "idno", "permit_number", "pass_number", "birth_date", "photo", "photo_wlt",
    "姓名", "住址", "地址", "电话", "手机", "身份证号", "公民身份号码", "出生",
)
_KEYS = "|".join(sorted((re.escape(k) for k in PERSONAL_KEYS), key=len, reverse=True))
_FIELD = re.compile(
    r"(?P<key>(?<![A-Za-z_])(?:" + _KEYS + r"))(?P<sep>['\"]?\s*[:=：]\s*)"
    r"(?P<q>['\"]?)(?P<val>[^'\",;\n)}\]]+)"
)




def _masked_already(value: str) -> bool:
    return "*" in value


def mask_name(value: str | None) -> str | None:
    """Keep the first character of each word (surname / initial): ``张三丰`` → ``张**``."""
    if not value or _masked_already(value):
        return value
    return " ".join(w[:1] + "*" * (len(w) - 1) for w in value.strip().split(" "))


def mask_number(value: str | None, keep: int = 4) -> str | None:
    """``31011519650412127X`` → ``3101**********127X``; short numbers keep less (never half of them)."""
    if not value or _masked_already(value):
        return value
    value = value.strip()
    keep = min(keep, max(0, (len(value) - 1) // 4))
    return value[:keep] + "*" * (len(value) - 2 * keep) + (value[-keep:] if keep else "")


def mask_id_number(value: str) -> str:
    """An ID or permit number: ``310101199001011234`` → ``3101**********1234``."""
    return mask_number(value) or ""


def mask_licence_number(value: str) -> str:
    """An e-licence number, shown on screen and printed on its copy: the ID-number rule."""
    return mask_number(value) or ""


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    digits = value.strip()
    if _masked_already(digits):
        return digits
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_address(value: str | None) -> str | None:
    """First six characters (city + district) and ``***``."""
    if not value or _masked_already(value):
        return value
    return value[:6] + "***"


def mask_date(value: str | None) -> str | None:
    """Keep the year: ``1965-04-12`` → ``1965-**-**``."""
    if not value or _masked_already(value):
        return value
    return value[:4] + "-**-**" if len(value) == 10 else "*" * len(value)


def mask_value(value: str) -> str:
    """Any other personal value (free text a resident typed): the first character and up to 8 stars."""
    value = value.strip()
    if not value:
        return value
    return value[0] + "*" * min(max(len(value) - 1, 1), 8)


def mask_field(key: str, value: object) -> str:
    """A named field of a submission or a card (staff CLI): the rule for its kind, by its key."""
    text = str(value)
    k = key.lower()
    if "id_number" in k or k in ("idno", "permit_number", "pass_number"):
        return mask_id_number(text)
    if "phone" in k or "mobile" in k:
        return mask_phone(text)
    if "name" in k:
        return mask_name(text) or ""
    # every other field may be free text written by a resident: keep the first character and the length
    return mask_value(text) if len(text) > 1 else "*"


def mask_text(text: str) -> str:
    """Mask personal data anywhere in free text (log lines, staff CLI output, exception messages)."""
    if not text:
        return text
    text = _FIELD.sub(lambda m: m.group("key") + m.group("sep") + m.group("q") + mask_value(m.group("val")),
                      text)
    text = _ID18.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    text = _ID15.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = _FOREIGN.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = _PASS.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    return text
