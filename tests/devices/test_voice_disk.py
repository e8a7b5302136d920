"""Headless proof of the voice: real SDL audio (Kivy's bundled SDL2, ``disk`` driver) captures what the player
played; each expected prompt is present, not silent and in order, an interrupted prompt is cut short, the
idle wipe silences at once — and one WAV per heard prompt is left under an output folder."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.voice import capture
from kiosk.voice.cache import EspeakNg, VoiceCache
from screens.audio import DISK_RATE

ROOT = Path(__file__).resolve().parents[2]
# scripts/setup.sh installs espeak-ng: without it this proof must fail, not skip
assert shutil.which("espeak-ng"), "espeak-ng missing: run scripts/setup.sh"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("voice-cache")
    VoiceCache(path).build(EspeakNg(), ("zh-CN",))
    return path


def test_played_prompts_are_in_the_sdl_capture_in_order(cache_dir, tmp_path):
    raw = tmp_path / "sdl-disk.raw"
    env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(raw), KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1", KIVY_AUDIO="sdl2", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("voice_disk_driver.py")), str(cache_dir),
                           str(tmp_path / "work")], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"]["status"] == "online"
    assert result["started"] == ["screen.menu", "error.card_unread", "ticket", "step.take_receipt"]

    cache = VoiceCache(cache_dir)
    refs = {"screen.menu": cache.resolve("screen.menu", "zh-CN"),
            "error.card_unread": cache.resolve("error.card_unread", "zh-CN"),
            "ticket": Path(result["composed"]), "step.take_receipt": cache.resolve("step.take_receipt", "zh-CN")}
    envs = {k: capture.prompt_envelope(p) for k, p in refs.items()}
    heard = capture.split(capture.read_disk(raw), DISK_RATE, min_gap_s=0.45)
    # the interrupting prompt starts where the first one is cut, so the two make one stretch of sound
    assert len(heard) == 3, [(round(s.start_s, 2), round(s.duration_s, 2)) for s in heard]
    cut, card = heard[0], envs["error.card_unread"]
    starts = result["started_audio"]  # where on the capture's timeline each prompt was started
    menu_played = starts[1] - starts[0]  # measured, not the driver's nominal 0.5 s
    assert abs(cut.duration_s - (menu_played + len(card) / 100)) < 0.2  # menu cut, then the whole error
    head = {k: capture.match(cut.envelope[:45], e[:45]) for k, e in envs.items()}
    assert max(head, key=head.get) == "screen.menu" and head["screen.menu"] > 0.8, head
    tail = cut.envelope[-len(card):]
    assert capture.match(tail, card) > 0.8  # …and after it error.card_unread, alone (not mixed over menu)
    for seg, expected in zip(heard[1:], ["ticket", "step.take_receipt"]):
        scores = {k: capture.match(seg.envelope, e) for k, e in envs.items()}
        assert max(scores, key=scores.get) == expected, scores
        assert scores[expected] > 0.8, scores
    assert all(seg.peak > 3000 for seg in heard)  # not silent
    assert abs(heard[1].duration_s - len(envs["ticket"]) / 100) < 0.3  # composed, played to its end
    receipt_played = result["stopped_audio"] - starts[3]
    assert receipt_played < len(envs["step.take_receipt"]) / 100 - 0.2, "the prompt ended before the wipe"
    assert abs(heard[2].duration_s - receipt_played) < 0.2  # the wipe stopped it at once
    saved = capture.save_segments(heard, ["screen.menu+error.card_unread", "ticket", "step.take_receipt"],
                                  tmp_path / "out" / "audio")
    assert [p.name for p in saved] == ["01-screen.menu+error.card_unread.wav", "02-ticket.wav",
                                       "03-step.take_receipt.wav"]
