"""``kiosk run`` refuses an invalid configuration and names every problem; ``kiosk demo`` is registered."""
from __future__ import annotations

from pathlib import Path

from kiosk.cli import build_parser, main

BROKEN = Path(__file__).resolve().parents[1] / "configs" / "broken"


def test_run_refuses_invalid_config_listing_every_issue(capsys):
    code = main(["run", "--config", str(BROKEN / "several-faults"), "--headless"])
    err = capsys.readouterr().err
    assert code == 2
    assert "配置无效，终端未启动" in err and "invalid configuration" in err
    issues = [line for line in err.splitlines() if ".yaml:" in line]
    assert len(issues) >= 2, err  # every problem, not only the first


def test_run_refuses_missing_config_dir(tmp_path, capsys):
    assert main(["run", "--config", str(tmp_path / "nope")]) == 2
    assert "terminal.yaml" in capsys.readouterr().err


def test_demo_and_run_are_registered_with_their_options():
    parser = build_parser()
    args = parser.parse_args(["demo", "--out", "x", "--fixed-ports"])
    assert args.out == "x" and args.fixed_ports and callable(args.func)
    args = parser.parse_args(["run", "--config", "c", "--windowed"])
    assert args.config == "c" and args.windowed and callable(args.func)


def test_fast_commands_parse_exactly_as_the_full_parser():
    from kiosk.cli import FAST_COMMANDS

    argv = {"run": ["run", "--config", "c", "--headless", "--windowed"]}
    for command, module in FAST_COMMANDS.items():
        full = build_parser().parse_args(argv[command])
        fast = build_parser(only=module).parse_args(argv[command])
        assert vars(fast) == vars(full)
