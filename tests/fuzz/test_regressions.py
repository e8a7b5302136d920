"""Crashes the fuzzers found, kept as plain tests so they can never come back (see docs/PERFORMANCE.md)."""
from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.config.loader import check_config

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


def _services_with(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copytree(REPO_CONFIG, tmp_path / "cfg")
    path = tmp_path / "cfg" / "services.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path / "cfg"


def test_service_action_given_as_a_list_is_an_issue_not_a_typeerror(tmp_path):
    # found by tests/fuzz/test_fuzz_config.py: `action: []` raised TypeError (unhashable list) in the
    # cross-checks, so `kiosk config check` crashed with a traceback instead of naming the line
    cfg, issues = check_config(_services_with(tmp_path, "action: submission", "action: []"))
    assert cfg is None
    assert any(i.key.endswith(".action") and i.line for i in issues), [str(i) for i in issues]


def test_printer_head_error_is_not_ready():
    # found by bench/fuzz.py (5,000 examples): DLE EOT 3 with the head-error bit (0x40) decoded as
    # ready=True while fault() said head_error — the driver would have printed into a hot/lifted head
    # while its status said userError. Valid-shaped bytes (0xx1xx10) throughout.
    from devices.printer.protocol import PrinterState, valid_status_byte

    raw = (0x12, 0x12, 0x12 | 0x40, 0x12)
    assert all(valid_status_byte(b) for b in raw)
    state = PrinterState(raw)
    assert state.fault()[0] == "head_error"
    assert state.ready is False
