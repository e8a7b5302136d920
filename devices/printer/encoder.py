"""Document → ESC/POS bytes for one printer profile. Pure: no I/O, no clock.

Chinese is always sent in Chinese mode as GB18030 (``1B 74 00 1C 26`` once after init), so full-width
punctuation, ￥ and 〇 never become ``?`` and no single-byte code page is ever mixed in. A line holding a
character the model's font lacks (4-byte GB18030, e.g. CJK Ext-B in names) is drawn as a raster band.
"""
from __future__ import annotations

import logging

from PIL import Image as PILImage

from devices.printer import protocol as P
from devices.printer.document import (Block, Cut, Document, Feed, Image, KeyValue, QR, Separator, Table,
                                      Text, clean_text, pad_to, text_width, wrap)
from devices.printer.profiles import Profile, get_profile

log = logging.getLogger(__name__)


def _has_four_byte(text: str, encoded: bytes) -> bool:
    # GB18030 is 1 byte per ASCII and 2 per other character, unless some character took 4
    return len(encoded) != 2 * len(text) - len(text.encode("ascii", "ignore"))


def needs_raster(text: str, profile: Profile) -> bool:
    """True when the model's resident font cannot print some character of ``text``."""
    if profile.font_4byte or text.isascii():
        return False
    return _has_four_byte(text, text.encode("gb18030"))


class Encoder:
    """Stateful over one job so mode bytes are only sent when they change."""

    def __init__(self, profile: Profile | str = "generic-80mm") -> None:
        self.profile = get_profile(profile)
        self.out = bytearray()
        self._size = (1, 1)
        self._bold = False
        self._align = "left"
        #: offsets where the stream may be split (between commands/lines): the driver inserts real-time
        #: status queries only there, never inside a multibyte character or a command's parameters
        self.marks: list[int] = []

    def _mark(self) -> None:
        self.marks.append(len(self.out))

    # ----- mode tracking -------------------------------------------------------------------------------
    def _set(self, size: tuple[int, int] = (1, 1), bold: bool = False, align: str = "left") -> None:
        if size != self._size:
            self.out += P.size(*size)
            self._size = size
        if bold != self._bold:
            self.out += P.bold(bold)
            self._bold = bold
        if align != self._align:
            self.out += P.align(align)
            self._align = align

    def columns(self, width: int = 1) -> int:
        return self.profile.columns // width

    # ----- blocks ----------------------------------------------------------------------------------------
    def begin(self) -> None:
        self.out += P.INIT + P.DISABLE_FEED_BUTTON + P.NEAR_END_NO_STOP + P.CHINESE_PREAMBLE
        self._size, self._bold, self._align = (1, 1), False, "left"

    def line(self, text: str, size: tuple[int, int] = (1, 1), bold: bool = False, align: str = "left") -> None:
        """One already-wrapped line."""
        encoded = text.encode("gb18030")
        if not self.profile.font_4byte and _has_four_byte(text, encoded):
            self._raster_line(text, size, bold, align)
            return
        self._set(size, bold, align)
        self.out += encoded + P.LF
        self._mark()

    def _raster_line(self, text: str, size: tuple[int, int], bold: bool, align: str) -> None:
        from devices.printer.render import missing_glyphs, text_line_image
        img = text_line_image(text, width=size[0], height=size[1], bold=bold, align=align,
                              dots=self.profile.dots)
        missing = missing_glyphs(text)
        if missing:
            # never log the text itself: it is usually a name
            log.warning("raster line: CJK font lacks %d character(s); drawn as boxes", missing)
        self._set((1, 1), False, "left")
        self._raster(img)
        # a raster band has no line spacing of its own; keep the text grid
        self.out += bytes((0x1B, 0x4A, 6))

    def text(self, block: Text) -> None:
        for part in wrap(block.text, self.columns(block.size[0])):
            self.line(part, block.size, block.bold, block.align)

    def key_value(self, block: KeyValue) -> None:
        cols = self.columns()
        key, value = clean_text(block.key), clean_text(block.value)
        gap = cols - text_width(key) - text_width(value)
        if gap >= 1:
            self.line(key + " " * gap + value, bold=block.bold)
            return
        self.line(key, bold=block.bold)
        for part in wrap(value, cols - 2):
            self.line(pad_to(part, cols, "right"), bold=block.bold)

    def table(self, block: Table) -> None:
        for i, row in enumerate((block.header, *block.rows)):
            row = [clean_text(str(c)) for c in row]
            fits = [text_width(c) <= w - 1 for c, w in zip(row, block.widths)]
            if all(fits):  # the common case: one printed line per row
                self.line("".join(c + " " * (w - text_width(c)) for c, w in zip(row, block.widths)).rstrip(),
                          bold=(i == 0))
                if i == 0:
                    self.line("-" * min(self.columns(), sum(block.widths)))
                continue
            cells = [wrap(c, w - 1) or [""] for c, w in zip(row, block.widths)]
            for k in range(max(len(c) for c in cells)):
                parts = [pad_to(c[k] if k < len(c) else "", w) for c, w in zip(cells, block.widths)]
                self.line("".join(parts).rstrip(), bold=(i == 0))
            if i == 0:
                self.line("-" * min(self.columns(), sum(block.widths)))

    def qr(self, block: QR) -> None:
        self._set(align=block.align)
        data = block.data.encode("utf-8")
        if self.profile.native_qr:
            self.out += P.qr(data, block.module, block.ecc)
            self._mark()
            return
        import qrcode
        code = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{block.ecc}"),
                             box_size=block.module, border=0)
        code.add_data(data)
        code.make(fit=True)
        self._raster(code.make_image().get_image().convert("L"), block.align)

    def image(self, block: Image) -> None:
        self._raster(block.image, block.align, block.max_width)

    def _raster(self, img: PILImage.Image, align: str = "left", max_width: int | None = None) -> None:
        """GS v 0 in bands of ``profile.band_height`` rows. Input: any PIL image (dark = ink) or mode "1"
        with 255 = ink (our own text lines)."""
        self._set(align=align)
        limit = min(self.profile.dots, max_width or self.profile.dots)
        if img.mode == "1":
            ink = img
        else:
            gray = img.convert("L")
            if gray.width > limit:
                gray = gray.resize((limit, max(1, round(gray.height * limit / gray.width))),
                                   PILImage.Resampling.LANCZOS)
            ink = gray.point(lambda v: 255 - v).convert("1")  # Floyd–Steinberg dither, ink = 1
        if ink.width > limit:
            ink = ink.crop((0, 0, limit, ink.height))
        width_bytes = (ink.width + 7) // 8
        padded = PILImage.new("1", (width_bytes * 8, ink.height), 0)
        padded.paste(ink, (0, 0))
        data = padded.tobytes()
        band = self.profile.band_height
        for top in range(0, padded.height, band):
            rows = min(band, padded.height - top)
            self.out += P.raster(width_bytes, rows, data[top * width_bytes:(top + rows) * width_bytes])
            self._mark()

    def cut(self) -> None:
        self._set()
        if self.profile.feed_before_cut:
            self.out += P.feed_lines(self.profile.feed_before_cut)
        self.out += self.profile.cut + self.profile.presenter
        self._mark()

    def block(self, block: Block) -> None:
        if isinstance(block, Text):
            self.text(block)
        elif isinstance(block, Separator):
            self.line((block.char or "-")[0] * (self.columns() // max(1, text_width(block.char[:1] or "-"))))
        elif isinstance(block, KeyValue):
            self.key_value(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, QR):
            self.qr(block)
        elif isinstance(block, Image):
            self.image(block)
        elif isinstance(block, Feed):
            self._set(align=self._align)
            self.out += P.feed_lines(block.lines)
            self._mark()
        elif isinstance(block, Cut):
            self.cut()
        else:
            raise TypeError(f"not a document block: {type(block).__name__}")


def encode_segments(document: Document, profile: Profile | str = "generic-80mm",
                    min_size: int = 256) -> list[bytes]:
    """The job split at command boundaries into pieces of at least ``min_size`` bytes (the last may be
    shorter); ``b"".join()`` of the result is :func:`encode`."""
    enc = Encoder(profile)
    enc.begin()
    enc._mark()
    for block in document.blocks:
        enc.block(block)
    if not document.blocks or not isinstance(document.blocks[-1], Cut):
        enc.cut()
    out = bytes(enc.out)
    pieces, start = [], 0
    for mark in enc.marks:
        if mark - start >= min_size:
            pieces.append(out[start:mark])
            start = mark
    if start < len(out):
        pieces.append(out[start:])
    return pieces


def encode(document: Document, profile: Profile | str = "generic-80mm") -> bytes:
    """The complete job: init, Chinese mode, the blocks, and a cut if the document does not end with one."""
    return b"".join(encode_segments(document, profile))
