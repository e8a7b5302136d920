"""Draw what a printer would print: parsed ESC/POS operations → a 576-dot-wide 1-bit image + a text dump.

Used by the simulator (every job it receives) and by receipt previews (encode → parse → draw), so a
preview is exactly what the printer gets. Also draws single text lines into raster bands for the encoder
when a model's font lacks a character. Font A geometry: 12×24 dots per half-width cell, 24×24 for CJK.
No library renders ESC/POS, hence this module.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from devices.printer.document import char_width
from devices.printer.parser import Op

log = logging.getLogger(__name__)

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
CELL_W, CELL_H = 12, 24
LINE_PITCH = 30  # dots per line at normal size: 24-dot characters + default spacing
DEFAULT_DOTS = 576


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    # face 1 is "WenQuanYi Micro Hei Mono": Latin glyphs fit the printer's 12-dot half cell
    return ImageFont.truetype(CJK_FONT, 22, index=1)


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Code points the CJK font has glyphs for (wqy lacks CJK Ext-B, e.g. 𠈌)."""
    from fontTools.ttLib import TTCollection
    collection = TTCollection(CJK_FONT)
    return frozenset(collection.fonts[1].getBestCmap())


def font_has(ch: str) -> bool:
    return ord(ch) in _covered()


def warm_up() -> None:
    """Load the font and its character map now (0.4–0.9 s) rather than inside the first page drawn."""
    _font()
    _covered()


@lru_cache(maxsize=4096)
def glyph(ch: str, width: int, height: int, bold: bool) -> Image.Image:
    """One character cell, magnified ``width``×``height``, as a 1-bit image (1 = black)."""
    cw = CELL_W * char_width(ch)
    cell = Image.new("L", (cw, CELL_H), 0)
    draw = ImageDraw.Draw(cell)
    if ch == " ":
        pass
    elif font_has(ch):
        draw.text((cw / 2, CELL_H / 2 + 1), ch, font=_font(), fill=255, anchor="mm",
                  stroke_width=1 if bold else 0, stroke_fill=255)
    else:
        # the font has no glyph: draw a visible box (tofu) rather than nothing, so staff can see it
        draw.rectangle((2, 2, cw - 3, CELL_H - 3), outline=255, width=2)
        draw.line((2, 2, cw - 3, CELL_H - 3), fill=255)
    if width != 1 or height != 1:
        cell = cell.resize((cw * width, CELL_H * height), Image.Resampling.BICUBIC)
    return cell.point(lambda v: 255 if v >= 110 else 0).convert("1")


def text_line_image(text: str, *, width: int = 1, height: int = 1, bold: bool = False,
                    align: str = "left", dots: int = DEFAULT_DOTS) -> Image.Image:
    """A text line drawn exactly as the printer's font grid would place it (for raster fallback)."""
    cells = [glyph(ch, width, height, bold) for ch in text]
    total = min(dots, sum(c.width for c in cells))
    img = Image.new("1", (dots, CELL_H * height), 0)
    x = {"left": 0, "center": (dots - total) // 2, "right": dots - total}.get(align, 0)
    for c in cells:
        if x + c.width > dots:
            break
        img.paste(c, (x, 0))
        x += c.width
    return img


def missing_glyphs(text: str) -> int:
    return sum(1 for ch in text if ch.strip() and not font_has(ch))


@dataclass
class _Run:
    text: str
    width: int
    height: int
    bold: bool


@dataclass
class Page:
    """Accumulates one job's printed rows; ``image()`` and ``dump`` give the result."""

    dots: int = DEFAULT_DOTS
    rows: list[Image.Image] = field(default_factory=list)
    dump: list[str] = field(default_factory=list)
    unknown: list[Op] = field(default_factory=list)
    cut: bool = False
    qr_count: int = 0
    align: int = 0
    size: tuple[int, int] = (1, 1)
    bold: bool = False
    _line: list[_Run] = field(default_factory=list)
    _line_align: int | None = None

    # ----- feeding operations -------------------------------------------------------------------------
    def apply(self, op: Op) -> None:
        name, a = op.name, op.args
        if name == "text":
            if self._line_align is None:
                self._line_align = self.align
            self._line.append(_Run(a["text"], *self.size, self.bold))
        elif name == "lf":
            self._print_line()
        elif name == "feed":
            self._print_line(force=False)
            self._blank(LINE_PITCH * a["n"])
        elif name == "feed_dots":
            self._print_line(force=False)
            self._blank(a["n"])
        elif name == "size":
            self.size = (a["width"], a["height"])
        elif name == "bold":
            self.bold = a["on"]
        elif name == "align":
            self.align = a["n"] % 3 if a["n"] in (0, 1, 2, 48, 49, 50) else 0
        elif name == "init":
            self.size, self.bold, self.align = (1, 1), False, 0
        elif name == "qr":
            self._print_line(force=False)
            self._qr(a)
        elif name == "raster":
            self._print_line(force=False)
            self._raster(a)
        elif name == "cut":
            self._print_line(force=False)
            self._cut_mark()
            self.dump.append("=" * 16 + " cut " + "=" * 16)
            self.cut = True
        elif name == "unknown":
            self.unknown.append(op)
            self.dump.append(f"[unknown {op.raw[:12].hex(' ')}: {a.get('reason', '')}]")

    def _place(self, img: Image.Image, align: int) -> None:
        row = Image.new("1", (self.dots, img.height), 0)
        width = min(img.width, self.dots)
        x = {0: 0, 1: (self.dots - width) // 2, 2: self.dots - width}[align]
        row.paste(img.crop((0, 0, width, img.height)), (x, 0))
        self.rows.append(row)

    def _cut_mark(self) -> None:
        """A dotted line where the paper is cut, so multi-page previews show the pages."""
        self._blank(LINE_PITCH)
        row = Image.new("1", (self.dots, 2), 0)
        draw = ImageDraw.Draw(row)
        for x in range(0, self.dots, 8):
            draw.line((x, 0, x + 3, 0), fill=1, width=2)
        self.rows.append(row)
        self._blank(LINE_PITCH)

    def _blank(self, dots: int) -> None:
        if dots > 0:
            self.rows.append(Image.new("1", (self.dots, dots), 0))

    def _print_line(self, force: bool = True) -> None:
        runs, self._line = self._line, []
        align = self.align if self._line_align is None else self._line_align
        self._line_align = None
        if not runs:
            if force:
                self._blank(LINE_PITCH * self.size[1])
                self.dump.append("")
            return
        # lay out cells, wrapping at the paper edge like the printer does
        lines: list[list[Image.Image]] = [[]]
        widths = [0]
        for run in runs:
            for ch in run.text:
                cell = glyph(ch, run.width, run.height, run.bold)
                if widths[-1] + cell.width > self.dots:
                    lines.append([])
                    widths.append(0)
                lines[-1].append(cell)
                widths[-1] += cell.width
        for cells in lines:
            height = max(c.height for c in cells)
            img = Image.new("1", (sum(c.width for c in cells), height), 0)
            x = 0
            for c in cells:
                img.paste(c, (x, height - c.height))
                x += c.width
            self._place(img, align)
            self._blank(LINE_PITCH - CELL_H)
        self.dump.append("".join(r.text for r in runs).rstrip())

    def _qr(self, a: dict) -> None:
        import qrcode
        from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q
        levels = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
        code = qrcode.QRCode(error_correction=levels[a["ecc"]], box_size=a["module"], border=0)
        code.add_data(a["data"])
        try:
            code.make(fit=True)
        except ValueError as exc:  # data too long for any QR version: a real printer prints nothing
            self.dump.append(f"[QR not printable: {exc}]")
            return
        img = code.make_image(fill_color="white", back_color="black").get_image().convert("1")
        self._place(img, self.align)
        self._blank(LINE_PITCH - CELL_H)
        self.qr_count += 1
        self.dump.append("[QR " + a["data"].decode("utf-8", errors="replace") + "]")

    def _raster(self, a: dict) -> None:
        xb, rows, data = a["width_bytes"], a["rows"], a["data"]
        img = Image.frombytes("1", (xb * 8, rows), data)
        self._place(img, self.align)
        self.dump.append(f"[image {xb * 8}x{rows}]")

    # ----- results ----------------------------------------------------------------------------------
    def finish(self) -> None:
        self._print_line(force=False)

    def image(self) -> Image.Image:
        """Paper as seen by a person: white paper, black print, a small margin at both ends."""
        height = sum(r.height for r in self.rows) + 2 * LINE_PITCH
        paper = Image.new("1", (self.dots, max(height, LINE_PITCH * 3)), 0)
        y = LINE_PITCH
        for r in self.rows:
            paper.paste(r, (0, y))
            y += r.height
        from PIL import ImageOps
        return ImageOps.invert(paper.convert("L"))

    def text(self) -> str:
        return "\n".join(self.dump) + "\n"


def render_ops(ops: list[Op], dots: int = DEFAULT_DOTS) -> Page:
    page = Page(dots=dots)
    for op in ops:
        page.apply(op)
    page.finish()
    return page
