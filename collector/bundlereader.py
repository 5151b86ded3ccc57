"""Read members back out of a bundle (tar.gz, tar.zst, zip), streaming.

Used by the demo's leak check, the independent scanner and tests. Yields (member name relative
to the top folder, bytes) for regular files; member data is read one at a time.
"""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def not_a_bundle_file(path: Path, command: str) -> str | None:
    """None when ``path`` is a regular file; else why it is no bundle for ``command`` (missing, or
    what it is). Opening a FIFO as a bundle would wait forever for a writer."""
    import errno
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ENOENT:
            return "no such bundle file"
        return f"cannot read it: {(error.strerror or str(error)).lower()}"
    if stat.S_ISREG(mode):
        return None
    kind = ("a folder" if stat.S_ISDIR(mode) else "a fifo" if stat.S_ISFIFO(mode) else "a socket"
            if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    return f"not a regular file ({kind}); {command} takes a bundle file (NAME.tar.gz, .tar.zst or .zip)"


@contextmanager
def open_tar_stream(path: Path) -> Iterator[tarfile.TarFile]:
    raw = open(path, "rb")
    try:
        if path.name.endswith(".zst"):
            import zstandard

            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                yield tar
        else:
            # Bundles are concatenated gzip members; tarfile's own r|gz stops after the first.
            try:
                from isal.igzip import GzipFile
            except ImportError:  # pragma: no cover
                from gzip import GzipFile
            with GzipFile(fileobj=raw, mode="rb") as unzipped, tarfile.open(fileobj=unzipped, mode="r|") as tar:
                yield tar
    finally:
        raw.close()


def _relative(name: str) -> str:
    parts = name.split("/", 1)
    return parts[1] if len(parts) == 2 else parts[0]


def iter_member_streams(path: Path) -> Iterator[tuple[str, BinaryIO]]:
    """Yield (name, file object) per regular member; consume each before the next."""
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as handle:
                    yield _relative(info.filename), handle
        return
    with open_tar_stream(path) as tar:
        for member in tar:
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            if handle is not None:
                yield _relative(member.name), handle


def iter_members(path: Path) -> Iterator[tuple[str, bytes]]:
    for name, handle in iter_member_streams(path):
        yield name, handle.read()
