"""IdCardSimulator: a SAM reader on a pty or TCP port, speaking the real frames (built with ``protocol.py``).

A sample card (``identities.py``) can be placed and removed, and faults injected, through the JSON-lines
control port (``kiosk sim idcard-ctl``) or in-process (``sim.handle_control({...})``):

``place {"card": NAME}`` · ``remove`` · ``fault {"kind": KIND, "count": N?, ...}`` · ``clear_faults`` ·
``cards`` · ``info`` — plus the base's ``unplug`` / ``replug`` / ``baud`` / ``silent`` / ``slow``.

Fault kinds: ``no_answer`` (drop every command), ``garbage`` (stray bytes and a false preamble before
each reply; ``false_header: true`` makes the false LEN plausible, so it swallows the real reply),
``bad_checksum`` (damage the CHK of a reply), ``sam_fail`` (SW3 60 to everything), ``read_fail``
(SW3 41 to a read), ``slow`` (``seconds`` before each reply), ``split`` (each reply in two writes ``gap``
seconds apart), ``remove_mid_read`` (the card leaves during the next read: 41, then no card),
``unplug_mid_read`` (half a read reply, then the cable is pulled). ``count`` limits how many replies a
fault hits; without it the fault stays until ``clear_faults``.
"""
from __future__ import annotations

import struct
import time
from typing import Any

from devices.idcard import protocol as p
from devices.idcard.card import IdCard
from devices.idcard.identities import NAMES, sample_card
from devices.idcard.textblock import encode_text_block
from devices.simbase import SimulatorBase

FAULT_KINDS = ("no_answer", "garbage", "bad_checksum", "sam_fail", "read_fail", "slow", "split",
               "remove_mid_read", "unplug_mid_read")
# what a reader's line can look like before a reply: noise, then a false preamble with an absurd LEN
GARBAGE = b"\x00\xFF\xAA\x00" + p.PREAMBLE + b"\xFF\xF0" + b"\x13\x37\xAA\xAA"
DEFAULT_SAM_ID = struct.pack("<HHII4x", 5, 1, 20240601, 1234567890)  # shown as 05.01-20240601-1234567890


class IdCardSimulator(SimulatorBase):
    kind = "idcard"

    def __init__(self, *, card: str | None = None, sam_id: bytes = DEFAULT_SAM_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sam_id = sam_id
        self.card_name: str | None = None
        self.card: IdCard | None = None
        self.selected = False
        self.faults: dict[str, dict[str, Any]] = {}
        self.commands_seen: list[tuple[float, int, int]] = []  # (monotonic time, CMD, PARA), for tests
        self._decoder = p.FrameDecoder(commands=True)
        self._split_gap = 0.0
        self._unplug_after: int | None = None
        if card:
            self.place(card)

    # ----- cards ---------------------------------------------------------------------------------
    def place(self, name: str) -> None:
        self.place_card(sample_card(name), name)  # KeyError lists the known names

    def place_card(self, card: IdCard, name: str = "custom") -> None:
        """Put ``card`` itself on the reader (tests: a resident made up for this run)."""
        with self._lock:
            self.card_name, self.card, self.selected = name, card, False

    def remove(self) -> None:
        with self._lock:
            if self.card is not None:
                self.card.wipe()
            self.card_name, self.card, self.selected = None, None, False

    # ----- faults --------------------------------------------------------------------------------
    def _take(self, kind: str) -> dict[str, Any] | None:
        """The fault's arguments if it applies to this reply (consuming one of its ``count``)."""
        fault = self.faults.get(kind)
        if fault is None:
            return None
        if fault.get("count") is not None:
            fault["count"] -= 1
            if fault["count"] <= 0:
                del self.faults[kind]
        return fault

    def set_fault(self, kind: str, **args: Any) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if "count" in args and args["count"] is not None:
            args["count"] = int(args["count"])
        with self._lock:
            if kind == "no_answer":
                self.silent = True
            elif kind == "slow":
                self.extra_delay = float(args.get("seconds", 1.0))
            else:
                self.faults[kind] = dict(args)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()
            self.silent = False
            self.extra_delay = 0.0

    # ----- SimulatorBase hooks -------------------------------------------------------------------
    def control(self, cmd: str, **args: Any) -> dict[str, Any]:
        if cmd == "place":
            self.place(str(args["card"]))
            return {"card": self.card_name}
        if cmd == "remove":
            self.remove()
            return {}
        if cmd == "fault":
            kind = str(args.pop("kind"))
            self.set_fault(kind, **args)
            return {"fault": kind}
        if cmd == "clear_faults":
            self.clear_faults()
            return {}
        if cmd == "cards":
            return {"cards": list(NAMES)}
        if cmd == "info":
            active = sorted(self.faults) + (["no_answer"] if self.silent else []) + (
                ["slow"] if self.extra_delay else [])
            return {"card": self.card_name, "faults": active, "commands": len(self.commands_seen)}
        raise ValueError(f"unknown command {cmd!r}")

    def on_disconnect(self) -> None:
        self._decoder.reset()
        self.selected = False

    def on_bytes(self, data: bytes) -> bytes:
        out = bytearray()
        for item in self._decoder.feed(data):
            if isinstance(item, p.DecodeError):
                out += p.encode_reply(p.Sw3.BAD_CHECKSUM if item.kind == "bad_checksum" else p.Sw3.BAD_LENGTH)
                continue
            self.commands_seen.append((time.monotonic(), item.cmd, item.para))
            reply = self._answer(item)
            if self._take("bad_checksum") is not None:
                reply = reply[:-1] + bytes([reply[-1] ^ 0x5A])
            garbage = self._take("garbage")
            if garbage is not None:
                # false_header: a preamble with a plausible LEN that would swallow the real reply
                reply = (p.PREAMBLE + b"\x05\x08" if garbage.get("false_header") else GARBAGE) + reply
            out += reply
        split = self._take("split") if out else None
        self._split_gap = float(split.get("gap", 0.05)) if split is not None else 0.0
        return bytes(out)

    def send(self, data: bytes) -> None:
        if self.extra_delay:
            time.sleep(self.extra_delay)
        if self._unplug_after is not None:
            cut, self._unplug_after = self._unplug_after, None
            self.paced_write(data[:cut])
            self.handle_control({"cmd": "unplug"})
            return
        if self._split_gap:
            gap, self._split_gap = self._split_gap, 0.0
            half = max(1, len(data) // 2)
            self.paced_write(data[:half])
            time.sleep(gap)
            self.paced_write(data[half:])
            return
        self.paced_write(data)

    # ----- the reader ------------------------------------------------------------------------------
    def _answer(self, cmd: p.Command) -> bytes:
        code = cmd.code
        if self._take("sam_fail") is not None:
            return p.encode_reply(p.Sw3.SAM_SELF_TEST_FAILED)
        if code in (p.RESET_SAM, p.SAM_STATUS):
            return p.encode_reply(p.Sw3.SUCCESS)
        if code == p.SAM_ID:
            return p.encode_reply(p.Sw3.SUCCESS, self.sam_id)
        if code == p.SET_MAX_RF_FRAME:
            return p.encode_reply(p.Sw3.SUCCESS if len(cmd.data) == 1 else p.Sw3.BAD_LENGTH)
        if code == p.FIND_CARD:
            self.selected = False
            return p.encode_reply(p.Sw3.FIND_OK, bytes(4)) if self.card else p.encode_reply(p.Sw3.NO_CARD)
        if code == p.SELECT_CARD:
            self.selected = self.card is not None
            return p.encode_reply(p.Sw3.SUCCESS, bytes.fromhex("0102030405060708")) if self.selected \
                else p.encode_reply(p.Sw3.SELECT_FAILED)
        if code in (p.READ_BASIC, p.READ_WITH_FINGERPRINT, p.READ_APPENDED_ADDRESS):
            return self._read(code)
        return p.encode_reply(p.Sw3.BAD_COMMAND)

    def _read(self, code: p.Cmd) -> bytes:
        # like the real SAM: every read needs its own find + select just before it
        was_selected, self.selected = self.selected, False
        if self.card is None or not was_selected:
            return p.encode_reply(p.Sw3.READ_FAILED)
        if self._take("remove_mid_read") is not None:
            self.remove()
            return p.encode_reply(p.Sw3.READ_FAILED)
        if self._take("read_fail") is not None:
            return p.encode_reply(p.Sw3.READ_FAILED)
        if code == p.READ_APPENDED_ADDRESS:
            return p.encode_reply(p.Sw3.NO_CONTENT)
        text = encode_text_block(self.card)
        photo = bytes(self.card.photo_wlt or bytes(p.PHOTO_LEN))
        fingerprint = bytes(p.FINGERPRINT_LEN) if code == p.READ_WITH_FINGERPRINT else None
        reply = p.encode_read_reply(text, photo, fingerprint)
        if self._take("unplug_mid_read") is not None:
            self._unplug_after = len(reply) // 2
        return reply
