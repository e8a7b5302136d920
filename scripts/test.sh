#!/usr/bin/env bash
# The whole test suite: unit, device (real pty/TCP), backend (HTTPS on loopback), UI (real GL offscreen).
# Exits non-zero on any failure and when no test ran (pytest exit code 5).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
set +e
python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "[test] 没有执行任何测试 / no tests ran — that is a failure" >&2
  exit 1
fi
exit "$rc"
