"""Scanner model profiles, loaded from ``profiles.yaml`` (data, not code): suffix, encoding, command bytes."""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from devices.profiles import ProfileBook, check_keys, hex_bytes
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


def _parse(name: str, spec: Any) -> ScannerProfile:
    values = dict(check_keys("scanner", name, spec, {f.name for f in fields(ScannerProfile)} - {"name"}))
    for key in _BYTES:
        values[key] = hex_bytes("scanner", name, key, spec[key])
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


_BOOK = ProfileBook(_FILE, ScannerProfile, _parse, kind="scanner", kind_zh="扫码器")


def profile_names() -> list[str]:
    return _BOOK.names()


def get_profile(name: str | ScannerProfile = "generic") -> ScannerProfile:
    """The named profile; ValueError (naming the known ones, in Chinese too) for an unknown name."""
    return _BOOK.get(name)
