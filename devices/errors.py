"""Typed device errors, each carrying the action the kiosk should take (XFS4IoT / UnifiedPOS vocabulary).

Raise them ``from`` the underlying cause so the traceback keeps the real reason.
"""
from __future__ import annotations

from enum import Enum


class Action(str, Enum):
    """What resolves a fault; decides the UI (hide service, ask staff) and the alert level."""

    NONE = "none"
    RESET = "reset"  # retry / reset the device, software can do it
    CLEAR = "clear"  # staff can fix: paper, cover, card placement
    MAINTENANCE = "maintenance"  # an engineer is needed
    CONFIGURATION = "configuration"  # wrong port, wrong model profile


class DeviceError(Exception):
    """Base of every device failure.

    ``message_zh``/``message_en`` are safe to show to residents and staff (never personal data).
    """

    default_action = Action.RESET
    default_zh = "设备故障"
    default_en = "Device fault"

    def __init_subclass__(cls, *, zh: str | None = None, en: str | None = None, action: Action | None = None,
                          **kwargs: object) -> None:
        """A subclass states its defaults in its class line: ``class X(DeviceError, zh=…, en=…, action=…)``."""
        super().__init_subclass__(**kwargs)
        cls.default_zh = zh or cls.default_zh
        cls.default_en = en or cls.default_en
        cls.default_action = action or cls.default_action

    def __init__(self, message_en: str | None = None, *, message_zh: str | None = None,
                 action: Action | None = None) -> None:
        self.message_en = message_en or self.default_en
        self.message_zh = message_zh or self.default_zh
        self.action = action or self.default_action
        super().__init__(self.message_en)


class DeviceUnavailable(DeviceError, zh="设备未连接", en="Device not connected"):
    """The port cannot be opened or vanished (cable pulled, USB re-enumerated, wrong path)."""


class DeviceTimeout(DeviceError, zh="设备无响应", en="Device did not respond"):
    """The device did not answer in time."""


class ProtocolError(DeviceError, zh="设备通信错误", en="Device communication error"):
    """Bytes that do not form a valid frame/reply (bad checksum, bad length, unexpected reply)."""


class DeviceStatusError(DeviceError, zh="设备状态异常", en="Device reported a fault"):
    """The device answered with a status that forbids the operation (no paper, SAM failure, …)."""


class OperationCancelled(DeviceError, zh="操作已取消", en="Operation cancelled", action=Action.NONE):
    """The caller cancelled (Home/Back, idle reset, the other identification method won)."""
