"""kiosk/ops/remote_config.py with real config directories: validate like `kiosk config check`, keep the last
good config, hand over through the idle-restart request, report why a version was rejected."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kiosk.backend.errors import NetworkError
from kiosk.cli import main as kiosk_main
from kiosk.config.loader import load_config
from kiosk.ops.remote_config import ConfigStore, RemoteConfig, RemoteConfigUpdater, local_version
from kiosk.ops.watchdog import RESTART_REQUEST, Watchdog

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


class Ack:
    def __init__(self, version):
        self.config_version = version


@pytest.fixture
def setup(tmp_path):
    base = tmp_path / "etc-kiosk"
    shutil.copytree(REPO_CONFIG, base)
    run = tmp_path / "run"
    run.mkdir()
    store = ConfigStore(tmp_path / "state" / "config", base)
    return base, run, store


def remote_files(base: Path, **edits: str) -> dict[str, str]:
    files = {name: (base / name).read_text(encoding="utf-8") for name in ("terminal.yaml", "services.yaml")}
    for old, new in edits.items():
        files["terminal.yaml"] = files["terminal.yaml"].replace(old.replace("_", " "), new)
    return files


def test_newer_valid_config_is_activated_and_restart_waits_for_idle(setup):
    base, run, store = setup
    files = remote_files(base)
    files["terminal.yaml"] = files["terminal.yaml"].replace("idle_timeout_s: 60", "idle_timeout_s: 45")
    fetched = []
    up = RemoteConfigUpdater(store, lambda cancel: fetched.append(1) or {"version": "2026-11-28.1", "files": files},
                             running_dir=base, run_dir=run)
    assert up.current_version().startswith("local-")
    assert up.on_ack(Ack(up.current_version())) == "same" and fetched == []
    assert up.on_ack(Ack("2026-11-28.1")) == "applied"
    assert store.current.is_symlink() and store.current.resolve().name == "2026-11-28.1"
    cfg = load_config(store.current)
    assert cfg.session.idle_timeout_s == 45
    assert cfg.backend.secret_file.is_file()  # relative paths still resolve (copied with the base dir)
    assert local_version(store.current) == "2026-11-28.1"
    assert up.status()["config_pending"] == "2026-11-28.1"
    assert up.on_ack(Ack("2026-11-28.1")) == "same" and fetched == [1]  # no refetch while pending
    # the running app takes the restart request only once no session is in progress
    busy = {"v": True}
    restarted = []
    wd = Watchdog(env={}, run_dir=run, is_idle=lambda: not busy["v"], on_restart=lambda: restarted.append(1))
    wd.tick()
    assert restarted == [] and (run / RESTART_REQUEST).exists()
    busy["v"] = False
    wd.tick()
    assert restarted == [1]


def test_invalid_config_is_rejected_with_the_check_messages_and_last_good_kept(setup, capsys):
    base, run, store = setup
    files = remote_files(base)
    files["terminal.yaml"] = files["terminal.yaml"].replace("idle_timeout_s: 60", "idle_timeout_s: soon\n  beep: 1")
    fetched = []
    up = RemoteConfigUpdater(store, lambda cancel: fetched.append(1) or {"version": "v2", "files": files},
                             running_dir=base, run_dir=run)
    assert up.on_ack(Ack("v2")) == "rejected"
    rejected = up.status()["config_rejected"]
    assert rejected["version"] == "v2" and rejected["count"] >= 2
    text = "\n".join(rejected["problems"])
    assert "terminal.yaml" in text and "idle_timeout_s" in text and "beep" in text
    # same messages as `kiosk config check` on the same files
    check_dir = base.parent / "check"
    shutil.copytree(base, check_dir)
    (check_dir / "terminal.yaml").write_text(files["terminal.yaml"], encoding="utf-8")
    assert kiosk_main(["config", "check", str(check_dir)]) == 2
    cli_lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    assert [p.replace(str(store.root / "versions" / ".staging-v2"), "X") for p in rejected["problems"]] == \
           [ln.replace(str(check_dir), "X") for ln in cli_lines]
    assert not store.current.exists() and store.active_dir() == base  # last good config stays
    assert not (run / RESTART_REQUEST).exists()
    assert not list((store.root / "versions").iterdir())  # staging removed
    assert up.on_ack(Ack("v2")) == "rejected-before" and fetched == [1]  # not refetched every beat


def test_config_for_another_terminal_is_rejected(setup):
    base, run, store = setup
    files = remote_files(base)
    files["terminal.yaml"] = files["terminal.yaml"].replace("id: SH-JA-NJXL-01", "id: SH-PD-XX-09")
    up = RemoteConfigUpdater(store, lambda cancel: {"version": "v3", "files": files}, running_dir=base, run_dir=run)
    assert up.on_ack(Ack("v3")) == "rejected"
    assert "another terminal" in up.status()["config_rejected"]["problems"][0]


@pytest.mark.parametrize("reply", [
    None, [], {"version": "../../etc", "files": {}},
    {"version": "v4", "files": {"terminal.yaml": "x"}},
    {"version": "v4", "files": {"terminal.yaml": "x", "services.yaml": "y", "../evil.yaml": "z"}},
    {"version": "v4", "files": {"terminal.yaml": 5, "services.yaml": "y"}},
])
def test_malformed_reply_is_rejected_without_touching_disk(setup, reply):
    base, run, store = setup
    up = RemoteConfigUpdater(store, lambda cancel: reply, running_dir=base, run_dir=run)
    assert up.on_ack(Ack("v4")) == "rejected"
    assert "malformed" in up.status()["config_rejected"]["problems"][0]
    assert not store.root.exists() or not store.current.exists()


def test_network_failure_retries_next_beat(setup):
    base, run, store = setup
    calls = {"n": 0}
    files = remote_files(base)

    def fetch(cancel):
        calls["n"] += 1
        if calls["n"] == 1:
            raise NetworkError("gateway unreachable")
        return {"version": "v5", "files": files}

    up = RemoteConfigUpdater(store, fetch, running_dir=base, run_dir=run)
    assert up.on_ack(Ack("v5")) == "fetch-failed"
    assert up.status()["config_rejected"] is None
    assert up.on_ack(Ack("v5")) == "applied"


def test_a_later_good_version_replaces_a_rejected_one_and_old_versions_are_pruned(setup):
    base, run, store = setup
    good = remote_files(base)
    bad = dict(good, **{"services.yaml": "services: 42\n"})
    replies = {"bad": bad, "g1": good, "g2": good, "g3": good, "g4": good}
    state = {"v": None}
    up = RemoteConfigUpdater(store, lambda cancel: {"version": state["v"], "files": replies[state["v"]]},
                             running_dir=base, run_dir=run)
    for version, expected in (("bad", "rejected"), ("g1", "applied"), ("g2", "applied"), ("g3", "applied"),
                              ("g4", "applied")):
        state["v"] = version
        assert up.on_ack(Ack(version)) == expected
    assert up.status()["config_rejected"] is None
    assert sorted(p.name for p in (store.root / "versions").iterdir()) == ["g2", "g3", "g4"]
    assert store.current.resolve().name == "g4"


def test_remote_config_parse_accepts_the_documented_shape():
    rc = RemoteConfig.parse({"version": "2026-11-28.1", "files": {"terminal.yaml": "a", "services.yaml": "b"}})
    assert rc.version == "2026-11-28.1" and json.dumps(dict(rc.files))


# ----- end to end: the real client, the gateway simulator, the Runtime's heartbeat -----------------------
def _published(version: str, **replace: str) -> dict:
    files = {name: (REPO_CONFIG / name).read_text(encoding="utf-8") for name in ("terminal.yaml", "services.yaml")}
    for old, new in replace.items():
        files["terminal.yaml"] = files["terminal.yaml"].replace(old, new)
    return {"version": version, "files": files}


def test_real_client_fetches_the_published_config(tmp_path):
    from kiosk.backend.client import GatewayClient
    from kiosk.backend.signing import load_secret
    from kiosk.backend.simulator.server import DEV_SECRET_FILE, DEV_TLS, GatewaySimulator

    sim = GatewaySimulator(port=0).start()
    client = GatewayClient(sim.base_url, terminal_id="SH-JA-NJXL-01", secret=load_secret(DEV_SECRET_FILE),
                           ca_bundle=DEV_TLS / "ca.pem", retries=0)
    try:
        from kiosk.backend.errors import NotFoundError
        with pytest.raises(NotFoundError):
            client.get_terminal_config()
        pub = _published("2026-11-28.2")
        sim.publish_config(pub["version"], pub["files"])
        assert client.heartbeat({"app_version": "t", "uptime_s": 1}).config_version == "2026-11-28.2"
        assert RemoteConfig.parse(client.get_terminal_config()).version == "2026-11-28.2"
    finally:
        client.close()
        sim.stop()


@pytest.fixture
def ops_kiosk(tmp_path, monkeypatch):
    from kiosk.bridge import QueueBridge
    from kiosk_dev.sims import SimStack
    from kiosk.runtime import Runtime
    from kiosk.session.controller import SessionController

    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(run))
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    stack = SimStack(load_config(REPO_CONFIG), tmp_path / "sims")
    cfg = stack.start()
    bridge = QueueBridge()
    rt = Runtime(cfg, bridge)
    ctl = SessionController(cfg, rt)
    rt.attach(ctl)
    rt.start()
    assert bridge.pump_until(lambda: ctl.state.devices.backend_ok, 15)
    yield stack, bridge, rt, ctl, tmp_path
    rt.stop()
    stack.stop()


def test_heartbeat_announces_fetch_validate_apply_between_sessions(ops_kiosk):
    stack, bridge, rt, ctl, tmp = ops_kiosk
    assert rt.ops.updater is not None
    pub = _published("2026-11-28.3", **{"idle_timeout_s: 60": "idle_timeout_s: 50"})
    stack.gateway.publish_config(pub["version"], pub["files"])
    ctl.start_identify()  # a resident is at the terminal
    assert bridge.pump_until(lambda: ctl.state.screen == "identify", 5)
    assert rt.heartbeat.beat()
    current = tmp / "state" / "config" / "current"
    assert current.is_symlink() and load_config(current).session.idle_timeout_s == 50
    assert stack.gateway.heartbeats[-1]["config_version"].startswith("local-")
    assert rt.heartbeat.beat()
    assert stack.gateway.heartbeats[-1]["config_pending"] == "2026-11-28.3"
    bridge.pump_until(lambda: False, 0.5)
    assert not ctl.exit_requested  # never in the middle of a session
    ctl.end_session()
    assert bridge.pump_until(lambda: ctl.exit_requested, 15)  # next idle watchdog tick: restart


def test_invalid_published_config_is_reported_in_the_next_heartbeat(ops_kiosk):
    stack, bridge, rt, ctl, tmp = ops_kiosk
    pub = _published("2026-11-28.4", **{"idle_timeout_s: 60": "idle_timeout_s: -5"})
    stack.gateway.publish_config(pub["version"], pub["files"])
    assert rt.heartbeat.beat()
    assert rt.heartbeat.beat()
    rejected = stack.gateway.heartbeats[-1]["config_rejected"]
    assert rejected["version"] == "2026-11-28.4" and "idle_timeout_s" in rejected["problems"][0]
    assert not (tmp / "state" / "config" / "current").exists()
    assert stack.gateway.heartbeats[-1]["config_version"].startswith("local-")  # still the last good one
    bridge.pump_until(lambda: False, 0.5)
    assert not ctl.exit_requested


def test_an_already_activated_version_is_not_applied_again_by_a_new_process(setup):
    """The app restarted on the staff dir (not via kiosk-session): no fetch/restart loop for the same version."""
    base, run, store = setup
    files = remote_files(base)
    fetched = []
    first = RemoteConfigUpdater(store, lambda c: fetched.append(1) or {"version": "v9", "files": files},
                                running_dir=base, run_dir=run)
    assert first.on_ack(Ack("v9")) == "applied"
    (run / "restart-request").unlink()
    second = RemoteConfigUpdater(store, lambda c: fetched.append(1) or {"version": "v9", "files": files},
                                 running_dir=base, run_dir=run)
    assert second.on_ack(Ack("v9")) == "same"
    assert fetched == [1] and not (run / "restart-request").exists()
    assert second.status()["config_pending"] == "v9"
