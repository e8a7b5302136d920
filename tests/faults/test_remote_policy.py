"""Issue 13 §3: a remote configuration cannot take the terminal over.

Only the allow-listed keys (kiosk/ops/remote_policy.py) may differ from the staff config; the gateway URL, CA
bundle, secret/key paths, PIN hash, device ports and storage paths never — such a version is refused and
alerted. Secrets are read from the staff directory's files, never copied, so a rotation takes effect.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ops.alerts import AlertTracker
from kiosk.backend.signing import load_secret
from kiosk.config.base import hash_pin
from kiosk.config.loader import load_config
from kiosk.ops.remote_config import ConfigStore, RemoteConfigUpdater
from kiosk.ops.remote_policy import NEVER_REMOTE, REMOTE_ALLOWED, forbidden_changes

REPO = Path(__file__).resolve().parents[2]


class Ack:
    def __init__(self, version):
        self.config_version = version


@pytest.fixture
def staff(tmp_path):
    base = tmp_path / "etc-kiosk"
    shutil.copytree(REPO / "config", base)
    (base / "dev-terminal.secret").chmod(0o600)
    return base


def push(staff: Path, tmp_path: Path, version: str, *, terminal=(), services=()):
    files = {n: (staff / n).read_text(encoding="utf-8") for n in ("terminal.yaml", "services.yaml")}
    for name, edits in (("terminal.yaml", terminal), ("services.yaml", services)):
        for old, new in edits:
            assert old in files[name], old
            files[name] = files[name].replace(old, new, 1)
    store = ConfigStore(tmp_path / "state" / "config", staff)
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    up = RemoteConfigUpdater(store, lambda cancel: {"version": version, "files": files}, running_dir=staff,
                             run_dir=run)
    return up, store, up.on_ack(Ack(version))


NEVER = {
    "backend.base_url": ("base_url: https://127.0.0.1:17100", "base_url: https://evil.example.com"),
    "backend.ca_bundle": ("ca_bundle: dev-tls/ca.pem", "ca_bundle: null"),
    "backend.secret_file": ("secret_file: dev-terminal.secret", "secret_file: dev-tls/server-key.pem"),
    "staff.pin_hash": None,  # the whole line, made in the test
    "outbox.path": ("path: ../var/outbox.sqlite3", "path: /tmp/outbox.sqlite3"),
    "outbox.key_file": ("key_file: null", "key_file: /tmp/outbox.key"),
    "devices.printer.port": ("port: socket://127.0.0.1:17102", "port: socket://10.0.0.9:9100"),
    "staff.lockout_after": ("lockout_after: 5", "lockout_after: 99"),
}


@pytest.mark.parametrize("key", sorted(NEVER))
def test_a_push_changing_a_key_off_the_allow_list_is_refused_and_alerted(staff, tmp_path, key):
    if key == "staff.pin_hash":  # a whole, valid new hash in place of the old one
        line = next(ln for ln in (staff / "terminal.yaml").read_text().splitlines() if "pin_hash:" in ln)
        old, new = line.strip(), "pin_hash: " + hash_pin("111111", iterations=10_000)
    else:
        old, new = NEVER[key]
    up, store, outcome = push(staff, tmp_path, "v-evil", terminal=[(old, new)])
    assert outcome == "rejected" and not store.current.exists()
    rejected = up.status()["config_rejected"]
    assert rejected["forbidden"] == [key], rejected["problems"]
    changes = AlertTracker().evaluate({}, up.alerts())
    assert [c.alert.code for c in changes] == ["config.remote_refused"] and key in changes[0].alert.message_en


def test_allowed_changes_apply(staff, tmp_path):
    up, store, outcome = push(staff, tmp_path, "v-ok", terminal=[("idle_timeout_s: 60", "idle_timeout_s: 45"),
                                                                  ("always_open: true", "always_open: false"),
                                                                  ("level: INFO", "level: WARNING")],
                              services=[("enabled: true", "enabled: false")])
    assert outcome == "applied", up.status()["config_rejected"]
    cfg = load_config(store.current)
    assert cfg.session.idle_timeout_s == 45 and not cfg.opening_hours.always_open and up.alerts() == []


def test_secrets_are_read_from_the_staff_files_never_copied_so_rotation_takes_effect(staff, tmp_path):
    _up, store, outcome = push(staff, tmp_path, "v-rot", terminal=[("idle_timeout_s: 60", "idle_timeout_s: 50")])
    assert outcome == "applied"
    old = load_secret(staff / "dev-terminal.secret")
    for f in (tmp_path / "state").rglob("*"):
        assert f.is_dir() or f.is_symlink() or old not in f.read_bytes(), f  # no copy of the secret anywhere
    (staff / "dev-terminal.secret").write_text("rotated-secret-0123456789abcdef\n")  # staff rotate it
    cfg = load_config(store.current)
    assert cfg.backend.secret_file == staff / "dev-terminal.secret"
    assert load_secret(cfg.backend.secret_file) == b"rotated-secret-0123456789abcdef"


def test_the_allow_list_is_code_and_covers_none_of_the_never_keys():
    assert all(p.startswith(("terminal.yaml:", "services.yaml:")) for p in REMOTE_ALLOWED)
    for key in (*NEVER, *NEVER_REMOTE):
        assert forbidden_changes({"terminal.yaml": _nested(key, 1)}, {"terminal.yaml": _nested(key, 2)}) == \
            [f"terminal.yaml:{key}"]
    assert forbidden_changes({"terminal.yaml": _nested("session.idle_timeout_s", 1)},
                             {"terminal.yaml": _nested("session.idle_timeout_s", 2)}) == []


def _nested(dotted: str, value) -> dict:
    for part in reversed(dotted.split(".")):
        value = {part: value}
    return value


def test_the_session_script_check_refuses_a_tampered_current_config(staff, tmp_path):
    _up, store, outcome = push(staff, tmp_path, "v-ok2", terminal=[("idle_timeout_s: 60", "idle_timeout_s: 40")])
    assert outcome == "applied"
    cur = store.current / "terminal.yaml"
    cur.write_text(cur.read_text().replace("https://127.0.0.1:17100", "https://evil.example.com"))

    def check(*extra):
        return subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "check", *extra, str(store.current)],
                              capture_output=True, text=True, timeout=120, cwd=REPO)
    assert check().returncode == 0  # valid as a config…
    proc = check("--remote-of", str(staff))
    assert proc.returncode == 2 and "backend.base_url" in proc.stdout  # …but not as a remote one


def test_a_remote_dir_that_carries_its_own_secret_copies_is_refused_at_start(staff, tmp_path):
    """A version activated before PATHS_FROM existed holds copies of the secret and CA: kiosk-session's
    check refuses it, so the terminal starts on the staff config instead."""
    _up, store, outcome = push(staff, tmp_path, "v-ok3", terminal=[("idle_timeout_s: 60", "idle_timeout_s: 30")])
    assert outcome == "applied"
    (store.current / "PATHS_FROM").unlink()
    shutil.copy(staff / "dev-terminal.secret", store.current / "dev-terminal.secret")
    shutil.copytree(staff / "dev-tls", store.current / "dev-tls")
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "check", "--remote-of", str(staff),
                           str(store.current)], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 2 and "PATHS_FROM" in proc.stdout
