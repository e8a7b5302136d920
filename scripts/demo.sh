#!/usr/bin/env bash
# The kiosk's main job on its embedded defaults: simulated card reader, printer and gateway, real app.
# With no display it runs headless and leaves screenshots and printed receipts in out/demo/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec kiosk demo --out "${KIOSK_DEMO_OUT:-$ROOT/out/demo}" "$@"
