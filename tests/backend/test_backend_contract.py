"""The contract checker itself: docs/openapi.yaml is well-formed and the checker rejects drift."""
from __future__ import annotations

import json
import re

import jsonschema
import pytest
from backend_contract import check_exchange, operation, spec

from kiosk.backend import signing

HEADERS = {"X-Terminal-Id": "SH-JA-NJXL-01", "X-Timestamp": "1795820000", "X-Nonce": "0" * 32,
           "X-Signature": "a" * 64}


def exchange(**kw) -> dict:
    base = {"method": "GET", "path": "/v1/services/appointment/guide", "status": 404, "fault": False,
            "request": b"", "headers": HEADERS, "body": {"code": "not_found", "message": "x"}}
    return {**base, **kw}


def test_every_contract_path_is_documented_with_errors():
    paths = spec()["paths"]
    assert set(paths) == {"/v1/auth/idcard", "/v1/auth/qr-tickets", "/v1/auth/qr-tickets/{id}",
                          "/v1/services/{id}/guide", "/v1/records/{kind}", "/v1/licences", "/v1/queue-tickets",
                          "/v1/submissions", "/v1/handoffs", "/v1/handoffs/{id}", "/v1/terminals/{id}/heartbeat",
                          "/v1/terminals/{id}/config", "/v1/help-requests", "/v1/help-requests/{id}",
                          "/v1/auth/ssm", "/v1/pickups/lookup", "/v1/appointments/check-in",
                          "/v1/services/{id}/slots"}
    for item in paths.values():
        for method, op in item.items():
            if method in ("get", "post", "delete"):
                assert "5XX" in op["responses"] and "401" in op["responses"]


def test_every_simulator_route_is_a_documented_operation():
    from kiosk.backend.simulator.handlers import ROUTES
    for pattern, method, name in ROUTES:
        sample = re.sub(r"\(\?P<[a-z]+>\[\^/\]\+\)", "x1", pattern.pattern).strip("^$")
        assert operation(method, sample), name  # raises when the contract lacks it


def test_checker_accepts_a_valid_error_and_rejects_drift():
    check_exchange(exchange())
    with pytest.raises(jsonschema.ValidationError):
        check_exchange(exchange(body={"code": "not_found", "message": "x", "extra": 1}))
    with pytest.raises(jsonschema.ValidationError):
        check_exchange(exchange(body={"code": "made_up_code", "message": "x"}))
    with pytest.raises(AssertionError):
        check_exchange(exchange(status=418))
    with pytest.raises(AssertionError):
        check_exchange(exchange(headers={}))


def test_checker_validates_request_bodies():
    bad = json.dumps({"reference": "lowercase-ref", "service_id": "s", "kind": "12345", "fields": {},
                      "submitted_at": "2026-11-27T09:00:00+08:00"}).encode()
    with pytest.raises(jsonschema.ValidationError):
        check_exchange(exchange(method="POST", path="/v1/submissions", status=422, request=bad,
                                headers={**HEADERS, "Idempotency-Key": "k" * 20},
                                body={"code": "validation_failed", "message": "x", "fields": ["reference"]}))


def test_canonical_string_is_exactly_as_documented():
    s = signing.canonical_string("get", "/v1/records/social-insurance?x=1", "1795820000", "ab" * 16, b"")
    assert s == ("KIOSK-HMAC-SHA256\nGET\n/v1/records/social-insurance?x=1\n1795820000\n" + "ab" * 16 + "\n"
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    sig = signing.signature(b"k", "POST", "/v1/submissions", "1", "0" * 32, b"{}")
    assert signing.verify(b"k", "POST", "/v1/submissions", "1", "0" * 32, b"{}", sig)
    assert not signing.verify(b"k", "POST", "/v1/submissions", "1", "0" * 32, b"{ }", sig)
    assert not signing.verify(b"other", "POST", "/v1/submissions", "1", "0" * 32, b"{}", sig)


def test_secret_file_skips_comments(tmp_path):
    f = tmp_path / "s.secret"
    f.write_text("# dev only\n\n  s3cret  \n", encoding="utf-8")
    assert signing.load_secret(f) == b"s3cret"
    f.write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(ValueError):
        signing.load_secret(f)
