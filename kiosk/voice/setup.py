"""Build the kiosk's Player from ``terminal.yaml``'s ``voice`` section (None when there is none)."""
from __future__ import annotations

import logging
from typing import Any, Callable

from kiosk.voice import settings
from kiosk.voice.cache import VoiceCache
from kiosk.voice.engine import VoiceEngine
from kiosk.voice.player import Player

log = logging.getLogger(__name__)


def player_from_config(cfg: Any, post: Callable[..., None], *, backend: Any,
                       on_status: Callable[[dict], None] | None = None) -> Player | None:
    """``backend`` plays a WAV file (the app passes :class:`screens.audio.SdlAudio`; the core never imports
    Kivy)."""
    voice = getattr(cfg, "voice", None)
    if voice is None:
        log.info("voice: no voice section in terminal.yaml; the kiosk stays silent")
        return None
    engine = VoiceEngine(VoiceCache(voice.cache_dir, voice.recorded_dir))
    level = settings.load(settings.settings_path(cfg), settings.VoiceLevel(voice.volume, voice.muted))  # staff's
    return Player(engine, backend, post, volume=level.volume, muted=level.muted, auto_play=voice.auto_play,
                  on_status=on_status)
