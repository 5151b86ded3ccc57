"""Helpers for CLI tests: run gcollect as a real subprocess, so exit codes and stderr are real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_gcollect(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 300,
                 input: bytes | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.pop("GCOLLECT_DEBUG", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "collector", *args], cwd=cwd or REPO, env=full_env,
                          capture_output=True, timeout=timeout, input=input)


@pytest.fixture(scope="session")
def demo_host(tmp_path_factory):
    """A generated demo Genesys host (shared, read-only for tests) and its ledger."""
    from collector.testhost import DEMO_PRODUCTS, generate_host

    root = tmp_path_factory.mktemp("demo") / "host"
    root.mkdir()
    ledger = generate_host(root, products=DEMO_PRODUCTS, days=2.0, seed=7)
    return root, ledger
