"""Re-read a bundle and say exactly what is wrong with it: ``verify_bundle(path) -> VerifyReport``.

tar.gz / tar.zst: one streaming pass. The file's bytes go through a hashing reader (the outer
SHA-256, compared with the ``NAME.sha256`` sidecar), a decompressor that reads concatenated gzip
members / zstd frames, and ``tarfile`` in stream mode; every member is hashed as it streams by.
zip: the outer hash is one pass, ``zipfile`` (which needs the central directory at the end) a
second. Each member is compared with ``manifest.json`` and ``SHA256SUMS``, both read as they
stream by (``verifylists``: no limit on their size, memory for one JSON value at a time). A
corrupt bundle never raises: it yields ``ok=False`` with one named problem per mismatch.

The bundle's identity is cross-checked too (``_check_identity``): the top folder must be the
name ``manifest.json``'s host, case and created_utc give (else a problem: the bundle disagrees
with itself). The file name is compared with the top folder: a name in gcollect's own form
(``gcollect-HOST-CASE-YYYYMMDDTHHMMSSZ.EXT``) that names another host, case or time is a
problem (exit 41), because support takes host and case from that name and would read one
host's logs as another's; any other name (a bundle renamed on purpose) is a warning that says
which bundle it holds, and the content still verifies. A sidecar that records another file name
than the bundle's (``sha256sum -c`` fails on it) is a warning when its digest matches.
"""

from __future__ import annotations

import hashlib
import re
import stat
import tarfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterable

import zstandard

from collector.bundle.names import bundle_name, bundle_stem, case_name_part, host_name_part
from collector.integrity import HashingReader, digests_equal, read_sidecar_entry, sha256_file, sidecar_path
from collector.model import VerifyProblem, VerifyReport
from collector.verifylists import ManifestFiles, SumsLines

try:
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - isal is a declared dependency
    import zlib as _zlib  # type: ignore[no-redef]

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
_CHUNK = 1 << 20
# tarfile's stream mode reads this much at a time (its default, 10 KiB, costs a Python call per
# 10 KiB; much more than 64 KiB copies the rest of the buffer at each 512-byte header)
_TAR_READ = 64 << 10
_ZSTD_MAGIC = 0xFD2FB528
_NOT_ZSTD = "data that is not a zstd frame"
_OWN_NAME = re.compile(r"gcollect-(?P<middle>.+)-(?P<stamp>\d{8}T\d{6}Z)")


@dataclass
class _State:
    problems: list[VerifyProblem] = field(default_factory=list)
    files: dict[str, tuple[int, str]] = field(default_factory=dict)   # rel name -> (size, sha256)
    listings: dict[str, dict[str, str]] = field(default_factory=dict)  # manifest.json, SHA256SUMS: name -> sha256
    top: str | None = None
    fatal: bool = False
    manifest: ManifestFiles | None = None                              # read whole and valid
    warnings: list[VerifyProblem] = field(default_factory=list)

    def add(self, member: str | None, problem: str) -> None:
        self.problems.append(VerifyProblem(member, problem))

    def warn(self, member: str | None, problem: str) -> None:
        self.warnings.append(VerifyProblem(member, problem))

    def rel(self, name: str | None) -> str | None:
        """A member's name as problems give it: relative to the top folder when inside it."""
        if name is not None and self.top is not None and name.startswith(self.top + "/"):
            return name[len(self.top) + 1:].rstrip("/") or name
        return name


def verify_bundle(path: Path, *, check_sidecar: bool = True) -> VerifyReport:
    path = Path(path)
    st = _State()
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        st.add(None, f"cannot read bundle: {e.strerror or e}")
        return VerifyReport(path, False, 0, tuple(st.problems))
    outer: str | None = None
    try:
        if magic.startswith(b"\x1f\x8b") or magic == _ZSTD_MAGIC.to_bytes(4, "little"):
            outer = _read_tar(path, magic.startswith(b"\x1f\x8b"), st)
        elif magic[:2] == b"PK":
            outer = sha256_file(path)
            _read_zip(path, st)
        else:
            st.add(None, "not a gcollect bundle (neither gzip, zstd nor zip)")
    except OSError as e:
        st.add(None, f"cannot read bundle: {e.strerror or e}")
    if check_sidecar:
        _check_sidecar(path, outer, st)
    if not st.fatal and outer is not None:
        _compare_lists(st)
        _check_totals(st)
        _check_identity(path, st)
    return VerifyReport(path, not st.problems, len(st.files), tuple(st.problems), outer, tuple(st.warnings))


# ---------------------------------------------------------------------------- sidecar
def _check_sidecar(path: Path, outer: str | None, st: _State) -> None:
    side = sidecar_path(path)
    if not side.exists():
        st.add(None, f"checksum file {side.name} missing")
        return
    try:
        expected, recorded = read_sidecar_entry(side)
    except Exception as e:  # VerifyFailed: malformed or unreadable
        st.add(None, f"checksum file {side.name}: {e}")
        return
    if outer is not None and not digests_equal(expected, outer):
        st.add(None, f"SHA-256 of the bundle differs from {side.name}")
    elif recorded is not None and recorded.rsplit("/", 1)[-1] != path.name:
        st.warn(None, f"{side.name} records the file name {recorded!r}, not {path.name!r} "
                      f"(renamed?): its SHA-256 matches, but `sha256sum -c {side.name}` fails")


# ---------------------------------------------------------------------------- names
def _member(name: str, st: _State, *, directory: bool) -> str | None:
    """The name relative to the top folder, or None (problem recorded) if it is unsafe."""
    body = name[:-1] if directory and name.endswith("/") else name
    parts = body.split("/")
    why = None
    if not body or body.startswith("/"):
        why = "absolute or empty name"
    elif "\0" in body:
        why = "NUL in name"
    elif any(p in ("", ".", "..") for p in parts):
        why = "empty, '.' or '..' path component"
    elif st.top is None:
        st.top = parts[0]
    elif parts[0] != st.top:
        why = f"outside the top folder {st.top!r}"
    if why:
        st.add(name, f"unsafe member name: {why}")
        return None
    return "/".join(parts[1:]) if len(parts) > 1 else ""


def _take(rel: str, data: Iterable[bytes], st: _State) -> None:
    """Hash one member's bytes; read manifest.json and SHA256SUMS as they pass (verifylists)."""
    h = hashlib.sha256()
    reader = ManifestFiles() if rel == MANIFEST else SumsLines() if rel == SUMS else None
    problem: str | None = None
    n = 0
    for chunk in data:
        h.update(chunk)
        n += len(chunk)
        if reader is not None and problem is None:
            try:
                reader.feed(chunk)
            except ValueError as e:                 # ManifestError, or an endless SHA256SUMS line
                problem = str(e)
    if rel in st.files:
        st.add(rel, "duplicate member")
    st.files[rel] = (n, h.hexdigest())
    if reader is not None and problem is None:
        try:
            st.listings[rel] = reader.close()
        except ValueError as e:
            problem = str(e)
    if isinstance(reader, SumsLines):
        for line in reader.malformed:
            st.add(SUMS, f"line {line} malformed")
    if problem is not None:
        st.add(rel, f"not a valid {'manifest' if rel == MANIFEST else 'checksum list'}: {problem}")
    elif isinstance(reader, ManifestFiles):
        st.manifest = reader


def _chunks(f: BinaryIO) -> Iterable[bytes]:
    while True:
        b = f.read(_CHUNK)
        if not b:
            return
        yield b


# ---------------------------------------------------------------------------- tar
class _ZstdFrames:
    """Walks zstd frame and block headers as the raw bytes pass, to tell a cut-off last frame
    (which zstandard's stream reader would end silently) from a complete stream."""

    def __init__(self) -> None:
        self.buf = b""
        self.need = 4
        self.state = "magic"
        self.skip = 0
        self.checksum = False
        self.error: str | None = None
        self.error_at = 0           # where the bytes that are not zstd start (byte offset in the file)
        self.offset = 0

    def feed(self, data: bytes | memoryview) -> None:
        mv = memoryview(data)
        i = 0
        while i < len(mv) and self.error is None:
            if self.skip:
                n = min(self.skip, len(mv) - i)
                self.skip -= n
                i += n
                continue
            take = min(self.need - len(self.buf), len(mv) - i)
            self.buf += bytes(mv[i:i + take])
            i += take
            if len(self.buf) == self.need:
                self.error_at = self.offset + i - self.need
                self._step(self.buf)
                self.buf = b""
        self.offset += len(mv)

    def _step(self, b: bytes) -> None:
        if self.state == "magic":
            magic = int.from_bytes(b, "little")
            if magic == _ZSTD_MAGIC:
                self.state, self.need = "fhd", 1
            elif magic & 0xFFFFFFF0 == 0x184D2A50:
                self.state, self.need = "skippable", 4
            else:
                self.error = _NOT_ZSTD
        elif self.state == "skippable":
            self.skip, self.state, self.need = int.from_bytes(b, "little"), "magic", 4
        elif self.state == "fhd":
            d = b[0]
            single = bool(d & 0x20)
            self.checksum = bool(d & 0x04)
            fcs = (1 if single else 0, 2, 4, 8)[d >> 6]
            rest = (0 if single else 1) + (0, 1, 2, 4)[d & 3] + fcs
            self.state, self.need = "block", 3
            self.skip = rest
        elif self.state == "block":
            h = int.from_bytes(b, "little")
            last, kind, size = h & 1, (h >> 1) & 3, h >> 3
            if kind == 3:
                self.error = "reserved zstd block type"
                return
            self.skip = 1 if kind == 1 else size
            if last:
                self.state, self.need = ("checksum", 4) if self.checksum else ("magic", 4)
        elif self.state == "checksum":
            self.state, self.need = "magic", 4

    @property
    def complete(self) -> bool:
        return self.error is None and self.state == "magic" and not self.buf and not self.skip


class _GzipMembers:
    """Decompresses concatenated gzip members (zlib checks each one's CRC-32 and length) and
    stops at bytes after a member that start no other member: ``trailing_at`` is their offset
    in the file. (gzip.GzipFile raises there, losing the position and blaming the member read.)"""

    _RAW = 64 << 10

    def __init__(self, src: BinaryIO) -> None:
        self.src = src
        self.dec = _zlib.decompressobj(wbits=31)
        self.pending = b""          # compressed bytes not yet given to the decompressor
        self.pos = 0                # file offset of pending's first byte
        self.out = bytearray()
        self.fed = False            # the current member has had input
        self.done = False
        self.trailing_at: int | None = None

    def read(self, size: int = -1) -> bytes:
        size = size if size is not None and size >= 0 else _CHUNK
        while len(self.out) < size and not self.done:
            self._step(size)
        data = bytes(self.out[:size])
        del self.out[:size]
        return data

    def _more(self, need: int) -> bool:
        """At least ``need`` bytes pending (False at the end of the file)."""
        while len(self.pending) < need:
            data = self.src.read(self._RAW)
            if not data:
                return False
            self.pending += data
        return True

    def _step(self, size: int) -> None:
        if not self.fed:                                  # a member starts here, or the file ends
            if not self._more(1):
                self.done = True
                return
            if not self._more(2) or self.pending[:2] != b"\x1f\x8b":
                self.trailing_at, self.done = self.pos, True
                return
            self.fed = True
        if not self.pending and not self._more(1):
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        data = self.pending
        self.out += self.dec.decompress(data, size)
        if self.dec.eof:
            rest = self.dec.unused_data
            self.pos += len(data) - len(rest)
            self.pending = rest
            self.dec = _zlib.decompressobj(wbits=31)
            self.fed = False
        else:
            self.pending = self.dec.unconsumed_tail
            self.pos += len(data) - len(self.pending)


class _Tail:
    """Passes decompressed tar bytes to tarfile, remembering the last two reads (tarfile holds
    at most one read and one block of them in its buffer) to look at the block it stopped at."""

    def __init__(self, src: BinaryIO) -> None:
        self.src = src
        self.pos = 0
        self.previous = b""
        self.last = b""

    def read(self, size: int = -1) -> bytes:
        data = self.src.read(size)
        if data:
            self.pos += len(data)
            self.previous, self.last = self.last, data
        return data

    def block_at(self, offset: int) -> bytes | None:
        held = self.previous + self.last
        start = offset - (self.pos - len(held))
        if start < 0 or start + tarfile.BLOCKSIZE > len(held):
            return None
        return held[start:start + tarfile.BLOCKSIZE]


def _read_tar(path: Path, is_gzip: bool, st: _State) -> str:
    with open(path, "rb", buffering=0) as raw:
        frames = None if is_gzip else _ZstdFrames()
        hashing = HashingReader(raw, observer=frames)  # type: ignore[arg-type]
        dec: BinaryIO
        members = _GzipMembers(hashing) if is_gzip else None  # type: ignore[arg-type]
        if members is not None:
            dec = members  # type: ignore[assignment]
        else:
            dec = zstandard.ZstdDecompressor().stream_reader(hashing, read_across_frames=True)  # type: ignore[assignment, arg-type]
        tail = _Tail(dec)
        current: str | None = None
        members_read = interrupted = False
        try:
            tar = tarfile.open(fileobj=tail, mode="r|", bufsize=_TAR_READ, encoding="utf-8",  # type: ignore[call-overload]
                               errors="surrogateescape")
            for info in tar:
                current = info.name
                _tar_member(tar, info, st)
            members_read = True
            _tar_end(tar, tail, st, current)
        except Exception as e:  # tarfile, gzip, zlib/isal, zstandard errors: all mean a bad stream
            if frames is not None and frames.error == _NOT_ZSTD:
                interrupted = not members_read    # named below, where the bytes that are not zstd start
            else:
                where = "at or just after this member" if current else "at the start"
                st.add(st.rel(current), f"corrupt or truncated archive {where}: {e.__class__.__name__}: {e}")
            st.fatal = True
        hashing.drain()
        if members is not None and members.trailing_at is not None:
            st.add(None, _not_compressed(members.trailing_at, "gzip", hashing, st.fatal))
            st.fatal = True
        elif frames is not None and frames.error == _NOT_ZSTD:
            st.add(None, _not_compressed(frames.error_at, "zstd", hashing, interrupted))
            st.fatal = True
        elif frames is not None and not st.fatal and not frames.complete:
            st.add(None, f"truncated or corrupt zstd stream: {frames.error or 'last frame incomplete'}")
            st.fatal = True
        return hashing.hexdigest()


def _not_compressed(offset: int, kind: str, hashing: HashingReader, archive_broken: bool) -> str:
    """Bytes from ``offset`` start no gzip member / zstd frame (call after ``hashing.drain()``).
    When the archive before them was read whole they were appended; otherwise (the tar stopped
    short, or zstandard raised before tar could tell) either may be true."""
    size = hashing.bytes_read
    where = f"bytes {offset}..{size} of the file are not {kind} data"
    if archive_broken:
        return f"{where}: appended after the archive, or a damaged {kind} header"
    return f"data after the end of the archive: {where}"


def _tar_member(tar: tarfile.TarFile, info: tarfile.TarInfo, st: _State) -> None:
    if not (info.isreg() or info.isdir()):
        st.add(st.rel(info.name), "link, device or other special member")
        return
    rel = _member(info.name, st, directory=info.isdir())
    if rel is None or info.isdir():
        return
    if rel == "":
        st.add(info.name, "file in place of the top folder")
        return
    f = tar.extractfile(info)
    assert f is not None
    _take(rel, _chunks(f), st)  # type: ignore[arg-type]


def _tar_end(tar: tarfile.TarFile, tail: _Tail, st: _State, last: str | None) -> None:
    """After the last member: a zero block stopped tarfile, one more follows, then only zeros."""
    stop = tail.block_at(tar.offset)
    rest = 0
    nonzero = False
    stream = tar.fileobj
    while True:
        data = stream.read(_CHUNK)  # type: ignore[union-attr]
        if not data:
            break
        rest += len(data)
        nonzero = nonzero or data.count(0) != len(data)
    if stop is None:
        st.add(st.rel(last), "end-of-archive marker missing (truncated after this member?)")
        st.fatal = True
    elif stop.count(0) != len(stop):
        st.add(st.rel(last), f"invalid tar header after this member (offset {tar.offset})")
        st.fatal = True
    elif rest < tarfile.BLOCKSIZE:
        st.add(None, "end-of-archive marker incomplete (truncated?)")
    elif nonzero:
        st.add(None, "data after the end of the archive")


# ---------------------------------------------------------------------------- zip
_KINDS = {stat.S_IFLNK: "symlink", stat.S_IFCHR: "character device", stat.S_IFBLK: "block device",
          stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket"}


def _zip_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    return info.orig_filename.encode("cp437").decode("utf-8", "surrogateescape")


_END_SIG = b"PK\x05\x06"
_END_SIZE = 22                     # the end of central directory record without its comment


def _zip_end(path: Path, st: _State) -> None:
    """A gcollect zip ends exactly at its end of central directory record, whose comment is
    empty (``zipformat.end_records``). ``zipfile`` reads bytes appended after it as the
    archive's comment, so both are checked here: bytes after the record (named by offset, as
    for tar.gz) or a comment are problems, never a bundle that verifies."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        start = max(0, size - (_END_SIZE + 0xFFFF))
        f.seek(start)
        tail = f.read()
    at = len(tail) - _END_SIZE
    if at >= 0 and tail[at:at + 4] == _END_SIG and tail[-2:] == b"\0\0":
        return
    found = tail.rfind(_END_SIG, 0, len(tail) - _END_SIZE + 4)      # the last one with room for its record
    if found < 0:
        st.add(None, "end of central directory record not found (truncated?)")
        return
    comment = int.from_bytes(tail[found + 20:found + 22], "little")
    end = start + found + _END_SIZE + comment
    if comment:
        st.add(None, f"the archive has a comment of {comment} bytes after its end of central directory "
                     "record (gcollect writes none: added or changed after the bundle was written)")
    if end < size:
        st.add(None, f"data after the end of the archive: bytes {end}..{size} of the file follow its "
                     "end of central directory record")


def _read_zip(path: Path, st: _State) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except Exception as e:
        st.add(None, f"corrupt or truncated archive: {e}")
        st.fatal = True
        return
    _zip_end(path, st)
    with zf:
        for info in zf.infolist():
            name = _zip_name(info)
            mode = info.external_attr >> 16
            kind = stat.S_IFMT(mode)
            # no file type in the mode (zipfile's writestr, other tools): a file, checked as any
            special = info.create_system == 3 and kind and kind not in (stat.S_IFREG, stat.S_IFDIR)
            if special:
                st.add(st.rel(name), f"{_KINDS.get(kind, 'special file')} member: a gcollect bundle holds only "
                                     "regular files and folders")
                continue
            rel = _member(name, st, directory=info.is_dir())
            if rel is None or info.is_dir():
                continue
            try:
                with zf.open(info) as f:
                    _take(rel, _chunks(f), st)  # type: ignore[arg-type]
            except Exception as e:  # zipfile raises many kinds on bad data; never let one escape
                st.add(rel, f"corrupt member data: {e.__class__.__name__}: {e}")
                st.files[rel] = (-1, "")  # named already; not "missing" too


# ---------------------------------------------------------------------------- lists
def _compare(listing: dict[str, str], source: str, exempt: set[str], st: _State) -> None:
    for name, digest in listing.items():
        got = st.files.get(name)
        if got is None:
            st.add(name, f"listed in {source} but missing from the bundle")
        elif got[0] >= 0 and not digests_equal(digest, got[1]):
            st.add(name, f"SHA-256 differs from {source}")
    for name in st.files:
        if name not in listing and name not in exempt:
            st.add(name, f"not listed in {source}")


def _compare_lists(st: _State) -> None:
    for source in (MANIFEST, SUMS):
        if source not in st.files:
            st.add(source, "missing from the bundle")
    if MANIFEST in st.listings:
        _compare(st.listings[MANIFEST], MANIFEST, {MANIFEST, SUMS}, st)
    if SUMS in st.listings:
        _compare(st.listings[SUMS], SUMS, {SUMS}, st)


def _check_totals(st: _State) -> None:
    """manifest.json's ``redactions`` and ``totals`` against the sums of its ``files`` entries."""
    m = st.manifest
    if m is None:
        return
    for key in ("redactions", "totals"):
        stated = m.fields.get(key)
        if not isinstance(stated, dict):
            continue
        summed = m.sums[key]
        names = summed if key == "totals" else set(summed) | set(stated)
        differ = [f"{name} {stated.get(name, 0)} (entries add up to {summed.get(name, 0)})"
                  for name in sorted(names) if stated.get(name, 0) != summed.get(name, 0)]
        if differ:
            st.add(MANIFEST, f"'{key}' disagrees with its 'files' entries: {'; '.join(differ)}")


def _identity(m: ManifestFiles) -> tuple[str, str, str] | None:
    """(host part, case part, stamp) as manifest.json gives them, or None if it does not say."""
    host, case, created = (m.fields.get(k) for k in ("host", "case", "created_utc"))
    if not isinstance(host, str) or not isinstance(created, str) or not (case is None or isinstance(case, str)):
        return None
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return None
    stamp = bundle_name(host, case, when, "zip")[:-4].rsplit("-", 1)[1]
    return host_name_part(host), case_name_part(case), stamp


def _describe(host: str, case: str, stamp: str) -> str:
    return f"host {host}, case {case}, created {stamp}"


def _check_identity(path: Path, st: _State) -> None:
    """File name, top folder and manifest.json must name the same bundle (module docstring)."""
    if st.top is None:
        return
    m = st.manifest
    inside = _identity(m) if m is not None else None
    if inside is not None:
        own = "gcollect-{}-{}-{}".format(*inside)
        if st.top != own:
            st.add(None, f"top folder {st.top!r} is not the bundle manifest.json describes "
                         f"({_describe(*inside)}: {own!r})")
            return
    stem = bundle_stem(path.name)
    if stem == st.top:
        return
    said = _OWN_NAME.fullmatch(stem or "")
    holds = f"{st.top!r}" + (f" ({_describe(*inside)})" if inside else "")
    if said is None:
        st.warn(None, f"file name {path.name!r} is not the bundle's own name: it holds {holds}")
        return
    differ = []
    if inside is not None:
        host, case, stamp = inside
        middle = said["middle"]
        if middle != f"{host}-{case}":
            if middle.endswith(f"-{case}"):
                differ.append("host")
            elif middle.startswith(f"{host}-"):
                differ.append("case")
            else:
                differ += ["host", "case"]
        if said["stamp"] != stamp:
            differ.append("time")
    what = (", ".join(differ[:-1]) + " and " + differ[-1] if len(differ) > 1 else differ[0]) if differ else "name"
    st.add(None, f"file name {path.name!r} names another {what} than the bundle inside: it holds {holds}; "
                 "do not analyse it under this name")
