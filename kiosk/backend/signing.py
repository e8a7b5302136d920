"""Request signing shared by the client and the simulator (the canonical string is defined here once).

Canonical string (UTF-8, lines joined by ``\\n``, no trailing newline)::

    KIOSK-HMAC-SHA256
    <METHOD upper-case>
    <path?query exactly as sent on the request line>
    <X-Timestamp: Unix seconds, decimal>
    <X-Nonce: 32 lower-case hex chars, fresh per attempt>
    <lower-case hex SHA-256 of the raw body bytes (of b"" when there is no body)>

``X-Signature`` = lower-case hex HMAC-SHA256(terminal secret, canonical string). Hand-written because no
HTTP-signature library matches a gateway-defined scheme, and it is 20 lines of hashlib/hmac.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from kiosk.clock import wall_time

ALGORITHM = "KIOSK-HMAC-SHA256"
SKEW_WINDOW_S = 300
HEADER_TERMINAL = "X-Terminal-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"


def canonical_string(method: str, path_query: str, timestamp: str, nonce: str, body: bytes | None) -> str:
    body_hash = hashlib.sha256(body or b"").hexdigest()
    return "\n".join([ALGORITHM, method.upper(), path_query, timestamp, nonce, body_hash])


def signature(secret: bytes, method: str, path_query: str, timestamp: str, nonce: str,
              body: bytes | None) -> str:
    msg = canonical_string(method, path_query, timestamp, nonce, body).encode("utf-8")
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def verify(secret: bytes, method: str, path_query: str, timestamp: str, nonce: str, body: bytes | None,
           given: str) -> bool:
    return hmac.compare_digest(signature(secret, method, path_query, timestamp, nonce, body), given or "")


class Signer:
    """Produces the four signing headers for one attempt; ``clock_offset_s`` corrects a skewed clock."""

    def __init__(self, terminal_id: str, secret: bytes) -> None:
        if not secret:
            raise ValueError("empty terminal secret")
        self.terminal_id = terminal_id
        self._secret = secret
        self.clock_offset_s = 0.0

    def headers(self, method: str, path_query: str, body: bytes | str | None) -> dict[str, str]:
        if isinstance(body, str):
            body = body.encode("utf-8")
        ts = str(int(wall_time() + self.clock_offset_s))
        nonce = secrets.token_hex(16)
        return {HEADER_TERMINAL: self.terminal_id, HEADER_TIMESTAMP: ts, HEADER_NONCE: nonce,
                HEADER_SIGNATURE: signature(self._secret, method, path_query, ts, nonce, body)}


def load_secret(path: str | os.PathLike) -> bytes:
    """Read a secret file: ``#`` lines are comments, the first other line is the secret (stripped)."""
    text = Path(path).read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line.encode("utf-8")
    raise ValueError(f"no secret in {path}")
