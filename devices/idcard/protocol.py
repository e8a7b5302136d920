"""SAM reader wire protocol: command/reply frames, an incremental decoder, and the SW3 status table.

Pure functions over bytes — no I/O, no clock — shared by the driver and the simulator. Frame facts are in
``shared/specs/idcard-sam-protocol.md``. Hand-written because no maintained Python library speaks the
GA 467 SAM framing; the vendor SDKs are closed DLLs/.so files.

Frame: ``AA AA AA 96 69 | LEN(2, BE) | body | CHK``, LEN counts body + CHK, CHK = XOR of LEN..body.
A command body is ``CMD PARA DATA…``; a reply body is ``SW1 SW2 SW3 DATA…``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import NamedTuple, Union

from devices.errors import ProtocolError
from devices.idcard.status import (SW3_TABLE, CardNotPresent, CardReadFailed, SamFault, Sw3,  # noqa: F401
                                   Sw3Info, describe_sw3, sw3_error)

PREAMBLE = b"\xAA\xAA\xAA\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2  # preamble + LEN

# The largest reply is 30 10 with a fingerprint: SW(3) + 3 lengths(6) + text 256 + photo 1024 + fp 1024 + CHK.
MAX_REPLY_LEN = 3 + 6 + 256 + 1024 + 1024 + 1
MIN_REPLY_LEN = 4  # SW1 SW2 SW3 CHK (every failure reply)
MAX_COMMAND_LEN = 64  # the longest command (61 FF + 1 byte) has LEN 4; anything far above is noise
MIN_COMMAND_LEN = 3  # CMD PARA CHK

TEXT_LEN = 256
PHOTO_LEN = 1024
FINGERPRINT_LEN = 1024


class Cmd(NamedTuple):
    cmd: int
    para: int


RESET_SAM = Cmd(0x10, 0xFF)
SAM_STATUS = Cmd(0x11, 0xFF)
SAM_ID = Cmd(0x12, 0xFF)
FIND_CARD = Cmd(0x20, 0x01)
SELECT_CARD = Cmd(0x20, 0x02)
READ_BASIC = Cmd(0x30, 0x01)
READ_WITH_FINGERPRINT = Cmd(0x30, 0x10)
READ_APPENDED_ADDRESS = Cmd(0x30, 0x03)
SET_MAX_RF_FRAME = Cmd(0x61, 0xFF)


def xor_checksum(data: bytes) -> int:
    """XOR of every byte. Folds one big integer in halves: ~20x faster than a byte loop for 1.3 kB."""
    n = len(data)
    if n == 0:
        return 0
    value = int.from_bytes(data, "big")
    while n > 1:
        half = (n + 1) // 2
        value = (value >> (8 * half)) ^ (value & ((1 << (8 * half)) - 1))
        n = half
    return value


def _frame(body: bytes) -> bytes:
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError(f"frame body too long: {len(body)} bytes")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([xor_checksum(head + body)])


# ----- commands (host → reader) ------------------------------------------------------------------
def encode_command(cmd: Cmd, data: bytes = b"") -> bytes:
    return _frame(bytes((cmd.cmd, cmd.para)) + data)


# the commands without data, one frame each
encode_reset = partial(encode_command, RESET_SAM)
encode_sam_status = partial(encode_command, SAM_STATUS)
encode_sam_id = partial(encode_command, SAM_ID)
encode_find_card = partial(encode_command, FIND_CARD)
encode_select_card = partial(encode_command, SELECT_CARD)
encode_read_basic = partial(encode_command, READ_BASIC)
encode_read_with_fingerprint = partial(encode_command, READ_WITH_FINGERPRINT)
encode_read_appended_address = partial(encode_command, READ_APPENDED_ADDRESS)


def encode_set_max_rf_frame(size: int) -> bytes:
    if not 0 <= size <= 0xFF:
        raise ValueError(f"RF frame size must fit one byte, not {size}")
    return encode_command(SET_MAX_RF_FRAME, bytes((size,)))


# ----- replies (reader → host); the simulator builds its answers with these -----------------------
def encode_reply(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    return _frame(bytes((sw1, sw2, sw3)) + data)


def encode_read_reply(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """A successful 30 01 (``fingerprint is None``) or 30 10 reply."""
    lengths = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    if fingerprint is not None:
        lengths += len(fingerprint).to_bytes(2, "big")
    return encode_reply(Sw3.SUCCESS, lengths + text + photo + (fingerprint or b""))


# ----- decoded items -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Reply:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def ok(self) -> bool:
        return self.sw3 in (Sw3.SUCCESS, Sw3.FIND_OK)


@dataclass(frozen=True, slots=True)
class Command:
    cmd: int
    para: int
    data: bytes

    @property
    def code(self) -> Cmd:
        return Cmd(self.cmd, self.para)


@dataclass(frozen=True, slots=True)
class DecodeError:
    """A frame that was found but cannot be trusted. ``kind``: ``bad_checksum`` or ``bad_length``."""

    kind: str
    length: int

    def to_error(self) -> ProtocolError:
        if self.kind == "bad_checksum":
            error = ProtocolError("reply failed its checksum", message_zh="读卡器数据校验错误")
        else:
            error = ProtocolError(f"reply length {self.length} is not possible", message_zh="读卡器数据长度错误")
        error.code = self.kind
        return error


Item = Union[Reply, Command, DecodeError]


class FrameDecoder:
    """Incremental decoder: ``feed(bytes)`` returns the frames completed so far, in order.

    Bytes before a preamble are skipped (counted in ``garbage_bytes``). A LEN outside what the protocol
    allows, or a bad CHK, yields a :class:`DecodeError` and resynchronises one byte after that preamble,
    so a real frame hiding behind a false preamble is still found. ``expire()`` gives up on a partial
    frame (the driver calls it when the line has gone quiet) and rescans what follows it.
    """

    def __init__(self, *, commands: bool = False) -> None:
        self.commands = commands
        self.min_len, self.max_len = ((MIN_COMMAND_LEN, MAX_COMMAND_LEN) if commands
                                      else (MIN_REPLY_LEN, MAX_REPLY_LEN))
        self._buf = bytearray()
        self.garbage_bytes = 0

    @property
    def pending(self) -> int:
        """Bytes held waiting for the rest of a frame."""
        return len(self._buf)

    def reset(self) -> None:
        self._buf.clear()

    def needed(self) -> int:
        """Bytes still missing from the frame in progress (a full header's worth when idle)."""
        buf = self._buf
        if len(buf) < HEADER_LEN:
            return HEADER_LEN - len(buf)
        return HEADER_LEN + ((buf[5] << 8) | buf[6]) - len(buf)

    def feed(self, data: bytes) -> list[Item]:
        self._buf += data
        return self._drain()

    def expire(self) -> list[Item]:
        """Drop a partial frame's preamble start and return any frames found in the bytes after it."""
        if not self._buf:
            return []
        del self._buf[0]
        self.garbage_bytes += 1
        return self._drain()

    def _drain(self) -> list[Item]:
        out: list[Item] = []
        buf = self._buf
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                keep = self._partial_preamble_tail(buf)
                self.garbage_bytes += len(buf) - keep
                del buf[:len(buf) - keep]
                return out
            if start:
                self.garbage_bytes += start
                del buf[:start]
            if len(buf) < HEADER_LEN:
                return out
            length = (buf[5] << 8) | buf[6]
            if not self.min_len <= length <= self.max_len:
                out.append(DecodeError("bad_length", length))
                del buf[0]
                continue
            total = HEADER_LEN + length
            if len(buf) < total:
                return out
            frame = bytes(buf[5:total])
            if xor_checksum(frame[:-1]) != frame[-1]:
                out.append(DecodeError("bad_checksum", length))
                del buf[0]
                continue
            del buf[:total]
            body = frame[2:-1]
            if self.commands:
                out.append(Command(body[0], body[1], body[2:]))
            else:
                out.append(Reply(body[0], body[1], body[2], body[3:]))

    @staticmethod
    def _partial_preamble_tail(buf: bytearray) -> int:
        """How many trailing bytes could be the start of a preamble split across reads."""
        for keep in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
            if buf[-keep:] == PREAMBLE[:keep]:
                return keep
        return 0


def format_sam_id(data: bytes) -> str:
    """``%02d.%02d-%08d-%010d`` from two u16 LE (bytes 0, 2) and two u32 LE (4–7, 8–11)."""
    if len(data) < 12:
        raise ValueError(f"SAM ID needs 12+ bytes, got {len(data)}")
    a = int.from_bytes(data[0:2], "little")
    b = int.from_bytes(data[2:4], "little")
    c = int.from_bytes(data[4:8], "little")
    d = int.from_bytes(data[8:12], "little")
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}"


def split_read_reply(data: bytes) -> tuple[bytes, bytes, bytes | None]:
    """Split a successful 30 01 / 30 10 reply's data into (text, photo, fingerprint-or-None).

    The 30 10 form is recognised by its three length fields adding up to the data that follows.
    """
    if len(data) < 4:
        raise ProtocolError(f"read reply too short ({len(data)} bytes)", message_zh="读卡器数据长度错误")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if 4 + text_len + photo_len == len(data):
        return data[4:4 + text_len], data[4 + text_len:], None
    if len(data) >= 6:
        fp_len = int.from_bytes(data[4:6], "big")
        if 6 + text_len + photo_len + fp_len == len(data):
            text = data[6:6 + text_len]
            photo = data[6 + text_len:6 + text_len + photo_len]
            return text, photo, data[6 + text_len + photo_len:]
    raise ProtocolError("read reply lengths do not add up", message_zh="读卡器数据长度错误")
