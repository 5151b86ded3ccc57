"""The typed values that flow one way through a run.

Profile -> Installation -> Plan(Candidate...) -> MemberResult -> Manifest -> VerifyReport

Every path inside these values is either
  * ``source``: a real path on this machine (``root`` joined with the host path), or
  * ``host_path``: the path as the Genesys host sees it, POSIX style, without the root,
    e.g. ``opt/genesys/SIPS_P/logs/SIPS_P.20240305_091500_120.log`` or
    ``C:/Program Files/GCTI/SIPS/logs/x.log`` -> ``C/Program Files/GCTI/SIPS/logs/x.log``.
    It is also the member name inside the bundle's top folder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from datetime import tzinfo

    from collector.hostzone import HostZone

FileKind = Literal["log", "config", "binary-log", "text"]
# A log in the window whose record times are in a format not recognised: the window cannot cut it,
# so it is taken whole. Selection puts this in the file's reason (dry-run), the member in its manifest
# note; the report and the console summary list the files whose note says it.
UNDATED_NOTE = "time format not recognised: taken whole"
# A log a size cap cut to its newest bytes (--max-file-size, a cap's boundary file): the member's
# manifest note says one of these; the console, report.html and inspect list those files.
SIZE_CAP_CUT_NOTE = "cut by the size cap"
TAIL_NOTE = "tail of file (size cap)"
WindowMode = Literal["segment", "ignore"]


# ---------------------------------------------------------------- profiles
@dataclass(frozen=True)
class Detect:
    """Any one signal means the product is installed."""

    processes: tuple[str, ...] = ()        # executable base names, case-insensitive (SIP_Server, sip_server.exe)
    app_types: tuple[str, ...] = ()        # segment header "Application type:" values (TServer, StatServer)
    banners: tuple[str, ...] = ()          # substrings of the header's first line (Genesys SIPPROXY)
    command_lines: tuple[str, ...] = ()    # substrings of the header "Command line:" (ucs.jar), not in -host's value
    files: tuple[str, ...] = ()            # glob patterns of marker files, relative to an app dir (confserv.cfg, lca.cfg)
    paths: tuple[str, ...] = ()            # host-path globs whose existence means installed (opt/genesys/*/SIP*)


@dataclass(frozen=True)
class CollectSpec:
    """One kind of file a product has, with globs and caps."""

    id: str
    kind: FileKind
    globs: tuple[str, ...]                 # may use {app_dir} {log_base} {log_dir} {name} {home}
    window: WindowMode = "segment"         # "ignore": always taken (configs)
    cap_mb: float | None = None            # per spec, newest first; None = global default
    always_in_window: bool = False         # e.g. *.snapshot.log: taken whenever in the window
    consent: str | None = None             # e.g. "unredacted-binary": only with that consent flag


@dataclass(frozen=True)
class Profile:
    product: str                           # machine name, e.g. sip-server
    title: str                             # human name, e.g. Genesys SIP Server
    source: str                            # file it came from (for messages)
    sha256: str                            # of the YAML file, recorded in the manifest
    detect: Detect
    collect: tuple[CollectSpec, ...]
    forbid: tuple[str, ...] = ()           # globs never collected (keys, keystores)
    redaction: tuple[str, ...] = ()        # rule-set names
    roots: tuple[str, ...] = ()            # host-path globs where app dirs of this product live


# ---------------------------------------------------------------- discovery
@dataclass(frozen=True)
class Installation:
    """One application instance of one product found on the host."""

    product: str
    name: str                              # application name (header / -app / cfg / folder)
    app_dir: str | None                    # host path of its working/install folder
    log_bases: tuple[str, ...] = ()        # host paths of [log] output bases (no extension)
    startup_bases: tuple[str, ...] = ()    # those whose [log] keep-startup-file is set: the
                                           # first (startup) segment of their streams is kept
    evidence: tuple[str, ...] = ()         # how it was found: "process 1234", "header x.log", "path ..."
    app_type: str | None = None
    version: str | None = None


# ---------------------------------------------------------------- time window
@dataclass(frozen=True)
class Window:
    since: datetime | None = None          # aware datetimes (UTC) or None
    until: datetime | None = None
    # the collected host's zone: log stamps without an offset are read in it (None: this machine's)
    zone: HostZone | None = None

    @property
    def unbounded(self) -> bool:
        return self.since is None and self.until is None

    @property
    def local_tz(self) -> tzinfo | None:
        """The zone wall-clock log stamps are read in (None: this machine's)."""
        return self.zone.tzinfo if self.zone is not None else None

    def as_dict(self) -> dict[str, Any]:
        """For JSON reports: the instants (UTC, ISO) and the zone wall-clock times were read in."""
        def iso(moment: datetime | None) -> str | None:
            return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if moment else None

        return {"since": iso(self.since), "until": iso(self.until),
                "zone": self.zone.as_dict() if self.zone is not None else None}


# ---------------------------------------------------------------- selection
@dataclass(frozen=True, slots=True)
class Candidate:
    """A file the plan will collect. Slots: a plan holds one per file (thousands on a big host),
    and a slotted object is about 400 bytes smaller than one with a ``__dict__``."""

    source: Path
    host_path: str
    product: str
    installation: str
    spec_id: str
    kind: FileKind
    size: int
    mtime: float
    start: datetime | None = None          # first record time if known (name, header, or mtime)
    end: datetime | None = None
    reason: str = ""                       # why it is in: "in window", "config", "snapshot log"
    #                                        (holds UNDATED_NOTE when the window cannot cut it)
    rule_sets: tuple[str, ...] = ()        # redaction rule sets for this file
    tail_bytes: int | None = None          # cap crossed: keep only the last N bytes (line aligned)
    trim: bool = False                     # cut records outside the window (segment straddles it)
    unredacted_consent: bool = False       # binary log shipped raw by explicit consent
    start_offset: int = 0                  # snapshot: resume after the bytes already collected
                                           # (of a .gz: bytes of its decompressed text)
    whole_lines_only: bool = False         # snapshot: stop at the last newline (file may be growing)
    device: int | None = None              # identity of the source when planned (st_dev, st_ino of
    inode: int | None = None               # the stat that gave size and mtime); None = unknown
    startup_segment: bool = False          # kept whole as its stream's startup segment
                                           # ([log] keep-startup-file), whatever the window
    finished: bool = False                 # no longer written (selection.finished_files; a collect: also a
                                           # quiet newest segment): its last line is taken even
                                           # without a newline

    @property
    def capped_size(self) -> int:
        """The bytes the size caps count and a worker reads: the tail under a cap, at most the
        file (a .gz under the per-file cap: its cap bounds its text, its file is what is read)."""
        return min(self.tail_bytes, self.size) if self.tail_bytes is not None else self.size


FINISHED_QUIET = 300     # seconds without a write before a log may count as finished (selection.finished_files)


@dataclass(frozen=True, slots=True)
class Skip:
    """A file left out of the plan, with the reason; or, when ``files`` > 1, the files of one log
    stream or folder left out for the same reason (``host_path`` is then the stream's glob,
    ``.../SIPS_P/SIPS_P-001.*``, or the folder, ``.../conf/``)."""

    host_path: str
    product: str | None
    reason: str                            # "outside window", "cap 2048 MB reached", "private key"
    size: int | None = None                # bytes (of all its files, for a group)
    mtime: float | None = None
    files: int = 1
    names: tuple[str, str] | None = None       # of a group: its first and last file name (sorted)
    modified: tuple[float, float] | None = None    # of a group: its files' oldest and newest mtime

    def as_dict(self) -> dict[str, object]:
        """The entry for manifest.json and ``--dry-run --json``."""
        entry: dict[str, object] = {"path": self.host_path, "product": self.product, "reason": self.reason,
                                    "size": self.size}
        if self.files > 1:
            entry["files"] = self.files
            if self.names is not None:
                entry["names"] = list(self.names)
            if self.modified is not None:
                entry["modified"] = [_utc_text(t) for t in self.modified]
        return entry


def _utc_text(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def skip_label(entry: Mapping[str, Any]) -> str:
    """A skipped entry (``Skip.as_dict``, as in manifest.json) as the report and ``--dry-run``
    show it: its path, and for a group how many files, the first and last name, and when they
    were modified."""
    files = entry.get("files") or 1
    if files == 1:
        return str(entry.get("path"))
    names, modified = entry.get("names"), entry.get("modified")
    text = f"{files:,} files"
    if names:
        text += f", {names[0]} to {names[-1]}"
    if modified:
        text += f", modified {modified[0]} to {modified[-1]}"
    return f"{entry.get('path')} ({text})"


def skipped_files(skipped: Sequence[Skip]) -> int:
    """How many files these entries stand for."""
    return sum(s.files for s in skipped)


# Selection's reasons for a file this process may not open (``selection._unreadable``, EACCES and
# EPERM), or a folder it needed and may not list (discovery, selection): files support asked for
# and the run could not read, so the run is partial (exit 1).
PERMISSION_DENIED = ("unreadable: permission denied", "unreadable: operation not permitted",
                     "unreadable folder: permission denied", "unreadable folder: operation not permitted")
# every reason of a file or folder the run wanted and could not look at starts so
# (``hostfiles.UNREADABLE_FILE``, ``UNREADABLE_FOLDER``): a path too long, a permission, an I/O error
NOT_READ_PREFIXES = ("unreadable: ", "unreadable folder: ")


# Reason of a file of a Genesys log stream whose header names a product no profile knows
# (discovery's ``unprofiled``): "<prefix> (Application type: X, application NAME): <advice>"
UNPROFILED_PREFIX = "Genesys log of a product with no profile"
UNPROFILED_ADVICE = "not collected; a site profile (--profile-dir) can collect it"


def unprofiled_reason(app_type: str | None, banner: str, app_name: str | None) -> str:
    """The skip reason for a file of a Genesys log stream no profile claims."""
    what = f"Application type: {app_type}" if app_type else (banner or "no application type")
    return f"{UNPROFILED_PREFIX} ({what}{f', application {app_name}' if app_name else ''}): {UNPROFILED_ADVICE}"


def unprofiled(skipped: Sequence[Skip]) -> list[tuple[str, str, int]]:
    """(folder, what the header says it is, files) of each folder whose Genesys logs no profile
    claims, for one summary line; from the reasons ``unprofiled_reason`` wrote."""
    found: dict[tuple[str, str], int] = {}
    for skip in skipped:
        if skip.reason.startswith(UNPROFILED_PREFIX + " ("):
            what = skip.reason[len(UNPROFILED_PREFIX) + 2:].rsplit("): ", 1)[0]
            key = (skip.host_path.rpartition("/")[0], what)
            found[key] = found.get(key, 0) + skip.files
    return [(folder, what, files) for (folder, what), files in found.items()]


def permission_denied(skipped: Sequence[Skip]) -> list[Skip]:
    """The entries of ``skipped`` left out because this process may not read them."""
    return [skip for skip in skipped if skip.reason in PERMISSION_DENIED]


def not_read(skipped: Sequence[Skip]) -> list[Skip]:
    """The entries of ``skipped`` the run wanted and could not read or list, for any reason
    (``permission_denied`` and the others: a path too long for this system, an I/O error):
    each makes the run partial (exit 1)."""
    return [skip for skip in skipped if skip.reason.startswith(NOT_READ_PREFIXES)]


def short_path(text: str, limit: int = 100) -> str:
    """A path for a one-line message: whole when short, else its start and end around "…"
    (a path of 4 KB would make the line unreadable)."""
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return text[:keep] + "…" + text[-(limit - 1 - keep):]


def name_a_few(skipped: Sequence[Skip], listed: int = 3) -> str:
    """``/a, /b, /c and 7 more``: the first ``listed`` entries (a group with its file count);
    a long path shortened (``short_path``)."""
    names = [short_path(f"/{s.host_path}") + (f" ({s.files} files)" if s.files > 1 else "")
             for s in skipped[:listed]]
    more = skipped_files(skipped) - skipped_files(skipped[:listed])
    return ", ".join(names) + (f" and {more} more" if more else "")


def files_and_folders(skipped: Sequence[Skip]) -> str:
    """``2 file(s)``, ``1 folder(s)`` or ``2 file(s) and 1 folder(s)`` for these entries (a
    folder entry's path ends in ``/``)."""
    folders = sum(1 for s in skipped if s.host_path.endswith("/") and s.reason.startswith("unreadable folder: "))
    files = skipped_files(skipped) - folders
    parts = ([f"{files} file(s)"] if files or not folders else []) + ([f"{folders} folder(s)"] if folders else [])
    return " and ".join(parts)


def skipped_entry_files(entries: Sequence[Mapping[str, Any]]) -> int:
    """``skipped_files`` for entries as manifest.json holds them (``Skip.as_dict``)."""
    return sum(entry.get("files") or 1 for entry in entries)


@dataclass(frozen=True)
class Plan:
    root: Path
    window: Window
    installations: tuple[Installation, ...]
    members: tuple[Candidate, ...]
    skipped: tuple[Skip, ...]
    profiles_used: tuple[Profile, ...] = ()

    @property
    def bytes_planned(self) -> int:
        return sum(min(c.tail_bytes, c.size) if c.tail_bytes is not None else max(0, c.size - c.start_offset)
                   for c in self.members)

    @property
    def bytes_kept_estimate(self) -> int:
        """About how many bytes the bundle's members will hold before compression: of a segment
        the window cuts, its share of the window (records spread evenly over the segment's time),
        not the whole file (the disk preflight's estimate)."""
        return sum(_kept_estimate(c, self.window) for c in self.members)


def _kept_estimate(candidate: Candidate, window: Window) -> int:
    planned = (min(candidate.tail_bytes, candidate.size) if candidate.tail_bytes is not None
               else max(0, candidate.size - candidate.start_offset))
    start, end = candidate.start, candidate.end
    if not candidate.trim or start is None or end is None or end <= start:
        return planned
    since = max(start, window.since) if window.since is not None else start
    until = min(end, window.until) if window.until is not None else end
    share = max(0.0, (until - since).total_seconds()) / (end - start).total_seconds()
    return min(planned, int(candidate.size * share) + (64 << 10))     # + a segment header


# ---------------------------------------------------------------- results
@dataclass
class MemberResult:
    host_path: str
    product: str
    installation: str
    kind: FileKind
    size_in: int                           # bytes read from the source
    size_out: int                          # bytes stored in the bundle
    mtime: float
    sha256: str                            # of the stored (redacted) bytes
    redactions: dict[str, int] = field(default_factory=dict)   # rule id -> count, never values
    kept_first: str | None = None          # ISO time of first kept record (trimming)
    kept_last: str | None = None
    unredacted: bool = False               # shipped raw by consent (binary logs)
    note: str = ""
    findings: list[tuple[int, str]] = field(default_factory=list)  # scanner: (line, category), never values
    start_offset: int = 0                  # source bytes [start_offset, end_offset) were read
    end_offset: int = 0
    device: int = 0                        # identity of the source at open time (snapshot state)
    inode: int = 0
    source_size: int = 0
    source_head: str | None = None         # sha256 of the source's first bytes as read (the snapshot
                                           # state's head: state.HEAD_BYTES, of a log at most end_offset)
    opened_head: bytes = b""               # a resumed read (snapshot): the first state.HEAD_BYTES bytes
                                           # when it was opened, to check it is still the file planned
    # logstats.LogStats.summary() (message IDs, HA roles) as compact JSON: the main process keeps
    # one per collected file until the manifest is written, so it keeps the small form
    log_stats: bytes = b""
    call_text: bytes = b""                 # --call: this file's (redacted) records of the call
    original_path: str = ""                # host path read, when not host_path (a decompressed .gz)


@dataclass(frozen=True)
class Excluded:
    host_path: str
    product: str | None
    reason: str


@dataclass(frozen=True)
class BundleInfo:
    path: Path
    sha256: str
    size: int
    format: str
    top: str                               # top folder name inside the archive


@dataclass
class RunResult:
    bundle: BundleInfo | None
    members: Sequence[MemberResult]          # a MemberLog after a run: read from disk, in arrival order
    excluded: list[Excluded]
    skipped: list[Skip]
    installations: tuple[Installation, ...]
    bytes_in: int = 0
    bytes_out: int = 0
    seconds: float = 0.0
    # (host path, bytes): a quiet file's last line without a newline a snapshot left for later
    waiting_lines: list[tuple[str, int]] = field(default_factory=list)

    @property
    def findings(self) -> list[tuple[str, int, str]]:
        """Scanner findings after redaction: (member, line, category)."""
        return [(m.host_path, line, category) for m in self.members for line, category in m.findings]

    @property
    def redactions(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for m in self.members:
            for rule, n in m.redactions.items():
                total[rule] = total.get(rule, 0) + n
        return total


@dataclass(frozen=True)
class VerifyProblem:
    member: str | None
    problem: str


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    ok: bool
    members_checked: int
    problems: tuple[VerifyProblem, ...]
    sha256: str | None = None          # the bundle file's SHA-256 as read (None if it could not be read)
    warnings: tuple[VerifyProblem, ...] = ()   # worth saying, not a failure (e.g. a renamed bundle)
