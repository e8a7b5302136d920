"""What a field accepts: a length cap per field and no emoji or control characters, each refusal with a reason.

Caps come from the catalog (a field's ``max_length`` in services.yaml), never above the contract's bound on
a submitted field (openapi.yaml ``Submission.fields``: 1000 characters), and for the kinds the contract
fixes, from it: a mobile number is 11 digits. The
reason is an i18n key (``ime.refused_*`` in kiosk/locale), so the screen shows and speaks it in the
resident's language.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: the contract's mobile number (openapi.yaml Submission: "an 11-digit mobile")
PHONE_DIGITS = 11
#: a free-text field without its own max_length in the catalog
DEFAULT_TEXT_CAP = 200
#: the contract's bound on any one submitted field (openapi.yaml Submission.fields maxLength)
CONTRACT_FIELD_MAX = 1000

#: code-point blocks that hold pictographs and their modifiers (emoji), whatever their general category
_EMOJI_BLOCKS = (
    (0x1F000, 0x1FAFF),   # mahjong … symbols and pictographs extended-A (faces, flags' letters, skin tones)
    (0x2600, 0x27BF),     # miscellaneous symbols, dingbats (☀ ✂ ❤)
    (0x2B00, 0x2BFF),     # arrows and stars used as emoji (⭐ ⬆)
    (0xFE00, 0xFE0F),     # variation selectors (the emoji presentation one)
    (0xE0000, 0xE007F),   # tag characters (subdivision flags)
)
_ZWJ = 0x200D


@dataclass(frozen=True)
class Verdict:
    """``text`` is what the field holds after the attempt; ``reason`` the i18n key of a refusal, if any."""

    text: str
    reason: str | None = None
    params: tuple[tuple[str, int], ...] = ()


def refusal(ch: str) -> str | None:
    """The i18n key saying why ``ch`` may not be typed, or None when it may."""
    cp = ord(ch)
    if cp == _ZWJ or any(lo <= cp <= hi for lo, hi in _EMOJI_BLOCKS):
        return "ime.refused_emoji"
    category = unicodedata.category(ch)
    if category == "So":
        return "ime.refused_emoji"
    if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return "ime.refused_control"
    return None


def cap_for(kind: str, max_length: int | None) -> int:
    if kind == "phone":
        return PHONE_DIGITS
    return min(max_length if max_length and max_length > 0 else DEFAULT_TEXT_CAP, CONTRACT_FIELD_MAX)


def append(current: str, addition: str, cap: int) -> Verdict:
    """``current`` + ``addition`` if every character is allowed and it fits ``cap``; otherwise the field
    keeps ``current`` (nothing half-typed) and the verdict says why."""
    for ch in addition:
        reason = refusal(ch)
        if reason is not None:
            return Verdict(current, reason)
    if len(current) + len(addition) > cap:
        return Verdict(current, "ime.too_long", (("max", cap),))
    return Verdict(current + addition)


def check(text: str, cap: int) -> Verdict:
    """A whole value (pasted, restored): the same rules as typing it."""
    return append("", text, cap)


def group_phone(digits: str) -> str:
    """A mobile number as a counter clerk reads it out: ``138 0013 8000`` (3-4-4), partial ones too."""
    digits = "".join(ch for ch in digits if ch.isdigit())
    return " ".join(part for part in (digits[:3], digits[3:7], digits[7:11]) if part)


def split_typed(composing: str, letters: int) -> tuple[str, str]:
    """``composing`` cut after its first ``letters`` letters (apostrophes do not count): what a candidate
    read, and what is left to type (without a leading apostrophe)."""
    seen = 0
    for i, ch in enumerate(composing):
        if seen == letters:
            return composing[:i], composing[i:].lstrip("'")
        if ch != "'":
            seen += 1
    return composing, ""
