"""Typed gateway errors, each with a resident/staff-safe Chinese and English message.

Callers (the app's worker threads, the outbox sender) decide on ``retryable``/``permanent`` rather than on
HTTP status codes; every error is raised ``from`` its cause so the traceback keeps the real reason.
Messages never contain personal data: gateway messages are kept in ``detail`` (English, for logs via the
masking filter) and the resident-facing texts are fixed strings chosen by error class and code.
"""
from __future__ import annotations


class BackendError(Exception):
    """Base of every gateway failure. ``retryable``: trying again later may succeed."""

    default_zh = "服务暂时不可用，请稍后再试"
    default_en = "The service is temporarily unavailable, please try again later"
    retryable = True

    def __init_subclass__(cls, *, zh: str | None = None, en: str | None = None, retryable: bool | None = None,
                          **kwargs: object) -> None:
        """A subclass states its defaults in its class line, as device errors do:
        ``class X(BackendError, zh=…, en=…, retryable=…)``."""
        super().__init_subclass__(**kwargs)
        cls.default_zh = zh or cls.default_zh
        cls.default_en = en or cls.default_en
        if retryable is not None:
            cls.retryable = retryable

    def __init__(self, detail: str | None = None, *, code: str | None = None, status: int | None = None,
                 message_zh: str | None = None, message_en: str | None = None,
                 retry_after: float | None = None) -> None:
        self.code = code or type(self).__name__.rstrip("_").lower()
        self.status = status
        self.detail = detail or self.default_en
        self.message_zh = message_zh or self.default_zh
        self.message_en = message_en or self.default_en
        self.retry_after = retry_after
        super().__init__(f"{self.code}: {self.detail}" + (f" (HTTP {status})" if status else ""))

    @property
    def permanent(self) -> bool:
        """True when sending the same request again can never succeed (outbox → dead letter)."""
        return not self.retryable


class NetworkError(BackendError, zh="网络连接失败，请稍后再试", en="Network connection failed, please try again later"):
    """No connection: refused, reset, DNS, TLS handshake, connection dropped mid-response."""


class TLSError(NetworkError, zh="安全连接失败，请联系工作人员", en="Secure connection failed, please ask staff"):
    """The gateway's certificate did not verify against the configured CA bundle."""


class TimeoutError_(BackendError, zh="服务响应超时，请稍后再试",  # noqa: N801 — trailing underscore: not the builtin
                    en="The service did not respond in time, please try again later"):
    """Connect or read timeout."""


class AuthError(BackendError, zh="身份验证失败，请重新登录", en="Authentication failed, please sign in again"):
    """401/403: bad signature, clock skew, unknown terminal, expired or invalid session token."""

    # Terminal-level failures can be fixed by staff (secret, clock) and then the same request succeeds;
    # a resident's token that is expired or invalid never becomes valid again.
    TERMINAL_CODES = frozenset({"bad_signature", "clock_skew", "replayed_nonce", "missing_signature",
                                "unknown_terminal"})

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.code in self.TERMINAL_CODES


class ValidationError(BackendError, zh="提交的信息有误，请检查后重试",
                      en="The information submitted is not valid, please check it", retryable=False):
    """400/422: the request itself is wrong (missing field, bad ID number)."""


class NotFoundError(ValidationError, zh="未找到相关信息", en="Not found"):
    """404: unknown service, record kind or QR ticket."""


class ConflictError(ValidationError, zh="重复提交冲突，请联系工作人员", en="Conflicting duplicate submission, please ask staff"):
    """409: an Idempotency-Key reused with a different body — a kiosk bug, never retried."""


class ScanCodeRejected(ValidationError):
    """A code the resident showed the scanner was refused; ``message_zh`` is what the kiosk shows and says.

    ``code_unreadable`` is the client's own: the scan cannot be a code at all (the gateway is not asked).
    """

    MESSAGES = {
        "code_expired": ("随申码已过期，请在随申办中刷新后重新出示",
                         "This code has expired. Refresh it in the app and show it again"),
        "code_replayed": ("此随申码已使用过，请刷新后出示新的随申码",
                          "This code was already used. Refresh it and show the new one"),
        "code_invalid": ("无法识别此码，请出示随申办中的随申码",
                         "This code is not recognised. Please show your Suishenma"),
        "code_unreadable": ("无法识别此码，请重新出示", "This code cannot be read, please show it again"),
        "pickup_collected": ("此件已领取", "This item has already been collected"),
        "pickup_returned": ("此件已退回，请联系工作人员", "This item was returned to sender, please ask staff"),
        "appointment_not_now": ("不在预约签到时间内（预约时间前后 30 分钟）",
                                "Check-in is open from 30 minutes before to 30 minutes after the booked time"),
    }


class ServerError(BackendError):
    """5xx and 429: the gateway is failing or overloaded; ``retry_after`` when it said so."""


class ProtocolError(BackendError, zh="服务返回数据异常，请稍后再试", en="The service returned invalid data, please try again later"):
    """A reply that does not match the contract (malformed JSON, missing field)."""


class Cancelled(BackendError, zh="操作已取消", en="Operation cancelled", retryable=False):
    """The caller's cancel event was set (Home/Back, idle reset, the other login method won)."""


class ConfigurationError(BackendError, zh="终端配置错误，请联系工作人员",
                         en="Terminal configuration error, please ask staff", retryable=False):
    """Client set up wrongly: plain http, missing CA bundle or secret file."""


_BY_STATUS = {400: ValidationError, 401: AuthError, 403: AuthError, 404: NotFoundError,
              409: ConflictError, 422: ValidationError, 429: ServerError}


def error_for_status(status: int, code: str | None, detail: str | None,
                     retry_after: float | None = None) -> BackendError:
    """The typed error for an HTTP error reply with a ``{code, message}`` body."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ValidationError
    zh = en = None
    if code == "token_expired":
        zh, en = "登录已过期，请重新登录", "Your session has expired, please sign in again"
    elif code == "clock_skew":
        zh, en = "终端时间不准确，请联系工作人员", "Terminal clock is wrong, please ask staff"
    elif code in ScanCodeRejected.MESSAGES:
        cls = ScanCodeRejected
        zh, en = ScanCodeRejected.MESSAGES[code]
    elif code in AuthError.TERMINAL_CODES:
        zh, en = "终端认证失败，请联系工作人员", "Terminal authentication failed, please ask staff"
    return cls(detail, code=code, status=status, message_zh=zh, message_en=en, retry_after=retry_after)
