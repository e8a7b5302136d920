"""Document → ESC/POS bytes for one printer profile. Pure: no I/O, no clock.

Chinese is always sent in Chinese mode as GB18030 (``1B 74 00 1C 26`` once after init), so full-width
punctuation, ￥ and 〇 never become ``?`` and no single-byte code page is ever mixed in. A line holding a
character the model's font lacks (4-byte GB18030, e.g. CJK Ext-B in names) is drawn as a raster band.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from operator import call, methodcaller
from typing import Any, Callable, Sequence

from PIL import Image as PILImage

from devices.printer import protocol as P
from devices.printer.bitmap import constant_raster, packed
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


# mode bytes built once (every receipt switches bold, alignment and size a few dozen times)
_SIZE = {(w, h): P.size(w, h) for w in (1, 2, 3, 4) for h in (1, 2, 3, 4)}
_BOLD = {on: P.bold(on) for on in (False, True)}
_ALIGN = {where: P.align(where) for where in ("left", "center", "right")}

@lru_cache(maxsize=256)  # a receipt uses a handful of the possible style changes
def _mode_text(have: tuple[tuple[int, int], bool, str], want: tuple[tuple[int, int], bool, str]) -> str:
    """The mode bytes from style ``have`` to ``want`` (size, bold, align), as ASCII text."""
    out = b""
    if want[0] != have[0]:
        out += _SIZE[want[0]] if want[0] in _SIZE else P.size(*want[0])
    if want[1] != have[1]:
        out += _BOLD[bool(want[1])]
    if want[2] != have[2]:
        out += _ALIGN[want[2]]
    return out.decode("ascii")


QUIET_MODULES = 4  # ISO/IEC 18004 asks for 4 modules of blank paper around the symbol


@lru_cache(maxsize=1)
def _qr_bit_limits() -> tuple[dict[str, list[int]], dict[str, int]]:
    from qrcode import constants, util  # the capacity table: imported on the first QR only
    levels = {name: getattr(constants, f"ERROR_CORRECT_{name}") for name in "LMQH"}
    return {name: util.BIT_LIMIT_TABLE[level] for name, level in levels.items()}, levels


def qr_modules(data_len: int, ecc: str) -> int:
    """Modules per side of the QR symbol for ``data_len`` bytes in byte mode (the largest a printer picks:
    it may choose a denser mode and a smaller symbol, never a larger one)."""
    limits, _ = _qr_bit_limits()
    table = limits[ecc]
    for version in range(1, 41):
        bits = 4 + (8 if version < 10 else 16) + 8 * data_len
        if bits <= table[version]:
            return 17 + 4 * version
    raise ValueError(f"QR data of {data_len} bytes does not fit any QR version at ECC {ecc}")


def qr_module_for(data_len: int, ecc: str, wanted: int, dots: int) -> int:
    """``wanted`` dots per module, or fewer when the symbol plus its quiet zone would not fit the paper."""
    side = qr_modules(data_len, ecc) + 2 * QUIET_MODULES
    return max(1, min(wanted, dots // side))


def _table_lines(rows: Sequence[Sequence[Any]], widths: Sequence[int]) -> list[str]:
    """The printed lines of ``rows``, padded column by column without a Python loop per cell: an ASCII
    column (dates, amounts) is padded by ``str.ljust``; any other column measures and pads each distinct
    value once (a record repeats its statuses down a column) and looks the cells up."""
    if len(rows) == 1 or len(set(map(len, rows))) != 1:  # a header, or ragged rows: each row on its own
        return [line for row in rows for line in _row_lines(row, widths)]
    columns = list(zip(*rows))
    if set().union(*(map(type, column) for column in columns)) != {str}:
        rows = [tuple(map(str, row)) for row in rows]
        columns = list(zip(*rows))
    pads: list[Callable[[str], str]] = []
    for width, column in zip(widths, columns):
        joined = "".join(column)
        if joined.isascii() and joined.isprintable() and max(map(len, column)) < width:
            pads.append(methodcaller("ljust", width))
            continue
        fits = {}
        for value in set(column):
            cell = value if value.isprintable() else clean_text(value)
            used = text_width(cell)
            if used < width:
                fits[value] = cell + " " * (width - used)
        pads.append(fits.__getitem__)
    lines: list[str] = []
    for row in rows:
        try:
            lines.append("".join(map(call, pads, row)).rstrip())
        except KeyError:  # some cell is wider than its column
            lines += _wrapped_row(row, widths)
    return lines


def _row_lines(row: Sequence[Any], widths: Sequence[int]) -> list[str]:
    """One row: a single line when every cell fits its column, else the cells wrapped inside them."""
    cells = []
    for value, width in zip(row, widths):
        cell = value if type(value) is str and value.isprintable() else clean_text(str(value))
        used = len(cell) if cell.isascii() else text_width(cell)
        if used >= width:
            return _wrapped_row(row, widths)
        cells.append(cell + " " * (width - used))
    return ["".join(cells).rstrip()]


def _wrapped_row(row: Sequence[Any], widths: Sequence[int]) -> list[str]:
    parts = [wrap(str(c), w - 1) or [""] for c, w in zip(row, widths)]
    return ["".join([pad_to(p[k] if k < len(p) else "", w) for p, w in zip(parts, widths)]).rstrip()
            for k in range(max(len(p) for p in parts))]


class Encoder:
    """Stateful over one job so mode bytes are only sent when they change."""

    def __init__(self, profile: Profile | str = "generic-80mm") -> None:
        self.profile = get_profile(profile)
        self.out = bytearray()
        self._size = (1, 1)
        self._bold = False
        self._align = "left"
        self._cols = self.profile.columns
        self._check_4byte = not self.profile.font_4byte
        #: offsets where the stream may be split (between commands/lines): the driver inserts real-time
        #: status queries only there, never inside a multibyte character or a command's parameters
        self.marks: list[int] = []
        #: (start, end) of text encoded together: every line feed inside is a split point as well
        self.text_spans: list[tuple[int, int]] = []
        #: lines not encoded yet, each with its (size, bold, align); see :meth:`_flush`
        self._pending: list[tuple[str, tuple[tuple[int, int], bool, str]]] = []
        self._handlers: dict[type, Callable[[Any], None]] = {
            Text: self.text, Separator: self.separator, KeyValue: self.key_value, Table: self.table,
            QR: self.qr, Image: self.image, Feed: self.feed, Cut: lambda _block: self.cut()}

    def _mark(self) -> None:
        self._flush()
        self.marks.append(len(self.out))

    # ----- mode tracking -------------------------------------------------------------------------------
    def _set(self, size: tuple[int, int] = (1, 1), bold: bool = False, align: str = "left") -> None:
        self._flush()  # the queued lines come first and leave their own mode behind
        if size != self._size:
            self.out += _SIZE[size] if size in _SIZE else P.size(*size)
            self._size = size
        if bold != self._bold:
            self.out += _BOLD[bool(bold)]
            self._bold = bold
        if align != self._align:
            self.out += _ALIGN[align]
            self._align = align

    def columns(self, width: int = 1) -> int:
        return self._cols // width

    # ----- blocks ----------------------------------------------------------------------------------------
    def begin(self) -> None:
        self.out += P.INIT + P.DISABLE_FEED_BUTTON + P.NEAR_END_NO_STOP + P.CHINESE_PREAMBLE
        self._size, self._bold, self._align = (1, 1), False, "left"

    def lines(self, texts: Sequence[str], size: tuple[int, int] = (1, 1), bold: bool = False,
              align: str = "left") -> None:
        """Already-wrapped lines in one style (this is the hot path of every receipt): queued, and encoded
        together with the lines around them when a command that is not text comes (:meth:`_flush`)."""
        style = (size, bold, align)
        self._pending += [(text, style) for text in texts]

    def _single(self, text: str, size: tuple[int, int], bold: bool, align: str) -> None:
        """One line (printable, wrapped already): queued like :meth:`lines`."""
        self._pending.append((text, (size, bold, align)))

    def _flush(self) -> None:
        """Encode the queued lines with their mode bytes in one ``str.encode`` (a GB18030 call costs about
        as much as a short line's other work). Mode bytes are ASCII and neither they nor GB18030 trail
        bytes contain 0x0A, so every line feed of the span is a split point (:func:`encode_segments`). If
        a line needs the raster fallback, the lines are encoded one by one instead (the same bytes)."""
        pending = self._pending
        if not pending:
            return
        self._pending = []
        parts: list[str] = []
        style = (self._size, self._bold, self._align)
        for text, wanted in pending:
            if wanted != style:
                parts.append(_mode_text(style, wanted))
                style = wanted
            parts.append(text)
            parts.append("\n")
        body = "".join(parts)
        if body.isascii():
            encoded = body.encode("ascii")
        else:
            encoded = body.encode("gb18030")
            if self._check_4byte and _has_four_byte(body, encoded):
                for text, (size, bold, align) in pending:
                    self._line_now(text, size, bold, align)
                return
        self._size, self._bold, self._align = style
        out = self.out
        start = len(out)
        out += encoded
        self.text_spans.append((start, len(out)))

    def _line_now(self, text: str, size: tuple[int, int], bold: bool, align: str) -> None:
        """One line written at once: raster when the model's font lacks one of its characters."""
        encoded = text.encode("gb18030")
        if self._check_4byte and _has_four_byte(text, encoded):
            self._raster_line(text, size, bold, align)
        else:
            self._line_bytes(encoded, size, bold, align)

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
        self.out += P.feed_dots(6)

    def text(self, block: Text) -> None:
        text = block.text
        # the common case, a paragraph that fits one line: no wrapping machinery
        cols = self._cols // block.size[0]
        # (a non-ASCII character takes 2 columns: a text of at most cols / 2 characters fits unmeasured)
        if text.isprintable() and (2 * len(text) <= cols
                                   or (len(text) if text.isascii() else text_width(text)) <= cols):
            self._single(text, block.size, block.bold, block.align)
            return
        self.lines(wrap(text, cols), block.size, block.bold, block.align)

    def _line_bytes(self, encoded: bytes, size: tuple[int, int], bold: bool, align: str) -> None:
        """One line already encoded and known printable by the model's font."""
        if size != self._size or bold != self._bold or align != self._align:
            self._set(size, bold, align)
        out = self.out
        out += encoded
        out += b"\n"
        self.marks.append(len(out))

    def separator(self, block: Separator) -> None:
        char = (block.char or "-")[0]
        if char.isascii() and char.isprintable():
            self._single(char * self._cols, (1, 1), False, "left")
        else:
            self.lines((char * (self._cols // text_width(char)),))

    def key_value(self, block: KeyValue) -> None:
        """Key left, value right on one line; a key wider than the line wraps, and the value goes after
        its last line when it fits there, else on lines of its own: right-aligned when it fits one line,
        else indented by two columns (a ragged right edge reads badly)."""
        cols = self._cols
        key, value = clean_text(block.key), clean_text(block.value)
        key_w, value_w = text_width(key), text_width(value)
        if key_w + value_w < cols:
            self._single(key + " " * (cols - key_w - value_w) + value, (1, 1), block.bold, "left")
            return
        out = wrap(key, cols) if key_w > cols else [key]
        last_w = text_width(out[-1])
        if last_w + value_w < cols:
            out[-1] += " " * (cols - last_w - value_w) + value
        elif value:
            parts = wrap(value, cols - 2)
            out += [pad_to(parts[0], cols, "right")] if len(parts) == 1 else ["  " + part for part in parts]
        self.lines(out, bold=block.bold)

    def table(self, block: Table) -> None:
        """Header bold with a rule under it, then every row; a row whose cells fit prints as one line, a
        cell too wide for its column wraps inside it."""
        widths = block.widths
        self.lines(_table_lines((block.header,), widths), bold=True)
        rule = "-" * min(self._cols, sum(widths))
        self.lines([rule, *_table_lines(block.rows, widths)] if block.rows else (rule,))

    def qr(self, block: QR) -> None:
        """Centred, with blank paper of ``QUIET_MODULES`` modules fed above and below it."""
        data = block.data.encode("utf-8")
        module = qr_module_for(len(data), block.ecc, block.module, self.profile.dots)
        quiet = P.feed_dots(QUIET_MODULES * module)
        self._set(align="center")
        self.out += quiet
        self._mark()
        if self.profile.native_qr:
            self.out += P.qr(data, module, block.ecc)
            self._mark()
        else:
            import qrcode
            code = qrcode.QRCode(error_correction=_qr_bit_limits()[1][block.ecc], box_size=module, border=0)
            code.add_data(data)
            code.make(fit=True)
            self._raster(code.make_image().get_image().convert("L"), "center")
        self.out += quiet
        self._mark()

    def image(self, block: Image) -> None:
        self._raster(block.image, block.align, block.max_width, constant=block.constant)

    def feed(self, block: Feed) -> None:
        self._flush()  # the alignment the queued lines leave behind
        self._set(align=self._align)  # normal size: some models feed taller lines at 2× height
        self.out += P.feed_lines(block.lines)
        self._mark()

    def _raster(self, img: PILImage.Image, align: str = "left", max_width: int | None = None, *,
                constant: bool = False) -> None:
        """GS v 0 in bands of ``profile.band_height`` rows. Input: any PIL image (dark = ink) or mode "1"
        with 255 = ink (our own text lines). A ``constant`` picture is dithered and packed once."""
        self._set(align=align)
        limit = min(self.profile.dots, max_width or self.profile.dots)
        width_bytes, height, data = constant_raster(img, limit) if constant else packed(img, limit)
        band = self.profile.band_height
        for top in range(0, height, band):
            rows = min(band, height - top)
            self.out += P.raster(width_bytes, rows, data[top * width_bytes:(top + rows) * width_bytes])
            self._mark()

    def cut(self) -> None:
        self._set()
        if self.profile.feed_before_cut:
            self.out += P.feed_lines(self.profile.feed_before_cut)
        self.out += self.profile.cut + self.profile.presenter
        self._mark()

    def block(self, block: Block) -> None:
        """Encode one block (``encode`` looks the handler up itself, without this call per block)."""
        handler = self._handlers.get(type(block))
        if handler is None:
            raise TypeError(f"not a document block: {type(block).__name__}")
        handler(block)


def _encoded(document: Document, profile: Profile | str) -> Encoder:
    enc = Encoder(profile)
    enc.begin()
    enc._mark()
    blocks = document.blocks
    handlers = enc._handlers
    try:
        steps = [handlers[type(block)] for block in blocks]
    except KeyError as exc:
        raise TypeError(f"not a document block: {exc.args[0].__name__}") from None
    for step, block in zip(steps, blocks):
        step(block)
    if not blocks or not isinstance(blocks[-1], Cut):
        enc.cut()
    return enc


def encode_segments(document: Document, profile: Profile | str = "generic-80mm",
                    min_size: int = 256) -> list[bytes]:
    """The job split at command boundaries into pieces of at least ``min_size`` bytes (the last may be
    shorter); ``b"".join()`` of the result is :func:`encode`."""
    enc = _encoded(document, profile)
    out = bytes(enc.out)
    marks = list(enc.marks)
    for first, end in enc.text_spans:
        i = out.find(b"\n", first, end)
        while i >= 0:
            marks.append(i + 1)
            i = out.find(b"\n", i + 1, end)
    pieces, start = [], 0
    for mark in sorted(marks):
        if mark - start >= min_size:
            pieces.append(out[start:mark])
            start = mark
    if start < len(out):
        pieces.append(out[start:])
    return pieces


def encode(document: Document, profile: Profile | str = "generic-80mm") -> bytes:
    """The complete job: init, Chinese mode, the blocks, and a cut if the document does not end with one."""
    return bytes(_encoded(document, profile).out)
