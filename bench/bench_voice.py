"""Voice latency: a prompt requested → its first audio sample out of SDL, p50/p95 (target p95 ≤ 150 ms).

    .venv/bin/python bench/bench_voice.py [--rounds N]

Runs the real Player over Kivy's SDL2 audio with SDL's ``disk`` driver, which writes the mixed output in
real time to a file: before each request the bench notes how many bytes SDL has written (the stream position
"now"), plays the prompt, and afterwards finds the first sounding sample after that position. The distance
is what a listener would wait, including SDL_mixer's 1024-frame buffer; since SDL's file writes are buffered
(stdio), the noted position can lag the true one, so the figure errs long, never short. Two kinds: a cached
prompt (``screen.*``/``error.*`` keys) and a composed one (queue number + counter, joined on the worker from
cached pieces). Also prints how long ``play()`` holds the calling (UI) thread, and how long the posted load +
play of the prepared file holds it (screens/audio.py: SoundLoader runs on the UI thread, the conversion to the
device's format on the worker) next to loading the unprepared 22.05 kHz file there, as it would cost without
the worker's preparation. Builds a zh-CN cache with espeak-ng in a temporary folder first.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STATIC = ["screen.menu", "error.paper_out", "screen.identify", "step.take_receipt", "error.card_unread"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=40, help="requests of each kind")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-voice-"))
    raw = tmp / "sdl-disk.raw"
    os.environ.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(raw), KIVY_NO_ARGS="1",
                      KIVY_NO_CONSOLELOG="1", KIVY_AUDIO="sdl2")
    from kiosk.bridge import QueueBridge
    from kiosk.voice import capture, numbers
    from kiosk.voice.cache import EspeakNg, VoiceCache
    from kiosk.voice.engine import VoiceEngine
    from kiosk.voice.player import Player
    from screens.audio import DISK_RATE, SdlAudio

    cache = VoiceCache(tmp / "cache")
    cache.build(EspeakNg(), ("zh-CN",))
    engine = VoiceEngine(cache, tmp / "work")
    bridge = QueueBridge()
    player = Player(engine, SdlAudio(), bridge.post, volume=1.0)
    player.play("piece.digit.0", "zh-CN")
    bridge.pump_until(lambda: bool(player.started), 5)  # opens the device (once per process, at start-up in the kiosk)
    time.sleep(0.6)
    player.stop()
    time.sleep(0.4)
    ui_ms: dict[str, list[float]] = {"cached": [], "composed": []}
    real_start = player._start

    def timed_start(prompt, ready, gen):  # the posted UI-thread half: SoundLoader.load + play
        t = time.perf_counter()
        real_start(prompt, ready, gen)
        ui_ms["cached" if isinstance(prompt, str) else "composed"].append((time.perf_counter() - t) * 1000)
    player._start = timed_start
    marks: list[tuple[str, int, float]] = []
    for i in range(args.rounds * 2):
        composed = i % 2 == 1
        prompt = numbers.ticket_call(f"A{i:03d}", 1 + i % 12, "zh-CN") if composed else STATIC[i // 2 % len(STATIC)]
        position = raw.stat().st_size // 4  # stereo 16-bit frames written so far
        t0 = time.perf_counter()
        player.play(prompt)
        held = time.perf_counter() - t0
        bridge.pump_until(lambda p=prompt: bool(player.started) and player.started[-1][0] == p, 5)
        marks.append(("composed" if composed else "cached", position, held))
        time.sleep(0.35)
        player.stop()
        time.sleep(0.3)
    time.sleep(0.3)
    samples = capture.read_disk(raw)
    latency: dict[str, list[float]] = {"cached": [], "composed": []}
    held_ms: dict[str, list[float]] = {"cached": [], "composed": []}
    for kind, position, held in marks:
        first = next((j for j in range(position, len(samples)) if abs(samples[j]) > 300), None)
        if first is None:
            print(f"no sound after frame {position}", file=sys.stderr)
            return 1
        latency[kind].append((first - position) / DISK_RATE * 1000)
        held_ms[kind].append(held * 1000)
    print(f"voice latency, request → first audio sample (SDL disk driver), {args.rounds} requests each:")
    for kind in ("cached", "composed"):
        v = latency[kind]
        print(f"  {kind:9s} p50 {statistics.median(v):6.1f} ms  p95 {pct(v, 95):6.1f} ms  max {max(v):6.1f} ms"
              f"   play() holds the UI thread p95 {pct(held_ms[kind], 95):5.2f} ms")
    from kivy.core.audio import SoundLoader

    unprepared = []
    for i in range(args.rounds):
        t = time.perf_counter()
        sound = SoundLoader.load(str(engine.path(STATIC[i % len(STATIC)], "zh-CN")))
        unprepared.append((time.perf_counter() - t) * 1000)
        sound.unload()
    for kind in ("cached", "composed"):
        print(f"  {kind:9s} load + play of the prepared file on the UI thread: p50 "
              f"{statistics.median(ui_ms[kind]):5.2f} ms  p95 {pct(ui_ms[kind], 95):5.2f} ms")
    print(f"  (loading the unprepared 22.05 kHz file on the UI thread instead: p50 "
          f"{statistics.median(unprepared):5.2f} ms  p95 {pct(unprepared, 95):5.2f} ms)")
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
