"""Device model profiles (printer, scanner): a YAML file of named profiles — data, not code — each parsed
into a frozen dataclass when first asked for, and looked up by name with the known names in the error.

A kind's module supplies the file, the profile class and the parse of one entry; what every kind shares
lives here: the key check, hex command bytes, the cache and the lookup.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

import yaml

P = TypeVar("P")


def check_keys(kind: str, name: str, spec: Any, wanted: set[str]) -> dict:
    """``spec`` as a dict that has exactly the keys ``wanted``; ValueError naming the unknown and missing ones."""
    have = set(spec) if isinstance(spec, dict) else set()
    if not isinstance(spec, dict) or have != wanted:
        raise ValueError(f"{kind} profile {name}: unknown keys {sorted(have - wanted)}, "
                         f"missing {sorted(wanted - have)}")
    return spec


def hex_bytes(kind: str, name: str, key: str, value: object) -> bytes:
    """A command written as hex in the YAML (``"1d 56 00"``; empty or null = no command)."""
    try:
        return bytes.fromhex(str(value or ""))
    except ValueError as exc:
        raise ValueError(f"{kind} profile {name}: {key} is not hex bytes: {value!r}") from exc


class ProfileBook(Generic[P]):
    """The profiles of one device kind, read from ``path`` once; ``parse(name, spec)`` makes one profile."""

    def __init__(self, path: Path, cls: type[P], parse: Callable[[str, Any], P], *, kind: str,
                 kind_zh: str) -> None:
        self.path, self.cls, self.parse = path, cls, parse
        self.kind, self.kind_zh = kind, kind_zh
        self._profiles: dict[str, P] | None = None

    def all(self) -> dict[str, P]:
        if self._profiles is None:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8"))
            self._profiles = {name: self.parse(name, spec) for name, spec in raw.items()}
        return self._profiles

    def names(self) -> list[str]:
        return sorted(self.all())

    def get(self, name: str | P) -> P:
        """The named profile (a profile is returned as it is); ValueError naming the known ones, in Chinese too."""
        if isinstance(name, self.cls):
            return name
        profiles = self.all()
        if name not in profiles:
            raise ValueError(f"unknown {self.kind} profile {name!r} (known: {', '.join(sorted(profiles))}) / "
                             f"未知的{self.kind_zh}型号配置")
        return profiles[name]
