"""Device status in words for staff (Chinese, then the XFS4IoT term) and the staff self-check line.

Shared by the runtime's staff health checks (kiosk/runtime.py) and the scanner's line (kiosk/runtime_scan.py).
"""
from __future__ import annotations

from typing import Any, Callable

STATUS_ZH = {"online": "在线", "offline": "离线", "noDevice": "未配置", "hardwareError": "硬件故障",
             "userError": "需人工处理", "busy": "忙碌", "unknown": "未知"}
PAPER_ZH = {"full": "纸充足", "low": "纸将尽", "out": "缺纸", "unknown": "纸况未知"}


def zh_status(status: str) -> str:
    return f"{STATUS_ZH.get(status, status)} {status}"


def status_of(device: Any) -> str:
    if device is None:
        return "noDevice"
    status = getattr(device, "status", "offline")
    return str(getattr(status, "value", status))


def self_check(device: Any, probe: Callable[[Any], Any], verdict: Callable[[Any], str]) -> str:
    """A staff self-check line for ``device``: not configured, the probe's typed failure, or its verdict."""
    from devices.errors import DeviceError

    if device is None:
        return "未配置 not configured"
    try:
        answer = probe(device)
    except DeviceError as exc:
        return f"自检失败 check failed: {exc.message_zh}"
    return verdict(answer)
