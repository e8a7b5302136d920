"""Streaming ESC/POS parser: bytes in any chunking → printer operations; the simulator's ear.

``EscPosParser.feed(chunk)`` returns the operations completed so far and keeps an incomplete tail, so the
result does not depend on how the stream was split (``flush()`` ends the stream). Anything it does not
understand becomes an ``Op("unknown", raw=…)`` instead of an exception — the simulator reports those.
Written for this project because no Python library parses ESC/POS (they only emit it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devices.printer.protocol import ECC_NAMES

# ESC x → number of parameter bytes (commands the renderer either uses or may safely ignore)
_ESC_FIXED = {0x40: 0, 0x74: 1, 0x45: 1, 0x61: 1, 0x64: 1, 0x4A: 1, 0x21: 1, 0x2D: 1, 0x4D: 1, 0x32: 0,
              0x33: 1, 0x47: 1, 0x69: 0, 0x6D: 0, 0x70: 3, 0x20: 1, 0x7B: 1, 0x56: 1, 0x52: 1}
_GS_FIXED = {0x21: 1, 0x61: 1, 0x72: 1, 0x49: 1, 0x42: 1, 0x4C: 2, 0x57: 2, 0x48: 1, 0x68: 1, 0x77: 1,
             0x66: 1}
_FS_FIXED = {0x26: 0, 0x2E: 0, 0x21: 1, 0x2D: 1, 0x43: 1, 0x57: 1}
_RASTER_MAX_WIDTH = 255  # bytes per row; no 80 mm printer takes more (576 dots = 72)
_RASTER_MAX_ROWS = 4095


@dataclass
class Op:
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    raw: bytes = b""

    def __repr__(self) -> str:
        return f"Op({self.name}, {self.args}, {self.raw[:16].hex(' ')})"


class EscPosParser:
    def __init__(self, vendor_commands: list[bytes] | tuple[bytes, ...] = ()) -> None:
        self.vendor = [bytes(v) for v in vendor_commands if v]
        self._buf = bytearray()
        self._text = bytearray()
        self.chinese = False
        self._qr: dict[str, Any] = {"module": 3, "ecc": "L", "data": None}

    def reset_modes(self) -> None:
        self.chinese = False
        self._qr = {"module": 3, "ecc": "L", "data": None}

    def clear(self) -> None:
        """Drop everything buffered (DLE ENQ 2 / cable pulled)."""
        self._buf.clear()
        self._text.clear()

    def feed(self, data: bytes) -> list[Op]:
        self._buf += data
        ops: list[Op] = []
        pos = 0
        buf = self._buf
        while pos < len(buf):
            used = self._step(buf, pos, ops)
            if used == 0:  # incomplete command: wait for more bytes
                break
            pos += used
        del buf[:pos]
        return ops

    def flush(self) -> list[Op]:
        """End of stream: emit pending text; an incomplete command at the end is unknown."""
        ops: list[Op] = []
        if self._buf:
            raw = bytes(self._buf)
            self._buf.clear()
            if raw[0] >= 0x20:  # a truncated multibyte character
                ops.append(Op("unknown", {"reason": "truncated character"}, raw))
            else:
                self._flush_text(ops)
                ops.append(Op("unknown", {"reason": "truncated command"}, raw))
                return ops
        self._flush_text(ops)
        return ops

    # ----- internals ------------------------------------------------------------------------------
    def _flush_text(self, ops: list[Op]) -> None:
        if self._text:
            raw = bytes(self._text)
            self._text.clear()
            codec = "gb18030" if self.chinese else "cp437"
            ops.append(Op("text", {"text": raw.decode(codec, errors="replace")}, raw))

    def _cmd(self, ops: list[Op], name: str, raw: bytes, **args: Any) -> int:
        self._flush_text(ops)
        ops.append(Op(name, args, bytes(raw)))
        return len(raw)

    def _step(self, buf: bytearray, pos: int, ops: list[Op]) -> int:
        b = buf[pos]
        for seq in self.vendor:
            if buf.startswith(seq, pos):
                return self._cmd(ops, "vendor", seq)
            if seq.startswith(bytes(buf[pos:])):
                return 0
        if b >= 0x20 and b != 0x7F:
            return self._text_char(buf, pos, ops)
        if b == 0x0A:
            return self._cmd(ops, "lf", b"\n")
        if b == 0x0D:
            return self._cmd(ops, "cr", b"\r")
        if b == 0x1B:
            return self._esc(buf, pos, ops)
        if b == 0x1D:
            return self._gs(buf, pos, ops)
        if b == 0x1C:
            return self._fs(buf, pos, ops)
        if b == 0x10:
            return self._dle(buf, pos, ops)
        return self._cmd(ops, "unknown", buf[pos:pos + 1], reason="control byte")

    def _text_char(self, buf: bytearray, pos: int, ops: list[Op]) -> int:
        b = buf[pos]
        if not self.chinese or b < 0x81 or b == 0xFF:
            self._text.append(b)
            return 1
        if pos + 1 >= len(buf):
            return 0
        b2 = buf[pos + 1]
        if 0x40 <= b2 <= 0xFE and b2 != 0x7F:
            self._text += buf[pos:pos + 2]
            return 2
        if 0x30 <= b2 <= 0x39:
            if pos + 3 >= len(buf):
                return 0
            b3, b4 = buf[pos + 2], buf[pos + 3]
            if 0x81 <= b3 <= 0xFE and 0x30 <= b4 <= 0x39:
                self._text += buf[pos:pos + 4]
                return 4
        # a lead byte without a valid trail: exactly the "stray single-byte code page" garbling
        return self._cmd(ops, "unknown", buf[pos:pos + 1], reason="bad GB18030 lead byte")

    def _fixed(self, buf: bytearray, pos: int, ops: list[Op], nargs: int, name: str, **args: Any) -> int:
        end = pos + 2 + nargs
        if end > len(buf):
            return 0
        return self._cmd(ops, name, buf[pos:end], **args)

    def _esc(self, buf: bytearray, pos: int, ops: list[Op]) -> int:
        if pos + 1 >= len(buf):
            return 0
        c = buf[pos + 1]
        if c == 0x63:  # ESC c 3/4/5 n
            if pos + 3 >= len(buf):
                return 0
            sub = buf[pos + 2]
            if sub in (0x33, 0x34, 0x35):
                names = {0x33: "paper_sensor", 0x34: "near_end_stop", 0x35: "feed_button"}
                return self._cmd(ops, names[sub], buf[pos:pos + 4], n=buf[pos + 3])
            return self._cmd(ops, "unknown", buf[pos:pos + 2], reason="ESC c")
        if c not in _ESC_FIXED:
            return self._cmd(ops, "unknown", buf[pos:pos + 2], reason="ESC")
        n = _ESC_FIXED[c]
        if pos + 2 + n > len(buf):
            return 0
        arg = buf[pos + 2] if n else None
        raw = buf[pos:pos + 2 + n]
        if c == 0x40:
            used = self._cmd(ops, "init", raw)
            self.reset_modes()
            return used
        names = {0x74: ("codepage", "n"), 0x45: ("bold", "on"), 0x61: ("align", "n"), 0x64: ("feed", "n"),
                 0x4A: ("feed_dots", "n"), 0x69: ("cut", None), 0x6D: ("cut", None)}
        if c in names:
            name, key = names[c]
            if key == "on":
                return self._cmd(ops, name, raw, on=bool(arg & 1))
            return self._cmd(ops, name, raw, **({key: arg} if key else {}))
        return self._cmd(ops, "ignored", raw)

    def _gs(self, buf: bytearray, pos: int, ops: list[Op]) -> int:
        if pos + 1 >= len(buf):
            return 0
        c = buf[pos + 1]
        if c == 0x56:  # GS V m [n]
            if pos + 2 >= len(buf):
                return 0
            m = buf[pos + 2]
            if m in (0x00, 0x01, 0x30, 0x31):
                return self._cmd(ops, "cut", buf[pos:pos + 3], partial=m in (0x01, 0x31))
            if m in (0x41, 0x42):
                return self._fixed(buf, pos, ops, 2, "cut", partial=m == 0x42)
            return self._cmd(ops, "unknown", buf[pos:pos + 3], reason="GS V")
        if c == 0x28:
            return self._gs_paren(buf, pos, ops)
        if c == 0x76:
            return self._raster(buf, pos, ops)
        if c == 0x21:
            if pos + 2 >= len(buf):
                return 0
            n = buf[pos + 2]
            return self._cmd(ops, "size", buf[pos:pos + 3], width=(n >> 4 & 7) + 1, height=(n & 7) + 1)
        if c in _GS_FIXED:
            name = "asb" if c == 0x61 else "ignored"
            return self._fixed(buf, pos, ops, _GS_FIXED[c], name)
        return self._cmd(ops, "unknown", buf[pos:pos + 2], reason="GS")

    def _gs_paren(self, buf: bytearray, pos: int, ops: list[Op]) -> int:
        if pos + 4 >= len(buf):
            return 0
        fn_class = buf[pos + 2]
        length = buf[pos + 3] | (buf[pos + 4] << 8)
        end = pos + 5 + length
        if end > len(buf):
            return 0
        raw = buf[pos:end]
        body = bytes(buf[pos + 5:end])
        if fn_class != 0x6B or len(body) < 2 or body[0] != 0x31:
            return self._cmd(ops, "unknown", raw, reason="GS ( other")
        fn = body[1]
        if fn == 0x41 and len(body) >= 3:
            return self._cmd(ops, "qr_model", raw, model=body[2])
        if fn == 0x43 and len(body) == 3 and 1 <= body[2] <= 16:
            self._qr["module"] = body[2]
            return self._cmd(ops, "qr_size", raw, module=body[2])
        if fn == 0x45 and len(body) == 3 and body[2] in ECC_NAMES:
            self._qr["ecc"] = ECC_NAMES[body[2]]
            return self._cmd(ops, "qr_ecc", raw, ecc=self._qr["ecc"])
        if fn == 0x50 and len(body) >= 4 and body[2] == 0x30:
            self._qr["data"] = body[3:]
            return self._cmd(ops, "qr_store", raw, length=len(body) - 3)
        if fn == 0x51 and len(body) == 3 and body[2] == 0x30:
            if self._qr["data"] is None:
                return self._cmd(ops, "unknown", raw, reason="QR print without data")
            return self._cmd(ops, "qr", raw, data=self._qr["data"], module=self._qr["module"],
                             ecc=self._qr["ecc"])
        return self._cmd(ops, "unknown", raw, reason="GS ( k function")

    def _raster(self, buf: bytearray, pos: int, ops: list[Op]) -> int:
        if pos + 7 >= len(buf):
            return 0
        if buf[pos + 2] not in (0x30, 0x00):
            return self._cmd(ops, "unknown", buf[pos:pos + 3], reason="GS v")
        mode = buf[pos + 3]
        xb = buf[pos + 4] | (buf[pos + 5] << 8)
        rows = buf[pos + 6] | (buf[pos + 7] << 8)
        if not (1 <= xb <= _RASTER_MAX_WIDTH and 1 <= rows <= _RASTER_MAX_ROWS and mode <= 3):
            return self._cmd(ops, "unknown", buf[pos:pos + 8], reason="raster size out of range")
        end = pos + 8 + xb * rows
        if end > len(buf):
            return 0
        return self._cmd(ops, "raster", buf[pos:end], width_bytes=xb, rows=rows,
                         data=bytes(buf[pos + 8:end]), mode=mode)

    def _fs(self, buf: bytearray, pos: int, ops: list[Op]) -> int:
        if pos + 1 >= len(buf):
            return 0
        c = buf[pos + 1]
        if c not in _FS_FIXED:
            return self._cmd(ops, "unknown", buf[pos:pos + 2], reason="FS")
        n = _FS_FIXED[c]
        if pos + 2 + n > len(buf):
            return 0
        raw = buf[pos:pos + 2 + n]
        if c in (0x26, 0x2E):
            used = self._cmd(ops, "chinese", raw, on=c == 0x26)
            self.chinese = c == 0x26
            return used
        return self._cmd(ops, "ignored", raw)

    def _dle(self, buf: bytearray, pos: int, ops: list[Op]) -> int:
        if pos + 2 >= len(buf):
            return 0
        c, n = buf[pos + 1], buf[pos + 2]
        if c == 0x04 and 1 <= n <= 4:
            return self._cmd(ops, "status_query", buf[pos:pos + 3], n=n)
        if c == 0x05 and 1 <= n <= 2:
            return self._cmd(ops, "recover", buf[pos:pos + 3], n=n)
        return self._cmd(ops, "unknown", buf[pos:pos + 2], reason="DLE")


class RealtimeScanner:
    """Finds DLE EOT n / DLE ENQ n anywhere in the raw stream, as a printer's receive interrupt does.

    Real printers react to these even inside raster data (the spec warns of stray status bytes), so this
    deliberately does not frame other commands.
    """

    def __init__(self) -> None:
        self._tail = b""

    def feed(self, data: bytes) -> list[tuple[int, int, int]]:
        """Return (kind, n, end offset in ``data``) for each command completed by ``data``."""
        joined = self._tail + data
        found = []
        i = 0
        while i + 2 < len(joined) + 0:
            if joined[i] == 0x10 and joined[i + 1] in (0x04, 0x05):
                found.append((joined[i + 1], joined[i + 2], i + 3 - len(self._tail)))
                i += 3
                continue
            i += 1
        # keep up to two trailing bytes that could start a command
        if len(joined) >= 2 and joined[-2] == 0x10 and joined[-1] in (0x04, 0x05) and i <= len(joined) - 2:
            self._tail = joined[-2:]
        elif joined[-1:] == b"\x10" and i <= len(joined) - 1:
            self._tail = joined[-1:]
        else:
            self._tail = b""
        return found
