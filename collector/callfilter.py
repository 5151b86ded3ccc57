"""One call across all logs (``--call CONNID|CALLUUID|SIP-CALL-ID``).

1. ``find_call_links(paths, seed) -> set[str]``: the call's identifiers. Every record (a
   timestamp-led line plus its continuation lines) that mentions a known identifier is read
   for the others it names: T-Lib ``AttributeConnID``/``AttributeCallUUID`` (server and
   Platform SDK prints), ISCC attributes, SIP ``Call-ID:``/``i:``, ``X-Genesys-CallUUID:``,
   SIP Server's ``CID:CUUID>callid:uuid:connid`` lines, ``connid=``/``callUuid`` parameters.
   Repeats until nothing new is found (ConnID <-> CallUUID <-> SIP Call-ID, across SIP Server,
   URS, ORS and GVP logs). A GVP MCP record of the call also gives its session's LogID (the
   ``<date> <LVL> <LogID>`` column, or ``LogID=``), so the session's fetches, errors and MRCP
   results, which carry only the LogID, are kept too. ``follow_call`` also says what it could
   not follow (more than ``MAX_IDS`` identifiers, or links still appearing after the last round).
2. ``CallFilter(ids)``: a stream stage keeping the header block and the records that mention
   one of ``ids``, plus the records answering a kept request (same ``AttributeReferenceID``
   within the next ``REF_HORIZON`` records).
3. ``merge_call_records(named_logs) -> bytes``: the kept records of every log, ordered by time
   (UTC) across applications: the ``call-<id>.log`` member. A run uses
   ``merge_call_records_into``, which spools sorted runs to files and streams the merge, so
   memory does not grow with the size of the call.
"""

from __future__ import annotations

import heapq
import re
import struct
import tempfile
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, BinaryIO

from collector.timeformats import RECORD_NEXT, RECORD_STAMP, DateContext, from_micros, segment_clock, stamp_from_match

CHUNK = 1 << 20
MAX_RECORD = 4 << 20
REF_HORIZON = 200
MAX_IDS = 64
_LINKS = re.compile(
    rb"AttributeConnID(?:\t| \[\w+\] = )'?([0-9a-fA-F]{16})\b"
    rb"|AttributeCallUUID(?:\t| \[\w+\] = )['\"]?([0-9A-Z]{32})\b"
    rb"|ISCCAttributeConnID\t([0-9a-f]{16})\b|ISCCAttributeCallUUID\t'([0-9A-Z]{32})'"
    rb"|(?m:^(?:Call-ID|i): *([^\s;]+)\r?$)"
    rb"|X-Genesys-CallUUID: *([0-9A-Z]{32})\b"
    rb"|CID:CUUID>([^:\s]+):([0-9A-Z]{32}):([0-9a-f]{16})\b"
    rb"|\bconnid[=:\"> ]+([0-9a-f]{16})\b|\bcallUuid\">([0-9A-Z]{32})<"
)
# GVP MCP session: the LogID column of MCP's own format, or a LogID= field; the all-zero LogID
# (records before a session exists) and short LogIDs (not unique enough to match as text) are not.
_SESSION = re.compile(
    rb"\A\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[.,]\d{3} +[A-Z]{3,5} +([0-9A-Fa-f]{8}-[0-9A-Fa-f]{8}) "
    rb"|\bLogID=([0-9A-Fa-f]{8}-[0-9A-Fa-f]{8}|[0-9A-Fa-f]{16})\b"
)
_NO_SESSION = b"00000000-00000000"
_REF = re.compile(rb"AttributeReferenceID(?:\t| \[\w+\] = )(\d+)")
_REQUEST = re.compile(rb"(?m)^message Request\w+|received from .*\n?message Request|\bRequest\w+ received from")


def _records(buf: bytes) -> list[int]:
    """Offsets of the record starts in ``buf`` (whole lines)."""
    starts = [0] if (m := RECORD_STAMP.match(buf)) and stamp_from_match(m) else []
    starts += [m.start() + 1 for m in RECORD_NEXT.finditer(buf)]
    return starts


def iter_records(data_chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Whole records (the part before the first record too) from any chunking of a log."""
    pending = b""
    for chunk in data_chunks:
        buf = pending + chunk
        cut = buf.rfind(b"\n") + 1
        if cut == 0:
            pending = buf
            continue
        starts = _records(buf[:cut])
        if len(starts) <= 1:
            pending = buf if len(buf) < MAX_RECORD else b""
            if not pending:
                yield buf
            continue
        if starts[0] != 0:
            starts.insert(0, 0)
        for a, b in zip(starts, starts[1:]):
            yield buf[a:b]
        pending = buf[starts[-1]:]
    if pending:
        yield pending


def _read(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while data := handle.read(CHUNK):
            yield data


def _link_ids(record: bytes) -> set[bytes]:
    return {g for m in _LINKS.finditer(record) for g in m.groups() if g}


def _session_ids(record: bytes) -> set[bytes]:
    return {g for m in _SESSION.finditer(record) for g in m.groups() if g and g != _NO_SESSION}


def ids_in(record: bytes) -> set[bytes]:
    """The call identifiers ``record`` names, and the GVP MCP session (LogID) it belongs to."""
    return _link_ids(record) | _session_ids(record)


@dataclass(frozen=True)
class CallLinks:
    """What ``follow_call`` found: ``ids`` (at most ``MAX_IDS``, the seed always among them),
    ``sessions`` (the GVP MCP LogIDs among ``ids``), and what it could not follow: ``dropped``
    identifiers beyond the cap, ``unfinished`` when links were still appearing after the last
    round. Either way records of the call may be missing, and ``not_followed`` says so."""
    ids: frozenset[str]
    sessions: frozenset[str] = frozenset()
    dropped: int = 0
    unfinished: bool = False

    def not_followed(self) -> str | None:
        """One line for the manifest when some records of the call may be missing, else None."""
        if self.dropped:
            return (f"more than {MAX_IDS} linked identifiers, {self.dropped}"
                    f"{' or more' if self.dropped >= MAX_IDS else ''} not followed: "
                    "some records of this call may be missing")
        if self.unfinished:
            return "linked identifiers were still appearing after the last round: some records of this call may be missing"
        return None


def follow_call(paths: Iterable, seed: str, *, max_rounds: int = 4,
                read: Callable[[Any], Iterable[bytes]] = _read) -> CallLinks:
    """Every identifier linked to ``seed`` (ConnID, CallUUID, SIP Call-ID, GVP MCP LogID) in
    ``paths``, each read as ``read(path)`` (chunks): a run passes its planned files and a reader
    that reads only the files selection chose (``hostguard.read_selected``). At most
    ``MAX_IDS`` are followed; the others are counted, not kept (memory stays bounded)."""
    files = list(paths)
    known = {seed.encode()}
    sessions: set[bytes] = set()
    dropped: set[bytes] = set()
    unfinished = True
    for _ in range(max_rounds):
        found = set(known)
        for path in files:
            for record in iter_records(read(path)):
                if not any(i in record for i in known):
                    continue
                session = _session_ids(record)
                for i in sorted(_link_ids(record) | session):       # sorted: the same ids every run
                    if i in found:
                        continue
                    if len(found) >= MAX_IDS:
                        if len(dropped) < MAX_IDS:
                            dropped.add(i)
                        continue
                    found.add(i)
                    if i in session:
                        sessions.add(i)
        done = found == known or bool(dropped)       # nothing new, or full: more rounds add nothing
        known = found
        if done:
            unfinished = False
            break
    return CallLinks(frozenset(i.decode("utf-8", "replace") for i in known),
                     frozenset(i.decode("utf-8", "replace") for i in sessions),
                     len(dropped), unfinished)


def find_call_links(paths: Iterable, seed: str, *, max_rounds: int = 4,
                    read: Callable[[Any], Iterable[bytes]] = _read) -> set[str]:
    """The identifiers of ``follow_call`` (see there)."""
    return set(follow_call(paths, seed, max_rounds=max_rounds, read=read).ids)


class CallFilter:
    """Stream stage: keep the header and the records of one call (see module doc).

    ``clock`` (a ``DateContext`` seeded as the segment's Trimmer's is): every record it sees is
    dated, so ``kept_first``/``kept_last`` are the times of the call's first and last record kept,
    midnights between them followed (the records the filter drops are the ones that show them).
    ``first_seen``: the time of the first record this stage sees, when a stage before it knows it
    (a window's Trimmer: its first kept record, which may come days after the header)."""

    def __init__(self, ids: frozenset[bytes], *, clock: DateContext | None = None,
                 first_seen: Callable[[], datetime | None] | None = None) -> None:
        self.ids = tuple(ids)
        self._pending = b""
        self._in_header = True
        self._refs: dict[bytes, int] = {}          # ReferenceID -> records left to wait for its event
        self.kept = 0
        self._clock = clock
        self._first_seen = first_seen
        self._kept_first: int | None = None
        self._kept_last: int | None = None

    @property
    def kept_first(self) -> datetime | None:
        return None if self._kept_first is None else from_micros(self._kept_first)

    @property
    def kept_last(self) -> datetime | None:
        return None if self._kept_last is None else from_micros(self._kept_last)

    def _date(self, record: bytes) -> int | None:
        clock = self._clock
        if clock is None:
            return None
        m = RECORD_STAMP.match(record)
        stamp = stamp_from_match(m) if m else None
        if stamp is None:
            return None
        if self._first_seen is not None:
            seen, self._first_seen = self._first_seen(), None
            if seen is not None:
                clock.seed(seen)
        micros = clock.resolve_micros(stamp)
        clock.other_reading = None
        return micros

    def _wanted(self, record: bytes) -> bool:
        if self._in_header:
            if RECORD_STAMP.match(record) is None:
                return True                        # header block: dating needs it
            self._in_header = False
        micros = self._date(record)
        for ref in list(self._refs):
            self._refs[ref] -= 1
            if self._refs[ref] <= 0:
                del self._refs[ref]
        hit = any(i in record for i in self.ids)
        refs = _REF.findall(record) if (hit or self._refs) else []
        if not hit and refs and any(r in self._refs for r in refs):
            for r in refs:
                self._refs.pop(r, None)
            hit = True
        elif hit and refs and _REQUEST.search(record):
            for r in refs:
                self._refs[r] = REF_HORIZON
        if hit:
            self.kept += 1
            if micros is not None:
                if self._kept_first is None:
                    self._kept_first = micros
                self._kept_last = micros
        return hit

    def feed(self, data: bytes) -> bytes:
        buf = self._pending + data
        cut = buf.rfind(b"\n") + 1
        starts = _records(buf[:cut]) if cut else []
        if len(starts) < 2 and len(buf) < MAX_RECORD:
            self._pending = buf
            return b""
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        end = starts[-1] if len(starts) > 1 else cut
        out = [buf[a:b] for a, b in zip(starts, starts[1:] + [end]) if a < b and self._wanted(buf[a:b])]
        self._pending = buf[end:]
        return b"".join(out)

    def finish(self) -> bytes:
        rest, self._pending = self._pending, b""
        return rest if rest and self._wanted(rest) else b""


MERGE_FAN_IN = 32             # sorted runs read at once while merging (open files, buffers)
_FRAME = struct.Struct(">qIII")  # a spooled record: UTC micros, log number, record number, length


def _sorted_run(number: int, name: str, data: bytes, spool: BinaryIO, *, mtime: float,
                local_tz: tzinfo | None, first_seen: datetime | None = None) -> int:
    """Write one log's dated records to ``spool`` in time order, each framed; their count.
    Only (time, number, offset) triples are held besides ``data`` itself. ``first_seen``: the
    time of its first record, as the worker's call filter dated it (a window of days leaves
    out the records that show the midnights since the header); else dated from the header."""
    base = name.rsplit("/", 1)[-1]
    clock = segment_clock(base, data[:16384], mtime, local_tz=local_tz)
    context = clock.context
    if first_seen is not None:
        context.seed(first_seen)
    rows: list[tuple[int, int, int, int]] = []
    offset = clock.header_end
    for index, record in enumerate(iter_records([data[clock.header_end:]])):
        start, offset = offset, offset + len(record)
        m = RECORD_STAMP.match(record)
        stamp = stamp_from_match(m) if m else None
        micros = context.resolve_micros(stamp) if stamp else None
        if micros is not None:
            rows.append((micros, index, start, offset))
    rows.sort()
    view = memoryview(data)
    for micros, index, start, end in rows:
        newline = data[end - 1:end] != b"\n"
        spool.write(_FRAME.pack(micros, number, index, end - start + newline))
        spool.write(view[start:end])
        if newline:
            spool.write(b"\n")
    return len(rows)


def _read_run(path: Path, ranks: list[int]) -> Iterator[tuple[int, int, int, int, bytes]]:
    """The framed records of one sorted run: (micros, rank of its log name, record number,
    log number, record)."""
    with open(path, "rb", buffering=1 << 16) as handle:
        while head := handle.read(_FRAME.size):
            micros, number, index, length = _FRAME.unpack(head)
            yield micros, ranks[number], index, number, handle.read(length)


def merge_call_records_into(named_logs: Iterable[tuple[str, bytes, datetime | None]], write: Callable[[bytes], Any],
                            spool_dir: Path, *, mtime: float = 0.0, local_tz: tzinfo | None = None) -> None:
    """``merge_call_records`` with bounded memory, whatever the size of the call: each log's
    records are sorted on their own into a run file in ``spool_dir``, the runs are merged
    ``MERGE_FAN_IN`` at a time (files, not memory), and the merged log goes to ``write`` in
    pieces. Memory: the largest single log plus a record and a buffer per open run.
    ``named_logs``: (name, records, time of the first record or None: ``_sorted_run``)."""
    names: list[str] = []
    runs: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="call-merge-", dir=spool_dir) as folder:
        work = Path(folder)
        for name, data, first_seen in named_logs:
            if not data:
                continue
            path = work / f"run-{len(runs)}"
            with open(path, "wb", buffering=1 << 16) as spool:
                count = _sorted_run(len(names), name, data, spool, mtime=mtime, local_tz=local_tz,
                                    first_seen=first_seen)
            names.append(name)
            if count:
                runs.append(path)
            else:
                path.unlink()
        # the old order: time, then log name, then the record's place in its log
        ranks = [0] * len(names)
        for rank, number in enumerate(sorted(range(len(names)), key=names.__getitem__)):
            ranks[number] = rank
        while len(runs) > MERGE_FAN_IN:
            group, runs = runs[:MERGE_FAN_IN], runs[MERGE_FAN_IN:]
            path = work / f"run-{len(names)}-{len(runs)}-{group[0].name}"
            with open(path, "wb", buffering=1 << 16) as spool:
                for micros, _rank, index, number, record in heapq.merge(*(_read_run(p, ranks) for p in group)):
                    spool.write(_FRAME.pack(micros, number, index, len(record)))
                    spool.write(record)
            for done in group:
                done.unlink()
            runs.append(path)
        encoded = [n.encode("utf-8", "surrogateescape") for n in names]   # the name's own bytes, like the records
        for micros, _rank, _index, number, record in heapq.merge(*(_read_run(p, ranks) for p in runs)):
            write(b"=== %s %s\n" % (from_micros(micros).isoformat(timespec="microseconds").encode(),
                                     encoded[number]) + record)


def merge_call_records(named_logs: Mapping[str, bytes], *, mtime: float = 0.0,
                       local_tz: tzinfo | None = None, spool_dir: Path | None = None) -> bytes:
    """Records of every (filtered) log, time-ordered across applications, one block each:
    ``<UTC time> <log name>`` then the record as it was. (A run streams the same thing with
    ``merge_call_records_into``.)"""
    parts: list[bytes] = []
    merge_call_records_into(((name, data, None) for name, data in named_logs.items()), parts.append,
                            Path(spool_dir or tempfile.gettempdir()), mtime=mtime, local_tz=local_tz)
    return b"".join(parts)


def call_log_name(seed: str) -> str:
    return "call-" + re.sub(r"[^A-Za-z0-9._-]", "_", seed)[:80] + ".log"
