"""Scanner model profiles, loaded from ``profiles.yaml`` (data, not code): suffix, encoding, command bytes."""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import yaml

from devices.scanner.protocol import ENCODINGS, SUFFIXES

_FILE = Path(__file__).with_name("profiles.yaml")
_BYTES = ("trigger_on", "trigger_off", "enable", "disable", "query", "query_ok", "query_reply")


@dataclass(frozen=True)
class ScannerProfile:
    name: str
    description: str
    suffix: str
    gap_ms: int
    encoding: str
    max_len: int
    host_trigger: bool
    trigger_on: bytes
    trigger_off: bytes
    enable: bytes
    disable: bytes
    query: bytes
    query_ok: bytes
    query_reply: bytes

    @property
    def suffix_bytes(self) -> bytes:
        """What the simulator appends to a scan (``auto`` scanners are simulated with CR)."""
        return b"\r" if self.suffix == "auto" else SUFFIXES[self.suffix]

    @property
    def commands(self) -> dict[str, bytes]:
        """Host → scanner commands this model has, by name."""
        return {k: getattr(self, k) for k in ("trigger_on", "trigger_off", "enable", "disable", "query")
                if getattr(self, k)}


def _parse(name: str, spec: dict) -> ScannerProfile:
    wanted = {f.name for f in fields(ScannerProfile)} - {"name"}
    if not isinstance(spec, dict) or set(spec) != wanted:
        have = set(spec) if isinstance(spec, dict) else set()
        raise ValueError(f"scanner profile {name}: unknown keys {sorted(have - wanted)}, "
                         f"missing {sorted(wanted - have)}")
    values = dict(spec)
    for key in _BYTES:
        try:
            values[key] = bytes.fromhex(str(spec[key] or ""))
        except ValueError as exc:
            raise ValueError(f"scanner profile {name}: {key} is not hex bytes: {spec[key]!r}") from exc
    if values["suffix"] not in SUFFIXES or values["encoding"] not in ENCODINGS:
        raise ValueError(f"scanner profile {name}: suffix must be one of {sorted(SUFFIXES)}, "
                         f"encoding one of {ENCODINGS}")
    if int(values["gap_ms"]) < 50 or int(values["max_len"]) < 1:
        raise ValueError(f"scanner profile {name}: gap_ms must be >= 50 and max_len >= 1")
    if values["query"] and not values["query_ok"]:
        raise ValueError(f"scanner profile {name}: a query needs query_ok")
    if values["host_trigger"] and not values["trigger_on"]:
        raise ValueError(f"scanner profile {name}: host_trigger needs trigger_on")
    return ScannerProfile(name=name, **values)


@lru_cache(maxsize=None)
def _load_all() -> dict[str, ScannerProfile]:
    raw = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    return {name: _parse(name, spec) for name, spec in raw.items()}


def profile_names() -> list[str]:
    return sorted(_load_all())


def get_profile(name: str | ScannerProfile = "generic") -> ScannerProfile:
    """The named profile; ValueError (naming the known ones, in Chinese too) for an unknown name."""
    if isinstance(name, ScannerProfile):
        return name
    profiles = _load_all()
    if name not in profiles:
        raise ValueError(f"unknown scanner profile {name!r} (known: {', '.join(sorted(profiles))}) / "
                         f"未知的扫码器型号配置")
    return profiles[name]
