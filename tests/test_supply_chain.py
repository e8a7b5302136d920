"""Issue 13 §6: supply chain — requirements.lock pins every dependency with hashes and agrees with
pyproject.toml; setup and install use it with --require-hashes; ``backend.ca_bundle: null`` means the
system trust store, not certifi's."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import certifi
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from kiosk.backend.client import GatewayClient, system_trust_store

ROOT = Path(__file__).resolve().parents[1]
_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})*)", re.M)


def parse_lock(text: str) -> dict[str, tuple[str, int]]:
    """``name → (version, number of hashes)`` for every pinned entry of a pip-compile lock."""
    return {canonicalize_name(m.group(1)): (m.group(2), m.group(3).count("--hash=")) for m in _ENTRY.finditer(text)}


def lock_problems(pyproject_text: str, lock_text: str) -> list[str]:
    """Why pyproject.toml and the lock disagree (empty: they agree)."""
    project = tomllib.loads(pyproject_text)
    wanted = [*project["project"]["dependencies"], *project["project"]["optional-dependencies"]["test"],
              *project["build-system"]["requires"]]
    locked = parse_lock(lock_text)
    problems = []
    for spec in wanted:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        if name not in locked:
            problems.append(f"{req.name} is in pyproject.toml but not in requirements.lock")
        elif not req.specifier.contains(Version(locked[name][0]), prereleases=True):
            problems.append(f"{req.name}: pyproject.toml wants {req.specifier}, the lock has {locked[name][0]}")
    problems += [f"{name}=={version} has no hash" for name, (version, hashes) in locked.items() if hashes == 0]
    non_entries = [ln for ln in lock_text.splitlines()
                   if ln and not ln.startswith(("#", " ")) and not _ENTRY.match(ln)]
    problems += [f"unpinned line in the lock: {ln!r}" for ln in non_entries]
    return problems


def test_the_lock_agrees_with_pyproject_and_hashes_everything():
    assert lock_problems((ROOT / "pyproject.toml").read_text(), (ROOT / "requirements.lock").read_text()) == []
    locked = parse_lock((ROOT / "requirements.lock").read_text())
    # transitive ones too: kivy's, requests', pydantic's and the build backend are in it
    assert {"idna", "certifi", "pydantic-core", "kivy-garden", "setuptools", "wheel", "cffi"} <= set(locked)


@pytest.mark.parametrize("edit", [
    ('"kivy==2.3.1"', '"kivy==2.3.0"'),            # a pin moved without regenerating the lock
    ('"psutil==7.1.3",', '"psutil==7.1.3",\n    "rich==14.0.0",'),  # a dependency added
])
def test_a_pyproject_that_moved_without_the_lock_fails(edit):
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert edit[0] in pyproject
    assert lock_problems(pyproject.replace(edit[0], edit[1], 1), (ROOT / "requirements.lock").read_text())


def test_a_lock_entry_without_hash_fails():
    lock = (ROOT / "requirements.lock").read_text()
    stripped = re.sub(r"(pyserial==3\.5)(\s*\\\n\s+--hash=sha256:[0-9a-f]{64})+", r"\1", lock)
    assert any("pyserial" in p for p in lock_problems((ROOT / "pyproject.toml").read_text(), stripped))


def test_setup_and_install_require_hashes_from_the_lock():
    for script in ("scripts/setup.sh", "deploy/install.sh"):
        text = re.sub(r"\\\n\s*", " ", (ROOT / script).read_text())  # join continued lines
        installs = [ln for ln in text.splitlines() if re.search(r"pip\"? install|-m pip install", ln)
                    and not ln.lstrip().startswith("#")]
        assert installs, script
        assert any("--require-hashes" in ln and "requirements.lock" in ln for ln in installs), script
        # the project itself: no dependencies (they all came from the lock), no isolated build downloads
        rest = [ln for ln in installs if "requirements.lock" not in ln]
        assert rest and all("--no-deps" in ln and "--no-build-isolation" in ln for ln in rest), (script, rest)
    assert "scripts/lock.sh" in (ROOT / "scripts" / "setup.sh").read_text()


def test_null_ca_bundle_means_the_system_trust_store_not_certifi(monkeypatch):
    store = system_trust_store()
    assert Path(store).exists() and Path(store).resolve() != Path(certifi.where()).resolve()
    client = GatewayClient("https://gateway.example.gov.cn", terminal_id="SH-JA-NJXL-01", secret=b"x" * 32)
    try:
        # both sessions: the resident's (retrying) and the background loops' (one attempt per call)
        assert client._session.verify == store and client._single.verify == store
        assert not client._session.trust_env and not client._single.trust_env
    finally:
        client.close()


def test_the_system_store_is_what_verifies_the_gateway(monkeypatch, tmp_path):
    """With ca_bundle null, a gateway is trusted exactly when the system store trusts it: with the 'system
    store' pointed at the dev CA the simulator is reached, with an empty one it is refused."""
    import kiosk.backend.client as client_mod
    from kiosk.backend.errors import TLSError
    from kiosk.backend.signing import load_secret
    from kiosk.backend.simulator.server import DEV_SECRET_FILE, GatewaySimulator

    sim = GatewaySimulator(port=0).start()
    resident = {"card_type": "resident", "id_number": "310106198807155218", "name": "王小明"}
    try:
        for store, trusted in ((str(ROOT / "config" / "dev-tls" / "ca.pem"), True), (str(tmp_path), False)):
            monkeypatch.setattr(client_mod, "system_trust_store", lambda store=store: store)
            client = GatewayClient(sim.base_url, terminal_id="SH-JA-NJXL-01", secret=load_secret(DEV_SECRET_FILE),
                                   retries=0, connect_timeout_s=2, read_timeout_s=2)
            try:
                if trusted:
                    assert client.auth_idcard(resident).token
                else:
                    with pytest.raises(TLSError):
                        client.auth_idcard(resident)
            finally:
                client.close()
    finally:
        sim.stop()


def test_what_the_lock_installed_is_complete():
    """Installed with --no-deps from the lock, so a transitive dependency missing from it would be missing
    here: pip's own consistency check must find every requirement of every installed package satisfied."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
