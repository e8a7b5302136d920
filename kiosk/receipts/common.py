"""Helpers shared by the receipt layouts: reading dicts or backend dataclasses alike, header/footer.

Personal data reaches paper only masked: every layout runs names and numbers through :mod:`kiosk.masking`
even when the backend says they are masked already (masking twice is harmless, forgetting once is not).
"""
from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from devices.printer.document import Block, Separator, Text
from kiosk.clock import format_local

DEFAULT_TERMINAL = "一网通办自助终端"


def field(obj: Any, key: str, default: Any = None) -> Any:
    """``obj[key]`` for a dict, ``obj.key`` for a backend dataclass, else ``default``."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def when(value: Any, tz: tzinfo | None = None) -> str:
    """A printable time in the terminal's zone ``tz`` (default Asia/Shanghai): ``2026-11-27 14:03``.

    Aware datetimes and ISO strings with an offset (the gateway's) are converted to ``tz``; naive datetimes
    are terminal-local already; other strings are printed as given. Never the machine's own zone.
    """
    return format_local(value, tz)


def header(title: str, subtitle: str | None = None) -> list[Block]:
    blocks: list[Block] = [Text("上海市“一网通办”", align="center", bold=True),
                           Text(title, size=(2, 2), bold=True, align="center")]
    if subtitle:
        blocks.append(Text(subtitle, align="center"))
    blocks.append(Separator())
    return blocks


def delivery_status(delivered: bool) -> list[Block]:
    """What became of a submission, said honestly: at the gateway, or kept on this kiosk for sending."""
    if delivered:
        return [Text("状态：已提交至政务服务平台", bold=True),
                Text("Status: received by the government service platform")]
    return [Text("状态：已在本机保存，网络恢复后自动提交", bold=True),
            Text("Status: saved on this kiosk; it will be sent automatically when the network is back")]


def footer(terminal_name: str | None, location: str | None, printed_at: datetime | str,
           tz: tzinfo | None = None) -> list[Block]:
    """Terminal, place and the time of printing. ``printed_at`` is the caller's (the session's clock): a
    layout never reads the wall clock itself, so the same inputs print the same paper on any date."""
    if not printed_at:
        raise ValueError("a receipt needs printed_at (the session's clock); none was given")
    blocks: list[Block] = [Separator()]
    blocks.append(Text(f"终端：{terminal_name or DEFAULT_TERMINAL}"))
    if location:
        blocks.append(Text(f"地点：{location}"))
    blocks.append(Text(f"打印时间 Printed：{when(printed_at, tz)}"))
    return blocks
