"""Printer model profiles, loaded from ``profiles.yaml`` (data, not code).

A profile holds what differs between models: line width, cut bytes, raster band height, sensors,
presenter bytes and whether the resident font has 4-byte GB18030 characters.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

_FILE = Path(__file__).with_name("profiles.yaml")
_FIELDS = {"description", "columns", "dots", "cut", "band_height", "near_end_sensor", "font_4byte",
           "native_qr", "presenter", "recover", "feed_before_cut"}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    columns: int
    dots: int
    cut: bytes
    band_height: int
    near_end_sensor: bool
    font_4byte: bool
    native_qr: bool
    presenter: bytes
    recover: bytes
    feed_before_cut: int

    @property
    def dots_per_column(self) -> int:
        return self.dots // self.columns


def _hex(value: object, name: str, key: str) -> bytes:
    try:
        return bytes.fromhex(str(value or ""))
    except ValueError as exc:
        raise ValueError(f"printer profile {name}: {key} is not hex bytes: {value!r}") from exc


@lru_cache(maxsize=None)
def _load_all() -> dict[str, Profile]:
    raw = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    profiles = {}
    for name, spec in raw.items():
        unknown = set(spec) - _FIELDS
        missing = _FIELDS - set(spec)
        if unknown or missing:
            raise ValueError(f"printer profile {name}: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
        profiles[name] = Profile(
            name=name, description=str(spec["description"]), columns=int(spec["columns"]),
            dots=int(spec["dots"]), cut=_hex(spec["cut"], name, "cut"), band_height=int(spec["band_height"]),
            near_end_sensor=bool(spec["near_end_sensor"]), font_4byte=bool(spec["font_4byte"]),
            native_qr=bool(spec["native_qr"]), presenter=_hex(spec["presenter"], name, "presenter"),
            recover=_hex(spec["recover"], name, "recover"), feed_before_cut=int(spec["feed_before_cut"]))
    return profiles


def profile_names() -> list[str]:
    return sorted(_load_all())


def get_profile(name: str | Profile = "generic-80mm") -> Profile:
    """The named profile; ValueError (naming the known ones) for an unknown name."""
    if isinstance(name, Profile):
        return name
    profiles = _load_all()
    if name not in profiles:
        raise ValueError(f"unknown printer profile {name!r} (known: {', '.join(sorted(profiles))}) / "
                         f"未知的打印机型号配置")
    return profiles[name]
