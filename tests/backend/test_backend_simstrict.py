"""The gateway simulator is as strict as a real gateway (issue 12 §4): whatever bytes arrive, the answer is
the contract's JSON ``Error`` with the right status — never a dropped connection or an HTML page."""
from __future__ import annotations

import json
import socket
import ssl
from pathlib import Path

import pytest
import yaml
from backend_contract import spec, validate
from backend_support import CA, SECRET, TERMINAL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.backend.signing import Signer
from kiosk.backend.simulator.server import DEV_TERMINALS, GatewaySimulator

pytestmark = pytest.mark.timeout(120)
REPO = Path(__file__).resolve().parents[2]
GUIDE = "/v1/services/appointment/guide"


@pytest.fixture(scope="module")
def gateway():
    sim = GatewaySimulator(port=0).start()
    sim.body_timeout_s = 0.5
    yield sim
    sim.stop()


def exchange(sim: GatewaySimulator, raw: bytes) -> tuple[int, dict, bytes]:
    """Send ``raw`` on a fresh TLS connection; the reply's status, headers (lower-case) and body."""
    ctx = ssl.create_default_context(cafile=str(CA))
    with socket.create_connection((sim.host, sim.port), timeout=15) as plain:
        with ctx.wrap_socket(plain, server_hostname="localhost") as tls:
            try:
                tls.sendall(raw)
            except (ssl.SSLEOFError, BrokenPipeError, ConnectionResetError):
                pass  # the simulator answered before reading everything (e.g. bytes past a Content-Length)
            data = b""
            while True:
                try:
                    chunk = tls.recv(65536)
                except (ssl.SSLError, ConnectionResetError):
                    break
                if not chunk:
                    break
                data += chunk
                head, sep, body = data.partition(b"\r\n\r\n")
                length = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
                if sep and length and len(body) >= int(length[0].split(b":")[1]):
                    break
    assert data, "the simulator dropped the connection without a reply"
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return status, headers, body


def request(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"",
            *, signed: bool = True, terminal: str = TERMINAL, length: str | None = None) -> bytes:
    hdrs = {"Host": "localhost", "Connection": "close"}
    if signed:
        hdrs.update(Signer(terminal, SECRET).headers(method, path, body))
    hdrs.update(headers or {})
    hdrs["Content-Length"] = str(len(body)) if length is None else length
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    return head.encode("utf-8") + body


def assert_error(status: int, headers: dict, body: bytes, expected_status: int, code: str | None = None) -> dict:
    assert status == expected_status, (status, body[:200])
    assert headers.get("content-type", "").startswith("application/json"), headers
    payload = json.loads(body)
    validate(spec()["components"]["schemas"]["Error"], payload)
    if code is not None:
        assert payload["code"] == code, payload
    return payload


@pytest.mark.parametrize("timestamp", ["٣٣٣٣٣٣٣٣٣٣", "１７９５８０００００", "9" * 5000, "-1", "1e9", " "])
def test_a_malformed_timestamp_is_a_json_401(gateway, timestamp):
    raw = request("GET", GUIDE, {"X-Timestamp": timestamp})
    assert_error(*exchange(gateway, raw), 401)


def test_json_nested_100000_deep_is_a_json_400(gateway):
    body = b"[" * 100_000 + b"]" * 100_000
    assert_error(*exchange(gateway, request("POST", "/v1/queue-tickets", body=body)), 400, "bad_json")
    body = b'{"service_id": ' + b"9" * 5000 + b"}"
    assert_error(*exchange(gateway, request("POST", "/v1/queue-tickets", body=body)), 400, "bad_json")


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "9" * 40, "١٠"])
def test_a_non_numeric_content_length_is_a_json_400(gateway, length):
    raw = request("POST", "/v1/queue-tickets", body=b'{"service_id": "x"}', length=length)
    assert_error(*exchange(gateway, raw), 400, "bad_request")


def test_a_content_length_longer_than_the_body_is_a_json_400(gateway):
    raw = request("POST", "/v1/queue-tickets", body=b'{"service_id": "x"}', length="500")
    assert_error(*exchange(gateway, raw), 400, "bad_request")


def test_a_content_length_over_the_limit_is_a_json_413(gateway):
    raw = request("POST", "/v1/queue-tickets", body=b"{}", length=str(50 * 1048576))
    assert_error(*exchange(gateway, raw), 413, "payload_too_large")


@pytest.mark.parametrize("method", ["PUT", "PATCH", "OPTIONS", "FROB"])
def test_unsupported_methods_are_405_with_allow(gateway, method):
    status, headers, body = exchange(gateway, request(method, GUIDE, body=b"{}"))
    assert_error(status, headers, body, 405, "method_not_allowed")
    assert headers["allow"] == "GET"
    status, headers, body = exchange(gateway, request(method, "/v1/submissions", body=b"{}"))
    assert status == 405 and headers["allow"] == "POST"


def test_a_malformed_request_line_is_a_json_400(gateway):
    assert_error(*exchange(gateway, b"GARBAGE\r\n\r\n"), 400, "bad_request")


def test_a_terminal_not_in_the_registry_is_unknown_terminal(gateway):
    # signed correctly with the development secret, but never registered with the gateway
    raw = request("GET", GUIDE, terminal="SH-XX-ROGUE-99")
    assert_error(*exchange(gateway, raw), 401, "unknown_terminal")
    status, _, body = exchange(gateway, request("GET", GUIDE))
    assert status == 200, body[:200]


def test_the_development_kiosk_is_in_the_registry():
    terminal = yaml.safe_load((REPO / "config" / "terminal.yaml").read_text(encoding="utf-8"))["terminal"]["id"]
    assert terminal in DEV_TERMINALS and TERMINAL in DEV_TERMINALS


# ---- property: any request the parser can be handed gets a contract reply ------------------------------
ENDPOINTS = ["/v1/auth/idcard", "/v1/auth/qr-tickets", "/v1/auth/qr-tickets/qt_x", GUIDE, "/v1/records/x",
             "/v1/licences", "/v1/queue-tickets", "/v1/submissions", "/v1/handoffs", f"/v1/terminals/{TERMINAL}/heartbeat"]
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_characters="\r\n\x7f"),
                      max_size=40).map(str.strip)
signing_headers = st.fixed_dictionaries({}, optional={
    "X-Terminal-Id": header_text | st.just(TERMINAL), "X-Timestamp": header_text | st.text("0123456789", max_size=6000),
    "X-Nonce": header_text, "X-Signature": header_text, "Authorization": header_text})
bodies = st.one_of(st.binary(max_size=200),
                   st.integers(1, 20_000).map(lambda n: b"[" * n + b"]" * n),
                   st.recursive(st.none() | st.integers() | st.text(max_size=10),
                                lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                            max_size=3),
                                max_leaves=10).map(lambda v: json.dumps(v).encode()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD"]),
       path=st.sampled_from(ENDPOINTS) | st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=30)
       .map(lambda p: "/" + p), signed=st.booleans(), extra=signing_headers, body=bodies,
       length=st.none() | st.sampled_from(["abc", "0", "100000000", "", "-1"]))
def test_every_request_gets_a_contract_reply(gateway, method, path, signed, extra, body, length):
    raw = request(method, path, extra, body, signed=signed, length=length)
    status, headers, reply = exchange(gateway, raw)
    assert 200 <= status < 600
    if method == "HEAD":
        return  # a HEAD reply has no body
    if headers.get("content-type", "").startswith("text/html"):
        assert status == 200 and method == "GET" and path.rstrip("/") == "/_sim/console"  # the duty console page
        return
    payload = json.loads(reply) if reply else None
    if status >= 400:
        validate(spec()["components"]["schemas"]["Error"], payload)
