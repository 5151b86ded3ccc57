"""Worker side: one member's bytes -> an independently compressed temp file (a "piece").

A piece is a complete gzip member (tar.gz), a complete zstd frame with its checksum (tar.zst) or
a raw deflate stream (zip). The main process copies it into the bundle unchanged, so
compression runs in as many processes as there are workers.

A small piece (``inline_max``) stays in memory and travels to the main process with its result:
making, reading and deleting a temp file cost about 0.7 ms a piece on this project's machines,
more than everything else a small log file costs.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

import zstandard

from collector.bundle.names import FORMATS

try:  # python-isal: igzip-speed deflate and crc32 (several times zlib's level 1)
    from isal import isal_zlib as _isal
except ImportError:  # pragma: no cover - isal is a declared dependency
    _isal = None  # type: ignore[assignment]

crc32: Callable[[bytes | bytearray | memoryview, int], int] = (
    _isal.crc32 if _isal is not None else zlib.crc32)

DEFAULT_LEVELS = {"tar.gz": 1, "tar.zst": 3, "zip": 1}
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_FILE_BUFFER = 64 << 10      # bigger writes (a compressed 1 MB chunk) go straight through; 1 MB cost 38 us a piece
INLINE_PIECE_MAX = 32 << 10  # compressed bytes a worker keeps in memory instead of a temp file (a
                             # task of 32 files sends at most 1 MB with its results)


class Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...

    def flush(self) -> bytes: ...


def make_compressor(fmt: str, level: int | None = None) -> Compressor:
    """A fresh compressor producing one independent unit in ``fmt``'s piece encoding."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown bundle format {fmt!r}")
    lvl = DEFAULT_LEVELS[fmt] if level is None else level
    if fmt == "tar.zst":
        return _zstd(lvl).compressobj()  # type: ignore[return-value]
    wbits = 31 if fmt == "tar.gz" else -15  # gzip member / raw deflate
    if _isal is not None and 0 <= lvl <= 3:
        return _isal.compressobj(lvl, _isal.DEFLATED, wbits)  # type: ignore[no-any-return]
    return zlib.compressobj(min(max(lvl, 0), 9), zlib.DEFLATED, wbits)


_ZSTD_CONTEXTS: dict[int, zstandard.ZstdCompressor] = {}


def _zstd(level: int) -> zstandard.ZstdCompressor:
    cctx = _ZSTD_CONTEXTS.get(level)
    if cctx is None:
        cctx = _ZSTD_CONTEXTS[level] = zstandard.ZstdCompressor(level=level, write_checksum=True)
    return cctx


def compress_unit(fmt: str, data: bytes, level: int | None = None) -> bytes:
    """``data`` as one complete gzip member / zstd frame / raw deflate stream."""
    if fmt == "tar.zst":
        return _zstd(DEFAULT_LEVELS[fmt] if level is None else level).compress(data)
    c = make_compressor(fmt, level)
    return c.compress(data) + c.flush()


@dataclass(frozen=True)
class Piece:
    """A finished piece: where it is, and what it holds (picklable, sent back to the main process)."""

    path: Path | None   # the temp file; None when the piece is ``data``
    size: int           # uncompressed bytes
    sha256: str         # of the uncompressed bytes
    crc32: int          # of the uncompressed bytes
    stored_size: int    # compressed bytes in the file
    data: bytes | None = field(default=None, repr=False)   # a small piece's compressed bytes, in memory


class Room(Protocol):
    """``hostguard.RoomGuard``: ``claim(n)`` before ``n`` bytes are written to disk."""

    def claim(self, size: int) -> None: ...


class _Spool:
    """A piece's compressed bytes: in memory while they fit in ``limit``, then in a 0600 temp
    file in ``tmp_dir``, made at that moment (``limit`` 0: from the start); each write to the
    file claimed from ``room`` first (it raises when the disk's reserve would be touched)."""

    def __init__(self, tmp_dir: Path, limit: int, room: Room | None = None) -> None:
        self.tmp_dir = tmp_dir
        self.limit = limit
        self.room = room
        self.memory: bytearray | None = bytearray()
        self.file = None
        self.path: Path | None = None
        self.size = 0
        if limit <= 0:
            self._to_file()

    def _to_file(self) -> None:
        fd, name = tempfile.mkstemp(prefix="piece-", suffix=".part", dir=self.tmp_dir)  # O_EXCL, 0600
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb", buffering=_FILE_BUFFER)
        held, self.memory = self.memory, None
        if held:
            if self.room is not None:
                self.room.claim(len(held))
            self.file.write(held)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self.memory is not None:
            self.memory += data
            if len(self.memory) > self.limit:
                self._to_file()
        else:
            if self.room is not None:
                self.room.claim(len(data))
            self.file.write(data)  # type: ignore[union-attr]
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()

    def discard(self) -> None:
        self.memory = None
        if self.file is not None:
            try:
                self.file.close()
            except OSError:
                pass
        if self.path is not None:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass


class PieceWriter:
    """Compress one member's bytes into a 0600 temp file in ``tmp_dir``, hashing as it goes; a
    piece whose compressed bytes stay within ``inline_max`` is kept in memory instead
    (``Piece.data``, no file).

    ``write(data)`` any number of times, then ``close() -> Piece``; ``abort()`` deletes the file.
    Levels default to 1 (tar.gz, igzip), 3 (tar.zst), 1 (zip, raw deflate). ``room``: what
    keeps the output file system's reserve (``hostguard.RoomGuard``).
    """

    def __init__(self, tmp_dir: Path, fmt: str, *, level: int | None = None, inline_max: int = 0,
                 room: Room | None = None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown bundle format {fmt!r}")
        self.fmt = fmt
        self._spool = _Spool(tmp_dir, inline_max, room)
        # zstd: its stream writer compresses straight into the spool (fewer copies than compressobj)
        self._zw = (_zstd(DEFAULT_LEVELS[fmt] if level is None else level).stream_writer(self._spool, closefd=False)
                    if fmt == "tar.zst" else None)
        self._comp = None if self._zw is not None else make_compressor(fmt, level)
        self._sha = hashlib.sha256()
        self._crc = 0
        self._size = 0
        self._done = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._done:
            raise ValueError("PieceWriter is closed")
        if not data:
            return
        self._sha.update(data)
        self._crc = crc32(data, self._crc)
        self._size += len(data)
        if self._zw is not None:
            self._zw.write(data)
            return
        out = self._comp.compress(data)  # type: ignore[union-attr, arg-type]
        if out:
            self._spool.write(out)

    def close(self) -> Piece:
        if self._done:
            raise ValueError("PieceWriter is closed")
        try:
            if self._zw is not None:
                self._zw.flush(zstandard.FLUSH_FRAME)
            else:
                self._spool.write(self._comp.flush())  # type: ignore[union-attr]
            self._spool.close()
        except BaseException:
            self.abort()
            raise
        self._done = True
        spool = self._spool
        data = bytes(spool.memory) if spool.memory is not None else None
        return Piece(spool.path, self._size, self._sha.hexdigest(), self._crc & 0xFFFFFFFF, spool.size, data)

    @property
    def path(self) -> Path | None:
        """The temp file, once there is one."""
        return self._spool.path

    def abort(self) -> None:
        """Drop the piece (idempotent)."""
        self._done = True
        self._spool.discard()

    def __enter__(self) -> PieceWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.abort()
