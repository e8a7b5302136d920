"""Fictional sample cards for the simulator, tests and demos — no real person's data.

Every number carries a correct GB 11643 check character except ``bad_checksum_id``, whose last character
is deliberately wrong so the kiosk's "number fails its check" path can be exercised.
"""
from __future__ import annotations

import hashlib

from devices.idcard.card import IdCard
from devices.idcard.protocol import PHOTO_LEN

#: the name ``resident_rare`` carries 𠈌 (U+2020C, CJK Ext-B): a UTF-16 surrogate pair (4 of the 30 bytes)
#: and a 4-byte GB 18030 sequence — the case that breaks code assuming one code unit per character.
RARE_CHARACTER = "\U0002020C"


def _photo(seed: str) -> bytearray:
    """A stand-in WLT blob: opaque, deterministic, exactly 1024 bytes (real WLT needs the vendor codec)."""
    out = bytearray()
    block = seed.encode()
    while len(out) < PHOTO_LEN:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:PHOTO_LEN]


def _cards() -> dict[str, IdCard]:
    return {
        "resident": IdCard(
            "resident", name="李建国", sex="男", nation="汉", birth_date="1965-04-12",
            address="上海市浦东新区世纪大道1000弄12号301室", id_number="31011519650412127X",
            issuer="上海市公安局浦东分局", valid_from="2012-05-20", valid_to="长期"),
        "resident_rare": IdCard(
            "resident", name=f"陈{RARE_CHARACTER}华", sex="女", nation="回", birth_date="1998-08-15",
            address="上海市徐汇区漕溪北路88号5号楼1202室", id_number="310104199808152045",
            issuer="上海市公安局徐汇分局", valid_from="2018-03-10", valid_to="2028-03-10"),
        "J": IdCard(
            "J", name="林美玲", sex="女", birth_date="1988-02-15",
            address="上海市长宁区虹桥路1438号", id_number="830000198802150029",
            issuer="上海市公安局", valid_from="2022-07-01", valid_to="2027-07-01",
            pass_number="00234567", issue_count="01"),
        "I": IdCard(
            "I", english_name="MARTINEZ GARCIA MARIA ELENA", sex="女", id_number="ESP310085121501",
            nationality="ESP", name="马丽娜", valid_from="2019-08-01", valid_to="2029-08-01",
            birth_date="1985-12-15", card_version="02", issuer="1500"),
        "Y": IdCard(
            "Y", name="汤姆", english_name="WILLIAMSON-HARGREAVES ALEXANDER JONATHAN", sex="男",
            issue_count="00", birth_date="1979-11-02", id_number="931826197911020052",
            issuer="公安部移民管理局", valid_from="2024-01-15", valid_to="2034-01-15", nationality="GBR"),
        "bad_checksum_id": IdCard(
            "resident", name="王小军", sex="男", nation="汉", birth_date="1990-03-07",
            address="上海市黄浦区人民大道200号", id_number="310115199003071238",
            issuer="上海市公安局黄浦分局", valid_from="2016-01-04", valid_to="2036-01-04"),
    }


NAMES = ("resident", "resident_rare", "J", "I", "Y", "bad_checksum_id")


def sample_card(name: str) -> IdCard:
    """A fresh copy of sample ``name`` (with its stand-in photo); KeyError lists the known names."""
    cards = _cards()
    if name not in cards:
        raise KeyError(f"unknown sample card {name!r}; known: {', '.join(NAMES)}")
    card = cards[name]
    card.photo_wlt = _photo(name)
    return card
