"""Player: the one voice of the kiosk — never two prompts at once, never blocking a flow.

``play(prompt)`` stops whatever is sounding and starts ``prompt`` (a catalog key, or an utterance composed
on the engine's worker). Every call takes a new generation number, so a composed prompt that arrives after
the resident already moved on is dropped instead of talking over the next screen. ``stop()`` (leaving a
screen) and ``stop_all()`` (idle wipe: also drops pending compositions) silence it. Volume and mute come
from the config and may be changed by staff at run time.

Sound output goes through a backend (:class:`screens.audio.SdlAudio` in the app: SDL2 audio via Kivy's
SoundLoader; tests may pass another). A device that cannot open or play is *reported* — ``status`` in the
device vocabulary (``online``/``hardwareError``) feeds :class:`kiosk.ops.alerts.AlertTracker` as device
``audio``, and ``on_status`` tells the runtime at once (kiosk/runtime.py ``audio_status``) — and the flow goes
on silently. Calls are made on the UI thread and return at once. Threads: the file is resolved or composed,
and prepared in the device's format (``backend.prepare``: plain file work, no Kivy, no SDL), on the engine's
worker; it comes back through the ``post`` bridge (:mod:`kiosk.bridge`) and is loaded (``backend.load``:
Kivy's SoundLoader, which opens SDL's audio device and makes a Kivy object — UI-thread work, see
screens/audio.py for why) and played on the UI thread, only if no newer prompt was asked for meanwhile.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable, Protocol

from kiosk.voice.engine import VoiceEngine
from kiosk.voice.numbers import Utterance

log = logging.getLogger(__name__)
Prompt = str | Utterance


class Sound(Protocol):
    volume: float

    def play(self) -> None: ...
    def stop(self) -> None: ...
    def unload(self) -> None: ...


class AudioBackend(Protocol):
    def prepare(self, path: Path) -> Path: ...  # worker thread: no Kivy, no SDL
    def load(self, path: Path) -> Sound | None: ...  # UI thread


class Player:
    def __init__(self, engine: VoiceEngine, backend: AudioBackend, post: Callable[..., None], *,
                 volume: float = 0.8, muted: bool = False, auto_play: str = "elder",
                 on_status: Callable[[dict[str, Any]], None] | None = None,
                 on_play: Callable[[Prompt], None] | None = None) -> None:
        self.engine = engine
        self.backend = backend
        self.post = post
        self.volume = min(1.0, max(0.0, volume))
        self.muted = muted
        self.auto_play = auto_play  # always | elder | never (kiosk/voice/prompts.py)
        self.on_status = on_status
        self.on_play = on_play  # told of each prompt as it starts sounding (the demo marks its audio capture)
        self.lang = "zh-CN"
        self._gen = 0
        self._sound: Sound | None = None
        self._last: tuple[Prompt, str] | None = None
        # the device vocabulary kiosk.ops.heartbeat.runtime_snapshot reads from drivers (devices["audio"])
        self.status = "online"
        self.status_reason: str | None = None
        self.status_action = "none"
        #: (prompt, monotonic time the sound started) — what the bench and the tests read
        self.started: list[tuple[Prompt, float]] = []

    # ---- what screens and the session call -----------------------------------------------------------
    def play(self, prompt: Prompt, lang: str | None = None) -> None:
        """Stop what is sounding and speak ``prompt`` in ``lang`` (default: the last language used)."""
        lang = lang or self.lang
        self.lang = lang
        self._last = (prompt, lang)
        self._gen += 1
        gen = self._gen
        self._silence()
        if self.muted:
            return
        self.engine.request(prompt, lang, on_ready=lambda path: self._load(prompt, path, gen),
                            on_error=lambda exc: self.post(self._fail, f"composition failed: {exc}"))

    def remember(self, prompt: Prompt, lang: str) -> None:
        """What 再听一遍 will say, without saying it now (auto-play off in standard mode)."""
        self._last = (prompt, lang)
        self.lang = lang

    def repeat(self) -> None:
        """再听一遍: the last prompt again, from its start."""
        if self._last is not None:
            self.play(*self._last)

    def stop(self) -> None:
        """Leaving a screen: silence now, and drop a composed prompt still on its way."""
        self._gen += 1
        self._silence()

    def stop_all(self) -> None:
        """Idle wipe: as ``stop`` and forget pending compositions and the prompt to repeat."""
        self.stop()
        self.engine.cancel_pending()
        self._last = None

    def set_volume(self, volume: float) -> None:
        self.volume = min(1.0, max(0.0, float(volume)))
        if self._sound is not None:
            self._sound.volume = self.volume

    def set_muted(self, muted: bool) -> None:
        self.muted = bool(muted)
        if self.muted:
            self.stop()

    def health(self) -> dict[str, Any]:
        """The audio device as a heartbeat snapshot entry (``devices["audio"]``)."""
        return {"status": self.status, "reason": self.status_reason, "action": self.status_action}

    # ---- internals -----------------------------------------------------------------------------------------
    def _load(self, prompt: Prompt, path: Path, gen: int) -> None:
        """On the engine's worker: the file in the device's format, then handed to the UI thread."""
        if gen != self._gen:
            return  # superseded while it waited
        if not path.is_file():
            log.error("voice: %s is missing from the cache", path)
            self.post(self._fail, "语音缓存不完整，请运行 scripts/setup.sh / voice cache incomplete: run setup")
            return
        try:
            ready = self.backend.prepare(path)
        except Exception as exc:  # an unreadable file must never end a resident's flow; staff hear of it
            log.exception("voice: preparing %s failed", path.name)
            self.post(self._fail, f"{type(exc).__name__}: {exc}")
            return
        self.post(self._start, prompt, ready, gen)

    def _start(self, prompt: Prompt, ready: Path, gen: int) -> None:
        """On the UI thread: load and play, unless the resident moved on meanwhile."""
        if gen != self._gen:
            return  # nothing loaded yet: nothing to free
        try:
            sound = self.backend.load(ready)
        except Exception as exc:  # a broken device must never end a resident's flow; staff hear of it
            log.exception("voice: loading %s failed", ready.name)
            self._fail(f"{type(exc).__name__}: {exc}")
            return
        if sound is None:
            log.error("voice: %s could not be loaded", ready.name)
            self._fail("音频设备无法打开 / the audio device cannot be opened")
            return
        self._sound = sound  # from now on stopping (and a failure) frees it
        try:
            sound.volume = self.volume
            sound.play()
        except Exception as exc:  # as above: report, never raise into the UI loop
            log.exception("voice: playing failed")
            self._fail(f"{type(exc).__name__}: {exc}")
            return
        self.started.append((prompt, time.monotonic()))
        del self.started[:-64]
        if self.on_play is not None:
            self.on_play(prompt)
        self._set_status("online", None)

    def _silence(self) -> None:
        sound, self._sound = self._sound, None
        if sound is None:
            return
        try:
            sound.stop()
            sound.unload()  # a 24/7 process frees every chunk it loaded
        except Exception as exc:  # stopping a broken device: report, carry on
            log.exception("voice: stopping failed")
            self._set_status("hardwareError", f"{type(exc).__name__}: {exc}")

    def _fail(self, reason: str) -> None:
        log.error("voice: %s", reason)
        self._set_status("hardwareError", reason)

    def _set_status(self, status: str, reason: str | None) -> None:
        if (status, reason) == (self.status, self.status_reason):
            return
        self.status, self.status_reason = status, reason
        self.status_action = "none" if status == "online" else "maintenance"
        if self.on_status is not None:
            self.on_status(self.health())
