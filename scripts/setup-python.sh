#!/usr/bin/env bash
# Prepare the two Python stacks that demo/app.py and the integration/e2e tests
# run on:
#
#   modern  .venv-modern/ in the repository root, from requirements-modern.txt
#           (Flask 3.1.3, Flask-Session 0.8.0, redis-py, Flask-SQLAlchemy, pymongo),
#           plus Debian's pure-Python python-memcached, mongomock and sentinels
#           linked in (.venv-modern/debian-pure, via a .pth file): the package
#           index these machines reach does not carry them
#   debian  the system interpreter /usr/bin/python3 with Debian's packages
#           (python3-flask 2.2.2, python3-flask-session 0.3.2, python3-redis,
#           python3-memcache, python3-mongomock, python3-pymongo,
#           python3-flask-sqlalchemy, python3-cachelib)
#
# Safe to run repeatedly: an existing .venv-modern that already satisfies the
# pins is left alone (no network access); a broken or outdated one is repaired.
#
# Environment:
#   SESSION_LENS_BASE_PYTHON  interpreter to build .venv-modern from. Without it
#                             /usr/bin/python3 is tried first, then the python3
#                             found on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-modern"
REQ="$ROOT/requirements-modern.txt"
DEBIAN_PY=/usr/bin/python3

say() { printf '[setup-python] %s\n' "$*"; }
die() { printf '[setup-python] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -f "$REQ" ]] || die "missing $REQ"

# Prints nothing and succeeds when every "name==version" pin of $REQ is
# installed in the given interpreter's environment.
pins_satisfied() {
  "$1" - "$REQ" <<'PY'
import re, sys
from importlib import metadata
bad = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
    if not m:
        bad.append(f"unsupported requirement line: {line!r}")
        continue
    name, want = m.groups()
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        have = None
    if have != want:
        bad.append(f"{name}: want {want}, have {have}")
if bad:
    print("; ".join(bad))
    sys.exit(1)
PY
}

# Builds $VENV with the given base interpreter and installs the pins.
# Returns non-zero (leaving no venv behind) when any step fails.
build_venv() {
  local base="$1" log
  if ! "$base" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    say "$base has no working venv/ensurepip module (Debian: apt-get install python3-venv); skipping it"
    return 1
  fi
  say "creating $VENV with $base ($("$base" -c 'import sys; print(sys.version.split()[0])'))"
  rm -rf "$VENV"
  if ! "$base" -m venv "$VENV"; then
    rm -rf "$VENV"
    return 1
  fi
  log="$(mktemp)"
  if "$VENV/bin/python" -m pip install --disable-pip-version-check -r "$REQ" >"$log" 2>&1; then
    rm -f "$log"
    return 0
  fi
  say "pip install with $base failed; last lines of its output:"
  tail -n 8 "$log" | sed 's/^/    /'
  rm -f "$log"
  rm -rf "$VENV"
  return 1
}

# ---------------------------------------------------------------- modern stack
modern_ok=0
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  if why="$(pins_satisfied "$VENV/bin/python")"; then
    say "$VENV is up to date"
    modern_ok=1
  else
    say "$VENV does not match requirements-modern.txt ($why); installing"
    if "$VENV/bin/python" -m pip install --disable-pip-version-check -r "$REQ"; then
      modern_ok=1
    else
      say "installing into the existing venv failed; rebuilding it"
    fi
  fi
elif [[ -e "$VENV" ]]; then
  say "$VENV exists but its interpreter does not run; rebuilding it"
fi

if [[ $modern_ok -eq 0 ]]; then
  candidates=()
  if [[ -n "${SESSION_LENS_BASE_PYTHON:-}" ]]; then
    candidates+=("$SESSION_LENS_BASE_PYTHON")
  else
    [[ -x "$DEBIAN_PY" ]] && candidates+=("$DEBIAN_PY")
    path_py="$(command -v python3 || true)"
    if [[ -n "$path_py" && "$path_py" != "$DEBIAN_PY" ]]; then
      candidates+=("$path_py")
    fi
  fi
  [[ ${#candidates[@]} -gt 0 ]] || die "no python3 interpreter found (Debian: apt-get install python3 python3-venv)"
  for base in "${candidates[@]}"; do
    if build_venv "$base"; then
      modern_ok=1
      break
    fi
  done
  [[ $modern_ok -eq 1 ]] || die "could not build $VENV from any of: ${candidates[*]}.
  On Debian/Ubuntu install the venv module with: apt-get install python3-venv
  (pip needs access to a package index holding the pins of requirements-modern.txt)."
fi

why="$(pins_satisfied "$VENV/bin/python")" || die "$VENV still does not match requirements-modern.txt: $why"

# Debian's pure-Python memcached client and mongomock, for the memcached and
# mongodb backends: linked (not copied) into one directory that a .pth file puts
# on the venv's path, so only these modules (not the rest of Debian's
# dist-packages, with its Flask 2.2) become importable. Relinked on every run.
DEBIAN_SITE=/usr/lib/python3/dist-packages
EXTRA="$VENV/debian-pure"
missing=()
linked=()
for pair in memcache.py:python3-memcache 'python_memcached-*.egg-info:python3-memcache' \
            mongomock:python3-mongomock 'mongomock-*.egg-info:python3-mongomock' \
            sentinels:python3-sentinels 'sentinels-*.egg-info:python3-sentinels'; do
  pattern="${pair%%:*}" package="${pair#*:}"
  # shellcheck disable=SC2206  # the glob is meant to expand
  found=($DEBIAN_SITE/$pattern)
  if [[ -e "${found[0]}" ]]; then
    linked+=("${found[0]}")
  else
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  die "the modern stack borrows Debian's pure-Python packages for the memcached and mongodb backends. Install them with:
  apt-get install $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
fi
rm -rf "$EXTRA"
mkdir -p "$EXTRA"
for target in "${linked[@]}"; do
  ln -s "$target" "$EXTRA/$(basename "$target")"
done
site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
printf '%s\n' "$EXTRA" >"$site/session-lens-debian-pure.pth"
"$VENV/bin/python" -c 'import memcache, mongomock, pymongo, flask_sqlalchemy, cachelib' \
  || die "$VENV cannot import the Flask-Session backend clients (memcache, mongomock, pymongo, flask_sqlalchemy, cachelib)"

# ---------------------------------------------------------------- Debian stack
[[ -x "$DEBIAN_PY" ]] || die "$DEBIAN_PY not found. Install Debian's Python stack:
  apt-get install python3 python3-flask python3-flask-session python3-redis"

missing=()
for pair in flask:python3-flask flask_session:python3-flask-session redis:python3-redis \
            memcache:python3-memcache mongomock:python3-mongomock pymongo:python3-pymongo \
            flask_sqlalchemy:python3-flask-sqlalchemy cachelib:python3-cachelib; do
  module="${pair%%:*}" package="${pair#*:}"
  if ! "$DEBIAN_PY" -c "import $module" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  die "$DEBIAN_PY cannot import the Debian Flask stack. Install it with:
  apt-get install ${missing[*]}"
fi

if ! command -v redis-server >/dev/null 2>&1; then
  die "redis-server not found (needed by the Flask-Session tests). Install it with:
  apt-get install redis-server"
fi
if ! command -v memcached >/dev/null 2>&1; then
  die "memcached not found (needed by the Flask-Session memcached tests). Install it with:
  apt-get install memcached"
fi

# ---------------------------------------------------------------- report
report() {
  "$1" - "$2" <<'PY'
import sys
from importlib import metadata
def v(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"
names = ["Flask", "Flask-Session", "Werkzeug", "itsdangerous", "redis", "msgspec", "cachelib",
         "python-memcached", "pymongo", "mongomock", "Flask-SQLAlchemy", "SQLAlchemy"]
parts = " ".join(f"{n}={v(n)}" for n in names)
print(f"[setup-python] {sys.argv[1]:<7} {sys.executable} (Python {sys.version.split()[0]}): {parts}")
PY
}
report "$VENV/bin/python" modern
report "$DEBIAN_PY" debian
say "redis-server: $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'), memcached: $(memcached -V | sed 's/^memcached //')"
