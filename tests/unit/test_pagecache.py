"""collector/pagecache.py when the courtesy cannot be paid: the bytes read are os.pread's, nothing
fails (tests/cli/test_page_cache.py checks the pages themselves)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collector import pagecache
from collector.pagecache import CacheNeutralReader, chunks_leaving_cache, read_leaving_cache


def test_a_file_without_mmap_is_read_as_before() -> None:
    """sysfs: a size of 4096, no mmap; the residency cannot be learned, the read goes on."""
    path = "/sys/kernel/mm/transparent_hugepage/enabled"
    if not os.path.exists(path):
        pytest.skip("no sysfs here")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_leaving_cache(fd, os.fstat(fd).st_size, 0, 4096) == os.pread(fd, 4096, 0)
    finally:
        os.close(fd)


def test_a_file_that_shrank_after_open_is_read_as_it_is_now(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"a" * 100_000)
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        os.truncate(path, 5000)                      # rotated with copytruncate meanwhile
        assert b"".join(chunks_leaving_cache(fd, size, 4096)) == b"a" * 5000
        reader = CacheNeutralReader(fd, size)
        assert reader.read_at(90_000, 4096) == b""
        reader.close()
        empty = CacheNeutralReader(fd, 0)
        assert empty.read_at(0, 10) == b"a" * 10     # an empty file at open: nothing probed
        empty.close()
    finally:
        os.close(fd)


def test_the_setting_turns_it_off(monkeypatch) -> None:
    monkeypatch.setenv(pagecache.KEEP_ENV, "1")
    assert not pagecache.enabled()
    monkeypatch.setenv(pagecache.KEEP_ENV, "0")
    assert pagecache.enabled() == (pagecache._libc() is not None)
