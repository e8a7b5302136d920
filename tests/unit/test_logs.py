"""The masking filter: personal data never reaches a handler unmasked."""
import logging
import os

import pytest
from hypothesis import given, strategies as st

from kiosk.logs import PiiMaskingFilter, setup_logging, tail
from kiosk.masking import mask_id_number, mask_phone, mask_text

ID = "11010519491231002X"


@pytest.mark.parametrize("text, secret", [
    (f"card read id={ID}", ID),
    (f"身份证号：{ID} ok", ID),
    ("old number 310101900101123 seen", "310101900101123"),
    ("call 13812345678 now", "13812345678"),
    ("phone=+86 13987654321", "13987654321"),
    ('{"name": "张三丰", "ok": 1}', "张三丰"),
    ("name=Li Wei Ming; next", "Li Wei Ming"),
    ("姓名：王小明，性别", "王小明"),
    ('address="上海市静安区南京西路1号"', "上海市静安区南京西路1号"),
    ("permit ABC123456789012 ok", "ABC123456789012"),
    ("pass H1234567890 ok", "H1234567890"),
])
def test_mask_text_hides_personal_data(text, secret):
    masked = mask_text(text)
    assert secret not in masked
    assert "*" in masked


def test_masks_keep_a_recognisable_shape():
    assert mask_id_number(ID) == "1101**********002X"
    assert mask_text(f"x {ID} y") == "x 1101**********002X y"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_text("reference NJXL01-20261127-7F3K9Q") == "reference NJXL01-20261127-7F3K9Q"
    assert mask_text("took 1234 ms, 200 OK") == "took 1234 ms, 200 OK"


def test_filter_masks_args_and_tracebacks(tmp_path):
    handlers = setup_logging(tmp_path, stderr=False)
    log = logging.getLogger("kiosk.test")
    log.warning("reader returned %s for %s", ID, "13812345678")
    try:
        raise ValueError(f"bad card {ID}")
    except ValueError:
        log.exception("failed")
    for h in handlers:
        h.flush()
    text = (tmp_path / "kiosk.log").read_text(encoding="utf-8")
    assert ID not in text and "13812345678" not in text
    assert "1101**********002X" in text and "ValueError" in text
    assert (tmp_path / "kiosk.log").stat().st_mode & 0o777 == 0o640
    assert all(ID not in line for line in tail(tmp_path))
    setup_logging(None, stderr=False)


def test_filter_survives_bad_format_args():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %d", ("notint",), None)
    assert PiiMaskingFilter().filter(record)
    assert "unformattable" in record.getMessage()


@given(st.text())
def test_mask_text_never_fails(text):
    assert isinstance(mask_text(text), str)


@given(st.from_regex(r"[1-6]\d{16}[\dX]", fullmatch=True), st.text(alphabet="，。 abc", max_size=5))
def test_any_id_number_is_masked(number, filler):
    assert number not in mask_text(f"{filler}{number}{filler}")


def test_every_log_file_is_0640_under_any_umask_rotation_included(tmp_path):
    """Issue 13 §5: the service runs with UMask=0077, staff read logs through the group: 0640 on every path."""
    old = os.umask(0o077)
    try:
        (tmp_path / "kiosk.log").write_text("")  # a file left 0600 by an older version is corrected too
        os.chmod(tmp_path / "kiosk.log", 0o600)
        handlers = setup_logging(tmp_path, stderr=False, max_bytes=10_000, backups=3)
        log = logging.getLogger("kiosk.test.rotation")
        for i in range(400):
            log.warning("line %d %s", i, "x" * 80)  # ~40 KB: several rotations
        for h in handlers:
            h.flush()
    finally:
        os.umask(old)
        setup_logging(None, stderr=False)
    files = sorted(tmp_path.glob("kiosk.log*"))
    assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]
    assert {f.name: oct(f.stat().st_mode & 0o777) for f in files} == {f.name: "0o640" for f in files}
