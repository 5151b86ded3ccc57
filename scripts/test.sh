#!/usr/bin/env bash
# Install everything the tests need (system packages, the venv, the S3 server from PyPI) and run
# the whole suite. The tests start their own OpenSSH sshd and SeaweedFS S3 server on loopback.
# Usage: scripts/test.sh [pytest options]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
apt_need /usr/sbin/sshd openssh-server ssh-keygen openssh-client zstd zstd unzip unzip chromium chromium /usr/bin/time time
make_venv "test"
cd "$ROOT_DIR"
exec "$VENV/bin/python" -m pytest -q "$@"
