"""Run in a child process by test_voice_disk.py: play a scripted prompt sequence through real SDL audio.

SDL's audio driver is chosen when SDL starts, so the test sets SDL_AUDIODRIVER=disk and SDL_DISKAUDIOFILE in
the child's environment; everything played is then in that file. argv: cache_dir work_dir.
"""
import json
import sys
import time
from pathlib import Path

from kiosk.bridge import QueueBridge
from kiosk.voice import numbers
from kiosk.voice.cache import VoiceCache
from kiosk.voice.engine import VoiceEngine
from kiosk.voice.player import Player
from kiosk.voice.sdl import SdlAudio
from kiosk.voice.wav import RATE, read_pcm


def main() -> None:
    cache_dir, work_dir = sys.argv[1], sys.argv[2]
    engine = VoiceEngine(VoiceCache(cache_dir), work_dir)
    bridge = QueueBridge()
    player = Player(engine, SdlAudio(), bridge.post, volume=1.0)

    def say(prompt) -> None:
        player.play(prompt, "zh-CN")
        assert bridge.pump_until(lambda: bool(player.started) and player.started[-1][0] == prompt, 10), prompt

    def length(key: str) -> float:
        return len(read_pcm(engine.path(key, "zh-CN"))) / RATE

    say("screen.menu")
    time.sleep(0.5)
    say("error.card_unread")  # the next prompt stops the one sounding
    time.sleep(length("error.card_unread") + 1.0)
    ticket = numbers.ticket_call("A023", 3, "zh-CN")
    say(ticket)
    composed = sorted(Path(work_dir).glob("utt-*.wav"))[-1]
    time.sleep(len(read_pcm(composed)) / RATE + 1.0)
    say("step.take_receipt")
    time.sleep(0.8)
    player.stop_all()  # idle wipe: silence at once
    time.sleep(1.0)
    print(json.dumps({"status": player.health(), "composed": str(composed),
                      "started": [p if isinstance(p, str) else "ticket" for p, _ in player.started]}))


if __name__ == "__main__":
    main()
