"""The simulator's ESC/POS parser: understands everything the encoder emits, never crashes on garbage."""
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer.document import QR, Cut, Document, Feed, KeyValue, Text
from devices.printer.encoder import encode
from devices.printer.parser import EscPosParser, RealtimeScanner
from devices.printer.render import render_ops

SAMPLE = encode(Document([Text("排队号 A023", size=(2, 2), bold=True, align="center"), KeyValue("窗口", "3号"),
                          Text("生僻字𠈌"), QR("https://x.y/q/A023"), Feed(1), Cut()]))


def parse_chunks(data, sizes):
    parser = EscPosParser()
    ops, pos = [], 0
    for size in sizes:
        ops += parser.feed(data[pos:pos + size])
        pos += size
    ops += parser.feed(data[pos:]) + parser.flush()
    return ops


def key(ops):
    return [(op.name, op.raw) for op in ops]


def test_encoder_output_is_fully_understood():
    ops = parse_chunks(SAMPLE, [])
    names = [op.name for op in ops]
    assert "unknown" not in names
    assert {"init", "chinese", "size", "bold", "align", "text", "lf", "raster", "qr", "feed", "cut"} <= set(names)
    assert b"".join(op.raw for op in ops) == SAMPLE  # every byte accounted for


def test_byte_by_byte_feeding_gives_the_same_operations():
    assert key(parse_chunks(SAMPLE, [1] * len(SAMPLE))) == key(parse_chunks(SAMPLE, []))


def test_unknown_commands_are_reported_not_raised():
    ops = parse_chunks(b"\x1b\x40\x1b\x99abc\x1d\xee\x07\n", [])
    unknown = [op for op in ops if op.name == "unknown"]
    assert [op.raw for op in unknown] == [b"\x1b\x99", b"\x1d\xee", b"\x07"]
    assert any(op.name == "text" and op.args["text"] == "abc" for op in ops)


def test_stray_single_byte_code_page_in_chinese_mode_is_flagged():
    # 'é' as Latin-1 (E9) followed by a control byte cannot be a GB18030 character
    ops = parse_chunks(b"\x1c\x26caf\xe9\n", [])
    assert any(op.name == "unknown" and op.raw == b"\xe9" for op in ops)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(min_value=1, max_value=64), max_size=20))
def test_arbitrary_bytes_in_any_chunking_never_crash(data, sizes):
    whole = parse_chunks(data, [])
    chunked = parse_chunks(data, sizes)
    assert key(whole) == key(chunked)
    render_ops(whole)  # and the renderer draws whatever came out


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=len(SAMPLE)))
def test_garbage_spliced_into_a_real_job_never_crashes(noise, at):
    data = SAMPLE[:at] + noise + SAMPLE[at:]
    ops = parse_chunks(data, [7, 13, 1, 64])
    if at >= 2:  # the real job's ESC @ came before the garbage: it is still recognised
        assert ops[0].name == "init"
    page = render_ops(ops)
    assert page.image().size[0] == 576  # drawn at the printer's width whatever the bytes were


def test_realtime_scanner_finds_queries_across_chunk_boundaries():
    scanner = RealtimeScanner()
    assert scanner.feed(b"ab\x10") == []
    assert scanner.feed(b"\x04") == []
    assert scanner.feed(b"\x02xy\x10\x05\x02") == [(4, 2, 1), (5, 2, 6)]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(min_value=1, max_value=10), max_size=30))
def test_realtime_scanner_is_chunking_independent(data, sizes):
    def run(parts):
        scanner, found = RealtimeScanner(), []
        for p in parts:
            found += [(k, n) for k, n, _ in scanner.feed(p)]
        return found
    parts, pos = [], 0
    for s in sizes:
        parts.append(data[pos:pos + s])
        pos += s
    parts.append(data[pos:])
    assert run(parts) == run([data])
