"""VoiceEngine: turns a prompt (one key, or an utterance of pieces) into a file ready to play, on a worker.

A single key resolves to its cached or recorded file. An utterance (a queue number, a counter,
minutes — :mod:`kiosk.voice.numbers`) is joined from cached pieces on the engine's one worker thread, never
on the UI thread: pieces are read once and kept in memory (trimmed, in the one internal format), joined
with short gaps, and written to a small ring of files in a private folder. The caller's ``on_ready`` runs
on the worker too (the player prepares the file in the audio device's format there, so the UI thread only
loads it — screens/audio.py says why loading itself belongs to the UI thread). A request
superseded before its turn (the resident moved on) is skipped rather than composed.
"""
from __future__ import annotations

import logging
import queue
import tempfile
import threading
from array import array
from collections import OrderedDict
from pathlib import Path
from typing import Callable

from kiosk.voice import wav
from kiosk.voice.cache import VoiceCache
from kiosk.voice.numbers import PAUSE, Utterance, check

log = logging.getLogger(__name__)
GAP_MS = 40  # between pieces of one sentence — a clerk does not pause between 零 二 三
PAUSE_MS = 220  # a comma
RING = 8  # composed files kept; a file is loaded whole by the player long before it is overwritten
PIECE_CACHE = 256


class VoiceEngine:
    def __init__(self, cache: VoiceCache, work_dir: str | Path | None = None) -> None:
        self.cache = cache
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix="kiosk-voice-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._pieces: OrderedDict[tuple[str, str], array] = OrderedDict()
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._latest = 0  # id of the newest request; older queued ones are skipped
        self._n = 0

    # ---- static prompts -----------------------------------------------------------------------------
    def path(self, key: str, lang: str) -> Path:
        return self.cache.resolve(key, lang)

    # ---- composed prompts -----------------------------------------------------------------------------
    def request(self, prompt: str | Utterance, lang: str, on_ready: Callable[[Path], None],
                on_error: Callable[[Exception], None]) -> int:
        """On the worker: resolve a key, or compose an utterance; then ``on_ready(path)`` (still on the worker,
        so the caller may load the file there too) unless a newer request superseded it."""
        check((prompt,) if isinstance(prompt, str) else prompt, lang)  # a typo fails here, not in silence
        with self._lock:
            self._latest += 1
            job_id = self._latest
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="voice-compose", daemon=True)
                self._thread.start()
        self._jobs.put((job_id, prompt, lang, on_ready, on_error))
        return job_id

    def cancel_pending(self) -> None:
        """Skip every request made so far that has not started (idle wipe, screen left)."""
        with self._lock:
            self._latest += 1

    def compose(self, utterance: Utterance, lang: str) -> array:
        """Join the pieces of ``utterance`` (blocking: call on a worker)."""
        out = array("h")
        gap, pause = wav.silence(GAP_MS), wav.silence(PAUSE_MS)
        for i, key in enumerate(utterance):
            if key == PAUSE:
                out.extend(pause)
                continue
            if i and utterance[i - 1] != PAUSE:
                out.extend(gap)
            out.extend(self._piece(key, lang))
        return out

    def close(self) -> None:
        self._jobs.put(None)
        if self._own_dir:
            for path in self.work_dir.glob("*.wav*"):
                path.unlink(missing_ok=True)
            self.work_dir.rmdir()

    def _piece(self, key: str, lang: str) -> array:
        with self._lock:
            found = self._pieces.get((key, lang))
            if found is not None:
                self._pieces.move_to_end((key, lang))
                return found
        samples = wav.trim(wav.read_pcm(self.cache.resolve(key, lang)))
        with self._lock:
            self._pieces[(key, lang)] = samples
            while len(self._pieces) > PIECE_CACHE:
                self._pieces.popitem(last=False)
        return samples

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job_id, prompt, lang, on_ready, on_error = job
            with self._lock:
                if job_id != self._latest:
                    continue  # superseded: the resident already moved on
                self._n += 1
                target = self.work_dir / f"utt-{self._n % RING}.wav"
            try:  # resolving touches the disk too; nothing a job raises may end the worker
                if isinstance(prompt, str):
                    path = self.cache.resolve(prompt, lang)
                else:
                    wav.write_wav(target, self.compose(prompt, lang))
                    path = target
            except Exception as exc:  # OSError, BadAudio, KeyError — or a bug: the player reports it to staff
                log.error("voice: could not prepare %s: %s", prompt, exc, exc_info=not isinstance(
                    exc, (OSError, wav.BadAudio, KeyError)))
                self._guarded(on_error, exc)
                continue
            self._guarded(on_ready, path)

    @staticmethod
    def _guarded(fn: Callable, arg: object) -> None:
        try:
            fn(arg)
        except Exception:  # a callback's bug must not end the worker; it is logged with its traceback
            log.exception("voice: callback %r failed", fn)
