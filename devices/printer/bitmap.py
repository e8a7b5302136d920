"""Pictures → packed raster bits for GS v 0 (1 = ink), and the cache of pictures drawn once from constants.

Pure Pillow work, no ESC/POS: the encoder cuts the packed bits into bands of the profile's height.
"""
from __future__ import annotations

from weakref import ref

from PIL import Image as PILImage

#: rasters of pictures drawn once from constants (the test page's grey ramp), by id() of the picture while
#: it lives (PIL images are unhashable): (a weak reference to it, {width limit: packed raster})
_CONSTANT_RASTERS: dict[int, tuple[ref, dict[int, tuple[int, int, bytes]]]] = {}


def constant_raster(img: PILImage.Image, limit: int) -> tuple[int, int, bytes]:
    entry = _CONSTANT_RASTERS.get(id(img))
    if entry is None or entry[0]() is not img:
        key = id(img)
        entry = (ref(img, lambda _gone, key=key: _CONSTANT_RASTERS.pop(key, None)), {})
        _CONSTANT_RASTERS[key] = entry
    made = entry[1]
    if limit not in made:
        made[limit] = packed(img, limit)
    return made[limit]


def packed(img: PILImage.Image, limit: int) -> tuple[int, int, bytes]:
    """(bytes per row, rows, bits with 1 = ink) of ``img`` at most ``limit`` dots wide."""
    if img.mode == "1":
        picture, packing, pad = img, "1", 0
    else:
        gray = img if img.mode == "L" else img.convert("L")
        if gray.width > limit:
            gray = gray.resize((limit, max(1, round(gray.height * limit / gray.width))),
                               PILImage.Resampling.LANCZOS)
        # Floyd–Steinberg dither (1 = paper); the packer inverts the bits, so ink = 1 without a pass
        picture, packing, pad = gray.convert("1"), "1;I", 1
    if picture.width > limit:
        picture = picture.crop((0, 0, limit, picture.height))
    width_bytes = (picture.width + 7) // 8
    if picture.width != width_bytes * 8:
        padded = PILImage.new("1", (width_bytes * 8, picture.height), pad)
        padded.paste(picture, (0, 0))
        picture = padded
    return width_bytes, picture.height, picture.tobytes("raw", packing)
