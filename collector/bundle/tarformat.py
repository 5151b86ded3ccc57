"""The uncompressed tar bytes around each piece: PAX headers, padding, end of archive.

PAX (POSIX.1-2001) headers carry long names and sizes over 8 GiB; a name that is not UTF-8
(a ``str`` from os.fsdecode with surrogate escapes) is stored as its raw bytes with
``hdrcharset=BINARY``, which GNU tar and Python's tarfile read back byte for byte.
"""

from __future__ import annotations

import tarfile

BLOCK = tarfile.BLOCKSIZE            # 512
RECORD = tarfile.RECORDSIZE          # 10240: what GNU tar pads an archive to
ENCODING = "utf-8"
ERRORS = "surrogateescape"


def header(fullname: str, *, size: int, mtime: float, mode: int, directory: bool = False) -> bytes:
    """The header block(s) for one regular file or directory (never a link or device)."""
    info = tarfile.TarInfo(fullname + "/" if directory else fullname)
    info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    info.size = 0 if directory else size
    info.mtime = max(0, int(mtime))
    info.mode = mode & 0o777
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info.tobuf(tarfile.PAX_FORMAT, ENCODING, ERRORS)


def padding(size: int) -> bytes:
    """Zero bytes that bring a member's data up to a whole block."""
    return b"\0" * (-size % BLOCK)


def end_of_archive(offset: int) -> bytes:
    """Two zero blocks, then zeros up to a whole record (``offset`` = tar bytes written so far)."""
    end = offset + 2 * BLOCK
    return b"\0" * (end - offset + (-end % RECORD))
