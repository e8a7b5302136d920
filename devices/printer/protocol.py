"""ESC/POS command bytes and real-time status decoding — pure functions, no I/O, no clock.

Every builder here has a golden-byte test (tests/unit/test_printer_protocol.py) against
``shared/specs/escpos-printer.md``. Hand-written because python-escpos (the only maintained library)
guesses code pages for Chinese and prints （）：￥〇 as ``?`` — see the spec's last section.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import overload

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10

INIT = b"\x1b\x40"
CHINESE_ON = b"\x1c\x26"
CHINESE_OFF = b"\x1c\x2e"
CODEPAGE_0 = b"\x1b\x74\x00"
# the spec's order: single-byte table 0, then Chinese mode, before any Chinese text
CHINESE_PREAMBLE = CODEPAGE_0 + CHINESE_ON
DISABLE_FEED_BUTTON = b"\x1b\x63\x35\x01"
NEAR_END_NO_STOP = b"\x1b\x63\x34\x00"
ASB_OFF = b"\x1d\x61\x00"
LF = b"\x0a"
CUT_PARTIAL_FEED = b"\x1d\x56\x42\x00"
RECOVER_CLEAR = b"\x10\x05\x02"

_ALIGN = {"left": 0, "center": 1, "right": 2}
_ECC = {"L": 0x30, "M": 0x31, "Q": 0x32, "H": 0x33}
ECC_NAMES = {v: k for k, v in _ECC.items()}


def _byte(n: int, lo: int = 0, hi: int = 255, what: str = "value") -> int:
    if not lo <= n <= hi:
        raise ValueError(f"{what} must be {lo}..{hi}, not {n}")
    return n


def size(width: int = 1, height: int = 1) -> bytes:
    """GS ! n — bits 4–7 width−1, bits 0–3 height−1 (grows Chinese too, unlike ESC !)."""
    _byte(width, 1, 8, "width")
    _byte(height, 1, 8, "height")
    return bytes((GS, 0x21, ((width - 1) << 4) | (height - 1)))


def bold(on: bool) -> bytes:
    return bytes((ESC, 0x45, 1 if on else 0))


def align(where: str) -> bytes:
    return bytes((ESC, 0x61, _ALIGN[where]))


def feed_lines(n: int) -> bytes:
    return bytes((ESC, 0x64, _byte(n, 0, 255, "feed lines")))


def feed_dots(n: int) -> bytes:
    """ESC J n — feed ``n`` dots of blank paper (a QR code's quiet zone, a raster band's line gap)."""
    return bytes((ESC, 0x4A, _byte(n, 0, 255, "feed dots")))


def qr_model2() -> bytes:
    return b"\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"


def qr_module_size(n: int) -> bytes:
    return b"\x1d\x28\x6b\x03\x00\x31\x43" + bytes((_byte(n, 1, 16, "QR module size"),))


def qr_ecc(level: str) -> bytes:
    return b"\x1d\x28\x6b\x03\x00\x31\x45" + bytes((_ECC[level],))


def qr_store(data: bytes) -> bytes:
    n = len(data) + 3
    if not 4 <= n <= 7092:
        raise ValueError(f"QR data must be 1..7089 bytes, not {len(data)}")
    return b"\x1d\x28\x6b" + bytes((n & 0xFF, n >> 8)) + b"\x31\x50\x30" + data


def qr_print() -> bytes:
    return b"\x1d\x28\x6b\x03\x00\x31\x51\x30"


def qr(data: bytes, module: int = 6, ecc: str = "M") -> bytes:
    return qr_model2() + qr_module_size(module) + qr_ecc(ecc) + qr_store(data) + qr_print()


def raster(width_bytes: int, rows: int, data: bytes, mode: int = 0) -> bytes:
    """GS v 0 m xL xH yL yH d… — ``width_bytes`` bytes per row, MSB = leftmost dot, 1 = black."""
    if len(data) != width_bytes * rows:
        raise ValueError(f"raster data is {len(data)} bytes, expected {width_bytes}x{rows}")
    _byte(width_bytes, 1, 65535, "raster width")
    _byte(rows, 1, 65535, "raster rows")
    return bytes((GS, 0x76, 0x30, mode, width_bytes & 0xFF, width_bytes >> 8, rows & 0xFF, rows >> 8)) + data


def dle_eot(n: int) -> bytes:
    return bytes((DLE, 0x04, _byte(n, 1, 4, "DLE EOT n")))


# ----- real-time status ---------------------------------------------------------------------------

def valid_status_byte(b: int) -> bool:
    """A DLE EOT reply is shaped 0xx1xx10: bits 1 and 4 set, bits 0 and 7 clear."""
    return (b & 0x93) == 0x12


class _StatusBit:
    """One fault bit of the reply to DLE EOT ``n`` (1–4), read as a ``PrinterState`` attribute: ``True`` or
    ``False``, or ``None`` when that query got no valid reply."""

    def __init__(self, *, n: int, mask: int) -> None:
        self.index, self.mask = n - 1, mask

    @overload
    def __get__(self, state: None, owner: type | None = None) -> _StatusBit: ...

    @overload
    def __get__(self, state: PrinterState, owner: type | None = None) -> bool | None: ...

    def __get__(self, state: PrinterState | None, owner: type | None = None) -> _StatusBit | bool | None:
        if state is None:
            return self
        b = state.raw[self.index]
        return None if b is None else bool(b & self.mask)


@dataclass(frozen=True)
class PrinterState:
    """Decoded DLE EOT 1–4. A ``None`` byte means that query got no valid reply (state unknown)."""

    raw: tuple[int | None, int | None, int | None, int | None]
    #: the profile says the model has a near-end sensor. Informational only: a printer that sets the
    #: near-end bits has the sensor whatever the profile says, so "low" is believed under every profile
    near_end_sensor: bool = True

    @property
    def answered(self) -> bool:
        return self.raw[0] is not None

    @property
    def complete(self) -> bool:
        return all(b is not None for b in self.raw)

    offline = _StatusBit(n=1, mask=0x08)
    cover_open = _StatusBit(n=2, mask=0x04)
    paper_end_stop = _StatusBit(n=2, mask=0x20)
    error = _StatusBit(n=2, mask=0x40)
    cutter_error = _StatusBit(n=3, mask=0x08)
    unrecoverable = _StatusBit(n=3, mask=0x20)
    head_error = _StatusBit(n=3, mask=0x40)

    @property
    def paper(self) -> str:
        """``full | low | out | unknown`` (XFS4IoT paper vocabulary). "full" only when every query answered:
        a bad reading may say the paper is out or low, but never that it is fine."""
        n2, n4 = self.raw[1], self.raw[3]
        if (n4 is not None and n4 & 0x60) or (n2 is not None and n2 & 0x20):
            return "out"
        if n4 is not None and n4 & 0x0C:  # set only by a printer that has the sensor: believe it
            return "low"
        return "full" if self.complete else "unknown"

    @property
    def ready(self) -> bool:
        """Ready to print only when every query answered and nothing stops printing."""
        if not self.complete:
            return False
        return not (self.offline or self.cover_open or self.paper_end_stop or self.error
                    or self.cutter_error or self.unrecoverable or self.head_error or self.paper == "out")

    def fault(self) -> tuple[str, str, str] | None:
        """(code, zh, en) of the most specific reason the printer cannot print, or None when ready."""
        if not self.answered:
            return ("no_answer", "打印机无响应", "Printer does not answer")
        if self.paper == "out":
            return ("paper_out", "打印纸用完", "Paper out")
        if self.cover_open:
            return ("cover_open", "打印机盖未合上", "Printer cover open")
        if self.cutter_error:
            return ("cutter_error", "切刀卡纸", "Cutter jammed")
        if self.unrecoverable:
            return ("hardware_error", "打印机硬件故障", "Printer hardware fault")
        if self.head_error:
            return ("head_error", "打印头过热或抬起", "Print head hot or lifted")
        if self.error:
            return ("error", "打印机故障", "Printer error")
        if not self.complete:
            return ("no_answer", "打印机状态读取不完整", "Printer status incomplete")
        if self.offline:
            return ("offline", "打印机离线", "Printer offline")
        return None

    def as_dict(self) -> dict:
        """The CLI's JSON shape: paper ``ok|low|out|unknown``."""
        paper = self.paper
        return {"online": None if self.offline is None else not self.offline,
                "paper": "ok" if paper == "full" else paper,
                "cover_open": self.cover_open, "cutter_error": self.cutter_error,
                "ready": self.ready, "raw": list(self.raw)}


UNKNOWN_STATE = PrinterState((None, None, None, None))
