"""Progress for uploads: a small protocol, a tqdm bar for terminals, silence otherwise.

``advance`` may be negative: when a request is retried its bytes are taken back (as s3transfer's
subscribers do), so the bar never counts a byte twice.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import IO, Protocol, runtime_checkable


FALLBACK_COLUMNS, FALLBACK_ROWS = 80, 24


def terminal_columns(stream: IO[str]) -> int:
    """The width of the terminal behind ``stream``; 0 when it reports none."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


@runtime_checkable
class ProgressReporter(Protocol):
    def start(self, total: int, resumed: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def close(self) -> None: ...


class SilentReporter:
    def start(self, total: int, resumed: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


class CountingReporter:
    """Counts bytes (tests, benchmarks, JSON output). Thread-safe."""

    def __init__(self) -> None:
        self.total = 0
        self.resumed = 0
        self.sent = 0
        self.taken_back = 0
        self.closed = False
        self._lock = threading.Lock()

    def start(self, total: int, resumed: int) -> None:
        self.total, self.resumed = total, resumed

    def advance(self, n: int) -> None:
        with self._lock:
            self.sent += n
            if n < 0:
                self.taken_back -= n

    def close(self) -> None:
        self.closed = True


class TqdmReporter:
    """Bytes, rate and ETA on a terminal (stderr). Thread-safe: parts report from worker threads."""

    def __init__(self, description: str = "upload", stream: IO[str] | None = None) -> None:
        self.description = description
        self.stream = stream or sys.stderr
        self._bar: object | None = None
        self._lock = threading.Lock()

    def start(self, total: int, resumed: int) -> None:
        from tqdm import tqdm

        # a terminal that reports no size (0 columns: `script` without a real terminal, some serial
        # consoles) would get an empty bar from dynamic_ncols: give it a fixed width instead
        width: dict[str, object] = {"dynamic_ncols": True}
        if terminal_columns(self.stream) <= 0:
            width = {"ncols": FALLBACK_COLUMNS, "nrows": FALLBACK_ROWS}
        self._bar = tqdm(total=total, initial=resumed, unit="B", unit_scale=True, unit_divisor=1024,
                         desc=self.description, file=self.stream, leave=True, **width)

    def advance(self, n: int) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(n)  # type: ignore[attr-defined]

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.close()  # type: ignore[attr-defined]
                self._bar = None


def reporter_for_terminal(description: str = "upload") -> ProgressReporter:
    """tqdm when stderr is a terminal, else silence."""
    return TqdmReporter(description) if sys.stderr.isatty() else SilentReporter()
