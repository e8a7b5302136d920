"""The simulator's request handling never crashes: any method/path/headers/body → a documented error reply."""
from __future__ import annotations

from backend_contract import check_exchange
from backend_support import SECRET, TERMINAL
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.backend import signing
from kiosk.backend.simulator.server import GatewaySimulator

SIM = GatewaySimulator(port=0)  # never started: Routes.dispatch is exercised directly, no socket
PATHS = ["/v1/auth/idcard", "/v1/auth/qr-tickets", "/v1/auth/qr-tickets/qt_x", "/v1/services/appointment/guide",
         "/v1/records/social-insurance", "/v1/licences", "/v1/queue-tickets", "/v1/submissions",
         f"/v1/terminals/{TERMINAL}/heartbeat", "/v1/handoffs", "/v1/handoffs/ho_x"]


@settings(max_examples=300, deadline=None)
@given(method=st.sampled_from(["GET", "POST", "DELETE"]), path=st.sampled_from(PATHS),
       body=st.binary(max_size=200) | st.sampled_from([b"{}", b"[]", b'{"service_id": 1}', b'{"fields": null}',
                                                                 b'{"service_id": "hotline-12345", "field_id": 7}',
                                                                 b'{"fields": {"d": "handoff:ho_x"}}']),
       key=st.text(max_size=40), signed=st.booleans(), token=st.text(max_size=30))
def test_any_request_gets_a_reply_and_never_an_exception(method, path, body, key, signed, token):
    headers = {"Idempotency-Key": key, "Authorization": f"Bearer {token}"}
    if signed:
        headers.update(signing.Signer(TERMINAL, SECRET).headers(method, path, body))
    status, payload, _ = SIM.routes.dispatch(method, path, headers, body, bad_signature=False)
    assert 200 <= status < 600
    if status >= 400:
        assert set(payload) >= {"code", "message"}
        if status != 405:  # 405 is a route the contract does not list for that method
            check_exchange({"method": method, "path": path, "status": status, "body": payload, "fault": False,
                            "request": body, "headers": headers}, request=False)
