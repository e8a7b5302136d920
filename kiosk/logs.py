"""Logging set-up for the kiosk, with personal data masked before any handler sees a record.

Every handler the kiosk installs carries :class:`PiiMaskingFilter`, which renders the message (with its
arguments and any exception text) and masks ID numbers, permit numbers, phone numbers and the values of
fields known to hold personal data (name, address, phone, …). Code should not log personal data at all;
this filter is the safety net for the mistakes that will happen anyway.

Log files rotate by size in a configurable directory; a full disk makes logging fail quietly to stderr
(``logging.Handler.handleError``) rather than stopping the kiosk.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from datetime import tzinfo
from pathlib import Path

from kiosk.clock import LogFormatter

# 18-digit resident / permit numbers (17 digits + digit or X), 15-digit first-generation numbers.
# Bounded by non-digits only: a number glued to letters ("id310…") is still masked.
_ID18 = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)")
_ID15 = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{3})(?!\d)")
# Foreign permanent resident ID (2017): 3 letters + 12 digits; HK/Macau pass H/M + 8 or 10 digits.
_FOREIGN = re.compile(r"(?<![0-9A-Za-z])([A-Z]{3})\d{8}(\d{4})(?![0-9A-Za-z])")
_PASS = re.compile(r"(?<![0-9A-Za-z])([HM])\d{4,6}(\d{4})(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally +86 / 86 prefixed.
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)\d{4}(\d{4})(?!\d)")

#: keys whose values are personal data wherever they appear as key=value / "key": "value" / 键：值
PERSONAL_KEYS = (
    "name", "english_name", "chinese_name", "full_name", "display_name_full", "address", "phone",
    "mobile", "id_number", "idno", "permit_number", "pass_number", "birth_date", "photo", "photo_wlt",
    "姓名", "住址", "地址", "电话", "手机", "身份证号", "公民身份号码", "出生",
)
_KEYS = "|".join(sorted((re.escape(k) for k in PERSONAL_KEYS), key=len, reverse=True))
_FIELD = re.compile(
    r"(?P<key>(?<![A-Za-z_])(?:" + _KEYS + r"))(?P<sep>['\"]?\s*[:=：]\s*)"
    r"(?P<q>['\"]?)(?P<val>[^'\",;\n)}\]]+)"
)


def mask_value(value: str) -> str:
    """Keep the first character (a surname, a street prefix) and hide the rest."""
    value = value.strip()
    if not value:
        return value
    return value[0] + "*" * min(max(len(value) - 1, 1), 8)


def mask_id_number(value: str) -> str:
    """``310101199001011234`` → ``3101**********1234`` (what residents see on screen and paper)."""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    digits = value.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_text(text: str) -> str:
    """Mask personal data anywhere in free text (log lines, staff CLI output, exception messages)."""
    if not text:
        return text
    text = _FIELD.sub(lambda m: m.group("key") + m.group("sep") + m.group("q") + mask_value(m.group("val")),
                      text)
    text = _ID18.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    text = _ID15.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = _FOREIGN.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = _PASS.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    return text


class PiiMaskingFilter(logging.Filter):
    """Render the record's message (and traceback) once and replace it with the masked text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError) as exc:  # a bad format string must not drop the record
            message = f"{record.msg!r} (unformattable args: {exc})"
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        record.exc_info = None  # the masked exc_text is what handlers print
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
#: log files: the kiosk user writes, its group (maintenance staff) reads, nobody else
LOG_MODE = 0o640


class _RotatingLogFile(logging.handlers.RotatingFileHandler):
    """Every file it opens — the first one and the new one after each rotation — is LOG_MODE exactly,
    whatever the umask (the service runs with UMask=0077); rotated files keep it (a rename)."""

    def _open(self):  # noqa: ANN202 - the stdlib's signature
        fd = os.open(self.baseFilename, os.O_CREAT | os.O_APPEND | os.O_WRONLY, LOG_MODE)
        os.fchmod(fd, LOG_MODE)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)
_INSTALLED: list[logging.Handler] = []


def setup_logging(log_dir: str | os.PathLike | None, *, level: str = "INFO", max_bytes: int = 5_000_000,
                  backups: int = 10, stderr: bool = True, zone: tzinfo | None = None) -> list[logging.Handler]:
    """Install masked handlers on the root logger (replacing ones this function installed before).

    ``log_dir`` None means stderr only (CLI tools). Log files are created with mode 0640 (LOG_MODE). Stamps are in
    ``zone`` (the terminal's, default Asia/Shanghai) with an explicit offset (``kiosk.clock.LogFormatter``).
    """
    root = logging.getLogger()
    for handler in _INSTALLED:
        root.removeHandler(handler)
        try:
            handler.close()
        except OSError as exc:  # a full disk fails the last flush; the old handler is dropped all the same
            sys.stderr.write(f"closing log handler {handler!r} failed: {exc}\n")
    _INSTALLED.clear()
    formatter = LogFormatter(_FORMAT, zone)
    handlers: list[logging.Handler] = []
    if log_dir is not None:
        path = Path(log_dir)
        path.mkdir(parents=True, exist_ok=True)
        logfile = path / "kiosk.log"
        handlers.append(_RotatingLogFile(logfile, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"))
    if stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(PiiMaskingFilter())
        root.addHandler(handler)
        _INSTALLED.append(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    return handlers


def tail(log_dir: str | os.PathLike, lines: int = 50) -> list[str]:
    """Last ``lines`` lines of the current log, masked again (for the staff screen and CLI)."""
    logfile = Path(log_dir) / "kiosk.log"
    if not logfile.exists():
        return []
    with open(logfile, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 256 * 1024))
        data = fh.read().decode("utf-8", errors="replace")
    return [mask_text(line) for line in data.splitlines()[-lines:]]
