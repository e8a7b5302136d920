#!/bin/sh
# Install the kiosk on a clean Debian 12 / Ubuntu 22.04+ terminal (run as root from a checkout).
# Idempotent: run it again after `git pull` to update code, venv and units. See docs/deploy.md.
#
#   sudo sh deploy/install.sh            # install/update, enable kiosk.service and the nightly timer
#   sudo sh deploy/install.sh --no-start # install only (e.g. before filling in the udev IDs)
set -eu
SRC="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX=/opt/kiosk
START=1
[ "${1:-}" = "--no-start" ] && START=0

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

echo "== packages"
apt-get update
# xserver-xorg-core + xinit: the bare X session; NOT xserver-xorg-legacy (rootless Xorg via logind)
# libgl1/libegl1/mesa dri: Kivy's SDL2 loads the system OpenGL; libmtdev1: touch panels
# fonts-wqy-microhei: Chinese glyphs (Kivy's bundled fonts have none); espeak-ng: the voice prompts (docs/voice.md)
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    python3 python3-venv xserver-xorg-core xserver-xorg-input-libinput xinit x11-xserver-utils \
    libgl1 libegl1 libgl1-mesa-dri libmtdev1 fonts-wqy-microhei ca-certificates systemd udev espeak-ng

echo "== user"
id kiosk >/dev/null 2>&1 || useradd --system --home-dir /var/lib/kiosk --create-home \
    --shell /usr/sbin/nologin --groups dialout,video,render,input kiosk
usermod -a -G dialout,video,render,input kiosk

echo "== code and venv in $PREFIX"
mkdir -p "$PREFIX"
# copy the tree (without a developer venv or git metadata) so the running code never changes under us
tar -C "$SRC" --exclude=.venv --exclude=.git --exclude='*.pyc' -cf - . | tar -C "$PREFIX" -xf -
[ -x "$PREFIX/.venv/bin/python" ] || python3 -m venv "$PREFIX/.venv"
# every dependency from the lock, each file's sha256 checked; then the kiosk itself, no dependencies
"$PREFIX/.venv/bin/pip" install --quiet --require-hashes --no-deps -r "$PREFIX/requirements.lock"
"$PREFIX/.venv/bin/pip" install --quiet --no-deps --no-build-isolation "$PREFIX"
# the pinyin IME's index (docs/ime.md): built here, since /opt is read-only to the running service
"$PREFIX/.venv/bin/kiosk" ime build --force >/dev/null
chmod 0755 "$PREFIX/deploy/kiosk-session"

echo "== config in /etc/kiosk (kept if present)"
if [ ! -f /etc/kiosk/terminal.yaml ]; then
    mkdir -p /etc/kiosk
    cp -n "$PREFIX"/config/*.yaml /etc/kiosk/
    echo "   edit /etc/kiosk/terminal.yaml (terminal id, gateway URL, ports), then: kiosk config check /etc/kiosk"
fi
[ -f /etc/kiosk/kiosk.env ] || cp "$PREFIX/deploy/kiosk.env.example" /etc/kiosk/kiosk.env
# the voice prompts are synthesised here, as root (the service cannot write under ProtectSystem=strict);
# a bad recording is reported and its synthesised prompt kept, so it does not stop the install
"$PREFIX/.venv/bin/python" -m kiosk.voice build /etc/kiosk \
    || echo "   语音提示缓存未能完整生成 / voice cache incomplete — see above, fix, run this script again" >&2
chown -R root:kiosk /etc/kiosk
chmod -R g+rX,o-rwx /etc/kiosk

echo "== outbox key (AES-256-GCM for queued submissions; never the terminal's HMAC secret)"
# created once at set-up, 0600, owned by the service user; kept on later runs (rows sealed under it)
install -d -m 0700 -o kiosk -g kiosk /var/lib/kiosk
if [ ! -f /var/lib/kiosk/outbox.sqlite3.key ]; then
    (umask 077 && "$PREFIX/.venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))' \
        > /var/lib/kiosk/outbox.sqlite3.key)
    chown kiosk:kiosk /var/lib/kiosk/outbox.sqlite3.key
fi
# secret/key files: owned by the service user, readable by it only (`config check --production` refuses wider)
find /etc/kiosk -maxdepth 2 \( -name '*.secret' -o -name '*.key' -o -name '*-key.pem' \) \
    -exec chown kiosk:kiosk {} + -exec chmod 0600 {} +

echo "== operating-system lockdown: no VT switch, no gettys on tty2-6, Ctrl+Alt+Del and SysRq off"
sh "$PREFIX/deploy/lockdown.sh"

echo "== systemd, PAM, udev, journald"
install -m 0644 "$PREFIX/deploy/kiosk.service" /etc/systemd/system/kiosk.service
install -m 0644 "$PREFIX/deploy/kiosk-nightly-restart.service" /etc/systemd/system/
# 03:30 in the terminal's configured zone (opening_hours.timezone), whatever zone this machine is set to
"$PREFIX/.venv/bin/kiosk" ops nightly-timer --config /etc/kiosk \
    --template "$PREFIX/deploy/kiosk-nightly-restart.timer" > /etc/systemd/system/kiosk-nightly-restart.timer.new
install -m 0644 /etc/systemd/system/kiosk-nightly-restart.timer.new /etc/systemd/system/kiosk-nightly-restart.timer
rm -f /etc/systemd/system/kiosk-nightly-restart.timer.new
install -m 0644 "$PREFIX/deploy/pam/kiosk" /etc/pam.d/kiosk
install -m 0644 "$PREFIX/deploy/udev/99-kiosk-devices.rules" /etc/udev/rules.d/99-kiosk-devices.rules
mkdir -p /etc/systemd/journald.conf.d
install -m 0644 "$PREFIX/deploy/journald/kiosk.conf" /etc/systemd/journald.conf.d/kiosk.conf
udevadm control --reload
udevadm trigger --subsystem-match=tty
systemctl restart systemd-journald
systemctl daemon-reload
# the real check on the real machine: any output here is a problem to fix before rebooting
systemd-analyze verify /etc/systemd/system/kiosk.service /etc/systemd/system/kiosk-nightly-restart.timer

systemctl set-default graphical.target
systemctl enable kiosk.service kiosk-nightly-restart.timer
if [ "$START" -eq 1 ]; then
    systemctl restart kiosk.service
    systemctl start kiosk-nightly-restart.timer
    systemctl --no-pager status kiosk.service || true
fi
echo "done — see docs/deploy.md for the udev IDs and the checks after a reboot"
