"""Sealing of outbox payloads: what a queued submission carries (the resident's fields and session token)
is stored only as AES-256-GCM ciphertext, under a key file of its own.

Why a key of its own: the HMAC secret authenticates the terminal to the gateway and is rotated on the
gateway's schedule; the payload key protects data at rest and is rotated by the terminal. Mixing them would
mean a gateway rotation makes queued submissions unreadable, and a leaked payload key would let anyone sign
requests. The key file is 32 random bytes (hex, one line), created 0600 by deploy/install.sh at set-up or
by the kiosk on its first start, and refused when group or others can read it.

Each payload is ``version byte || 12-byte random nonce || ciphertext+tag``, with the row's Idempotency-Key as
associated data: a sealed payload copied onto another row does not open. The threat model is written in
docs/backend.md ("Data at rest").
"""
from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
_NONCE_LEN = 12


class KeyFileError(OSError):
    """The payload key file is missing, malformed or readable by others (message in Chinese and English).
    An OSError, so whoever opens the outbox reports it like any other file it cannot use."""


class SealError(RuntimeError):
    """A sealed payload does not open with this key (wrong key, wrong row or tampered bytes)."""


def create_key_file(path: str | os.PathLike) -> Path:
    """Write a fresh random key to ``path`` (0600, never over an existing file); returns the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return p


def load_key(path: str | os.PathLike, *, create: bool = False) -> bytes:
    """The 32-byte key in ``path``; with ``create`` a missing file is made first (first start)."""
    p = Path(path)
    if create and not p.exists():
        create_key_file(p)
    try:
        mode = p.stat().st_mode
        text = p.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"无法读取待发送库密钥 {p} (cannot read the outbox key file): {exc}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"待发送库密钥 {p} 的权限过宽，应为 0600 (outbox key file readable by group/others: "
                           f"{stat.filemode(mode)}; chmod 600 it)")
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise KeyFileError(f"待发送库密钥 {p} 格式不对 (outbox key file is not hex)") from exc
    if len(key) != 32:
        raise KeyFileError(f"待发送库密钥 {p} 长度不对 (outbox key must be 32 bytes, got {len(key)})")
    return key


class PayloadSealer:
    """Seal and open one row's payload (a JSON-able dict) bound to that row's Idempotency-Key."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    @classmethod
    def from_file(cls, path: str | os.PathLike, *, create: bool = True) -> PayloadSealer:
        return cls(load_key(path, create=create))

    def seal(self, payload: dict[str, Any], bound_to: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_LEN)
        plain = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        return _VERSION + nonce + self._aead.encrypt(nonce, plain, bound_to.encode())

    def open(self, blob: bytes, bound_to: str) -> dict[str, Any]:
        if len(blob) < 1 + _NONCE_LEN + 16 or blob[:1] != _VERSION:
            raise SealError("sealed payload has an unknown format")
        nonce, body = blob[1:1 + _NONCE_LEN], blob[1 + _NONCE_LEN:]
        try:
            return json.loads(self._aead.decrypt(nonce, body, bound_to.encode()))
        except InvalidTag as exc:
            raise SealError("sealed payload does not open with this key (wrong key or tampered)") from exc
