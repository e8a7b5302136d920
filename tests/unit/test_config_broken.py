"""Each broken config dir under tests/configs/broken/ is refused with file, exact line, key and a Chinese message.

Line numbers are written here by hand (read off the case files), not computed by the loader under test.
Several cases run the real ``kiosk config check`` CLI in a subprocess.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config.issues import ConfigError
from kiosk.config.loader import check_config, load_config

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "configs" / "broken"
T, S = "terminal.yaml", "services.yaml"

#: case -> every expected (file, line, key, a fragment of the message); nothing else may be reported
EXPECTED: dict[str, list[tuple[str, int, str, str]]] = {
    "unknown-key": [(T, 44, "session.idle_timout_s", "未知的配置项")],
    "bad-type": [(T, 42, "session.idle_timeout_s", "应为整数")],
    "missing-key": [(T, 109, "staff.pin_hash", "缺少必填项")],
    "bad-port": [(T, 79, "devices.printer.port", "不是有效的串口地址 'socketx://127.0.0.1:17102'")],
    "duplicate-service-id": [(S, 117, "services[5].id", "'hotline-12345' 重复，第 77 行已定义")],
    "device-disabled": [
        (S, 39, "services[0].devices[0]", "服务 queue-ticket 需要设备 printer"),
        (S, 62, "services[2].devices[0]", "服务 social-insurance-record 需要设备 printer"),
    ],
    "device-not-configured": [
        (T, 66, "devices.printer", "缺少必填项"),
        (S, 39, "services[0].devices[0]", "which is not configured in terminal.yaml"),
        (S, 62, "services[2].devices[0]", "服务 social-insurance-record 需要设备 printer，但 terminal.yaml 中 "
                                          "devices.printer 未配置"),
    ],
    "bad-opening-hours": [
        (T, 56, "opening_hours.weekly.mon", "时间段重叠：09:00-17:00 与 16:30-18:00"),
        (T, 57, "opening_hours.weekly.tue[0]", "时间段格式应为 HH:MM-HH:MM"),
        (T, 58, "opening_hours.weekly.wed[0]", "开始时间应早于结束时间"),
    ],
    "yaml-syntax": [(S, 119, "", "YAML 语法错误")],
    "several-faults": [
        (T, 27, "display.fullscreen", "应为 true 或 false"),
        (T, 71, "devices.idcard.port", "不是有效的串口地址 '/dev/'"),
        (T, 86, "backend.base_url", "必须以 https:// 开头"),
        (T, 105, "logging.level", "取值不在允许范围内"),
        (S, 32, "services[0].summary", "缺少必填项"),
        (S, 119, "services[5].category", "分类 'citizens' 未在 categories 中定义"),
        (S, 138, "services[5].fields[1].kind", "取值不在允许范围内"),
        (S, 160, "services[6].params.submission_type", "取值不在允许范围内"),
    ],
}


def test_every_case_dir_is_checked() -> None:
    dirs = {p.name for p in BROKEN.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert dirs == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_case_reports_file_line_key(case: str) -> None:
    cfg, issues = check_config(BROKEN / case)
    assert cfg is None
    got = [(Path(i.file).name, i.line, i.key) for i in issues]
    assert got == [(f, line, key) for f, line, key, _ in EXPECTED[case]]
    for issue, (_, _, _, fragment) in zip(issues, EXPECTED[case]):
        assert fragment in issue.message
        assert Path(issue.file).parent == BROKEN / case
    with pytest.raises(ConfigError) as raised:
        load_config(BROKEN / case)
    assert raised.value.issues == issues
    assert all(str(i) in str(raised.value) for i in issues)


@pytest.mark.parametrize("case", ["unknown-key", "bad-port", "device-disabled", "device-not-configured",
                                  "yaml-syntax", "several-faults"])
def test_cli_check_exits_2_and_prints_each_issue(case: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "check", str(BROKEN / case)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(EXPECTED[case])
    for line, (name, lineno, key, fragment) in zip(lines, EXPECTED[case]):
        assert line.startswith(f"{BROKEN / case / name}:{lineno}: {key or '(文件 file)'}: "), line
        assert fragment in line
    assert f"{len(lines)} error(s)" in proc.stderr


def test_cli_check_valid_default_config_exits_0() -> None:
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "check", str(ROOT / "config")],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout.strip()
    assert "\n" not in out and "SH-JA-NJXL-01" in out and "配置有效" in out


def test_cli_check_defaults_to_env_dir(tmp_path: Path) -> None:
    import os

    env = dict(os.environ, KIOSK_CONFIG_DIR=str(BROKEN / "bad-type"))
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "check"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert "session.idle_timeout_s" in proc.stdout
