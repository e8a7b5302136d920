"""The privacy probe of the idle-wipe test: a resident made up for this run, and searches for any fragment
of them in every widget and in every string, bytes and bytearray reachable from the Python heap.

Random data per run means a needle cannot match by accident of a fixture (and a typo in a needle cannot
hide a leak: the needles are cut from the same strings the card carries). The heap search takes the
referents of every object the garbage collector tracks — dicts, lists, instances' ``__dict__``, closures,
frames — which is where a string kept alive by Python code must be; what existed before the session
(the test's own copies of the data) is excluded by identity, so only copies the kiosk made count.
"""
from __future__ import annotations

import gc
import random
import threading
from dataclasses import dataclass
from typing import Any, Iterable

from devices.idcard.card import IdCard
from kiosk.config.services import id_check_char

_CJK = (0x4E00, 0x9FA5)
_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"


def _cjk(rnd: random.Random, n: int) -> str:
    return "".join(chr(rnd.randint(*_CJK)) for _ in range(n))


@dataclass(frozen=True)
class Resident:
    name: str
    id_number: str
    address: str
    phone: str

    def card(self) -> IdCard:
        return IdCard("resident", name=self.name, sex="女", nation="汉",
                      birth_date=f"{self.id_number[6:10]}-{self.id_number[10:12]}-{self.id_number[12:14]}",
                      address=self.address, id_number=self.id_number, issuer="上海市公安局浦东分局",
                      valid_from="2020-01-01", valid_to="长期")

    def fragments(self) -> list[str]:
        """Every piece that must not survive a wipe unmasked: whole values and the parts a masked form hides
        (given name, the ID's birth date and sequence, the street, the phone's hidden middle digits)."""
        street = self.address[3:self.address.index("路") + 1]
        return [self.name, self.name[1:], self.id_number, self.id_number[6:17], self.address, street,
                self.phone, self.phone[3:7] + self.phone[7:]]


def random_resident(seed: int | None = None) -> Resident:
    rnd = random.Random(seed)
    name = rnd.choice(_SURNAMES) + _cjk(rnd, 2)
    birth = f"{rnd.randint(1940, 2005)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
    first17 = f"310115{birth}{rnd.randint(0, 999):03d}"
    address = f"上海市{_cjk(rnd, 3)}路{rnd.randint(100, 9999)}弄{rnd.randint(1, 99)}号{rnd.randint(101, 2999)}室"
    phone = f"1{rnd.choice('3456789')}{rnd.randint(0, 10**9 - 1):09d}"
    return Resident(name, first17 + id_check_char(first17), address, phone)


def _encodings(needle: str) -> list[bytes]:
    # UTF-8 (what Python and the gateway use) and UTF-16-LE (what the card's text block carries)
    return [needle.encode("utf-8"), needle.encode("utf-16-le")]


def heap_texts() -> Iterable[Any]:
    """Every str/bytes/bytearray referenced by an object the garbage collector tracks (after a collection)."""
    gc.collect()
    seen: set[int] = set()
    for obj in gc.get_objects():
        for ref in gc.get_referents(obj):
            # type(), not isinstance(): a dead weak proxy (Kivy keeps many) raises ReferenceError on __class__
            if issubclass(type(ref), (str, bytes, bytearray)) and id(ref) not in seen:
                seen.add(id(ref))
                yield ref


class HeapProbe:
    """Remember what already holds a needle (the test's own copies), then report only new holders."""

    def __init__(self, needles: list[str]) -> None:
        self.needles = [n for n in needles if n]
        self.baseline = {id(t) for t, _ in self._hits()}

    def _hits(self) -> list[tuple[Any, str]]:
        found = []
        for text in heap_texts():
            for n in self.needles:
                if (n in text) if isinstance(text, str) else any(e in text for e in _encodings(n)):
                    found.append((text, n))
                    break
        return found

    def leftovers(self) -> list[str]:
        return [f"{n!r} in {type(t).__name__} {str(t)[:80]!r}" for t, n in self._hits() if id(t) not in self.baseline]


def forget_simulated_world(k: Any) -> None:
    """The simulators run in this process and rightly remember the resident (the card is on the reader,
    the gateway keeps submissions): stop them and drop what they hold, so the heap search sees the kiosk."""
    gw, reader = k.gateway, k.idcard
    k.stack.stop()
    with gw.lock:
        for store in (gw.tokens, gw.submissions, gw.handoffs, gw.tickets, gw.idempotency, gw.attempts_by_key,
                      gw.deliveries_by_key, gw.deliveries_by_reference):
            store.clear()
        gw.responses.clear()
        gw.heartbeats.clear()
    reader.remove()
    # the gateway simulator's request threads (http.server; the kiosk runs none) hold the last request's
    # body in their frames until they finish: wait for them rather than race them
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=10)
            assert not thread.is_alive(), f"simulator thread {thread.name} did not end"
