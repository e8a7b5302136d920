"""Run in a child process by test_voice_disk.py: play a scripted prompt sequence through real SDL audio.

SDL's audio driver is chosen when SDL starts, so the test sets SDL_AUDIODRIVER=disk and SDL_DISKAUDIOFILE in
the child's environment; everything played is then in that file. argv: cache_dir work_dir.

Pauses are measured on the capture's own timeline (the file's length), not by wall-clock sleeps: on a loaded
machine SDL's disk thread falls behind the wall clock, and a 1 s sleep could leave only a few ms of silence
in the file (two prompts then read as one). The positions where each prompt started and where the wipe came
are reported too, so the test compares what was heard with where things happened, not with nominal sleeps.
"""
import json
import os
import sys
import time
from pathlib import Path

from kiosk.bridge import QueueBridge
from kiosk.voice import numbers
from kiosk.voice.cache import VoiceCache
from kiosk.voice.engine import VoiceEngine
from kiosk.voice.player import Player
from screens.audio import DISK_CHANNELS, DISK_RATE, SdlAudio
from kiosk.voice.wav import RATE, read_pcm

CAPTURE = Path(os.environ["SDL_DISKAUDIOFILE"])
BYTES_PER_S = DISK_RATE * DISK_CHANNELS * 2


def audio_now() -> float:
    """Seconds of sound (or silence) SDL has written so far."""
    return CAPTURE.stat().st_size / BYTES_PER_S if CAPTURE.exists() else 0.0


def wait_audio(seconds: float) -> None:
    """Until ``seconds`` more of the capture are written; SystemExit if SDL stops writing altogether."""
    target, deadline = audio_now() + seconds, time.monotonic() + 30 + 20 * seconds
    while audio_now() < target:
        if time.monotonic() > deadline:
            raise SystemExit(f"SDL wrote no audio for {30 + 20 * seconds:.0f} s")
        time.sleep(0.01)


def main() -> None:
    cache_dir, work_dir = sys.argv[1], sys.argv[2]
    engine = VoiceEngine(VoiceCache(cache_dir), work_dir)
    bridge = QueueBridge()
    player = Player(engine, SdlAudio(), bridge.post, volume=1.0)
    started_audio: list[float] = []

    def say(prompt) -> None:
        player.play(prompt, "zh-CN")
        assert bridge.pump_until(lambda: bool(player.started) and player.started[-1][0] == prompt, 10), prompt
        started_audio.append(audio_now())

    def length(key: str) -> float:
        return len(read_pcm(engine.path(key, "zh-CN"))) / RATE

    say("screen.menu")
    wait_audio(0.5)
    say("error.card_unread")  # the next prompt stops the one sounding
    wait_audio(length("error.card_unread") + 1.0)
    ticket = numbers.ticket_call("A023", 3, "zh-CN")
    say(ticket)
    composed = sorted(Path(work_dir).glob("utt-*.wav"))[-1]
    wait_audio(len(read_pcm(composed)) / RATE + 1.0)
    say("step.take_receipt")
    wait_audio(0.8)
    stopped_audio = audio_now()
    player.stop_all()  # idle wipe: silence at once
    wait_audio(1.0)
    print(json.dumps({"status": player.health(), "composed": str(composed),
                      "started": [p if isinstance(p, str) else "ticket" for p, _ in player.started],
                      "started_audio": started_audio, "stopped_audio": stopped_audio}))


if __name__ == "__main__":
    main()
