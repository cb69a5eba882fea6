#!/bin/sh
# Install Counter Kiosk as a locked-down kiosk session on tty1 (Debian 12, Ubuntu 22.04 or later).
#
#   sudo deploy/linux/install.sh            # from a checkout of the repository
#   sudo reboot                             # the kiosk starts on tty1
#
# What it does (docs/lockdown.md explains each step and how to undo it):
#   packages: cage, pcscd + CCID driver, cups-client, Thai fonts, Python venv support
#   user:     `kiosk`, a system account with no shell and no password; home = the data directory
#   program:  the checkout copied to /opt/counter-kiosk/src, a venv in /opt/counter-kiosk/.venv
#   data:     /var/lib/counter-kiosk (0700, owned by kiosk): database, keys, logs
#   session:  counter-kiosk.service (cage on tty1), its PAM stack, a polkit rule for pcscd,
#             no getty on other virtual terminals, SysRq off, Ctrl+Alt+Del masked
#
# Options: --no-packages (install the packages yourself), --no-enable (install files only),
#          --root DIR (write every file under DIR instead of /: for packaging and for the tests).
set -eu

ROOT=""
PACKAGES=yes
ENABLE=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT="${2:?--root needs a directory}"; shift 2 ;;
        --no-packages) PACKAGES=no; shift ;;
        --no-enable) ENABLE=no; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
PREFIX=/opt/counter-kiosk
DATA=/var/lib/counter-kiosk
KIOSK_USER=kiosk

if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
    echo "run as root (sudo $0)" >&2
    exit 1
fi

say() { printf '==> %s\n' "$*"; }

if [ "$PACKAGES" = yes ] && [ -z "$ROOT" ]; then
    say "packages"
    apt-get update
    apt-get install -y --no-install-recommends \
        cage pcscd libccid cups-client polkitd \
        fonts-noto-core fonts-thai-tlwg \
        python3 python3-venv \
        libegl1 libgl1 libxkbcommon0 libwayland-client0 libwayland-cursor0 libwayland-egl1 libfontconfig1 libdbus-1-3
fi

if [ -z "$ROOT" ]; then
    say "user $KIOSK_USER"
    if ! id "$KIOSK_USER" >/dev/null 2>&1; then
        useradd --system --user-group --home-dir "$DATA" --no-create-home \
            --shell /usr/sbin/nologin --comment "Counter Kiosk" "$KIOSK_USER"
    fi
    usermod -a -G lp "$KIOSK_USER"
fi

say "program in $ROOT$PREFIX"
install -d -m 0755 "$ROOT$PREFIX/src"
# The checkout without its own venv, caches or local data.
tar -C "$SRC" --exclude=./.venv --exclude=./.git --exclude='*/__pycache__' --exclude=./.hypothesis \
    --exclude=./.pytest_cache --exclude=./.mypy_cache --exclude=./.ruff_cache -cf - . \
    | tar -C "$ROOT$PREFIX/src" -xf -
if [ -z "$ROOT" ]; then
    python3 -m venv "$PREFIX/.venv"
    "$PREFIX/.venv/bin/pip" install --quiet --upgrade pip
    "$PREFIX/.venv/bin/pip" install --quiet "$PREFIX/src"
fi

say "data directory $ROOT$DATA"
install -d -m 0700 "$ROOT$DATA"
if [ -z "$ROOT" ]; then chown "$KIOSK_USER:$KIOSK_USER" "$DATA"; fi

say "session files"
install -D -m 0644 "$HERE/counter-kiosk.service" "$ROOT/etc/systemd/system/counter-kiosk.service"
install -D -m 0644 "$HERE/counter-kiosk.pam" "$ROOT/etc/pam.d/counter-kiosk"
install -D -m 0644 "$HERE/50-counter-kiosk-pcscd.rules" "$ROOT/etc/polkit-1/rules.d/50-counter-kiosk-pcscd.rules"
install -D -m 0644 "$HERE/logind-counter-kiosk.conf" "$ROOT/etc/systemd/logind.conf.d/counter-kiosk.conf"
install -D -m 0644 "$HERE/sysctl-counter-kiosk.conf" "$ROOT/etc/sysctl.d/90-counter-kiosk.conf"

if [ "$ENABLE" = yes ] && [ -z "$ROOT" ]; then
    say "enable"
    systemctl daemon-reload
    systemctl mask ctrl-alt-del.target
    systemctl disable getty@tty1.service || true
    systemctl enable pcscd.socket
    systemctl enable counter-kiosk.service
    systemctl set-default graphical.target
    sysctl --system >/dev/null
    echo
    echo "Installed. Create the staff accounts before the first start, for example:"
    echo "  sudo -u $KIOSK_USER $PREFIX/.venv/bin/kiosk --data-dir $DATA staff add --help"
    echo "then reboot: the kiosk opens on tty1. Staff close it with Call staff > sign in > Exit kiosk."
fi
