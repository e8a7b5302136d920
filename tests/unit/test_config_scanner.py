"""``devices.scanner`` in terminal.yaml: off by default, optional (older files load), profile names checked."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
BLOCK_START = "  scanner:\n    enabled: false\n"


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    d = tmp_path / "config"
    d.mkdir()
    for name in ("terminal.yaml", "services.yaml"):
        shutil.copy(ROOT / "config" / name, d / name)
    edit(d, "  ca_bundle: dev-tls/ca.pem\n", "  ca_bundle: null\n")
    (d / "dev-terminal.secret").write_text("unit-test-secret\n")
    return d


def edit(d: Path, old: str, new: str) -> None:
    text = (d / "terminal.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (d / "terminal.yaml").write_text(text.replace(old, new), encoding="utf-8")


def test_shipped_config_has_the_scanner_off_on_the_simulator_port(cfg_dir):
    s = load_config(cfg_dir).devices.scanner
    assert (s.enabled, s.port, s.baudrate, s.profile, s.dedupe_s) == (False, "socket://127.0.0.1:17103", 9600,
                                                                      "generic", 2.0)


def test_a_file_without_the_scanner_block_loads_with_it_off(cfg_dir):
    text = (cfg_dir / "terminal.yaml").read_text(encoding="utf-8")
    start = text.index("  # 二维码扫码器")
    end = text.index("    dedupe_s: 2\n") + len("    dedupe_s: 2\n")
    (cfg_dir / "terminal.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert load_config(cfg_dir).devices.scanner.enabled is False


def test_unknown_profile_is_named_with_file_line_and_chinese_message(cfg_dir):
    edit(cfg_dir, "    profile: generic\n", "    profile: honeywel\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg_dir)
    [issue] = info.value.issues
    lines = (cfg_dir / "terminal.yaml").read_text(encoding="utf-8").splitlines()
    assert issue.key == "devices.scanner.profile" and lines[issue.line - 1] == "    profile: honeywel"
    assert "未知的扫码器型号配置" in issue.message


def test_bad_baud_rate_is_refused(cfg_dir):
    edit(cfg_dir, "    baudrate: 9600\n", "    baudrate: 9601\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg_dir)
    assert [i.key for i in info.value.issues] == ["devices.scanner.baudrate"]
