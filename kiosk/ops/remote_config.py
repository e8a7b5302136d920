"""Remote configuration: fetch a newer config the gateway announces, validate it, apply it between sessions.

Flow (all of it on the heartbeat worker, except the hand-over to the app which waits for the attract screen):

1. Every heartbeat reply carries the ``config_version`` the centre wants this terminal to run.
   :meth:`RemoteConfigUpdater.on_ack` compares it with the version in use and with the last rejected one.
2. A new version is fetched (``GET /v1/terminals/{id}/config`` → ``{"version", "files": {"terminal.yaml",
   "services.yaml"}}``) and written into a staging directory with a ``PATHS_FROM`` file naming the staff
   config directory: relative paths (CA bundle, secret, key, outbox) resolve there, and nothing is copied —
   a secret staff rotate on disk takes effect at the next start, whichever config is in use.
3. The staged directory is validated with :func:`kiosk.config.loader.check_config` — the same function
   behind ``kiosk config check`` — plus two rules of our own: the new config must be for *this* terminal
   id, and it may differ from the staff config only in remotely changeable keys
   (:mod:`kiosk.ops.remote_policy`); a forbidden change refuses the version and raises the
   ``config.remote_refused`` alert.
   Invalid → the version is remembered as rejected, the running config stays, and the reason (file:line:
   key: message, as staff see it) is reported in the next heartbeats (``config_rejected``).
4. Valid → the staged directory becomes ``versions/<version>`` and the ``current`` symlink is swapped to it
   atomically (rename over the link). deploy/kiosk-session starts the app with ``current`` after checking
   it once more. A restart is then requested through kiosk/ops/watchdog.py's request file, which the app
   honours only on the attract/closed screen — so a config never changes under a resident's session, and
   every part (devices, display, catalog) comes up on the new config together.

Nothing here blocks the UI thread; the fetch has the gateway client's timeouts and honours ``cancel``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from kiosk.clock import wall_time
from kiosk.config.loader import PATHS_FILE, SERVICES_FILE, TERMINAL_FILE, check_config
from kiosk.ops.watchdog import RESTART_REQUEST

log = logging.getLogger(__name__)

CONFIG_FILES = (TERMINAL_FILE, SERVICES_FILE)
VERSION_FILE = "VERSION"
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class RemoteConfig:
    version: str
    files: Mapping[str, str]

    @classmethod
    def parse(cls, data: Any) -> "RemoteConfig":
        """Validate the gateway's reply shape; raise ValueError saying what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("config reply is not a JSON object")
        version, files = data.get("version"), data.get("files")
        if not isinstance(version, str) or not _VERSION_RE.match(version):
            raise ValueError(f"bad config version {version!r}")
        if not isinstance(files, Mapping) or set(files) != set(CONFIG_FILES):
            raise ValueError(f"config reply must hold exactly {list(CONFIG_FILES)}")
        for name, text in files.items():
            if not isinstance(text, str) or len(text.encode("utf-8")) > MAX_FILE_BYTES:
                raise ValueError(f"{name}: not text or larger than {MAX_FILE_BYTES} bytes")
        return cls(version, dict(files))


def local_version(config_dir: str | os.PathLike) -> str:
    """Version of a config directory: its VERSION file (remote configs) or ``local-<hash of the YAML>``."""
    base = Path(config_dir)
    marker = base / VERSION_FILE
    if marker.is_file():
        return marker.read_text(encoding="utf-8").strip()
    digest = hashlib.sha256()
    for name in CONFIG_FILES:
        path = base / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return "local-" + digest.hexdigest()[:12]


class ConfigStore:
    """``root/versions/<version>/`` directories and the ``root/current`` symlink to the one in use."""

    def __init__(self, root: str | os.PathLike, base_dir: str | os.PathLike, *, keep: int = 3) -> None:
        self.root = Path(root)
        self.base_dir = Path(base_dir)
        self.keep = keep

    @property
    def current(self) -> Path:
        return self.root / "current"

    def active_dir(self) -> Path:
        return self.current if self.current.is_dir() else self.base_dir

    def stage(self, remote: RemoteConfig) -> tuple[Path, list[str]]:
        """Write ``remote`` over a copy of the base dir and validate it. Returns (dir, problems)."""
        versions = self.root / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        staging = versions / f".staging-{remote.version}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(mode=0o700)
        for name, text in remote.files.items():
            (staging / name).write_text(text, encoding="utf-8")
        (staging / VERSION_FILE).write_text(remote.version + "\n", encoding="utf-8")
        # secrets and other files stay where staff keep them: relative paths resolve in the staff directory
        (staging / PATHS_FILE).write_text(str(self.base_dir.resolve()) + "\n", encoding="utf-8")
        return staging, self.validate(staging)

    def validate(self, directory: Path) -> list[str]:
        from kiosk.ops.remote_policy import remote_problems

        cfg, issues = check_config(directory)
        if cfg is None:
            return [str(issue) for issue in issues]
        base_cfg, _ = check_config(self.active_dir())
        if base_cfg is not None and cfg.terminal.id != base_cfg.terminal.id:
            return [f"{directory / TERMINAL_FILE}: terminal.id: 终端编号不符，配置属于 {cfg.terminal.id} 而本机为 "
                    f"{base_cfg.terminal.id} (config is for another terminal)"]
        return remote_problems(directory, self.base_dir)

    def activate(self, staging: Path, version: str) -> Path:
        """Move the staged dir into place and point ``current`` at it (atomic rename of the link)."""
        final = self.root / "versions" / version
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
        tmp_link = self.root / ".current.tmp"
        if tmp_link.is_symlink() or tmp_link.exists():
            tmp_link.unlink()
        tmp_link.symlink_to(Path("versions") / version)
        os.replace(tmp_link, self.current)
        self._prune(keep_also=final)
        return final

    def _prune(self, keep_also: Path) -> None:
        versions = sorted((p for p in (self.root / "versions").iterdir() if p.is_dir()),
                          key=lambda p: p.stat().st_mtime, reverse=True)
        for old in versions[self.keep:]:
            if old != keep_also and not old.name.startswith(".staging-"):
                shutil.rmtree(old, ignore_errors=False)


class RemoteConfigUpdater:
    """Decide, fetch, validate, activate; report. ``fetch(cancel)`` returns the gateway's JSON reply."""

    def __init__(self, store: ConfigStore, fetch: Callable[[threading.Event | None], Any], *,
                 running_dir: str | os.PathLike, run_dir: str | os.PathLike | None = None,
                 on_applied: Callable[[str, Path], None] | None = None,
                 clock: Callable[[], float] = wall_time) -> None:
        self.store = store
        self.fetch = fetch
        self.running_version = local_version(running_dir)
        self.run_dir = Path(run_dir) if run_dir else None
        self.on_applied = on_applied
        self._clock = clock
        self._lock = threading.Lock()
        self.pending_version: str | None = None  # activated, waiting for the idle restart
        if store.current.is_dir() and local_version(store.current) != self.running_version:
            # already activated but this process was not started on it (a restart is pending, or the app
            # was started on the staff dir by hand): do not fetch and restart for it again and again
            self.pending_version = local_version(store.current)
        self.rejected: dict[str, Any] | None = None
        self._fetch_failing = False

    def current_version(self) -> str:
        return self.running_version

    def status(self) -> dict[str, Any]:
        """Fields merged into the heartbeat payload."""
        with self._lock:
            return {"config_pending": self.pending_version, "config_rejected": self.rejected}

    def alerts(self) -> list[tuple[str, str, str, str]]:
        """Heartbeat alert while the last rejected version tried to change keys a remote config may not."""
        with self._lock:
            rejected = self.rejected
        if rejected is None or not rejected.get("forbidden"):
            return []
        keys = ", ".join(rejected["forbidden"][:5])
        return [("config.remote_refused", "critical",
                 f"远程配置 {rejected['version']} 试图修改不允许远程修改的项（{keys}），已拒绝",
                 f"remote config {rejected['version']} tried to change keys that are not remotely changeable "
                 f"({keys}): refused")]

    def on_ack(self, ack: Any, cancel: threading.Event | None = None) -> str:
        """Handle a heartbeat reply. Returns what happened: same | rejected-before | fetch-failed |
        rejected | pending | applied."""
        wanted = getattr(ack, "config_version", None) or (ack.get("config_version") if isinstance(ack, Mapping) else None)
        with self._lock:
            if not wanted or wanted in (self.running_version, self.pending_version):
                return "same"
            if self.rejected is not None and self.rejected["version"] == wanted:
                return "rejected-before"
        from kiosk.backend.errors import BackendError  # lazy: no HTTP stack needed to use the store

        try:
            remote = RemoteConfig.parse(self.fetch(cancel))
        except (BackendError, ValueError) as exc:
            if isinstance(exc, ValueError):
                return self._reject(wanted, [f"配置下载内容无效 (malformed config reply): {exc}"])
            if not self._fetch_failing:
                log.warning("fetching config %s failed: %s (retried with the next heartbeat)", wanted, exc)
            self._fetch_failing = True
            return "fetch-failed"
        self._fetch_failing = False
        if remote.version != wanted:
            log.info("gateway announced config %s but served %s; validating what was served",
                     wanted, remote.version)
        staging, problems = self.store.stage(remote)
        if problems:
            shutil.rmtree(staging, ignore_errors=True)
            return self._reject(remote.version, problems)
        final = self.store.activate(staging, remote.version)
        with self._lock:
            self.pending_version = remote.version
            self.rejected = None
        log.info("config %s validated and activated; the app restarts on the next idle moment", remote.version)
        self._request_restart(remote.version)
        if self.on_applied is not None:
            self.on_applied(remote.version, final)
        return "applied"

    def _reject(self, version: str, problems: list[str]) -> str:
        with self._lock:
            forbidden = [p.split(": ")[1] for p in problems if "not remotely changeable" in p]
            self.rejected = {"version": version, "at": self._clock(), "problems": problems[:20],
                             "count": len(problems), "forbidden": forbidden}
        log.error("config %s rejected, keeping %s: %s", version, self.running_version, "; ".join(problems[:5]))
        return "rejected"

    def _request_restart(self, version: str) -> None:
        if self.run_dir is None:
            return
        try:
            (self.run_dir / RESTART_REQUEST).write_text(json.dumps({"reason": f"config {version}",
                                                                    "at": self._clock()}))
        except OSError as exc:  # the config is in place; it will be used at the next (nightly) restart
            log.warning("cannot request a restart for config %s: %s", version, exc)
