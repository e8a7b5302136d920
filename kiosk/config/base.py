"""Shared pieces of the configuration types: strict frozen base, paths relative to the config dir, zh/en text,
and the staff PIN hash.

The config types are plain frozen stdlib dataclasses and importing them imports no pydantic: the UI process
starts without paying for pydantic (its import and its per-class validator builds were most of the kiosk's
own cold-start time), and can unpickle a config validated in another process. pydantic still does all the
validation, in :meth:`Strict.model_validate`: it validates stdlib dataclasses, reading ``__pydantic_config__``
and the :class:`Check` metadata in the ``Annotated`` field types, and imports pydantic only then.

The PIN hash is PBKDF2-SHA256 from the standard library (hashlib + hmac.compare_digest): it needs no extra
dependency, and its ``pbkdf2_sha256$iterations$salt$hash`` line is easy for staff to paste into YAML.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, TypeVar

from kiosk.config.issues import KIOSK_ERROR

if TYPE_CHECKING:
    from pydantic import TypeAdapter
    from pydantic_core import PydanticCustomError

T = TypeVar("T", bound="Strict")


class Check:
    """``Annotated`` metadata of a config field: pydantic constraints and validators, resolved lazily.

    ``Check(fn, ..., before=None, with_info=False, **constraints)``: ``constraints`` are what ``Field`` (or,
    on ``str``, ``StringConstraints``) takes; each ``fn`` runs after them, as ``fn(value)`` or, with
    ``with_info``, ``fn(value, info)`` where ``info.data`` holds the fields declared earlier and
    ``info.context`` the validation context; ``before`` runs on the raw value. pydantic calls
    :meth:`__get_pydantic_core_schema__` only while building a validator, so defining a type costs nothing.
    """

    __slots__ = ("after", "before", "with_info", "constraints")

    def __init__(self, *after: Callable[..., Any], before: Callable[[Any], Any] | None = None,
                 with_info: bool = False, **constraints: Any) -> None:
        self.after, self.before, self.with_info, self.constraints = after, before, with_info, constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Field, StringConstraints
        from pydantic_core import core_schema

        if self.constraints:
            meta = StringConstraints(**self.constraints) if source is str else Field(**self.constraints)
            schema = handler(Annotated[source, meta])
        else:
            schema = handler(source)
        for fn in self.after:
            schema = (core_schema.with_info_after_validator_function(fn, schema) if self.with_info
                      else core_schema.no_info_after_validator_function(fn, schema))
        if self.before is not None:
            schema = core_schema.no_info_before_validator_function(self.before, schema)
        return schema


@functools.cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Strict:
    """Base of every config type: unknown keys are errors, values are not coerced ("5" is not 5), read-only.

    Subclasses are ``@dataclass(frozen=True, kw_only=True)`` (keyword-only, so a required field may follow
    one with a default, in the order the YAML documents them). The ``model_*`` methods keep the names the
    rest of the code used when these were pydantic models.
    """

    # a plain dict is a valid pydantic ConfigDict (a TypedDict), so the base needs no pydantic import
    __pydantic_config__ = {"extra": "forbid", "strict": True}

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        schema = handler(source)
        # strict on the dataclass itself would accept only instances, not the YAML's dicts; the fields,
        # which read "strict" from the config, stay strict
        handler.resolve_ref_schema(schema)["strict"] = False
        return schema

    @classmethod
    def model_validate(cls: type[T], data: Any, *, context: dict[str, Any] | None = None) -> T:
        """Validate ``data`` (a mapping from YAML) into ``cls``; raises pydantic's ValidationError."""
        return _adapter(cls).validate_python(data, context=context)

    def model_copy(self: T, *, update: dict[str, Any] | None = None) -> T:
        """A copy with ``update`` applied; like pydantic's, the new values are not validated."""
        return dataclasses.replace(self, **(update or {}))


def bad(zh: str, en: str) -> PydanticCustomError:
    """A validation error whose message is already the staff-facing ``中文 (English)`` text."""
    from pydantic_core import PydanticCustomError

    return PydanticCustomError(KIOSK_ERROR, "{text}", {"text": f"{zh} ({en})"})


def _resolve(value: Path, info: Any) -> Path:
    base = (info.context or {}).get("config_dir")
    value = value.expanduser()
    if base is not None and not value.is_absolute():
        value = Path(base) / value
    return Path(os.path.normpath(value))


def _must_exist(value: Path) -> Path:
    if not value.is_file():
        raise bad("文件不存在", f"file not found: {value}")
    return value


def _existing(value: Path, info: Any) -> Path:
    return _must_exist(_resolve(value, info))


#: a path in the config; relative paths are resolved against the config directory
ConfigPath = Annotated[Path, Check(_resolve, with_info=True, strict=False)]
#: a path that must name an existing file
ExistingFile = Annotated[Path, Check(_existing, with_info=True, strict=False)]
NonEmpty = Annotated[str, Check(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, Check(pattern=r"^[a-z0-9][a-z0-9_-]{0,47}$")]
PositiveInt = Annotated[int, Check(gt=0)]
PositiveFloat = Annotated[float, Check(gt=0)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LocalText(Strict):
    """A text in Simplified Chinese and English (the kiosk switches language, staff write both)."""

    zh: NonEmpty
    en: NonEmpty

    def get(self, lang: str) -> str:
        return self.en if lang.lower().startswith("en") else self.zh


# --- staff PIN --------------------------------------------------------------------------------------
PIN_SCHEME = "pbkdf2_sha256"
#: the scheme ``hash-pin`` writes since PINs must have at least MIN_PIN_DIGITS digits: a hash under the plain
#: scheme may hide a shorter PIN (its length cannot be learnt from the hash), so a production terminal
#: refuses it (kiosk/config/production.py)
PIN_SCHEME_MIN6 = "pbkdf2_sha256_pin6"
MIN_PIN_DIGITS = 6
PIN_ITERATIONS = 200_000
PIN_HASH_RE = re.compile(r"^(pbkdf2_sha256(?:_pin6)?)\$([0-9]{4,7})\$([0-9a-f]{16,128})\$([0-9a-f]{64})$")


def hash_pin(pin: str, *, iterations: int = PIN_ITERATIONS, salt: bytes | None = None) -> str:
    """Hash a staff PIN (6-12 digits) for ``staff.pin_hash``; a fresh random salt each time."""
    if not pin or not pin.isdigit() or not MIN_PIN_DIGITS <= len(pin) <= 12:
        raise ValueError(f"PIN must be {MIN_PIN_DIGITS}-12 digits / PIN 应为 {MIN_PIN_DIGITS} 至 12 位数字")
    salt = os.urandom(16) if salt is None else salt
    import hashlib  # (the PIN helpers import their hashing when used: the kiosk's start needs none)

    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return f"{PIN_SCHEME_MIN6}${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when ``pin`` matches ``pin_hash``; constant-time compare; a malformed hash never matches."""
    import hashlib
    import hmac

    match = PIN_HASH_RE.match(pin_hash or "")
    if match is None or not isinstance(pin, str):
        return False
    _scheme, iterations, salt_hex, hash_hex = match.groups()
    try:
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), bytes.fromhex(salt_hex), int(iterations))
    except ValueError:  # odd-length salt hex
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


def _check_pin_hash(value: str) -> str:
    match = PIN_HASH_RE.match(value)
    if match is None or len(match.group(3)) % 2:
        raise bad("PIN 哈希格式不正确，请用 `kiosk config hash-pin` 生成",
                  "pin_hash must be pbkdf2_sha256[_pin6]$iterations$salt_hex$hash_hex; use `kiosk config hash-pin`")
    if int(match.group(2)) < 10_000:
        raise bad("PIN 哈希迭代次数过少（至少 10000）", "pin_hash iterations must be at least 10000")
    return value


PinHash = Annotated[str, Check(_check_pin_hash)]
