"""One member of the bundle, processed in a worker process.

source (read-only, as of the moment it is opened) -> [Trimmer] -> [Redactor] -> PieceWriter

The source is opened only if it is still the file selection chose (same device and inode, no
symlink put in its place): a file or folder swapped since is left out, never read.

Fail closed: any failure drops the member's partial output and returns an ``Excluded`` with
the reason; raw bytes are never handed on. The only way a file is stored unredacted is the
explicit consent for binary logs (``Candidate.unredacted_consent``), and that is marked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from collector.crlines import CrLines, as_lf, cr_style, find_line_end
from collector.errors import FULL_ERRNOS, RUN_ENDING, BelowReserve, DiskFull, GcollectError, RedactionFailed
from collector.model import (FINISHED_QUIET, SIZE_CAP_CUT_NOTE, TAIL_NOTE, UNDATED_NOTE, Candidate, Excluded,
                             MemberResult, Window)
from collector.notext import not_text_problem
from collector.pagecache import CacheNeutralReader
from collector.scanner import LeakScanner
from collector.state import HEAD_BYTES
from collector.textsource import (GZIP_MAGIC, UTF16_NEWLINES, GzipCutShort, gunzip_chunks, utf16_encoding,
                                  utf16_head)


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker needs for one run (picklable): sent with every task to a pool's workers
    (``process_members_with``), a few hundred bytes; set up once per process."""

    tmp_dir: Path
    fmt: str
    level: int | None
    site_key: bytes
    token_db: Path
    rule_dirs: tuple[Path, ...]
    window: Window
    chunk_size: int
    call_ids: frozenset[bytes] = frozenset()   # --call: keep only this call's records
    # (name, SHA-256) of the run's rule sets, as the manifest records them: a worker that loads
    # a rule set itself (it was started before the run loaded them) uses it only if it matches
    rule_digests: tuple[tuple[str, str], ...] = ()
    checks_dir: Path | None = None             # state folder: rule-set checks remembered there
    # free space that must stay on the output file system (RoomGuard), shared by this many writers
    reserve_bytes: int | None = None
    writers: int = 1
    leave_out_below_reserve: bool = False      # --max-size: a piece that finds no room is left out


@dataclass(frozen=True)
class MemberOutcome:
    """``result`` and ``piece``, or ``excluded``; none of them: nothing new to store (a
    snapshot's file holding only a line still being written)."""

    result: MemberResult | None
    piece: object | None          # bundle.Piece
    excluded: Excluded | None
    bytes_read: int
    # (host path, bytes): a snapshot left a quiet file's last line (no newline) for a later run
    waiting: tuple[str, int] | None = None


# Per-process state, set up by configure_worker (inline) or at a pool worker's first task.
_CONFIG: WorkerConfig | None = None
_TOKENIZER = None
_STORE = None
_RULE_SETS: dict[tuple, list] = {}
_ROOM = None                   # hostguard.RoomGuard for _CONFIG's output folder

BELOW_RESERVE_REASON = "left out: no room for it above --reserve on the output file system"


def start_worker_process(low_priority: bool = False) -> None:
    """What a worker process sets up once, whatever run it serves: signals, dying with the main
    process, low priority (a ProcessPoolExecutor initializer)."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what to do
        if hasattr(signal, "SIGTERM"):                # not the CLI's handler: die quietly when stopped
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with_parent()
    if low_priority:
        from collector.hostguard import lower_priority

        lower_priority()


def configure_worker(config: WorkerConfig) -> None:
    """Set this process up for one run's config (token store, tokenizer)."""
    global _CONFIG, _TOKENIZER, _STORE, _ROOM
    from collector.redaction.tokens import Tokenizer, TokenStore

    close_worker()
    _CONFIG = config
    _ROOM = None
    if config.reserve_bytes is not None:
        from collector.hostguard import RoomGuard

        _ROOM = RoomGuard(config.tmp_dir.parent, config.reserve_bytes, config.writers)
    _STORE = TokenStore(config.token_db)
    _TOKENIZER = Tokenizer(config.site_key, _STORE)


def process_members_with(config: WorkerConfig, candidates: tuple[Candidate, ...]) -> list[MemberOutcome]:
    """``process_member`` in a pool's worker, for one task (one file, or several small ones): the
    run's config comes with every task and is set up at the first one (a pool started before
    discovery serves a run it has not seen)."""
    if _CONFIG != config:
        configure_worker(config)
    return [process_member(candidate) for candidate in candidates]


def preload_rule_sets(rule_dirs: tuple[Path, ...], loaded: dict[tuple[str, ...], list]) -> None:
    """The rule sets the run loaded, for the inline worker and for workers forked after this.
    Workers started earlier (or spawned) load them once per process and use them only if their
    SHA-256 is the one the manifest records (``WorkerConfig.rule_digests``)."""
    for names, rule_sets in loaded.items():
        _RULE_SETS[(names, rule_dirs)] = rule_sets


def _die_with_parent() -> None:
    """A worker must not outlive a main process killed with SIGKILL (Linux: PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
        if os.getppid() == 1:                  # the parent died before prctl took effect
            os._exit(1)
    except (OSError, AttributeError):
        pass


def close_worker() -> None:
    """Close this process's token store (its pending tokens written); forgotten first, so a
    close that fails (a full disk) is never tried again on a closed store."""
    global _STORE
    store, _STORE = _STORE, None
    if store is not None:
        store.close()


def _flush_tokens() -> None:
    flush = getattr(_STORE, "flush", None)
    if flush is not None:
        flush()


@dataclass
class _Stages:
    """The stream stages of one member, in order, with the ones whose results we read named."""

    chain: list
    trimmer: object | None = None
    call: object | None = None          # --call's CallFilter: it dates the call's records it keeps
    redactor: object | None = None
    scanner: LeakScanner | None = None
    stats: object | None = None
    newest: object | None = None     # NewestBytes: the per-file cap after the window cut


def _window_cuts(candidate: Candidate) -> bool:
    """Whether a Trimmer cuts this member to the window."""
    assert _CONFIG is not None
    return candidate.trim and candidate.kind != "binary-log" and not _CONFIG.window.unbounded


def _stages(candidate: Candidate, head: bytes, mtime: float, newest: int | None = None) -> _Stages:
    from collector.redaction.engine import Redactor
    from collector.redaction.rules import load_rule_sets
    from collector.timewindow import path_day, within_day

    assert _CONFIG is not None
    day = path_day(candidate.host_path, _CONFIG.window.local_tz)
    if day is not None:       # Logs/2024-03-05/x.txt: a copy's mtime would date its time-only records
        mtime = within_day(mtime, day)
    stages = _Stages(chain=[])
    if _window_cuts(candidate):
        from collector.timewindow import Trimmer

        stages.trimmer = Trimmer(_CONFIG.window, file_name=Path(candidate.host_path).name, head=head, mtime=mtime)
        stages.chain.append(stages.trimmer)
        if newest is not None:    # the per-file cap: the newest bytes of what the window keeps
            from collector.newestbytes import NewestBytes

            stages.newest = NewestBytes(newest, header=stages.trimmer.header, tmp_dir=_CONFIG.tmp_dir,
                                        note_for=lambda line: _cap_dating_note(stages, line))
            stages.chain.append(stages.newest)
    elif newest is not None:      # a .gz rotation's text under the per-file cap: its newest bytes, header first
        from collector.newestbytes import NewestBytes
        from collector.segheader import parse_header

        header = head[:parse_header(head).header_end] if candidate.kind == "log" else b""
        stages.newest = NewestBytes(newest, header=header, tmp_dir=_CONFIG.tmp_dir)
        stages.chain.append(stages.newest)
    if _CONFIG.call_ids and candidate.kind == "log":
        from collector.callfilter import CallFilter
        from collector.timeformats import segment_clock

        clock = segment_clock(Path(candidate.host_path).name, head, mtime, local_tz=_CONFIG.window.local_tz).context
        stages.call = CallFilter(_CONFIG.call_ids, clock=clock,          # ids are ConnIDs/CallUUIDs/Call-IDs:
                                 first_seen=(lambda: _first_passed_on(stages)) if stages.trimmer is not None else None)
        stages.chain.append(stages.call)                                 # kept by redaction
    if candidate.unredacted_consent:                         # binary log shipped raw by explicit consent
        return stages
    key = (candidate.rule_sets, _CONFIG.rule_dirs)
    rule_sets = _RULE_SETS.get(key)
    if rule_sets is None:   # parse and compile once per worker process, not once per file
        rule_sets = _RULE_SETS[key] = load_rule_sets(candidate.rule_sets, _CONFIG.rule_dirs,
                                                     checked_in=_CONFIG.checks_dir)
    _check_digests(rule_sets, _CONFIG.rule_digests, candidate.host_path)
    kind = "config" if candidate.kind == "config" else ("log" if candidate.kind == "log" else "text")
    stages.redactor = Redactor(rule_sets, _TOKENIZER, kind, candidate.host_path)
    stages.scanner = LeakScanner(candidate.host_path)        # independent check of the stored bytes
    stages.chain += [stages.redactor, stages.scanner]
    if candidate.kind == "log":
        stages.stats = _log_stats_stage(candidate, head, mtime, stages)
        if stages.stats is not None:
            stages.chain.append(stages.stats)
    return stages


def _check_digests(rule_sets: list, expected: tuple[tuple[str, str], ...], host_path: str) -> None:
    """Fail closed if a rule set a worker loaded is not the one the run loaded (edited since)."""
    if not expected:
        return
    wanted = dict(expected)
    for rule_set in rule_sets:
        if wanted.get(rule_set.name) != rule_set.sha256:
            raise RedactionFailed(path=host_path, problem=(
                f"rule set {rule_set.name} changed during the run ({rule_set.source}); run again"))


def _log_stats_stage(candidate: Candidate, head: bytes, mtime: float, stages: _Stages):
    """Pass-through stage counting message IDs and HA role changes (for the report), if present.
    A window's Trimmer (and the per-file cap after it) knows the time of the first record the
    statistics see: it dates them, not the header (a segment cut to a window may start days
    after its header)."""
    try:
        from collector.logstats import LogStats
    except ImportError:
        return None
    assert _CONFIG is not None

    def first_stored():                  # as the manifest's kept_first (process_member)
        return stages.call.kept_first if stages.call is not None else _first_passed_on(stages)  # type: ignore[union-attr]

    return LogStats(candidate.host_path, head=head, mtime=mtime, local_tz=_CONFIG.window.local_tz,
                    dating_hint=first_stored if stages.trimmer is not None or stages.call is not None else None)


class _counting:
    """Iterate chunks while counting the bytes read from the source."""

    def __init__(self, chunks) -> None:
        self._chunks = iter(chunks)
        self.total = 0

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        data = next(self._chunks)
        self.total += len(data)
        return data


class SourceTruncated(GcollectError):
    """truncated while it was read (copytruncate, or rewritten in place): left out, collect it again"""


def _read_range(source: CacheNeutralReader, size: int, candidate: Candidate, chunk: int,
                newline: bytes = b"\n", fd: int | None = None, cr_only: bool = False):
    """Yield the bytes to collect, as of open time (never past ``size``).

    * tail_bytes (size cap): the line-aligned last N bytes;
    * start_offset (snapshot): from there on;
    * whole_lines_only (snapshot): stop after the last newline, so a line still being written
      is collected whole by the next run. The generator's ``end`` attribute tells where it stopped.

    ``newline`` is the newline as the file stores it: one byte, or one UTF-16 code unit (two
    bytes, found only at an even offset, so that a cut never falls inside a character); a CR
    alone ends a line too where ``crlines`` says so (``cr_only``: the text is CR style).

    A file truncated under the reader (a read that comes back short, or ``fd``'s size below
    what was read) raises ``SourceTruncated``: after a copytruncate or a rewrite the reader
    would go on in other content, gluing two texts mid-line where no rule sees a label.

    Every read goes through ``source`` (``pagecache``): the pages it brought into the page
    cache are dropped behind the reader, the probes' pages once the reader has passed them.
    """
    unit = len(newline)
    start = candidate.start_offset
    if start % unit:
        raise RedactionFailed(path="", problem="resume offset inside a UTF-16 character; left out")
    end = size
    if candidate.tail_bytes is not None and candidate.whole_lines_only:
        # a snapshot's size cap: the oldest new bytes first, the rest is left for the next run
        # (the state advances only past what was read): nothing is skipped for good
        end = min(size, start + max(candidate.tail_bytes, unit))
    elif candidate.tail_bytes is not None and candidate.tail_bytes < size - start:
        start = size - candidate.tail_bytes
        start += -start % unit
        probe = source.read_at(start, min(chunk, size - start))
        cut = find_line_end(probe, newline, cr_only)
        if cut < 0:
            return start, []
        start += cut + unit
    stop = size
    if candidate.whole_lines_only and size > start and not candidate.finished:
        stop = _after_last_line(source, start, end, newline, cr_only)
        if stop == start and end < size:    # one line longer than the cap: taken whole
            stop = _after_last_line(source, start, size, newline, cr_only)

    def chunks():
        position = start
        while position < stop:
            wanted = min(chunk, stop - position)
            data = source.read_at(position, wanted)
            if len(data) < wanted or (fd is not None and os.fstat(fd).st_size < position + wanted):
                raise SourceTruncated()   # truncated under the reader (copytruncate, a rewrite)
            position += len(data)
            source.done_below(position)
            yield data

    return start, chunks()


def _after_last_line(source: CacheNeutralReader, start: int, end: int, line_end: bytes, cr_only: bool) -> int:
    """Where the last whole line in ``[start, end)`` ends, or ``start`` when there is none."""
    unit = len(line_end)
    window = min(end - start, LAST_LINE_WINDOW)
    while True:
        window -= (end - window) % unit          # read from a code-unit boundary
        tail = source.read_at(end - window, window)
        cut = find_line_end(tail, line_end, cr_only, last=True)
        if (cut >= 0 and unit == 1 and not cr_only and tail[cut] == 13 and tail.rfind(b"\n", 0, cut) < 0
                and window < min(end - start, MAX_QUOTE_WINDOW)):
            cut = -1        # a CR judged without its line's start (quotes counted mid-line): read more
        if cut >= 0:
            return end - window + cut + unit
        if window >= end - start:
            return start            # no complete line yet
        window = min(end - start, window * 4)


SAME_HEAD_BYTES = 4096
MAX_QUOTE_WINDOW = 16 << 20     # how far back a snapshot's cut looks for the start of a CR's line
LAST_LINE_WINDOW = 1 << 20      # a snapshot's cut: the last bytes read first to find the last line end


def _check_same_head(source: CacheNeutralReader, fd: int, head: bytes) -> None:
    """Raise ``SourceTruncated`` when the file no longer starts as it did when it was opened:
    truncated and written again while it was read (between two of the reader's size checks).
    Bytes that were NUL at open (a preallocated file written in place) may have been filled."""
    known = head[:SAME_HEAD_BYTES].rstrip(b"\0")
    if not known:
        return
    now = source.read_at(0, len(known))
    if len(now) < len(known) or (now != known and any(was and was != byte for was, byte in zip(known, now))):
        raise SourceTruncated()


def _finish_chain(chain: list, store) -> None:
    """Finish the stages in order, each one's last bytes going through the stages after it. A
    stage with ``drain`` (NewestBytes: up to a cap's worth of bytes) hands them on piece by
    piece, so its end is never one buffer the size of the cap."""
    for index, stage in enumerate(chain):
        later = chain[index + 1:]
        for data in (stage.drain() if hasattr(stage, "drain") else (stage.finish(),)):
            for after in later:
                if not data:
                    break
                data = after.feed(data)
            if data:
                store(data)


def _first_passed_on(stages: _Stages):
    """Time of the first record the window's Trimmer kept, or the per-file cap after it when it
    cut (None without a window): what the manifest's kept_first says, and where the stages after
    them (--call's filter, the statistics) start dating."""
    kept_first = stages.trimmer.kept_first if stages.trimmer is not None else None    # type: ignore[union-attr]
    if stages.newest is not None and stages.newest.cut:
        return _newest_first(stages, kept_first)
    return kept_first


def _newest_first(stages: _Stages, kept_first):
    """Time of the first record the per-file cap kept (the window's first one was dropped)."""
    from collector.newestbytes import first_kept_micros
    from collector.timeformats import from_micros, to_micros

    if stages.trimmer is None:          # a .gz rotation capped without a window: no dates to follow
        return kept_first
    kept_last = stages.trimmer.kept_last
    micros = first_kept_micros(stages.newest.first_kept, stages.trimmer.context,
                               to_micros(kept_first) if kept_first is not None else None,
                               to_micros(kept_last) if kept_last is not None else None)
    return from_micros(micros) if micros is not None else None


def _cap_dating_note(stages: _Stages, first_line: bytes) -> bytes:
    """The line before the first record the per-file cap kept, giving its date when a reader
    dating it from the header would be half a day or more off (as the Trimmer does for the
    window: its line went with the records the cap left out)."""
    from collector.timeformats import RECORD_STAMP, stamp_from_match, to_micros

    m = RECORD_STAMP.match(first_line)
    first = _first_passed_on(stages)
    return stages.trimmer.dating_note(to_micros(first) if first is not None else None,    # type: ignore[union-attr]
                                      stamp_from_match(m) if m else None, by="size cap")


def _newest_note(newest, windowed: bool = True) -> str:
    from collector.units import human

    if not windowed:                    # a .gz rotation: the cap counts its text, not its compressed bytes
        return (f"{SIZE_CAP_CUT_NOTE}: newest {human(newest.limit)} of its decompressed text kept, "
                f"{human(newest.bytes_dropped)} of older records left out (per-file cap)")
    return (f"{SIZE_CAP_CUT_NOTE}: newest {human(newest.limit)} of the window's records kept, "
            f"{human(newest.bytes_dropped)} of older in-window records left out (per-file cap)")


WAITING_LINE_NOTE = "its last line has no newline yet"
WAITING_LINE_WHY = ("left for a later snapshot, which takes it once a newer segment shows that the "
                    "application went on (a stopped or crashed application's last line; a paused one may still finish it)")
SNAPSHOT_CAP_NOTE = "size cap"
TAIL_HEADER_NOTE = ", after its segment header"
CHANGED_SINCE_SELECTION = "changed since selection: not the file that was selected"
STARTUP_SEGMENT_NOTE = "startup segment (keep-startup-file), taken whole"
MAX_CALL_TEXT = 16 << 20      # --call: the redacted records of one call kept per file for call-<id>.log


def _waiting(candidate: Candidate, left: int, mtime: float, gzipped: bool) -> tuple[str, int] | None:
    """(path, bytes) when a snapshot leaves the ``left`` bytes after a file's last line end for a
    later run (``_read_range``: a line still being written), though the file has been quiet for
    ``FINISHED_QUIET``: the newest segment of an application that stopped or crashed in the
    middle of a line (``selection.finished_files``: a snapshot does not count it as finished)."""
    import time

    if (left <= 0 or gzipped or not candidate.whole_lines_only or candidate.finished
            or candidate.tail_bytes is not None or time.time() - mtime < FINISHED_QUIET):
        return None
    return candidate.host_path, left


def _is_gzip(candidate: Candidate, head: bytes) -> bool:
    return candidate.host_path.endswith(".gz") and head.startswith(GZIP_MAGIC)


GZIP_CUT_NOTE = "gzip stream truncated"
MAX_HELD_LINE = 4 << 20        # the longest line a redactor takes (longer: left out)


class _GzipText:
    """The text of a .gz (``gunzip_chunks``), kept when its stream is cut short: ``chunks()``
    yields the text up to its last newline and holds back what follows, until the next newline
    or the stream's end. At a cut (``GzipCutShort``) the held text, an incomplete line, is
    dropped, never shipped: a secret cut in half could escape the rules. A cut before the first
    newline leaves nothing usable: the GzipCutShort goes on (the file is left out)."""

    def __init__(self, text_chunks):
        self._text_chunks = text_chunks
        self.cut: GzipCutShort | None = None   # the stream ended inside a member
        self.dropped = 0                        # bytes of the incomplete last line left out
        self._utf16: bool | None = None         # UTF-16 text (BOM): a cut one stays left out
        self._cr_only = False                   # CR-style text (crlines): a CR alone ends a line

    def chunks(self):
        held: list[bytes] = []                  # text after the last newline handed on
        held_len = 0
        whole_lines = False
        try:
            for data in self._text_chunks:
                if self._utf16 is None:
                    self._utf16 = utf16_encoding(data) is not None
                    self._cr_only = cr_style(data)
                # a CR alone ends a line in CR-style text; elsewhere it may be inside a record (a
                # typed line break), and a cut there would hand on half a value
                end = max(data.rfind(b"\n"), data.rfind(b"\r") if self._cr_only else -1) + 1
                if not end:
                    held.append(data)
                    held_len += len(data)
                    if held_len > MAX_HELD_LINE:
                        raise RedactionFailed(path="", problem=f"a line over {MAX_HELD_LINE >> 20} MiB; left out")
                    continue
                whole_lines = True
                yield from held
                yield data[:end] if end < len(data) else data
                held, held_len = ([data[end:]], len(data) - end) if end < len(data) else ([], 0)
        except GzipCutShort as cut:
            if not whole_lines or self._utf16:
                raise                           # nothing usable; UTF-16 lines are not cut here
            self.cut, self.dropped = cut, held_len
            return
        yield from held                         # the stream is whole: its last line too

    def note(self) -> str:
        cut = self.cut
        assert cut is not None
        return (f"{GZIP_CUT_NOTE} after {cut.fields['text']} bytes of text: the rest is missing"
                + (f" (the {self.dropped} bytes after its last newline, an incomplete line, left out)"
                   if self.dropped else "")
                + (f" ({cut.fields['nuls']} NUL bytes after the cut not read as data)" if cut.fields['nuls'] else ""))


UNFINISHED_LINE_NOTE = "its last line had no newline (still being written, or cut by a crash)"
FINISHED_LINE_NOTE = "its last line had no newline"
NO_COMPLETE_LINE = "no complete line: its text has no newline (a line still being written, or not text); left out"


class _UnfinishedLastLine:
    """A log's text with its unfinished last line held back and dropped: the bytes after the
    last line end, when the text does not end with one. A live segment is read while its
    writer is in the middle of a line, and a crash leaves a half line (and zeros after it): a
    value cut short there (a number without its closing quote, half a Digest ``response=``)
    escapes the rules, which need the whole line. Line ends: ``\n`` (a CR that ends a line is
    LF already, ``_CrLineEnds``; a CR alone inside a record is not a line end). NULs after the last
    line end are handed on (the redactor drops a trailing run); at most ``MAX_HELD_LINE`` bytes are held. ``dropped``: the bytes left
    out (NULs after them not counted); ``ended``: the text was read to its end. A text without
    any line end is no line at all: RedactionFailed (left out), as a ``.gz`` cut before its
    first newline. ``keep_last``: the file is finished (``selection.finished_files``, or a whole
    ``.gz``): no writer is in its last line, which is handed on as any line and redacted; also
    when it is all the text of a ``resumed`` read (the line a snapshot held back before).
    ``still_finished``: asked before that line is handed on; False (the file was written while
    it was read) drops it as in a live file. ``kept``: the bytes of a last line handed on
    without a newline (``note`` says so); ``why``: why the file counts as finished."""

    def __init__(self, *, keep_last: bool = False, resumed: bool = False,
                 still_finished: Callable[[], bool] | None = None, why: str = "") -> None:
        self.keep_last = keep_last    # a finished file: its last line is handed on (redacted), not dropped
        self.resumed = resumed        # the text goes on from lines read before (a snapshot's continuation)
        self.still_finished = still_finished
        self.why = why
        self.kept = 0
        self.dropped = 0
        self.nuls_after = 0           # NULs after the dropped line (a crash), dropped with it
        self.ended = False

    def chunks(self, chunks):
        held = bytearray()            # text after the last line end handed on
        nuls = 0                      # NULs after ``held``, not buffered while ``held`` is empty
        handed_on = False             # a line end was seen
        for data in chunks:
            body = data.rstrip(b"\0")
            if not body:
                nuls += len(data)
                continue
            if nuls:                  # NULs inside the text: where they were
                if held:
                    if nuls > MAX_HELD_LINE:
                        raise RedactionFailed(path="", problem=f"a line over {MAX_HELD_LINE >> 20} MiB; left out")
                    held += bytes(nuls)
                else:
                    yield from _zeros(nuls)
                nuls = 0
            end = body.rfind(b"\n") + 1
            if end:
                handed_on = True
                yield bytes(held) + body[:end] if held else body[:end]
                held = bytearray(body[end:])
            else:
                held += body
            nuls = len(data) - len(body)
            if len(held) > MAX_HELD_LINE:
                raise RedactionFailed(path="", problem=f"a line over {MAX_HELD_LINE >> 20} MiB; left out")
        if held and not handed_on and not (self.keep_last and self.resumed):
            raise RedactionFailed(path="", problem=NO_COMPLETE_LINE)
        if held and self.keep_last and (self.still_finished is None or self.still_finished()):
            self.ended = True
            self.kept = len(held)
            yield bytes(held)
            yield from _zeros(nuls)   # the redactor drops a trailing run (and counts it)
            return
        self.ended = True
        self.dropped = len(held)
        self.nuls_after = nuls if held else 0
        if not held:
            yield from _zeros(nuls)

    def note(self) -> str:
        if self.kept:
            return (f"{FINISHED_LINE_NOTE}, and {self.why} (a crash or a stop cut the line): "
                    f"its {self.kept} bytes kept, redacted like any line")
        return (f"{UNFINISHED_LINE_NOTE}: its {self.dropped} bytes left out"
                + (f", and the {self.nuls_after} NUL bytes after it" if self.nuls_after else ""))


class _CrLineEnds:
    """The ``CrLines`` stage over a member's chunks (``crlines``: which CRs end lines, stored
    as LF). ``_Context`` chunks (whole lines before a resumed read) are turned alike."""

    def __init__(self, cr_only: bool, ends_line: bool = False) -> None:
        self.lines = CrLines(cr_only=cr_only, ends_line=ends_line)

    @property
    def converted(self) -> int:
        return self.lines.converted

    def chunks(self, chunks):
        lines = self.lines
        for data in chunks:
            if type(data) is _Context:  # whole lines: a line boundary before and after it
                held = lines.finish()
                if held:
                    yield held
                yield _Context(as_lf(data, lines.cr_only)[0])
                continue
            data = lines.feed(data)
            if data:
                yield data
        held = lines.finish()
        if held:
            yield held

    def note(self) -> str:
        return self.lines.note()


def _zeros(count: int):
    """``count`` NUL bytes, in pieces of at most 64 KiB."""
    while count:
        step = min(count, 1 << 16)
        count -= step
        yield bytes(step)


# Three characters in a row each of whose two bytes is printable ASCII: what 8-bit text (6+ bytes)
# becomes when read as UTF-16, e.g. "Password=" appended to a UTF-16 file by `echo ... >> file`.
# Rules would not see such text, and it comes back by re-encoding, so it must not be shipped. The
# box-drawing block (U+2500-U+257F, banner frames) is not counted; CJK text matches (see below).
_MISREAD_8BIT = re.compile("[%s]{3}" % "".join(
    f"\\u{high:02x}20-\\u{high:02x}7e" for high in range(0x20, 0x7F) if high != 0x25))


def _utf16_encoding(candidate: Candidate, head: bytes) -> str | None:
    """``utf16_encoding`` of a text; never for a binary shipped raw by consent (byte for byte)."""
    return None if candidate.unredacted_consent else utf16_encoding(head)


def _utf16_to_utf8(chunks, encoding: str, *, bom: bool):
    """Decode UTF-16 text chunk by chunk (a character may be cut anywhere between two chunks,
    also inside a surrogate pair) into UTF-8, line endings as they are, the byte order mark
    (``bom``: the stream starts with it) dropped. Memory: one chunk.

    Fails closed, never replacing: a lone surrogate or a text that ends inside a character is
    not UTF-16 text (a damaged file, or binary data behind a BOM), and replacing it would guess
    at what a rule is to see. Also left out: a run of characters that 8-bit text read as UTF-16
    would make (``_MISREAD_8BIT``): such text is hidden from every rule, though a re-encoding
    brings it back. That also leaves out UTF-16 text in Chinese or Japanese, as before."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)("strict")
    read = 0
    before = ""                        # the last characters of the previous chunk
    for data in itertools.chain(chunks, (None,)):
        final = data is None
        try:
            text = decoder.decode(b"" if final else data, final)
        except UnicodeDecodeError as exc:
            problem = ("ends inside a character (an odd number of bytes, or half a surrogate pair)"
                       if final else f"a lone surrogate near byte {read + exc.start}")
            raise RedactionFailed(path="", problem=f"not valid {encoding} text: {problem}; left out") from None
        read += 0 if final else len(data)
        if bom and text:
            bom = False
            if text[0] == "\ufeff":
                text = text[1:]
        misread = _MISREAD_8BIT.search(before + text)
        if misread:
            raise RedactionFailed(path="", problem=(
                f"{encoding} text with characters that may be 8-bit text read as UTF-16 "
                f"({misread.group()!r}): no rule would see that text; left out"))
        before = (before + text)[-2:]
        if text:
            yield text.encode("utf-8")


# the XML declaration on a UTF-16 file's first line names its encoding; stored as UTF-8, a parser
# would refuse the file (probe R 10: a WDE .exe.config, a .NET Mail.config)
_XML_DECLARED_UTF16 = re.compile(rb"""\A(<\?xml[^\n>]*?\sencoding\s*=\s*)(["'])utf-?16(?:-?[lb]e)?\2""", re.IGNORECASE)
XML_DECLARATION_NOTE = 'its XML declaration says encoding="utf-8" (was utf-16)'


class _XmlDeclaration:
    """The UTF-8 text of a UTF-16 file, its first line's XML declaration rewritten from
    ``encoding="utf-16"`` to ``encoding="utf-8"``; ``rewritten`` says whether it was."""

    _LOOK = 512          # the declaration is in the first line, which is short

    def __init__(self) -> None:
        self.rewritten = False

    def chunks(self, chunks):
        head = b""
        for data in chunks:
            if head is None:
                yield data
                continue
            head += data
            if len(head) < self._LOOK and b"\n" not in head:
                continue
            yield self._declared(head)
            head = None
        if head:
            yield self._declared(head)

    def _declared(self, head: bytes) -> bytes:
        fixed, count = _XML_DECLARED_UTF16.subn(lambda m: m.group(1) + m.group(2) + b"utf-8" + m.group(2), head, 1)
        self.rewritten = bool(count)
        return fixed


def _after(chunks, count: int, skipped: bytearray | None = None):
    """The chunks without their first ``count`` bytes; the last ``MAX_CONTEXT`` of those are
    kept in ``skipped`` (the context of a resumed read)."""
    for data in chunks:
        if count and skipped is not None:
            skipped += data[:count]
            del skipped[:-MAX_CONTEXT]
        if count >= len(data):
            count -= len(data)
            continue
        if count:
            data, count = data[count:], 0
        yield data


RESUME_CONTEXT = 64 << 10     # a resumed read: at least this much text before it primes the rules
MAX_CONTEXT = MAX_HELD_LINE + RESUME_CONTEXT
RESUME_HEADER_NOTE = "its segment header (from the start of the file) stored first"


class _Context(bytes):
    """The whole lines before a resumed read: they prime the redactor (``Redactor.prime``) and
    are never stored."""


def _lines_before(read, start: int, newline: bytes, cr_only: bool) -> bytes:
    """The whole lines just before ``start`` (a line start), read with ``read(offset, count)``:
    at least ``RESUME_CONTEXT`` bytes back to a line start, further back when the line there is
    longer (up to ``MAX_CONTEXT``), from 0 when that is closer."""
    unit = len(newline)
    want = RESUME_CONTEXT
    while True:
        begin = max(0, start - want)
        begin += -begin % unit
        data = read(begin, start - begin)
        if begin == 0:
            return data
        cut = find_line_end(data, newline, cr_only)
        if (0 <= cut and cut + unit < len(data)) or want >= MAX_CONTEXT:
            return data[cut + unit:] if cut >= 0 else b""
        want = min(want * 4, MAX_CONTEXT)


def _context_text(read, start: int, newline: bytes, encoding: str | None, cr_only: bool) -> _Context:
    """``_lines_before`` as UTF-8 text (a UTF-16 file's decoded), its line-ending CRs as LF (as
    the text after it, ``_CrLineEnds``)."""
    data = _lines_before(read, start, newline, cr_only)
    if encoding and data:
        at_start = len(data) == start
        data = b"".join(_utf16_to_utf8([data], encoding, bom=at_start))
    return _Context(as_lf(data, cr_only)[0])


def _resume_header(text_head: bytes, resumed: int, encoding: str | None) -> bytes:
    """The segment header (UTF-8 text) of a log whose read resumes at ``resumed`` (source
    bytes; of the text for a .gz), or b"" when there is none or the read starts inside it."""
    from collector.segheader import parse_header

    header = text_head[:parse_header(text_head).header_end]
    if not header:
        return b""
    try:
        stored_end = 2 + len(header.decode("utf-8").encode(encoding)) if encoding else len(header)
    except (UnicodeError, LookupError):
        return b""
    return header if stored_end <= resumed else b""


def _resumed(chunks, header: bytes, context):
    """A resumed read's chunks, led by the segment ``header`` (stored) and the ``context()``
    before the resume point (a ``_Context``: primes the redactor, not stored); nothing at all
    when there are no chunks (nothing new: no member)."""
    chunks = iter(chunks)
    for first in chunks:
        if header:
            yield header
        yield context()
        yield first
        yield from chunks


def _with_head(chunks, size: int = 16384):
    """(first `size` bytes, the same chunks again) without reading anything twice."""
    taken: list[bytes] = []
    have = 0
    for data in chunks:
        taken.append(data)
        have += len(data)
        if have >= size:
            break
    return b"".join(taken)[:size], itertools.chain(taken, chunks)


def _tail_header(candidate: Candidate, head: bytes, size: int, encoding: str | None) -> tuple[bytes, Candidate]:
    """(the segment header to store first, the candidate with its tail shortened by it) when
    the size cap keeps the tail of a log (no window cut): time-only records take their date
    from the header (``Local time:``, ``Time zone:``), as when the window cuts. The header
    counts against the cap (as ``NewestBytes`` counts it); the tail never starts inside it.
    (b"", candidate) when there is no header or no cut. The header is text (UTF-8)."""
    from collector.segheader import parse_header

    if (candidate.tail_bytes is None or candidate.kind != "log" or candidate.start_offset
            or candidate.whole_lines_only or candidate.tail_bytes >= size or candidate.unredacted_consent):
        return b"", candidate
    text_head = utf16_head(head, encoding) if encoding else head
    text_head = as_lf(text_head, cr_style(text_head))[0]      # as stored
    header = text_head[:parse_header(text_head).header_end]
    if not header:
        return b"", candidate
    # where the header ends in the file: its text re-encoded after the byte order mark
    stored_end = 2 + len(header.decode("utf-8").encode(encoding)) if encoding else len(header)
    if encoding and head[2:stored_end].decode(encoding, "replace").encode("utf-8") != header:
        return b"", candidate
    # _read_range starts after the first newline in the tail: at most from the header's last one
    tail = min(max(0, candidate.tail_bytes - len(header)), size - stored_end + (2 if encoding else 1))
    return header, dataclasses.replace(candidate, tail_bytes=tail)


MAX_RECORD_SEARCH = 1 << 20     # the tail's first record start is looked for in this many bytes


def _header_then_records(header: bytes, chunks):
    """``header``, then the tail ``chunks`` (from a line start) from their first record start
    (a timestamp-led line: continuation lines of a record cut by the cap are dropped); from the
    line start as they are when no record starts in their first ``MAX_RECORD_SEARCH`` bytes."""
    yield header
    chunks = iter(chunks)
    taken = bytearray()
    for data in chunks:
        taken += data
        if len(taken) >= MAX_RECORD_SEARCH or _first_record(taken) is not None:
            break
    kept = bytes(taken[_first_record(taken) or 0:])
    if kept:
        yield kept
    yield from chunks


def _first_record(data: bytes | bytearray) -> int | None:
    """Offset of the first timestamp-led line in ``data`` (which starts at a line start), or None."""
    from collector.newestbytes import first_record_start

    found = first_record_start(b"\n" + bytes(data)) - 1
    return found if found >= 0 and _is_record_start(data, found) else None


def _is_record_start(data: bytes | bytearray, offset: int) -> bool:
    from collector.timeformats import RECORD_STAMP, stamp_from_match

    found = RECORD_STAMP.match(data, offset)
    return found is not None and stamp_from_match(found) is not None


def process_member(candidate: Candidate) -> MemberOutcome:
    """Trim, redact and compress one file into a piece; never raises for a bad file."""
    from collector.bundle.pieces import INLINE_PIECE_MAX, PieceWriter
    from collector.hostguard import NotTheSelectedFile, open_selected

    assert _CONFIG is not None, "configure_worker was not called"
    piece_writer = None
    counted: _counting | None = None
    bytes_read = 0
    try:
        fd, info = open_selected(candidate.source, candidate.device, candidate.inode)
        source = CacheNeutralReader(fd, info.st_size)   # leaves the page cache as it found it
        try:
            size = info.st_size
            head = source.read_at(0, 16384)       # also where there is no os.pread (Windows)
            source_head = head                  # as stored: the snapshot state's head digest
            gzipped = _is_gzip(candidate, head)
            text_start = 0
            newest = None
            if candidate.tail_bytes is not None and _window_cuts(candidate):
                # the cap applies to what the window keeps (NewestBytes), not to the raw file:
                # a tail taken before the cut is a fragment from outside the window
                newest = candidate.tail_bytes
                candidate = dataclasses.replace(candidate, tail_bytes=None)
            if gzipped:   # a compressed rotation: redact the text inside, store it uncompressed
                # (a snapshot's start_offset counts bytes of the text: what the segment had
                # when it was collected under its name without .gz)
                if newest is None and candidate.tail_bytes is not None and not candidate.whole_lines_only:
                    # the per-file cap counts the text stored, not the compressed bytes: its
                    # newest bytes are kept (NewestBytes, bounded memory), as a plain log's tail
                    newest = candidate.tail_bytes
                text_start = candidate.start_offset
                candidate = dataclasses.replace(candidate, tail_bytes=None, start_offset=0,
                                                whole_lines_only=False)
            encoding = None if gzipped else _utf16_encoding(candidate, head)
            tail_header, candidate = _tail_header(candidate, head, size, encoding)
            # which CRs end lines (crlines): all CRs alone in CR-style text, else those before a record
            cr_only = cr_style(utf16_head(head, encoding) if encoding else head)
            start, chunks = _read_range(source, size, candidate, _CONFIG.chunk_size,
                                        UTF16_NEWLINES[encoding] if encoding else b"\n", fd, cr_only)
            counted = _counting(chunks)
            chunks = counted
            gzip_text = None
            skipped = bytearray()            # a .gz continued: the text before text_start
            if gzipped:
                gzip_text = _GzipText(gunzip_chunks(counted, size, _CONFIG.chunk_size))
                head, chunks = _with_head(gzip_text.chunks())
                if text_start:
                    chunks = _after(chunks, text_start, skipped)
                encoding = _utf16_encoding(candidate, head)
            if not candidate.unredacted_consent:    # compressed, an archive, a key store: never text
                problem = not_text_problem(head, utf16_head(head, encoding) if encoding else None)
                if problem:
                    raise RedactionFailed(path="", problem=problem)
            xml_declaration = None
            if encoding:  # UTF-16 text: redacted, scanned and stored as UTF-8
                head = utf16_head(head, encoding)
                chunks = _utf16_to_utf8(chunks, encoding, bom=start == 0)
                if start == 0:
                    xml_declaration = _XmlDeclaration()
                    chunks = xml_declaration.chunks(chunks)
            cr_text = None
            if not candidate.unredacted_consent:
                # a CR alone that ends a line (CR-style text, CR-ended records after LF ones) is
                # an LF for every stage after this one, the unfinished last line's too; a CR
                # typed inside a record (a chat message, a value) stays
                cr_only = cr_style(head)
                # a snapshot's read ends at the line end _read_range found: a CR there is one
                cr_text = _CrLineEnds(cr_only, ends_line=candidate.whole_lines_only and not candidate.finished)
                chunks = cr_text.chunks(chunks)
                head = as_lf(head, cr_only)[0]
            if tail_header:   # the size cap's tail: the segment header first, then records
                chunks = _header_then_records(tail_header, chunks)
            unfinished = None
            # a finished log (no longer written, and not since it was planned) or a whole .gz
            # rotation: its last line is taken, newline or not (a crash's last words)
            finished = gzipped or (candidate.finished and info.st_mtime <= candidate.mtime)
            if candidate.kind == "log" and not candidate.unredacted_consent:
                def still_finished(fd=fd, seen=info) -> bool:      # not written while it was read
                    now = os.fstat(fd)
                    return now.st_size == seen.st_size and now.st_mtime == seen.st_mtime

                unfinished = _UnfinishedLastLine(
                    keep_last=finished, resumed=bool(text_start if gzipped else start),
                    still_finished=None if gzipped else still_finished,
                    why="the file is a whole compressed rotation" if gzipped else
                        f"the file was not written in the {FINISHED_QUIET // 60} minutes before the run")
                chunks = unfinished.chunks(chunks)
            resumed = text_start if gzipped else start    # a snapshot continuing the file
            resume_header = b""
            if resumed and not candidate.unredacted_consent:
                # the rules see the lines before the resume point first (their output dropped),
                # so a value whose label line was collected earlier is redacted as in a whole
                # read; the segment header is stored first, so time-only records keep their date
                if gzipped:      # (skipped is filled when the first chunk after it is read)
                    def read(at: int, count: int) -> bytes:
                        base = text_start - len(skipped)
                        return bytes(skipped[max(0, at - base):max(0, at - base + count)])
                else:
                    read = source.read_at
                newline = UTF16_NEWLINES[encoding] if encoding else b"\n"     # (or a CR alone)
                if candidate.kind == "log" and not tail_header:
                    resume_header = _resume_header(head, resumed, encoding)
                chunks = _resumed(chunks, resume_header,
                                  lambda: _context_text(read, resumed, newline, encoding, cr_only))
            stages = _stages(candidate, head, info.st_mtime, newest)
            piece_writer = PieceWriter(_CONFIG.tmp_dir, _CONFIG.fmt, level=_CONFIG.level,
                                       inline_max=INLINE_PIECE_MAX, room=_ROOM)
            call_text = bytearray() if _CONFIG.call_ids and candidate.kind == "log" else None
            def store(data: bytes) -> None:
                piece_writer.write(data)
                if call_text is not None and len(call_text) < MAX_CALL_TEXT:
                    call_text.extend(data)

            trimmer = stages.trimmer
            for data in chunks:
                if type(data) is _Context:
                    if stages.redactor is not None:
                        stages.redactor.prime(data)
                    continue
                for stage in stages.chain:
                    data = stage.feed(data)
                if data:
                    store(data)
                if trimmer is not None and trimmer.past_window:
                    break       # the rest of the segment is after the window: not read
            _check_same_head(source, fd, source_head)
            _finish_chain(stages.chain, store)
        finally:
            try:
                source.close()
            finally:
                os.close(fd)
        bytes_read = counted.total
        if bytes_read == 0 and size > start and (candidate.whole_lines_only or candidate.start_offset):
            # a snapshot that finds only a line still being written: nothing new, no member (the
            # next run takes the line whole)
            piece_writer.abort()
            return MemberOutcome(None, None, None, 0,
                                 waiting=_waiting(candidate, size - start, info.st_mtime, gzipped))
        piece = piece_writer.close()
        piece_writer = None
        _flush_tokens()
        kept_first = _first_passed_on(stages)
        kept_last = stages.trimmer.kept_last if stages.trimmer is not None else None
        notes = []
        if stages.newest is not None and stages.newest.cut:
            notes.append(_newest_note(stages.newest, stages.trimmer is not None))
        if candidate.startup_segment:
            notes.append(STARTUP_SEGMENT_NOTE)
        if UNDATED_NOTE in candidate.reason:
            notes.append(UNDATED_NOTE)
        if candidate.tail_bytes is not None and candidate.whole_lines_only:
            if start + bytes_read < size:
                notes.append(f"{SNAPSHOT_CAP_NOTE}: the first {bytes_read} "
                             f"new bytes kept, the {size - start - bytes_read} after them are left for the next run")
        elif candidate.tail_bytes is not None:
            notes.append(TAIL_NOTE + (TAIL_HEADER_NOTE if tail_header else ""))
        if resume_header:
            notes.append(RESUME_HEADER_NOTE)
        waiting = _waiting(candidate, size - start - bytes_read, info.st_mtime, gzipped)
        if waiting:
            notes.append(f"{WAITING_LINE_NOTE} ({waiting[1]} bytes), though the file was not written in the "
                         f"{FINISHED_QUIET // 60} minutes before the run: {WAITING_LINE_WHY}")
        if stages.trimmer is not None and stages.trimmer.note:
            notes.append(stages.trimmer.note)
        if gzipped:
            notes.append(f"decompressed from {Path(candidate.host_path).name}"
                         + (f", from byte {text_start} of its text (the bytes before were collected earlier)"
                            if text_start else ""))
        if gzip_text is not None and gzip_text.cut is not None:
            notes.append(gzip_text.note())
        if unfinished is not None and unfinished.ended and (unfinished.dropped or unfinished.kept):
            notes.append(unfinished.note())
        if cr_text is not None and cr_text.note():
            notes.append(cr_text.note())
        if encoding:
            notes.append(f"converted from {encoding} to UTF-8"
                         + (f"; {XML_DECLARATION_NOTE}" if xml_declaration is not None and xml_declaration.rewritten
                            else ""))
        nuls_dropped = stages.redactor.nuls_dropped if stages.redactor is not None else 0
        nul_unit = "characters" if encoding else "bytes"
        if stages.redactor is not None and stages.redactor.nuls_removed:
            runs, removed = stages.redactor.nul_runs, stages.redactor.nuls_removed
            notes.append(f"{removed} NUL {nul_unit if removed > 1 else nul_unit[:-1]} removed from the text "
                         f"({runs} {'place' if runs == 1 else 'places'}: a crash or an unflushed write)")
        if nuls_dropped:
            notes.append(f"{nuls_dropped} trailing NUL {nul_unit} dropped")
        note = "; ".join(notes)
        stats = stages.stats.summary() if stages.stats is not None else None
        if stages.call is not None and stages.call.kept:           # --call: the call's records, dated
            kept_first, kept_last = stages.call.kept_first, stages.call.kept_last   # where all were seen
        head_len = min(HEAD_BYTES, start + bytes_read if candidate.kind == "log" else size)
        result = MemberResult(
            host_path=candidate.host_path[:-3] if gzipped else candidate.host_path,
            original_path=candidate.host_path if gzipped else "",
            product=candidate.product,
            installation=candidate.installation,
            kind=candidate.kind,
            size_in=bytes_read,
            size_out=piece.size,
            mtime=info.st_mtime,
            sha256=piece.sha256,
            redactions=dict(stages.redactor.stats) if stages.redactor is not None else {},
            kept_first=kept_first.isoformat() if kept_first else None,
            kept_last=kept_last.isoformat() if kept_last else None,
            unredacted=candidate.unredacted_consent,
            note=note,
            findings=[(f.line, f.category) for f in stages.scanner.findings] if stages.scanner else [],
            start_offset=start,
            end_offset=start + bytes_read,
            device=info.st_dev,
            inode=info.st_ino,
            source_size=size,
            source_head=(hashlib.sha256(source_head[:head_len]).hexdigest() if head_len <= len(source_head)
                         else None),
            opened_head=source_head[:HEAD_BYTES] if candidate.start_offset else b"",
            log_stats=json.dumps(stats, separators=(",", ":")).encode() if stats is not None else b"",
            call_text=bytes(call_text[:MAX_CALL_TEXT]) if call_text else b"",
        )
        return MemberOutcome(result, piece, None, bytes_read, waiting=waiting)
    except RUN_ENDING:     # a full disk, or SIGTERM with one worker (files done inline): the run ends
        if piece_writer is not None:
            piece_writer.abort()
        raise
    except BelowReserve:
        if piece_writer is not None:
            piece_writer.abort()
        if not _CONFIG.leave_out_below_reserve:
            raise
        reason = BELOW_RESERVE_REASON
    except RedactionFailed as exc:
        reason = f"cannot be redacted: {exc.fields.get('problem', exc.message)}"
    except GcollectError as exc:
        reason = exc.message
    except NotTheSelectedFile:
        reason = CHANGED_SINCE_SELECTION
    except FileNotFoundError:
        reason = "disappeared before it could be read"
    except PermissionError:
        reason = "permission denied"
    except OSError as exc:
        if exc.errno in FULL_ERRNOS:    # reading never fills a disk: the piece's write did
            if piece_writer is not None:
                piece_writer.abort()
            raise DiskFull(where=str(_CONFIG.tmp_dir.parent)) from None
        reason = f"cannot read: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - fail closed on anything unexpected
        reason = f"internal error while redacting ({type(exc).__name__}); left out"
    if piece_writer is not None:
        piece_writer.abort()
    bytes_read = counted.total if counted is not None else bytes_read
    return MemberOutcome(None, None, Excluded(candidate.host_path, candidate.product, reason), bytes_read)
