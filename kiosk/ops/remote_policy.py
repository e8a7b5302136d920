"""What a remotely pushed configuration may change — an explicit allow-list, fixed in code.

A config the gateway pushes (kiosk/ops/remote_config.py) is compared key by key with the staff's config
directory. Only keys under :data:`REMOTE_ALLOWED` may differ: service switches and texts (all of
services.yaml), terminal texts, languages, session/idle timeouts, opening hours, backend timeouts and the
log level. Everything else — the gateway URL, the CA bundle, the secret and key paths, the staff PIN hash,
device ports, storage paths, ``terminal.production`` — is the terminal's own, and an attempt to change
it refuses the whole version (``kiosk config check --remote-of`` and the heartbeat report it, and the
``config.remote_refused`` alert tells staff). The allow-list is a constant of this module, not a config key,
so no config — remote or local — can widen it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.config.loader import PATHS_FILE, SERVICES_FILE, TERMINAL_FILE

#: key-path prefixes (``file:dotted.path``) a remote config may change
REMOTE_ALLOWED: tuple[str, ...] = (
    f"{SERVICES_FILE}:",  # services on/off, texts, fields, categories
    f"{TERMINAL_FILE}:terminal.name", f"{TERMINAL_FILE}:terminal.name_en",
    f"{TERMINAL_FILE}:terminal.location", f"{TERMINAL_FILE}:terminal.location_en",
    f"{TERMINAL_FILE}:terminal.nearest_staffed",
    f"{TERMINAL_FILE}:language", f"{TERMINAL_FILE}:session", f"{TERMINAL_FILE}:opening_hours",
    f"{TERMINAL_FILE}:backend.connect_timeout_s", f"{TERMINAL_FILE}:backend.read_timeout_s",
    f"{TERMINAL_FILE}:backend.heartbeat_interval_s", f"{TERMINAL_FILE}:logging.level",
)
#: named in the refusal so staff see at once that the push tried to take the terminal over
NEVER_REMOTE: tuple[str, ...] = (
    "backend.base_url", "backend.ca_bundle", "backend.secret_file", "outbox.key_file", "outbox.path",
    "staff.pin_hash", "terminal.id", "terminal.production",
)


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a YAML document as ``dotted.path → value`` (lists are leaves: a list changes as a whole)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out or {prefix: {}}
    return {prefix: data}


def _allowed(file: str, path: str) -> bool:
    key = f"{file}:{path}"
    for prefix in REMOTE_ALLOWED:
        if key.startswith(prefix) if prefix.endswith(":") else (key == prefix or key.startswith(prefix + ".")):
            return True
    return False


def forbidden_changes(staged: dict[str, Any], base: dict[str, Any]) -> list[str]:
    """Keys (``file:dotted.path``) that differ between the staged and the staff config's YAML data
    (``{file name: parsed document}``) and are not remotely changeable; empty = the push is acceptable."""
    found = []
    for file in (TERMINAL_FILE, SERVICES_FILE):
        new, old = _flatten(staged.get(file) or {}), _flatten(base.get(file) or {})
        for path in sorted(set(new) | set(old)):
            if new.get(path, ...) != old.get(path, ...) and not _allowed(file, path):
                found.append(f"{file}:{path}")
    return found


def remote_problems(staged_dir: Path, base_dir: Path) -> list[str]:
    """Refusal lines (``file: key: 中文 (English)``) for a staged remote config against the staff dir."""
    from kiosk.config.yaml_lines import load_yaml

    docs = {}
    for name, d in (("staged", staged_dir), ("base", base_dir)):
        docs[name] = {f: load_yaml(d / f)[0] for f in (TERMINAL_FILE, SERVICES_FILE)}
    problems = []
    paths_from = staged_dir / PATHS_FILE
    if not paths_from.is_file() or Path(paths_from.read_text(encoding="utf-8").strip()) != base_dir.resolve():
        # a directory from before this rule carries its own copies of the secret and CA: never use it
        problems.append(f"{paths_from}: {PATHS_FILE}: 远程配置必须从 {base_dir} 读取密钥和证书，不能自带副本 "
                        f"(a remote config must read secrets and CA from the staff directory, not carry copies)")
    for key in forbidden_changes(docs["staged"], docs["base"]):
        file, path = key.split(":", 1)
        never = "（此项永不允许远程修改）" if path in NEVER_REMOTE else ""
        problems.append(f"{staged_dir / file}: {path}: 远程配置不允许修改此项{never}，整个版本被拒绝 "
                        f"(not remotely changeable{'; never remote' if never else ''}: the version is refused)")
    return problems
