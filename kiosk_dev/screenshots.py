"""Screenshots as the record: regenerate every resident screen in every variant into docs/screens/.

``python -m kiosk_dev.screenshots [--out docs/screens]`` runs the accessibility walk of
tests/ui/test_accessibility.py (the real app on real GL, simulators on loopback) with
``KIOSK_UI_VARIANTS=all``: 20 screens and overlays, each standard and 长辈模式, portrait and landscape, plus
English portrait in both modes (120 PNGs), each measured by the MIIT audit (tests/ui/a11y.py) as it is shot.
Then it makes the PNGs small (palette of at most 256 colours + zlib optimise: the screens are flat colours
and anti-aliased text, which a palette keeps legible) and prints, per file, its size and the share of the
content band that is empty (issue 14: no portrait standard screen may leave more than 35 % empty; the walk
itself fails on a screen over it, but for the ones still listed as pending with their owner).
The exit status is the walk's: non-zero when any variant breaks an accessibility rule or the 35 %.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WALK = "tests/ui/test_accessibility.py::test_every_screen_meets_the_rules_in_both_modes_and_orientations"
#: issue 14: no screen in portrait standard mode may leave more of its content band than this empty
MAX_EMPTY = 0.35


def optimise(png: Path) -> tuple[int, int]:
    """Rewrite ``png`` as a ≤256-colour palette PNG with maximum zlib effort; (bytes before, bytes after)."""
    from PIL import Image

    before = png.stat().st_size
    with Image.open(png) as img:
        small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(png, optimize=True)
    return before, png.stat().st_size


def _bare_colours() -> set[tuple[int, int, int]]:
    """The flat backgrounds that carry nothing: the page and an empty panel (a white card with no text in
    that row is as empty as the page — a blank panel must not pass for content)."""
    from kiosk.theme import Palette

    p = Palette()
    return {tuple(round(c * 255) for c in rgb) for rgb in (p.bg, p.panel_bg)}  # type: ignore[misc]


def content_band(png: Path) -> tuple[int, int]:
    """(top, bottom) image rows between the header and the footer, found from the pixels: the header is the
    run of rows at the top in the colour of row 0, the footer the run at the bottom in the colour of the
    last row (its left margin), both read at x = 2."""
    from PIL import Image

    with Image.open(png) as img:
        rgb = img.convert("RGB")
        top_colour, bottom_colour = rgb.getpixel((2, 0)), rgb.getpixel((2, rgb.height - 1))
        top = next((y for y in range(rgb.height) if rgb.getpixel((2, y)) != top_colour), 0)
        bottom = next((y for y in range(rgb.height - 1, top, -1) if rgb.getpixel((2, y)) != bottom_colour),
                      rgb.height - 1) + 1
    return top, bottom


def empty_share(png: Path, band: tuple[int, int] | None = None) -> float:
    """Share of the image rows in ``band`` (top, bottom; default :func:`content_band`) that hold nothing
    but bare page or bare panel colour — no text, icon, picture, button or frame anywhere across the row."""
    from PIL import Image

    top, bottom = band if band is not None else content_band(png)
    bare = _bare_colours()
    with Image.open(png) as img:
        rgb = img.convert("RGB")
        empty = 0
        for y in range(top, bottom):
            colours = rgb.crop((0, y, rgb.width, y + 1)).getcolors(4)
            if colours is not None and all(c in bare for _, c in colours):
                empty += 1
    return empty / max(1, bottom - top)


def run_walk(out: Path) -> int:
    """The accessibility walk in a fresh Python (Kivy reads its environment once), copying shots to ``out``."""
    env = dict(os.environ, KIOSK_UI_VARIANTS="all", KIOSK_UI_DOCS=str(out), SDL_VIDEODRIVER="offscreen")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", WALK]
    return subprocess.run(cmd, cwd=REPO, env=env, timeout=1800).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk_dev.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screens")
    parser.add_argument("--no-walk", action="store_true", help="only optimise and measure what is in --out")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rc = 0 if args.no_walk else run_walk(out)
    total_before = total_after = 0
    print(f"{'file':<52} {'KiB':>6} {'empty':>6}")
    for png in sorted(out.glob("*-*-*.png")):
        if png.stem.split("-")[-1] not in ("portrait", "landscape", "en"):
            continue  # shots of other tests (ime-*) keep their own names and sizes
        # measured on the shot as drawn: the palette of optimise() may move the page colour by a shade
        empty = empty_share(png) if "-standard-portrait" in png.stem else None
        before, after = optimise(png)
        total_before, total_after = total_before + before, total_after + after
        flag = f"  > {MAX_EMPTY:.0%}" if empty is not None and empty > MAX_EMPTY else ""
        print(f"{png.name:<52} {after / 1024:6.1f} {'' if empty is None else f'{empty:6.0%}'}{flag}")
    print(f"total {total_before / 1024:.0f} KiB -> {total_after / 1024:.0f} KiB"
          f"{'' if rc == 0 else f'; accessibility audit FAILED (pytest exit {rc})'}")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
