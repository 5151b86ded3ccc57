"""Helpers for CLI tests: run gcollect as a real subprocess, so exit codes and stderr are real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.checked_state import seed_checked_state

REPO = Path(__file__).resolve().parents[2]


def run_gcollect(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 300,
                 input: bytes | None = None, first_run: bool = False) -> subprocess.CompletedProcess:
    """``first_run``: leave a new state folder to gcollect, which then checks every packaged profile
    and rule set (~2 s); by default a state folder that does not exist yet is made with those checks
    already remembered, as on a host after its first run (see tests/checked_state.py)."""
    full_env = dict(os.environ)
    full_env.pop("GCOLLECT_DEBUG", None)
    full_env.update(env or {})
    state = state_dir_of(args, full_env)
    if not first_run and state is not None:
        seed_checked_state((cwd or REPO) / state)          # a relative --state-dir is gcollect's cwd's
    return subprocess.run([sys.executable, "-m", "collector", *args], cwd=cwd or REPO, env=full_env,
                          capture_output=True, timeout=timeout, input=input)


def state_dir_of(args: tuple[str, ...], env: dict) -> Path | None:
    """The state folder a gcollect command line names (``--state-dir``), else GCOLLECT_STATE_DIR's."""
    for i, arg in enumerate(args):
        if arg == "--state-dir" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--state-dir="):
            return Path(arg.split("=", 1)[1])
    return Path(env["GCOLLECT_STATE_DIR"]) if env.get("GCOLLECT_STATE_DIR") else None


@pytest.fixture(scope="session")
def demo_host(tmp_path_factory):
    """A generated demo Genesys host (shared, read-only for tests) and its ledger."""
    from collector.testhost import DEMO_PRODUCTS, generate_host

    root = tmp_path_factory.mktemp("demo") / "host"
    root.mkdir()
    ledger = generate_host(root, products=DEMO_PRODUCTS, days=2.0, seed=7)
    return root, ledger
