"""ZIP records (APPNOTE 6.3): local headers with known CRC and sizes, central directory, ZIP64.

Every entry is written with its CRC-32 and sizes in the local header (no data descriptor),
method 8 (deflate) for files, 0 for directories. A name that is valid UTF-8 sets flag bit 11;
any other name is stored as its raw bytes without the flag (readers that decode it as cp437,
such as Python's zipfile, give back the same bytes with ``name.encode("cp437")``).
ZIP64 extra fields are added only where a size or offset needs them.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass

LOCAL_SIG = 0x04034B50
CENTRAL_SIG = 0x02014B50
END_SIG = 0x06054B50
END64_SIG = 0x06064B50
LOCATOR64_SIG = 0x07064B50
FLAG_UTF8 = 0x0800
MAX32 = 0xFFFFFFFF
MAX16 = 0xFFFF
MADE_BY_UNIX = 3 << 8
S_IFREG = 0o100000
S_IFDIR = 0o040000


def dos_datetime(mtime: float) -> tuple[int, int]:
    """(time, date) in MS-DOS format, UTC, clamped to 1980..2107."""
    t = time.gmtime(max(mtime, 315532800))  # 1980-01-01
    year = min(t.tm_year, 2107)
    return (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2), ((year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday


def _utime_extra(mtime: float) -> bytes:
    """Extended timestamp (0x5455): the exact mtime in UTC seconds."""
    return struct.pack("<HHBl", 0x5455, 5, 1, min(max(int(mtime), 0), 0x7FFFFFFF))


def name_fields(raw: bytes) -> tuple[bytes, int]:
    """The stored name and the flag bits it needs."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw, 0
    return raw, (FLAG_UTF8 if not raw.isascii() else 0)


@dataclass(frozen=True)
class Entry:
    name: bytes
    flags: int
    method: int
    crc: int
    csize: int
    usize: int
    offset: int
    mtime: float
    external: int


def local_header(e: Entry) -> bytes:
    zip64 = e.csize >= MAX32 or e.usize >= MAX32
    extra = _utime_extra(e.mtime)
    if zip64:
        extra += struct.pack("<HHQQ", 0x0001, 16, e.usize, e.csize)
    dtime, ddate = dos_datetime(e.mtime)
    return struct.pack(
        "<IHHHHHIIIHH", LOCAL_SIG, 45 if zip64 else 20, e.flags, e.method, dtime, ddate, e.crc,
        MAX32 if zip64 else e.csize, MAX32 if zip64 else e.usize, len(e.name), len(extra),
    ) + e.name + extra


def central_record(e: Entry) -> bytes:
    z64 = b""
    usize, csize, offset = e.usize, e.csize, e.offset
    if usize >= MAX32:
        z64 += struct.pack("<Q", usize)
        usize = MAX32
    if csize >= MAX32:
        z64 += struct.pack("<Q", csize)
        csize = MAX32
    if offset >= MAX32:
        z64 += struct.pack("<Q", offset)
        offset = MAX32
    extra = _utime_extra(e.mtime) + (struct.pack("<HH", 0x0001, len(z64)) + z64 if z64 else b"")
    version = 45 if z64 else 20
    dtime, ddate = dos_datetime(e.mtime)
    return struct.pack(
        "<IHHHHHHIIIHHHHHII", CENTRAL_SIG, MADE_BY_UNIX | version, version, e.flags, e.method,
        dtime, ddate, e.crc, csize, usize, len(e.name), len(extra), 0, 0, 0, e.external, offset,
    ) + e.name + extra


def end_records(count: int, cd_offset: int, cd_size: int) -> bytes:
    """End of central directory, preceded by the ZIP64 record and locator when needed."""
    out = b""
    if count >= MAX16 or cd_offset >= MAX32 or cd_size >= MAX32:
        end64_offset = cd_offset + cd_size
        out += struct.pack("<IQHHIIQQQQ", END64_SIG, 44, MADE_BY_UNIX | 45, 45, 0, 0,
                           count, count, cd_size, cd_offset)
        out += struct.pack("<IIQI", LOCATOR64_SIG, 0, end64_offset, 1)
    out += struct.pack("<IHHHHIIH", END_SIG, 0, 0, min(count, MAX16), min(count, MAX16),
                       min(cd_size, MAX32), min(cd_offset, MAX32), 0)
    return out


def external_attr(mode: int, directory: bool) -> int:
    if directory:
        return ((S_IFDIR | (mode & 0o777)) << 16) | 0x10
    return (S_IFREG | (mode & 0o777)) << 16
