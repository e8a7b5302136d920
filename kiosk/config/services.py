"""Models of ``services.yaml`` (the service catalog) and the validation of what residents type into forms.

:meth:`FieldDef.validate` checks one entered value and answers with a :class:`FieldMessage` (zh + en) the
form screen shows; it never echoes the value, because form values are personal data.
The ID-number check character (GB 11643-1999, ISO 7064 MOD 11-2) is a dozen lines, not worth a dependency.
Like every config type these are stdlib dataclasses; pydantic validates them (see :mod:`kiosk.config.base`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from kiosk.config.address import AddressBook
from kiosk.config.base import Check, Ident, LocalText, NonEmpty, Strict, bad
from kiosk.icons import check_name

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")

FieldKind = Literal["digits", "id_number", "phone", "choice", "date", "handoff_text"]
Action = Literal["queue_ticket", "guide", "record", "licences", "submission"]
Identification = Literal["none", "idcard_or_qr"]
DeviceName = Literal["printer", "idcard", "scanner"]
#: a Material Icons name of the installed icon font (kiosk.icons); unknown names are config errors
IconName = Annotated[str, Check(check_name, strip_whitespace=True, min_length=1)]


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def id_number_valid(value: str) -> bool:
    """18-character resident ID number: digits, a real birth date and the right check character."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    return id_check_char(value[:17]) == value[17]


@dataclass(frozen=True)
class FieldMessage:
    """Why an entered value is refused, for the form screen (both languages)."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang.lower().startswith("en") else self.zh


@dataclass(frozen=True, kw_only=True)
class Choice(Strict):
    value: Annotated[str, Check(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    label: LocalText


@dataclass(frozen=True, kw_only=True)
class Category(Strict):
    id: Ident
    title: LocalText
    icon: IconName


def _max_not_below_min(value: int | None, info: Any) -> int | None:
    low = info.data.get("min_length")
    if value is not None and low is not None and value < low:
        raise bad(f"max_length ({value}) 小于 min_length ({low})", "max_length is below min_length")
    return value


def _compiles(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise bad(f"正则表达式无效：{exc}", f"invalid regular expression: {exc}") from exc
    return value


def _choices_fit_kind(value: list[Choice] | None, info: Any) -> list[Choice] | None:
    kind = info.data.get("kind")
    if value is not None and kind is not None and kind != "choice":
        raise bad(f"只有 kind: choice 的字段才能有 choices（当前 kind: {kind}）",
                  "choices are only allowed for kind: choice")
    if value is not None:
        if not value:
            raise bad("choices 不能为空", "choices must not be empty")
        values = [c.value for c in value]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise bad(f"选项值重复：{', '.join(dupes)}", f"duplicate choice values: {', '.join(dupes)}")
    return value


@dataclass(frozen=True, kw_only=True)
class FieldDef(Strict):
    """One form field; the kiosk has no Chinese IME, so free text is handed off to the phone (handoff_text)."""

    id: Ident
    label: LocalText
    kind: FieldKind
    required: bool = True
    min_length: Annotated[int, Check(ge=0)] | None = None
    max_length: Annotated[Annotated[int, Check(gt=0)] | None, Check(_max_not_below_min, with_info=True)] = None
    pattern: Annotated[str | None, Check(_compiles)] = None
    choices: Annotated[list[Choice] | None, Check(_choices_fit_kind, with_info=True)] = None
    help: LocalText | None = None

    def __post_init__(self) -> None:
        # pydantic calls this after validating the fields (a whole-object check, as a model validator was)
        if self.kind == "choice" and self.choices is None:
            raise bad(f"字段 {self.id} 为 choice 类型，必须提供 choices", "kind: choice needs choices")

    def choice_label(self, value: str, lang: str = "zh-CN") -> str | None:
        for choice in self.choices or ():
            if choice.value == value:
                return choice.label.get(lang)
        return None

    def validate(self, value: Any) -> FieldMessage | None:  # type: ignore[override]
        """None when ``value`` is acceptable, else a FieldMessage saying why (never containing the value)."""
        text = "" if value is None else str(value).strip()
        if not text:
            return FieldMessage("此项为必填项", "This field is required") if self.required else None
        problem = self._kind_problem(text)
        if problem is not None:
            return problem
        if self.min_length is not None and len(text) < self.min_length:
            return FieldMessage(f"至少需要 {self.min_length} 个字符", f"At least {self.min_length} characters")
        if self.max_length is not None and len(text) > self.max_length:
            return FieldMessage(f"最多 {self.max_length} 个字符", f"At most {self.max_length} characters")
        if self.pattern is not None and re.fullmatch(self.pattern, text) is None:
            return FieldMessage("格式不正确，请核对", "The format is not valid, please check")
        return None

    def _kind_problem(self, text: str) -> FieldMessage | None:
        if self.kind == "digits" and not re.fullmatch(r"[0-9]+", text):
            return FieldMessage("只能输入数字", "Digits only")
        if self.kind == "id_number" and not id_number_valid(text):
            return FieldMessage("身份证号码不正确，请核对（18位，末位可为X）",
                                "The ID number is not valid (18 characters, last may be X)")
        if self.kind == "phone" and not MOBILE_RE.match(text):
            return FieldMessage("请输入11位手机号码", "Enter an 11-digit mainland mobile number")
        if self.kind == "choice" and text not in {c.value for c in self.choices or ()}:
            return FieldMessage("请从列表中选择", "Please choose from the list")
        if self.kind == "date":
            try:
                date.fromisoformat(text)
            except ValueError:
                return FieldMessage("日期格式应为 年-月-日", "Date must be YYYY-MM-DD")
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return FieldMessage("日期格式应为 年-月-日", "Date must be YYYY-MM-DD")
        return None


def _unique_devices(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise bad("设备列表有重复", "duplicate device")
    return value


@dataclass(frozen=True, kw_only=True)
class ServiceDef(Strict):
    """One tile on the kiosk: what it is called, who may use it, what devices it needs, what it calls."""

    id: Ident
    title: LocalText
    summary: LocalText
    category: Ident
    icon: IconName
    enabled: bool = True
    identification: Identification = "none"
    devices: Annotated[list[DeviceName], Check(_unique_devices)] = field(default_factory=list)
    action: Action
    params: dict[str, Any] = field(default_factory=dict)
    # `field` here is still dataclasses.field: the method ServiceDef.field is defined below this line
    fields: list[FieldDef] = field(default_factory=list)

    def field(self, field_id: str) -> FieldDef:
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(field_id)

    def validate_form(self, values: dict[str, Any]) -> dict[str, FieldMessage]:
        """Problems per field id for a whole form (empty dict = all good)."""
        out = {}
        for item in self.fields:
            message = item.validate(values.get(item.id))
            if message is not None:
                out[item.id] = message
        return out


# --- per-action params (validated after the file parses, so errors still carry file and line) -----------
@dataclass(frozen=True, kw_only=True)
class QueueTicketParams(Strict):
    #: ticket number prefix for the staffed windows' queue system
    prefix: Annotated[str, Check(pattern=r"^[A-Z]{1,2}$")] = "A"
    #: when the staffed counters serve this queue, printed on the ticket (e.g. 工作日 9:00-17:00)
    counter_hours: LocalText | None = None


@dataclass(frozen=True, kw_only=True)
class GuideParams(Strict):
    #: offer a printed copy of the guide when the printer is ready
    printable: bool = True


@dataclass(frozen=True, kw_only=True)
class RecordParams(Strict):
    kind: Annotated[str, Check(pattern=r"^[a-z0-9][a-z0-9-]{1,47}$")]


@dataclass(frozen=True, kw_only=True)
class LicencesParams(Strict):
    printable: bool = False


@dataclass(frozen=True, kw_only=True)
class SubmissionParams(Strict):
    submission_type: Literal["12345", "appointment", "delivery"]
    #: appointments: which counters of this centre the resident goes to, printed on the appointment receipt
    place: LocalText | None = None


PARAMS_MODELS: dict[str, type[Strict]] = {
    "queue_ticket": QueueTicketParams, "guide": GuideParams, "record": RecordParams,
    "licences": LicencesParams, "submission": SubmissionParams,
}


@dataclass(frozen=True, kw_only=True)
class ServicesFile(Strict):
    """The whole of ``services.yaml``."""

    categories: Annotated[list[Category], Check(min_length=1)]
    services: Annotated[list[ServiceDef], Check(min_length=1)]
    addresses: AddressBook = field(default_factory=AddressBook)
