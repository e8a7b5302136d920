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
import sys
from datetime import tzinfo
from pathlib import Path

from kiosk.clock import LogFormatter
from kiosk.masking import mask_text


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
