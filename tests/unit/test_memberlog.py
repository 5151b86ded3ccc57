"""MemberLog: member results kept in an unlinked file, read back exactly, in either order."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from collector.memberlog import MemberLog
from collector.model import MemberResult


def result(i: int, stats_bytes: int = 300) -> MemberResult:
    return MemberResult(
        host_path=f"opt/genesys/logs/app{i % 7}/SIPS_{i:05d}.log", product="sip-server", installation="SIPS",
        kind="log", size_in=1000 + i, size_out=500 + i, mtime=1709648105.0 + i, sha256=f"{i:064x}",
        redactions={"tlib-caller-number": i % 5}, findings=[(i, "phone")] if i % 11 == 0 else [],
        log_stats=b'{"messages":[' + b"x" * stats_bytes + b"]}", start_offset=i, end_offset=2 * i,
        device=1, inode=i)


def test_reads_back_what_was_appended_in_every_order(tmp_path: Path) -> None:
    rng = random.Random(3)
    written = [result(i, rng.randrange(0, 300_000)) for i in range(300)]   # some records > the read-ahead
    log = MemberLog(tmp_path)
    for r in written:
        log.append(r)
    assert len(log) == 300
    assert list(log) == written                                  # arrival order, block reads
    assert list(log.by_path()) == sorted(written, key=lambda r: r.host_path)
    assert log[0] == written[0] and log[-1] == written[-1] and log[123] == written[123]
    assert log[5:8] == written[5:8]
    with pytest.raises(IndexError):
        log[300]
    log.append(result(300))                                      # appending after reading still works
    assert log[-1] == result(300) and len(log) == 301
    log.close()


def test_leaves_nothing_in_the_folder(tmp_path: Path) -> None:
    log = MemberLog(tmp_path)
    log.append(result(1))
    if os.name == "posix":
        assert os.listdir(tmp_path) == []                       # unlinked at once
    log.close()
    assert os.listdir(tmp_path) == []


def test_empty(tmp_path: Path) -> None:
    log = MemberLog(tmp_path)
    assert len(log) == 0 and list(log) == [] and list(log.by_path()) == []
    log.close()


def test_a_full_disk_is_the_runs_disk_full_error(tmp_path: Path) -> None:
    """ENOSPC, when the buffered records reach the disk, is DiskFull (one line, its exit code)."""
    import errno

    from collector.errors import DiskFull

    log = MemberLog(tmp_path)
    log.append(result(1))                               # in the buffer

    class FullDisk:
        def __init__(self, real):
            self.real = real

        def seek(self, offset):                         # where the buffer is flushed
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.real, name)

    real = log._file
    log._file = FullDisk(real)
    with pytest.raises(DiskFull):
        log.append(result(2))
    with pytest.raises(DiskFull):
        log[0]
    assert len(log) == 1                                # the record that failed is not counted
    real.close()
