"""QR codes on screen: qrcode -> PNG bytes -> Kivy texture with nearest-neighbour scaling (crisp modules).

Also turns PNG bytes from the controller (e-licence images) into textures. Textures are plain GPU objects
that hold no reference back to the bytes, so dropping the widget's texture drops the image.
"""
from __future__ import annotations

import io

import qrcode
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture


def png_texture(png: bytes, *, nearest: bool = False) -> Texture:
    texture = CoreImage(io.BytesIO(png), ext="png", nocache=True).texture
    if nearest:
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
    return texture


def qr_png(data: str) -> bytes:
    code = qrcode.QRCode(border=2, box_size=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image().save(buf)
    return buf.getvalue()


def qr_texture(data: str) -> Texture:
    return png_texture(qr_png(data), nearest=True)
