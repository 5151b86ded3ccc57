"""Per-file snapshot state: what of each source file has already been collected.

After borg's files cache: one entry per file, remembering identity (device, inode), size, mtime
and how far it was collected (``offset``: bytes ``[0, offset)`` are in some bundle). Entries are
keyed by identity (``"dev:ino"``) and carry the host path they were last seen under, so a file
that rotation renamed (``x.log`` -> ``x.1.log``, same inode) continues from its offset under the
new name and is never collected twice. ``head`` (SHA-256 of the first ``head_len`` bytes, at most
4 KiB) tells a reused inode or a truncated-and-regrown file from the file we read before.

Decisions for one planned file (``classify``):

* unchanged: same identity, same size and mtime -> skip, nothing is read;
* grown log: same identity and head, size > offset -> collect ``[offset, last newline)``;
* truncated, re-created, rotated or a reused inode -> collect from 0;
* configs and other whole files: collected whole whenever identity, size or mtime changed.

A log file new to the state may hold bytes already collected from another file
(``continuation``): the compressed form of a collected segment (``x.log`` -> ``x.log.gz``), or
the copy logrotate's copytruncate made of a file before truncating it in place. Its text starts
with that entry's head and the entry knows how far it was collected: only the rest is taken.

A ``StateDelta`` is what one bundle changes; the committed state is the base plus the deltas
of committed bundles, applied in bundle order. All files are written atomically.
"""

from __future__ import annotations

import hashlib
import json

import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from collector.integrity import ATOMIC_DIR_PREFIX, atomic_write_bytes, fsync_dir  # noqa: F401 (re-exported)
from typing import Any, Literal, NamedTuple

from collector.errors import BadInput
from collector.hostfiles import open_read_only, read_head
from collector.pagecache import chunks_leaving_cache, read_leaving_cache
from collector.model import Candidate

STATE_SCHEMA = "gcollect/snapshot-state/v2"     # files as rows of STATE_COLUMNS
STATE_SCHEMA_V1 = "gcollect/snapshot-state/v1"  # files as objects by key (still read)
STATE_COLUMNS = ("path", "device", "inode", "size", "mtime", "offset", "head", "head_len", "kind")
HEAD_BYTES = 4096
NEWLINE_PROBE_MAX = 1 << 16        # look for a newline in small growths before planning them

Action = Literal["skip", "resume", "full", "partial-line"]


# ---------------------------------------------------------------- atomic files
# (atomic_write_bytes and fsync_dir live in collector.integrity, shared with the bundle writer)
def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, json.dumps(obj, indent=1, sort_keys=True).encode() + b"\n")


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Remove what a write that a kill interrupted left: ``.NAME.*.tmp`` files (the site key)
    and atomic_write_bytes's private folders."""
    removed = []
    for tmp in directory.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    for private in directory.glob(ATOMIC_DIR_PREFIX + "*"):
        shutil.rmtree(private, ignore_errors=True)
        removed.append(private)
    return removed


# ---------------------------------------------------------------- entries
@dataclass(frozen=True)
class FileState:
    path: str                  # host path it was last seen under
    device: int
    inode: int
    size: int                  # source size when it was last read
    mtime: float
    offset: int                # bytes [0, offset) are collected
    head: str | None = None    # sha256 hex of the first head_len bytes
    head_len: int = 0
    kind: str = "log"

    @property
    def key(self) -> str:
        return identity_key(self.device, self.inode)


def identity_key(device: int, inode: int) -> str:
    return f"{device}:{inode}"


def entry_from_json(data: dict[str, Any]) -> FileState:
    # FileState(**fields) without the frozen __init__'s nine object.__setattr__ calls: a state
    # holds one entry per file and is loaded on every run (equal objects; FileState has no
    # __post_init__, no slots and no defaults computed at construction)
    entry = _new(FileState)
    entry.__dict__.update(path=str(data["path"]), device=int(data["device"]), inode=int(data["inode"]),
                          size=int(data["size"]), mtime=float(data["mtime"]), offset=int(data["offset"]),
                          head=data.get("head"), head_len=int(data.get("head_len", 0)),
                          kind=str(data.get("kind", "log")))
    return entry


def entry_from_row(row: list[Any]) -> FileState:
    """``entry_from_json`` for a row of ``STATE_COLUMNS`` (the v2 state's files); a value of the
    wrong type is a ValueError."""
    path, device, inode, size, mtime, offset, head, head_len, kind = row
    if not isinstance(path, str) or not isinstance(kind, str) or not (head is None or isinstance(head, str)):
        raise ValueError(f"damaged state row for {path!r}")
    entry = _new(FileState)
    entry.__dict__.update(path=path, device=int(device), inode=int(inode), size=int(size), mtime=float(mtime),
                          offset=int(offset), head=head, head_len=int(head_len), kind=kind)
    return entry


def _row(entry: FileState) -> list[Any]:
    return [entry.path, entry.device, entry.inode, entry.size, entry.mtime, entry.offset, entry.head,
            entry.head_len, entry.kind]


_new = object.__new__
assert not hasattr(FileState, "__post_init__") and not hasattr(FileState, "__slots__")
assert tuple(f for f in FileState.__dataclass_fields__) == STATE_COLUMNS, "FileState changed: update the rows"


@dataclass(frozen=True)
class StateDelta:
    """What one bundle changes: entries to set (by key) and keys to forget."""

    updates: dict[str, FileState] = field(default_factory=dict)
    drops: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"updates": {k: asdict(v) for k, v in sorted(self.updates.items())},
                "drops": sorted(self.drops)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StateDelta:
        return cls({k: entry_from_json(v) for k, v in data.get("updates", {}).items()},
                   tuple(data.get("drops", ())))

    @property
    def empty(self) -> bool:
        return not self.updates and not self.drops


@dataclass
class SnapshotState:
    """The committed state: every file's progress after the bundle numbered ``seq``."""

    root: str
    seq: int = 0                                   # last bundle whose delta is included
    files: dict[str, FileState] = field(default_factory=dict)
    last_until: str | None = None                  # ISO time of that bundle (start of the next range)

    def apply(self, delta: StateDelta, seq: int, until: str | None) -> SnapshotState:
        files = dict(self.files)
        for key in delta.drops:
            files.pop(key, None)
        files.update(delta.updates)
        return SnapshotState(self.root, max(self.seq, seq), files, until or self.last_until)

    def by_path(self) -> dict[str, FileState]:
        return {entry.path: entry for entry in self.files.values()}

    def to_json(self) -> dict[str, Any]:
        """Files as rows (their key is their identity): a third of the parse time of objects."""
        return {"schema": STATE_SCHEMA, "root": self.root, "seq": self.seq, "last_until": self.last_until,
                "columns": list(STATE_COLUMNS), "files": [_row(v) for _, v in sorted(self.files.items())]}


def state_file(state_dir: Path, root: Path) -> Path:
    """One committed state per collected root (a state dir may serve several mounted copies)."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return state_dir / f"snapshot-state-{digest}.json"


def load_state(path: Path, root: Path) -> SnapshotState:
    """The committed state, or an empty one; BadInput (one line) for a damaged one. A state for
    another root is refused by the caller."""
    try:
        return _load_state(path, root)
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput(what=str(path), problem=f"unreadable snapshot state ({exc}); "
                                               "move it away to start over") from None


def _load_state(path: Path, root: Path) -> SnapshotState:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return SnapshotState(root=str(root.resolve()))
    if not isinstance(data, dict) or data.get("schema") not in (STATE_SCHEMA, STATE_SCHEMA_V1):
        raise ValueError("not a gcollect snapshot state")
    files: dict[str, FileState] = {}
    if data["schema"] == STATE_SCHEMA_V1:
        files = {k: entry_from_json(v) for k, v in data.get("files", {}).items()}
    else:
        if data.get("columns") != list(STATE_COLUMNS):
            raise ValueError("unknown state columns")
        for row in data["files"]:
            if not isinstance(row, list) or len(row) != len(STATE_COLUMNS):
                raise ValueError("damaged state row")
            entry = entry_from_row(row)
            files[identity_key(entry.device, entry.inode)] = entry
    return SnapshotState(root=str(data["root"]), seq=int(data.get("seq", 0)), files=files,
                         last_until=data.get("last_until"))


def save_state(path: Path, state: SnapshotState) -> None:
    atomic_write_bytes(path, json.dumps(state.to_json(), separators=(",", ":")).encode() + b"\n")


# ---------------------------------------------------------------- decisions
@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str                     # "unchanged", "grown", "new", "rotated", "truncated", ...
    candidate: Candidate | None     # what to collect (None for skip / partial-line)
    previous: FileState | None      # the entry this file continues, if any
    record: FileState | None = None     # skip: an entry to set all the same (a continuation with
                                        # nothing left to collect), so the file is not read again
    replaces: str | None = None     # the key of an entry to drop once this file's entry is set


def head_digest(source: Path, length: int) -> str | None:
    """SHA-256 of the first ``length`` bytes, or None when the file is shorter or unreadable."""
    data = read_head(source, length)
    return hashlib.sha256(data).hexdigest() if len(data) == length else None


def _has_newline(source: Path, start: int, size: int) -> bool:
    try:
        fd = open_read_only(source)
    except OSError:
        return True     # let the worker find out and report it
    try:
        data = read_leaving_cache(fd, size, start, size - start)
        return b"\n" in data or b"\r" in data     # a CR alone ends a line too (old Mac style)
    except OSError:
        return True
    finally:
        os.close(fd)


def _same_head(entry: FileState, source: Path) -> bool:
    return entry.head is None or head_digest(source, entry.head_len) == entry.head


class Seen(NamedTuple):
    """The part of a stat that ``classify`` looks at."""

    st_dev: int
    st_ino: int
    st_size: int
    st_mtime: float


def planned_stat(candidate: Candidate) -> Seen | None:
    """The stat the plan took of the candidate (identity, size, mtime), if it kept one."""
    if candidate.device is None or candidate.inode is None:
        return None
    return Seen(candidate.device, candidate.inode, candidate.size, candidate.mtime)


def unchanged(key: str, st: os.stat_result | Seen, state: SnapshotState) -> FileState | None:
    """The entry of the file with identity ``key`` (``identity_key`` of ``st``) when its size
    and mtime are as recorded: ``classify``'s first answer ("skip", "unchanged", with that entry),
    for a caller that only counts it."""
    entry = state.files.get(key)
    if entry is not None and st.st_size == entry.size and st.st_mtime == entry.mtime:
        return entry
    return None


def classify(candidate: Candidate, st: os.stat_result | Seen, state: SnapshotState,
             paths: dict[str, FileState]) -> Decision:
    """Decide what of ``candidate`` is new. ``paths`` is ``state.by_path()`` (built once)."""
    entry = state.files.get(identity_key(st.st_dev, st.st_ino))
    if entry is None:
        # same path and inode under a new device number (after a reboot, some file systems)
        by_path = paths.get(candidate.host_path)
        if by_path is not None and by_path.inode == st.st_ino and _same_head(by_path, candidate.source):
            entry = by_path
    unchanged = (entry is not None and st.st_size == entry.size
                 and st.st_mtime == entry.mtime)
    if unchanged:
        return Decision("skip", "unchanged", None, entry)
    whole = candidate.kind != "log"
    if whole:
        reason = "changed" if entry is not None else "new"
        return Decision("full", reason, candidate, entry)
    if entry is None:
        old = paths.get(candidate.host_path)
        reason = "rotated" if old is not None else "new"
        return Decision("full", reason, _from(candidate, 0), None)
    if candidate.host_path.endswith(".gz"):
        # a compressed file is read whole (its offsets count compressed bytes, a resume would
        # count bytes of its text): a changed one is collected again, never cut
        return Decision("full", "rewritten", _from(candidate, 0), entry)
    if st.st_size < entry.offset:
        return Decision("full", "truncated", _from(candidate, 0), entry)
    if not _same_head(entry, candidate.source):
        return Decision("full", "rewritten", _from(candidate, 0), entry)
    reason = "grown" if entry.path == candidate.host_path else f"renamed from {entry.path}"
    replaces = entry.key if entry.key != identity_key(st.st_dev, st.st_ino) else None    # new device number
    if st.st_size == entry.offset:
        return Decision("skip", "unchanged" if reason == "grown" else reason, None, entry)
    if not candidate.finished and st.st_size - entry.offset <= NEWLINE_PROBE_MAX \
            and not _has_newline(candidate.source, entry.offset, st.st_size):
        return Decision("partial-line", "no complete new line", None, entry)   # a finished file's is taken
    return Decision("resume", reason, _from(candidate, entry.offset), entry, replaces=replaces)


def continuation(candidate: Candidate, st: os.stat_result | Seen, paths: dict[str, FileState],
                 truncated: list[FileState]) -> Decision | None:
    """For a log file new to the state (``classify`` said "new" or "rotated"): the decision to
    continue an entry whose collected bytes the file starts with, or None.

    * ``x.log.gz`` continues the entry of ``x.log`` (a rotation compressed the segment): the
      text after the entry's offset is collected, or nothing when there is none (``record``);
    * a file continues one of ``truncated`` (the entries of files that this plan found
      truncated or rewritten in place): the copy logrotate's copytruncate made before it
      truncated that file. Only the bytes after the entry's offset are collected.

    The file's first ``head_len`` bytes (of its text, for a .gz) must have the entry's head,
    and it must hold at least the entry's offset. When more than one entry would fit, or none,
    the file is collected whole (a duplicate rather than a loss)."""
    compressed = candidate.host_path.endswith(".gz")
    heads: dict[int, str | None] = {}

    def head_of(length: int) -> str | None:
        if length not in heads:
            if compressed:
                text = gunzip_head(candidate.source, length)
                heads[length] = (hashlib.sha256(text).hexdigest() if text is not None and len(text) == length
                                 else None)
            else:
                heads[length] = head_digest(candidate.source, length)
        return heads[length]

    def starts_with(entry: FileState) -> bool:
        """The file starts with what was collected of ``entry``, as far as its head shows."""
        if entry.kind != "log" or entry.head is None or entry.offset <= 0 \
                or entry.head_len < min(HEAD_BYTES, entry.offset):
            return False
        if not compressed and st.st_size < entry.offset:
            return False
        return head_of(entry.head_len) == entry.head

    plain = paths.get(candidate.host_path[:-3]) if compressed else None
    if plain is not None and starts_with(plain):
        found = [plain]                 # the segment it is the compressed form of
    elif plain is not None and plain.head is not None and not gunzip_head(candidate.source, plain.head_len) \
            and os.path.lexists(candidate.source.with_name(candidate.source.name[:-3])):
        # x.log.gz cannot be read to its end yet and x.log is still there: gzip is writing it
        # (it removes x.log when it is done); the next run sees the whole .gz
        return Decision("partial-line", "being compressed", None, plain)
    else:
        found = list({entry.key: entry for entry in truncated if starts_with(entry)}.values())
    if len(found) != 1:
        return None
    entry = found[0]
    if compressed:
        return _compressed_continuation(candidate, st, entry)
    reason = f"copied from {entry.path}"
    rest = st.st_size - entry.offset
    if rest == 0 or (rest <= NEWLINE_PROBE_MAX and not _has_newline(candidate.source, entry.offset, st.st_size)):
        record = FileState(path=candidate.host_path, device=st.st_dev, inode=st.st_ino, size=st.st_size,
                           mtime=st.st_mtime, offset=entry.offset, head=entry.head, head_len=entry.head_len,
                           kind="log")
        return Decision("skip", reason, None, entry, record=record)
    return Decision("resume", reason, _from(candidate, entry.offset), entry)


def _compressed_continuation(candidate: Candidate, st: os.stat_result | Seen, entry: FileState) -> Decision | None:
    """``continuation`` of a .gz whose text starts with ``entry``'s head."""
    from dataclasses import replace

    reason = f"compressed from {entry.path}"
    resume = Decision("resume", reason, replace(candidate, start_offset=entry.offset, whole_lines_only=False),
                      entry)
    # gzip's trailer holds the length of its last member's text modulo 2**32: larger than the
    # offset, the text goes on after it (whatever came before that member); the worker takes
    # what follows the offset. Otherwise the text is counted (decompressed here, once: the
    # entry then makes the file "unchanged").
    last_member = gzip_trailer_size(candidate.source, st.st_size)
    if last_member is not None and entry.offset < last_member:
        return resume
    length = gunzip_length(candidate.source, st.st_size)
    if length is None or length > entry.offset:
        return resume             # the worker reports a damaged stream with its reason
    if length < entry.offset:
        return None               # shorter than what was collected: not that segment's text
    head_len = min(HEAD_BYTES, st.st_size)
    head = head_digest(candidate.source, head_len)
    record = FileState(path=candidate.host_path, device=st.st_dev, inode=st.st_ino, size=st.st_size,
                       mtime=st.st_mtime, offset=st.st_size, head=head, head_len=head_len if head else 0,
                       kind="log")
    return Decision("skip", reason, None, entry, record=record)


def gunzip_head(source: Path, length: int) -> bytes | None:
    """The first ``length`` bytes of a gzip file's text (fewer when the text is shorter), or
    None when it cannot be read or is not gzip data."""
    from collector.errors import RedactionFailed
    from collector.textsource import gunzip_chunks

    try:
        fd = open_read_only(source)
    except OSError:
        return None
    compressed = None
    try:
        size = os.fstat(fd).st_size
        compressed = chunks_leaving_cache(fd, size, 1 << 14)
        text = bytearray()
        for data in gunzip_chunks(compressed, size, 1 << 14):
            text += data
            if len(text) >= length:
                break
        return bytes(text[:length])
    except (OSError, RedactionFailed):
        return None
    finally:
        if compressed is not None:
            compressed.close()          # its pages dropped while the file is open
        os.close(fd)


def gunzip_length(source: Path, size: int) -> int | None:
    """The length of a gzip file's text, counted by decompressing it (every member), or None
    when it cannot be read whole (damaged, still being written, inflating too much)."""
    from collector.errors import RedactionFailed
    from collector.textsource import gunzip_chunks

    try:
        fd = open_read_only(source)
    except OSError:
        return None
    compressed = chunks_leaving_cache(fd, size, 1 << 16)
    try:
        return sum(len(data) for data in gunzip_chunks(compressed, size, 1 << 20))
    except (OSError, RedactionFailed):
        return None
    finally:
        compressed.close()              # its pages dropped while the file is open
        os.close(fd)


def gzip_trailer_size(source: Path, size: int) -> int | None:
    """ISIZE of a gzip file's last member (its text length modulo 2**32), or None."""
    if size < 18:
        return None
    try:
        fd = open_read_only(source)
    except OSError:
        return None
    try:
        data = read_leaving_cache(fd, size, size - 4, 4)
    except OSError:
        return None
    finally:
        os.close(fd)
    return int.from_bytes(data, "little") if len(data) == 4 else None


def _from(candidate: Candidate, offset: int) -> Candidate:
    from dataclasses import replace

    return replace(candidate, start_offset=offset, whole_lines_only=True)


def starts_with_head(data: bytes, entry: FileState) -> bool:
    """``data`` (a file's first bytes) starts with the bytes whose digest is ``entry.head``."""
    return entry.head is not None and len(data) >= entry.head_len \
        and hashlib.sha256(data[:entry.head_len]).hexdigest() == entry.head


def entry_after_read(*, host_path: str, kind: str, device: int, inode: int, source_size: int,
                     mtime: float, end_offset: int, source: Path, previous: FileState | None,
                     source_head: str | None = None, opened_head: bytes = b"") -> FileState:
    """The entry for a file whose bytes up to ``end_offset`` are now in a bundle.

    The head digest: the one the reader took when it read the file from its start
    (``source_head``, ``MemberResult.source_head``); for a read that continued ``previous``
    (same identity, its head checked when planned), that head, or a longer one from the first
    bytes the reader saw (``opened_head``) or else from the file now, if they still start with
    that head (else the file changed meanwhile: the checked head is kept, so that the next run
    sees the change); otherwise one taken from the file now. A file that is gone or replaced
    meanwhile keeps no digest (identity alone is trusted).
    """
    head_len = min(HEAD_BYTES, end_offset if kind == "log" else source_size)
    head = None
    known = (previous if previous is not None and previous.head is not None
             and previous.key == identity_key(device, inode) and previous.head_len <= head_len else None)
    if source_head is not None:
        head = source_head
    elif known is not None and known.head_len == head_len:
        head = known.head
    else:
        data = opened_head if len(opened_head) >= head_len else _head_now(source, device, inode, head_len)
        if data is not None and len(data) >= head_len and (known is None or starts_with_head(data, known)):
            head = hashlib.sha256(data[:head_len]).hexdigest()
        elif known is not None:
            head, head_len = known.head, known.head_len
    offset = end_offset if kind == "log" else source_size
    return FileState(path=host_path, device=device, inode=inode, size=source_size, mtime=mtime,
                     offset=offset, head=head, head_len=head_len if head else 0, kind=kind)


def _head_now(source: Path, device: int, inode: int, length: int) -> bytes | None:
    """The first ``length`` bytes of the file at ``source`` if it is still the file read."""
    from collector.hostguard import open_selected

    try:
        fd, _ = open_selected(source, device, inode)
    except OSError:
        return None
    try:
        return read_leaving_cache(fd, os.fstat(fd).st_size, 0, length)
    except OSError:
        return None
    finally:
        os.close(fd)
