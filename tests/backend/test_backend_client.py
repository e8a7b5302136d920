"""The real GatewayClient against the simulator over HTTPS on loopback: every endpoint, every error."""
from __future__ import annotations

import threading
import time

import pytest

from kiosk.backend import errors as E
from kiosk.backend.client import GatewayClient
from kiosk.backend.models import AuthSession, Guide, Licence, QueueTicket, Record
from kiosk.config.loader import load_config
from backend_support import CA, REPO, RESIDENT, SECRET, TERMINAL, make_client


def login(client) -> AuthSession:
    return client.auth_idcard(RESIDENT)


def test_auth_idcard_returns_masked_session(client):
    s = login(client)
    assert s.display_name == "王**"
    assert len(s.token) >= 16 and s.token not in repr(s)


def test_auth_idcard_accepts_an_object_with_attributes(client):
    class Card:
        card_type, id_number, name, valid_to = "resident", "310106198807155218", "王小明", "20360520"
    assert client.auth_idcard(Card()).display_name == "王**"


def test_auth_idcard_bad_checksum_is_a_validation_error(client):
    with pytest.raises(E.ValidationError) as info:
        client.auth_idcard({**RESIDENT, "id_number": "310106198807155219"})
    assert info.value.code == "validation_failed" and info.value.permanent
    assert info.value.message_zh and info.value.message_en


def test_guide_for_known_service_and_404_for_unknown(client):
    g = client.get_guide("social-insurance-record")
    assert isinstance(g, Guide) and g.title_zh == "社保缴费记录打印" and g.sections
    with pytest.raises(E.NotFoundError):
        client.get_guide("no-such-service")


def test_simulator_serves_generic_guides_for_its_catalog(sim):
    sim.catalog["housing-fund-record"] = ("公积金缴存记录", "Housing fund record")
    with make_client(sim) as c:
        assert c.get_guide("housing-fund-record").title_en == "Housing fund record"


def test_record_needs_a_valid_token(client):
    s = login(client)
    r = client.get_record("social-insurance", s.token)
    assert isinstance(r, Record) and len(r.rows) == 12 and r.holder == "王**"
    assert [c.key for c in r.columns][0] == "month"
    with pytest.raises(E.AuthError) as info:
        client.get_record("social-insurance", "not-a-token-0000000")
    assert info.value.code == "token_invalid" and info.value.permanent
    with pytest.raises(E.NotFoundError):
        client.get_record("no-such-kind", s.token)


def test_expired_token_is_a_permanent_auth_error(sim):
    sim.token_ttl_s = 0.0
    with make_client(sim) as c:
        s = login(c)
        time.sleep(0.05)
        with pytest.raises(E.AuthError) as info:
            c.get_licences(s.token)
    assert info.value.code == "token_expired" and info.value.message_zh == "登录已过期，请重新登录"


def test_licences_carry_png_images(client):
    lics = client.get_licences(login(client).token)
    assert {type(x) for x in lics} == {Licence} and len(lics) == 3
    assert all(x.image_png.startswith(b"\x89PNG") for x in lics)
    assert all("*" in x.number for x in lics)


def test_queue_ticket_with_and_without_token(client):
    t1 = client.create_queue_ticket("queue-ticket")
    t2 = client.create_queue_ticket("queue-ticket", token=login(client).token)
    assert isinstance(t1, QueueTicket) and t1.number != t2.number and t1.window_zh.endswith("号窗口")


def test_heartbeat_returns_config_version(sim, client):
    ack = client.heartbeat({"app_version": "0.1.0", "uptime_s": 12.5, "outbox_depth": 3,
                            "devices": {"printer": "online", "idcard": "offline"}})
    assert ack.config_version == "2026-11-27.1"
    assert sim.heartbeats[-1]["outbox_depth"] == 3


def test_submission_is_idempotent_by_key(sim, client):
    kw = dict(reference="NJXL01-20261127-7F3K9Q", service_id="hotline-12345", kind="12345",
              fields={"phone": "13812345678", "content": "路灯不亮"}, token=None,
              idempotency_key="a" * 32, submitted_at="2026-11-27T09:00:00+08:00")
    first, again = client.submit(**kw), client.submit(**kw)
    assert first == again and first.reference == "NJXL01-20261127-7F3K9Q"
    assert sim.deliveries_by_key["a" * 32] == 1 and sim.attempts_by_key["a" * 32] == 2
    with pytest.raises(E.ConflictError):
        client.submit(**{**kw, "fields": {"content": "different"}})


def test_every_attempt_is_freshly_signed(sim, client):
    sim.inject("status", times=2, status=503, path="/v1/services/")
    client.get_guide("appointment")
    nonces = [ex["headers"]["X-Nonce"] for ex in sim.responses]
    assert len(nonces) == 3 and len(set(nonces)) == 3


def test_https_is_required_and_ca_must_exist(sim):
    with pytest.raises(E.ConfigurationError):
        GatewayClient(sim.base_url.replace("https", "http"), terminal_id=TERMINAL, secret=SECRET, ca_bundle=CA)
    with pytest.raises(E.ConfigurationError):
        GatewayClient(sim.base_url, terminal_id=TERMINAL, secret=SECRET, ca_bundle="/nonexistent/ca.pem")


def test_certificate_not_trusted_is_a_tls_error(sim):
    # The system CAs do not know the dev CA: verification must fail, never fall back to unverified.
    c = GatewayClient(sim.base_url, terminal_id=TERMINAL, secret=SECRET, ca_bundle=None, retries=0)
    with pytest.raises(E.TLSError) as info:
        c.get_guide("appointment")
    c.close()
    assert info.value.message_zh == "安全连接失败，请联系工作人员"


def test_wrong_secret_is_rejected(sim):
    with make_client(sim, secret=b"not-the-secret") as c:
        with pytest.raises(E.AuthError) as info:
            c.get_guide("appointment")
    assert info.value.code == "bad_signature" and info.value.retryable


# ---- injected faults ------------------------------------------------------------------------------------
def test_5xx_is_retried_for_get_then_succeeds(sim, client):
    sim.inject("status", times=2, status=502)
    assert client.get_guide("appointment").service_id == "appointment"


def test_persistent_5xx_is_a_server_error(sim, client):
    sim.inject("status", times=None, status=500)
    with pytest.raises(E.ServerError) as info:
        client.get_guide("appointment")
    assert info.value.status == 500 and info.value.retryable
    assert len(sim.responses) == 3  # first try + 2 retries


def test_non_idempotent_post_is_not_retried_after_a_5xx(sim, client):
    sim.inject("status", times=1, status=503)
    with pytest.raises(E.ServerError):
        client.create_queue_ticket("queue-ticket")
    assert [ex["path"] for ex in sim.responses] == ["/v1/queue-tickets"]


def test_submission_post_is_retried_because_it_has_an_idempotency_key(sim, client):
    sim.inject("status", times=2, status=503, path="/v1/submissions")
    ack = client.submit(reference="NJXL01-20261127-AAAAAA", service_id="appointment", kind="appointment",
                        fields={"date": "2026-11-30"}, token=None, idempotency_key="b" * 32,
                        submitted_at="2026-11-27T09:00:00+08:00")
    assert ack.status == "received" and sim.attempts_by_key["b" * 32] == 1 and len(sim.responses) == 3


def test_retry_after_is_honoured(sim, client):
    sim.inject("status", times=1, status=429, retry_after=1)
    t0 = time.monotonic()
    client.get_guide("appointment")
    assert time.monotonic() - t0 >= 0.9


def test_read_timeout_is_a_timeout_error(sim):
    sim.inject("timeout", times=None, delay_s=3.0)
    with make_client(sim, read_timeout_s=0.3, retries=1) as c:
        with pytest.raises(E.TimeoutError_) as info:
            c.get_guide("appointment")
    assert info.value.retryable and info.value.__cause__ is not None


def test_slow_reply_within_timeout_succeeds(sim, client):
    sim.inject("slow", times=1, delay_s=0.3)
    assert client.get_guide("appointment").title_zh == "预约办事"


def test_dropped_connection_is_retried_for_get(sim, client):
    sim.inject("drop", times=1)
    assert client.get_guide("appointment").title_zh == "预约办事"


def test_dropped_connection_on_non_idempotent_post_is_a_network_error(sim, client):
    sim.inject("drop", times=1)
    with pytest.raises(E.NetworkError):
        client.create_qr_ticket()
    assert sim.tickets == {}  # a retry would have reached the handler and created a ticket


def test_gateway_down_is_a_network_error(sim, client):
    sim.stop()
    with pytest.raises(E.NetworkError) as info:
        client.get_guide("appointment")
    assert not isinstance(info.value, E.TLSError) and info.value.__cause__ is not None


def test_malformed_json_is_a_protocol_error(sim, client):
    sim.inject("malformed", times=1)
    with pytest.raises(E.ProtocolError):
        client.get_guide("appointment")


def test_injected_wrong_signature_is_an_auth_error(sim, client):
    sim.inject("bad_signature", times=1)
    with pytest.raises(E.AuthError) as info:
        client.get_guide("appointment")
    assert info.value.code == "bad_signature"


def test_clock_skew_is_corrected_from_the_gateway_time(sim, client):
    sim.inject("clock_skew", skew_s=900)
    assert client.get_guide("appointment").service_id == "appointment"
    assert 890 <= client.signer.clock_offset_s <= 910
    sim.clear_faults()
    client.get_guide("appointment")
    assert abs(client.signer.clock_offset_s) <= 10


# ---- cancellation ---------------------------------------------------------------------------------------
def test_cancel_before_the_call(client, sim):
    ev = threading.Event()
    ev.set()
    with pytest.raises(E.Cancelled):
        client.get_guide("appointment", cancel=ev)
    assert sim.responses == []


def test_cancel_during_a_slow_call_closes_the_connection(sim, client):
    sim.inject("slow", times=1, delay_s=20.0)
    ev = threading.Event()
    threading.Timer(0.2, ev.set).start()
    t0 = time.monotonic()
    with make_client(sim, read_timeout_s=30.0) as c:
        with pytest.raises(E.Cancelled):
            c.get_guide("appointment", cancel=ev)
    assert time.monotonic() - t0 < 10.0  # neither waited for the 20 s reply nor for the 30 s read timeout


def test_cancel_during_retry_backoff(sim, client):
    sim.inject("status", times=None, status=503, retry_after=30)  # the client caps the wait at 10 s
    ev = threading.Event()
    threading.Timer(0.3, ev.set).start()
    t0 = time.monotonic()
    with pytest.raises(E.Cancelled):
        client.get_guide("appointment", cancel=ev)
    assert time.monotonic() - t0 < 8.0
    assert len(sim.responses) == 1


def test_simulator_has_a_guide_for_every_default_catalog_service(client):
    for service in load_config(REPO / "config").services:
        assert client.get_guide(service.id).service_id == service.id


@pytest.mark.parametrize("name", ["resident", "resident_rare", "J", "I", "Y"])
def test_auth_idcard_with_the_card_reader_sample_cards(client, name):
    from devices.idcard.identities import sample_card
    card = sample_card(name)
    session = client.auth_idcard(card)
    assert session.display_name and "*" in session.display_name


def test_auth_idcard_with_a_bad_checksum_card_is_rejected(client):
    from devices.idcard.identities import sample_card
    with pytest.raises(E.ValidationError):
        client.auth_idcard(sample_card("bad_checksum_id"))


def test_heartbeat_payload_as_the_ops_heartbeat_builds_it(sim, client, tmp_path):
    from kiosk.backend.outbox import Outbox
    from kiosk.ops.heartbeat import runtime_snapshot
    ob = Outbox(tmp_path / "o.sqlite3")
    payload = {"app_version": "0.1.0", "config_version": None, "uptime_s": 3.0, "pid": 1, "memory_rss_mb": 80.5,
               **runtime_snapshot({"idcard": None, "printer": None}, ob), "last_error": None, "alerts": [],
               "alert_changes": []}
    ob.close()
    assert client.heartbeat(payload).config_version  # the teardown validates the body against the contract


def test_unregistered_terminal_is_rejected(sim):
    sim.known_terminals = {"SH-PD-ZJ-02"}
    with make_client(sim) as c:
        with pytest.raises(E.AuthError) as info:
            c.get_guide("appointment")
    assert info.value.code == "unknown_terminal" and info.value.message_zh == "终端认证失败，请联系工作人员"


def test_the_loops_calls_make_one_attempt_their_own_backoff_retries(sim, client):
    """The heartbeat and the outbox sender pass retry=False: a 503 or a refused connection comes back at
    once (with its Retry-After), so the loop's jittered backoff is the only retry and a fleet's in-call
    retries do not land together when the gateway returns."""
    sim.inject("status", times=1, status=503, retry_after=7, path="/v1/submissions")
    with pytest.raises(E.ServerError) as info:
        client.submit(reference="NJXL01-20261127-AAAAAB", service_id="appointment", kind="appointment",
                      fields={"date": "2026-11-30"}, token=None, idempotency_key="c" * 32,
                      submitted_at="2026-11-27T09:00:00+08:00", retry=False)
    assert info.value.retry_after == 7 and len(sim.responses) == 1
    sim.inject("status", times=1, status=503, path="/v1/terminals")
    with pytest.raises(E.ServerError):
        client.heartbeat({"app_version": "test", "uptime_s": 1}, retry=False)
    assert len(sim.responses) == 2  # no second try inside the call
    assert client.heartbeat({"app_version": "test", "uptime_s": 1}, retry=False) is not None  # and the next beat goes through
