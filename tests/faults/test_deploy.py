"""deploy/: the systemd units pass ``systemd-analyze verify`` and say what the issue asks; udev rules,
the session script and the nightly-restart wiring hold together.

``systemd-analyze verify`` also checks that every ExecStart= binary exists. A build machine has neither
/opt/kiosk nor (usually) xinit, so the units are copied into a temp dir with exactly those two paths
pointed at real files: /opt/kiosk → a temp prefix whose .venv/bin/kiosk is this checkout's venv entry
point, /usr/bin/xinit → the real one if installed, else an executable stand-in. Nothing else is changed.
verify exits 0 even for unknown keys or unparsable values (it only warns), so any output at all fails.
On the terminal itself deploy/install.sh runs the same verify on the installed files.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ["kiosk.service", "kiosk-nightly-restart.service", "kiosk-nightly-restart.timer"]
VENV_KIOSK = Path(sys.executable).parent / "kiosk"


def _analyze() -> str:
    exe = shutil.which("systemd-analyze")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is missing in CI: install the 'systemd' package (apt-get install systemd)")
        pytest.skip("systemd-analyze not installed (apt-get install systemd)")
    return exe


def _stage(tmp_path: Path, mutate=None) -> Path:
    prefix = tmp_path / "opt-kiosk"
    (prefix / ".venv" / "bin").mkdir(parents=True)
    (prefix / ".venv" / "bin" / "kiosk").symlink_to(VENV_KIOSK)
    (prefix / "deploy").mkdir()
    shutil.copy2(DEPLOY / "kiosk-session", prefix / "deploy" / "kiosk-session")
    xinit = shutil.which("xinit")
    if xinit is None:
        stand_in = tmp_path / "xinit"
        stand_in.write_text("#!/bin/sh\nexit 0\n")
        stand_in.chmod(0o755)
        xinit = str(stand_in)
    units = tmp_path / "units"
    units.mkdir()
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        text = text.replace("/opt/kiosk", str(prefix)).replace("/usr/bin/xinit", xinit)
        if mutate is not None:
            text = mutate(name, text)
        (units / name).write_text(text)
    return units


def _verify(exe: str, units: Path) -> subprocess.CompletedProcess:
    return subprocess.run([exe, "verify", *[str(units / n) for n in UNITS]], capture_output=True,
                          text=True, timeout=60, cwd=units)


def test_units_pass_systemd_analyze_verify(tmp_path):
    exe = _analyze()
    result = _verify(exe, _stage(tmp_path))
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and output == "", output


@pytest.mark.parametrize("bad", ["Restart=sometimes", "WatchdogSec=soon", "Frobnicate=yes"])
def test_verify_harness_catches_a_broken_unit(tmp_path, bad):
    """The check above can fail: a typo in the unit gives output (systemd only warns, exit code 0)."""
    exe = _analyze()

    def mutate(name, text):
        return text.replace("[Service]\n", f"[Service]\n{bad}\n", 1) if name == "kiosk.service" else text

    result = _verify(exe, _stage(tmp_path, mutate))
    assert result.returncode != 0 or (result.stdout + result.stderr).strip(), "broken unit went unnoticed"


def _directives(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.setdefault(f"{section}.{key}", []).append(value)
    return found


def test_kiosk_service_has_the_24h_properties():
    d = _directives(DEPLOY / "kiosk.service")
    assert d["Service.Type"] == ["notify"]
    assert d["Service.NotifyAccess"] == ["all"]  # the pinging app is xinit's child
    assert d["Service.Restart"] == ["always"]
    assert int(d["Service.WatchdogSec"][0]) >= 10
    assert d["Unit.StartLimitIntervalSec"] == ["0"]
    assert any("kiosk-session" in v for v in d["Service.ExecStart"])
    assert d["Service.EnvironmentFile"][0].lstrip("-") == "/etc/kiosk/kiosk.env"
    # hardening must not cut the devices off: no PrivateDevices, serial and GPU classes allowed
    assert "Service.PrivateDevices" not in d
    allowed = {v.split()[0] for v in d["Service.DeviceAllow"]}
    assert {"char-ttyUSB", "char-ttyACM", "char-drm", "char-input"} <= allowed
    assert "dialout" in d["Service.SupplementaryGroups"][0]
    assert "Service.MemoryDenyWriteExecute" not in d  # llvmpipe JIT


def test_nightly_restart_waits_for_idle_via_the_cli():
    d = _directives(DEPLOY / "kiosk-nightly-restart.service")
    cmd = d["Service.ExecStart"][0].split()
    assert cmd[:3] == ["/opt/kiosk/.venv/bin/kiosk", "ops", "restart"]
    from kiosk.cli import build_parser
    args = build_parser().parse_args(cmd[1:])
    assert args.run_dir == "/run/kiosk" and args.max_wait > 0
    t = _directives(DEPLOY / "kiosk-nightly-restart.timer")
    assert re.fullmatch(r"\*-\*-\* 0[0-5]:\d\d:\d\d Asia/Shanghai", t["Timer.OnCalendar"][0])
    # the app's runtime dir must survive its own restart, or a pending request would vanish with it
    assert _directives(DEPLOY / "kiosk.service")["Service.RuntimeDirectory"] == ["kiosk"]


_RULE_KEY = re.compile(r'^\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*$')
_MATCH_KEYS = {"SUBSYSTEM", "KERNEL", "ATTRS", "ENV"}


def test_udev_rules_are_well_formed_and_name_every_device():
    names = []
    for line in (DEPLOY / "udev" / "99-kiosk-devices.rules").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for part in line.split(","):
            m = _RULE_KEY.match(part)
            assert m, f"malformed udev key: {part!r}"
            key, op, value = m.groups()
            if op in ("==", "!="):
                assert key.split("{")[0] in _MATCH_KEYS, part
            if key == "SYMLINK":
                names.append(value)
            if key.startswith("ATTRS{id"):
                assert re.fullmatch(r"[0-9a-f]{4}", value), part
    assert sorted(names) == ["kiosk-idcard", "kiosk-printer", "kiosk-scanner"]


def _run_session(tmp_path: Path, remote_ok: bool | None) -> list[str]:
    """Run deploy/kiosk-session with a stand-in kiosk binary that records its arguments."""
    record = tmp_path / "argv"
    fake = tmp_path / "kiosk"
    fake.write_text('#!/bin/sh\nif [ "$1" = config ]; then for a; do last=$a; done\n'
                    f'  printf "%s\\n" "$@" > {record}.check; [ -f "$last/ok" ]; exit $?; fi\n'
                    f'printf "%s\\n" "$@" > {record}\n')
    fake.chmod(0o755)
    remote = tmp_path / "remote"
    if remote_ok is not None:
        remote.mkdir()
        if remote_ok:
            (remote / "ok").write_text("")
    env = {"PATH": "/usr/bin:/bin", "KIOSK_BIN": str(fake), "KIOSK_CONFIG_DIR": "/etc/kiosk",
           "KIOSK_REMOTE_CONFIG": str(remote)}
    result = subprocess.run(["sh", str(DEPLOY / "kiosk-session")], env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    return record.read_text().split()


def test_session_script_prefers_a_valid_remote_config(tmp_path):
    assert _run_session(tmp_path, None) == ["run", "--config", "/etc/kiosk"]
    assert _run_session(tmp_path, True) == ["run", "--config", str(tmp_path / "remote")]
    # the remote config is checked against the staff config's allow-list, not only as a config
    assert (tmp_path / "argv.check").read_text().split() == [
        "config", "check", "--remote-of", "/etc/kiosk", str(tmp_path / "remote")]


def test_session_script_falls_back_when_remote_config_fails_check(tmp_path):
    assert _run_session(tmp_path, False) == ["run", "--config", "/etc/kiosk"]


def test_shell_scripts_parse():
    for script in ("kiosk-session", "install.sh"):
        result = subprocess.run(["sh", "-n", str(DEPLOY / script)], capture_output=True, text=True, timeout=10)
        assert result.returncode == 0, result.stderr
