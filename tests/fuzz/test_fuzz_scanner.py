"""Hypothesis over the scanner decoder: any bytes, any chunking — never a crash, never a noise scan.

"Noise" is defined in devices/scanner/protocol.py: a frame holding a control byte (other than the GS
separator) or 0xFF, a payload valid in neither encoding, an over-long payload. The properties below check
every reported scan against that definition, that chunking does not change the result, and that real
scans survive noise bursts around them.
"""
from __future__ import annotations

from fuzzkit import CI, chunks
from hypothesis import given
from hypothesis import strategies as st

from devices.scanner.protocol import ScanDecoder, decode_payload
from devices.scanner.simulator import NOISE_KINDS, noise_bytes

SUFFIXES = st.sampled_from(["CR", "CRLF", "TAB", "none", "auto"])
NOISE_BYTE = st.sampled_from([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x1D), 0x1E, 0x1F, 0x7F, 0xFF])
# printable payloads a scanner sends: ASCII URLs/digits and CJK text, in either encoding
PAYLOAD = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from(
    list("上海市随申码证照物流取件预约签到窗口号")), min_size=1, max_size=80)


def run(decoder: ScanDecoder, pieces: list[bytes], *, pause: float = 0.0) -> list:
    scans, now = [], 0.0
    for piece in pieces:
        scans += decoder.feed(piece, now)
        now += pause
        if pause:
            scans += decoder.poll(now)
    return scans + decoder.poll(now + 5.0)


def assert_clean(scans, source: bytes) -> None:
    for scan in scans:
        assert scan.raw in source
        assert decode_payload(scan.raw, "auto") == (scan.text, scan.encoding)
        assert not any(b < 0x20 and b != 0x1D or b in (0x7F, 0xFF) for b in scan.raw)


@CI
@given(data=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 3000), max_size=20), suffix=SUFFIXES,
       max_len=st.integers(1, 4096))
def test_any_bytes_any_chunking_never_crash_and_only_clean_scans(data, cuts, suffix, max_len):
    decoder = ScanDecoder(suffix, max_len=max_len)
    scans = run(decoder, chunks(data, cuts))
    assert_clean(scans, data)
    assert all(len(s.raw) <= max_len for s in scans)
    assert decoder.pending == 0


@CI
@given(data=st.binary(max_size=2000), cuts=st.lists(st.integers(0, 2000), max_size=20),
       suffix=st.sampled_from(["CR", "CRLF", "TAB", "auto"]))
def test_chunking_does_not_change_the_scans(data, cuts, suffix):
    whole = [(s.raw, s.text) for s in run(ScanDecoder(suffix), [data])]
    pieces = [(s.raw, s.text) for s in run(ScanDecoder(suffix), chunks(data, cuts))]
    assert pieces == whole


@CI
@given(frames=st.lists(st.tuples(st.binary(max_size=60), NOISE_BYTE, st.binary(max_size=60)), min_size=1,
                       max_size=10), cuts=st.lists(st.integers(0, 2000), max_size=15),
       suffix=st.sampled_from(["CR", "CRLF", "TAB"]))
def test_frames_holding_noise_bytes_are_never_scans(frames, cuts, suffix):
    end = {"CR": b"\r", "CRLF": b"\r\n", "TAB": b"\t"}[suffix]
    data = b"".join(a.translate(None, b"\r\n\t") + bytes([n]) + end for a, n, _ in frames)
    # every frame ends right after its noise byte: the part after it is empty, so nothing is clean
    assert run(ScanDecoder(suffix), chunks(data, cuts)) == []


@CI
@given(payloads=st.lists(st.tuples(PAYLOAD, st.sampled_from(["utf-8", "gb18030"]),
                                   st.sampled_from(NOISE_KINDS + ("",))), min_size=1, max_size=6),
       cuts=st.lists(st.integers(0, 5000), max_size=30), suffix=st.sampled_from(["CR", "CRLF", "TAB"]))
def test_real_scans_survive_noise_bursts_and_splits(payloads, cuts, suffix):
    end = {"CR": b"\r", "CRLF": b"\r\n", "TAB": b"\t"}[suffix]
    data = b""
    for text, encoding, noise in payloads:
        burst = noise_bytes(noise, suffix=end) if noise and noise != "overlong" else b""
        data += burst + text.encode(encoding) + end
    scans = run(ScanDecoder(suffix), chunks(data, cuts))
    assert [s.text for s in scans] == [t for t, _, _ in payloads]
    assert_clean(scans, data)


@CI
@given(text=PAYLOAD, encoding=st.sampled_from(["utf-8", "gb18030"]), cuts=st.lists(st.integers(0, 400),
                                                                                     max_size=10))
def test_no_suffix_split_below_the_gap_is_one_scan(text, encoding, cuts):
    raw = text.encode(encoding)
    scans = run(ScanDecoder("none"), chunks(raw, cuts), pause=0.02)
    assert [s.text for s in scans] == [text]
