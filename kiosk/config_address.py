"""The ``addresses`` section of services.yaml: districts and their subdistricts/towns for the address picker.

The picker asks district → street (from this list) → the rest as free text on the pinyin keyboard. A
district listed without streets goes straight to free text. Typed like every config section: unknown keys,
duplicate district ids and duplicate street names are errors naming file, line and key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from kiosk.config_base import Check, Ident, LocalText, Strict, bad


def _unique_streets(streets: list[LocalText]) -> list[LocalText]:
    seen = set()
    for street in streets:
        if street.zh in seen:
            raise bad(f"街道（镇）{street.zh} 重复", f"duplicate street {street.en}")
        seen.add(street.zh)
    return streets


def _unique_districts(districts: list["District"]) -> list["District"]:
    seen = set()
    for district in districts:
        if district.id in seen:
            raise bad(f"区 id {district.id!r} 重复", f"duplicate district id {district.id!r}")
        seen.add(district.id)
    return districts


@dataclass(frozen=True, kw_only=True)
class District(Strict):
    id: Ident
    name: LocalText
    streets: Annotated[list[LocalText], Check(_unique_streets)] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class AddressBook(Strict):
    """What the address picker offers; empty = the whole address is free text."""

    city: LocalText = field(default_factory=lambda: LocalText(zh="上海市", en="Shanghai"))
    districts: Annotated[list[District], Check(_unique_districts)] = field(default_factory=list)

    def district(self, district_id: str) -> District:
        for district in self.districts:
            if district.id == district_id:
                return district
        raise KeyError(district_id)
