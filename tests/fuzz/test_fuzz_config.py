"""Fuzz the staff config loader: whatever is in terminal.yaml / services.yaml, ``check_config`` returns a
config or a list of issues naming file, line and key — it never raises, never hangs, never half-loads.

Three generators: arbitrary text (encoding and YAML syntax errors), the real files with lines deleted,
duplicated or their values replaced by random YAML scalars (type and range errors in realistic places),
and random YAML documents built from nested mappings and lists. Fixed derandomised budget for CI;
bench/fuzz.py runs longer.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config.issues import ConfigIssue
from kiosk.config.loader import check_config

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"
TERMINAL = (REPO_CONFIG / "terminal.yaml").read_text(encoding="utf-8").splitlines()
SERVICES = (REPO_CONFIG / "services.yaml").read_text(encoding="utf-8").splitlines()
# each check parses both real files (~0.1 s), so the CI budget is small; bench/fuzz.py runs thousands
CI = settings(max_examples=int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "40")), deadline=None,
              derandomize=not os.environ.get("KIOSK_FUZZ_RANDOM"),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cfg")
    shutil.copytree(REPO_CONFIG, d, dirs_exist_ok=True)
    return d


def check(workdir: Path, terminal: str | bytes | None = None, services: str | bytes | None = None):
    for name, content, original in (("terminal.yaml", terminal, TERMINAL), ("services.yaml", services, SERVICES)):
        data = ("\n".join(original) + "\n") if content is None else content
        path = workdir / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    cfg, issues = check_config(workdir)
    if cfg is None:
        assert issues, "invalid config without a reason"
        for issue in issues:
            assert isinstance(issue, ConfigIssue)
            assert issue.file.endswith((".yaml",)) and issue.message
            assert issue.line is None or (isinstance(issue.line, int) and issue.line >= 1)
            str(issue)
    else:
        assert issues == []
        cfg.summary()
    return cfg, issues


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=30), st.just("~"), st.just("[]"), st.just("{}"), st.just("*a"),
                    st.just("&a x"), st.just("!!python/object:os.system x"), st.just("'"), st.just(":"))


def yaml_scalar(value) -> str:
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True).splitlines()[0]


@CI
@given(st.binary(max_size=2000))
@pytest.mark.timeout(120)
def test_arbitrary_bytes_in_terminal_yaml(workdir, data):
    check(workdir, terminal=data)


@CI
@given(st.text(max_size=1500))
@pytest.mark.timeout(120)
def test_arbitrary_text_in_services_yaml(workdir, text):
    check(workdir, services=text)


@st.composite
def mutated(draw, lines):
    lines = list(lines)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "value", "indent", "truncate"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {yaml_scalar(draw(scalars))}"
        elif op == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip()
        elif op == "truncate":
            lines[i] = lines[i][:draw(st.integers(0, len(lines[i])))]
        if not lines:
            break
    return "\n".join(lines) + "\n"


@CI
@given(mutated(TERMINAL))
@pytest.mark.timeout(120)
def test_mutated_real_terminal_yaml(workdir, text):
    check(workdir, terminal=text)


@CI
@given(mutated(SERVICES))
@pytest.mark.timeout(120)
def test_mutated_real_services_yaml(workdir, text):
    check(workdir, services=text)


documents = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)), max_leaves=25)


@CI
@given(documents, documents)
@pytest.mark.timeout(120)
def test_random_yaml_documents(workdir, terminal, services):
    def dump(doc):
        try:
            return yaml.safe_dump(doc, allow_unicode=True)
        except (yaml.YAMLError, ValueError):
            return "x: 1\n"
    check(workdir, terminal=dump(terminal), services=dump(services))


def test_alias_bomb_is_refused_quickly(workdir):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    cfg, issues = check(workdir, terminal=bomb)
    assert cfg is None
