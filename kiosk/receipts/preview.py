"""Receipt previews: the same bytes the printer would get, drawn by the simulator's renderer.

``render_png`` encodes the document for the profile, parses the bytes back and draws them, so what staff
and tests look at is exactly what would be printed — not a second layout engine.
"""
from __future__ import annotations

from pathlib import Path

from devices.printer.document import Document
from devices.printer.encoder import encode
from devices.printer.parser import EscPosParser
from devices.printer.profiles import get_profile
from devices.printer.render import Page, render_ops


def render_page(document: Document, profile: str = "generic-80mm") -> Page:
    prof = get_profile(profile)
    parser = EscPosParser(vendor_commands=[prof.presenter])
    data = encode(document, prof)
    ops = parser.feed(data) + parser.flush()
    return render_ops(ops, dots=prof.dots)


def render_png(document: Document, path: str | Path, profile: str = "generic-80mm") -> Page:
    """Write a PNG of ``document`` as printed on ``profile`` (576 dots wide on 80 mm). Returns the page
    (``.text()`` is the text dump, ``.unknown`` must be empty)."""
    page = render_page(document, profile)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    page.image().save(path)
    return page
