"""Printer model profiles, loaded from ``profiles.yaml`` (data, not code).

A profile holds what differs between models: line width, cut bytes, raster band height, sensors,
presenter bytes and whether the resident font has 4-byte GB18030 characters.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devices.profiles import ProfileBook, check_keys, hex_bytes

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


def _parse(name: str, spec: Any) -> Profile:
    spec = check_keys("printer", name, spec, _FIELDS)
    return Profile(
        name=name, description=str(spec["description"]), columns=int(spec["columns"]),
        dots=int(spec["dots"]), cut=hex_bytes("printer", name, "cut", spec["cut"]),
        band_height=int(spec["band_height"]), near_end_sensor=bool(spec["near_end_sensor"]),
        font_4byte=bool(spec["font_4byte"]), native_qr=bool(spec["native_qr"]),
        presenter=hex_bytes("printer", name, "presenter", spec["presenter"]),
        recover=hex_bytes("printer", name, "recover", spec["recover"]), feed_before_cut=int(spec["feed_before_cut"]))


_BOOK = ProfileBook(_FILE, Profile, _parse, kind="printer", kind_zh="打印机")


def profile_names() -> list[str]:
    return _BOOK.names()


def get_profile(name: str | Profile = "generic-80mm") -> Profile:
    """The named profile; ValueError (naming the known ones) for an unknown name."""
    return _BOOK.get(name)
