"""Main side: append finished pieces to ``NAME.partial``, hash the bundle as it is written,
finish with SHA256SUMS, rename into place, write the ``NAME.sha256`` sidecar.

tar.gz / tar.zst: the uncompressed tar bytes between pieces (padding of the previous member,
the PAX header of the next) are compressed as one small unit of their own; each piece is
copied as it is. Concatenated gzip members / zstd frames form one valid stream.
zip: a local header with the piece's CRC and sizes, the raw deflate bytes, and the central
directory at close.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
from pathlib import Path
from typing import Callable, NoReturn

from collector.bundle import tarformat, zipformat
from collector.bundle.names import FORMATS, UnsafeMemberName, check_component, check_member, name_bytes, \
    sha256sums_line
from collector.bundle.pieces import GZIP_MAGIC, ZSTD_MAGIC, Piece, Room, compress_unit, crc32
from collector.errors import BundleNameTaken, BundleWriteError, output_write_error
from collector.integrity import fsync_dir, write_sidecar
from collector.interrupts import after_bundle, held_signals
from collector.model import BundleInfo

_COPY = 1 << 20
_PENDING_MAX = 1 << 20
_NO_LINK = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS, errno.EMLINK}


class BundleWriter:
    """Write one bundle. Use as a context manager, or call ``close()`` / ``abort()`` yourself.

    Leaving the ``with`` block by an exception, or without ``close()``, removes the partial file.
    ``room`` (``hostguard.RoomGuard``): each write is claimed from it first; BelowReserve when
    the output file system would go below its reserve.
    """

    def __init__(self, out_dir: Path, name: str, fmt: str, top: str, *, room: Room | None = None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown bundle format {fmt!r}; expected one of {', '.join(FORMATS)}")
        check_component(name)
        check_component(top)
        self.out_dir = Path(out_dir)
        self.fmt = fmt
        self.top = top
        self.path = self.out_dir / name
        self.partial = self.out_dir / (name + ".partial")
        self._fd: int | None = None
        self._sha = hashlib.sha256()
        self._written = 0               # bytes in the bundle file
        self._tar_offset = 0            # uncompressed tar bytes so far
        self._pending = bytearray()     # uncompressed tar bytes not yet compressed
        self._names: set[str] = set()     # members added (relative to the top folder)
        self._members: list[tuple[str, int, str]] = []
        self._entries: list[zipformat.Entry] = []
        self._closed = False
        self._room = room               # keeps the file system's reserve: every write claimed first
        if os.path.lexists(self.path):
            raise BundleNameTaken(path=str(self.path), problem="a bundle of that name exists; not overwritten")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            self._fd = os.open(self.partial, flags, 0o600)
        except FileExistsError as e:
            self._closed = True
            raise BundleNameTaken(path=str(self.partial), problem="partial file exists (another run?)") from e
        except OSError as e:
            self._closed = True
            self._raise(e)
        try:
            os.fchmod(self._fd, 0o600)
            self._add_dir(top)
        except OSError as e:
            self._fail(e)

    # ------------------------------------------------------------------ public
    @property
    def size(self) -> int:
        """Bytes in the bundle so far, counting the tar bytes not yet compressed at full size."""
        return self._written + len(self._pending)

    @property
    def members(self) -> list[tuple[str, int, str]]:
        """(name relative to the top folder, size, sha256) of each file added so far."""
        return list(self._members)

    def try_add_piece(self, member: str, piece: Piece, *, mtime: float, mode: int = 0o600) -> bool:
        """``add_piece``, or False when the output file system has no room for it above its
        reserve (``room``): what was written of it is taken back and the piece file deleted."""
        from collector.errors import BelowReserve

        saved = (self._written, self._tar_offset, bytes(self._pending), self._sha.copy(), len(self._entries))
        try:
            self.add_piece(member, piece, mtime=mtime, mode=mode, _keep_open=True)
        except BelowReserve:
            self._written, self._tar_offset, pending, self._sha, entries = saved
            self._pending = bytearray(pending)
            del self._entries[entries:]
            try:
                assert self._fd is not None
                os.ftruncate(self._fd, self._written)
                os.lseek(self._fd, self._written, os.SEEK_SET)
            except OSError as e:
                self._fail(e)
            if piece.path is not None:
                _unlink_quietly(piece.path)
            return False
        return True

    def add_piece(self, member: str, piece: Piece, *, mtime: float, mode: int = 0o600,
                  _keep_open: bool = False) -> None:
        """Append a finished piece as ``TOP/member``; the piece file is deleted afterwards."""
        full = self._check_new(member)
        if piece.path is None:                 # a small piece, in memory
            data = piece.data or b""
            self._check_stored(piece, "piece in memory", len(data), data[:4])
            self._append(full, piece, mtime, mode, lambda: self._emit(data), keep_open=_keep_open)
        else:
            try:
                src = open(piece.path, "rb", buffering=0)
            except OSError as e:
                raise BundleWriteError(path=str(piece.path), problem=e.strerror or str(e)) from e
            with src:
                self._check_piece(src, piece)      # a wrong piece is refused before anything is written
                self._append(full, piece, mtime, mode, lambda: self._copy(src, piece.stored_size),
                             temp=piece.path, keep_open=_keep_open)
        self._record(member, full, piece.size, piece.sha256)

    def _append(self, full: str, piece: Piece, mtime: float, mode: int, copy: Callable[[], None],
                *, temp: Path | None = None, keep_open: bool = False) -> None:
        """The member's header, its stored bytes (``copy``), its padding; then the piece's
        ``temp`` file is deleted, on every path. A write problem aborts the bundle."""
        try:
            if self.fmt == "zip":
                raw, flags = zipformat.name_fields(name_bytes(full))
                entry = zipformat.Entry(raw, flags, 8, piece.crc32, piece.stored_size, piece.size,
                                        self._written, mtime, zipformat.external_attr(mode, False))
                self._emit(zipformat.local_header(entry))
                self._entries.append(entry)
            else:
                head = tarformat.header(full, size=piece.size, mtime=mtime, mode=mode)
                self._pending += head
                self._flush_pending()
                self._tar_offset += len(head)
            copy()
            if self.fmt != "zip":
                pad = tarformat.padding(piece.size)
                self._pending += pad
                self._tar_offset += piece.size + len(pad)
            if temp is not None:
                os.unlink(temp)
        except OSError as e:
            if temp is not None:
                _unlink_quietly(temp)
            self._fail(e)
        except BaseException as e:
            if temp is not None:
                _unlink_quietly(temp)
            if not (keep_open and type(e).__name__ == "BelowReserve"):
                self.abort()
            raise

    def add_bytes(self, member: str, data: bytes, *, mtime: float) -> None:
        """Append a small generated file (manifest, system facts) as ``TOP/member``."""
        self._add_generated(member, bytes(data), mtime=mtime)

    def _add_generated(self, member: str, data: bytes | bytearray, *, mtime: float) -> None:
        """``add_bytes`` for data this writer owns (not copied)."""
        full = self._check_new(member)
        digest = hashlib.sha256(data).hexdigest()
        try:
            self._add_small(full, data, mtime, 0o600)
        except OSError as e:
            self._fail(e)
        self._record(member, full, len(data), digest)

    def close(self, sha256sums: bool = True) -> BundleInfo:
        """Write SHA256SUMS (every member), finish, fsync, rename into place, write the sidecar."""
        self._check_open()
        if sha256sums:
            # built in place and added without a copy: on a host of many files it is tens of MB
            lines = bytearray()
            for name, _size, digest in self._members:
                lines += sha256sums_line(digest, name)
            self._add_generated("SHA256SUMS", lines, mtime=time.time())
            del lines
        try:
            if self.fmt == "zip":
                cd_offset = self._written
                directory = b"".join(zipformat.central_record(e) for e in self._entries)
                self._emit(directory)
                self._emit(zipformat.end_records(len(self._entries), cd_offset, len(directory)))
            else:
                self._pending += tarformat.end_of_archive(self._tar_offset)
                self._flush_pending()
            assert self._fd is not None
            os.fsync(self._fd)
            fd, self._fd = self._fd, None
            os.close(fd)
        except OSError as e:
            self._fail(e)
        except BaseException:
            self.abort()
            raise
        # the bundle and its checksum appear together: Ctrl-C or SIGTERM is held back meanwhile
        # (an interrupt between the two left a bundle without its .sha256: probe Z 5)
        with held_signals() as held:
            try:
                self._publish()
            except OSError as e:
                self._fail(e)
            except BaseException:
                self.abort()
                raise
            self._closed = True
            digest = self._sha.hexdigest()
            try:
                write_sidecar(self.path, digest)
            except OSError as e:
                _unlink_quietly(self.path)   # a bundle without its checksum is not kept
                self._raise(e)
        if held.signal is not None:
            raise after_bundle(held.signal, self.path)
        return BundleInfo(path=self.path, sha256=digest, size=self._written, format=self.fmt, top=self.top)

    def abort(self) -> None:
        """Close and remove the partial file (idempotent)."""
        self._closed = True
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.close(fd)
            except OSError:
                pass
        _unlink_quietly(self.partial)

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self._closed:
            self.abort()

    # ------------------------------------------------------------------ internals
    def _check_open(self) -> None:
        if self._closed or self._fd is None:
            raise BundleWriteError(path=str(self.partial), problem="bundle writer is closed")

    def _check_new(self, member: str) -> str:
        self._check_open()
        check_member(member)
        if member in self._names:
            raise UnsafeMemberName(name=member, problem="duplicate member")
        return f"{self.top}/{member}"

    def _record(self, member: str, full: str, size: int, digest: str) -> None:
        self._names.add(member)            # the same string as in _members: no second copy per file
        self._members.append((member, size, digest))

    def _check_piece(self, src: object, piece: Piece) -> None:
        actual = os.fstat(src.fileno()).st_size  # type: ignore[attr-defined]
        self._check_stored(piece, str(piece.path), actual, os.pread(src.fileno(), 4, 0))  # type: ignore[attr-defined]

    def _check_stored(self, piece: Piece, where: str, actual: int, head: bytes) -> None:
        """A piece's stored bytes are as many as it says and start as its format's do."""
        if actual != piece.stored_size:
            raise BundleWriteError(path=where, problem=f"piece holds {actual} bytes, expected {piece.stored_size}")
        expect = {"tar.gz": GZIP_MAGIC, "tar.zst": ZSTD_MAGIC}.get(self.fmt)
        wrong = (not head.startswith(expect)) if expect else (not head or head[0] & 0b110 == 0b110
                                                             or head.startswith(ZSTD_MAGIC))
        if wrong:
            raise BundleWriteError(path=where, problem=f"not a {self.fmt} piece")

    def _add_dir(self, name: str) -> None:
        if self.fmt == "zip":
            raw, flags = zipformat.name_fields(name_bytes(name + "/"))
            entry = zipformat.Entry(raw, flags, 0, 0, 0, 0, self._written, time.time(),
                                    zipformat.external_attr(0o700, True))
            self._emit(zipformat.local_header(entry))
            self._entries.append(entry)
        else:
            block = tarformat.header(name, size=0, mtime=time.time(), mode=0o700, directory=True)
            self._pending += block
            self._tar_offset += len(block)

    def _add_small(self, full: str, data: bytes | bytearray, mtime: float, mode: int) -> None:
        if self.fmt == "zip":
            stored = compress_unit("zip", data)
            raw, flags = zipformat.name_fields(name_bytes(full))
            entry = zipformat.Entry(raw, flags, 8, crc32(data, 0) & 0xFFFFFFFF, len(stored), len(data),
                                    self._written, mtime, zipformat.external_attr(mode, False))
            self._emit(zipformat.local_header(entry) + stored)
            self._entries.append(entry)
            return
        before = len(self._pending)        # the same bytes as header + data + padding, one copy less
        self._pending += tarformat.header(full, size=len(data), mtime=mtime, mode=mode)
        self._pending += data
        self._pending += tarformat.padding(len(data))
        self._tar_offset += len(self._pending) - before
        if len(self._pending) >= _PENDING_MAX:
            self._flush_pending()

    def _flush_pending(self) -> None:
        if self._pending:
            self._emit(compress_unit(self.fmt, bytes(self._pending)))
            self._pending.clear()

    def _emit(self, data: bytes | memoryview) -> None:
        assert self._fd is not None
        if self._room is not None:
            self._room.claim(len(data))
        self._sha.update(data)
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self._written += len(data)

    def _copy(self, src: object, expected: int) -> None:
        buf = bytearray(_COPY)
        view = memoryview(buf)
        copied = 0
        while True:
            n = src.readinto(view)  # type: ignore[attr-defined]
            if not n:
                break
            self._emit(view[:n])
            copied += n
        if copied != expected:
            raise BundleWriteError(path=str(self.partial), problem=f"piece changed while copying ({copied} bytes)")

    def _publish(self) -> None:
        """Rename NAME.partial to NAME without ever replacing an existing file."""
        try:
            os.link(self.partial, self.path)
        except FileExistsError as e:
            raise BundleWriteError(path=str(self.path), problem="a bundle of that name exists; not overwritten") from e
        except OSError as e:
            if e.errno not in _NO_LINK:
                raise
            if os.path.lexists(self.path):   # file system without hard links: check, then rename
                raise BundleWriteError(path=str(self.path),
                                       problem="a bundle of that name exists; not overwritten") from e
            os.rename(self.partial, self.path)
        else:
            os.unlink(self.partial)
        fsync_dir(self.out_dir)

    def _fail(self, e: OSError) -> NoReturn:
        self.abort()
        self._raise(e)

    def _raise(self, e: OSError) -> NoReturn:
        raise output_write_error(e, folder=str(self.out_dir), path=str(self.path)) from e


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        pass
