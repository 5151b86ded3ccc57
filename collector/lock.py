"""One snapshot at a time: an exclusive lock on ``STATE_DIR/snapshot.lock`` holding the pid.

The lock is a kernel lock (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), so it is
released by the kernel when its process dies, however it dies: a killed run leaves no stale lock,
only a file with an old pid in it. A second run fails at once with ``Locked`` (exit 60).

Worker processes forked by the pipeline would share the lock's open file description and,
orphaned by a killed main process, hold the lock on its behalf. A fork handler therefore closes
the lock's descriptor in every forked child (this does not release the parent's lock). For a
holder that is dead while the lock is still busy (some other way of inheriting it), ``acquire``
waits up to ``orphan_wait`` seconds before giving up.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType

from collector.errors import Locked, naming_file

LOCK_NAME = "snapshot.lock"
_WIN_LOCK_OFFSET = 4096          # Windows: lock a byte past the pid text so it stays readable
_HELD_FDS: set[int] = set()      # lock descriptors of this process, closed in forked children


def _close_in_child() -> None:
    for fd in list(_HELD_FDS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows only
        try:
            import psutil

            return psutil.pid_exists(pid)
        except ImportError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _try_lock(fd: int) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows only
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def _unlock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - Windows only
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


class SnapshotLock:
    """``with SnapshotLock(state_dir): ...``; raises ``Locked`` if another run holds it."""

    def __init__(self, state_dir: Path, *, orphan_wait: float = 5.0) -> None:
        self.path = Path(state_dir) / LOCK_NAME
        self.orphan_wait = orphan_wait
        self._fd: int | None = None

    def holder(self) -> int:
        """The pid written by the current or last holder (0 if unknown)."""
        try:
            text = self.path.read_text(errors="replace").strip()
        except OSError:
            return 0
        return int(text) if text.isdigit() else 0

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        deadline = time.monotonic() + self.orphan_wait
        try:
            while not _try_lock(fd):
                pid = self.holder()
                if _pid_alive(pid) or time.monotonic() >= deadline:
                    raise Locked(pid=pid or "unknown", path=str(self.path))
                time.sleep(0.05)   # the holder is dead: an orphaned worker is about to exit
            try:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, f"{os.getpid()}\n".encode())
            except OSError as e:
                raise naming_file(e, self.path) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        _HELD_FDS.add(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _HELD_FDS.discard(fd)
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> SnapshotLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
