"""The prompt catalog: every spoken sentence of the kiosk, by prompt key, in zh-CN and English.

One key per screen (``screen.<name>``), per step inside a screen and per error a resident can meet; each text
is at most two short sentences that say what to do *now* (the voice style is in docs/voice.md). ``piece.*``
keys are the words that dynamic sentences are built from (digits, letters, 号, 窗口, 分钟 …, see
:mod:`kiosk.voice.numbers`) — the way a counter clerk reads out "A023" digit by digit but "3号窗口" as a
number. The texts themselves are in ``prompts.json`` beside this module. The cache (:mod:`kiosk.voice.cache`)
synthesises every entry at set-up; a deployer may replace any of them with a recording named by the same key.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

LANGS = ("zh-CN", "en")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

#: key -> (zh-CN, en); ≤ 2 short sentences, what to do now. The sentences are data, kept in prompts.json
#: next to this module (as the UI texts are in kiosk/locale/*.yaml): grouped by key prefix — ``screen.*`` spoken
#: on entering a screen, ``step.*`` inside one, ``error.*`` what happened and what to do, ``help.*``, and the
#: ``piece.*`` words of dynamic sentences (kiosk/voice/numbers.py).
_TEXTS = json.loads(Path(__file__).with_name("prompts.json").read_text("utf-8"))
PROMPTS: dict[str, tuple[str, str]] = {key: (zh, en) for key, (zh, en) in _TEXTS.items()}

ZH_DIGITS = "零一二三四五六七八九"
EN_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
           "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# letters as a clerk says them in Mandarin queues: the English letter name (espeak reads "A" well in cmn)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _pieces() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for d, zh in enumerate(ZH_DIGITS):
        out[f"piece.digit.{d}"] = (zh, EN_ONES[d])  # read one by one: 零二三
    out["piece.zh.liang"] = ("两", "two")  # 两分钟, not 二分钟
    out["piece.zh.yao"] = ("幺", "one")  # phone digits: 幺 is not heard as 七
    out["piece.zh.shi"] = ("十", "ten")
    out["piece.zh.bai"] = ("百", "hundred")
    for n in range(10, 20):
        out[f"piece.en.{n}"] = ("", EN_ONES[n])
    for t in range(2, 10):
        out[f"piece.en.tens{t}"] = ("", EN_TENS[t])
    out["piece.en.hundred"] = ("", "hundred")
    for ch in LETTERS:
        out[f"piece.letter.{ch.lower()}"] = (ch, ch)
    return out


PROMPTS.update(_pieces())


def text(key: str, lang: str) -> str:
    """The text of ``key`` in ``lang`` (zh-CN or en); KeyError for an unknown key or language."""
    zh, en = PROMPTS[key]
    if lang not in LANGS:
        raise KeyError(f"no voice for language {lang!r}")
    return en if lang == "en" else zh


def entries(lang: str) -> dict[str, str]:
    """Every key with a text in ``lang`` (pieces used by one language only are skipped in the other)."""
    return {k: text(k, lang) for k in PROMPTS if text(k, lang).strip(" .")}


def screen_key(screen: str) -> str | None:
    """The prompt spoken on entering ``screen``, or None when the screen has none."""
    key = f"screen.{screen}"
    return key if key in PROMPTS else None
