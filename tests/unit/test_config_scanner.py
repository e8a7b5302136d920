"""A service may name the scanner among the devices it needs (services.yaml ``devices: [scanner]``).

The scanner section is off unless configured, so a service that needs it on a terminal whose scanner is off
is a config error naming the file, line and key; with the scanner on it loads, and the menu greys the
service while the scanner is not online.
"""
from __future__ import annotations

from pathlib import Path

from kiosk import catalog
from kiosk.config.loader import check_config
from kiosk.session.state import DeviceView

from test_config import cfg_dir, line_no, only_issue, patch  # noqa: F401 — the fixture and its helpers

NEEDS_SCANNER = ("    devices: []\n    action: licences\n", "    devices: [scanner]\n    action: licences\n")


def test_a_service_needing_the_scanner_while_it_is_off_is_refused(cfg_dir: Path) -> None:  # noqa: F811
    cfg, issues = check_config(cfg_dir)
    assert issues == [] and "扫码器 scanner 停用 off" in cfg.summary()  # the shipped default: no scanner
    patch(cfg_dir, "services.yaml", *NEEDS_SCANNER)
    issue = only_issue(cfg_dir)
    assert issue.key == "services[3].devices[0]" and "scanner" in issue.message and "已停用" in issue.message
    assert issue.line == line_no(cfg_dir, "services.yaml", "devices: [scanner]")


def test_with_the_scanner_on_it_loads_and_is_greyed_while_the_scanner_is_offline(cfg_dir: Path) -> None:  # noqa: F811
    patch(cfg_dir, "services.yaml", *NEEDS_SCANNER)
    patch(cfg_dir, "terminal.yaml", "  scanner:\n    enabled: false\n", "  scanner:\n    enabled: true\n")
    cfg, issues = check_config(cfg_dir)
    assert issues == [] and cfg is not None
    service = next(s for s in cfg.services if s.id == "e-licences")
    assert service.devices == ["scanner"]
    assert "扫码器 scanner socket://127.0.0.1:17103 (generic)" in cfg.summary()
    ready = dict(printer="online", idcard="online", backend="online", paper="full", printer_ready=True,
                 reader_online=True, backend_ok=True)
    assert catalog.unavailable_reason(service, DeviceView(**ready, scanner="online")) is None
    reason = catalog.unavailable_reason(service, DeviceView(**ready, scanner="offline"))
    assert reason is not None and reason.zh.startswith("扫码器暂不可用")
