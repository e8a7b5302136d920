"""The session's view model: plain dataclasses the screens read (see docs/app-contract.md).

Kept apart from the controller so screens and tests can import the shapes without the logic. Nothing here
holds a token or an unmasked identity: only what may be shown on screen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCREENS = ("attract", "identify", "menu", "guide", "record", "licence", "form", "confirm", "result",
           "closed", "staff_pin", "staff")


@dataclass(frozen=True)
class Text:
    """A bilingual string decided by the session (zh-CN first, en second)."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def __str__(self) -> str:
        return self.zh

    def format(self, **kw: Any) -> "Text":
        """Fill the placeholders of both languages; a :class:`Text` argument gives each language its own."""
        zh = {k: v.zh if isinstance(v, Text) else v for k, v in kw.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in kw.items()}
        return Text(self.zh.format(**zh), self.en.format(**en))


@dataclass
class Identity:
    display_name: str  # already masked
    method: str  # idcard | qr | ssm (a scanned 随申码)


@dataclass
class ServiceView:
    id: str
    title: Text
    action: str
    category: str
    icon: str = ""
    needs_login: bool = False
    printable: bool = False  # show a 打印 button (guide/record/licence)


@dataclass
class MenuItem:
    service_id: str
    title: Text
    icon: str
    available: bool
    reason: Text | None
    needs_login: bool
    action: str = ""
    summary: Text | None = None  # one plain sentence (elder mode's menu says it under the name)


@dataclass
class MenuCategory:
    id: str
    title: Text
    items: list[MenuItem] = field(default_factory=list)


@dataclass
class FieldView:
    id: str
    label: Text
    kind: str  # text digits idnumber phone choice date handoff
    value: str = ""
    error: Text | None = None
    required: bool = True
    options: list[tuple[str, Text]] = field(default_factory=list)
    handoff_url: str | None = None
    max_length: int | None = None
    hint: Text | None = None
    # handoff fields: loading waiting submitted expired error (None for other kinds) and the line to show
    # in the field, e.g. 已在手机上填写（128 字）; the text itself stays at the gateway, never here
    handoff_state: str | None = None
    handoff_status: Text | None = None

    @property
    def filled(self) -> bool:
        return self.handoff_state == "submitted" if self.kind == "handoff" else bool(self.value)


@dataclass
class FormView:
    fields: list[FieldView] = field(default_factory=list)

    @property
    def can_confirm(self) -> bool:
        return all(f.error is None and (f.filled or not f.required) for f in self.fields)

    def field(self, field_id: str) -> FieldView:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


@dataclass
class GuideView:
    title: Text
    sections: list[tuple[Text, Text]] = field(default_factory=list)


@dataclass
class RecordView:
    title: Text
    rows: list[tuple[Text, str]] = field(default_factory=list)
    holder: str = ""  # masked by the gateway
    columns: list[Text] = field(default_factory=list)  # table header …
    table: list[list[str]] = field(default_factory=list)  # … and one list of cells per row


@dataclass
class LicenceView:
    title: Text
    image_png: bytes = b""
    number_masked: str = ""


@dataclass
class ResultView:
    title: Text
    message: Text
    reference: str | None = None
    delivered: bool | None = None
    printed: bool | None = None  # None while printing / nothing to print
    print_message: Text | None = None


@dataclass
class ErrorView:
    text: Text
    action: str = "home"  # retry | home | help | back
    #: the prompt key spoken when the error is shown (kiosk/voice/catalog.py, e.g. ``error.paper_out``); None:
    #: kiosk/voice/prompts.py decides from the device state, else ``error.generic``
    voice: str | None = None


@dataclass
class HelpView:
    """一键求助 on screen (kiosk/session/help.py): who was told and when they come, or which number to call —
    never who asked. ``state``: sending pending acknowledged call unreachable resolved cancelled."""

    state: str
    message: Text
    post: Text | None = None  # the duty post that acknowledged (a post, never a person)
    eta_minutes: int | None = None
    phones: tuple[str, ...] = ()  # numbers to call, shown big and spoken digit by digit

    @property
    def live(self) -> bool:
        """The request is open: the overlay stays (a touch does not close it) and offers 取消求助."""
        return self.state in ("sending", "pending", "acknowledged")


@dataclass
class QrView:
    state: str = "waiting"  # waiting scanned confirmed expired cancelled error
    qr_url: str = ""
    seconds_left: int = 0
    message: Text | None = None


@dataclass
class CardView:
    state: str = "idle"  # idle waiting reading error done
    message: Text | None = None


@dataclass
class DeviceView:
    printer: str = "offline"
    idcard: str = "offline"
    backend: str = "unknown"
    paper: str = "unknown"
    printer_ready: bool = False
    reader_online: bool = False
    backend_ok: bool = False
    printer_reason: Text | None = None
    scanner: str = "noDevice"  # noDevice = no scanner configured: 亮码 is off on this terminal


@dataclass
class StaffView:
    pin_digits: int = 0
    locked_for_s: int = 0
    message: Text | None = None
    statuses: list[tuple[str, str]] = field(default_factory=list)
    outbox_depth: int | None = None
    services: list[tuple[str, Text, bool]] = field(default_factory=list)
    log_tail: list[str] = field(default_factory=list)
    version: str = ""
    last_receipt: bool = False
    voice: tuple[int, bool] | None = None  # (volume %, muted); None: this kiosk has no voice
    help_today: list[tuple[str, str, Text]] = field(default_factory=list)  # (HH:MM, screen, status) — never who


@dataclass
class TerminalView:
    id: str = ""
    name: str = ""
    location: str = ""
    name_en: str = ""
    location_en: str = ""


@dataclass
class SessionState:
    screen: str = "attract"
    lang: str = "zh-CN"
    elder_mode: bool = False
    identity: Identity | None = None
    service: ServiceView | None = None
    menu: list[MenuCategory] = field(default_factory=list)
    attract_services: list[MenuItem] = field(default_factory=list)
    form: FormView | None = None
    guide: GuideView | None = None
    guide_topics: list[MenuItem] = field(default_factory=list)  # guide screen: pick one, then `guide` is set
    record: RecordView | None = None
    licences: list[LicenceView] = field(default_factory=list)
    result: ResultView | None = None
    busy: Text | None = None
    error: ErrorView | None = None
    qr: QrView | None = None
    card: CardView = field(default_factory=CardView)
    countdown: int | None = None
    help: HelpView | None = None
    notice: Text | None = None  # transient line: printing… / printed / print failed
    closed: Text | None = None
    closed_hint: Text | None = None
    devices: DeviceView = field(default_factory=DeviceView)
    staff: StaffView | None = None
    terminal: TerminalView = field(default_factory=TerminalView)
    version: int = 0
