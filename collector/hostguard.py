"""Never harm the production host: priority, disk-space preflight, read-only opens.

* ``lower_priority()``: nice 10 and the idle IO class (Linux) / below-normal priority (Windows).
* ``preflight(...)``: refuses, with the numbers, when the bundle would take the output file
  system below its reserve (default: the smaller of 10 % of the file system and 2 GiB);
  ``RoomGuard``: keeps that reserve free while the run writes (temporary pieces, the partial
  bundle), whatever the estimate said.
* ``open_source(path)``: read-only, without updating the access time where the OS allows it,
  refusing anything that is not a regular file at the moment it is opened;
  ``open_selected(path, device, inode)``: the same, refusing also any file but the one
  selection chose (a symlink or another file put in its place, or in the place of a folder
  on its path, since).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collector.errors import BelowReserve, PreflightFailed
from collector.hostfiles import open_read_only
from collector.units import human

GIB = 1 << 30
DEFAULT_RESERVE_FRACTION = 0.10
DEFAULT_RESERVE_BYTES = 2 * GIB
# Redacted Genesys logs compress 8-15x with gzip -1; assume the worst ratio we measured
# plus room for the temporary pieces in flight, so the estimate errs on the safe side.
ESTIMATED_COMPRESSION_RATIO = 0.25
# What the bundle holds besides its members (system facts, report, manifest), per bundle and
# per member. RoomGuard keeps the reserve whatever the estimate says: the preflight only spares
# a run that cannot fit the work, so it estimates what the window keeps, not whole segments.
ESTIMATED_FIXED_BYTES = 1 << 20
ESTIMATED_BYTES_PER_MEMBER = 1 << 10


def lower_priority() -> None:
    """Run at low CPU and IO priority; silently keeps the current one where not allowed."""
    try:
        import psutil

        process = psutil.Process()
        if hasattr(psutil, "IOPRIO_CLASS_IDLE"):
            try:
                process.ionice(psutil.IOPRIO_CLASS_IDLE)
            except (psutil.Error, OSError):
                pass
        if os.name == "nt":  # pragma: no cover - Windows only
            process.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        else:
            current = os.getpriority(os.PRIO_PROCESS, 0)
            if current < 10:
                os.setpriority(os.PRIO_PROCESS, 0, 10)
    except (ImportError, OSError, AttributeError):
        pass


@dataclass(frozen=True)
class DiskEstimate:
    output_dir: Path
    free: int
    total: int
    needed: int
    reserve: int

    @property
    def ok(self) -> bool:
        return self.free - self.needed >= self.reserve


def return_freed_memory() -> None:
    """Give the heap memory freed so far back to the system (glibc's ``malloc_trim``): after a
    burst of short-lived allocations (the rule-set example checks compile and drop hundreds of
    patterns) the freed pages otherwise stay in this process's RSS, and in every worker forked
    from it. Does nothing where there is no glibc."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def estimate_disk(output_dir: Path, bytes_in: int, *, reserve_bytes: int | None = None,
                  max_bundle_bytes: int | None = None, members: int = 0) -> DiskEstimate:
    """``bytes_in``: the bytes the bundle's members will hold before compression (what the
    window keeps of each file, ``Plan.bytes_kept_estimate``)."""
    usage = shutil.disk_usage(output_dir)
    needed = (int(bytes_in * ESTIMATED_COMPRESSION_RATIO) + ESTIMATED_FIXED_BYTES
              + members * ESTIMATED_BYTES_PER_MEMBER)
    if max_bundle_bytes is not None:
        needed = min(needed, max_bundle_bytes)
    reserve = reserve_bytes
    if reserve is None:
        reserve = min(int(usage.total * DEFAULT_RESERVE_FRACTION), DEFAULT_RESERVE_BYTES)
    return DiskEstimate(output_dir, usage.free, usage.total, needed, reserve)


def preflight(output_dir: Path, bytes_in: int, *, reserve_bytes: int | None = None,
              max_bundle_bytes: int | None = None, members: int = 0) -> DiskEstimate:
    """Check the output folder is writable and has room; raise PreflightFailed otherwise."""
    if not output_dir.exists():
        raise PreflightFailed(problem=f"output folder {output_dir} does not exist")
    if not output_dir.is_dir():
        raise PreflightFailed(problem=f"output {output_dir} is not a folder")
    if not os.access(output_dir, os.W_OK | os.X_OK):
        raise PreflightFailed(problem=f"output folder {output_dir} is not writable")
    estimate = estimate_disk(output_dir, bytes_in, reserve_bytes=reserve_bytes,
                             max_bundle_bytes=max_bundle_bytes, members=members)
    if not estimate.ok:
        past = ("free space or choose another --output" if max_bundle_bytes is not None else
                "free space, choose another --output, narrow the window, or cap the bundle with --max-size "
                "(files that do not fit are left out)")
        raise PreflightFailed(
            problem=(
                f"not enough space in {output_dir}: the bundle needs about {human(estimate.needed)}, "
                f"{human(estimate.free)} free, and {human(estimate.reserve)} must stay free "
                f"(--reserve); {past}"
            )
        )
    return estimate


ROOM_STEP = 1 << 20         # bytes a writer may write between two looks at the free space
ROOM_SLACK = 256 << 10      # file system blocks and metadata the byte counts do not show


class RoomGuard:
    """Keeps ``reserve`` bytes free on the file system of ``folder`` while up to ``writers``
    processes of the run write there (workers' temporary pieces, the main process's partial
    bundle); one guard per process. ``claim(n)`` before writing ``n`` bytes: BelowReserve if
    they do not fit. The free space itself is looked at (so the run's other files, and anything
    else writing there, count) once per ``ROOM_STEP`` bytes; each process holds at most that
    many bytes unchecked, and each look sets aside as much for every other writer."""

    def __init__(self, folder: Path, reserve: int, writers: int = 1) -> None:
        self.folder = folder
        self.reserve = reserve
        self.writers = max(1, writers)
        self._credit = 0

    def room(self) -> int:
        """Bytes this process may write now without taking the file system below the reserve."""
        free = shutil.disk_usage(self.folder).free
        return free - self.reserve - (self.writers - 1) * ROOM_STEP - ROOM_SLACK

    def fits(self, size: int) -> bool:
        return size <= self._credit or size <= self.room()

    def claim(self, size: int) -> None:
        if size <= self._credit:
            self._credit -= size
            return
        room = self.room()
        if size > room:
            raise BelowReserve(where=str(self.folder), reserve=human(self.reserve))
        self._credit = min(room - size, ROOM_STEP)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class NotARegularFile(OSError):
    pass


class NotTheSelectedFile(OSError):
    """The path leads to another file than the one selection chose."""


def open_source(path: Path) -> tuple[int, os.stat_result]:
    """Open a source file read-only; return (fd, fstat at open).

    ``hostfiles.open_read_only``: O_NONBLOCK keeps a FIFO that appeared after selection from
    blocking the open, O_NOFOLLOW refuses a symlink, O_NOATIME leaves access times alone where
    the kernel allows it (owner or root). Anything that is not a regular file once opened is
    refused.
    """
    fd = open_read_only(path)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(f"{path} is not a regular file")
        if _NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def open_selected(path: Path, device: int | None, inode: int | None) -> tuple[int, os.stat_result]:
    """``open_source`` for a file selection chose, as (fd, fstat at open): only if it is still
    that file, else NotTheSelectedFile (nothing is read).

    ``path`` is a real path (selection resolved it), so a symlink there now was put in its
    place since: O_NOFOLLOW refuses it. A folder on the path swapped for a symlink leads to
    another file, and so does a file replaced by another one: the opened file's (st_dev, st_ino)
    must be the ones recorded at selection. Unknown ones are refused too. A file renamed away
    (rotation) has left the path; one truncated and rewritten in place keeps its inode.
    """
    try:
        fd, info = open_source(path)
    except OSError as error:
        if error.errno == errno.ELOOP:     # O_NOFOLLOW met a symlink (or a loop on the path)
            raise NotTheSelectedFile(f"{path} is now a symlink") from None
        raise
    if device is None or inode is None or (info.st_dev, info.st_ino) != (device, inode):
        os.close(fd)
        raise NotTheSelectedFile(f"{path} is not the file selection chose")
    return fd, info


def read_selected(path: Path, device: int | None, inode: int | None, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The bytes of a file selection chose, chunk by chunk (``open_selected``'s rules): none
    if it cannot be opened or is no longer that file, and no more after a read error. For a
    look through the planned files before the run (``--call``); the run itself leaves such a
    file out with the reason."""
    from collector.pagecache import CacheNeutralReader

    try:
        fd, info = open_selected(path, device, inode)
    except OSError:
        return
    source = CacheNeutralReader(fd, info.st_size)      # the page cache left as it was found
    try:
        position = 0
        while data := source.read_at(position, chunk):
            position += len(data)
            source.done_below(position)
            yield data
    except OSError:
        return
    finally:
        try:
            source.close()
        finally:
            os.close(fd)
