"""terminal.yaml's ``help`` section: the duty phone and the wait bounds are validated like every key, with file,
line and key in the message; the section is optional."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.loader import check_config

from test_config import cfg_dir, patch  # noqa: F401 — the shipped config in a temporary folder


def edit(d: Path, old: str, new: str) -> None:
    patch(d, "terminal.yaml", old, new)


def test_shipped_help_section(cfg_dir: Path) -> None:
    cfg, issues = check_config(cfg_dir)
    assert issues == [] and cfg.help.duty_phone == "021-62470000"
    assert (cfg.help.wait_after_eta_min, cfg.help.wait_unacknowledged_min) == (5, 10)


@pytest.mark.parametrize("old,new,key", [
    ("  duty_phone: 021-62470000\n", "  duty_phone: 值班室\n", "help.duty_phone"),
    ("  duty_phone: 021-62470000\n", "  duty_phone: 62470000\n", "help.duty_phone"),  # a number, not text
    ("  wait_after_eta_min: 5\n", "  wait_after_eta_min: -1\n", "help.wait_after_eta_min"),
    ("  wait_unacknowledged_min: 10\n", "  wait_unacknowledged_min: 0\n", "help.wait_unacknowledged_min"),
    ("  wait_unacknowledged_min: 10\n", "  wait_unacknowledged_min: 10\n  pager: on\n", "help.pager"),
])
def test_bad_help_values_are_named_with_their_line(cfg_dir: Path, old: str, new: str, key: str) -> None:
    edit(cfg_dir, old, new)
    cfg, issues = check_config(cfg_dir)
    assert cfg is None and [i.key for i in issues] == [key]
    assert issues[0].line == next(n for n, line in enumerate(
        (cfg_dir / "terminal.yaml").read_text(encoding="utf-8").splitlines(), 1) if line.strip().startswith(
        key.split(".")[1] + ":"))


def test_the_section_is_optional(cfg_dir: Path) -> None:
    text = (cfg_dir / "terminal.yaml").read_text(encoding="utf-8")
    start = text.index("help:\n")
    end = text.index("\nvoice:\n")
    (cfg_dir / "terminal.yaml").write_text(text[:start] + text[end + 1:], encoding="utf-8")
    cfg, issues = check_config(cfg_dir)
    assert issues == [] and cfg.help.duty_phone is None and cfg.help.wait_after_eta_min == 5
