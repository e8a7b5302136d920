"""Golden bytes for every ESC/POS command we emit (shared/specs/escpos-printer.md) and status decoding."""
import pytest

from devices.printer import protocol as P


@pytest.mark.parametrize("built, golden", [
    (P.INIT, "1B 40"),
    (P.CHINESE_ON, "1C 26"),
    (P.CHINESE_OFF, "1C 2E"),
    (P.CODEPAGE_0, "1B 74 00"),
    (P.CHINESE_PREAMBLE, "1B 74 00 1C 26"),
    (P.DISABLE_FEED_BUTTON, "1B 63 35 01"),
    (P.NEAR_END_NO_STOP, "1B 63 34 00"),
    (P.ASB_OFF, "1D 61 00"),
    (P.LF, "0A"),
    (P.CUT_PARTIAL_FEED, "1D 56 42 00"),
    (P.RECOVER_CLEAR, "10 05 02"),
    (P.size(1, 1), "1D 21 00"),
    (P.size(2, 2), "1D 21 11"),
    (P.size(2, 1), "1D 21 10"),
    (P.size(1, 2), "1D 21 01"),
    (P.size(4, 4), "1D 21 33"),
    (P.bold(True), "1B 45 01"),
    (P.bold(False), "1B 45 00"),
    (P.align("left"), "1B 61 00"),
    (P.align("center"), "1B 61 01"),
    (P.align("right"), "1B 61 02"),
    (P.feed_lines(3), "1B 64 03"),
    (P.feed_dots(24), "1B 4A 18"),
    (P.qr_model2(), "1D 28 6B 04 00 31 41 32 00"),
    (P.qr_module_size(6), "1D 28 6B 03 00 31 43 06"),
    (P.qr_ecc("L"), "1D 28 6B 03 00 31 45 30"),
    (P.qr_ecc("M"), "1D 28 6B 03 00 31 45 31"),
    (P.qr_ecc("Q"), "1D 28 6B 03 00 31 45 32"),
    (P.qr_ecc("H"), "1D 28 6B 03 00 31 45 33"),
    (P.qr_store(b"AB"), "1D 28 6B 05 00 31 50 30 41 42"),
    (P.qr_print(), "1D 28 6B 03 00 31 51 30"),
    (P.raster(2, 1, b"\x80\x01"), "1D 76 30 00 02 00 01 00 80 01"),
    (P.raster(72, 300, bytes(72 * 300))[:8], "1D 76 30 00 48 00 2C 01"),
    (P.dle_eot(1), "10 04 01"),
    (P.dle_eot(4), "10 04 04"),
])
def test_golden_bytes(built, golden):
    assert built == bytes.fromhex(golden)


def test_qr_store_length_field_counts_three_extra_bytes():
    data = b"x" * 300
    out = P.qr_store(data)
    assert out[3] + 256 * out[4] == len(data) + 3
    with pytest.raises(ValueError):
        P.qr_store(b"x" * 7090)


def test_full_qr_sequence_order():
    out = P.qr(b"https://a.b/c", module=5, ecc="M")
    assert out.startswith(bytes.fromhex("1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 05 1D 28 6B 03 00 31 45 31"))
    assert out.endswith(bytes.fromhex("1D 28 6B 03 00 31 51 30"))
    assert len(out) < 60 + len(b"https://a.b/c")


@pytest.mark.parametrize("bad", [lambda: P.size(0, 1), lambda: P.size(9, 1), lambda: P.qr_module_size(17),
                                 lambda: P.raster(2, 2, b"\x00"), lambda: P.dle_eot(5),
                                 lambda: P.feed_dots(256)])
def test_out_of_range_arguments_are_rejected(bad):
    with pytest.raises(ValueError):
        bad()


@pytest.mark.parametrize("byte, ok", [(0x12, True), (0x1A, True), (0x7E, True), (0x16, True),
                                      (0x13, False), (0x92, False), (0x02, False), (0x10, False), (0x00, False)])
def test_status_byte_fixed_bits(byte, ok):
    assert P.valid_status_byte(byte) is ok


def state(*raw, sensor=True):
    return P.PrinterState(tuple(raw), sensor)


def test_idle_printer_is_ready_with_full_paper():
    s = state(0x12, 0x12, 0x12, 0x12)
    assert s.ready and s.paper == "full" and s.fault() is None
    assert s.as_dict() == {"online": True, "paper": "ok", "cover_open": False, "cutter_error": False,
                           "ready": True, "raw": [0x12] * 4}


def test_spec_examples():
    assert state(0x12, 0x12, 0x12, 0x1E).paper == "low"
    assert state(0x12, 0x12, 0x12, 0x1E).ready  # near end must not stop printing
    out = state(0x1A, 0x32, 0x12, 0x7E)
    assert out.paper == "out" and not out.ready and out.fault()[0] == "paper_out" and out.offline
    cover = state(0x1A, 0x16, 0x12, 0x12)
    assert cover.cover_open and not cover.ready and cover.fault()[0] == "cover_open"
    cutter = state(0x1A, 0x52, 0x1A, 0x12)
    assert cutter.cutter_error and cutter.fault()[0] == "cutter_error"


def test_no_reply_is_unknown_never_paper_ok():
    assert P.UNKNOWN_STATE.paper == "unknown"
    assert not P.UNKNOWN_STATE.ready
    assert P.UNKNOWN_STATE.fault()[0] == "no_answer"
    partial = state(0x12, 0x12, 0x12, None)
    assert partial.paper == "unknown" and not partial.ready
    assert P.UNKNOWN_STATE.as_dict()["online"] is None


def test_near_end_bits_are_believed_even_when_the_profile_expects_no_sensor():
    # a printer that sets DLE EOT 4 bits 2-3 has the sensor, whatever its profile says (issue 12 §5)
    assert state(0x12, 0x12, 0x12, 0x1E, sensor=False).paper == "low"
    assert state(0x12, 0x12, 0x12, 0x12, sensor=False).paper == "full"


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.tuples(*[st.one_of(st.none(), st.integers(0, 255).map(lambda b: (b & 0x6C) | 0x12))] * 4), st.booleans())
def test_any_status_bytes_decode_into_the_vocabulary(raw, sensor):
    s = P.PrinterState(raw, sensor)
    assert s.paper in ("full", "low", "out", "unknown")
    d = s.as_dict()
    assert d["paper"] in ("ok", "low", "out", "unknown")
    if s.ready:
        assert s.fault() is None and s.paper in ("full", "low") and None not in raw
    else:
        assert s.fault() is not None
    if None in raw:  # a missing answer never reads as "paper fine"
        assert s.paper != "full" and not s.ready
