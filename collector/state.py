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
        return b"\n" in os.pread(fd, size - start, start)
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
    if st.st_size < entry.offset:
        return Decision("full", "truncated", _from(candidate, 0), entry)
    if not _same_head(entry, candidate.source):
        return Decision("full", "rewritten", _from(candidate, 0), entry)
    reason = "grown" if entry.path == candidate.host_path else f"renamed from {entry.path}"
    if st.st_size == entry.offset:
        return Decision("skip", "unchanged" if reason == "grown" else reason, None, entry)
    if st.st_size - entry.offset <= NEWLINE_PROBE_MAX and not _has_newline(candidate.source, entry.offset,
                                                                         st.st_size):
        return Decision("partial-line", "no complete new line", None, entry)
    return Decision("resume", reason, _from(candidate, entry.offset), entry)


def _from(candidate: Candidate, offset: int) -> Candidate:
    from dataclasses import replace

    return replace(candidate, start_offset=offset, whole_lines_only=True)


def entry_after_read(*, host_path: str, kind: str, device: int, inode: int, source_size: int,
                     mtime: float, end_offset: int, source: Path, previous: FileState | None) -> FileState:
    """The entry for a file whose bytes up to ``end_offset`` are now in a bundle.

    The head digest is taken from the file now; if the file at ``source`` is no longer the one
    that was read (replaced meanwhile), no digest is kept and identity alone is trusted.
    """
    head_len = min(HEAD_BYTES, end_offset if kind == "log" else source_size)
    head = None
    if previous is not None and previous.head is not None and previous.head_len == head_len \
            and previous.key == identity_key(device, inode):
        head = previous.head
    else:
        from collector.hostguard import open_selected

        try:
            fd, _ = open_selected(source, device, inode)
        except OSError:
            fd = None
        if fd is not None:
            try:
                data = os.pread(fd, head_len, 0)
                if len(data) == head_len:
                    head = hashlib.sha256(data).hexdigest()
            except OSError:
                head = None
            finally:
                os.close(fd)
    offset = end_offset if kind == "log" else source_size
    return FileState(path=host_path, device=device, inode=inode, size=source_size, mtime=mtime,
                     offset=offset, head=head, head_len=head_len if head else 0, kind=kind)
