#!/usr/bin/env bash
# Set up gcollect and run it on the built-in demo Genesys host (no Genesys needed).
# Usage: scripts/demo.sh [gcollect demo options, e.g. --format tar.zst --json]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_venv ""
cd "$ROOT_DIR"
exec "$VENV/bin/gcollect" demo "$@"
