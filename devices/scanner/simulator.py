"""ScannerSimulator: a serial 2D scanner on a pty or TCP port, sending the bytes a real one sends.

A scan is the payload (UTF-8 or GB18030) plus the profile's suffix, paced at the baud rate. The host's
command bytes from the profile (enable/disable, trigger on/off, query) are recognised exactly; the query is
answered with the profile's ``query_reply``. Controls (``kiosk sim scanner-ctl`` or ``handle_control``):

``scan {"text", "encoding"?}`` · ``noise {"kind"?}`` (``control``, ``invalid``, ``overlong``, ``mixed``) ·
``split {"text", "parts"?, "gap"?}`` (one scan in several writes) · ``repeat {"text", "times"?, "interval"?}``
(a code held in front of the window) · ``unplug_mid_scan {"text"}`` (half a scan, then the cable is
pulled) · ``info`` — plus the base's ``unplug`` / ``replug`` / ``baud`` / ``silent`` / ``slow``.
"""
from __future__ import annotations

import time
from collections import deque
from typing import Any

from devices.scanner.profiles import ScannerProfile, get_profile
from devices.scanner.protocol import encode_payload
from devices.simbase import SimulatorBase

NOISE_KINDS = ("control", "invalid", "overlong", "mixed")
#: what a noisy RS-232 line or a scanner misconfigured to a wrong baud rate produces
_CONTROL = b"\x00\xff\x00\x1b[2J\x07\x08\xfe\x7f\x00"
_INVALID = b"\xff\xfe\xc0\xaf\x80\x81\xe0\x80\xfd\x80"


def noise_bytes(kind: str, *, suffix: bytes = b"\r", max_len: int = 4096) -> bytes:
    """A noise burst of ``kind``; ``invalid`` ends with the suffix so the decoder must reject a whole frame."""
    if kind == "control":
        return _CONTROL
    if kind == "invalid":
        return _INVALID + suffix
    if kind == "overlong":
        return b"A" * (max_len + 100)  # no suffix: a stuck scanner or a wrong-baud stream
    if kind == "mixed":
        return _CONTROL + _INVALID + suffix + b"\x00\xff"
    raise ValueError(f"unknown noise kind {kind!r}; known: {', '.join(NOISE_KINDS)}")


class ScannerSimulator(SimulatorBase):
    kind = "scanner"

    def __init__(self, *, profile: str | ScannerProfile = "generic", **kwargs: Any) -> None:
        kwargs.setdefault("baudrate", 9600)
        super().__init__(**kwargs)
        self.profile = get_profile(profile)
        self.enabled = True
        self.triggered = False
        self.scans_sent = 0
        self.commands_seen: deque[str] = deque(maxlen=200)
        self._inbox = bytearray()

    # ----- bytes from the host -------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> bytes:
        self._inbox += data
        reply = bytearray()
        commands = self.profile.commands
        longest = max((len(c) for c in commands.values()), default=0)
        found = True
        while found:
            found = False
            for name, cmd in commands.items():
                idx = self._inbox.find(cmd)
                if idx >= 0:
                    del self._inbox[:idx + len(cmd)]
                    reply += self._command(name)
                    found = True
        if len(self._inbox) > longest:
            del self._inbox[:len(self._inbox) - longest]  # keep only what may start a command
        return bytes(reply)

    def _command(self, name: str) -> bytes:
        self.commands_seen.append(name)
        if name in ("enable", "disable"):
            self.enabled = name == "enable"
        elif name in ("trigger_on", "trigger_off"):
            self.triggered = name == "trigger_on"
        elif name == "query":
            return self.profile.query_reply
        return b""

    def on_disconnect(self) -> None:
        self._inbox.clear()

    # ----- what a resident does ------------------------------------------------------------------
    def host_connected(self) -> bool:
        """TCP: a host is connected. A pty cannot tell (bytes wait in it until the host opens it)."""
        return self.transport == "pty" or self._client is not None

    def wait_host(self, timeout: float) -> bool:
        """Tests and benches: wait until the host's connection was accepted (a scan before that is lost)."""
        deadline = time.monotonic() + timeout
        while not self.host_connected():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

    def ready_to_read(self) -> str | None:
        """Why a code shown now would not be read, or None."""
        if not self.plugged:
            return "unplugged"
        if not self.host_connected():
            return "no host connected"
        if not self.enabled:
            return "disabled by the host"
        if self.profile.host_trigger and not self.triggered:
            return "not triggered by the host"
        return None

    def frame(self, text: str, encoding: str = "utf-8") -> bytes:
        return encode_payload(text, encoding) + self.profile.suffix_bytes

    #: how long a code shown waits for the host's connection to be accepted: the host's connect completes in
    #: the kernel (the driver reports online) before this simulator's loop calls accept(), later under load
    host_wait_s = 2.0

    def _host_settled(self) -> None:
        if self.plugged and not self.host_connected():
            self.wait_host(self.host_wait_s)

    def scan(self, text: str, encoding: str = "utf-8") -> dict[str, Any]:
        self._host_settled()
        why = self.ready_to_read()
        if why is not None:
            return {"sent": False, "reason": why}
        data = self.frame(text, encoding)
        self.send(data)
        self.scans_sent += 1
        return {"sent": True, "bytes": len(data)}

    def split(self, text: str, parts: int = 3, gap: float = 0.02, encoding: str = "utf-8") -> dict[str, Any]:
        self._host_settled()
        why = self.ready_to_read()
        if why is not None:
            return {"sent": False, "reason": why}
        data = self.frame(text, encoding)
        parts = max(1, min(int(parts), len(data)))
        size = -(-len(data) // parts)
        for offset in range(0, len(data), size):
            if offset:
                time.sleep(gap)
            self.paced_write(data[offset:offset + size])
        self.scans_sent += 1
        return {"sent": True, "bytes": len(data), "parts": -(-len(data) // size)}

    def control(self, cmd: str, **args: Any) -> dict[str, Any]:
        if cmd == "scan":
            return self.scan(str(args["text"]), str(args.get("encoding", "utf-8")))
        if cmd == "split":
            return self.split(str(args["text"]), int(args.get("parts", 3)), float(args.get("gap", 0.02)),
                              str(args.get("encoding", "utf-8")))
        if cmd == "repeat":
            results = []
            for i in range(int(args.get("times", 3))):
                if i:
                    time.sleep(float(args.get("interval", 0.3)))
                results.append(self.scan(str(args["text"]), str(args.get("encoding", "utf-8")))["sent"])
            return {"sent": results}
        if cmd == "noise":
            data = noise_bytes(str(args.get("kind", "mixed")), suffix=self.profile.suffix_bytes or b"",
                               max_len=self.profile.max_len)
            self.paced_write(data)
            return {"bytes": len(data)}
        if cmd == "unplug_mid_scan":
            data = self.frame(str(args["text"]), str(args.get("encoding", "utf-8")))
            self.paced_write(data[:max(1, len(data) // 2)])
            return self.handle_control({"cmd": "unplug"})
        if cmd == "info":
            return {"profile": self.profile.name, "enabled": self.enabled, "triggered": self.triggered,
                    "scans_sent": self.scans_sent, "commands_seen": list(self.commands_seen)}
        raise ValueError(f"unknown command {cmd!r}")
