"""Dynamic sentences as lists of cached pieces, read the way a counter clerk reads them.

A queue number is read character by character — "A023" is "A 零二三 号" (never "二十三") — while a counter
and a count of minutes are numbers: "三号窗口", "约两分钟到达" (两, not 二, before a measure word), and a phone
number is read digit by digit in groups with 一 as 幺 so 1 and 7 are not confused on a noisy line. Each function
returns an :data:`Utterance` — prompt keys from :mod:`kiosk.voice.catalog` and :data:`PAUSE` — that
:class:`kiosk.voice.engine.VoiceEngine` joins from the cache on a worker thread. Pure functions, no I/O.
"""
from __future__ import annotations

import re

from kiosk.voice.catalog import text

PAUSE = "|"  # a longer gap between two groups (a phone number's 138 | 0013 | 8000)
Utterance = tuple[str, ...]
QUEUE_RE = re.compile(r"^[A-Za-z]{0,3}[0-9]{1,6}$")


def _d(n: int) -> str:
    return f"piece.digit.{n}"


def zh_cardinal(n: int, *, quantity: bool = False) -> list[str]:
    """0–999 in Mandarin; ``quantity`` says 两 for a leading 2 (两分钟, 两百) as one does before a measure."""
    if not 0 <= n <= 999:
        raise ValueError(f"number out of range for speech: {n}")
    two = "piece.zh.liang" if quantity else _d(2)
    if n < 10:
        return [two if n == 2 else _d(n)]
    if n < 20:  # 十, 十五 — not 一十五
        return ["piece.zh.shi"] + ([_d(n % 10)] if n % 10 else [])
    if n < 100:
        return [_d(n // 10), "piece.zh.shi"] + ([_d(n % 10)] if n % 10 else [])
    head = [two if n // 100 == 2 else _d(n // 100), "piece.zh.bai"]
    rest = n % 100
    if rest == 0:
        return head
    if rest < 10:
        return head + [_d(0), _d(rest)]  # 一百零五
    return head + [_d(rest // 10), "piece.zh.shi"] + ([_d(rest % 10)] if rest % 10 else [])  # 一百一十五


def en_cardinal(n: int) -> list[str]:
    if not 0 <= n <= 999:
        raise ValueError(f"number out of range for speech: {n}")
    out: list[str] = []
    if n >= 100:
        out += [_d(n // 100), "piece.en.hundred"]
        n %= 100
        if n == 0:
            return out
    if n < 10:
        return out + [_d(n)]
    if n < 20:
        return out + [f"piece.en.{n}"]
    return out + [f"piece.en.tens{n // 10}"] + ([_d(n % 10)] if n % 10 else [])


def cardinal(n: int, lang: str, *, quantity: bool = False) -> list[str]:
    return en_cardinal(n) if lang == "en" else zh_cardinal(n, quantity=quantity)


def queue_number(number: str) -> list[str]:
    """"A023" → A, 零, 二, 三: letters by name, then every digit on its own."""
    if not QUEUE_RE.fullmatch(number):
        raise ValueError(f"not a queue number: {number!r}")
    return [f"piece.letter.{c.lower()}" if c.isalpha() else _d(int(c)) for c in number]


def ticket_call(number: str, counter: int, lang: str) -> Utterance:
    """"您的号码是 A零二三号，请到三号窗口" / "Your number is A zero two three. Please go to counter three"."""
    parts = ["piece.your_number", *queue_number(number)]
    if lang != "en":
        parts.append("piece.hao")
    parts += [PAUSE, "piece.please_go", *cardinal(counter, lang)]
    if lang != "en":
        parts.append("piece.window")
    return tuple(parts)


def help_eta(minutes: int, lang: str) -> Utterance:
    """"已通知值班人员，约三分钟到达" / "Staff are on their way, arriving in about three minutes"."""
    unit = "piece.minute_arrive" if lang == "en" and minutes == 1 else "piece.minutes_arrive"
    return ("piece.helper_coming", PAUSE, "piece.about", *cardinal(minutes, lang, quantity=True), unit)


def phone(number: str, lang: str) -> Utterance:
    """"请拨打 幺三八 …" digit by digit; a mobile in 3-4-4 groups, a landline in 4s (12345 as one group)."""
    digits = [c for c in number if c.isdigit()]
    if not digits or len(digits) > 15:
        raise ValueError(f"not a phone number: {number!r}")
    sizes = [3, 4, 4] if len(digits) == 11 and digits[0] == "1" else [len(digits)] if len(digits) <= 5 else [4] * 4
    out: list[str] = ["piece.call"]
    pos = 0
    for size in sizes:
        group = digits[pos:pos + size]
        if not group:
            break
        out += [("piece.zh.yao" if lang != "en" and c == "1" else _d(int(c))) for c in group]
        out.append(PAUSE)
        pos += size
    return tuple(out[:-1])


def check(utterance: Utterance, lang: str) -> None:
    """Raise KeyError for a piece the catalog does not have (a typo would otherwise be silence)."""
    for key in utterance:
        if key != PAUSE:
            text(key, lang)
