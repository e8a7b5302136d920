"""SAM protocol codec: exact command bytes, reply decoding, SW3 mapping, text blocks, check characters."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.errors import Action, ProtocolError
from devices.idcard import protocol as p
from devices.idcard.card import IdCard
from devices.idcard.identities import NAMES, RARE_CHARACTER, sample_card
from devices.idcard.textblock import (NATIONS, decode_text_block, encode_text_block, id_check_char,
                                      id_number_valid)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# ----- command frames, byte for byte -------------------------------------------------------------
@pytest.mark.parametrize("frame, expected", [
    (p.encode_reset(), "AA AA AA 96 69 00 03 10 FF EC"),
    (p.encode_sam_status(), "AA AA AA 96 69 00 03 11 FF ED"),
    (p.encode_sam_id(), "AA AA AA 96 69 00 03 12 FF EE"),
    (p.encode_find_card(), "AA AA AA 96 69 00 03 20 01 22"),
    (p.encode_select_card(), "AA AA AA 96 69 00 03 20 02 21"),
    (p.encode_read_basic(), "AA AA AA 96 69 00 03 30 01 32"),  # the spec's worked example
    (p.encode_read_with_fingerprint(), "AA AA AA 96 69 00 03 30 10 23"),
    (p.encode_read_appended_address(), "AA AA AA 96 69 00 03 30 03 30"),
    (p.encode_set_max_rf_frame(0x50), "AA AA AA 96 69 00 04 61 FF 50 CA"),
])
def test_command_frames_are_byte_exact(frame, expected):
    assert frame == h(expected)


def test_set_max_rf_frame_rejects_values_outside_a_byte():
    with pytest.raises(ValueError):
        p.encode_set_max_rf_frame(256)


def test_checksum_fold_matches_a_plain_xor():
    for n in (0, 1, 2, 3, 7, 255, 1288, 2313):
        data = bytes((i * 37 + 11) & 0xFF for i in range(n))
        expected = 0
        for b in data:
            expected ^= b
        assert p.xor_checksum(data) == expected


def test_failure_reply_is_eleven_bytes_and_decodes():
    frame = p.encode_reply(p.Sw3.NO_CARD)
    assert frame == h("AA AA AA 96 69 00 04 00 00 80 84")
    assert p.FrameDecoder().feed(frame) == [p.Reply(0, 0, 0x80, b"")]


def test_basic_read_reply_is_1295_bytes_with_the_spec_layout():
    card = sample_card("resident")
    text = encode_text_block(card)
    frame = p.encode_read_reply(text, bytes(card.photo_wlt))
    assert len(frame) == 1295
    assert frame[:10] == h("AA AA AA 96 69 05 08 00 00 90")
    assert frame[10:14] == h("01 00 04 00")
    assert frame[14:270] == text
    (reply,) = p.FrameDecoder().feed(frame)
    assert reply.ok and p.split_read_reply(reply.data) == (text, bytes(card.photo_wlt), None)


def test_fingerprint_reply_splits_into_three_parts():
    text, photo, fp = bytes(256), b"\x01" * 1024, b"\x02" * 1024
    (reply,) = p.FrameDecoder().feed(p.encode_read_reply(text, photo, fp))
    assert p.split_read_reply(reply.data) == (text, photo, fp)
    with pytest.raises(ProtocolError):
        p.split_read_reply(reply.data[:-3])


def test_decoder_resyncs_after_stray_bytes_and_split_reads():
    frame = p.encode_reply(p.Sw3.FIND_OK, bytes(4))
    stream = h("AA 00") + frame + h("13 37") + p.encode_reply(p.Sw3.SUCCESS)
    dec = p.FrameDecoder()
    out = []
    for i in range(len(stream)):
        out += dec.feed(stream[i:i + 1])
    assert out == [p.Reply(0, 0, 0x9F, bytes(4)), p.Reply(0, 0, 0x90, b"")]
    assert dec.garbage_bytes == 4 and dec.pending == 0


def test_bad_checksum_is_an_item_and_the_next_frame_still_decodes():
    bad = bytearray(p.encode_reply(p.Sw3.SUCCESS))
    bad[-1] ^= 0xFF
    items = p.FrameDecoder().feed(bytes(bad) + p.encode_reply(p.Sw3.NO_CARD))
    assert items == [p.DecodeError("bad_checksum", 4), p.Reply(0, 0, 0x80, b"")]
    assert isinstance(items[0].to_error(), ProtocolError)


def test_absurd_length_does_not_wait_for_ever():
    dec = p.FrameDecoder()
    items = dec.feed(p.PREAMBLE + h("FF FF") + p.encode_reply(p.Sw3.SUCCESS))
    assert items == [p.DecodeError("bad_length", 0xFFFF), p.Reply(0, 0, 0x90, b"")]
    assert dec.pending == 0


def test_largest_valid_reply_is_accepted_one_more_byte_is_not():
    dec = p.FrameDecoder()
    big = p.encode_read_reply(bytes(256), bytes(1024), bytes(1024))
    assert len(big) - 7 == p.MAX_REPLY_LEN
    assert dec.feed(big)[0].ok
    assert dec.feed(p.PREAMBLE + (p.MAX_REPLY_LEN + 1).to_bytes(2, "big"))[0].kind == "bad_length"


def test_expire_finds_a_reply_hidden_behind_a_false_header():
    dec = p.FrameDecoder()
    reply = p.encode_reply(p.Sw3.SUCCESS)
    assert dec.feed(p.PREAMBLE + h("05 08") + reply) == []  # waits: the false header claims 1288 bytes
    assert dec.expire() == [p.Reply(0, 0, 0x90, b"")]


def test_command_decoder_reads_what_the_host_sends():
    dec = p.FrameDecoder(commands=True)
    assert dec.feed(p.encode_set_max_rf_frame(0x50) + p.encode_find_card()) == [
        p.Command(0x61, 0xFF, b"\x50"), p.Command(0x20, 0x01, b"")]


frames = st.sampled_from([
    p.encode_reply(p.Sw3.NO_CARD), p.encode_reply(p.Sw3.FIND_OK, bytes(4)),
    p.encode_reply(p.Sw3.SUCCESS, bytes(range(8))),
    p.encode_read_reply(encode_text_block(sample_card("J")), bytes(1024)),
])


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.lists(st.integers(0, 10_000), max_size=20))
def test_any_bytes_in_any_chunking_never_raise_or_hang(data, cuts):
    dec = p.FrameDecoder()
    started = time.monotonic()
    for chunk in _chunks(data, cuts):
        for item in dec.feed(chunk):
            assert isinstance(item, (p.Reply, p.DecodeError))
    while dec.pending:
        dec.expire()
    assert time.monotonic() - started < 5.0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), frames, st.binary(max_size=400), st.lists(st.integers(0, 5000), max_size=12))
def test_valid_frame_embedded_in_garbage_is_found(before, frame, after, cuts):
    dec = p.FrameDecoder()
    found = []
    for chunk in _chunks(before + frame + after, cuts):
        found += dec.feed(chunk)
    while dec.pending:  # the line went quiet: what a driver does after its inter-byte gap
        found += dec.expire()
    (expected,) = p.FrameDecoder().feed(frame)
    assert expected in found


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_any_text_block_decodes_or_raises_protocol_error(block):
    try:
        card = decode_text_block(block)
    except ProtocolError:
        return
    assert card.card_type in ("resident", "J", "I", "Y")


# ----- SW3 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sw3, error, action, zh", [
    (0x80, p.CardNotPresent, Action.NONE, "请放置身份证"),
    (0x41, p.CardReadFailed, Action.CLEAR, "请重新放置身份证"),
    (0x81, p.CardReadFailed, Action.CLEAR, "请重新放置身份证"),
    (0x60, p.SamFault, Action.MAINTENANCE, "身份证读卡模块故障，请联系工作人员"),
    (0x66, p.SamFault, Action.MAINTENANCE, "身份证读卡模块故障，请联系工作人员"),
    (0x10, ProtocolError, Action.RESET, "读卡器通信错误"),
    (0x11, ProtocolError, Action.RESET, "读卡器通信错误"),
    (0x21, ProtocolError, Action.RESET, "读卡器通信错误"),
    (0x77, ProtocolError, Action.RESET, "读卡器通信错误"),  # unknown code
])
def test_sw3_maps_to_typed_errors(sw3, error, action, zh):
    exc = p.sw3_error(sw3)
    assert type(exc) is error and exc.action == action and exc.message_zh == zh
    assert exc.sw3 == sw3 and exc.message_en and f"0x{sw3:02X}" in exc.message_en


@pytest.mark.parametrize("sw3", [0x90, 0x9F, 0x91])
def test_success_codes_are_not_errors(sw3):
    assert p.describe_sw3(sw3).action == Action.NONE
    with pytest.raises(ValueError):
        p.sw3_error(sw3)


def test_sam_id_format():
    data = bytes.fromhex("0500 0100 15CD5B07 D2029649 00000000".replace(" ", ""))
    assert p.format_sam_id(data) == "05.01-123456789-1234567890"


# ----- text block and check characters ------------------------------------------------------------
def test_check_character_worked_example():
    assert id_check_char("11010519491231002") == "X"
    assert id_number_valid("11010519491231002X")
    assert not id_number_valid("110105194912310021")
    assert not id_number_valid("11010519491231002x")  # cards print an upper-case X
    assert not id_number_valid("1101051949123100")


def test_all_samples_round_trip_through_the_text_block():
    for name in NAMES:
        card = sample_card(name)
        decoded = decode_text_block(encode_text_block(card))
        assert decoded.to_dict() | {"id_number_valid": None} == card.to_dict() | {"id_number_valid": None}
        assert decoded.id_number_valid is (name != "bad_checksum_id"), name


def test_resident_block_fields_and_long_term_validity():
    card = decode_text_block(encode_text_block(sample_card("resident")))
    assert (card.card_type, card.name, card.sex, card.nation) == ("resident", "李建国", "男", "汉")
    assert card.birth_date == "1965-04-12" and card.valid_to == "长期"
    assert card.id_number == "31011519650412127X" and card.id_number_valid


def test_rare_character_name_uses_a_surrogate_pair_and_survives():
    block = encode_text_block(sample_card("resident_rare"))
    assert block[2:6] == RARE_CHARACTER.encode("utf-16-le") and len(block[2:6]) == 4
    assert RARE_CHARACTER.encode("gb18030") and len(RARE_CHARACTER.encode("gb18030")) == 4
    assert decode_text_block(block).name == f"陈{RARE_CHARACTER}华"


def test_j_i_y_specific_fields():
    j = decode_text_block(encode_text_block(sample_card("J")))
    assert (j.card_type, j.pass_number, j.issue_count, j.nation) == ("J", "00234567", "01", None)
    i = decode_text_block(encode_text_block(sample_card("I")))
    assert i.english_name == "MARTINEZ GARCIA MARIA ELENA"  # inner spaces kept, padding stripped
    assert (i.nationality, i.name, i.birth_date, i.id_number_valid) == ("ESP", "马丽娜", "1985-12-15", True)
    y = decode_text_block(encode_text_block(sample_card("Y")))
    assert y.english_name == "WILLIAMSON-HARGREAVES ALEXANDER JONATHAN"  # spans both name fields
    assert (y.nationality, y.id_number_valid) == ("GBR", True)


def test_hand_built_resident_block_decodes_per_the_spec_offsets():
    block = bytearray(" ".encode("utf-16-le") * 128)

    def put(offset, text):
        raw = text.encode("utf-16-le")
        block[offset:offset + len(raw)] = raw
    put(0, "欧阳 娜娜")  # a space inside a name must survive
    put(30, "2")
    put(32, "05")
    put(36, "19491231")
    put(52, "北京市朝阳区")
    put(122, "11010519491231002X")
    put(204, "长期")
    card = decode_text_block(bytes(block))
    assert (card.name, card.sex, card.nation, card.birth_date) == ("欧阳 娜娜", "女", "维吾尔", "1949-12-31")
    assert card.valid_to == "长期" and card.id_number_valid


def test_trailing_nul_padding_is_stripped_too():
    block = bytearray(encode_text_block(sample_card("resident")))
    block[6:30] = bytes(24)
    assert decode_text_block(bytes(block)).name == "李建国"


def test_unknown_card_type_flag_is_a_protocol_error():
    block = bytearray(encode_text_block(sample_card("resident")))
    block[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(ProtocolError):
        decode_text_block(bytes(block))
    with pytest.raises(ProtocolError):
        decode_text_block(bytes(100))


def test_nation_table_is_complete():
    assert len(NATIONS) == 58 and NATIONS["56"] == "基诺" and NATIONS["98"] == "外国血统中国籍人士"


def test_field_too_long_for_its_slot_is_refused():
    with pytest.raises(ValueError):
        encode_text_block(IdCard("resident", name="很" * 16))


# ----- IdCard record --------------------------------------------------------------------------------
def test_masked_repr_and_wipe():
    card = sample_card("resident")
    masked = card.masked()
    assert masked["name"] == "李**" and masked["id_number"] == "3101**********127X"
    assert masked["address"] == "上海市浦东新***" and masked["birth_date"] == "1965-**-**"
    assert list(masked) == list(card.to_dict())
    text = repr(card) + str(card)
    for secret in ("李建国", "31011519650412127X", "浦东", "1965"):
        assert secret not in text
    photo = card.photo_wlt
    card.wipe()
    assert card.wiped and card.name is None and card.id_number is None and card.address is None
    assert photo == bytes(1024)  # zeroed in place, not just dropped


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=10))
def test_simulator_answers_any_host_bytes_without_raising(chunks):
    from devices.idcard.simulator import IdCardSimulator

    sim = IdCardSimulator(transport="tcp", card="resident")  # not started: on_bytes is pure
    for chunk in chunks:
        assert isinstance(sim.on_bytes(chunk), bytes)
    sim.on_disconnect()  # a half-received frame is dropped when the host reconnects
    out = sim.on_bytes(p.encode_find_card())
    assert p.Reply(0, 0, 0x9F, bytes(4)) in p.FrameDecoder().feed(out)
