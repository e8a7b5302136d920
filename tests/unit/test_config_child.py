"""kiosk/config/child.py: the config validated in a forked child gives exactly what load_config gives."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kiosk.config import child as config_child
from kiosk.config.issues import ConfigError
from kiosk.config.loader import load_config
from kiosk.config.child import ConfigChildError, PendingConfig

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "tests" / "configs" / "broken"


def test_forked_check_returns_the_same_config_as_in_process():
    pending = PendingConfig(REPO / "config", fork=True)
    assert pending.forked
    cfg = pending.result()
    assert cfg == load_config(REPO / "config")
    assert cfg.display.font_path == load_config(REPO / "config").display.font_path


def test_the_child_also_hands_over_the_ui_catalogs():
    from kiosk import i18n

    pending = PendingConfig(REPO / "config", fork=True)
    pending.result()
    assert pending.catalogs == i18n.catalogs()
    assert pending.catalogs["zh-CN"]["common.help"] == "一键求助"


def test_in_process_fallback_gives_the_same_config():
    pending = PendingConfig(REPO / "config", fork=False)
    assert not pending.forked
    assert pending.result() == load_config(REPO / "config")


def test_invalid_config_raises_config_error_with_every_issue():
    with pytest.raises(ConfigError) as forked:
        PendingConfig(BROKEN / "several-faults", fork=True).result()
    with pytest.raises(ConfigError) as inline:
        load_config(BROKEN / "several-faults")
    assert len(forked.value.issues) >= 2
    assert [str(i) for i in forked.value.issues] == [str(i) for i in inline.value.issues]


def test_a_child_that_dies_is_reported_not_mistaken_for_a_config(monkeypatch):
    def die(_config_dir, _fd):
        os._exit(3)  # no verdict written

    monkeypatch.setattr(config_child, "_child_main", die)
    with pytest.raises(ConfigChildError, match="without a verdict"):
        PendingConfig(REPO / "config", fork=True).result()


def test_a_child_that_hangs_is_killed_after_the_timeout(monkeypatch):
    def hang(_config_dir, _fd):
        time.sleep(60)
        os._exit(0)

    monkeypatch.setattr(config_child, "_child_main", hang)
    pending = PendingConfig(REPO / "config", fork=True, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ConfigChildError, match="longer than"):
        pending.result()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pending._pid, os.WNOHANG)


def test_a_crash_inside_the_check_is_reported_with_its_reason(monkeypatch, tmp_path):
    def boom(config_dir):
        raise RuntimeError("disk on fire")

    import kiosk.config.loader
    monkeypatch.setattr(kiosk.config.loader, "check_config", boom)
    with pytest.raises(ConfigChildError, match="RuntimeError: disk on fire"):
        PendingConfig(tmp_path, fork=True).result()


def test_discard_stops_the_child():
    pending = PendingConfig(REPO / "config", fork=True)
    pending.discard()
    with pytest.raises(ChildProcessError):
        os.waitpid(pending._pid, os.WNOHANG)
