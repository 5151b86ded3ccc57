"""The results of a run's collected files, kept on disk instead of in memory.

The main process gets one ``MemberResult`` per collected file (sizes, digests, redaction counts,
the file's log statistics) and needs them all at the end, for manifest.json, the report and
the snapshot state. Held as objects (with the manifest entries made from them at the end) they
grew the main process with the number of files: 88 MB at its peak on the 4 GB demo tree (7,657
files), 66 MB with this. ``MemberLog`` pickles each one into an unlinked temporary file as it
arrives and keeps only its offset and path in memory.

It is a read-only ``Sequence`` once filled: ``len``, indexing, iteration in arrival order, and
``by_path()`` in path order (the manifest's order). Reading back takes a seek, a read and an
unpickling per member. ``close()`` (or the garbage collector) frees the file.
"""

from __future__ import annotations

import contextlib
import pickle
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

from collector.errors import output_write_error
from collector.model import MemberResult

_READ_AHEAD = 1 << 20          # iteration reads this much at a time


class MemberLog(Sequence[MemberResult]):
    """``append(result)`` while a run goes on; then read like a list."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        # unlinked at once where the system allows (POSIX); elsewhere removed on close
        with self._errors():
            self._file = tempfile.TemporaryFile(prefix=".gcollect-members-", dir=folder)
        self._offsets = array("q", [0])         # record i is [offsets[i], offsets[i + 1])
        self._paths: list[str] = []

    # ------------------------------------------------------------------ writing
    def append(self, result: MemberResult) -> None:
        record = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        end = self._offsets[-1]
        with self._errors():                  # buffered: a full disk shows here or at the next read
            self._file.seek(end)
            self._file.write(record)
        self._offsets.append(end + len(record))
        self._paths.append(result.host_path)

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._paths)

    @overload
    def __getitem__(self, index: int) -> MemberResult: ...

    @overload
    def __getitem__(self, index: slice) -> list[MemberResult]: ...

    def __getitem__(self, index: int | slice) -> MemberResult | list[MemberResult]:
        if isinstance(index, slice):
            return [self._read(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("member index out of range")
        return self._read(index)

    def __iter__(self) -> Iterator[MemberResult]:
        """In arrival order, reading the file in large blocks."""
        offsets = self._offsets
        block, block_start = b"", 0
        for i in range(len(self)):
            start, end = offsets[i], offsets[i + 1]
            if end > block_start + len(block):
                block_start = start
                block = self._pread(start, max(_READ_AHEAD, end - start))
            yield pickle.loads(block[start - block_start:end - block_start])

    def by_path(self) -> Iterator[MemberResult]:
        """Sorted by host path, as manifest.json lists them."""
        for i in sorted(range(len(self)), key=self._paths.__getitem__):
            yield self._read(i)

    def _read(self, i: int) -> MemberResult:
        start, end = self._offsets[i], self._offsets[i + 1]
        data = self._pread(start, end - start)
        if len(data) != end - start:
            raise OSError(f"member log cut short (record {i})")
        result: MemberResult = pickle.loads(data)
        return result

    def _pread(self, offset: int, size: int) -> bytes:
        with self._errors():
            self._file.seek(offset)            # os.pread is not on Windows
            return self._file.read(size)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """A full disk or another write problem as the run's own errors (one line, exit code)."""
        try:
            yield
        except OSError as e:
            raise output_write_error(e, folder=str(self._folder), path=f"{self._folder} (member log)") from e

    def close(self) -> None:
        self._file.close()

    def __repr__(self) -> str:
        return f"MemberLog({len(self)} members)"
