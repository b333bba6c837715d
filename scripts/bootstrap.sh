#!/usr/bin/env bash
# Installs everything Session Lens needs on a fresh Debian 12 machine, and
# nothing that is already there: Debian packages (Chromium, Firefox ESR,
# both Flask stacks' system half with every Flask-Session backend's client,
# Django, Rails' ActionPack with WEBrick, redis-server, memcached, Xvfb for servers), npm
# packages (npm ci), and the modern Flask virtualenv. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '[bootstrap] %s\n' "$*"; }

DEBIAN_PACKAGES=(chromium firefox-esr memcached python3-cachelib python3-django python3-flask python3-flask-session python3-flask-sqlalchemy
  python3-jwt python3-memcache python3-mongomock python3-pymongo python3-redis python3-venv redis-server ruby-actionpack ruby-webrick xvfb)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "[bootstrap] need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=(sudo)
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

scripts/setup-python.sh
