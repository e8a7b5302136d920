"""Staff configuration: load ``terminal.yaml`` + ``services.yaml`` from a config dir into one frozen KioskConfig.

Every problem in both files is collected (unknown keys, wrong types, missing keys, bad ports, catalog
cross-references) and reported as ``file:line: key: 中文 (English)``; nothing stops at the first error.
Relative paths inside the files resolve against the config directory.

Public API: :func:`load_config`, :func:`check_config`, :class:`KioskConfig`, :data:`DEFAULT_CONFIG_DIR`,
:func:`default_config_dir`. The types live in their own modules of this package (``terminal``, ``services``,
``hours``, ``base``; errors in ``issues``) and are imported from there.

Importing this module imports no pydantic (the types are stdlib dataclasses, see :mod:`kiosk.config.base`):
the UI process can start, and unpickle a config validated elsewhere, without it. :func:`check_config`
imports pydantic when it validates.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config.address import AddressBook
from kiosk.config.issues import ConfigError, ConfigIssue, issues_from_validation, key_path
from kiosk.config.services import PARAMS_MODELS, Category, ServiceDef, ServicesFile
from kiosk.config.terminal import TerminalFile

if TYPE_CHECKING:  # the YAML reader (and PyYAML) load only in check_config: the kiosk process reads no YAML
    from kiosk.config.yaml_lines import LineMap

#: the repository's ``config/`` directory (the demo/default configuration with simulators)
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
ENV_CONFIG_DIR = "KIOSK_CONFIG_DIR"
TERMINAL_FILE = "terminal.yaml"
SERVICES_FILE = "services.yaml"
#: devices a service may need → whether its terminal.yaml section is on when ``enabled`` is left out
DEVICE_DEFAULT_ON = {"printer": True, "idcard": True, "scanner": False}
#: in a remote config's directory: the staff config dir its relative paths (secret, CA, outbox) resolve
#: against, so the files are read where staff keep (and rotate) them and are never copied
PATHS_FILE = "PATHS_FROM"


def default_config_dir() -> Path:
    """``$KIOSK_CONFIG_DIR`` when set, else :data:`DEFAULT_CONFIG_DIR`."""
    env = os.environ.get(ENV_CONFIG_DIR, "").strip()
    return Path(env) if env else DEFAULT_CONFIG_DIR


@dataclass(frozen=True, kw_only=True)
class KioskConfig(TerminalFile):
    """Everything the kiosk reads from its config dir — every section of ``terminal.yaml`` (inherited), the
    service catalog and the address book; frozen (a change means a reload)."""

    config_dir: Path
    categories: list[Category]
    services: list[ServiceDef]
    addresses: AddressBook = dataclasses.field(default_factory=AddressBook)

    def service(self, service_id: str) -> ServiceDef:
        """The service with ``service_id`` (KeyError when the catalog has none)."""
        for svc in self.services:
            if svc.id == service_id:
                return svc
        raise KeyError(service_id)

    def enabled_services(self) -> list[ServiceDef]:
        return [s for s in self.services if s.enabled]

    def category(self, category_id: str) -> Category:
        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise KeyError(category_id)

    def summary(self) -> str:
        """One line for ``kiosk config check`` and the start-up log."""
        devs = self.devices
        idcard = devs.idcard.port if devs.idcard.enabled else "停用 off"
        printer = f"{devs.printer.port} ({devs.printer.profile})" if devs.printer.enabled else "停用 off"
        scanner = f"{devs.scanner.port} ({devs.scanner.profile})" if devs.scanner.enabled else "停用 off"
        return (f"配置有效 (config OK): 终端 {self.terminal.id} {self.terminal.name} | "
                f"服务 services {len(self.enabled_services())}/{len(self.services)} 启用 enabled, "
                f"{len(self.categories)} 类 categories | 读卡器 idcard {idcard} | 打印机 printer {printer} | "
                f"扫码器 scanner {scanner} | "
                f"后台 backend {self.backend.base_url} | {self.display.width}x{self.display.height} "
                f"{self.display.orientation} | {self.opening_hours.describe('zh-CN')}")


def _items(data: Any, key: str) -> list[tuple[int, dict]]:
    """``(index, item)`` of the mapping items of list ``data[key]`` (tolerating any broken shape)."""
    seq = data.get(key) if isinstance(data, dict) else None
    if not isinstance(seq, list):
        return []
    return [(i, item) for i, item in enumerate(seq) if isinstance(item, dict)]


def _duplicates(file: str, lines: LineMap, path: tuple, items: list[tuple[int, dict]],
                what: tuple[str, str]) -> list[ConfigIssue]:
    issues, first = [], {}
    for i, item in items:
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in first:
            loc = path + (i, "id")
            issues.append(ConfigIssue(file, lines.line_of(loc), key_path(loc),
                                      f"{what[0]} id {ident!r} 重复，第 {lines.line_of(first[ident])} 行已定义 "
                                      f"(duplicate {what[1]} id, first on line {lines.line_of(first[ident])})"))
        else:
            first[ident] = path + (i, "id")
    return issues


def _cross_checks(services: Any, s_lines: LineMap, s_file: str, terminal: Any) -> list[ConfigIssue]:
    """Checks spanning items or files: unique ids, known categories, devices present, per-action params.

    They run on the raw data so they still report when other parts of the files are broken.
    """
    from pydantic import ValidationError

    issues: list[ConfigIssue] = []
    cats = _items(services, "categories")
    svcs = _items(services, "services")
    issues += _duplicates(s_file, s_lines, ("categories",), cats, ("分类", "category"))
    issues += _duplicates(s_file, s_lines, ("services",), svcs, ("服务", "service"))
    cat_ids = {c.get("id") for _, c in cats if isinstance(c.get("id"), str)}
    devices = terminal.get("devices") if isinstance(terminal, dict) else None
    devices = devices if isinstance(devices, dict) else None
    for i, svc in svcs:
        name = svc.get("id") if isinstance(svc.get("id"), str) else f"#{i + 1}"
        issues += _duplicates(s_file, s_lines, ("services", i, "fields"), _items(svc, "fields"),
                              ("字段", "field"))
        category = svc.get("category")
        if isinstance(category, str) and cats and category not in cat_ids:
            loc = ("services", i, "category")
            issues.append(ConfigIssue(s_file, s_lines.line_of(loc), key_path(loc),
                                      f"服务 {name} 的分类 {category!r} 未在 categories 中定义 "
                                      f"(service {name}: unknown category)"))
        wanted = svc.get("devices")
        if isinstance(wanted, list) and isinstance(devices, dict):
            for j, dev in enumerate(wanted):
                if not isinstance(dev, str) or dev not in DEVICE_DEFAULT_ON:
                    continue  # the model reports the bad name
                conf = devices.get(dev)
                if not isinstance(conf, dict) or conf.get("enabled", DEVICE_DEFAULT_ON[dev]) is not True:
                    loc = ("services", i, "devices", j)
                    zh, en = ("未配置", "not configured") if not isinstance(conf, dict) else ("已停用", "disabled")
                    issues.append(ConfigIssue(
                        s_file, s_lines.line_of(loc), key_path(loc),
                        f"服务 {name} 需要设备 {dev}，但 {TERMINAL_FILE} 中 devices.{dev} {zh}；请启用该设备或停用"
                        f"此服务 (service {name} needs device {dev}, which is {en} in {TERMINAL_FILE})"))
        action = svc.get("action")
        params = svc.get("params", {})
        if isinstance(action, str) and action in PARAMS_MODELS and isinstance(params, dict):
            try:
                PARAMS_MODELS[action].model_validate(params)
            except ValidationError as exc:
                issues += issues_from_validation(exc, s_file, s_lines, prefix=("services", i, "params"))
    return issues


def check_config(config_dir: str | os.PathLike[str] | None = None, *, production: bool | None = None,
                 ) -> tuple[KioskConfig | None, list[ConfigIssue]]:
    """Validate the config dir: ``(config, [])`` when valid, else ``(None, every issue found)``.

    ``production``: also run the production guard (kiosk/config/production.py); None = when the config
    itself says ``terminal.production: true``."""
    from pydantic import ValidationError

    base = Path(config_dir) if config_dir is not None else default_config_dir()
    paths_from = base / PATHS_FILE
    context = {"config_dir": Path(paths_from.read_text(encoding="utf-8").strip()) if paths_from.is_file()
               else base.resolve()}
    t_file, s_file = str(base / TERMINAL_FILE), str(base / SERVICES_FILE)
    from kiosk.config.yaml_lines import load_yaml

    t_data, t_lines, issues = load_yaml(base / TERMINAL_FILE, t_file)
    s_data, s_lines, s_issues = load_yaml(base / SERVICES_FILE, s_file)
    issues += s_issues
    t_model = s_model = None
    if not any(i.file == t_file and i.key == "" for i in issues):
        try:
            t_model = TerminalFile.model_validate(t_data, context=context)
        except ValidationError as exc:
            issues += issues_from_validation(exc, t_file, t_lines)
    if not any(i.file == s_file and i.key == "" for i in s_issues):
        try:
            s_model = ServicesFile.model_validate(s_data, context=context)
        except ValidationError as exc:
            issues += issues_from_validation(exc, s_file, s_lines)
        issues += _cross_checks(s_data, s_lines, s_file, t_data)
    if issues or t_model is None or s_model is None:
        issues.sort(key=lambda i: (i.file != t_file, i.line or 0))
        return None, issues
    cfg = KioskConfig(config_dir=base.resolve(), categories=s_model.categories, services=s_model.services,
                      addresses=s_model.addresses,
                      **{f.name: getattr(t_model, f.name) for f in dataclasses.fields(TerminalFile)})
    if production or (production is None and cfg.terminal.production):
        from kiosk.config.production import production_issues

        issues = production_issues(cfg, t_file, t_lines)
        if issues:
            return None, issues
    return cfg, []


def load_config(config_dir: str | os.PathLike[str] | None = None) -> KioskConfig:
    """Load and validate the config dir (default :func:`default_config_dir`); raise ConfigError listing all."""
    cfg, issues = check_config(config_dir)
    if cfg is None:
        raise ConfigError(issues)
    return cfg
