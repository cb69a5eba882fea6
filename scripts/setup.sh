#!/usr/bin/env bash
# Idempotent set-up of a Debian/Ubuntu machine for Counter Kiosk: system packages, a virtual
# environment in .venv and the package itself. A second run checks and returns in a few seconds.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Debian packages: build tools for pyscard (swig, libpcsclite-dev), the PC/SC stack and the
# virtual reader used by the tests, Thai fonts, the libraries Qt needs even offscreen, and the
# tools the tests use to look at printed output; espeak-ng (Thai voice) and aplay for the queue board.
apt_packages=(
    python3-venv python3-dev build-essential pkg-config
    swig libpcsclite-dev pcscd vsmartcard-vpcd
    fonts-thai-tlwg fonts-noto-core espeak-ng alsa-utils
    libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
    xvfb poppler-utils zbar-tools
    cups cups-client cups-bsd printer-driver-cups-pdf
    postgresql postgresql-client
)

missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL for the central server's tests: a running cluster and a login role for this user.
# Containers have no systemd, so the cluster is started directly when it is not up.
if ! pg_isready -q 2>/dev/null; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$version" ]; then
        echo "setup: starting PostgreSQL $version"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
            || pg_ctlcluster "$version" main start
    fi
fi
me=$(id -un)
if pg_isready -q 2>/dev/null && command -v runuser >/dev/null \
    && ! runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$me'" 2>/dev/null | grep -q 1; then
    echo "setup: creating PostgreSQL role $me"
    runuser -u postgres -- createuser --superuser "$me"
    runuser -u postgres -- createdb -O "$me" "$me" 2>/dev/null || true
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    "$python" -m venv .venv
fi

# Reinstall only when the declared dependencies change.
stamp=.venv/.installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing the package and its dependencies"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[dev]"
    echo "$want" >"$stamp"
fi
