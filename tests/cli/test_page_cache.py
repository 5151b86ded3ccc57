"""A collection leaves the host's page cache as it found it (collector/pagecache.py): the pages
gcollect brought in are dropped, the pages that were cached before (a log an application is
writing, a file another tool just read) stay cached, and the bytes collected are the same.

Residency is checked here with mincore(2) on real files, with code of the test's own."""

from __future__ import annotations

import ctypes
import gzip
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect
from tests.cli.test_collect_time_zones import sip_segment

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SLACK = 2          # pages that may stay: a last partial page, one page at a run's edge


def most(pages: int) -> int:
    """Of ``pages`` cached pages, how many must still be cached: the kernel may reclaim a few on
    its own meanwhile (a VM's free page reporting, DAMON: about 2% in 25 idle seconds here)."""
    return pages - max(SLACK, pages // 50)


def resident(path: Path) -> list[bool]:
    """Whether each page of the file is in the page cache (mincore on a read-only mapping)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int64)
    libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
    libc.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        pages = -(-size // PAGE)
        address = libc.mmap(None, size, 1, 1, fd, 0)          # PROT_READ, MAP_SHARED
        assert address not in (None, (1 << 64) - 1), os.strerror(ctypes.get_errno())
        try:
            vector = ctypes.create_string_buffer(pages)
            assert libc.mincore(ctypes.c_void_p(address), size, vector) == 0, os.strerror(ctypes.get_errno())
            return [bool(byte & 1) for byte in vector.raw[:pages]]
        finally:
            libc.munmap(ctypes.c_void_p(address), size)
    finally:
        os.close(fd)


def make_cold(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    if sum(resident(path)) > SLACK:
        pytest.skip("this file system keeps the file's pages cached (tmpfs?)")


def make_warm(path: Path) -> None:
    with open(path, "rb") as handle:
        while handle.read(1 << 20):
            pass
    assert all(resident(path))


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or sys.maxsize < 1 << 32,
                                reason="mincore/posix_fadvise: 64-bit Linux")

UTC = timezone.utc


def host(root: Path) -> tuple[str, str, str]:
    """Three SIP Server segments of a few MB: one to be read cold, one warm, one gzip'ed."""
    cold = sip_segment(root, datetime(2024, 1, 10, 0, 0, tzinfo=UTC), datetime(2024, 1, 11, 0, 0, tzinfo=UTC),
                       step=timedelta(seconds=1))
    warm = sip_segment(root, datetime(2024, 1, 11, 0, 0, 1, tzinfo=UTC), datetime(2024, 1, 12, 0, 0, tzinfo=UTC),
                       step=timedelta(seconds=1))
    text = sip_segment(root, datetime(2024, 1, 9, 0, 0, tzinfo=UTC), datetime(2024, 1, 9, 12, 0, tzinfo=UTC),
                       step=timedelta(seconds=1))
    compressed = root / (text + ".gz")
    compressed.write_bytes(gzip.compress((root / text).read_bytes(), 1))
    (root / text).unlink()
    return cold, warm, text + ".gz"


def collect(root: Path, out: Path, state: Path, env: dict | None = None) -> dict[str, bytes]:
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(state),
                        "--all-logs", "--json", "--quiet", "--priority", "normal", env=env)
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    return dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))


def test_a_collection_drops_only_the_pages_it_brought_in(tmp_path: Path) -> None:
    root = tmp_path / "host"
    cold, warm, compressed = host(root)
    for path in (cold, compressed):
        make_cold(root / path)
    make_warm(root / warm)
    sizes = {path: -(-(root / path).stat().st_size // PAGE) for path in (cold, warm, compressed)}
    assert sizes[cold] > 500 and sizes[compressed] > 20

    members = collect(root, tmp_path / "out", tmp_path / "state")

    # the cold files were read whole (they are in the bundle) and left cold
    left = [page for page, cached in enumerate(resident(root / cold)) if cached]
    assert len(left) <= SLACK, f"{len(left)} of {sizes[cold]} pages left cached: {left[:8]}"
    assert sum(resident(root / compressed)) <= SLACK, f"{sum(resident(root / compressed))} pages left cached"
    # the file that was cached before is cached still (every page, but for the kernel's own reclaim)
    assert sum(resident(root / warm)) >= most(sizes[warm]), f"{sum(resident(root / warm))} of {sizes[warm]}"

    # the same bytes as a collection that leaves its pages cached
    again = collect(root, tmp_path / "out-kept", tmp_path / "state", env={"GCOLLECT_KEEP_PAGE_CACHE": "1"})
    names = [name for name in members if name.endswith((Path(cold).name, Path(warm).name, Path(compressed).name[:-3]))]
    assert len(names) == 3, sorted(members)
    for name in names:
        assert members[name] == again[name] and len(members[name]) > 100_000, name
    assert sum(resident(root / cold)) > sizes[cold] // 2     # with the setting, pages stay cached as before


def test_the_reader_keeps_exactly_the_pages_that_were_cached(tmp_path: Path) -> None:
    """Pages cached before (here: a stretch in the middle) stay; the rest is dropped; the bytes
    read are the file's bytes, also with probes ahead of the sequential read (a tail, a head)."""
    from collector.pagecache import CacheNeutralReader, chunks_leaving_cache

    path = tmp_path / "data.bin"
    data = os.urandom(40 << 20)
    path.write_bytes(data)
    make_cold(path)
    middle = range(3000, 3400)
    with open(path, "rb") as handle:
        handle.seek(middle.start * PAGE)
        handle.read(len(middle) * PAGE)
    before = resident(path)
    assert sum(before) >= len(middle) and sum(before) < len(middle) + 200     # a little readahead

    fd = os.open(path, os.O_RDONLY)
    try:
        reader = CacheNeutralReader(fd, len(data))
        assert reader.read_at(0, 16384) == data[:16384]
        assert reader.read_at(len(data) - (1 << 20), 1 << 20) == data[-(1 << 20):]
        position, got = 0, []
        while position < len(data):
            got.append(reader.read_at(position, 1 << 20))
            position += len(got[-1])
            reader.done_below(position)
            if position == 8 << 20:      # dropped behind the reader as it goes, not at its end
                assert sum(resident(path)[:(8 << 20) // PAGE]) <= SLACK
        reader.close()
        assert b"".join(got) == data
        assert b"".join(chunks_leaving_cache(fd, len(data), 3 << 20, start=5)) == data[5:]
    finally:
        os.close(fd)
    after = resident(path)
    assert sum(after[page] for page in middle) >= most(len(middle))
    assert sum(after) <= sum(before) + SLACK
