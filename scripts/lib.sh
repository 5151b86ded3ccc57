# Shared by scripts/demo.sh and scripts/test.sh: system packages and the project's venv.
# Idempotent: a second run installs nothing new.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${GCOLLECT_VENV:-$ROOT_DIR/.venv}"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

# apt_need BINARY PACKAGE [BINARY PACKAGE ...]: install PACKAGE when BINARY is missing.
apt_need() {
  local missing=()
  while [ $# -gt 0 ]; do
    if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$1" ]; then missing+=("$2"); fi
    shift 2
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# make_venv EXTRAS: create .venv and install the project (editable) with EXTRAS ("" or "test").
make_venv() {
  local extras="$1"
  if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
    apt_need /nonexistent-venv python3-venv
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  local spec="$ROOT_DIR"
  [ -n "$extras" ] && spec="$ROOT_DIR[$extras]"
  local stamp="$VENV/.installed-$extras-$(cat "$ROOT_DIR/pyproject.toml" | sha256sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
    "$VENV/bin/python" -m pip install -q -e "$spec" 2>&1 | grep -v -i "^warning: location" >&2 || true
    "$VENV/bin/python" -c "import collector" || { echo "installation failed" >&2; return 1; }
    touch "$stamp"
  fi
}
