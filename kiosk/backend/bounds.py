"""Bounds on JSON from the other side of the wire, checked before and while it is parsed.

Used by the gateway client on every reply and by the gateway simulator on every request body, so neither a
hostile gateway nor a hostile terminal can make the parser recurse, allocate or convert without limit:

* nesting depth — counted on the raw text (strings blanked out first) before ``json.loads`` runs, so a
  100,000-deep array is refused instead of raising ``RecursionError`` inside the parser;
* number size — every number literal is seen by ``parse_int``/``parse_float`` hooks; a literal longer than
  :data:`MAX_NUMBER_CHARS` is refused (Python would raise ``ValueError`` past 4,300 digits, or silently
  turn ``1e999`` into infinity), and ``NaN``/``Infinity`` (not JSON) are refused;
* size — the caller caps the bytes it reads; :func:`loads` refuses more than ``max_bytes``.

Every refusal is :class:`JsonBoundsError` (a ``ValueError``) carrying a short English reason that holds
no data from the document; the client turns it into a typed ``ProtocolError``.
"""
from __future__ import annotations

import json
import re
from typing import Any

#: default reply cap (bytes); the terminal config's ``backend.max_reply_bytes`` overrides it
MAX_BYTES = 1_048_576
#: deepest nesting of arrays/objects in any contract document (the deepest schema is 4)
MAX_DEPTH = 32
#: longest number literal accepted: a 64-bit integer has 20 characters, a double needs fewer than 32
MAX_NUMBER_CHARS = 32

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonBoundsError(ValueError):
    """The document is outside the bounds; ``str()`` is a reason without any of the document's content."""


def nesting_depth(text: str) -> int:
    """The deepest array/object nesting in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _number(kind: type) -> Any:
    def parse(literal: str) -> Any:
        if len(literal) > MAX_NUMBER_CHARS:
            raise JsonBoundsError(f"number literal of {len(literal)} characters (limit {MAX_NUMBER_CHARS})")
        value = kind(literal)
        if value in (float("inf"), float("-inf")):
            raise JsonBoundsError("number out of range")
        return value
    return parse


def _constant(name: str) -> Any:
    raise JsonBoundsError(f"{name} is not a JSON number")


def loads(data: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` within the bounds; raises :class:`JsonBoundsError` (also for text that is not JSON
    or not UTF-8, with the parser's position but not its excerpt)."""
    if len(data) > max_bytes:
        raise JsonBoundsError(f"document of {len(data)} bytes (limit {max_bytes})")
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    except UnicodeDecodeError as exc:
        raise JsonBoundsError(f"not UTF-8 at byte {exc.start}") from None
    depth = nesting_depth(text)
    if depth > max_depth:
        raise JsonBoundsError(f"nesting depth {depth} (limit {max_depth})")
    try:
        return json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise JsonBoundsError(f"not JSON ({exc.msg} at character {exc.pos})") from None
