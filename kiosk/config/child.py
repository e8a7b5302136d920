"""Validate the configuration in a forked child process while the kiosk process brings Kivy up.

Why: checking the configuration (importing pydantic, building its validators, validating both files) is
~120 ms of pure CPU, and it has to be done before the window exists so that an invalid configuration
stops the kiosk before anything is shown. Threads cannot overlap it with Kivy's start (both hold the GIL;
measured: no gain). A child process can: on the terminal's second core it validates while this process
imports Kivy and the screens, then hands back the validated config (and the UI text catalogs, also YAML)
as a pickle. The config types import
no pydantic (kiosk/config/base.py), so the kiosk process never pays for pydantic before its first frame.

The parent still waits for the verdict before it creates the window: an invalid config is reported exactly
like ``kiosk config check`` (every issue, file, line and key) and nothing is drawn. Every wait is bounded.
Fork is only used on POSIX and only while this process has a single thread (forking a threaded process
is unsafe); otherwise the config is validated in-process, with the same result.
"""
from __future__ import annotations

import os
import pickle
import select
import threading
import time
from pathlib import Path
from typing import Any

#: longest wait for the child's verdict (a slow SD card on a loaded terminal takes well under a second)
DEFAULT_TIMEOUT_S = 30.0


class ConfigChildError(RuntimeError):
    """The validating child died, timed out or sent something unreadable (not a config problem)."""


def _child_main(config_dir: Path | None, fd: int) -> None:
    """In the forked child: validate, write one pickle to ``fd``, leave without running atexit/finalizers."""
    code = 0
    try:
        from kiosk import i18n
        from kiosk.config.loader import check_config

        cfg, issues = check_config(config_dir)
        # the UI text catalogs are YAML too: read here, the kiosk process needs no YAML parser at all
        payload = pickle.dumps(("ok", (cfg, i18n.catalogs())) if cfg is not None else ("invalid", issues))
    except BaseException as exc:  # reported to the parent, which raises it; the child must not unwind
        payload = pickle.dumps(("crash", f"{type(exc).__name__}: {exc}"))
        code = 1
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os._exit(code)


class PendingConfig:
    """A config being validated; :meth:`result` returns it (or raises ConfigError / ConfigChildError)."""

    def __init__(self, config_dir: str | os.PathLike[str] | None, *, timeout: float = DEFAULT_TIMEOUT_S,
                 fork: bool | None = None) -> None:
        """``fork``: None = fork when it is safe (POSIX, one thread); True/False force it (tests)."""
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self.timeout = timeout
        self.forked = (hasattr(os, "fork") and threading.active_count() == 1) if fork is None else fork
        self._pid = 0
        self._fd = -1
        #: the UI text catalogs the child read (``kiosk.i18n.preload``); empty when checked in-process
        self.catalogs: dict[str, dict[str, str]] = {}
        if not self.forked:
            return
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which leaves through os._exit
            os.close(read_fd)
            _child_main(self.config_dir, write_fd)
        os.close(write_fd)
        self._pid, self._fd = pid, read_fd
        self._started = time.monotonic()

    def result(self) -> Any:
        from kiosk.config.issues import ConfigError

        if not self.forked:
            from kiosk.config.loader import load_config

            return load_config(self.config_dir)
        kind, value = self._receive()
        if kind == "ok":
            cfg, self.catalogs = value
            return cfg
        if kind == "invalid":
            raise ConfigError(value)
        raise ConfigChildError(f"配置校验进程出错 / the config check failed: {value}")

    def _receive(self) -> tuple[str, Any]:
        chunks: list[bytes] = []
        deadline = self._started + self.timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConfigChildError(f"配置校验超时（{self.timeout:.0f} 秒）/ the config check took longer "
                                           f"than {self.timeout:.0f} s")
                ready, _, _ = select.select([self._fd], [], [], left)
                if not ready:
                    continue
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            self._fd = -1
            self._reap()
        try:
            kind, value = pickle.loads(b"".join(chunks))
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
            raise ConfigChildError(f"配置校验进程意外退出 / the config check ended without a verdict ({exc})") from exc
        return kind, value

    def discard(self) -> None:
        """The start was abandoned before the verdict was needed: stop and collect the child."""
        if self.forked and self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            os.kill(self._pid, 9)
            os.waitpid(self._pid, 0)

    def _reap(self) -> None:
        """Collect the child (it exits right after writing); kill it if it is somehow still there."""
        for _ in range(50):
            pid, _status = os.waitpid(self._pid, os.WNOHANG)
            if pid:
                return
            time.sleep(0.01)
        os.kill(self._pid, 9)
        os.waitpid(self._pid, 0)
