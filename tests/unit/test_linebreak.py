"""Line breaking on receipts: numbers, times and Latin words stay whole; Chinese punctuation rules hold;
no line is ever wider than the paper; nothing is lost but the spaces at a break."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer.linebreak import NO_LINE_END, NO_LINE_START, text_width, wrap

GUIDE_ITEM = "本中心一楼大厅综合受理窗口（工作日 9:00-17:00）"
MIXED = ("请于 2026-12-03（周四）下午 15:00-17:00 携带身份证到 3号窗口办理，费用￥100.00，"
         "详见“随申办”App：https://zwdt.sh.gov.cn/g/a1。如有疑问，请拨打 12345 市民服务热线！")
# the units that must never be split (each shorter than every width tried below)
WHOLE = ["2026-12-03", "15:00-17:00", "￥100.00，", "12345", "App："]


def no_spaces(text):
    return text.replace(" ", "")


def test_the_reported_time_split_is_gone():
    # issue 14: the guide printed "…（工作日 9:00-17:0" / "0）"
    for columns in range(20, 47):
        lines = wrap(GUIDE_ITEM, columns)
        assert any("9:00-17:00）" in line for line in lines), (columns, lines)


@pytest.mark.parametrize("columns", range(16, 49))
def test_numbers_times_and_words_stay_whole(columns):
    lines = wrap(MIXED, columns)
    for unit in WHOLE:
        assert any(unit in line for line in lines), (unit, columns, lines)
    assert all(text_width(line) <= columns for line in lines)
    assert no_spaces("".join(lines)) == no_spaces(MIXED)


@pytest.mark.parametrize("columns", range(8, 49))
def test_chinese_punctuation_rules(columns):
    text = "他说：“今天办完了。”（回执已打印）【注意】请保管好凭条，勿折叠、勿受潮；谢谢！《指南》第 3 页……完。"
    lines = wrap(text, columns)
    assert len(lines) > 1 or columns >= text_width(text)
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, (columns, lines)
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, (columns, lines)
    assert all(text_width(line) <= columns for line in lines)
    assert no_spaces("".join(lines)) == no_spaces(text)


def test_latin_words_move_down_whole_and_spaces_vanish_at_a_break():
    assert wrap("hello world again", 11) == ["hello world", "again"]
    assert wrap("Scan to follow the queue", 10) == ["Scan to", "follow the", "queue"]


def test_a_unit_longer_than_a_line_is_split_rather_than_overflow():
    url = "https://zwdt.sh.gov.cn/" + "x" * 60
    lines = wrap(url, 48)
    assert [text_width(line) for line in lines] == [48, 35] and "".join(lines) == url


def test_cjk_breaks_anywhere_and_newlines_start_paragraphs():
    assert [text_width(x) for x in wrap("社" * 30, 48)] == [48, 12]
    assert wrap("第一段\n第二段", 48) == ["第一段", "第二段"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("社保卡办理窗口ab1:-. ，。（）“”、！？￥…") + ["9:00", "2026"]), max_size=60)
       .map("".join),
       st.integers(min_value=4, max_value=48))
def test_any_text_never_overflows_and_loses_nothing(text, columns):
    lines = wrap(text, columns)
    assert all(text_width(line) <= columns for line in lines)
    assert no_spaces("".join(lines)) == no_spaces(text)
