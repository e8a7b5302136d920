"""Shared pieces of the configuration models: strict frozen base, paths relative to the config dir, zh/en text,
and the staff PIN hash.

The PIN hash is PBKDF2-SHA256 from the standard library (hashlib + hmac.compare_digest): it needs no extra
dependency, and its ``pbkdf2_sha256$iterations$salt$hash`` line is easy for staff to paste into YAML.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from kiosk.config_issues import KIOSK_ERROR


class Strict(BaseModel):
    """Base of every config model: unknown keys are errors, values are not coerced ("5" is not 5), read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def bad(zh: str, en: str) -> PydanticCustomError:
    """A validation error whose message is already the staff-facing ``中文 (English)`` text."""
    return PydanticCustomError(KIOSK_ERROR, "{text}", {"text": f"{zh} ({en})"})


def _resolve(value: Path, info: ValidationInfo) -> Path:
    base = (info.context or {}).get("config_dir")
    value = value.expanduser()
    if base is not None and not value.is_absolute():
        value = Path(base) / value
    return Path(os.path.normpath(value))


def _must_exist(value: Path) -> Path:
    if not value.is_file():
        raise bad("文件不存在", f"file not found: {value}")
    return value


#: a path in the config; relative paths are resolved against the config directory
ConfigPath = Annotated[Path, Field(strict=False), AfterValidator(_resolve)]
#: a path that must name an existing file
ExistingFile = Annotated[Path, Field(strict=False), AfterValidator(_resolve), AfterValidator(_must_exist)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,47}$")]
PositiveInt = Annotated[int, Field(gt=0)]
PositiveFloat = Annotated[float, Field(gt=0)]


class LocalText(Strict):
    """A text in Simplified Chinese and English (the kiosk switches language, staff write both)."""

    zh: NonEmpty
    en: NonEmpty

    def get(self, lang: str) -> str:
        return self.en if lang.lower().startswith("en") else self.zh


# --- staff PIN --------------------------------------------------------------------------------------
PIN_SCHEME = "pbkdf2_sha256"
PIN_ITERATIONS = 200_000
PIN_HASH_RE = re.compile(r"^pbkdf2_sha256\$([0-9]{4,7})\$([0-9a-f]{16,128})\$([0-9a-f]{64})$")


def hash_pin(pin: str, *, iterations: int = PIN_ITERATIONS, salt: bytes | None = None) -> str:
    """Hash a staff PIN for ``staff.pin_hash``; a fresh random salt each time."""
    if not pin or not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("PIN must be 4-12 digits / PIN 应为 4 至 12 位数字")
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return f"{PIN_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when ``pin`` matches ``pin_hash``; constant-time compare; a malformed hash never matches."""
    match = PIN_HASH_RE.match(pin_hash or "")
    if match is None or not isinstance(pin, str):
        return False
    iterations, salt_hex, hash_hex = match.groups()
    try:
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), bytes.fromhex(salt_hex), int(iterations))
    except ValueError:  # odd-length salt hex
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


def _check_pin_hash(value: str) -> str:
    match = PIN_HASH_RE.match(value)
    if match is None or len(match.group(2)) % 2:
        raise bad("PIN 哈希格式不正确，请用 `kiosk config hash-pin` 生成",
                  "pin_hash must be pbkdf2_sha256$iterations$salt_hex$hash_hex; use `kiosk config hash-pin`")
    if int(match.group(1)) < 10_000:
        raise bad("PIN 哈希迭代次数过少（至少 10000）", "pin_hash iterations must be at least 10000")
    return value


PinHash = Annotated[str, AfterValidator(_check_pin_hash)]
