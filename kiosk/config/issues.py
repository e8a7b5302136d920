"""Configuration problems as staff read them: file, line, key and a Chinese message with the English key.

pydantic reports errors as ``(loc, type, msg)`` in English; staff at a community centre read Chinese. This
module turns each pydantic error into a :class:`ConfigIssue` whose line comes from the YAML node marks
(:mod:`kiosk.config.yaml_lines`). No library maps pydantic locations back to YAML lines or speaks Chinese, hence
this small table.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Mapping

if TYPE_CHECKING:  # pydantic is imported only when a config is validated (see kiosk.config.base)
    from pydantic import ValidationError

#: pydantic error type -> (Chinese, English) meaning. Unknown types fall back to a generic message.
ERROR_TEXT: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填项", "required key is missing"),
    "extra_forbidden": ("未知的配置项", "unknown key"),
    "int_type": ("应为整数", "expected an integer"),
    "int_parsing": ("应为整数", "expected an integer"),
    "int_from_float": ("应为整数，不能带小数", "expected a whole number"),
    "float_type": ("应为数字", "expected a number"),
    "float_parsing": ("应为数字", "expected a number"),
    "bool_type": ("应为 true 或 false", "expected true or false"),
    "bool_parsing": ("应为 true 或 false", "expected true or false"),
    "string_type": ("应为文字", "expected a string"),
    "list_type": ("应为列表（以“- ”开头的多行）", "expected a list"),
    "dict_type": ("应为键值映射", "expected a mapping"),
    "model_type": ("应为键值映射", "expected a mapping"),
    "model_attributes_type": ("应为键值映射", "expected a mapping"),
    # the config types are dataclasses: pydantic says "dataclass" where a model said "model"
    "dataclass_type": ("应为键值映射", "expected a mapping"),
    "literal_error": ("取值不在允许范围内", "value not allowed"),
    "enum": ("取值不在允许范围内", "value not allowed"),
    "greater_than": ("数值太小", "value too small"),
    "greater_than_equal": ("数值太小", "value too small"),
    "less_than": ("数值太大", "value too large"),
    "less_than_equal": ("数值太大", "value too large"),
    "string_too_short": ("文字太短或为空", "string too short or empty"),
    "string_too_long": ("文字太长", "string too long"),
    "too_short": ("列表项太少", "too few items"),
    "too_long": ("列表项太多", "too many items"),
    "string_pattern_mismatch": ("格式不正确", "wrong format"),
    "date_type": ("应为日期，如 2026-10-01", "expected a date like 2026-10-01"),
    "date_parsing": ("应为日期，如 2026-10-01", "expected a date like 2026-10-01"),
    "date_from_datetime_parsing": ("应为日期，如 2026-10-01", "expected a date like 2026-10-01"),
    "path_type": ("应为文件路径", "expected a file path"),
    "none_required": ("此处应留空 (null)", "expected null"),
    "recursion_loop": ("配置中存在循环引用", "recursive reference"),
    "frozen_instance": ("配置不可修改", "configuration is read-only"),
    "value_error": ("取值不正确", "invalid value"),
    "assertion_error": ("取值不正确", "invalid value"),
}

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
