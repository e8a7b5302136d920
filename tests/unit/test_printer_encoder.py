"""Encoder: Chinese always GB18030 in Chinese mode, display-width layout, raster fallback, per-profile bytes."""
import pytest
from PIL import Image as PILImage

from devices.printer.document import (QR, Cut, Document, Feed, Image, KeyValue, Separator, Table, Text,
                                      char_width, text_width, wrap)
from devices.printer.encoder import encode, encode_segments, needs_raster
from devices.printer.parser import EscPosParser
from devices.printer.profiles import get_profile, profile_names

HEADER = bytes.fromhex("1B 40 1B 63 35 01 1B 63 34 00 1B 74 00 1C 26")


def ops_of(data, profile="generic-80mm"):
    parser = EscPosParser([get_profile(profile).presenter])
    return parser.feed(data) + parser.flush()


def test_job_starts_with_init_feed_button_off_and_chinese_mode():
    assert encode(Document([Text("你好")])).startswith(HEADER)


def test_chinese_punctuation_and_symbols_are_gb18030_never_question_marks():
    text = "（）：￥〇，。"
    out = encode(Document([Text(text)]))
    assert text.encode("gb18030") + b"\n" in out
    assert b"?" not in out
    # the exact two-byte codes a GB printer expects
    assert "（".encode("gb18030") == bytes.fromhex("A3 A8") and "￥".encode("gb18030") == bytes.fromhex("A3 A4")
    assert "〇".encode("gb18030") == bytes.fromhex("A9 96")


def test_latin_accents_do_not_use_a_single_byte_code_page():
    out = encode(Document([Text("café 中文")]))
    assert "café 中文".encode("gb18030") in out
    assert b"\x1c\x2e" not in out  # never leaves Chinese mode
    assert b"caf\xe9" not in out  # the Latin-1 byte that would garble the next character


def test_four_byte_character_becomes_a_raster_band_when_the_font_lacks_it():
    prof = get_profile("generic-80mm")
    assert needs_raster("张𠈌", prof) and not needs_raster("张三（）￥〇", prof)
    out = encode(Document([Text("姓名：张𠈌")]))
    assert "𠈌".encode("gb18030") not in out
    names = [op.name for op in ops_of(out)]
    assert "raster" in names and "unknown" not in names
    assert not any(op.name == "text" and "张" in op.args["text"] for op in ops_of(out))


def test_display_width_and_wrapping():
    assert char_width("中") == 2 and char_width("A") == 1 and char_width("（") == 2 and char_width("“") == 2
    assert text_width("社保A") == 5
    lines = wrap("社" * 30, 48)
    assert [text_width(x) for x in lines] == [48, 12]
    assert wrap("hello world again", 11) == ["hello world", "again"]
    # closing punctuation never starts a line
    lines = wrap("一" * 24 + "。", 48)
    assert not lines[1].startswith("。") and all(text_width(x) <= 48 for x in lines)


def test_double_width_text_wraps_at_half_the_columns():
    out = encode(Document([Text("号" * 20, size=(2, 2))]))
    texts = [op.args["text"] for op in ops_of(out) if op.name == "text"]
    assert [text_width(t) for t in texts] == [24, 16]
    assert bytes.fromhex("1D 21 11") in out


def test_key_value_aligns_by_display_width():
    out = encode(Document([KeyValue("姓名", "张*丰"), KeyValue("Ref", "AB-1")]))
    texts = [op.args["text"] for op in ops_of(out) if op.name == "text"]
    assert texts == ["姓名" + " " * 39 + "张*丰", "Ref" + " " * 41 + "AB-1"]
    assert all(text_width(t) == 48 for t in texts)


def test_key_value_too_long_wraps_value_right_aligned():
    out = encode(Document([KeyValue("地址", "上海市" * 10)]))
    texts = [op.args["text"] for op in ops_of(out) if op.name == "text"]
    assert texts[0] == "地址" and all(text_width(t) <= 48 for t in texts)


def test_table_columns_align():
    out = encode(Document([Table(("月份", "金额"), (("2026-10", "1180.20"), ("2026-09", "99")), (10, 10))]))
    texts = [op.args["text"] for op in ops_of(out) if op.name == "text"]
    assert texts[0] == "月份      金额" and texts[2] == "2026-10   1180.20" and texts[3] == "2026-09   99"


def test_native_qr_bytes_and_size():
    out = encode(Document([QR("https://zwdt.sh.gov.cn/q/A023", module=6, ecc="M")]))
    assert bytes.fromhex("1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 06 1D 28 6B 03 00 31 45 31") in out
    assert b"\x31\x50\x30https://zwdt.sh.gov.cn/q/A023" in out
    qr = [op for op in ops_of(out) if op.name == "qr"]
    assert qr[0].args == {"data": b"https://zwdt.sh.gov.cn/q/A023", "module": 6, "ecc": "M"}


@pytest.mark.parametrize("profile", profile_names())
def test_image_is_sent_in_bands_of_the_profile_height(profile):
    prof = get_profile(profile)
    img = PILImage.new("L", (600, 300), 0)  # wider than the paper: scaled to 576
    out = encode(Document([Image(img)]), profile)
    rasters = [op for op in ops_of(out, profile) if op.name == "raster"]
    assert all(op.args["rows"] <= prof.band_height for op in rasters)
    assert all(op.args["width_bytes"] == prof.dots // 8 for op in rasters)
    assert sum(op.args["rows"] for op in rasters) == round(300 * 576 / 600)
    assert all(set(op.args["data"]) == {0xFF} for op in rasters)  # black picture = all ink


def test_a_constant_picture_prints_the_same_bytes_and_is_not_kept_after_it_is_gone():
    import gc

    from devices.printer import bitmap

    img = PILImage.linear_gradient("L").resize((300, 40))
    plain = encode(Document([Text("ramp"), Image(img, max_width=200)]))
    assert encode(Document([Text("ramp"), Image(img, max_width=200, constant=True)])) == plain
    assert encode(Document([Text("ramp"), Image(img, max_width=200, constant=True)])) == plain  # from the cache
    assert id(img) in bitmap._CONSTANT_RASTERS
    key = id(img)
    del img
    gc.collect()
    assert key not in bitmap._CONSTANT_RASTERS


def test_lines_of_one_job_keep_their_modes_when_encoded_together():
    """Lines are encoded together between non-text commands: each mode change still sits before its line,
    a line the font lacks still becomes a raster band between the text around it, and the split points
    are the same whether the job is encoded whole or in segments."""
    doc = Document([Text("标题", size=(2, 2), bold=True, align="center"), Text("正文 body"),
                    KeyValue("键", "值", bold=True), Text("四字节 𠈌"), Text("after", align="right"), Feed(1),
                    Text("尾")])
    out = encode(doc, "generic-80mm")
    names = [op.name for op in ops_of(out)]
    assert names.index("raster") > names.index("text") and "text" in names[names.index("raster"):]
    texts = [op.args["text"] for op in ops_of(out) if op.name == "text"]
    assert texts[:3] == ["标题", "正文 body", "键" + " " * 44 + "值"] and texts[-2:] == ["after", "尾"]
    for size in (1, 16, 64):
        assert b"".join(encode_segments(doc, "generic-80mm", size)) == out


@pytest.mark.parametrize("profile", profile_names())
def test_cut_and_presenter_bytes_come_from_the_profile(profile):
    prof = get_profile(profile)
    out = encode(Document([Text("x"), Cut()]), profile)
    assert out.endswith(prof.cut + prof.presenter)
    assert out.count(prof.cut) == 1


def test_document_without_cut_gets_one():
    assert encode(Document([Text("x"), Feed(2)])).endswith(bytes.fromhex("1D 56 42 00"))


def test_segments_split_only_between_commands():
    doc = Document([Text("中文" * 40) for _ in range(10)] + [QR("https://x.y/z")])
    segments = encode_segments(doc, min_size=64)
    assert len(segments) > 3 and b"".join(segments) == encode(doc)
    for seg in segments:  # each piece parses on its own: no split character or command
        names = [op.name for op in ops_of(seg)]
        assert "unknown" not in names


def test_separator_is_full_width():
    out = encode(Document([Separator(), Separator("=")]))
    assert b"-" * 48 + b"\n" in out and b"=" * 48 + b"\n" in out


def test_control_characters_in_text_cannot_inject_commands():
    out = encode(Document([Text("A\x1b@B\x1d\x56\x00C")]))
    assert b"\x1b@B" not in out and b"\x1d\x56\x00" not in out
    assert "A@B" in [op.args["text"] for op in ops_of(out) if op.name == "text"][0]


def test_profiles_load_with_the_required_fields():
    names = profile_names()
    assert "generic-80mm" in names and len(names) >= 3
    kiosk = get_profile("snbc-bt-t080")
    assert kiosk.presenter and kiosk.band_height == 24 and kiosk.near_end_sensor
    with pytest.raises(ValueError, match="unknown printer profile"):
        get_profile("no-such-printer")


def test_table_cell_wraps_within_its_column():
    out = encode(Document([Table(("项目", "说明"), (("A", "很长的说明文字" * 3),), (6, 20))]))
    texts = [op.args["text"] for op in ops_of(out) if op.name == "text"]
    body = texts[2:]
    assert len(body) == 3 and body[0].startswith("A     很长") and body[1].startswith("      ")
    assert all(text_width(t) <= 26 for t in texts)
    assert "".join(t[6:] for t in body) == "很长的说明文字" * 3


def test_a_block_placed_on_every_page_prints_like_separate_copies():
    import dataclasses
    shared = [Text("上海市“一网通办”" * 4, bold=True, align="center"), KeyValue("持有人 Holder", "张*丰"),
              Table(("月份", "金额"), (("2026-10", "1180.20"),), (10, 10)), Separator("=")]
    pages = [b for n in range(3) for b in (*shared, Text(f"第 {n + 1}/3 页", size=(2, 2)), Cut())]
    copies = [dataclasses.replace(b) for b in pages]  # equal values, distinct objects
    assert encode(Document(pages)) == encode(Document(copies))
    segments = encode_segments(Document(pages), min_size=32)
    assert b"".join(segments) == encode(Document(copies)) and len(segments) > 6
    for seg in segments:
        assert "unknown" not in [op.name for op in ops_of(seg)]


def test_unknown_block_type_is_refused():
    with pytest.raises(TypeError, match="not a document block"):
        encode(Document(["text"]))
