"""SDL2 audio for the Player through Kivy's SoundLoader (Kivy is imported only when the first sound loads).

Kivy's ``audio_sdl2`` provider opens the device with SDL_mixer at 44.1 kHz stereo. With ``SDL_AUDIODRIVER=disk``
SDL writes everything it plays, mixed, as raw 16-bit stereo to ``SDL_DISKAUDIOFILE`` in real time — the
headless proof (:mod:`kiosk.voice.capture`). When the device cannot be opened SoundLoader answers None (or a
sound without a length), which the Player reports.

Which thread does what, and why. ``SoundLoader.load`` used to run on the voice engine's worker thread, to keep
the decoding (SDL_mixer converting a 22.05 kHz mono prompt to the device's 44.1 kHz stereo, ~25 ms) off the UI
thread. That is not safe: the first load runs SDL_mixer's ``Mix_OpenAudio`` (and ``SDL_Init`` of the audio
subsystem), which SDL wants on the thread that owns SDL (the UI thread, which is polling SDL's events at the
same time), and the sound it returns is a Kivy ``EventDispatcher`` whose properties and Clock events belong to
the UI thread (its ``play()`` schedules a Clock check). So the work is split:

- :meth:`SdlAudio.prepare` runs on the worker, touches no Kivy and no SDL: it reads the prompt and writes it in
  the device's own format (44.1 kHz, stereo, 16-bit) to a private folder, kept for the next time (LRU);
- :meth:`SdlAudio.load` runs on the UI thread: ``SoundLoader.load`` of that file, which SDL_mixer now only
  reads into memory — nothing left to convert (bench/bench_voice.py measures it; docs/PERFORMANCE.md §8).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from kiosk.voice import wav

DISK_RATE = 44100
DISK_CHANNELS = 2
#: prepared files kept (~0.5 MB per 3 s prompt): the prompts of a session and the screens around it
KEEP = 48


class SdlAudio:
    def __init__(self, work_dir: str | Path | None = None) -> None:
        os.environ.setdefault("KIVY_AUDIO", "sdl2")  # never probe gstreamer/ffpyplayer on a kiosk
        self._own = work_dir is None
        self.work_dir = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix="kiosk-audio-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._ready: OrderedDict[tuple[str, int, int], Path] = OrderedDict()
        self._lock = threading.Lock()  # prepare() is meant for one worker; the lock makes a second one harmless
        self._n = 0

    def prepare(self, path: Path) -> Path:
        """Worker thread: ``path`` in the device's format (a file of our own). Raises OSError / BadAudio."""
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
        with self._lock:
            hit = self._ready.get(key)
            if hit is not None and hit.is_file():
                self._ready.move_to_end(key)
                return hit
            self._n += 1
            target = self.work_dir / f"dev-{self._n}.wav"
        wav.write_wav(target, wav.to_device(wav.read_pcm(path), DISK_RATE, DISK_CHANNELS), rate=DISK_RATE,
                      channels=DISK_CHANNELS)
        with self._lock:
            self._ready[key] = target
            while len(self._ready) > KEEP:
                _old, dropped = self._ready.popitem(last=False)
                dropped.unlink(missing_ok=True)  # SDL_mixer keeps a loaded sound in memory, not the file
        return target

    def load(self, path: Path) -> Any:
        """UI thread: the prepared file as a Kivy sound, or None when the device cannot play it."""
        from kivy.core.audio import SoundLoader

        sound = SoundLoader.load(str(path))
        if sound is None or not sound.length:
            return None
        return sound

    def close(self) -> None:
        if self._own:
            shutil.rmtree(self.work_dir, ignore_errors=True)
