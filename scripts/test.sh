#!/usr/bin/env bash
# The whole test suite: unit, device (real pty/TCP), backend (HTTPS on loopback), UI (real GL offscreen).
# Exits non-zero on any failure and when no test ran (pytest exit code 5).
# Without arguments (the README's command, what CI runs) a second, short pass follows: the unit and backend
# tests again with the wall clock moved to a leap day and the machine in another zone (tests/conftest.py,
# KIOSK_TEST_NOW), so a test that leans on today's date or the machine's zone fails on every run, not only
# on the unlucky day. About 2 minutes; KIOSK_SHIFTED_PASS=0 skips it, =1 forces it with arguments too.
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
[ "$rc" -eq 0 ] || exit "$rc"
shifted="${KIOSK_SHIFTED_PASS:-}"
if [ "$shifted" = "1" ] || { [ -z "$shifted" ] && [ "$#" -eq 0 ]; }; then
  SHIFT_TZ=America/Los_Angeles
  SHIFT_NOW=2028-02-29T12:00:00+08:00
  echo "[test] 时间偏移复测 / shifted-clock pass: tests/unit tests/backend at $SHIFT_NOW, TZ=$SHIFT_TZ" >&2
  set +e
  TZ="$SHIFT_TZ" KIOSK_TEST_NOW="$SHIFT_NOW" python -m pytest -q tests/unit tests/backend
  rc=$?
  set -e
  [ "$rc" -ne 5 ] || { echo "[test] 时间偏移复测没有执行任何测试 / the shifted pass ran no tests" >&2; exit 1; }
fi
exit "$rc"
