"""The scanner's pure codec: suffix modes, gap ends, noise rules, encodings, de-duplication, profiles."""
import pytest

from devices.scanner.profiles import get_profile, profile_names
from devices.scanner.protocol import Deduper, ScanDecoder, decode_payload
from devices.scanner.simulator import NOISE_KINDS, noise_bytes


def texts(scans):
    return [s.text for s in scans]


@pytest.mark.parametrize("suffix,end", [("CR", b"\r"), ("CRLF", b"\r\n"), ("TAB", b"\t"), ("auto", b"\r"),
                                        ("auto", b"\r\n"), ("auto", b"\t"), ("auto", b"\n")])
def test_suffix_ends_a_scan(suffix, end):
    d = ScanDecoder(suffix)
    assert texts(d.feed(b"ABC123" + end + b"XYZ" + end, 0.0)) == ["ABC123", "XYZ"]
    assert d.noise == 0 and d.pending == 0


def test_split_writes_are_one_scan_with_a_suffix_however_slow_below_stale():
    d = ScanDecoder("CR")
    assert d.feed(b"https://a.b/", 0.0) == [] and d.poll(0.3) == []
    assert texts(d.feed(b"c?d=1\r", 0.6)) == ["https://a.b/c?d=1"]


def test_no_suffix_a_gap_ends_the_scan_and_a_shorter_pause_does_not():
    d = ScanDecoder("none")
    d.feed(b"1234", 0.0)
    assert d.poll(0.049) == []
    d.feed(b"5678", 0.049)
    assert d.poll(0.08) == []
    assert texts(d.poll(0.1)) == ["12345678"]


def test_auto_mode_stops_ending_on_gaps_once_a_suffix_was_seen():
    d = ScanDecoder("auto")
    d.feed(b"AAA", 0.0)
    assert texts(d.poll(0.06)) == ["AAA"]  # no suffix seen yet: the gap ended it
    d.feed(b"BBB\r", 1.0)
    d.feed(b"CC", 2.0)
    assert d.poll(2.2) == []  # a suffix scanner: a pause is not the end
    assert texts(d.feed(b"C\r", 2.3)) == ["CCC"]


def test_gb18030_payload_is_decoded_when_not_utf8():
    d = ScanDecoder("CR")
    [scan] = d.feed("证照物流取件码 8812".encode("gb18030") + b"\r", 0.0)
    assert (scan.text, scan.encoding) == ("证照物流取件码 8812", "gb18030")
    assert scan.raw_hex == "证照物流取件码 8812".encode("gb18030").hex()
    [scan] = d.feed("证照".encode("utf-8") + b"\r", 0.0)
    assert (scan.text, scan.encoding) == ("证照", "utf-8")


def test_profile_encoding_is_enforced():
    d = ScanDecoder("CR", encoding="utf-8")
    assert d.feed("上海".encode("gb18030") + b"\r", 0.0) == [] and d.noise == 1


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_noise_is_never_a_scan_and_the_next_scan_is_read(kind):
    d = ScanDecoder("CR")
    scans = d.feed(noise_bytes(kind), 0.0)
    scans += d.poll(2.0)  # over-long without suffix is dropped on silence
    assert scans == [] and d.noise >= 1
    assert texts(d.feed(b"GOOD\r", 2.1)) == ["GOOD"]


def test_control_byte_restarts_the_frame():
    d = ScanDecoder("CR")
    assert texts(d.feed(b"junk\x00\xffREAL\r", 0.0)) == ["REAL"] and d.noise == 1


def test_gs1_separator_is_allowed():
    [scan] = ScanDecoder("CR").feed(b"0109501101530003\x1d17140704\r", 0.0)
    assert scan.text == "0109501101530003\x1d17140704"


def test_over_long_payload_resynchronises_at_the_next_suffix():
    d = ScanDecoder("CR", max_len=16)
    assert d.feed(b"X" * 40 + b"\r" + b"OK\r", 0.0)[0].text == "OK"
    assert d.noise == 1


def test_stale_partial_is_dropped():
    d = ScanDecoder("CR")
    d.feed(b"HALF", 0.0)
    assert d.poll(1.5) == [] and d.noise == 1 and d.pending == 0
    assert texts(d.feed(b"WHOLE\r", 1.6)) == ["WHOLE"]


def test_bare_suffix_is_not_a_scan():
    d = ScanDecoder("CR")
    assert d.feed(b"\r\r", 0.0) == [] and d.noise == 2


@pytest.mark.parametrize("raw", [b"\x81", b"\x81\x30", "\ue000".encode(), b"\x80", b"a\x07b", b""])
def test_decode_payload_rejects(raw):
    assert decode_payload(raw) is None


def test_deduper_window_extends_while_the_code_is_held():
    d = Deduper(2.0)
    assert d.accept(b"A", 0.0) is True
    assert d.accept(b"A", 1.5) is False
    assert d.accept(b"A", 3.0) is False  # still held: 1.5 s since the last sighting
    assert d.accept(b"B", 3.1) is True
    assert d.accept(b"A", 5.1) is True and d.duplicates == 2


def test_decoder_rejects_bad_settings():
    with pytest.raises(ValueError):
        ScanDecoder("LF")
    with pytest.raises(ValueError):
        ScanDecoder("CR", gap_s=0.01)


def test_profiles_load_and_name_their_commands():
    assert {"generic", "generic-cr", "generic-crlf", "generic-tab", "generic-none", "honeywell-serial",
            "newland-serial"} <= set(profile_names())
    hw = get_profile("honeywell-serial")
    assert hw.suffix == "CR" and hw.query.startswith(b"\x16M\r") and hw.query_ok == b"\x06."
    assert set(get_profile("newland-serial").commands) == {"trigger_on", "trigger_off", "enable", "disable",
                                                           "query"}
    assert get_profile("generic").commands == {}
    with pytest.raises(ValueError, match="未知的扫码器型号配置"):
        get_profile("nope")


@pytest.mark.parametrize("text", ["证", "取", "隆"])
def test_short_gbk_that_is_also_valid_utf8_reads_as_chinese(text):
    raw = text.encode("gb18030")
    raw.decode("utf-8")  # the ambiguity this test is about: these bytes are valid UTF-8 too
    assert decode_payload(raw) == (text, "gb18030")
    assert decode_payload(text.encode("utf-8")) == (text, "utf-8")
