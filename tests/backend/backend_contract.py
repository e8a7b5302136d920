"""Checks simulator traffic against docs/openapi.yaml: every reply body and every request body the client sent."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


@lru_cache(maxsize=1)
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        node = spec()
        for p in parts:
            node = node[p]
    return node


def operation(method: str, path: str) -> dict:
    for template, item in spec()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]
    raise AssertionError(f"{method} {path} is not in docs/openapi.yaml")


def validate(schema: dict, instance: object) -> None:
    root = {**schema, "components": spec()["components"]}
    jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker()).validate(instance)


def check_exchange(ex: dict, *, request: bool = True) -> None:
    """One recorded exchange (``GatewaySimulator(record=True).responses`` item) against the contract.

    ``request=False`` checks only the reply (for deliberately invalid requests).
    """
    op = operation(ex["method"], ex["path"])
    for param in op.get("parameters", []) if request else []:
        param = _resolve(param)
        if param["in"] == "header" and param.get("required"):
            value = next((v for k, v in ex["headers"].items() if k.lower() == param["name"].lower()), None)
            assert value is not None, f"{ex['method']} {ex['path']}: request lacks header {param['name']}"
            validate(param["schema"], value)
    if request and ex["method"] == "POST" and ex["status"] not in (400,) and "requestBody" in op:
        body = json.loads(ex["request"]) if ex["request"] else None
        validate(op["requestBody"]["content"]["application/json"]["schema"], body)
    responses = op["responses"]
    key = str(ex["status"]) if str(ex["status"]) in responses else f"{ex['status'] // 100}XX"
    assert key in responses, f"{ex['method']} {ex['path']}: status {ex['status']} not documented"
    resp = _resolve(responses[key])
    content = resp.get("content")
    if ex["body"] is None:
        assert content is None, f"{ex['method']} {ex['path']} {ex['status']}: documented body missing"
        return
    validate(content["application/json"]["schema"], ex["body"])
