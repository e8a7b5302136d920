"""The ``addresses`` section of services.yaml: districts and their subdistricts/towns for the address picker.

The picker asks district → street (from this list) → the rest as free text on the pinyin keyboard. A
district listed without streets goes straight to free text. Typed like every config section: unknown keys,
duplicate district ids and duplicate street names are errors naming file, line and key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Callable

from kiosk.config.base import Check, Ident, LocalText, Strict, bad


def _unique(what_zh: str, what_en: str, name: Callable[[Any], str]) -> Callable[[list], list]:
    """A check that no two items of a list share ``name(item)``."""
    def check(items: list) -> list:
        seen = set()
        for item in items:
            if name(item) in seen:
                raise bad(f"{what_zh} {name(item)} 重复", f"duplicate {what_en} {name(item)}")
            seen.add(name(item))
        return items
    return check


_unique_streets = _unique("街道（镇）", "street", lambda s: s.zh)
_unique_districts = _unique("区 id", "district id", lambda d: repr(d.id))


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
