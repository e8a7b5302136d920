#!/usr/bin/env bash
# Install everything the kiosk needs on a fresh Debian machine (Python 3.11, root, maybe no display).
# Idempotent: a second run checks and returns quickly. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.installed-pyproject.sha256"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] 错误 / ERROR: %s\n' "$*" >&2; exit 1; }

# --- Python -----------------------------------------------------------------------------------------
PY="${KIOSK_PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3.12 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
      PY="$(command -v "$cand")"; break
    fi
  done
fi
[ -n "$PY" ] || die "需要 Python 3.11 或 3.12 / Python 3.11 or 3.12 is required (set KIOSK_PYTHON=/path/to/python)"

# --- Debian packages: CJK font, Material icon font (tiles and action icons, Apache-2.0), Mesa GL for SDL
#     offscreen rendering, mtdev, openssl, the system CA store, espeak-ng (offline voice), chromium (the duty
#     console's browser test drives the system browser; nothing is downloaded) ---------
APT_PKGS=(fonts-wqy-microhei fonts-material-design-icons-iconfont libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libmtdev1 openssl ca-certificates systemd espeak-ng chromium)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${APT_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
else
  say "dpkg-query not found: not a Debian system; make sure these are installed: ${APT_PKGS[*]}"
fi
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "缺少系统软件包 / missing Debian packages: ${missing[*]} — run as root or install sudo"
    SUDO="sudo -n"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null || die "apt-get update failed (no access to the Debian mirror?)"
  $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "无法安装 / could not install: ${missing[*]}"
fi

# --- virtualenv and pinned Python packages --------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  say "creating virtualenv $VENV"
  "$PY" -m venv "$VENV" || die "python -m venv failed (install python3-venv)"
fi
# Every package — runtime, test, build, transitive — comes from requirements.lock with its sha256 checked
# (--require-hashes): bytes that differ from what was locked are refused. The project itself is then
# installed editable without dependencies and without build isolation (its build backend is in the lock).
# After changing a pin in pyproject.toml: `bash scripts/lock.sh` (tests/test_supply_chain.py checks both agree).
want="$(cat "$ROOT/pyproject.toml" "$ROOT/requirements.lock" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ] || ! "$VENV/bin/python" -c 'import kivy, serial, kiosk' >/dev/null 2>&1; then
  say "installing Python packages (requirements.lock, hashes required)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes --no-deps \
      -r "$ROOT/requirements.lock" || die "pip install failed — see the messages above"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e "$ROOT" \
    || die "installing the project (editable) failed — see the messages above"
  echo "$want" > "$STAMP"
fi

# --- pinyin IME index: built once from the installed dictionaries (~15 s), never at kiosk start -------------
"$VENV/bin/kiosk" ime build >/dev/null || die "无法生成输入法词库 / could not build the IME index (kiosk ime build)"

# --- voice prompts: synthesise what is missing or changed into the cache (docs/voice.md) ----------------------
"$VENV/bin/python" -m kiosk.voice build "${KIOSK_CONFIG_DIR:-$ROOT/config}" >&2 \
  || say "语音提示缓存未能完整生成 / the voice cache is incomplete — see the messages above (the kiosk runs silent)"

# --- headless: render for real through Mesa when there is no display ------------------------------------
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  export SDL_VIDEODRIVER="${SDL_VIDEODRIVER:-offscreen}"
fi
[ "${KIVY_GL_BACKEND:-}" = "mock" ] && die "KIVY_GL_BACKEND=mock renders nothing and turns UI tests into non-tests; unset it"
export PATH="$VENV/bin:$PATH"
