"""The production guard: what a valid configuration may still not carry onto a terminal in a public hall.

A development configuration is valid (it runs against the simulators), but on a production terminal it would
leave the staff PIN printed in the README, a terminal secret and a CA anyone can read in the repository,
and key files other users can read. :func:`production_issues` names each as ``file:line: key: 中文 (English)``;
``kiosk config check --production DIR`` and ``check_config(..., production=True)`` report them, and a
configuration that says ``terminal.production: true`` gets them on every load, so ``kiosk run`` refuses it.

The development material is recognised by fingerprint (SHA-256 of the secret, of each CA certificate's
DER), not by file name: a copy under another name is caught too. tests/unit/test_production.py checks the
fingerprints against the committed files.
"""
from __future__ import annotations

import hashlib
import re
import ssl
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiosk.config.base import MIN_PIN_DIGITS, PIN_SCHEME_MIN6, verify_pin
from kiosk.config.issues import ConfigIssue

#: the PIN the development configuration's hash is made from (printed in the README)
DEV_PINS = ("246810",)
#: SHA-256 of config/dev-terminal.secret's secret line
DEV_SECRET_SHA256 = frozenset({"f9f884b5b3e81f533299318ab5e60e1be24402ff38a09fd2fb4ddbf109768191"})
#: SHA-256 of the DER of config/dev-tls/ca.pem
DEV_CA_SHA256 = frozenset({"e8ac8e9d599d4d3fdef9d85a23618a05e7e9fae8913fc6c291e7c71a7eaa0390"})
_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _secret_digest(path: Path) -> str | None:
    from kiosk.backend.signing import load_secret

    try:
        return hashlib.sha256(load_secret(path)).hexdigest()
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _ca_digests(path: Path) -> set[str]:
    try:
        text = path.read_text("ascii", errors="replace")
    except OSError:
        return set()
    out = set()
    for block in _PEM_CERT.findall(text):
        try:
            out.add(hashlib.sha256(ssl.PEM_cert_to_DER_cert(block)).hexdigest())
        except ValueError:
            continue
    return out


def _too_open(path: Path) -> str | None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # a missing file is the ordinary validation's (or first start's) business
    return stat.filemode(mode) if mode & (stat.S_IRWXG | stat.S_IRWXO) else None


def production_issues(cfg: Any, file: str, lines: Any) -> list[ConfigIssue]:
    """Everything in a *valid* ``cfg`` that a production terminal must not run with. ``lines`` maps a key
    path of ``terminal.yaml`` (``file``) to its line (``LineMap.line_of``)."""
    found: list[ConfigIssue] = []

    def issue(path: tuple[str, ...], zh: str, en: str) -> None:
        found.append(ConfigIssue(file, lines.line_of(path), ".".join(path), f"{zh} ({en})"))

    pin_hash = cfg.staff.pin_hash
    if any(verify_pin(pin, pin_hash) for pin in DEV_PINS):
        issue(("staff", "pin_hash"), "这是开发用 PIN（写在 README 里），正式终端必须更换：kiosk config hash-pin",
              "the development PIN hash (its PIN is in the README): make a new one with `kiosk config hash-pin`")
    if not pin_hash.startswith(PIN_SCHEME_MIN6 + "$"):
        issue(("staff", "pin_hash"), f"无法确认 PIN 不少于 {MIN_PIN_DIGITS} 位，请用 kiosk config hash-pin 重新生成",
              f"the PIN may be shorter than {MIN_PIN_DIGITS} digits (hash not made by the current "
              "`kiosk config hash-pin`): hash a 6-12 digit PIN again")
    backend = cfg.backend
    if _secret_digest(backend.secret_file) in DEV_SECRET_SHA256:
        issue(("backend", "secret_file"), "这是仓库里公开的开发终端密钥，正式终端必须使用网关颁发的密钥",
              "the committed development HMAC secret: use the secret the gateway issued to this terminal")
    if backend.ca_bundle is not None and _ca_digests(backend.ca_bundle) & DEV_CA_SHA256:
        issue(("backend", "ca_bundle"), "信任了仓库里的开发 CA（其私钥人人可得），正式终端不得使用",
              "trusts the committed development CA (its key is public): use the gateway's CA or null")
    # (a non-https base_url never gets here: the ordinary validation refuses it on every terminal)
    if urlsplit(backend.base_url).hostname in _LOOPBACK:
        issue(("backend", "base_url"), "网关地址指向本机（模拟后台）", "the gateway is this machine (the simulator)")
    key_file = cfg.outbox.key_file or cfg.outbox.path.with_name(cfg.outbox.path.name + ".key")
    for path, where in ((backend.secret_file, ("backend", "secret_file")), (key_file, ("outbox", "key_file"))):
        mode = _too_open(Path(path))
        if mode:
            issue(where, f"密钥文件 {path} 的权限 {mode} 允许同组或其他用户读取，请改为 600（chmod 600）",
                  f"secret/key file {path} is readable by group or others ({mode}): chmod 600 it")
    return found
