"""What tests that build host trees on disk share: a file written at a host path (with an
optional mtime), and a real small tmpfs for disk-full tests (root only: skipped elsewhere)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest


def put(root: Path, host_path: str, data: bytes | str, mtime: datetime | None = None) -> Path:
    """Write ``data`` at ``root/host_path`` (folders made), last written at ``mtime`` if given."""
    path = root / host_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A real tmpfs of ``size`` (``1m``, ``256k``) mounted at ``path`` (made if missing) for the
    test's duration; the test is skipped where root cannot mount one."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    path.mkdir(exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], capture_output=True)


def fill(folder: Path, *, leave: int = 0) -> None:
    """Fill ``folder``'s file system with a file named ``filler``: to the last block, or (with
    ``leave``) up to that many bytes below the folder's size at the time of the call."""
    filler = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        if leave:
            os.write(filler, b"\0" * (shutil.disk_usage(folder).total - leave))
            return
        with pytest.raises(OSError):
            while True:
                os.write(filler, b"\0" * 4096)
    finally:
        os.close(filler)
