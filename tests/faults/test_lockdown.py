"""Issue 13 §5: the operating system gives nothing away — the lockdown files and masks deploy/lockdown.sh
puts on a system (applied to an image under a temp root with ``systemctl --root``), the systemd exposure
scores of both units from ``systemd-analyze security --offline=true``, and the service user."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
#: the exposure each unit may have at most (issue 13: 4.5 and 2.5; they were 5.8 and 7.6)
LIMITS = {"kiosk.service": 4.5, "kiosk-nightly-restart.service": 2.5}


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing in CI: install the 'systemd' package")
        pytest.skip(f"{name} not installed (apt-get install systemd)")
    return exe


def exposure(unit_dir: Path, unit: str) -> float:
    out = subprocess.run([_tool("systemd-analyze"), "security", "--offline=true", unit], cwd=unit_dir,
                         capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", out.stdout + out.stderr)
    assert m, out.stdout + out.stderr
    return float(m.group(1))


@pytest.mark.parametrize("unit", sorted(LIMITS))
def test_systemd_exposure_is_within_the_limit(tmp_path, unit):
    shutil.copy(DEPLOY / unit, tmp_path / unit)
    score = exposure(tmp_path, unit)
    assert score <= LIMITS[unit], f"{unit}: exposure {score} > {LIMITS[unit]}"


def test_the_exposure_check_can_fail(tmp_path):
    """Strip the hardening block from the kiosk unit: the score goes over its limit."""
    text = (DEPLOY / "kiosk.service").read_text()
    stripped = "\n".join(ln for ln in text.splitlines()
                         if not re.match(r"(CapabilityBoundingSet|SystemCallFilter|PrivateTmp|ProtectProc|"
                                         r"Protect(Kernel\w+|ControlGroups|Clock|Hostname)|RestrictNamespaces)=", ln))
    (tmp_path / "kiosk.service").write_text(stripped)
    assert exposure(tmp_path, "kiosk.service") > LIMITS["kiosk.service"]


def test_the_exposure_figures_in_deploy_md_are_current(tmp_path):
    doc = (ROOT / "docs" / "deploy.md").read_text()
    for unit in LIMITS:
        shutil.copy(DEPLOY / unit, tmp_path / unit)
        assert f"| `{unit}` | {exposure(tmp_path, unit)} |" in doc, unit


def test_lockdown_masks_gettys_and_ctrl_alt_del_and_installs_the_files(tmp_path):
    _tool("systemctl")
    image = tmp_path / "image"
    subprocess.run(["sh", str(DEPLOY / "lockdown.sh"), "--root", str(image)], check=True, timeout=60)
    units = image / "etc" / "systemd" / "system"
    masked = {p.name for p in units.iterdir() if p.is_symlink() and os.readlink(p) == "/dev/null"}
    assert {f"getty@tty{n}.service" for n in range(2, 7)} <= masked
    assert {f"autovt@tty{n}.service" for n in range(2, 7)} <= masked
    assert "ctrl-alt-del.target" in masked
    xorg = (image / "etc/X11/xorg.conf.d/10-kiosk-lockdown.conf").read_text()
    assert re.search(r'Option\s+"DontVTSwitch"\s+"true"', xorg) and re.search(r'Option\s+"DontZap"\s+"true"', xorg)
    assert 'srvrkeys:none' in xorg
    sysctl = (image / "etc/sysctl.d/90-kiosk.conf").read_text()
    assert re.search(r"^kernel\.sysrq\s*=\s*0$", sysctl, re.M)
    logind = (image / "etc/systemd/logind.conf.d/kiosk.conf").read_text()
    assert re.search(r"^NAutoVTs=0$", logind, re.M) and re.search(r"^ReserveVT=0$", logind, re.M)
    manager = (image / "etc/systemd/system.conf.d/kiosk.conf").read_text()
    assert re.search(r"^CtrlAltDelBurstAction=none$", manager, re.M)


def test_install_runs_the_lockdown_and_the_service_runs_as_a_non_root_user():
    install = (DEPLOY / "install.sh").read_text()
    assert 'sh "$PREFIX/deploy/lockdown.sh"' in install
    unit = (DEPLOY / "kiosk.service").read_text()
    user = re.search(r"^User=(\S+)$", unit, re.M).group(1)
    assert user not in ("root", "0") and re.search(r"^CapabilityBoundingSet=$", unit, re.M)
    assert "useradd --system --home-dir /var/lib/kiosk" in install
    rules = (DEPLOY / "udev" / "99-kiosk-devices.rules").read_text()
    groups = re.search(r"^SupplementaryGroups=(.+)$", unit, re.M).group(1).split()
    for group in re.findall(r'GROUP="([^"]+)"', rules):
        assert group in groups  # every device node's group is one the service user holds
