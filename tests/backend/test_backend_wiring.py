"""open_backend(cfg): the default config wires a client, an outbox, a sender and the submission service."""
from __future__ import annotations

from backend_support import REPO

from kiosk.backend.simulator.server import GatewaySimulator
from kiosk.backend.wiring import open_backend
from kiosk.config.loader import load_config


def test_default_config_reaches_a_simulator_end_to_end(tmp_path):
    cfg = load_config(REPO / "config")
    sim = GatewaySimulator(port=0).start()
    cfg = cfg.model_copy(update={
        "outbox": cfg.outbox.model_copy(update={"path": tmp_path / "outbox.sqlite3"}),
        "backend": cfg.backend.model_copy(update={"base_url": sim.base_url})})
    backend = open_backend(cfg)
    try:
        assert backend.client.terminal_id == "SH-JA-NJXL-01"
        result = backend.submissions.submit("appointment", "appointment",
                                            {"service": "户籍", "date": "2026-11-30", "slot": "09:00-09:30",
                                             "phone": "13812345678"}, None, wait_s=5)
        assert result.delivered and result.reference.startswith("NJXL01-")
        assert sim.deliveries_by_reference[result.reference] == 1
    finally:
        backend.close()
        sim.stop()
