"""Profile x Installation x window x caps -> Plan: which files to collect, and why every other one is not.

Declared by the profiles (STYLE.md 1, "declare, then execute"), executed once here. Pure apart
from ``lstat``/``scandir`` and reading the first few KB of a file (segment heads for their start
time, PEM files for a private key) or the last few KB (a segment its mtime would end before the
window); nothing is written.

For each installation, each collect spec, in profile order:

1. expand the spec's globs with the installation's placeholders: ``{app_dir}``, each
   ``{log_base}``, each ``{log_dir}`` (folder of a log base), ``{name}``, each ``{home}``
   (``home/*``, ``root``, ``Users/*``, ``<drive>/Users/*``); a glob whose placeholder has no
   value is not expanded;
2. keep regular files only; a symlink only when its target is a regular file inside the root
   (else ``Skip("symlink leaves the root")``, "symlink loop", ...); FIFOs, sockets, devices and
   unreadable files are skipped with the reason; folders are ignored;
3. a file belongs to the first spec (and installation) that matches it, by real path; a
   ``.gz`` whose plain file the spec also matches is skipped (a compression in progress);
4. never collected: the profile's ``forbid`` globs and ``NEVER_COLLECT`` (keys, key stores,
   PEM files holding a private key, licences; core dumps unless ``include_core``);
5. specs with ``consent`` (and every ``binary-log`` spec, which needs "unredacted-binary") only
   with that consent;
6. window (none given: every file): ``window: ignore`` specs always; ``always_in_window`` specs
   and ``*.snapshot.log`` files when [start, mtime] touches the window (not when their start
   and last record are both ``SNAPSHOT_LAG`` before it: a copied mtime); other specs per stream
   (``<dir>/<base>[-NNN]``, a ``.log.gz`` rotation in the stream of the ``.log`` it was) with
   ``timewindow.select_segments`` (GENESYS.md (b)); a kept segment
   that starts before ``since`` or ends (next segment's start, else mtime) after ``until`` gets
   ``trim=True``; in a long stream, segments whose name stamps put them far outside the window
   are left out without reading their heads (``_outside_by_name``); a segment whose mtime alone
   ends it before the window ends at its last record if that is later (``_ends_by_content``);
   files of one stream that share a name stamp (GAX size rollovers ``gax.log.<ts>-1``, ``-2``)
   start at their first record and end at their last (``_times_by_content``); the first
   segment of a stream whose log base has ``[log] keep-startup-file`` set is kept whole,
   marked ``startup_segment`` (``STARTUP_REASON``); a file whose name or folder names the day
   it holds (``timewindow.path_day``) lies within that day whatever its mtime (``_times``);
7. caps (``Caps``): per file (tail), per spec and installation (newest first), then the total
   across the plan (configs and snapshot logs first, then the rest newest first). The file that
   crosses a cap keeps its last bytes (``tail_bytes``) if it is a log or text file; a config or
   binary file is skipped instead (half a config or binary misleads), also when it alone is
   larger than the per-file cap.

Skips are kept one per file, except that more than ``LISTED_PER_GROUP`` files of one stream or
folder left out for one reason are one entry (``group_skips``). An installation whose globs find
no file of its own (none there, or every one taken by another installation) is one entry too,
its folder: discovery found it, so it is not dropped silently. Likewise a file in a log folder
of an installation (the fixed folder of a ``kind: log`` glob named ``log``/``logs`` or under
``var/log/``) that no spec of any installation took is listed (``_strays``): a rotation or log
name the profile does not know is seen in the plan, not silently left behind.
"""

from __future__ import annotations

import functools
import itertools
import os
import posixpath
import re
import stat
import sys
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path

from collector.hostfiles import GlobSet, Listings, WalkBudget, escape, \
    expand_glob_entries, file_type_name, folder_entries, glob_match, glob_set, log_name_parts, open_read_only, \
    parse_log_name, own_location, read_head, read_tail, resolve_regular, segment_name, source_of, \
    UNREADABLE_FILE, UNREADABLE_FOLDER, is_real_folder, os_problem, probe, unlisted_reason
from collector.segheader import parse_header
from collector.textsource import text_head
from collector.timeformats import name_time
from collector.units import human
from collector.model import (FINISHED_QUIET, UNDATED_NOTE, Candidate, CollectSpec, Installation, Plan, Profile, Skip,
                             Window)

MB = 1 << 20
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
HEAD_BYTES = 8 * 1024              # of a segment, for its start time
TAIL_BYTES = 8 * 1024              # of a segment whose mtime would end it before the window
SNAPSHOT_LAG = timedelta(hours=6)  # a snapshot log's records and start this far before the window:
                                   # only a copied mtime puts it in (_snapshot_before_window)
# UTC is within this of a wall-clock name stamp, whatever the zone (UTC-12 to UTC+14) and a
# daylight-saving hour
_NAME_STAMP_SLACK = timedelta(hours=15)
_DECIDED_BY_NAME_MIN = 8           # a shorter stream reads every head (they decide exactly)
PEM_PEEK_BYTES = 64 * 1024         # a PEM bundle may put its key after a few certificates
PEM_SUFFIXES = (".pem", ".crt", ".cer")
HOME_GLOBS = ("home/*", "root", "Users/*", "C/Users/*", "D/Users/*")
BINARY_CONSENT = "unredacted-binary"
LISTED_PER_GROUP = 20             # files of one stream or folder skipped for one reason, listed one by one
BINARY_SKIP = "binary log, cannot be redacted; pass --include-unredacted-binary to ship it raw"
COMPRESSED_TWIN_SKIP = ("compressed copy of a plain file also present (compression in progress); "
                        "the plain file is taken")
NEVER_COLLECT: tuple[tuple[str, str], ...] = (
    ("*.key", "private key file (*.key)"),
    ("*.jks", "Java key store (*.jks)"),
    ("*.keystore", "key store (*.keystore)"),
    ("*.p12", "PKCS#12 key store (*.p12)"),
    ("*.pfx", "PKCS#12 key store (*.pfx)"),
    ("license.dat", "license file"),
    ("*.lic", "license file"),
)
CORE_DUMPS = ("core", "core.[0-9]*", "*.dmp", "*.mdmp")
_PLACEHOLDER = re.compile(r"\{(app_dir|log_base|log_dir|name|home)\}")


@dataclass(frozen=True)
class Caps:
    """Size limits, in MiB; ``None`` = no limit.

    per_file_mb: a bigger file keeps only its last ``per_file_mb`` (default: no limit);
    per_spec_mb: budget per collect spec and installation, newest files first, for specs
        without their own ``cap_mb`` (default 2048);
    total_mb: budget for the whole plan (default 4096).
    profile_caps: honour a spec's own ``cap_mb`` (``--all-logs`` turns every cap off).
    """

    per_file_mb: float | None = None
    per_spec_mb: float | None = 2048
    total_mb: float | None = 4096
    profile_caps: bool = True

    @classmethod
    def unlimited(cls) -> "Caps":
        return cls(per_file_mb=None, per_spec_mb=None, total_mb=None, profile_caps=False)


@dataclass(slots=True)          # one per matched file while the plan is made: no __dict__
class _File:
    """A matched file. ``real`` is its real path (a symlink resolved inside the root), or, when
    ``name`` is given, its folder's: a Path per file costs about 230 bytes, and most files seen
    are never planned. ``source`` is the one way to read it."""

    host_path: str
    real: Path
    size: int
    mtime: float
    device: int | None = None      # of the same stat as size and mtime
    inode: int | None = None
    name: str | None = None

    @property
    def source(self) -> Path:
        """The real path."""
        return self.real if self.name is None else _child(self.real, self.name)


@dataclass(slots=True)
class _Pick:
    candidate: Candidate
    first: bool                    # configs and snapshot logs go first in the total cap
    newest_key: float


# ------------------------------------------------------------------ expansion
def _placeholder_values(inst: Installation, homes: list[str]) -> dict[str, list[str]]:
    return {
        "app_dir": [inst.app_dir] if inst.app_dir else [],
        "log_base": list(inst.log_bases),
        "log_dir": list(dict.fromkeys(posixpath.dirname(b) for b in inst.log_bases if "/" in b)),
        "name": [inst.name],
        "home": homes,
    }


def expand_spec_globs(glob: str, values: Mapping[str, list[str]]) -> list[str]:
    """Every substitution of the glob's placeholders (values escaped), none if one is empty."""
    names = list(dict.fromkeys(_PLACEHOLDER.findall(glob)))
    patterns = []
    for combo in itertools.product(*(values.get(n, []) for n in names)):
        chosen = dict(zip(names, combo))
        patterns.append(_PLACEHOLDER.sub(lambda m: escape(chosen[m.group(1)]), glob))
    return list(dict.fromkeys(patterns))


def _homes(root: Path, budget: WalkBudget, listings: Listings | None = None) -> list[str]:
    found = [h for g in HOME_GLOBS for h in expand_glob_entries(root, g, max_depth=3, budget=budget,
                                                                listings=listings)]
    return [h for h in found if is_real_folder(source_of(root, h))]


# ------------------------------------------------------------------ exclusions
_NEVER_COLLECT_SET = GlobSet(tuple(pattern for pattern, _ in NEVER_COLLECT))
_CORE_DUMP_SET = GlobSet(CORE_DUMPS)


@functools.lru_cache(maxsize=256)
def _screen(forbid: tuple[str, ...], include_core: bool) -> GlobSet:
    """Every glob ``never_collect_reason`` looks at: a path no glob of it matches needs only
    the PEM check."""
    return GlobSet(_NEVER_COLLECT_SET.patterns + (() if include_core else CORE_DUMPS) + forbid)


def never_collect_reason(host_path: str, source: Path | str, forbid: Sequence[str],
                         include_core: bool) -> str | None:
    forbid = tuple(forbid)
    return _never_reason(host_path, source, forbid, include_core, _screen(forbid, include_core))


def _never_reason(host_path: str, source: Path | str, forbid: tuple[str, ...],
                  include_core: bool, screen: GlobSet) -> str | None:
    name = posixpath.basename(host_path)
    screened = screen.match(host_path)
    if screened:
        if _NEVER_COLLECT_SET.match_name(name):
            for pattern, reason in NEVER_COLLECT:
                if glob_match(name, pattern):
                    return f"never collected: {reason}"
        if not include_core and _CORE_DUMP_SET.match_name(name):
            return "core dump; pass --include-core to collect it"
    if name.lower().endswith(PEM_SUFFIXES) and b"PRIVATE KEY" in read_head(source, PEM_PEEK_BYTES):
        return "never collected: PEM file contains a private key"
    if screened and forbid:
        pattern = glob_set(tuple(forbid)).first(host_path)
        if pattern is not None:
            return f"forbidden by profile ({pattern})"
    return None


def _unreadable(source: Path | str) -> str | None:
    """Why this process cannot open the file for reading, or None. It opens the file (and
    closes it at once) rather than asking ``access()``: AppArmor, fanotify virus scanners and
    some FUSE file systems refuse at open time what ``access()`` allows. A snapshot's unchanged
    files never get here (``skip_unchanged``)."""
    try:
        fd = open_read_only(source, follow_symlinks=True)
    except OSError as error:
        return UNREADABLE_FILE + os_problem(error)
    os.close(fd)
    return None


# ------------------------------------------------------------------ window
def _times(file: _File, local_tz: tzinfo | None = None) -> tuple[datetime | None, datetime | None]:
    """(start, end) of one file: ``timewindow.segment_times`` (name stamp, else header, else
    first record) and the mtime. Without a Genesys name stamp, a date-only name (logback
    ``%d{yyyy-MM-dd}``, Jetty ``yyyy_mm_dd``) or a Java header ``Start time:`` (the process
    start, repeated in every rolled file) is replaced by the first record's time when there
    is one. An mtime older than the start is not trusted (copied files): end unknown.

    A file whose name or folder names the day it holds (``timewindow.path_day``: PureConnect
    ``Logs/2024-03-05/``, ``2024-03-03.zip``, Jetty ``2024_03_05.request.log``) lies within that
    day, whatever its mtime says: it starts at its first record in the day, else at the day's
    start, and ends at its mtime in the day, else at the day's end (a copy made with ``scp -r``
    or ``cp -r`` gives every file the copy's time).

    ``local_tz``: the host's zone (``Window.local_tz``; None = this machine's), here and in the
    other helpers below."""
    from collector import timewindow

    name = _segment_name(file.host_path)
    head = read_head(file.source, HEAD_BYTES)
    day = timewindow.path_day(file.host_path, local_tz)
    mtime = _last_write(file, local_tz)
    try:
        times = timewindow.segment_times(name, head, mtime, local_tz=local_tz)
        start = times.start
        if start is not None and times.source in ("name", "header") \
                and parse_log_name(name).stamp is None:
            records = head[parse_header(head).header_end:]
            start = timewindow.segment_times("segment.log", records, mtime,
                                             local_tz=local_tz).start or start
    except (ValueError, OverflowError):
        start = None
    if day is not None and (start is None or not day[0] <= start < day[1]):
        start = day[0]
    end: datetime | None = timewindow.file_end_time(mtime)
    if start is not None and end is not None and end < start:
        end = None
    return start, end


def _last_write(file: _File, local_tz: tzinfo | None = None) -> float:
    """The file's mtime, or, when its path names the day it holds and the mtime is not in that
    day (a copy's), the last second of the day (``timewindow.within_day``)."""
    from collector import timewindow

    day = timewindow.path_day(file.host_path, local_tz)
    return file.mtime if day is None else timewindow.within_day(file.mtime, day)


def _last_record_time(file: _File, local_tz: tzinfo | None = None, *, dated_only: bool = False) -> datetime | None:
    """The time of the last record in the file's last ``TAIL_BYTES``, time-only stamps dated
    from the segment's start on (the first such time at or after it, as the Trimmer would
    when no rollover was missed), or None; ``dated_only``: None for a time-only stamp."""
    from collector.timeformats import parse_stamp, segment_clock

    if file.host_path.endswith(".gz"):
        return None                        # its tail is compressed bytes
    lines = read_tail(file.source, TAIL_BYTES).splitlines()
    if file.size > TAIL_BYTES:
        lines = lines[1:]                  # cut at its start
    stamp = next((found for found in map(parse_stamp, reversed(lines)) if found is not None), None)
    if stamp is None or (dated_only and stamp.day is None):
        return None
    clock = segment_clock(_segment_name(file.host_path), read_head(file.source, HEAD_BYTES),
                          _last_write(file, local_tz), local_tz=local_tz)
    if clock.times.start is None:
        return None
    try:
        return clock.context.resolve(stamp)
    except (ValueError, OverflowError):
        return None


def _first_record_time(file: _File, local_tz: tzinfo | None = None) -> datetime | None:
    """The time of the first record in the file's head (time-only stamps dated from the
    segment's start), or None."""
    from collector.timeformats import parse_stamp, segment_clock

    if file.host_path.endswith(".gz"):
        return None                        # its head is compressed bytes
    head = read_head(file.source, HEAD_BYTES)
    clock = segment_clock(_segment_name(file.host_path), head, _last_write(file, local_tz), local_tz=local_tz)
    stamp = next((found for found in map(parse_stamp, head[clock.header_end:].splitlines())
                  if found is not None), None)
    if stamp is None:
        return None
    try:
        return clock.context.resolve(stamp)
    except (ValueError, OverflowError):
        return None


def _sharing_a_stamp(members: list[_File]) -> set[int]:
    """ids of the files whose name stamp another file of the stream has too. GAX rolls
    ``gax.log.<ts>`` by size into ``gax.log.<ts>-1``, ``-2``...: the stamp is when the first of
    them started, not when each did, so it cannot order them or say which one holds a time."""
    by_stamp: dict[str, list[_File]] = {}
    for file in members:
        stamp = parse_log_name(_segment_name(file.host_path)).stamp
        if stamp is not None:
            by_stamp.setdefault(stamp, []).append(file)
    return {id(file) for group in by_stamp.values() if len(group) > 1 for file in group}


def _times_by_content(file: _File, local_tz: tzinfo | None = None) -> tuple[datetime | None, datetime | None]:
    """(start, end) of a file whose name stamp it shares (``_sharing_a_stamp``): its first and
    last records' times, each where there is one (else ``_times``: the shared stamp, the
    mtime). The last record beats the mtime, which a copy may have reset."""
    start, end = _times(file, local_tz)
    start = _first_record_time(file, local_tz) or start
    end = _last_record_time(file, local_tz) or end
    if start is not None and end is not None and end < start:
        end = None
    return start, end


def _ends_by_content(ordered: list[tuple[_File, datetime | None, datetime | None]], window: Window
                     ) -> list[tuple[_File, datetime | None, datetime | None]]:
    """``ordered`` (file, start, end) with the end of a segment that only its mtime puts before
    the window moved to its last record's time when that is later. A copy can carry an mtime
    earlier than what the file holds; the next segment's start (or none: the newest) says the
    segment may reach into the window, so its last records decide. Reads the tail of those few
    segments only."""
    if window.since is None:
        return ordered
    out = []
    for index, (file, start, end) in enumerate(ordered):
        following = ordered[index + 1][1] if index + 1 < len(ordered) else None
        if end is not None and end < window.since and start is not None \
                and (following is None or following > window.since) \
                and (window.until is None or start <= window.until):
            last = _last_record_time(file, window.local_tz)
            if last is not None and last > end:
                end = last
        out.append((file, start, end))
    return out


def _outside_by_name(members: list[_File], window: Window) -> tuple[list[_File], list[_File]]:
    """(to decide, outside): one stream's segments that are outside the window by their name
    stamps alone, without reading their heads. A SIP Server folder can hold tens of thousands of
    segments; reading and parsing every head cost about 0.25 ms each, and on a production host
    as many reads from a cold disk.

    Decided here only when every name has a Genesys time stamp: the app's wall clock at the
    segment's start, so its UTC start is within ``_NAME_STAMP_SLACK`` of the stamp.

    * Before the window: let M be the latest stamp of a segment that surely starts at or before
      ``since``. A segment stamped more than two slacks before M surely starts before that one,
      so a segment at or before ``since`` follows it: superseded.
    * After the window: a segment stamped more than one slack after ``until`` surely starts after
      it. The first of them (by stamp) is still decided by ``select_segments`` (its start ends
      the last kept segment); the others are outside.

    Leaving a segment out of the ordering can only make the rest look less superseded, so
    ``select_segments`` keeps no fewer of them."""
    if window.unbounded or len(members) <= _DECIDED_BY_NAME_MIN:
        return members, []
    stamped: list[tuple[datetime, _File]] = []
    for file in members:
        name = _segment_name(file.host_path)
        named = name_time(name) if parse_log_name(name).stamp is not None else None
        if named is None:
            return members, []
        stamped.append((named[0], file))
    stamped.sort(key=lambda pair: (pair[0], pair[1].host_path))
    try:
        since = window.since.astimezone(timezone.utc).replace(tzinfo=None) if window.since else None
        until = window.until.astimezone(timezone.utc).replace(tzinfo=None) if window.until else None
        before = [stamp for stamp, _ in stamped if stamp <= since - _NAME_STAMP_SLACK] if since else []
        superseded_before = before[-1] - 2 * _NAME_STAMP_SLACK if before else None
        after = until + _NAME_STAMP_SLACK if until else None
    except OverflowError:
        return members, []
    keep: list[_File] = []
    outside: list[_File] = []
    first_after = True
    for stamp, file in stamped:
        if superseded_before is not None and stamp < superseded_before:
            outside.append(file)
        elif after is not None and stamp > after:
            (keep if first_after else outside).append(file)
            first_after = False
        else:
            keep.append(file)
    return keep, outside


def _segment_name(host_path: str) -> str:
    """The file name of the segment a file holds (``hostfiles.segment_name``)."""
    return segment_name(posixpath.basename(host_path))


def _stream_key(host_path: str) -> tuple[str, tuple[str, str | None, str | None]]:
    return posixpath.dirname(host_path), parse_log_name(_segment_name(host_path)).stream


def _compressed_twins(files: list[_File]) -> tuple[list[_File], list[_File]]:
    """(files, ``.gz`` files whose plain file is among them). Both are there while a rotation
    is being compressed: the ``.gz`` may still be growing, and both would be one member."""
    plain = {f.host_path for f in files if not f.host_path.endswith(".gz")}

    def is_twin(file: _File) -> bool:
        return file.host_path.endswith(".gz") and file.host_path[:-3] in plain

    return [f for f in files if not is_twin(f)], [f for f in files if is_twin(f)]


def _is_snapshot(host_path: str) -> bool:
    return host_path.endswith(".snapshot.log")


def finished_files(files: list[_File], now: float | None = None, *, quiet_newest: bool = False) -> set[int]:
    """ids of the logs among ``files`` (one spec's) that are no longer written, so that their
    last line is taken even when it has no newline (the line a crash cut off, the one support
    needs most; ``member._UnfinishedLastLine`` drops it in a file still being written):

    * a ``*.snapshot.log``: written once, when the application ends abnormally;
    * a segment of a stream (``_stream_key``) with a newer segment: one modified after it, or
      at the same time, whose name stamp (when both have one) is later (a rotation stamps the
      next segment's name): the application has gone on writing in it (it opens it after
      closing this one). When mtimes and stamps disagree, neither is newer.

    Either also needs its last write ``FINISHED_QUIET`` seconds ago (no write still under way).

    ``quiet_newest`` (a collect): every other log quiet for ``FINISHED_QUIET`` is finished as well,
    the newest segment of a stream too: a stopped application (a ``--root`` copy, a crash) never
    writes its last line's newline, and its crash line is the one support wants. A snapshot
    passes False: a paused application with a buffered appender may flush in the middle of a
    line and write the rest hours later; the snapshot would then have shipped the line's start
    and the next one its rest, a fragment the rules cannot read. There the newest segment's last
    line waits for a newer segment (the state's offset stays before it). The worker checks that
    the file was not written after it was planned, and again before it hands that line on."""
    now = time.time() if now is None else now
    if quiet_newest:           # every rule below also needs the quiet: with this, the quiet is all
        return {id(file) for file in files if now - file.mtime >= FINISHED_QUIET}
    streams: dict[tuple[str, tuple[str, str | None, str | None]], list[tuple[float, object, _File]]] = {}
    finished = {id(file) for file in files if _is_snapshot(file.host_path) and now - file.mtime >= FINISHED_QUIET}
    for file in files:
        if not _is_snapshot(file.host_path):
            name = parse_log_name(_segment_name(file.host_path))      # the stream and the stamp, parsed once
            streams.setdefault((posixpath.dirname(file.host_path), name.stream), []).append(
                (file.mtime, name.stamp, file))
    for segments in streams.values():
        # newest first, one mtime at a time: a segment has a newer one when a later-modified
        # segment has no stamp, or a segment modified at the same time or later has a later
        # stamp (an unstamped segment: any later-modified one). Linear after the sort: a
        # stream can have thousands of segments.
        segments.sort(key=lambda s: -s[0])
        unstamped_later = False           # an unstamped segment modified after this mtime
        any_later = False                 # any segment modified after this mtime
        latest_stamp = None               # the latest stamp of the segments at or after this mtime
        at = 0
        while at < len(segments):
            mtime = segments[at][0]
            stop = at + 1
            while stop < len(segments) and segments[stop][0] == mtime:
                stop += 1
            group = segments[at:stop]
            for _, stamp, _file in group:
                if stamp is not None and (latest_stamp is None or stamp > latest_stamp):
                    latest_stamp = stamp
            for _, stamp, file in group:
                newer = (any_later if stamp is None
                         else unstamped_later or (latest_stamp is not None and latest_stamp > stamp))
                if newer and now - mtime >= FINISHED_QUIET:
                    finished.add(id(file))
            any_later = True
            unstamped_later = unstamped_later or any(stamp is None for _, stamp, _file in group)
            at += len(group)
    return finished


Kept = tuple[_File, datetime | None, datetime | None, bool, str]
STARTUP_REASON = "startup segment (keep-startup-file)"


def _startup_segment(members: list[_File]) -> _File | None:
    """The first segment of a stream of several, by name stamp when every file has one
    (``_outside_by_name`` may leave it out unread); None when one has none: then the earliest
    start decides."""
    if len(members) < 2:
        return None                        # the only segment is still being written: no startup file yet
    stamps = [parse_log_name(_segment_name(f.host_path)).stamp for f in members]
    if any(stamp is None for stamp in stamps):
        return None
    return min(zip(stamps, members), key=lambda pair: (pair[0], pair[1].mtime, pair[1].host_path))[1]


def choose_in_window(spec: CollectSpec, files: list[_File], window: Window,
                     startup_bases: Collection[str] = ()) -> tuple[list[Kept], list[_File]]:
    """(kept: file, start, end, trim, reason; outside the window) for one spec's files.

    ``startup_bases``: log bases whose ``[log] keep-startup-file`` is set; the first segment of
    each of their streams (thread streams too) is kept whole, whatever the window: it holds the
    options and connections the application started with (GENESYS.md (b))."""
    from collector import timewindow

    if window.unbounded or spec.window == "ignore":
        reason = "no time window" if spec.window != "ignore" else "window: ignore (always taken)"
        return [(f, None, timewindow.file_end_time(f.mtime), False, reason) for f in files], []
    kept: list[Kept] = []
    outside: list[_File] = []
    streams: dict[tuple[str, tuple[str, str | None, str | None]], list[_File]] = {}
    for file in files:
        if spec.always_in_window or _is_snapshot(file.host_path):
            start, end = _times(file, window.local_tz)
            if timewindow.overlaps(start, end, window) and not (
                    _is_snapshot(file.host_path) and _snapshot_before_window(file, start, window)):
                kept.append((file, start, end, False, "snapshot log in window"))
            else:
                outside.append(file)
        else:
            streams.setdefault(_stream_key(file.host_path), []).append(file)
    for (folder, (base, _thread, companion)), members in streams.items():
        keeps_startup = companion is None and posixpath.join(folder, base) in startup_bases
        startup = _startup_segment(members) if keeps_startup else None
        members, far = _outside_by_name(members, window)
        if startup is not None and any(f is startup for f in far):
            far = [f for f in far if f is not startup]
            kept.append((startup, *_times(startup, window.local_tz), False, STARTUP_REASON))
        outside += far
        shared = _sharing_a_stamp(members)
        local_tz = window.local_tz
        timed = [(f, *(_times_by_content(f, local_tz) if id(f) in shared else _times(f, local_tz)))
                 for f in members]
        ordered = sorted(timed, key=lambda t: (t[1] or t[2] or EPOCH, t[0].mtime, t[0].host_path))
        ordered = _ends_by_content(ordered, window)
        chosen = set(id(f) for f in timewindow.select_segments(
            [(f, start, end) for f, start, end in ordered], window, keep_first=False))
        if keeps_startup and startup is None and len(ordered) > 1:
            startup = ordered[0][0]
        for index, (file, start, end) in enumerate(ordered):
            if file is startup:
                kept.append((file, start, end, False, STARTUP_REASON))
                continue
            if id(file) not in chosen:
                outside.append(file)
                continue
            following = ordered[index + 1][1] if index + 1 < len(ordered) else None
            seg_end = following or end
            trim = bool((window.since and (start is None or start < window.since))
                        or (window.until and (seg_end is None or seg_end > window.until)))
            reason = "in window, trimmed at the edge" if trim else "in window"
            if trim and spec.kind == "binary-log":
                trim, reason = False, "in window (binary log: taken whole)"
            elif trim and _undated(file):
                trim, reason = False, f"in window; {UNDATED_NOTE}"
            kept.append((file, start, end, trim, reason))
    return kept, outside


def _snapshot_before_window(file: _File, start: datetime | None, window: Window) -> bool:
    """A ``*.snapshot.log`` that only its mtime puts in the window: its start (name stamp or
    header) and its last record both more than ``SNAPSHOT_LAG`` before the window starts. A
    copy made with ``cp -r`` or ``scp -r`` gives every file the copy's time, and a snapshot,
    never trimmed, was then shipped whole from days before (probe AG F3). The lag leaves in a
    crash snapshot whose last buffered records came a while before the crash (its mtime). Only a
    last record with its own date counts: a time-only one can be dated only within a day of the
    start (which, for a segment's snapshot, may be days before its crash), so such a snapshot
    stays in. Reads the tail of those few files only."""
    if window.since is None or start is None or start + SNAPSHOT_LAG > window.since:
        return False
    last = _last_record_time(file, window.local_tz, dated_only=True)
    return last is not None and last + SNAPSHOT_LAG <= window.since


def _undated(file: _File) -> bool:
    """``timewindow.records_undated`` of the file's first bytes, as the Trimmer would read them
    (a ``.gz`` rotation decompressed, UTF-16 text decoded). Read only for the few files the
    window cuts."""
    from collector.timewindow import UNDATED_PEEK_BYTES, records_undated

    text = text_head(read_head(file.source, UNDATED_PEEK_BYTES), file.host_path, UNDATED_PEEK_BYTES)
    if text is None:
        return False                       # corrupt gzip data: the member fails closed on it
    return records_undated(text, _segment_name(file.host_path))


# ------------------------------------------------------------------ caps
def _mb(value: float) -> str:
    return f"{value:g}"


def _tailable(candidate: Candidate) -> bool:
    return candidate.kind in ("log", "text")


def _planned_total(picks: list[_Pick]) -> int:
    return sum(p.candidate.capped_size for p in picks)


CAP_REACHED = "MB reached"      # the end of a size cap's skip reason ("cap 2048 MB reached")


def apply_cap(picks: list[_Pick], cap_mb: float | None, label: str
              ) -> tuple[list[_Pick], list[Skip]]:
    """Keep picks in the given order until ``cap_mb`` is spent; tail the one that crosses it."""
    if cap_mb is None:
        return picks, []
    left = int(cap_mb * MB)
    if _planned_total(picks) <= left:
        return picks, []                           # the usual case: everything fits
    kept: list[_Pick] = []
    skipped: list[Skip] = []
    for pick in picks:
        c = pick.candidate
        need = c.capped_size
        if need <= left:
            left -= need
            kept.append(pick)
        elif left > 0 and _tailable(c):
            pick.candidate = replace(c, tail_bytes=left,
                                     reason=f"{c.reason}; last {human(left)} ({label} {human(cap_mb * MB)})")
            left = 0
            kept.append(pick)
        else:
            skipped.append(Skip(c.host_path, c.product, f"{label} {_mb(cap_mb)} {CAP_REACHED}", c.size, c.mtime))
    return kept, skipped


# ------------------------------------------------------------------ entry points
class _Walk:
    """What one ``select`` run shares between its glob expansions: the folder budget, the
    folder listings (each folder is listed once) and the real paths of the folders files were
    found in (a file that is not a symlink has the real path ``realpath(folder)/name``)."""

    def __init__(self, root: Path, skip_unchanged: Callable[[os.stat_result], bool] | None = None) -> None:
        self.root = root
        self.skip_unchanged = skip_unchanged
        self.budget = WalkBudget()
        self.listings: Listings = {}
        self.real_dirs: dict[str, tuple[str, Path]] = {}
        self.stops_listed: set[str] = set()     # folders a glob could not search, listed as skipped

    def real_dir(self, folder: str) -> tuple[str, Path]:
        """(real path as text ending in the separator, real path) of a folder."""
        real = self.real_dirs.get(folder)
        if real is None:
            text = os.path.realpath(folder)
            real = self.real_dirs[folder] = (text if text.endswith(os.sep) else text + os.sep, Path(text))
        return real


def _child(folder: Path, name: str) -> Path:
    """``folder / name`` for a name from a folder listing (one segment, no separator)."""
    return folder.joinpath(name)


if hasattr(Path, "_make_child_relpath"):     # pathlib 3.11/3.12: the same path, parsed once less
    def _child(folder: Path, name: str) -> Path:  # noqa: F811
        return folder._make_child_relpath(name)  # type: ignore[attr-defined]


@dataclass
class _Passed:
    """Files a spec matched that neither its plan nor its skips list: taken by an earlier spec
    of the same installation, by another installation (``taken_by``), or unchanged since the
    last snapshot."""

    unchanged: int = 0
    own: int = 0
    taken_by: dict[str, None] = field(default_factory=dict)

    def note(self, owner: Installation, inst: Installation) -> None:
        if owner is inst:
            self.own += 1
        else:
            self.taken_by[f"{owner.product} {owner.name}"] = None


def _no_files(inst: Installation, taken_by: Sequence[str]) -> Skip:
    """The entry for an installation none of whose globs found a file of its own: discovery
    found it, so its folder is listed rather than silently empty."""
    where = f"{inst.app_dir}/" if inst.app_dir else (inst.log_bases[0] if inst.log_bases else "")
    reason = (f"no file of its own: its files were taken by {', '.join(taken_by)}" if taken_by
              else "no file of this installation found")
    return Skip(where, inst.product, reason)


def _is_log_folder(folder: str) -> bool:
    """A folder that holds logs and little else: ``.../logs``, ``.../log`` (any case), or one
    under ``var/log/`` (``var/log/jetty9``, ``var/log/genesys/SIPS_P``; not ``var/log`` itself)."""
    return (posixpath.basename(folder).lower() in ("log", "logs")
            or (folder.startswith("var/log/") and folder.count("/") >= 2))


def _log_folders(profile: Profile, values: Mapping[str, list[str]]) -> list[str]:
    """The fixed host folders (no wildcard) that the installation's ``kind: log`` globs look in
    and that are log folders (``_is_log_folder``): a file there that no spec takes is listed."""
    folders: dict[str, None] = {}
    for spec in profile.collect:
        if spec.kind != "log":
            continue
        for glob in spec.globs:
            for pattern in expand_spec_globs(glob, values):
                folder = posixpath.dirname(pattern)
                tree = folder.endswith("/**")      # {app_dir}/Logs/**/*.txt: Logs and its (day) folders
                if tree:
                    folder = folder[:-3]
                if folder and not any(c in folder for c in "*?[") and _is_log_folder(folder):
                    folders[folder + ("/**" if tree else "")] = None
    return list(folders)


_TREE_DEPTH = 4      # folders below a ``Logs/**`` log folder searched for strays (CIC: Logs/<day>/)


def _stray_folders(walk: _Walk, folder: str) -> list[str]:
    """``folder``, and for ``folder/**`` also its subfolders (not through symlinks), at most
    ``_TREE_DEPTH`` deep; from the listings the globs made already, in the walk's budget."""
    if not folder.endswith("/**"):
        return [folder]
    found, level = [], [folder[:-3]]
    for depth in range(_TREE_DEPTH + 1):
        found += level
        if depth == _TREE_DEPTH:
            break
        deeper = []
        for here in level:
            for entry in folder_entries(walk.root, here, walk.budget, walk.listings):
                try:
                    if entry.is_dir(follow_symlinks=False):
                        deeper.append(f"{here}/{entry.name}")
                except OSError:
                    continue
        level = deeper
    return found


def _strays(log_folders: Mapping[str, Installation], profiles: Mapping[str, Profile],
            claimed: Mapping[str, Installation], include_core: bool, walk: _Walk) -> list[Skip]:
    """The files in an installation's log folders that no spec of any installation took (a
    rotation or log name its profile does not know): listed with the reason, never silently
    left behind. Folders and files a snapshot found unchanged are passed over."""
    skipped: list[Skip] = []
    folders = {here: inst for tree, inst in log_folders.items() for here in _stray_folders(walk, tree)}
    for folder, inst in folders.items():
        source = source_of(walk.root, folder)
        info, why = probe(source)
        entries = []
        if info is not None and stat.S_ISDIR(info.st_mode):
            entries = folder_entries(walk.root, folder, walk.budget, walk.listings)
            why = unlisted_reason(entries)
        elif why is not None:
            why = UNREADABLE_FOLDER + why
        if why is not None:
            if folder not in walk.stops_listed:
                walk.stops_listed.add(folder)
                skipped.append(Skip(f"{folder}/", inst.product, why))
            continue
        if info is None or not stat.S_ISDIR(info.st_mode):
            continue
        real_text, _ = walk.real_dir(os.fspath(source))
        forbid = tuple(profiles[inst.product].forbid)
        screen = _screen(forbid, include_core)
        for entry in entries:
            if real_text + entry.name in claimed:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    continue
                info = os.lstat(entry.path)
            except OSError:
                continue
            regular = stat.S_ISREG(info.st_mode)
            if stat.S_ISLNK(info.st_mode) and os.path.realpath(entry.path) in claimed:
                continue                   # a link to a file taken under its own name
            if regular and walk.skip_unchanged is not None and walk.skip_unchanged(info):
                continue
            host = f"{folder}/{entry.name}"
            reason = (_never_reason(host, entry.path, forbid, include_core, screen) if regular else None) or (
                f"in the log folder of {inst.product} {inst.name}, but no pattern of {inst.product} "
                f"takes this name: not collected")
            skipped.append(Skip(host, inst.product, reason, info.st_size, info.st_mtime))
    return skipped


def _unlisted(unlisted: Mapping[str, str], installations: Sequence[Installation], walk: _Walk) -> list[Skip]:
    """Skips for the folders discovery could not list that no glob here listed already."""
    owners: dict[str, str] = {}
    for inst in installations:
        for folder in (inst.app_dir, *(posixpath.dirname(b) for b in inst.log_bases)):
            if folder is not None:
                owners.setdefault(folder, inst.product)
    skipped = []
    for folder, why in unlisted.items():
        if folder not in walk.stops_listed:
            walk.stops_listed.add(folder)
            skipped.append(Skip(f"{folder}/", owners.get(folder), why))
    return skipped


def _unprofiled(unprofiled: Mapping[str, str], claimed: Mapping[str, Installation], listed: Collection[str],
                walk: _Walk) -> list[Skip]:
    """Skips for the files of Genesys log streams no profile claims, but those a spec took or
    that are listed already; a file gone since discovery is passed over."""
    skipped = []
    for host, why in sorted(unprofiled.items()):
        source = source_of(walk.root, host)
        if host in listed or os.path.realpath(source) in claimed:
            continue
        try:
            info = os.lstat(source)
        except OSError:
            continue
        if walk.skip_unchanged is not None and stat.S_ISREG(info.st_mode) and walk.skip_unchanged(info):
            continue
        skipped.append(Skip(host, None, why, info.st_size, info.st_mtime))
    return skipped


def _matched_files(root: Path, spec: CollectSpec, inst: Installation, profile: Profile,
                   values: Mapping[str, list[str]], claimed: dict[str, Installation],
                   include_core: bool, walk: _Walk) -> tuple[list[_File], list[Skip], _Passed]:
    """The files of one spec and installation, the skipped ones with the reason, and what
    passed over the rest (``claimed``: real path -> the installation whose file it is).

    A file found by a folder listing that is not a symlink (nearly all of them) takes the fast
    path: the listing's cached ``lstat``, and its real path = its folder's real path (looked up
    once per folder) + its name, as text and as a ``Path``. Everything else goes through
    ``resolve_regular``."""
    files: list[_File] = []
    skipped: list[Skip] = []
    passed = _Passed()
    forbid = tuple(profile.forbid)
    screen = _screen(forbid, include_core)
    screened = screen.match
    product = inst.product
    is_regular = stat.S_ISREG
    skip_unchanged = walk.skip_unchanged
    folder = folder_text = folder_path = None
    for glob in spec.globs:
        for pattern in expand_spec_globs(glob, values):
            stopped: dict[str, str] = {}
            found = expand_glob_entries(root, pattern, budget=walk.budget, listings=walk.listings,
                                        stopped=stopped)
            for folder, why in stopped.items():
                if folder not in walk.stops_listed:     # each folder once, whichever spec reached it
                    walk.stops_listed.add(folder)
                    skipped.append(Skip(f"{folder}/", product, why))
            for host, entry in found.items():
                real: Path | None
                info: os.stat_result | None
                if entry is None:
                    source = source_of(root, host)
                    if os.path.isdir(source) and not os.path.islink(source):
                        continue
                    real, info, why = resolve_regular(root, source)
                    key = os.fspath(real) if real is not None else own_location(source)
                else:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            continue
                    except OSError:
                        pass
                    try:
                        # os.lstat, not entry.stat: the entry would keep its stat_result (about 500
                        # bytes a file) as long as the folder listing lives, to the end of select
                        info = None if entry.is_symlink() else os.lstat(entry.path)
                    except OSError:
                        info = None
                    if info is not None:
                        if not is_regular(info.st_mode):
                            key = os.path.realpath(entry.path)
                            if key in claimed:
                                passed.note(claimed[key], inst)
                                continue
                            claimed[key] = inst
                            skipped.append(Skip(host, product,
                                                f"not a regular file ({file_type_name(info.st_mode)})"))
                            continue
                        path, name = entry.path, entry.name
                        here = path[:len(path) - len(name) - 1] or os.sep
                        if here != folder:
                            folder = here
                            folder_text, folder_path = walk.real_dir(here)
                        key = folder_text + name
                        if key in claimed:
                            passed.note(claimed[key], inst)
                            continue
                        claimed[key] = inst
                        if screened(host) or name.lower().endswith(PEM_SUFFIXES):
                            reason = _never_reason(host, key, forbid, include_core, screen)
                        else:
                            reason = None
                        if reason is None and skip_unchanged is not None and skip_unchanged(info):
                            passed.unchanged += 1
                            continue
                        reason = reason or _unreadable(key)
                        if reason:
                            skipped.append(Skip(host, product, reason, info.st_size, info.st_mtime))
                            continue
                        files.append(_File(host, folder_path, info.st_size, info.st_mtime,
                                           info.st_dev, info.st_ino, name))
                        continue
                    real, info, why = resolve_regular(walk.root, Path(entry.path))
                    key = os.fspath(real) if real is not None else own_location(entry.path)
                if key in claimed:
                    passed.note(claimed[key], inst)
                    continue
                claimed[key] = inst
                if real is None or info is None:
                    skipped.append(Skip(host, product, why))
                    continue
                reason = _never_reason(host, key, forbid, include_core, screen)
                if reason is None and skip_unchanged is not None and skip_unchanged(info):
                    passed.unchanged += 1
                    continue
                reason = reason or _unreadable(key)
                if reason:
                    skipped.append(Skip(host, product, reason, info.st_size, info.st_mtime))
                    continue
                files.append(_File(host, real, info.st_size, info.st_mtime, info.st_dev, info.st_ino))
    return files, skipped, passed


def select(root: Path, profiles: Mapping[str, Profile], installations: Sequence[Installation],
           window: Window, caps: Caps, *, consent: frozenset[str] = frozenset(),
           include_core: bool = False,
           skip_unchanged: Callable[[os.stat_result], bool] | None = None,
           quiet_newest_finished: bool = True, unlisted: Mapping[str, str] | None = None,
           unprofiled: Mapping[str, str] | None = None) -> Plan:
    """The plan for these installations (see the module docstring).

    ``unlisted`` (host folder -> why): folders discovery needed and could not list
    (``discovery.discover``'s ``problems``); each is listed as skipped once, with the product
    whose app dir or log folder it is, if one is.

    ``unprofiled`` (host path -> why): the files of Genesys log streams no profile claims
    (``discovery.discover``'s ``unprofiled``); each is listed as skipped with that reason, unless
    a spec took it or it is listed already (a stray in an installation's log folder).

    ``quiet_newest_finished``: ``finished_files``' ``quiet_newest`` (False for a snapshot).

    ``skip_unchanged(stat)``: True leaves that file out of the plan altogether, before its
    readability, window and caps are looked at (a snapshot's files that have not changed since
    the last one: nothing of them will be read, and they take no room under the caps)."""
    root = Path(root)
    walk = _Walk(root, skip_unchanged)
    homes = _homes(root, walk.budget, walk.listings)
    claimed: dict[str, Installation] = {}
    picks: list[_Pick] = []
    skipped: list[Skip] = []
    used: dict[str, Profile] = {}
    log_folders: dict[str, Installation] = {}     # host folder -> the first installation whose logs are there
    for inst in installations:
        profile = profiles.get(inst.product)
        if profile is None:
            skipped.append(Skip(inst.app_dir or "", inst.product, "no profile for this product"))
            continue
        used.setdefault(profile.product, profile)
        values = _placeholder_values(inst, homes)
        found_own, taken_by = False, {}
        for folder in _log_folders(profile, values):
            log_folders.setdefault(folder, inst)
        for spec in profile.collect:
            files, spec_skips, passed = _matched_files(root, spec, inst, profile, values, claimed,
                                                       include_core, walk)
            found_own = found_own or bool(files or spec_skips or passed.unchanged or passed.own)
            taken_by.update(passed.taken_by)
            skipped += spec_skips
            files, twins = _compressed_twins(files)
            skipped += [Skip(f.host_path, inst.product, COMPRESSED_TWIN_SKIP, f.size, f.mtime) for f in twins]
            needed = spec.consent or (BINARY_CONSENT if spec.kind == "binary-log" else None)
            if needed and needed not in consent:
                reason = BINARY_SKIP if needed == BINARY_CONSENT else f"needs consent '{needed}'"
                skipped += [Skip(f.host_path, inst.product, reason, f.size, f.mtime) for f in files]
                continue
            kept, outside = choose_in_window(spec, files, window, inst.startup_bases)
            skipped += [Skip(f.host_path, inst.product, "outside window", f.size, f.mtime) for f in outside]
            if caps.per_file_mb is not None and spec.kind not in ("log", "text"):
                limit = caps.per_file_mb * MB
                skipped += [Skip(f.host_path, inst.product, f"larger than the per-file cap "
                                 f"{_mb(caps.per_file_mb)} MB ({spec.kind}, not tailed)", f.size, f.mtime)
                            for f, *_ in kept if f.size > limit]
                kept = [k for k in kept if k[0].size <= limit]
            first = spec.window == "ignore" or spec.kind == "config" or spec.always_in_window
            make = _candidates(inst, profile, spec, caps, needed is not None)
            finished = finished_files(files, quiet_newest=quiet_newest_finished) if spec.kind == "log" else set()
            spec_picks = [_Pick(make(f, start, end, trim, reason, id(f) in finished),
                                first or _is_snapshot(f.host_path), f.mtime)
                          for f, start, end, trim, reason in kept]
            spec_picks.sort(key=lambda p: (-p.newest_key, p.candidate.host_path))
            spec_cap = spec.cap_mb if spec.cap_mb is not None and caps.profile_caps else caps.per_spec_mb
            spec_picks, cap_skips = apply_cap(spec_picks, spec_cap, "cap")
            picks += spec_picks
            skipped += cap_skips
        if not found_own and inst.product != "host":
            skipped.append(_no_files(inst, list(taken_by)))
    skipped += _strays(log_folders, profiles, claimed, include_core, walk)
    skipped += _unlisted(unlisted or {}, installations, walk)
    skipped += _unprofiled(unprofiled or {}, claimed, {s.host_path for s in skipped}, walk)
    if caps.total_mb is None or _planned_total(picks) <= caps.total_mb * MB:
        total_kept, total_skips = picks, []        # everything fits: no need for the priority order
    else:
        order = {id(p): i for i, p in enumerate(picks)}
        by_priority = sorted(picks, key=lambda p: (not p.first, -p.newest_key, order[id(p)]))
        total_kept, total_skips = apply_cap(by_priority, caps.total_mb, "total cap")
        total_kept.sort(key=lambda p: order[id(p)])
    return Plan(root=root, window=window, installations=tuple(installations),
                members=tuple(p.candidate for p in total_kept),
                skipped=tuple(group_skips(skipped + total_skips)), profiles_used=tuple(used.values()))


def group_skips(skipped: Sequence[Skip], listed: int = LISTED_PER_GROUP) -> list[Skip]:
    """The skips as the plan keeps them. Up to ``listed`` files of one log stream (or, for files
    without a time stamp in the name, of one folder) left out for one reason are listed one by
    one; more become one entry, with their count, total size, first and last name and mtimes,
    in the place of the first. Its path is the stream's glob (``.../SIPS_P/SIPS_P-001.*``) or the
    folder (``.../conf/``).

    A SIP Server folder holds thousands of segments outside a two-hour window: listed one by one
    they made manifest.json megabytes long and report.html a table nobody reads, and they cost
    the main process memory for every file on the disk."""
    keys = [(_group_of(skip.host_path), skip.product, skip.reason) for skip in skipped]
    groups: dict[tuple[str, str | None, str], list[Skip]] = {}
    for key, skip in zip(keys, skipped):
        groups.setdefault(key, []).append(skip)
    if all(len(members) <= listed for members in groups.values()):
        return list(skipped)
    out: list[Skip] = []
    for key, skip in zip(keys, skipped):
        members = groups.get(key)
        if members is None:
            continue                                   # its group's entry is already out
        if len(members) <= listed:
            out.append(skip)
            continue
        del groups[key]
        out.append(_group_skip(key[0], members))
    return out


def _group_of(host_path: str) -> str:
    """``folder/<name up to the time stamp>*`` for a time-stamped log name, else ``folder/``."""
    folder, _, name = host_path.rpartition("/")
    folder = folder + "/" if folder else ""
    stamp = log_name_parts(name)[2]
    at = name.find(stamp) if stamp else -1
    return folder + name[:at] + "*" if at > 0 else folder


def _group_skip(path: str, members: Sequence[Skip]) -> Skip:
    sizes = [m.size for m in members if m.size is not None]
    names = [m.host_path.rpartition("/")[2] for m in members]
    mtimes = [m.mtime for m in members if m.mtime is not None]
    first = members[0]
    return Skip(path, first.product, first.reason, sum(sizes) if sizes else None,
                files=sum(m.files for m in members), names=(min(names), max(names)),
                modified=(min(mtimes), max(mtimes)) if mtimes else None)


def _candidates(inst: Installation, profile: Profile, spec: CollectSpec, caps: Caps, consented: bool
                ) -> Callable[[_File, datetime | None, datetime | None, bool, str], Candidate]:
    """The Candidate maker for the files of one spec and installation (what they share is set
    once): ``make(file, start, end, trim, reason)``; a file over the per-file cap keeps its tail."""
    # Candidate(...) without the frozen __init__'s object.__setattr__ per field: every field
    # through its slot's setter, the fields the files of a spec share from one list
    shared = dict(_CANDIDATE_DEFAULTS, product=inst.product, installation=inst.name, spec_id=spec.id,
                  kind=spec.kind, rule_sets=profile.redaction, unredacted_consent=consented)
    shared_setters = [(_SLOT[name], value) for name, value in shared.items()]
    limit = caps.per_file_mb * MB if caps.per_file_mb is not None else None

    def make(file: _File, start: datetime | None, end: datetime | None, trim: bool,
             reason: str, finished: bool = False) -> Candidate:
        tail = None
        if limit is not None and file.size > limit:
            tail = int(limit)
            reason = (f"{reason}; newest {human(tail)} of what the window keeps" if trim and spec.kind != "binary-log"
                      else f"{reason}; last {human(tail)} of the file") + f" (per-file cap {human(limit)})"
        elif limit is not None and spec.kind == "log" and file.host_path.endswith(".gz"):
            # a compressed rotation's text may be ~100x its size: the cap counts what is stored,
            # the worker keeps the text's newest ``limit`` bytes if it is longer (noted there)
            tail = int(limit)
            reason = f"{reason}; newest {human(tail)} of its text at most (per-file cap {human(limit)})"
        candidate = _new(Candidate)
        for setter, value in shared_setters:
            setter(candidate, value)
        # host_path interned: the run's results come back with the same text, and share it
        for setter, value in zip(_OWN_SETTERS, (file.source, sys.intern(file.host_path), file.size, file.mtime,
                                                start, end, reason, tail, trim, file.device, file.inode,
                                                reason == STARTUP_REASON, finished)):
            setter(candidate, value)
        return candidate

    return make


_new = object.__new__
_CANDIDATE_DEFAULTS = {f.name: f.default for f in fields(Candidate)
                       if f.name in ("start_offset", "whole_lines_only")}
_SLOT = {f.name: getattr(Candidate, f.name).__set__ for f in fields(Candidate)}    # slot setters
_OWN = ("source", "host_path", "size", "mtime", "start", "end", "reason", "tail_bytes", "trim", "device", "inode",
        "startup_segment", "finished")
_OWN_SETTERS = tuple(_SLOT[name] for name in _OWN)
assert len(fields(Candidate)) == 21 and MISSING not in _CANDIDATE_DEFAULTS.values() \
    and len(_CANDIDATE_DEFAULTS) + 6 + len(_OWN) == 21 and not hasattr(Candidate, "__post_init__"), \
    "Candidate changed: update _candidates"


def describe_plan(plan: Plan) -> list[dict[str, object]]:
    """One row per member for ``--dry-run``: path, size (bytes to read), product, installation,
    kind, reason, plus spec, full size, trim and tail."""
    return [{"path": c.host_path, "size": c.capped_size,
             "product": c.product, "installation": c.installation, "kind": c.kind,
             "reason": c.reason, "spec": c.spec_id, "full_size": c.size, "trim": c.trim,
             "tail_bytes": c.tail_bytes, "unredacted": c.unredacted_consent}
            for c in plan.members]
