"""Shared constants and helpers of the backend tests (imported by conftest and the test modules)."""
from __future__ import annotations

from pathlib import Path

from kiosk.backend.client import GatewayClient
from kiosk.backend.signing import load_secret
from kiosk.backend.simulator.server import GatewaySimulator

REPO = Path(__file__).resolve().parents[2]
CA = REPO / "config" / "dev-tls" / "ca.pem"
SECRET = load_secret(REPO / "config" / "dev-terminal.secret")
TERMINAL = "SH-JA-NJXL-01"
RESIDENT = {"card_type": "resident", "id_number": "310106198807155218", "name": "王小明"}


def make_client(sim: GatewaySimulator, **kw) -> GatewayClient:
    opts = dict(terminal_id=TERMINAL, secret=SECRET, ca_bundle=CA, connect_timeout_s=2.0, read_timeout_s=2.0,
                retries=2, backoff_factor=0.01, backoff_max_s=0.05)
    opts.update(kw)
    return GatewayClient(sim.base_url, **opts)
