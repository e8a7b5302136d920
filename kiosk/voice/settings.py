"""Volume and mute set by staff at the kiosk, kept across restarts in ``<var>/voice-settings.json``.

Like the service switches (:class:`kiosk.staff.ServiceOverrides`), a change made at the kiosk is written to a
small private JSON file next to the outbox rather than into ``terminal.yaml`` (whose comments staff edit by
hand); at start-up the file's values win over ``voice.volume`` / ``voice.muted`` from the config. A corrupt
file is logged and ignored: the config's values apply and the next change rewrites it.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.staff import write_private_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceLevel:
    volume: float
    muted: bool


def settings_path(cfg: object) -> Path | None:
    """``<outbox dir>/voice-settings.json`` — the kiosk's writable ``var/`` directory (None: memory only)."""
    outbox = getattr(getattr(cfg, "outbox", None), "path", None)
    return Path(outbox).parent / "voice-settings.json" if outbox is not None else None


def load(path: Path | None, default: VoiceLevel) -> VoiceLevel:
    if path is None or not path.exists():
        return default
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        volume, muted = data["volume"], data["muted"]
        if isinstance(volume, bool) or not isinstance(volume, (int, float)) or not 0 <= volume <= 1 \
                or not isinstance(muted, bool):
            raise ValueError("expected {\"volume\": 0.0-1.0, \"muted\": true|false}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.error("voice settings file unreadable, using the config's volume: %s: %s", path, exc)
        return default
    return VoiceLevel(float(volume), muted)


def save(path: Path | None, level: VoiceLevel) -> None:
    if path is not None:
        write_private_json(path, {"volume": round(level.volume, 2), "muted": level.muted})
    log.info("staff set the voice to %d%%%s", round(level.volume * 100), " (muted)" if level.muted else "")


def apply(player: Any, cfg: object, *, volume: float | None = None,
          muted: bool | None = None) -> tuple[float, bool] | None:
    """Staff's change on the running Player (kiosk.voice.player.Player, or None: no voice), saved when it is one.
    Returns the level now as (volume, muted)."""
    if player is None:
        return None
    if volume is not None:
        player.set_volume(volume)
    if muted is not None:
        player.set_muted(muted)
    if volume is not None or muted is not None:
        save(settings_path(cfg), VoiceLevel(player.volume, player.muted))
    return player.volume, player.muted


def report_audio(health: dict, heartbeat: Any) -> None:
    """The audio device changed state: logged for staff, and the heartbeat (if running) beats now, so the
    centre's console shows ``audio.offline`` without waiting for the next interval. The flow goes on."""
    if health.get("status") == "online":
        log.info("audio device back online")
    else:
        log.error("audio device %s: %s", health.get("status"), health.get("reason"))
    if heartbeat is not None:
        heartbeat.wake()
