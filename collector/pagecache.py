"""Read a source file and leave the host's page cache as it was found.

Every byte gcollect reads would otherwise stay cached and push out pages the host's own
processes use (Genesys applications, databases). A ``CacheNeutralReader`` learns which pages
of a range are resident before it reads them (``mincore(2)`` on a read-only, never touched
``mmap`` of that range: nothing is read, nothing can be written) and later drops from the
cache (``posix_fadvise(POSIX_FADV_DONTNEED)``) only the pages that were not resident then:
the ones gcollect brought in. A page that was cached before (the file an application is
writing now, a file another tool just read) stays cached. A warm cache therefore costs
nothing more than the residency checks.

Cheap and bounded: residency is learned ``PROBE_SPAN`` at a time, at least ``LOOKAHEAD`` past
the end of every read (further than the kernel's readahead reaches, so that pages it read
ahead for us are never taken for pages that were there before); what is kept is the list of
cold page runs not yet dropped. A courtesy, never a condition: on any failure (no
``mincore``, a file system without ``mmap``, not Linux) the reads go on exactly as before and
nothing is dropped. ``GCOLLECT_KEEP_PAGE_CACHE=1`` turns it off.

Linux reports the residency of a file's pages only to a process that owns the file, may write
it, or has CAP_FOWNER (root); to others every page looks resident, so nothing is dropped.
"""

from __future__ import annotations

import bisect
import os
import sys
from collections.abc import Iterator

PROBE_SPAN = 32 << 20        # residency learned this far past a read's end when it is learned
LOOKAHEAD = 16 << 20         # ... and always at least this far (beyond the kernel's readahead)
KEEP_ENV = "GCOLLECT_KEEP_PAGE_CACHE"
# The page cache holds a file in folios of up to 2 MiB, each aligned to its size, and drops only
# the folios wholly inside the range it is given: ranges are cut at multiples of this.
FOLIO_MAX = 2 << 20

_PROT_READ = 0x1
_MAP_SHARED = 0x01
_MAP_FAILED = (1 << 64) - 1
_LOW_BIT = bytes(value & 1 for value in range(256))   # mincore: bit 0 of each byte = resident


class _Libc:
    """mmap/mincore/munmap from the C library, or None where they cannot be used."""

    def __init__(self) -> None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        self.mmap = libc.mmap
        self.mmap.restype = ctypes.c_void_p
        self.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, ctypes.c_int64)
        self.munmap = libc.munmap
        self.munmap.restype = ctypes.c_int
        self.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
        self.mincore = libc.mincore
        self.mincore.restype = ctypes.c_int
        self.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
        self.buffer = ctypes.create_string_buffer

    def resident(self, fd: int, offset: int, length: int) -> bytes | None:
        """One byte per page of ``length`` bytes from ``offset`` (both page-aligned): 1 if the
        page was in the page cache, else 0; None if that cannot be learned. The mapping is
        read-only and never touched, so nothing is read and no signal can come of a file that
        shrank meanwhile."""
        pages = length // PAGE
        address = self.mmap(None, length, _PROT_READ, _MAP_SHARED, fd, offset)
        if address is None or address == _MAP_FAILED:
            return None
        try:
            vector = self.buffer(pages)
            if self.mincore(address, length, vector) != 0:
                return None
            return vector.raw[:pages].translate(_LOW_BIT)
        finally:
            self.munmap(address, length)


def _load_libc() -> _Libc | None:
    if not sys.platform.startswith("linux") or not hasattr(os, "posix_fadvise") or sys.maxsize < 1 << 32:
        return None
    try:
        return _Libc()
    except (OSError, AttributeError, ImportError):
        return None


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_LIBC: _Libc | None | bool = False     # False: not loaded yet (loaded once per process)


def _libc() -> _Libc | None:
    global _LIBC
    if _LIBC is False:
        _LIBC = _load_libc()
    return _LIBC          # type: ignore[return-value]


def enabled() -> bool:
    """Whether readers drop the pages they brought in (Linux, not turned off)."""
    return os.environ.get(KEEP_ENV, "").strip() in ("", "0") and _libc() is not None


class CacheNeutralReader:
    """Reads of one open source file (``size`` bytes when opened) that leave the page cache
    as they found it: ``read_at`` as ``os.pread``; ``done_below(offset)`` drops the pages
    this reader brought in that lie wholly before ``offset`` (a sequential reader calls it as
    it goes, so the cache never holds more than a read's worth of its pages); ``close`` drops
    the rest. The bytes read are those ``os.pread`` returns, whatever happens here."""

    def __init__(self, fd: int, size: int) -> None:
        self._fd = fd
        self._pages = -(-max(size, 0) // PAGE)
        self._libc = _libc() if enabled() else None
        self._probed: list[tuple[int, int]] = []   # page intervals whose residency is known, merged
        self._cold: list[tuple[int, int]] = []     # page runs not resident when probed, not dropped yet
        self._read_end = 0

    def read_at(self, offset: int, length: int) -> bytes:
        if self._libc is not None and length > 0:
            self._learn(offset, offset + length)
        if hasattr(os, "pread"):
            data = os.pread(self._fd, length, offset)
        else:                                      # Windows: no pread (and no courtesy)
            os.lseek(self._fd, offset, os.SEEK_SET)
            data = os.read(self._fd, length)
        self._read_end = max(self._read_end, offset + len(data))
        return data

    def done_below(self, offset: int) -> None:
        """Drop the cold pages before ``offset`` (this reader will not read them again), up to
        a multiple of ``FOLIO_MAX``."""
        self._drop_below(offset // FOLIO_MAX * FOLIO_MAX // PAGE)

    def close(self) -> None:
        """Drop the cold pages read (and read ahead by the kernel for these reads)."""
        if self._cold:
            end = -(-(self._read_end + LOOKAHEAD) // FOLIO_MAX) * FOLIO_MAX
            self._drop_below(min(self._pages, end // PAGE))
        self._cold.clear()
        self._probed.clear()
        self._libc = None

    # ------------------------------------------------------------------ inside
    def _learn(self, start: int, end: int) -> None:
        """Know the residency of the pages of [start, end + LOOKAHEAD) before reading them."""
        first = start // PAGE
        if self._covered(first, min(self._pages, -(-(end + LOOKAHEAD) // PAGE))):
            return
        last = min(self._pages, -(-(end + PROBE_SPAN) // PAGE))
        for lo, hi in self._gaps(first, last):
            try:
                flags = self._libc.resident(self._fd, lo * PAGE, (hi - lo) * PAGE)
            except (OSError, ValueError, TypeError):
                flags = None
            if flags is None:                      # no residency: no more courtesy for this file
                self._libc = None
                return
            self._note_probed(lo, hi)
            position = 0
            while (cold := flags.find(0, position)) >= 0:
                warm = flags.find(1, cold)
                position = len(flags) if warm < 0 else warm
                bisect.insort(self._cold, (lo + cold, lo + position))

    def _covered(self, first: int, last: int) -> bool:
        if first >= last:
            return True
        index = bisect.bisect_right(self._probed, (first, self._pages + 1)) - 1
        return index >= 0 and self._probed[index][0] <= first and self._probed[index][1] >= last

    def _gaps(self, first: int, last: int) -> Iterator[tuple[int, int]]:
        position = first
        for lo, hi in self._probed:
            if hi <= position:
                continue
            if lo >= last:
                break
            if lo > position:
                yield position, lo
            position = max(position, hi)
        if position < last:
            yield position, last

    def _note_probed(self, lo: int, hi: int) -> None:
        merged: list[tuple[int, int]] = []
        for a, b in sorted([*self._probed, (lo, hi)]):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        self._probed = merged

    def _drop_below(self, limit: int) -> None:
        """Drop the cold runs before page ``limit``, runs that touch as one range (a folio may
        span the place where two probes met)."""
        done, lo, hi = 0, -1, -1
        for index, (run_lo, run_hi) in enumerate(self._cold):
            if run_lo >= limit:
                break
            if run_lo > hi:
                if hi > lo:
                    self._fadvise_dontneed(lo, hi)
                lo = run_lo
            hi = min(run_hi, limit)
            if hi < run_hi:                      # the rest of the run is still to be read
                self._cold[index] = (hi, run_hi)
                break
            done = index + 1
        if hi > lo:
            self._fadvise_dontneed(lo, hi)
        del self._cold[:done]

    def _fadvise_dontneed(self, lo: int, hi: int) -> None:
        try:
            os.posix_fadvise(self._fd, lo * PAGE, (hi - lo) * PAGE, os.POSIX_FADV_DONTNEED)
        except (OSError, AttributeError):
            pass
        # their residency is no longer known: a later read there (the head checked again at the
        # end, the lines before a resumed read) probes them again and drops what it brings in
        self._probed = self._without(lo, hi)

    def _without(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The probed intervals less [lo, hi)."""
        kept: list[tuple[int, int]] = []
        for a, b in self._probed:
            if a < lo:
                kept.append((a, min(b, lo)))
            if b > hi:
                kept.append((max(a, hi), b))
        return kept


def read_leaving_cache(fd: int, size: int, offset: int, length: int) -> bytes:
    """``os.pread(fd, length, offset)`` of a source file of ``size`` bytes (a probe: its head,
    its tail), leaving the page cache as it was."""
    reader = CacheNeutralReader(fd, size)
    try:
        return reader.read_at(offset, length)
    finally:
        reader.close()


def chunks_leaving_cache(fd: int, size: int, chunk: int, start: int = 0) -> Iterator[bytes]:
    """The bytes of [start, size) of a source file, ``chunk`` at a time (fewer at a short
    read's end: the file shrank), leaving the page cache as it was."""
    reader = CacheNeutralReader(fd, size)
    try:
        position = start
        while position < size:
            data = reader.read_at(position, min(chunk, size - position))
            if not data:
                return
            position += len(data)
            reader.done_below(position)
            yield data
    finally:
        reader.close()
