"""The demo's ears: with ``SDL_AUDIODRIVER=disk`` everything the kiosk says during the walk ends up as WAV files.

SDL's ``disk`` driver writes the mixed output in real time (16-bit stereo at 44.1 kHz, as Kivy opens the
device) to ``SDL_DISKAUDIOFILE``; :func:`demo_capture` points it at ``OUT/audio/sdl-disk.raw`` before SDL's
audio starts. The Player tells :class:`DemoAudio` each prompt as it starts sounding, and DemoAudio notes
where the capture stood then; at the end :meth:`DemoAudio.save` cuts the capture at those marks into one
WAV per prompt, ``OUT/audio/NN-<prompt>.wav`` in the order they were heard (a prompt runs until the next one
replaced it or it ended), and lists them in ``OUT/audio/prompts.tsv`` (name, start, length, peak) — what
tests/unit/test_runtime_demo.py checks. Without the disk driver the kiosk simply speaks through the speakers.
"""
from __future__ import annotations

import os
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kiosk.voice import capture
from kiosk.voice.numbers import Utterance

RATE, CHANNELS = 44100, 2  # as Kivy opens SDL's device (screens/audio.py)
BYTES_PER_S = RATE * CHANNELS * 2


def demo_capture(out: Path) -> "DemoAudio | None":
    """When SDL's disk driver is in use: point it at ``OUT/audio/sdl-disk.raw`` (before SDL's audio starts)."""
    if os.environ.get("SDL_AUDIODRIVER") != "disk":
        return None
    raw = out / "audio" / "sdl-disk.raw"
    raw.parent.mkdir(parents=True, exist_ok=True)
    for old in list(raw.parent.glob("*.wav")) + [raw]:
        old.unlink(missing_ok=True)
    os.environ["SDL_DISKAUDIOFILE"] = str(raw)
    return DemoAudio(raw)


def close_voice(player: Any) -> None:
    if player is not None:
        player.stop_all()
        player.engine.close()


def label(prompt: str | Utterance) -> str:
    """A file name for what was said: the key, or for a composed sentence what it is."""
    if isinstance(prompt, str):
        return prompt
    head = prompt[0] if prompt else ""
    return {"piece.helper_coming": "help.eta", "piece.your_number": "ticket.call"}.get(
        head, f"{head}.phone" if head.startswith("help.") else "utterance")


@dataclass
class Mark:
    name: str
    at_s: float  # position on the capture's own timeline


class DemoAudio:
    def __init__(self, raw: Path) -> None:
        self.raw = raw
        self.marks: list[Mark] = []

    def now_s(self) -> float:
        """Seconds of sound (or silence) SDL has written so far."""
        return self.raw.stat().st_size / BYTES_PER_S if self.raw.exists() else 0.0

    def heard(self, prompt: str | Utterance) -> None:
        """The Player's ``on_play``: ``prompt`` starts sounding now (UI thread)."""
        self.marks.append(Mark(label(prompt), self.now_s()))

    def wait_heard(self, name: str, seconds: float, timeout: float = 30.0) -> None:
        """Until the capture holds ``seconds`` of the last prompt called ``name`` (or it was replaced)."""
        from kiosk_dev import uidriver

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mine = [i for i, m in enumerate(self.marks) if m.name == name]
            if mine and (mine[-1] + 1 < len(self.marks) or self.now_s() >= self.marks[mine[-1]].at_s + seconds):
                return
            time.sleep(0.02)
            uidriver.pump(1)  # the UI thread plays what the voice worker prepared
        raise AssertionError(f"prompt {name} was not heard for {seconds} s")

    def save(self) -> list[Path]:
        """One WAV per prompt heard, in order, and ``prompts.tsv``; the raw capture is removed."""
        if not self.raw.exists():
            return []
        samples = capture.read_disk(self.raw)  # mono at RATE
        out_dir, paths, rows = self.raw.parent, [], ["n\tprompt\tstart_s\tlength_s\tpeak"]
        for n, mark in enumerate(self.marks, start=1):
            end = self.marks[n].at_s if n < len(self.marks) else len(samples) / RATE
            piece = samples[int(mark.at_s * RATE): int(end * RATE)]
            path = out_dir / f"{n:02d}-{mark.name}.wav"
            with wave.open(str(path), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(RATE)
                w.writeframes(piece.tobytes())
            paths.append(path)
            peak = max((abs(s) for s in piece), default=0)
            rows.append(f"{n}\t{mark.name}\t{mark.at_s:.3f}\t{len(piece) / RATE:.3f}\t{peak}")
        (out_dir / "prompts.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        self.raw.unlink()
        return paths


def demo_voice(cfg: Any, post: Callable[..., None], runtime: Any, audio: DemoAudio | None) -> Any:
    """The kiosk's Player for the walk (None without a ``voice`` section): every screen speaks on entry
    (``auto_play: always`` — the demo is there to be heard), and each prompt marks the capture."""
    from kiosk.voice.setup import player_from_config
    from screens.audio import SdlAudio

    player = player_from_config(cfg, post, backend=SdlAudio(), on_status=runtime.audio_status)
    if player is not None:
        player.auto_play = "always"
        player.on_play = audio.heard if audio is not None else None
    return player
