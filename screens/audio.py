"""SDL2 audio for the Player through Kivy's SoundLoader (Kivy is imported only when the first sound loads).

Kivy's ``audio_sdl2`` provider opens the device with SDL_mixer at 44.1 kHz stereo and converts our 22.05 kHz
mono prompts itself. With ``SDL_AUDIODRIVER=disk`` SDL writes everything it plays, mixed, as raw 16-bit
stereo to ``SDL_DISKAUDIOFILE`` in real time — the headless proof (:mod:`kiosk.voice.capture`). When the
device cannot be opened SoundLoader answers None (or a sound without a length), which the Player reports.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DISK_RATE = 44100
DISK_CHANNELS = 2


class SdlAudio:
    def __init__(self) -> None:
        os.environ.setdefault("KIVY_AUDIO", "sdl2")  # never probe gstreamer/ffpyplayer on a kiosk

    def load(self, path: Path) -> Any:
        from kivy.core.audio import SoundLoader

        sound = SoundLoader.load(str(path))
        if sound is None or not sound.length:
            return None
        return sound
