#!/bin/sh
# The operating-system lockdown of a kiosk terminal (run by deploy/install.sh; see docs/deploy.md):
# no VT switching in X, no getty on tty2-6 (tty1 stays the maintenance console, unreachable while X runs:
# VT switching is off), Ctrl+Alt+Del and SysRq dead. `--root DIR` applies it to a
# system image under DIR (systemctl --root: offline, nothing is started or reloaded) — the tests do that.
set -eu
SRC="$(cd "$(dirname "$0")" && pwd)"
ROOT=/
[ "${1:-}" = "--root" ] && ROOT="$2"
R="${ROOT%/}"

install -D -m 0644 "$SRC/xorg/10-kiosk-lockdown.conf" "$R/etc/X11/xorg.conf.d/10-kiosk-lockdown.conf"
install -D -m 0644 "$SRC/sysctl/90-kiosk.conf" "$R/etc/sysctl.d/90-kiosk.conf"
install -D -m 0644 "$SRC/logind/kiosk.conf" "$R/etc/systemd/logind.conf.d/kiosk.conf"
install -D -m 0644 "$SRC/systemd/kiosk-system.conf" "$R/etc/systemd/system.conf.d/kiosk.conf"
units="ctrl-alt-del.target"
for n in 2 3 4 5 6; do units="$units getty@tty$n.service autovt@tty$n.service"; done
# shellcheck disable=SC2086 # word splitting of the unit list is intended
systemctl --quiet --root="$ROOT" mask $units
if [ "$ROOT" = "/" ]; then
    sysctl -q -p /etc/sysctl.d/90-kiosk.conf
    systemctl daemon-reload
fi
