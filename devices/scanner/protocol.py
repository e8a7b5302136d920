"""QR/barcode scanner byte protocol — pure framing, decoding and de-duplication; no I/O, no clock.

A serial 2D scanner in auto-sense mode sends each decoded payload followed by a suffix (CR, CRLF, TAB) or
nothing, in which case a silence of at least ``gap_s`` ends the scan. :class:`ScanDecoder` turns the bytes
as they arrive, cut anywhere, into :class:`Scan` objects and rejects noise; time is passed in by the caller
(``now``, monotonic seconds) so tests and the hypothesis properties drive it without a clock.

What counts as noise (counted in ``ScanDecoder.noise``, never reported as a scan):

* a control byte (0x00–0x1F, 0x7F) that is not the suffix, or 0xFF (valid in neither encoding); the GS
  separator (0x1D) of GS1 codes is allowed. Line noise on RS-232 is mostly NUL/0xFF/stray controls, so
  such a byte also restarts the frame: a real scan right after a noise burst is still read;
* a payload that is neither valid UTF-8 nor valid GB18030 (or not valid in the profile's one encoding),
  or that decodes to unassigned, private-use or surrogate code points;
* a payload longer than ``max_len`` bytes (the largest QR holds 2,953 bytes): dropped, and everything up
  to the next suffix is dropped with it, so the decoder resynchronises instead of growing;
* with a suffix: a partial frame followed by ``stale_s`` of silence (a cable pulled mid-scan, a scanner
  configured without the suffix the profile expects);
* an empty frame (a bare suffix).

``auto`` suffix mode (the default profile) ends a frame at CR, LF or TAB, and also at a ``gap_s`` silence
until a terminator has been seen on this connection — after that the scanner is known to send a suffix
and silence no longer ends a scan (so a payload written in slow pieces stays one scan).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

SUFFIXES = {"CR": b"\r", "CRLF": b"\r\n", "TAB": b"\t", "none": b"", "auto": b""}
ENCODINGS = ("auto", "utf-8", "gb18030")
GS = 0x1D
DEFAULT_MAX_LEN = 4096
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
#: bytes above 0x1F that restart a frame: DEL, and 0xFF (valid in neither UTF-8 nor GB18030)
_RESTART = b"\x7f\xff"


@dataclass(frozen=True)
class Scan:
    """One decoded scan. ``text`` may be a credential (随申码) or a pick-up code: never log it."""

    text: str = field(repr=False)
    raw: bytes = field(repr=False)
    encoding: str

    @property
    def raw_hex(self) -> str:
        return self.raw.hex()

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "raw_hex": self.raw_hex, "encoding": self.encoding}


def decode_payload(raw: bytes, encoding: str = "auto") -> tuple[str, str] | None:
    """``(text, encoding)`` for a clean payload, or None when it is noise (see the module docstring).

    ``auto`` takes valid UTF-8 first, else GB18030 — except when the UTF-8 reading holds characters a code
    shown at a Shanghai kiosk does not carry (e.g. 证 in GBK, D6 A4, is also UTF-8 for a Hebrew accent)
    while the GB18030 reading is all ASCII/CJK: short GBK payloads are often valid UTF-8 by accident.
    """
    if not raw or any((b < 0x20 and b != GS) or b in _RESTART for b in raw):
        return None
    readings = []
    for name in (("utf-8", "gb18030") if encoding == "auto" else (encoding,)):
        try:
            text = raw.decode(name)
        except UnicodeDecodeError:
            continue
        if all(ch == "\x1d" or unicodedata.category(ch) not in _BAD_CATEGORIES for ch in text):
            readings.append((text, name))
    if len(readings) == 2 and not _plausible(readings[0][0]) and _plausible(readings[1][0]):
        return readings[1]
    return readings[0] if readings else None


def _plausible(text: str) -> bool:
    """ASCII, the middle dot of names, general punctuation and CJK (with its punctuation and full-width forms).

    Latin-1 letters are left out on purpose: GBK 隆 (C2 A1) is UTF-8 ¡, and a code at this kiosk is far
    more likely Chinese than accented Latin.
    """
    return all(ord(ch) < 0x80 or ch == "\u00b7" or 0x2000 <= ord(ch) <= 0x206F or 0x3000 <= ord(ch) <= 0x303F
               or 0x3400 <= ord(ch) <= 0x9FFF or 0xF900 <= ord(ch) <= 0xFAFF or 0xFF00 <= ord(ch) <= 0xFFEF
               or 0x20000 <= ord(ch) <= 0x3FFFF for ch in text)


def encode_payload(text: str, encoding: str = "utf-8") -> bytes:
    """The bytes a scanner set to ``encoding`` sends for ``text`` (simulator and tests)."""
    return text.encode(encoding)


class ScanDecoder:
    """Bytes in (any chunking), scans out. ``feed`` never ends a frame on time; ``poll`` does.

    The driver calls ``feed`` with what it read and ``poll`` only after a read returned nothing, so a
    worker that was descheduled never mistakes its own delay for the scanner's gap.
    """

    def __init__(self, suffix: str = "auto", *, encoding: str = "auto", gap_s: float = 0.05,
                 stale_s: float = 1.0, max_len: int = DEFAULT_MAX_LEN) -> None:
        if suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)}, not {suffix!r}")
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
        if gap_s < 0.05:
            raise ValueError("gap_s must be at least 0.05 s (scanners leave >= 50 ms between scans)")
        self.suffix, self.encoding, self.gap_s, self.stale_s, self.max_len = suffix, encoding, gap_s, stale_s, max_len
        self._ends = {"CR": b"\r", "CRLF": b"\r\n", "TAB": b"\t", "auto": b"\r\n\t", "none": b""}[suffix]
        self.noise = 0
        self.reset()

    def reset(self) -> None:
        """Forget a partial frame (a new connection); the noise count is kept."""
        self._buf = bytearray()
        self._overflow = False
        self._last = 0.0
        self._prev = -1
        self._seen_suffix = False

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes, now: float) -> list[Scan]:
        scans: list[Scan] = []
        for b in data:
            if b in self._ends:
                if not (b == 0x0A and self._prev == 0x0D):  # the LF of a CRLF ends nothing new
                    self._seen_suffix = True
                    self._end(scans)
            elif (b < 0x20 and b != GS) or b in _RESTART:
                self._drop()  # line noise: restart the frame after it
            elif self._overflow:
                pass
            elif len(self._buf) >= self.max_len:
                self._buf.clear()  # counted once, when the over-long frame ends
                self._overflow = True
            else:
                self._buf.append(b)
            self._prev = b
        if data:
            self._last = now
        return scans

    def poll(self, now: float) -> list[Scan]:
        """Call when the line has been quiet: ends a suffix-less frame after ``gap_s``, drops stale partials."""
        if not self._buf and not self._overflow:
            return []
        quiet = now - self._last
        gap_ends = self.suffix == "none" or (self.suffix == "auto" and not self._seen_suffix)
        scans: list[Scan] = []
        if gap_ends and quiet >= self.gap_s:
            self._end(scans)
        elif quiet >= max(self.stale_s, self.gap_s):
            self._drop()
        return scans

    # ----- internals ---------------------------------------------------------------------------------
    def _end(self, scans: list[Scan]) -> None:
        raw, overflow = bytes(self._buf), self._overflow
        self._buf.clear()
        self._overflow = False
        decoded = None if overflow else decode_payload(raw, self.encoding)
        if decoded is None:
            self.noise += 1  # over-long, undecodable, or a bare suffix
            return
        scans.append(Scan(decoded[0], raw, decoded[1]))

    def _drop(self) -> None:
        if self._buf or self._overflow:
            self.noise += 1
        self._buf.clear()
        self._overflow = False


class Deduper:
    """The same payload again within ``window_s`` of its last sighting is the same scan.

    A code held in front of a scanner in continuous mode is re-read every few hundred ms; each sighting
    extends the window, so it is reported once however long it is held. Different payloads pass at once.
    """

    def __init__(self, window_s: float = 2.0) -> None:
        self.window_s = window_s
        self._seen: dict[bytes, float] = {}
        self.duplicates = 0

    def accept(self, raw: bytes, now: float) -> bool:
        self.prune(now)
        fresh = raw not in self._seen
        self._seen[raw] = now
        if not fresh:
            self.duplicates += 1
        return fresh

    def prune(self, now: float) -> None:
        """Forget payloads last seen ``window_s`` ago (a scanned credential is not kept longer than needed)."""
        if self._seen:
            self._seen = {k: t for k, t in self._seen.items() if now - t < self.window_s}

    def clear(self) -> None:
        self._seen.clear()

    def __len__(self) -> int:
        """Payloads remembered now."""
        return len(self._seen)
