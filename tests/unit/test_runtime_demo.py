"""The main job end to end: ``kiosk demo`` in a subprocess (real app, offscreen GL, simulators, real touches).

Slow (~25 s) and needs Mesa GL, hence the ``ui`` and ``slow`` marks. It checks the outcome a reviewer looks
at: exit code 0, a screenshot of every screen of the walk, the printed receipts, and the walk log.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ["attract", "identify", "menu", "queue-ticket-result", "form-12345", "confirm-12345",
           "submission-result", "e-licence", "idle-countdown", "after-wipe", "identify-three-ways",
           "menu-after-ssm", "guide", "record", "staff-pin", "staff", "closed"]


@pytest.mark.ui
@pytest.mark.slow
def test_kiosk_demo_walks_every_screen_and_prints(tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1")
    env.pop("DISPLAY", None)
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "demo", "--out", str(tmp_path), "--headless"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    shots = {p.stem.split("-", 1)[1] for p in (tmp_path / "screens").glob("*.png")}
    assert set(SCREENS) <= shots, sorted(set(SCREENS) - shots)
    for png in (tmp_path / "screens").glob("*.png"):
        assert png.stat().st_size > 10_000, png  # a real rendering, not a black frame
    receipts = sorted((tmp_path / "receipts").glob("job-*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in receipts]
    assert len(receipts) >= 3 and not list((tmp_path / "receipts").glob("*incomplete*"))
    assert any("排队取号" in t for t in texts) and any("办件回执" in t for t in texts)
    walk = (tmp_path / "walk.txt").read_text(encoding="utf-8")
    assert "ok  no personal data left in any widget" in walk
    assert "ok  随申码 scanned → menu" in walk and "identified by 随申码 as 赵**" in walk  # not by a card left behind
