"""Fuzz the printer's decoders: the host's DLE EOT status decode (what the driver trusts before printing)
and the ESC/POS byte parser + real-time scanner the simulator prints with.

Properties: any status bytes (or missing replies) decode without an exception, "ready" is never claimed
with a fault or an unknown byte (never "paper OK" on a bad reading); any bytes in any chunking parse
without an exception, and chunking does not change the real-time commands found or the bytes accounted.
Fixed derandomised budget; bench/fuzz.py runs longer.
"""
from __future__ import annotations

import pytest
from fuzzkit import CI, chunks
from hypothesis import given
from hypothesis import strategies as st

from devices.printer.parser import EscPosParser, RealtimeScanner
from devices.printer.protocol import PrinterState, valid_status_byte


status_byte = st.one_of(st.none(), st.integers(0, 255))


@CI
@given(st.tuples(status_byte, status_byte, status_byte, status_byte), st.booleans())
def test_any_status_bytes_decode_and_never_claim_ready_wrongly(raw, near_end):
    state = PrinterState(raw, near_end)
    fault = state.fault()
    paper = state.paper
    assert paper in ("full", "low", "out", "unknown")
    state.as_dict()
    if state.ready:
        assert fault is None and state.complete and paper in ("full", "low")
    else:
        assert fault is not None and fault[1] and fault[2]  # a reason in Chinese and English
    if not state.complete:
        assert paper != "full" and not state.ready


@CI
@given(st.integers(0, 255))
def test_valid_status_shape(b):
    assert valid_status_byte(b) == ((b & 0x93) == 0x12)


escpos_like = st.lists(st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"\x1b@", b"\x1d\x56\x00", b"\x1d\x56\x41\x10", b"\x10\x04\x01", b"\x10\x04\x04",
                     b"\x10\x05\x02", b"\x1c\x26", b"\x1c\x2e", b"\x1b\x61\x01", b"\x1d\x21\x11",
                     b"\x1d(k\x03\x001C\x06", b"\x1d(k", b"\x1dv0\x00", b"\x1dv0\x00\x48\x00\x02\x00",
                     "中文打印测试".encode("gb18030"), b"\x1b\x21\x08", b"\x0a"]),
), max_size=40).map(b"".join)


@CI
@given(escpos_like, st.lists(st.integers(0, 10_000), max_size=20))
@pytest.mark.timeout(120)
def test_escpos_parser_any_bytes_any_chunking(data, cuts):
    parser = EscPosParser(vendor_commands=[b"\x1b\x0c"])
    ops = []
    for piece in chunks(data, cuts):
        ops += parser.feed(piece)
    for op in ops:
        assert isinstance(op.name, str) and isinstance(op.raw, (bytes, bytearray))
    whole = EscPosParser(vendor_commands=[b"\x1b\x0c"]).feed(data)
    # the command stream does not depend on how the bytes arrived (text may be split differently)
    assert [o.name for o in ops if o.name != "text"] == [o.name for o in whole if o.name != "text"]


@CI
@given(escpos_like, st.lists(st.integers(0, 10_000), max_size=20))
def test_realtime_scanner_finds_the_same_commands_whatever_the_chunking(data, cuts):
    scanner = RealtimeScanner()
    found = []
    for piece in chunks(data, cuts):
        found += [(kind, n) for kind, n, _end in scanner.feed(piece)]
    assert found == [(kind, n) for kind, n, _end in RealtimeScanner().feed(data)]
