"""``kiosk device idcard …`` and ``kiosk sim idcard`` / ``idcard-ctl`` run as real processes."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from devices.idcard.card import PUBLIC_KEYS
from devices.idcard.simulator import IdCardSimulator

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture
def sim():
    with IdCardSimulator(transport="tcp", card="resident") as simulator:
        yield simulator


def test_read_prints_masked_fields_by_default(sim):
    result = kiosk("device", "idcard", "read", "--port", sim.url, "--timeout", "2")
    assert result.returncode == 0, result.stderr
    assert "李**" in result.stdout and "3101**********127X" in result.stdout
    assert "李建国" not in result.stdout and "31011519650412127X" not in result.stdout
    assert "世纪大道" not in result.stdout


def test_read_json_keys_masked_and_whole(sim):
    masked = kiosk("device", "idcard", "read", "--port", sim.url, "--timeout", "2", "--json")
    assert masked.returncode == 0, masked.stderr
    data = json.loads(masked.stdout)
    assert list(data) == list(PUBLIC_KEYS)
    assert data["card_type"] == "resident" and data["name"] == "李**" and data["valid_to"] == "长期"
    assert data["pass_number"] is None and data["id_number_valid"] is True
    whole = kiosk("device", "idcard", "read", "--port", sim.url, "--timeout", "2", "--json",
                  "--show-personal-data")
    data = json.loads(whole.stdout)
    assert data["name"] == "李建国" and data["id_number"] == "31011519650412127X"
    assert data["birth_date"] == "1965-04-12" and data["address"].startswith("上海市浦东新区世纪大道")


def test_read_bad_check_character_is_reported(sim):
    sim.place("bad_checksum_id")
    result = kiosk("device", "idcard", "read", "--port", sim.url, "--timeout", "2")
    assert result.returncode == 0
    assert "校验位不正确" in result.stdout and "False" in result.stdout


def test_no_card_exits_3_and_device_error_exits_4(sim):
    sim.remove()
    result = kiosk("device", "idcard", "read", "--port", sim.url, "--timeout", "0.5")
    assert result.returncode == 3 and "请放置身份证" in result.stderr
    sim.place("J")
    sim.set_fault("sam_fail")
    result = kiosk("device", "idcard", "read", "--port", sim.url, "--timeout", "1")
    assert result.returncode == 4 and "身份证读卡模块故障" in result.stderr and "maintenance" in result.stderr


def test_unreachable_port_exits_4_with_the_reason():
    with socket.socket() as probe:  # a free ephemeral port nobody listens on
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    result = kiosk("device", "idcard", "read", "--port", f"socket://127.0.0.1:{free}", "--timeout", "0.5")
    assert result.returncode == 4 and "无法打开设备端口" in result.stderr and "cannot open port" in result.stderr


def test_status_shows_sam_id(sim):
    result = kiosk("device", "idcard", "status", "--port", sim.url)
    assert result.returncode == 0, result.stderr
    assert "05.01-20240601-1234567890" in result.stdout and "正常" in result.stdout
    sim.set_fault("sam_fail")
    result = kiosk("device", "idcard", "status", "--port", sim.url)
    assert result.returncode == 4 and "故障" in result.stdout and "sam_self_test_failed" in result.stdout


def test_sim_process_and_control_from_another_terminal(tmp_path):
    link = tmp_path / "idcard"
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "sim", "idcard", "--pty", str(link),
                             "--control", "0", "--card", "I"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        port_line, control_line = proc.stdout.readline(), proc.stdout.readline()
        assert port_line.strip() == f"port: {link}"
        control = control_line.split()[1]
        read = kiosk("device", "idcard", "read", "--port", str(link), "--json", "--show-personal-data")
        assert json.loads(read.stdout)["english_name"] == "MARTINEZ GARCIA MARIA ELENA"
        placed = kiosk("sim", "idcard-ctl", "--control", control, "place", "resident_rare")
        assert placed.returncode == 0 and json.loads(placed.stdout) == {"ok": True, "card": "resident_rare"}
        read = kiosk("device", "idcard", "read", "--port", str(link), "--json", "--show-personal-data")
        assert json.loads(read.stdout)["name"] == "陈\U0002020C华"
        fault = kiosk("sim", "idcard-ctl", "--control", control, "fault", "read_fail", "count=5")
        assert fault.returncode == 0
        read = kiosk("device", "idcard", "read", "--port", str(link), "--timeout", "0.5")
        assert read.returncode == 4 and "请重新放置身份证" in read.stderr
        bad = kiosk("sim", "idcard-ctl", "--control", control, "place", "nobody")
        assert bad.returncode == 1 and "unknown sample card" in bad.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    assert not link.exists()  # the published port goes away with the simulator
