"""Stream stage keeping the newest ``limit`` bytes of what the window keeps (``--max-file-size``
on a segment the window cuts).

source -> Trimmer -> NewestBytes -> Redactor ...

The per-file cap applies to what the window keeps, never to the whole segment: a tail taken
before the window cut is a fragment from outside the window. The segment header the Trimmer
passes first is always kept (application, version, ``HA Role:``); of the records after it only
the newest ``limit`` bytes, from the first record start in them (a timestamp-led line: a record's
continuation lines stay with it), else from the first line start.

Memory: at most ``2 * limit`` bytes plus one chunk, below ``SPILL_BYTES``; a larger limit keeps
the newest bytes in a temporary file in ``tmp_dir`` (at most ``3 * limit`` bytes on disk), and
``drain`` hands them on ``DRAIN_BYTES`` at a time (a cap of gigabytes, the per-product cap's
boundary segment, is never held in memory).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from collector.timeformats import RECORD_NEXT, RECORD_STAMP, stamp_from_match

SPILL_BYTES = 16 << 20
DRAIN_BYTES = 1 << 20            # drain hands on this much at a time; the record start is found in the first piece


def first_record_start(data: bytes) -> int:
    """Offset of the first timestamp-led line of ``data`` (``data`` may start mid-line), else of
    the first line start after a newline, else -1."""
    m = RECORD_NEXT.search(data)
    while m is not None and stamp_from_match(m) is None:
        m = RECORD_NEXT.search(data, m.end())
    if m is not None:
        return m.start() + 1
    newline = data.find(b"\n")
    return newline + 1 if 0 <= newline < len(data) - 1 else -1


def _kept_start(first: bytes) -> int | None:
    """Where the kept text starts in ``first``, the newest bytes after older ones were dropped
    (it may start mid-line): at its first record start (a timestamp-led line), else at its
    first line start; None when no line ends in it. Never mid-line: a line's cut-off end can
    hold a secret's value without its key (ssword=hunter3), which no rule would then see."""
    data = b"\n" + first
    m = RECORD_NEXT.search(data)
    while m is not None and stamp_from_match(m) is None:
        m = RECORD_NEXT.search(data, m.end())
    if m is not None:
        return m.start()                       # the record's offset in first
    newline = first.find(b"\n")
    return newline + 1 if newline >= 0 else None


class NewestBytes:
    """See the module docstring. ``header``: the bytes the stream starts with that are always
    kept (the Trimmer's header; b"" for none). After ``finish``: ``cut`` (records dropped by
    the cap), ``bytes_dropped`` and ``first_kept`` (the first kept record line's start, or b"")."""

    def __init__(self, limit: int, *, header: bytes = b"", tmp_dir: Path | None = None,
                 note_for: Callable[[bytes], bytes] | None = None) -> None:
        self.limit = max(0, limit - len(header))     # the header counts against the cap
        self._header = header
        # when the cap cut: the line to put before the first kept record (given its first line)
        self._note_for = note_for
        self._in_header = bool(header)
        self._pending = bytearray()        # header bytes seen so far (a header cut by chunking)
        self._buf = bytearray()
        self._file = None                  # spilled: newest bytes in a temporary file
        self._file_size = 0
        self._tmp_dir = tmp_dir
        self._seen = 0                     # record bytes seen
        self.cut = False
        self.bytes_dropped = 0
        self.first_kept = b""

    # ------------------------------------------------------------ stage interface
    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        out = b""
        if self._in_header:
            self._pending += data
            size = len(self._header)
            if len(self._pending) < size and self._header.startswith(self._pending):
                return b""
            self._in_header = False
            if self._pending.startswith(self._header):
                out, data = self._header, bytes(self._pending[size:])
            else:
                data = bytes(self._pending)
            self._pending.clear()
        self._keep(data)
        return out

    def finish(self) -> bytes:
        return b"".join(self.drain())

    def drain(self) -> Iterator[bytes]:
        """What ``finish`` returns, ``DRAIN_BYTES`` at a time (the stream's end)."""
        if self._in_header:                   # the stream ended inside (or as) the header
            pending, self._in_header = bytes(self._pending), False
            self._pending.clear()
            if pending:
                yield pending
        yield from self._newest()

    # ------------------------------------------------------------ keeping
    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self._seen += len(data)
        if self._file is not None:
            self._file.write(data)
            self._file_size += len(data)
            if self._file_size > 2 * self.limit:
                self._compact()
            return
        self._buf += data
        if len(self._buf) > 2 * self.limit:
            del self._buf[:len(self._buf) - self.limit]
            if self.limit > SPILL_BYTES:
                self._spill()

    def _spill(self) -> None:
        self._file = tempfile.TemporaryFile(dir=self._tmp_dir)
        self._file.write(self._buf)
        self._file_size = len(self._buf)
        self._buf = bytearray()

    def _compact(self) -> None:
        """Keep the newest ``limit`` bytes of the spill file in a new one (chunk by chunk)."""
        old = self._file
        new = tempfile.TemporaryFile(dir=self._tmp_dir)
        old.seek(self._file_size - self.limit)
        while True:
            chunk = old.read(1 << 20)
            if not chunk:
                break
            new.write(chunk)
        old.close()
        self._file, self._file_size = new, self.limit

    def _newest(self) -> Iterator[bytes]:
        """The newest ``limit`` bytes, from a record start in their first ``DRAIN_BYTES`` when
        older bytes were dropped, in pieces of at most ``DRAIN_BYTES``."""
        if self._file is not None:
            size = min(self._file_size, self.limit)
            self._file.seek(self._file_size - size)
            read = self._file.read
        else:
            size = min(len(self._buf), self.limit)
            view = memoryview(self._buf)[len(self._buf) - size:]
            offset = 0

            def read(n: int) -> bytes:
                nonlocal offset
                piece = bytes(view[offset:offset + n])
                offset += len(piece)
                return piece
        try:
            first = read(DRAIN_BYTES) if size else b""
            if self._seen > size:              # bytes dropped: start at a record start
                self.cut = True
                start = _kept_start(first)
                while start is None and first:  # no line ends in this piece: all of it is the
                    size -= len(first)           # end of a cut line, never shipped as a line
                    first = read(DRAIN_BYTES)
                    start = first.find(b"\n") + 1 or None
                start = len(first) if start is None else start
                first, size = first[start:], size - start
            self.bytes_dropped = self._seen - size
            end = first.find(b"\n")
            self.first_kept = first[:end if end >= 0 else 256][:256]
            if self.cut and first and self._note_for is not None:
                note = self._note_for(self.first_kept)
                if note:
                    yield note
            if first:
                yield first
            piece = read(DRAIN_BYTES)              # (first may be empty after the cut: read on)
            while piece:
                yield piece
                piece = read(DRAIN_BYTES)
        finally:
            if self._file is not None:
                self._file.close()
                self._file = None
            else:
                view.release()
                self._buf.clear()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def first_kept_micros(first_line: bytes, context, seed_micros: int | None,
                      last_micros: int | None = None) -> int | None:
    """UTC microseconds of the record ``first_line`` starts, dated by a copy of a Trimmer's date
    context; None if not a record.

    ``seed_micros``: an earlier kept record's time (the window's first), from which a time-only
    stamp is dated forward, at most a day on. ``last_micros``: the last kept record's time, from
    which it is dated back (the newest bytes end there): when the window spans days, the kept
    bytes are near its end, and only the reading from the end finds their day. The later of the
    two readings is taken (no kept record comes before the window's first)."""
    m = RECORD_STAMP.match(first_line)
    stamp = stamp_from_match(m) if m else None
    if stamp is None or (seed_micros is None and last_micros is None):
        return None
    from collector.timeformats import from_micros

    readings = []
    if seed_micros is not None:
        ctx = context.copy()
        ctx.seed(from_micros(seed_micros))
        readings.append(ctx.resolve_micros(stamp))
    if last_micros is not None:
        ctx = context.copy()
        ctx.seed(from_micros(last_micros))
        readings.append(ctx.resolve_before_micros(stamp))
    found = [reading for reading in readings if reading is not None]
    return max(found) if found else None


__all__ = ["NewestBytes", "first_record_start", "first_kept_micros", "SPILL_BYTES", "DRAIN_BYTES"]
