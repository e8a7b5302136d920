"""Models of ``terminal.yaml``: who this kiosk is, its screen, devices, backend, storage, logging and staff access.

Field names are a contract the app, device, backend and ops code read (see BRIEF "Interfaces"); add fields,
do not rename them. Like every config type these are stdlib dataclasses; pydantic validates them (see
:mod:`kiosk.config.base`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from kiosk.config.base import (Check, ConfigPath, ExistingFile, Ident, LocalText, NonEmpty, PinHash,
                               PositiveFloat, PositiveInt, Strict, bad)
from kiosk.config.hours import OpeningHours

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
BAUDRATES = (9600, 19200, 38400, 57600, 115200)

_HOST = re.compile(r"^(?:[0-9a-fA-F:.]+|[A-Za-z0-9][A-Za-z0-9.-]{0,252})$")
_QUERY_OPTION = re.compile(r"^[A-Za-z_]+(=[^&=]*)?$")


def _port_problem(url: str) -> str | None:
    """Why ``url`` is not a port pyserial's ``serial_for_url`` would open, or None.

    Hand-written because pyserial only parses a URL when it opens it (``do_not_open`` skips parsing), and
    ``kiosk config check`` must not open ports that the running kiosk holds.
    """
    if url.startswith("/dev/"):
        return None if re.fullmatch(r"/dev/[A-Za-z0-9_./-]+", url) and ".." not in url else "bad device path"
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "expected /dev/… or scheme://…"
    path, _, query = rest.partition("?")
    if query and not all(_QUERY_OPTION.match(opt) for opt in query.split("&")):
        return "bad ?option list"
    if scheme in ("socket", "rfc2217"):
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            return "port number must be 1-65535"
        if not parts.hostname or port is None or parts.path not in ("", "/") or not _HOST.match(parts.hostname):
            return f"{scheme}:// needs host:port"
        return None if 0 < port < 65536 else "port number must be 1-65535"
    if scheme == "loop":
        return None if path == "" else "loop:// takes no host"
    if scheme == "spy":
        # spy:// wraps a native serial port: spy:///dev/ttyUSB0?file=trace.txt
        return None if path.startswith("/dev/") and _port_problem(path) is None else "spy:// wraps /dev/…"
    return f"unknown scheme {scheme!r} (use /dev/…, socket://, rfc2217://, loop://, spy://)"


def _check_port(url: str) -> str:
    problem = _port_problem(url)
    if problem is not None:
        raise bad(f"不是有效的串口地址 {url!r}", f"invalid pyserial URL: {problem}")
    return url


PortUrl = Annotated[str, Check(_check_port)]
Baudrate = Literal[9600, 19200, 38400, 57600, 115200]


@dataclass(frozen=True, kw_only=True)
class TerminalInfo(Strict):
    """Identity shown on tickets and sent with every backend call."""

    id: Annotated[str, Check(pattern=r"^[A-Z0-9][A-Z0-9-]{2,39}$")]
    name: NonEmpty
    name_en: NonEmpty
    location: NonEmpty
    location_en: NonEmpty
    #: the nearest staffed option, shown on the closed screen and when a service is unavailable
    nearest_staffed: LocalText
    #: a production terminal: every load also runs the production guard (kiosk/config/production.py)
    production: bool = False


def _agrees_with_size(value: str, info: Any) -> str:
    width, height = info.data.get("width"), info.data.get("height")
    if width is not None and height is not None:
        if value == "portrait" and width > height:
            raise bad(f"竖屏 (portrait) 要求高度不小于宽度，当前 {width}×{height}",
                      f"portrait needs height >= width, got {width}x{height}")
        if value == "landscape" and height > width:
            raise bad(f"横屏 (landscape) 要求宽度不小于高度，当前 {width}×{height}",
                      f"landscape needs width >= height, got {width}x{height}")
    return value


@dataclass(frozen=True, kw_only=True)
class DisplayConfig(Strict):
    width: PositiveInt = 1080
    height: PositiveInt = 1920
    orientation: Annotated[Literal["portrait", "landscape"], Check(_agrees_with_size, with_info=True)] = "portrait"
    fullscreen: bool = True
    borderless: bool = True
    #: hiding the cursor broke touch on some hardware (Kivy issue tracker), so it is a switch
    show_cursor: bool = False
    font_path: ExistingFile = Path(DEFAULT_FONT)
    #: exactly one Kivy input provider per touch device, or touches arrive twice
    input_provider: Annotated[str, Check(pattern=r"^(mouse|probesysfs|(mtdev|hidinput):/dev/[A-Za-z0-9_./-]+)$")] \
        = "mouse"


Lang = Literal["zh-CN", "en"]


def _contains_default(value: list[str], info: Any) -> list[str]:
    default = info.data.get("default")
    if default is not None and default not in value:
        raise bad(f"默认语言 {default} 不在可选语言中", f"default language {default} is not in available")
    if len(set(value)) != len(value):
        raise bad("可选语言有重复", "duplicate language")
    return value


@dataclass(frozen=True, kw_only=True)
class LanguageConfig(Strict):
    default: Lang = "zh-CN"
    available: Annotated[list[Lang], Check(_contains_default, with_info=True, min_length=1)] = field(
        default_factory=lambda: ["zh-CN", "en"])


@dataclass(frozen=True, kw_only=True)
class SessionConfig(Strict):
    #: seconds without a touch before the countdown appears
    idle_timeout_s: PositiveInt = 60
    #: seconds the "继续?" countdown runs before the session is wiped
    countdown_s: PositiveInt = 15
    #: idle timeout per screen name, overriding idle_timeout_s (e.g. a long form)
    per_screen: dict[Ident, PositiveInt] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class IdCardConfig(Strict):
    enabled: bool = True
    port: PortUrl
    baudrate: Baudrate = 115200
    #: vendor library decoding the card photo (WLT); null = no photo shown
    photo_decoder: ExistingFile | None = None
    #: seconds between find-card polls while no card is on the reader (a found card: every 0.3 s). The default
    #: keeps the vendor's advice (find no faster than every 300 ms); 0.1 shortens the wait for the first read
    #: (docs/PERFORMANCE.md §13) on a reader known to take it
    poll_interval_s: Annotated[float, Check(ge=0.1, le=1.0)] = 0.3


@dataclass(frozen=True, kw_only=True)
class PrinterConfig(Strict):
    enabled: bool = True
    port: PortUrl
    baudrate: Baudrate = 115200
    #: printer profile name shipped in devices/printer (generic-80mm, …)
    profile: NonEmpty = "generic-80mm"


def _scanner_profile(name: str) -> str:
    from devices.scanner.profiles import profile_names

    if name not in profile_names():
        raise bad(f"未知的扫码器型号配置 {name!r}（可选：{'、'.join(profile_names())}）",
                  f"unknown scanner profile {name!r}")
    return name


@dataclass(frozen=True, kw_only=True)
class ScannerConfig(Strict):
    """The QR scanner (issue 17): off unless configured; the simulator listens on 17103."""

    enabled: bool = False
    port: PortUrl = "socket://127.0.0.1:17103"
    baudrate: Baudrate = 9600
    #: scanner profile name shipped in devices/scanner/profiles.yaml (generic, generic-cr, honeywell-serial, …)
    profile: Annotated[str, Check(_scanner_profile)] = "generic"
    #: the same code again within this many seconds is one scan
    dedupe_s: PositiveFloat = 2.0


@dataclass(frozen=True, kw_only=True)
class DevicesConfig(Strict):
    idcard: IdCardConfig
    printer: PrinterConfig
    scanner: ScannerConfig = field(default_factory=ScannerConfig)


def _check_https(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise bad(f"后台地址必须以 https:// 开头并包含主机名：{url!r}", "base_url must be https://host[:port][/path]")
    try:
        parts.port  # noqa: B018 - raises ValueError for an out-of-range port
    except ValueError as exc:
        raise bad(f"后台地址端口不正确：{url!r}", "bad port in base_url") from exc
    if parts.query or parts.fragment:
        raise bad("后台地址不能带 ? 或 #", "base_url must not have a query or fragment")
    return url.rstrip("/")


@dataclass(frozen=True, kw_only=True)
class BackendConfig(Strict):
    base_url: Annotated[str, Check(_check_https)]
    #: CA bundle to trust (a private gateway CA); null = the system CAs
    ca_bundle: ExistingFile | None = None
    #: the terminal's shared secret for signing requests (never in the YAML itself)
    secret_file: ExistingFile
    connect_timeout_s: PositiveFloat = 3.0
    read_timeout_s: PositiveFloat = 10.0
    #: the whole call — retries and every byte of the reply — however slowly a gateway trickles it
    request_deadline_s: PositiveFloat = 30.0
    #: a reply body longer than this is refused as outside the contract (default 1 MiB)
    max_reply_bytes: Annotated[int, Check(ge=65_536, le=67_108_864)] = 1_048_576
    heartbeat_interval_s: PositiveFloat = 60.0


@dataclass(frozen=True, kw_only=True)
class OutboxConfig(Strict):
    path: ConfigPath
    #: AES-256-GCM key sealing queued payloads (created 0600 on first start); null = ``<path>.key``
    key_file: ConfigPath | None = None
    #: days a delivered row (no personal data left, reference only) is kept
    retention_days: PositiveInt = 30
    max_done_rows: PositiveInt = 10_000
    #: days an undeliverable (dead) row is kept for staff to retry before it is purged
    dead_retention_days: PositiveInt = 14
    #: staff are alerted this many days before a dead row is purged
    dead_warn_days: PositiveInt = 2


@dataclass(frozen=True, kw_only=True)
class LoggingConfig(Strict):
    dir: ConfigPath
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_bytes: Annotated[int, Check(ge=10_000)] = 5_000_000
    backups: Annotated[int, Check(ge=0, le=100)] = 5


@dataclass(frozen=True, kw_only=True)
class StaffConfig(Strict):
    #: pbkdf2_sha256$iterations$salt_hex$hash_hex — make one with `kiosk config hash-pin`
    pin_hash: PinHash
    lockout_after: PositiveInt = 5
    lockout_s: PositiveInt = 300
    corner_taps: Annotated[int, Check(ge=3, le=20)] = 5
    corner_window_s: PositiveFloat = 3.0


@dataclass(frozen=True, kw_only=True)
class VoiceConfig(Strict):
    """Spoken prompts (docs/voice.md): where the synthesised cache and the human recordings live."""

    cache_dir: ConfigPath
    #: <lang>/<prompt key>.wav recordings that replace synthesised prompts
    recorded_dir: ConfigPath
    #: speak each screen's prompt on entry: always | elder (in elder mode only) | never
    auto_play: Literal["always", "elder", "never"] = "elder"
    volume: Annotated[float, Check(ge=0.0, le=1.0)] = 0.8
    muted: bool = False


#: a duty phone: digits with optional dashes (021-62470000, 13800138000), as the gateway's call_phone
DutyPhone = Annotated[str, Check(pattern=r"^[0-9][0-9-]{2,19}$")]


@dataclass(frozen=True, kw_only=True)
class HelpConfig(Strict):
    """一键求助 (docs/help.md): whom to call when the gateway cannot page anyone, and how long the session waits."""

    #: the centre's on-duty phone, shown and spoken (with 12345) when the gateway cannot be reached
    duty_phone: DutyPhone | None = None
    #: the idle wipe waits for an acknowledged helper for their ETA plus this many minutes
    wait_after_eta_min: Annotated[int, Check(ge=0, le=60)] = 5
    #: … and for a request nobody has acknowledged yet for this many minutes
    wait_unacknowledged_min: Annotated[int, Check(ge=1, le=60)] = 10


@dataclass(frozen=True, kw_only=True)
class TerminalFile(Strict):
    """The whole of ``terminal.yaml``."""

    terminal: TerminalInfo
    display: DisplayConfig = field(default_factory=DisplayConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    opening_hours: OpeningHours
    devices: DevicesConfig
    backend: BackendConfig
    outbox: OutboxConfig
    logging: LoggingConfig
    staff: StaffConfig
    voice: VoiceConfig | None = None
    help: HelpConfig = field(default_factory=HelpConfig)
