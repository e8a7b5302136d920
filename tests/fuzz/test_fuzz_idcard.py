"""Fuzz the ID-card reader's decoding chain as the driver runs it: frames → reply → split → text block.

Complements tests/unit/test_idcard_protocol.py (the idcard engineer's properties on the decoder alone):
here the whole chain must turn any bytes, cut anywhere, into frames or typed ProtocolErrors — never
another exception, never a hang — and the decoder must not depend on how the bytes were chunked.
Fixed, derandomised budget so CI is repeatable; bench/fuzz.py runs the same properties for longer.
"""
from __future__ import annotations

import pytest
from fuzzkit import CI, chunks
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import DeviceError, ProtocolError
from devices.idcard import protocol as P
from devices.idcard.textblock import decode_text_block



def process(items) -> list:
    """What the driver does with each decoded item; every failure must be a typed DeviceError."""
    results = []
    for item in items:
        if isinstance(item, P.DecodeError):
            assert isinstance(item.to_error(), ProtocolError)
            results.append(("decode_error", item.kind))
            continue
        try:
            if not item.ok:
                if P.describe_sw3(item.sw3).error is type(None):  # 0x91 "no content": not a failure
                    results.append(("no_content", item.sw3))
                    continue
                err = P.sw3_error(item.sw3)
                assert isinstance(err, DeviceError) and err.message_zh
                results.append(("status", item.sw3))
                continue
            text, photo, fp = P.split_read_reply(item.data)
            card = decode_text_block(text)
            card.masked()
            results.append(("card", card.card_type))
        except ProtocolError as exc:
            results.append(("protocol_error", exc.message_en[:20]))
    return results


garbage_with_preambles = st.lists(
    st.one_of(st.binary(max_size=64), st.just(P.PREAMBLE), st.just(P.PREAMBLE[:3]),
              st.builds(lambda n: P.PREAMBLE + n.to_bytes(2, "big"), st.integers(0, 0xFFFF))),
    max_size=30).map(b"".join)


@CI
@given(garbage_with_preambles, st.lists(st.integers(0, 100_000), max_size=25))
@pytest.mark.timeout(120)
def test_chunking_does_not_change_what_is_decoded(data, cuts):
    whole = P.FrameDecoder()
    expected = whole.feed(data)
    split = P.FrameDecoder()
    got = []
    for piece in chunks(data, cuts):
        got += split.feed(piece)
    assert got == expected
    assert split.pending == whole.pending <= max(len(data), 0)
    process(got)


@CI
@given(st.binary(max_size=4000), st.lists(st.integers(0, 100_000), max_size=25),
       st.lists(st.booleans(), max_size=25))
@pytest.mark.timeout(120)
def test_any_bytes_with_line_timeouts_never_escape_or_grow(data, cuts, expires):
    decoder = P.FrameDecoder()
    items = []
    for i, piece in enumerate(chunks(data, cuts)):
        items += decoder.feed(piece)
        if i < len(expires) and expires[i]:
            items += decoder.expire()  # the driver gives up on a partial frame when the line goes quiet
    # bounded memory: never more than one maximal frame held back
    assert decoder.pending <= P.HEADER_LEN + P.MAX_REPLY_LEN
    process(items)


valid_reply = st.one_of(
    st.builds(lambda sw3, d: P.encode_reply(sw3, d), st.integers(0, 255), st.binary(max_size=40)),
    st.builds(lambda t, p: P.encode_read_reply(t, p), st.binary(min_size=256, max_size=256),
              st.binary(min_size=1024, max_size=1024)),
)


@CI
@given(st.lists(st.tuples(st.binary(max_size=50), valid_reply), min_size=1, max_size=4),
       st.lists(st.integers(0, 100_000), max_size=15))
@pytest.mark.timeout(120)
def test_every_valid_reply_survives_garbage_around_it(pairs, cuts):
    stream = b"".join(g + r for g, r in pairs)
    decoder = P.FrameDecoder()
    items = []
    for piece in chunks(stream, cuts):
        items += decoder.feed(piece)
    for _ in range(len(stream)):  # drain false headers the way the driver does on a quiet line
        if not decoder.pending:
            break
        items += decoder.expire()
    replies = [i for i in items if isinstance(i, P.Reply)]
    wanted = [P.FrameDecoder().feed(r)[0] for _, r in pairs]
    # each real reply is found, in order (garbage may add false ones only if it forms a valid frame)
    it = iter(replies)
    assert all(any(w == r for r in it) for w in wanted)
    process(items)


@CI
@given(st.binary(max_size=3000))
def test_split_and_text_block_raise_only_protocol_errors(data):
    try:
        text, photo, fp = P.split_read_reply(data)
    except ProtocolError:
        return
    assert len(text) + len(photo) + len(fp or b"") <= len(data)
    try:
        decode_text_block(text).masked()
    except ProtocolError:
        pass  # typed, with a Chinese message: what the resident sees is "读卡器数据…错误"
