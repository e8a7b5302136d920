"""Issue 13 §2: a production terminal refuses development secrets.

The committed development configuration passes ``kiosk config check`` and fails ``--production`` naming
file:line:key for each problem; a clean production configuration passes, and each single fault put back
into it fails again; ``terminal.production: true`` makes every load (so ``kiosk run``) apply the guard.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.backend.signing import load_secret
from kiosk.config.base import hash_pin
from kiosk.config.issues import ConfigError
from kiosk.config.loader import check_config, load_config
from kiosk.config.production import DEV_CA_SHA256, DEV_SECRET_SHA256

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "config"
DEV_HASH = re.search(r"pin_hash: (\S+)", (DEV / "terminal.yaml").read_text()).group(1)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def edit(cfg_dir: Path, old: str, new: str) -> None:
    f = cfg_dir / "terminal.yaml"
    text = f.read_text()
    assert old in text, old
    f.write_text(text.replace(old, new, 1))


@pytest.fixture
def prod(tmp_path) -> Path:
    """A copy of config/ made fit for production: own secret, own PIN, real gateway, no dev CA, 0600 keys."""
    d = tmp_path / "config"
    d.mkdir()
    shutil.copy(DEV / "services.yaml", d)
    shutil.copy(DEV / "terminal.yaml", d)
    secret = d / "terminal.secret"
    secret.write_text(os.urandom(32).hex() + "\n")
    secret.chmod(0o600)
    edit(d, "secret_file: dev-terminal.secret", "secret_file: terminal.secret")
    edit(d, "ca_bundle: dev-tls/ca.pem", "ca_bundle: null")
    edit(d, "base_url: https://127.0.0.1:17100", "base_url: https://gateway.ywtb.sh.gov.cn")
    edit(d, DEV_HASH, hash_pin("902417", iterations=10_000))
    return d


def test_dev_config_passes_without_production_and_fails_with_it_naming_file_line_key():
    assert cli("config", "check", str(DEV)).returncode == 0
    proc = cli("config", "check", "--production", str(DEV))
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    yaml_lines = (DEV / "terminal.yaml").read_text().splitlines()
    for key, needle in (("staff.pin_hash", "pin_hash:"), ("backend.secret_file", "secret_file:"),
                        ("backend.ca_bundle", "ca_bundle:")):
        line_no = next(i for i, text in enumerate(yaml_lines, 1) if text.strip().startswith(needle))
        assert any(f"terminal.yaml:{line_no}: {key}:" in line for line in lines), (key, lines)
    assert any("development PIN" in line for line in lines)
    assert any("HMAC secret" in line for line in lines) and any("development CA" in line for line in lines)


def test_a_clean_production_config_passes(prod):
    proc = cli("config", "check", "--production", str(prod))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _dev_secret_under_another_name(d: Path) -> None:
    shutil.copy(DEV / "dev-terminal.secret", d / "terminal.secret")
    (d / "terminal.secret").chmod(0o600)


def _dev_ca(d: Path) -> None:
    shutil.copy(DEV / "dev-tls" / "ca.pem", d / "gateway-ca.pem")
    edit(d, "ca_bundle: null", "ca_bundle: gateway-ca.pem")


FAULTS = {
    "dev PIN": ("staff.pin_hash", lambda d: edit(d, re.search(r"pin_hash: (\S+)", (d / "terminal.yaml").read_text())
                                                    .group(1), DEV_HASH)),
    "PIN hash of unknown length": ("staff.pin_hash", lambda d: edit(
        d, "pin_hash: pbkdf2_sha256_pin6$", "pin_hash: pbkdf2_sha256$")),
    "dev secret": ("backend.secret_file", _dev_secret_under_another_name),
    "dev CA": ("backend.ca_bundle", _dev_ca),
    "secret readable by others": ("backend.secret_file", lambda d: (d / "terminal.secret").chmod(0o644)),
    "secret readable by group": ("backend.secret_file", lambda d: (d / "terminal.secret").chmod(0o640)),
    "loopback gateway": ("backend.base_url", lambda d: edit(d, "https://gateway.ywtb.sh.gov.cn",
                                                           "https://localhost:8443")),
    "plain http gateway": ("backend.base_url", lambda d: edit(d, "https://gateway.ywtb.sh.gov.cn",
                                                             "http://gateway.ywtb.sh.gov.cn")),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_alone_fails_the_production_check_with_its_key(prod, fault):
    key, apply = FAULTS[fault]
    apply(prod)
    cfg, issues = check_config(prod, production=True)
    assert cfg is None and [i.key for i in issues] and all(i.line for i in issues)
    assert key in {i.key for i in issues}, issues


def test_outbox_key_file_readable_by_group_fails(prod):
    key = prod.parent / "var" / "outbox.sqlite3.key"
    key.parent.mkdir()
    key.write_text("00" * 32)
    key.chmod(0o640)
    _cfg, issues = check_config(prod, production=True)
    assert [i.key for i in issues] == ["outbox.key_file"]


def test_a_config_that_says_production_gets_the_guard_on_every_load_so_run_refuses(prod):
    edit(prod, "production: false", "production: true")
    assert load_config(prod).terminal.production  # clean: loads
    edit(prod, "ca_bundle: null", "ca_bundle: " + str(DEV / "dev-tls" / "ca.pem"))
    with pytest.raises(ConfigError) as exc:
        load_config(prod)
    assert [i.key for i in exc.value.issues] == ["backend.ca_bundle"]
    assert cli("config", "check", str(prod)).returncode == 2  # no flag needed
    proc = cli("run", "--config", str(prod), "--headless")
    assert proc.returncode == 2 and "backend.ca_bundle" in proc.stderr


def test_the_dev_fingerprints_are_those_of_the_committed_files():
    assert hashlib.sha256(load_secret(DEV / "dev-terminal.secret")).hexdigest() in DEV_SECRET_SHA256
    der = ssl.PEM_cert_to_DER_cert((DEV / "dev-tls" / "ca.pem").read_text())
    assert hashlib.sha256(der).hexdigest() in DEV_CA_SHA256
