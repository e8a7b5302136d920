"""SAM status byte SW3: what each code means, in Chinese and English, and the action that resolves it.

Separate from ``protocol.py`` so the framing stays small; ``protocol`` re-exports every name here.
"""
from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from devices.errors import Action, DeviceStatusError, ProtocolError


class Sw3(IntEnum):
    BAD_CHECKSUM = 0x10
    BAD_LENGTH = 0x11
    BAD_COMMAND = 0x21
    NOT_PERMITTED = 0x23
    UNRECOGNISED = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    VERIFY_FAILED = 0x33
    NO_CARD_YET = 0x34
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    WRITE_FAILED = 0x50
    SAM_SELF_TEST_FAILED = 0x60
    LOGIN_FAILED = 0x61
    SAM_NOT_AUTHORISED = 0x66
    NO_CARD = 0x80
    SELECT_FAILED = 0x81
    SUCCESS = 0x90
    NO_CONTENT = 0x91
    FIND_OK = 0x9F


class CardNotPresent(DeviceStatusError, zh="请放置身份证", en="Please place your ID card on the reader",
                     action=Action.NONE):
    """No card on the reader (yet). Not a fault: the resident has to place it."""


class CardReadFailed(DeviceStatusError, zh="请重新放置身份证", en="Please place your ID card on the reader again",
                     action=Action.CLEAR):
    """The card was found but could not be read — usually moved or lifted during the read."""


class SamFault(DeviceStatusError, zh="身份证读卡模块故障，请联系工作人员",
               en="ID card security module fault; please ask staff", action=Action.MAINTENANCE):
    """The security module itself failed; an engineer is needed."""


class Sw3Info(NamedTuple):
    code: str  # stable key used in events and logs
    message_zh: str
    message_en: str
    action: Action
    error: type


_RETRY_ZH = CardReadFailed.default_zh
_RETRY_EN = CardReadFailed.default_en
_LINK_ZH, _LINK_EN = "读卡器通信错误", "Reader communication error"

SW3_TABLE: dict[int, Sw3Info] = {
    Sw3.SUCCESS: Sw3Info("ok", "成功", "OK", Action.NONE, type(None)),
    Sw3.FIND_OK: Sw3Info("card_found", "已找到卡", "Card found", Action.NONE, type(None)),
    Sw3.NO_CONTENT: Sw3Info("no_content", "无此项内容", "No content for this item", Action.NONE, type(None)),
    Sw3.BAD_CHECKSUM: Sw3Info("link_bad_checksum", _LINK_ZH, "Reader received a bad checksum",
                              Action.RESET, ProtocolError),
    Sw3.BAD_LENGTH: Sw3Info("link_bad_length", _LINK_ZH, "Reader received a bad length", Action.RESET,
                            ProtocolError),
    Sw3.BAD_COMMAND: Sw3Info("bad_command", _LINK_ZH, "Reader rejected the command", Action.RESET,
                             ProtocolError),
    Sw3.NOT_PERMITTED: Sw3Info("not_permitted", _LINK_ZH, "Operation not permitted", Action.RESET,
                               ProtocolError),
    Sw3.UNRECOGNISED: Sw3Info("unrecognised", _LINK_ZH, "Reader reported an unrecognised error",
                              Action.RESET, ProtocolError),
    Sw3.CARD_AUTH_SAM_FAILED: Sw3Info("card_auth_failed", _RETRY_ZH, _RETRY_EN, Action.CLEAR, CardReadFailed),
    Sw3.SAM_AUTH_CARD_FAILED: Sw3Info("sam_auth_failed", _RETRY_ZH, _RETRY_EN, Action.CLEAR, CardReadFailed),
    Sw3.VERIFY_FAILED: Sw3Info("verify_failed", _RETRY_ZH, _RETRY_EN, Action.CLEAR, CardReadFailed),
    Sw3.NO_CARD_YET: Sw3Info("no_card", CardNotPresent.default_zh, CardNotPresent.default_en, Action.NONE,
                             CardNotPresent),
    Sw3.UNKNOWN_CARD_TYPE: Sw3Info("unknown_card_type", "无法识别的证件类型，请使用身份证或居住证",
                                   "Unknown card type; please use a resident ID or permit",
                                   Action.CLEAR, CardReadFailed),
    Sw3.READ_FAILED: Sw3Info("read_failed", _RETRY_ZH, _RETRY_EN, Action.CLEAR, CardReadFailed),
    Sw3.RANDOM_FAILED: Sw3Info("random_failed", _RETRY_ZH, _RETRY_EN, Action.CLEAR, CardReadFailed),
    Sw3.WRITE_FAILED: Sw3Info("write_failed", _RETRY_ZH, _RETRY_EN, Action.CLEAR, CardReadFailed),
    Sw3.SAM_SELF_TEST_FAILED: Sw3Info("sam_self_test_failed", SamFault.default_zh,
                                      "ID card security module failed its self-test", Action.MAINTENANCE,
                                      SamFault),
    Sw3.LOGIN_FAILED: Sw3Info("sam_login_failed", SamFault.default_zh, "Security module login failed",
                              Action.MAINTENANCE, SamFault),
    Sw3.SAM_NOT_AUTHORISED: Sw3Info("sam_not_authorised", SamFault.default_zh,
                                    "Security module not authorised", Action.MAINTENANCE, SamFault),
    Sw3.NO_CARD: Sw3Info("no_card", CardNotPresent.default_zh, CardNotPresent.default_en, Action.NONE,
                         CardNotPresent),
    Sw3.SELECT_FAILED: Sw3Info("select_failed", _RETRY_ZH, _RETRY_EN, Action.CLEAR, CardReadFailed),
}


def describe_sw3(sw3: int) -> Sw3Info:
    """What a status byte means; unknown codes are treated as an unrecognised reader error."""
    info = SW3_TABLE.get(sw3)
    if info is None:
        return Sw3Info(f"sw3_{sw3:02x}", _LINK_ZH, f"Reader returned unknown status 0x{sw3:02X}",
                       Action.RESET, ProtocolError)
    return info


def sw3_error(sw3: int) -> DeviceStatusError | ProtocolError:
    """The typed error for a failure status (``sw3`` must not be a success code)."""
    info = describe_sw3(sw3)
    if info.error is type(None):
        raise ValueError(f"0x{sw3:02X} is not a failure status")
    error = info.error(f"{info.message_en} (SW3 0x{sw3:02X})", message_zh=info.message_zh,
                       action=info.action)
    error.sw3 = sw3
    error.code = info.code
    return error


