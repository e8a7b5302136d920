"""The 256-byte card text block (UTF-16LE, space padded): decode for all four card types, and encode.

Layouts per ``shared/specs/idcard-sam-protocol.md``; the card type is the UTF-16 character at byte 248.
Also the GB 3304 nation table and the GB 11643 (ISO 7064 MOD 11-2) check character. Hand-written: the
layout is defined by GA 467 and no library carries it. Decoding never raises on odd bytes except for an
unknown card-type flag or a block of the wrong size (both :class:`ProtocolError`).
"""
from __future__ import annotations

import re

from devices.errors import ProtocolError
from devices.idcard.card import IdCard
from devices.idcard.protocol import TEXT_LEN

NATIONS = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝", "08": "壮",
    "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家", "16": "哈尼",
    "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤", "22": "畲", "23": "高山", "24": "拉祜",
    "25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土", "31": "达斡尔",
    "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯",
    "39": "阿昌", "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克",
    "46": "德昂", "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
    "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士",
}
_NATION_CODES = {name: code for code, name in NATIONS.items()}

SEXES = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
_SEX_CODES = {name: code for code, name in SEXES.items()}

LONG_TERM = "长期"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_FOREIGN_2017 = re.compile(r"[A-Z]{3}\d{12}")
_FLAG_AT = 248


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits: ``11010519491231002`` → ``X``."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def id_number_valid(number: str | None) -> bool:
    """True when an 18-character number carries the right check character (X upper case only)."""
    if not number or len(number) != 18:
        return False
    head, check = number[:17], number[17]
    if not head.isascii() or not head.isdigit():
        return False
    return id_check_char(head) == check


def nation_name(code: str) -> str:
    return NATIONS.get(code, f"未知({code})")


def _text(block: bytes, offset: int, size: int) -> str:
    """Decode one field, stripping trailing padding only (a space inside a name is kept)."""
    return block[offset:offset + size].decode("utf-16-le", errors="replace").rstrip(" \x00")


def _date(raw: str) -> str:
    """``YYYYMMDD`` → ``YYYY-MM-DD``; ``长期`` stays; anything else is returned as read, for a person to see."""
    if len(raw) == 8 and raw.isascii() and raw.isdigit():
        return f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    return raw


def card_type_of(block: bytes) -> str:
    flag = block[_FLAG_AT:_FLAG_AT + 2].decode("utf-16-le", errors="replace")
    if flag == " ":
        return "resident"
    if flag in ("J", "I", "Y"):
        return flag
    raise ProtocolError(f"unknown card type flag {flag!r}", message_zh="无法识别的证件类型")


def decode_text_block(block: bytes) -> IdCard:
    """Decode a 256-byte text block into an :class:`IdCard` (without photo)."""
    if len(block) != TEXT_LEN:
        raise ProtocolError(f"text block is {len(block)} bytes, expected {TEXT_LEN}",
                            message_zh="读卡器数据长度错误")
    kind = card_type_of(block)
    if kind == "I":
        card = IdCard(
            "I", english_name=_text(block, 0, 120), sex=SEXES.get(_text(block, 120, 2)),
            id_number=_text(block, 122, 30), nationality=_text(block, 152, 6), name=_text(block, 158, 30),
            valid_from=_date(_text(block, 188, 16)), valid_to=_date(_text(block, 204, 16)),
            birth_date=_date(_text(block, 220, 16)), card_version=_text(block, 236, 4),
            issuer=_text(block, 240, 8))
        # the 2017 permit has no published check character: only its shape can be verified
        card.id_number_valid = bool(_FOREIGN_2017.fullmatch(card.id_number or ""))
        return card
    card = IdCard(kind, name=_text(block, 0, 30), sex=SEXES.get(_text(block, 30, 2)),
                  birth_date=_date(_text(block, 36, 16)), id_number=_text(block, 122, 36),
                  valid_from=_date(_text(block, 188, 16)), valid_to=_date(_text(block, 204, 16)))
    if kind == "Y":
        # English name continues from its first part (52, 70 bytes) into the second (220, 22 bytes)
        card.english_name = (block[52:122] + block[220:242]).decode("utf-16-le", errors="replace").rstrip(" \x00")
        card.issue_count = _text(block, 32, 4)
        card.issuer = _text(block, 158, 30) or None
        card.nationality = _text(block, 242, 6)
    else:
        card.address = _text(block, 52, 70)
        card.issuer = _text(block, 158, 30)
        if kind == "resident":
            card.nation = nation_name(_text(block, 32, 4))
        else:
            card.pass_number = _text(block, 220, 18)
            card.issue_count = _text(block, 238, 4)
    card.id_number_valid = id_number_valid(card.id_number)
    return card


# ----- encoding (the simulator, tests) ---------------------------------------------------------------
def _put(block: bytearray, offset: int, size: int, value: str | None, what: str) -> None:
    raw = (value or "").encode("utf-16-le")
    if len(raw) > size:
        raise ValueError(f"{what} does not fit its {size}-byte field")
    block[offset:offset + size] = raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def _undate(value: str | None) -> str:
    return (value or "").replace("-", "") if value != LONG_TERM else LONG_TERM


def encode_text_block(card: IdCard) -> bytes:
    """The 256-byte block a card of this type carries. Raises ValueError if a field does not fit."""
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    sex = _SEX_CODES.get(card.sex or "", card.sex or "")
    if card.card_type == "I":
        _put(block, 0, 120, card.english_name, "english_name")
        _put(block, 120, 2, sex, "sex")
        _put(block, 122, 30, card.id_number, "id_number")
        _put(block, 152, 6, card.nationality, "nationality")
        _put(block, 158, 30, card.name, "name")
        _put(block, 188, 16, _undate(card.valid_from), "valid_from")
        _put(block, 204, 16, _undate(card.valid_to), "valid_to")
        _put(block, 220, 16, _undate(card.birth_date), "birth_date")
        _put(block, 236, 4, card.card_version, "card_version")
        _put(block, 240, 8, card.issuer, "issuer")
        _put(block, _FLAG_AT, 2, "I", "flag")
        return bytes(block)
    if card.card_type not in ("resident", "J", "Y"):
        raise ValueError(f"unknown card type {card.card_type!r}")
    _put(block, 0, 30, card.name, "name")
    _put(block, 30, 2, sex, "sex")
    _put(block, 36, 16, _undate(card.birth_date), "birth_date")
    _put(block, 122, 36, card.id_number, "id_number")
    _put(block, 188, 16, _undate(card.valid_from), "valid_from")
    _put(block, 204, 16, _undate(card.valid_to), "valid_to")
    if card.card_type == "Y":
        english = (card.english_name or "").encode("utf-16-le")
        if len(english) > 92:
            raise ValueError("english_name does not fit its 70+22-byte fields")
        english += " ".encode("utf-16-le") * ((92 - len(english)) // 2)
        block[52:122], block[220:242] = english[:70], english[70:]
        _put(block, 32, 4, card.issue_count, "issue_count")
        _put(block, 158, 30, card.issuer, "issuer")
        _put(block, 242, 6, card.nationality, "nationality")
    else:
        _put(block, 52, 70, card.address, "address")
        _put(block, 158, 30, card.issuer, "issuer")
        if card.card_type == "resident":
            _put(block, 32, 4, _NATION_CODES.get(card.nation or "", card.nation or ""), "nation")
        else:
            _put(block, 220, 18, card.pass_number, "pass_number")
            _put(block, 238, 4, card.issue_count, "issue_count")
    _put(block, _FLAG_AT, 2, " " if card.card_type == "resident" else card.card_type, "flag")
    return bytes(block)
