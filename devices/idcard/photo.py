"""Optional photo decoding: the card photo is 1024 bytes of proprietary WLT that only a vendor library decodes.

No open decoder exists, so deployments use the reader vendor's licensed ``.so`` through ctypes. It is
loaded only when ``devices.idcard.photo_decoder`` is configured; without it the kiosk simply shows no
photo (``load_photo_decoder(None)`` returns ``None`` — that is not an error).

Contract expected from the library (vendors that differ get a thin C shim with this signature)::

    int unpack(const unsigned char *wlt /* 1024 bytes */, unsigned char *bmp_out /* 38862 bytes */,
               int flag /* 0 = do not write a file */);   /* returns 1 on success */

The output is a 102×126 24-bit BMP (rows padded to 308 bytes + 54-byte header = 38862 bytes).
"""
from __future__ import annotations

import ctypes
import os
import threading

from devices.errors import Action, DeviceError
from devices.idcard.protocol import PHOTO_LEN

BMP_LEN = 54 + 126 * 308


class PhotoDecoderError(DeviceError, zh="身份证照片解码库配置错误", en="ID card photo decoder is misconfigured",
                        action=Action.CONFIGURATION):
    """The configured photo decoder library cannot be loaded or lacks its decode function."""


class PhotoDecoder:
    """A loaded vendor WLT decoder. Calls are serialised: vendor libraries are rarely thread-safe."""

    def __init__(self, path: str | os.PathLike, *, symbol: str = "unpack") -> None:
        self.path = os.fspath(path)
        try:
            lib = ctypes.CDLL(self.path)
            fn = getattr(lib, symbol)
        except (OSError, AttributeError) as exc:
            raise PhotoDecoderError(f"cannot load photo decoder {self.path}: {exc}") from exc
        fn.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int)
        fn.restype = ctypes.c_int
        self._fn = fn
        self._lock = threading.Lock()

    def decode(self, wlt: bytes | bytearray) -> bytearray | None:
        """BMP bytes for a 1024-byte WLT photo, or None when the library reports a failure."""
        if len(wlt) != PHOTO_LEN:
            return None
        out = ctypes.create_string_buffer(BMP_LEN)
        with self._lock:
            rc = self._fn(bytes(wlt), out, 0)
        if rc != 1:
            return None
        bmp = bytearray(out.raw)
        ctypes.memset(out, 0, BMP_LEN)  # the decoded face must not linger in a buffer we no longer own
        return bmp


def load_photo_decoder(path: str | os.PathLike | None, *, symbol: str = "unpack") -> PhotoDecoder | None:
    """``None`` when no decoder is configured; PhotoDecoderError when one is configured but unusable."""
    if not path:
        return None
    return PhotoDecoder(path, symbol=symbol)
