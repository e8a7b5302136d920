"""The optional vendor photo decoder: loaded through ctypes only when configured, never required."""
from __future__ import annotations

import shutil
import subprocess
import threading

import pytest

from devices.base import DeviceStatus
from devices.idcard.driver import IdCardReader
from devices.idcard.photo import BMP_LEN, PhotoDecoderError, load_photo_decoder
from devices.idcard.simulator import IdCardSimulator

# A stand-in with the vendor library's signature: writes a BMP whose pixels echo the WLT bytes.
SHIM = r"""
#include <string.h>
int unpack(const unsigned char *wlt, unsigned char *out, int flag) {
    if (flag != 0) return -1;
    memset(out, 0, 38862);
    out[0] = 'B'; out[1] = 'M';
    for (int i = 0; i < 1024; i++) out[54 + i] = wlt[i];
    return 1;
}
"""


@pytest.fixture(scope="module")
def shim_path(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("gcc not available to build the stand-in decoder")
    folder = tmp_path_factory.mktemp("wlt")
    (folder / "shim.c").write_text(SHIM)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(folder / "libwltshim.so"), str(folder / "shim.c")],
                   check=True, timeout=60)
    return folder / "libwltshim.so"


def _read_with(decoder, tmp_path):
    events = []
    with IdCardSimulator(transport="pty", link=tmp_path / "idcard", card="resident") as sim:
        reader = IdCardReader(sim.url, photo_decoder=decoder, reply_timeout=0.3)
        reader.subscribe(events.append)
        done = threading.Event()
        reader.subscribe(lambda e: e.name == "status_changed" and done.set())
        with reader:
            done.wait(3)
            assert reader.status == DeviceStatus.ONLINE
            return reader.read_card(timeout=2), events


def test_no_decoder_configured_means_no_photo_and_no_error(tmp_path):
    assert load_photo_decoder(None) is None
    card, events = _read_with(None, tmp_path)
    assert card.photo_bmp is None and len(card.photo_wlt) == 1024
    assert [e for e in events if e.name == "error"] == []


def test_configured_decoder_is_called_through_ctypes(shim_path, tmp_path):
    card, _ = _read_with(str(shim_path), tmp_path)
    assert len(card.photo_bmp) == BMP_LEN and card.photo_bmp[:2] == b"BM"
    assert card.photo_bmp[54:54 + 1024] == card.photo_wlt
    bmp = card.photo_bmp
    card.wipe()
    assert bmp == bytes(BMP_LEN)


def test_missing_decoder_is_a_configuration_error_but_cards_still_read(tmp_path):
    with pytest.raises(PhotoDecoderError):
        load_photo_decoder(tmp_path / "libmissing.so")
    card, events = _read_with(str(tmp_path / "libmissing.so"), tmp_path)
    assert card.name == "李建国" and card.photo_bmp is None
    (error,) = [e for e in events if e.name == "error"]
    assert error.data["code"] == "photo_decoder" and error.data["action"] == "configuration"
