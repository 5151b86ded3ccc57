"""Checksums: hash while streaming, a ``sha256sum -c`` sidecar written atomically, constant-time compare.

After borg's ``crypto/file_integrity.py`` (hash what passes through, compare with
``hmac.compare_digest``) and sos's ``final_work`` (the checksum file is written in a private
temporary folder, then renamed into place, so a symlink planted at the final name cannot
redirect the write).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from collector.errors import VerifyFailed, naming_file

SIDECAR_SUFFIX = ".sha256"
ATOMIC_DIR_PREFIX = ".gcollect-w-"     # atomic_write_bytes's private folder (a kill can leave one)
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def sha256_file(path: Path | str, bufsize: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes, read in ``bufsize`` chunks (memory bounded)."""
    h = hashlib.sha256()
    buf = bytearray(bufsize)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while True:
            n = f.readinto(view)
            if not n:
                break
            h.update(view[:n])
    return h.hexdigest()


class Observer(Protocol):
    """Sees every chunk a HashingReader passes on (e.g. a frame-structure checker)."""

    def feed(self, data: bytes | memoryview) -> None: ...


class HashingReader:
    """A read-only binary stream that hashes every byte read through it.

    ``hexdigest()`` is the SHA-256 of the bytes read so far; ``drain()`` reads (and hashes) the
    rest, so the digest covers the whole underlying stream even if the consumer stopped early.
    """

    def __init__(self, raw: BinaryIO, *, observer: Observer | None = None) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self._observer = observer
        self.bytes_read = 0

    def _seen(self, data: bytes | memoryview) -> None:
        if data:
            self._hash.update(data)
            self.bytes_read += len(data)
            if self._observer is not None:
                self._observer.feed(data)

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._seen(data)
        return data

    def readinto(self, b: bytearray | memoryview) -> int:
        n = self._raw.readinto(b)  # type: ignore[attr-defined]
        if n:
            self._seen(memoryview(b)[:n])
        return n or 0

    def read1(self, size: int = -1) -> bytes:
        return self.read(size if size >= 0 else 1 << 20)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.bytes_read

    @property
    def closed(self) -> bool:
        return bool(getattr(self._raw, "closed", False))

    def close(self) -> None:
        self._raw.close()

    def drain(self, bufsize: int = 1 << 20) -> int:
        """Read to the end of the underlying stream; return how many bytes that was."""
        total = 0
        while True:
            data = self.read(bufsize)
            if not data:
                return total
            total += len(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def digest(self) -> bytes:
        return self._hash.digest()


def digests_equal(a: str | bytes, b: str | bytes) -> bool:
    """Constant-time comparison; hex strings are compared case-insensitively."""
    if isinstance(a, str):
        a = a.strip().lower().encode("ascii", "replace")
    if isinstance(b, str):
        b = b.strip().lower().encode("ascii", "replace")
    return hmac.compare_digest(a, b)


def fsync_dir(directory: Path) -> None:
    """Make a rename durable; a file system that cannot fsync a folder is not an error."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. a platform without directory fds; the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path | str, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one.

    The bytes go to a file in a private (0700) temporary folder beside ``path`` (same file
    system), are fsynced, then renamed over ``path``; a symlink planted at ``path`` is replaced,
    never followed. The folder is fsynced afterwards.
    """
    path = Path(path)
    parent = path.parent
    try:
        private = Path(tempfile.mkdtemp(prefix=ATOMIC_DIR_PREFIX, dir=parent))
    except OSError as e:
        raise naming_file(e, path) from None
    tmp = private / "data"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                     mode)
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, path)
    except OSError as e:
        raise naming_file(e, path) from None
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        os.rmdir(private)
    fsync_dir(parent)


def sidecar_path(bundle: Path | str) -> Path:
    bundle = Path(bundle)
    return bundle.with_name(bundle.name + SIDECAR_SUFFIX)


def write_sidecar(bundle: Path | str, sha256: str) -> Path:
    """Write ``NAME.sha256`` beside the bundle: ``<hex>  NAME\\n`` (``sha256sum -c`` format), 0600."""
    bundle = Path(bundle)
    if not _HEX64.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    name = bundle.name
    if "\n" in name or "\\" in name or "\r" in name:
        raise ValueError(f"bundle name not representable in a checksum file: {name!r}")
    target = sidecar_path(bundle)
    line = f"{sha256.lower()}  ".encode("ascii") + os.fsencode(name) + b"\n"
    atomic_write_bytes(target, line, 0o600)
    return target


def read_sidecar(path: Path | str) -> str:
    """The lowercase hex digest in a ``sha256sum`` style file (first line). Raises VerifyFailed."""
    return read_sidecar_entry(path)[0]


def read_sidecar_entry(path: Path | str) -> tuple[str, str | None]:
    """(lowercase hex digest, the file name it records or None) of a ``sha256sum`` style file's
    first line (``HEX  NAME``, ``HEX *NAME``, or ``\\HEX  ESCAPED-NAME``). Raises VerifyFailed."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise VerifyFailed(path=str(path), problem=f"cannot read checksum file: {e.strerror or e}") from e
    line = head.split(b"\n", 1)[0]
    escaped = line.startswith(b"\\")
    first = line.lstrip(b"\\")
    token = first.split(None, 1)[0] if first.strip() else b""
    text = token.decode("ascii", "replace")
    if not _HEX64.fullmatch(text):
        raise VerifyFailed(path=str(path), problem="not a SHA-256 checksum file")
    name: bytes | None = None
    rest = first[len(token):]
    if rest[:2] in (b"  ", b" *") and len(rest) > 2:
        name = rest[2:].rstrip(b"\r")
        if escaped:
            name = name.replace(b"\\\\", b"\0").replace(b"\\n", b"\n").replace(b"\\r", b"\r").replace(b"\0", b"\\")
    return text.lower(), (os.fsdecode(name) if name else None)


__all__ = [
    "HashingReader",
    "ATOMIC_DIR_PREFIX",
    "atomic_write_bytes",
    "fsync_dir",
    "digests_equal",
    "read_sidecar",
    "read_sidecar_entry",
    "sha256_file",
    "sidecar_path",
    "write_sidecar",
]
