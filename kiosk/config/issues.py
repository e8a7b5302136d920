"""Configuration problems as staff read them: file, line, key and a Chinese message with the English key.

pydantic reports errors as ``(loc, type, msg)`` in English; staff at a community centre read Chinese. This
module turns each pydantic error into a :class:`ConfigIssue` whose line comes from the YAML node marks
(:mod:`kiosk.config.yaml_lines`). No library maps pydantic locations back to YAML lines or speaks Chinese, hence
this small table (its texts in error_text.json).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

if TYPE_CHECKING:  # pydantic is imported only when a config is validated (see kiosk.config.base)
    from pydantic import ValidationError

#: pydantic error type -> (Chinese, English) meaning. Unknown types fall back to a generic message. The texts
#: are data, in error_text.json beside this module; it names ``dataclass_type`` too, because the config types
#: are dataclasses and pydantic says "dataclass" where a model said "model".
_TEXTS = json.loads(Path(__file__).with_name("error_text.json").read_text("utf-8"))
ERROR_TEXT: dict[str, tuple[str, str]] = {etype: (zh, en) for etype, (zh, en) in _TEXTS.items()}

#: custom error type raised by our own validators; its message is already "中文 (English)".
KIOSK_ERROR = "kiosk_config"

# keys whose values must never be echoed back into a message or a log
_SECRET_HINTS = ("pin", "secret", "password", "token")


@dataclass(frozen=True)
class ConfigIssue:
    """One problem: ``file:line: key: message``. ``line`` is 1-based; None when it concerns the whole file."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.key or '(文件 file)'}: {self.message}"


class ConfigError(Exception):
    """The configuration is invalid; ``issues`` lists every problem found (all files, not just the first)."""

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues: list[ConfigIssue] = list(issues)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        head = f"配置有 {len(self.issues)} 处错误 (configuration has {len(self.issues)} error(s)):"
        return "\n".join([head, *(str(i) for i in self.issues)])


def key_path(loc: Iterable[Any]) -> str:
    """``('services', 3, 'fields', 0, 'kind')`` -> ``services[3].fields[0].kind``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def clean_loc(loc: Iterable[Any]) -> tuple[Any, ...]:
    """Drop pydantic's internal location parts (``[key]``, ``function-after[…]``) that are not YAML keys."""
    return tuple(p for p in loc if isinstance(p, int) or "[" not in str(p))


def _shown_value(loc: tuple[Any, ...], value: Any) -> str:
    if any(h in str(p).lower() for p in loc for h in _SECRET_HINTS):
        return ""
    if isinstance(value, (dict, list)) or value is None:
        return ""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "…'"
    return f"，当前值 (got) {text}"


def describe_error(err: Mapping[str, Any]) -> str:
    """Chinese + English message for one pydantic error dict (without file/line/key)."""
    etype = err.get("type", "")
    loc = clean_loc(err.get("loc", ()))
    if etype == KIOSK_ERROR:
        return str(err.get("msg", ""))
    if etype in ("extra_forbidden", "unexpected_keyword_argument"):  # a model's / a dataclass's unknown key
        return "未知的配置项 (unknown key)，请检查拼写或删除此项"
    if etype == "missing":
        return "缺少必填项 (required key is missing)"
    ctx = err.get("ctx") or {}
    zh, en = ERROR_TEXT.get(etype, ("配置项取值不正确", str(err.get("msg", etype))))
    value = err.get("input")
    # YAML turns unquoted 12345, 09:00 (sexagesimal!) and 2026-10-01 into numbers/dates; say how to fix it
    quote_hint = "；请给该值加上引号 (put the value in quotes)" if isinstance(
        value, (int, float, date)) else ""
    if etype == "literal_error" and "expected" in ctx:
        allowed = str(ctx["expected"]).replace(" or ", ", ")
        hint = quote_hint if f"'{value}'" in allowed else ""
        return f"{zh} ({en})，可选值 (allowed): {allowed}{_shown_value(loc, value)}{hint}"
    if etype == "string_type":
        return f"{zh} ({en}){_shown_value(loc, value)}{quote_hint}"
    if etype in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        limit = next(iter(ctx.values()), "")
        op = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}[etype]
        zh, en = f"{zh}，应 {op} {limit}", f"{en}, must be {op} {limit}"
    elif etype in ("string_too_short", "string_too_long", "too_short", "too_long") and ctx:
        en = f"{en} ({', '.join(f'{k}={v}' for k, v in ctx.items() if k != 'actual_length')})"
    elif etype == "string_pattern_mismatch" and "pattern" in ctx:
        en = f"{en}, must match {ctx['pattern']}"
    elif etype in ("value_error", "assertion_error"):
        en = str(err.get("msg", en))
    return f"{zh} ({en}){_shown_value(loc, err.get('input'))}"


def issues_from_validation(exc: ValidationError, file: str, lines: "LineLookup",
                           prefix: tuple[Any, ...] = ()) -> list[ConfigIssue]:
    """Every error of ``exc`` as a ConfigIssue, located via ``lines`` (paths relative to ``prefix``)."""
    issues = []
    for err in exc.errors(include_url=False):
        loc = prefix + clean_loc(err.get("loc", ()))
        issues.append(ConfigIssue(file, lines.line_of(loc), key_path(loc), describe_error(err)))
    return issues


class LineLookup:
    """Protocol-ish base: ``line_of(loc) -> int`` (see kiosk.config.yaml_lines.LineMap)."""

    def line_of(self, loc: tuple[Any, ...]) -> int:  # pragma: no cover - interface
        raise NotImplementedError
