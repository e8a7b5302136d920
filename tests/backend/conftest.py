"""Backend fixtures: a recording gateway simulator on an ephemeral HTTPS port and a real client for it.

At teardown every exchange the simulator recorded (except deliberately malformed fault replies) is
checked against docs/openapi.yaml, so each test also proves the simulator and the client keep the contract.
"""
from __future__ import annotations

import pytest
from backend_contract import check_exchange
from backend_support import make_client

from kiosk.backend.simulator.server import GatewaySimulator


@pytest.fixture
def sim():
    s = GatewaySimulator(port=0, record=True).start()
    yield s
    s.stop()
    for ex in s.responses:
        if not ex["fault"]:
            check_exchange(ex)


@pytest.fixture
def client(sim):
    c = make_client(sim)
    yield c
    c.close()
