#!/usr/bin/env bash
# Regenerate requirements.lock — every runtime, test and build dependency, transitive ones included,
# pinned with their sha256 hashes from the registry — after a pin in pyproject.toml changed:
#
#     bash scripts/lock.sh
#
# scripts/setup.sh and deploy/install.sh install from the lock with --require-hashes, so a package whose
# bytes differ from what was locked is refused. tests/test_supply_chain.py fails while pyproject.toml and
# the lock disagree. Needs network access to the package index (a few minutes).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "run scripts/setup.sh first" >&2; exit 1; }
"$PY" -m piptools --version >/dev/null 2>&1 || "$PY" -m pip install -q "pip-tools==7.6.2"
cd "$ROOT"
# --build-deps-for wheel: setuptools and wheel too (the editable install builds without isolation, from them)
"$PY" -m piptools compile --quiet --generate-hashes --extra test --strip-extras --allow-unsafe \
    --build-deps-for wheel --no-emit-index-url --no-emit-find-links \
    --output-file requirements.lock pyproject.toml
echo "requirements.lock regenerated; commit it with the pyproject.toml change" >&2
