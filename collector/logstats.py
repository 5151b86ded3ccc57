"""Per-log message statistics for the report: a pass-through stream stage.

``LogStats(host_path, head=..., mtime=...)`` sees the bytes that go into the bundle (trimmed and
redacted) and counts, without changing them:

* ``Std`` and ``Alr`` records by 5-digit message ID (``<stamp> Std 04500 text``; in a segment
  written with ``message_format = full`` also ``<stamp> Standard <host> <app> GCTI-00-04500 text``),
  with the time of the first and last record of each ID and the text of the first one (already
  redacted);
* totals of ``Int``/``Trc``/``Dbg`` level tokens (and of ``Interaction``/``Trace``/``Debug`` records
  in a full-format segment);
* HA role: the header's ``HA Role:`` and role changes (``04561 ... mode activated`` lines and
  lines mentioning a switchover), each with its time;
* the application (name, type, version, banner, host) from the segment header;
* the time span covered (first and last timestamp-led record).

Speed: only whole-chunk C searches run per byte (one regex pass for the counted levels, RE2 for
the HA words and literal-prefix regexes). Per hit there are a few C calls; timestamps are parsed only for the records that
decide a first/last time (first and last record of every chunk, first and last hit of each ID
in the chunk), in file order, so ``DateContext`` still follows midnight rollovers.

Dating time-only stamps: a stamp is dated by the records dated before it (``DateContext``: a
time that goes back past midnight is the next day). Besides the records above, one record every
``SAMPLE_BYTES`` (and at least ``SAMPLES_AT_LEAST`` in a chunk) is dated, so a quiet segment that
runs for days does not lose its midnights; where two dated records are more than
``DENSE_GAP_MICROS`` apart, the later one goes back by more
than ``BACK_MICROS`` (a midnight unseen between them makes the next day's 09:00 look like an hour
before 10:00), or one's pass in the repeated hour of a daylight-saving fall-back is a guess, every
record of the chunk is dated (a quiet stream has few). A midnight hidden between two dated records
that still look in order (10:00, then the next day's 11:00) is not seen.
A segment cut to a window starts days after its header: ``dating_hint`` (the Trimmer's first kept
record) dates the first record fed instead of the header.

Memory is bounded: one partial line (at most ``MAX_LINE``) plus one table entry per distinct
message ID (at most 2 x 100,000) and at most ``MAX_HA_EVENTS`` role changes.
"""

from __future__ import annotations

import functools
import operator
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any

from collector.hostfiles import parse_log_name, segment_name
from collector.re2search import SpanSearch, latin1_options, span_search
from collector.segheader import SegmentHeader, parse_header
from collector.timeformats import LEAD_BYTES, RECORD_NEXT, RECORD_STAMP, from_micros, segment_clock, stamp_from_match

TOP_MESSAGES = 200
MAX_HA_EVENTS = 100
MAX_TEXT = 160
MAX_LINE = 1 << 20             # a partial line longer than this is dropped from the statistics
MAX_STAMP_WIDTH = 48           # the level token must start within this many bytes of the line start
SAMPLE_BYTES = 64 << 10        # a record dated every this many bytes besides the ones counted, so
                               # midnights and DST changes between them are seen (_samples)
SAMPLES_AT_LEAST = 16         # ... or this many in a smaller chunk (a quiet segment: a day in a few KB)
DENSE_GAP_MICROS = 6 * 3600 * 10**6   # two dated records farther apart: every record of the chunk is dated
BACK_MICROS = 5 * 60 * 10**6          # ... and so when one goes back by more (a midnight between them unseen)
LEVELS = ("Std", "Alr", "Int", "Trc", "Dbg")

# Record headers come in two forms (the [log] option message_format): short, the default,
# "<stamp> Std 04500 text", and full, "<stamp> Standard <host> <app> GCTI-00-04500 text", where
# the level is spelt out and the ID carries a GCTI prefix. Short forms are always counted (a C
# regex pass); full forms only in a segment whose head shows one (a regex pass each).
_FULL_NAMES = {"Std": b"Standard", "Alr": b"Alarm", "Int": b"Interaction", "Trc": b"Trace", "Dbg": b"Debug"}
_FULL_ID = rb" (?:[^ \n]+ [^ \n]+ GCTI-\d\d-)?(\d{5})\b"
_FULL_LINE = re.compile(rb"[^\n]{0,%d}? (?:%s)" % (MAX_STAMP_WIDTH, b"|".join(_FULL_NAMES.values())) + _FULL_ID)
# where to look for a full record: at a GCTI ID (rare in short-format text), then at level names
# (not "Interaction", common in short-format text: "Int 04543 Interaction message ...")
_FULL_CLUES = (b" GCTI-", b" Standard ", b" Alarm ", b" Trace ", b" Debug ")
_FULL_CLUE_CHECKS = 64
_FULL_LOOK = 16384        # bytes of the head looked at: the header and the first records
_MESSAGE_LEVELS = ("Std", "Alr")          # the levels whose message IDs are tabled
_COUNTED_LEVELS = ("Int", "Trc", "Dbg")   # the levels only counted
_Hit = tuple[str, bytes, re.Pattern[bytes]]        # (level, literal to look for first, ID regex)


def _short_hit(level: str) -> _Hit:
    token = b" " + level.encode() + b" "
    return level, token, re.compile(token + rb"(\d{5})\b")


def _full_hit(level: str) -> _Hit:
    token = b" " + _FULL_NAMES[level] + b" "
    return level, token, re.compile(token[:-1] + _FULL_ID)


_SHORT_HITS = [_short_hit(level) for level in _MESSAGE_LEVELS]
# The short tokens of the counted levels are found in one regex pass, and each level is told
# from the text found: 1.3 ms/MB, where a bytes.count pass for each level cost 1.9 (the bench's
# logs). The look-ahead leaves the space after a token to the next one (" Int Trc " is two).
_SHORT_COUNTED = re.compile(rb" (?:Int|Trc|Dbg)(?= )")
_FULL_HITS = _SHORT_HITS + [_full_hit(level) for level in _MESSAGE_LEVELS]
_FULL_COUNTED: list[_Hit] = list(map(_full_hit, _COUNTED_LEVELS))
_GROUP1 = operator.itemgetter(1)
_START = re.Match.start
_HA_WORDS = (b"mode activated", b"witchover")
_ROLE = re.compile(rb"\b(primary|backup)\b", re.I)
_MSG_ID = re.compile(rb" (?:Std|Alr|Int|Trc|Dbg|%s)%s" % (b"|".join(_FULL_NAMES.values()), _FULL_ID))
_MSG_ID_REACH = MAX_STAMP_WIDTH + 200     # full headers hold a host and an application name
_THREAD_SUFFIX = re.compile(r"^(?P<base>.+?)(?P<thread>-\d{3,4})?(?:\.\d{8}_\d{6}_\d{3})?"
                            r"(?:\.(?:snapshot|memory))?(?:\.log|\.qsp)?$")


def stream_of(host_path: str) -> str:
    """The log stream a file belongs to: folder + base, thread suffix kept (``.../SIPS_P-768``).
    A compressed rotation (``SIPS_P.<ts>.log.gz``) is in the stream of its segment
    (``hostfiles.segment_name``).

    A host path is normalised POSIX text (model.py), so folder and name are a split at the last
    ``/``; anything else goes through ``PurePosixPath``, which costs about 35 us a file."""
    if host_path.startswith(("/", ".")) or "//" in host_path or "/." in host_path or host_path.endswith("/"):
        path = PurePosixPath(host_path)
        name, parent = path.name, str(path.parent)
    else:
        parent, _, name = host_path.rpartition("/")
    name = segment_name(name)
    try:
        parsed = parse_log_name(name)
        base = parsed.base + (f"-{parsed.thread}" if parsed.thread and not parsed.base.endswith(
            f"-{parsed.thread}") else "")
    except Exception:  # noqa: BLE001 - a name we cannot split is its own stream
        m = _THREAD_SUFFIX.match(name)
        base = (m.group("base") + (m.group("thread") or "")) if m else name
    return base if parent in ("", ".") else f"{parent}/{base}"


@functools.cache
def _ha_searches() -> tuple[SpanSearch, ...]:
    """One search per HA word, made at first use. RE2 skips to a literal's first byte with
    memchr: 0.12 ms/MB for ``witchover``, where ``bytes.find`` takes 0.54 (it tests the
    needle's last byte, a letter common in logs)."""
    import re2

    return tuple(span_search(re2.compile(re.escape(word), latin1_options())) for word in _HA_WORDS)


def _full_format(head: bytes) -> bool:
    """The segment's first records are written with message_format = full. Literal searches;
    the regex runs on the line of a clue, for at most ``_FULL_CLUE_CHECKS`` clues of each kind."""
    head = head[:_FULL_LOOK]
    for clue in _FULL_CLUES:
        pos = head.find(clue)
        checks = 0
        while pos >= 0 and checks < _FULL_CLUE_CHECKS:
            if _FULL_LINE.match(head, head.rfind(b"\n", 0, pos) + 1):
                return True
            checks += 1
            pos = head.find(clue, pos + 1)
    return False


class _Msg:
    __slots__ = ("count", "first", "last", "text")

    def __init__(self) -> None:
        self.count = 0
        self.first: int | None = None
        self.last: int | None = None
        self.text = ""


class LogStats:
    """Pass-through stage: ``feed(data)`` returns ``data`` unchanged; ``summary()`` the statistics."""

    def __init__(self, host_path: str, *, head: bytes, mtime: float, local_tz: tzinfo | None = None,
                 dating_hint: Callable[[], datetime | None] | None = None) -> None:
        self.host_path = host_path
        # the time of the first record fed, when a stage before this one knows it (the Trimmer's
        # first kept record): asked once, at the first record dated
        self._dating_hint = dating_hint
        name = host_path.rpartition("/")[2] or PurePosixPath(host_path).name
        header = parse_header(head)
        # The raw head dates the records; what the report shows of the header (application,
        # banner) is read from the bytes that go into the bundle, redacted: the first line of a
        # file without a header (a T-Lib attribute, a JDBC URL) is no banner to copy raw.
        self.header = SegmentHeader()
        self._stored_head = b""
        self._stored_head_done = False
        clock = segment_clock(name, head, mtime, header=header, local_tz=local_tz)
        self._context = clock.context
        self._seg_start = clock.times.start
        self._msgs: dict[tuple[str, bytes], _Msg] = {}
        self._levels = dict.fromkeys(LEVELS, 0)
        full = _full_format(head)
        self._hits = _FULL_HITS if full else _SHORT_HITS
        self._full_counted = _FULL_COUNTED if full else []
        self._ha_events: list[dict[str, Any]] = []
        self._ha_total = 0
        self._first: int | None = None
        self._last: int | None = None
        self._rest = b""
        self._bytes = 0
        self._dropped_lines = 0

    # ------------------------------------------------------------ stage interface
    def feed(self, data: bytes) -> bytes:
        if not data:
            return data
        if not self._stored_head_done:
            self._read_stored_header(data)
        self._bytes += len(data)
        buf = self._rest + data if self._rest else data
        end = buf.rfind(b"\n")
        if end < 0:
            self._rest = buf if len(buf) <= MAX_LINE else b""
            if not self._rest:
                self._dropped_lines += 1
            return data
        self._scan(buf, end + 1)
        rest = buf[end + 1:]
        if len(rest) > MAX_LINE:
            rest = b""
            self._dropped_lines += 1
        self._rest = rest
        return data

    def _read_stored_header(self, data: bytes, *, last: bool = False) -> None:
        """The segment header as stored: from the first ``_FULL_LOOK`` bytes fed (redacted),
        kept only if it is a Genesys header."""
        self._stored_head += data[:_FULL_LOOK - len(self._stored_head)]
        if len(self._stored_head) >= _FULL_LOOK or last:
            self._stored_head_done = True
            header = parse_header(self._stored_head)
            if header.is_genesys:
                self.header = header
            self._stored_head = b""

    def finish(self) -> bytes:
        if not self._stored_head_done:
            self._read_stored_header(b"", last=True)
        if self._rest:
            buf = self._rest + b"\n"
            self._rest = b""
            self._scan(buf, len(buf))
        return b""

    # ------------------------------------------------------------ scanning
    def _line_start(self, buf: bytes, pos: int) -> int:
        return buf.rfind(b"\n", 0, pos) + 1

    @staticmethod
    def _record_start(buf: bytes, pos: int) -> int:
        """Line start of the record whose level token is at ``pos``, or -1."""
        start = buf.rfind(b"\n", max(0, pos - MAX_STAMP_WIDTH), pos) + 1
        if start == 0 and pos > MAX_STAMP_WIDTH:
            return -1
        if buf[start] not in LEAD_BYTES:
            return -1
        return start

    def _scan(self, buf: bytes, limit: int) -> None:
        """Count everything in ``buf[:limit]`` (whole lines)."""
        view = buf if limit == len(buf) else buf[:limit]
        need: dict[int, list[tuple[str, Any]]] = {}     # line offset -> what wants its time
        levels = self._levels
        found = _SHORT_COUNTED.findall(view)
        ints, traces = found.count(b" Int"), found.count(b" Trc")
        levels["Int"] += ints
        levels["Trc"] += traces
        levels["Dbg"] += len(found) - ints - traces
        for level, _, pattern in self._full_counted:
            levels[level] += len(pattern.findall(view))
        msgs = self._msgs
        for level, token, pattern in self._hits:
            pos = view.find(token)
            if pos < 0:
                continue
            matches = list(pattern.finditer(view, pos))
            if not matches:
                continue
            ids = list(map(_GROUP1, matches))
            starts = list(map(_START, matches))
            levels[level] += len(ids)
            for ident, n in Counter(ids).items():
                entry = msgs.get((level, ident))
                if entry is None:
                    entry = msgs[(level, ident)] = _Msg()
                entry.count += n
            last_at = dict(zip(ids, starts))                       # C: the last hit of each ID wins
            fresh = [i for i in last_at if msgs[(level, i)].first is None and not msgs[(level, i)].text]
            if fresh:
                first_hit = dict(zip(reversed(ids), reversed(matches)))
                for ident in fresh:
                    hit = first_hit[ident]
                    entry = msgs[(level, ident)]
                    eol = view.find(b"\n", hit.end())
                    entry.text = view[hit.end():eol if eol >= 0 else len(view)][:MAX_TEXT].strip().decode(
                        "utf-8", "replace") or " "
                    start = self._record_start(view, hit.start())
                    if start >= 0:
                        need.setdefault(start, []).append(("first", entry))
            for ident, at in last_at.items():
                start = self._record_start(view, at)
                if start >= 0:
                    need.setdefault(start, []).append(("last", msgs[(level, ident)]))
        self._scan_ha(view, need)
        first = self._first_record(view)
        if first is not None:
            need.setdefault(first, []).append(("span", None))
            last = self._last_record(view, first)
            if last is not None:
                need.setdefault(last, []).append(("span", None))
        self._resolve(view, need, first)

    def _scan_ha(self, view: bytes, need: dict[int, list[tuple[str, Any]]]) -> None:
        positions: set[int] = set()
        for search in _ha_searches():
            hit = search(view, 0)
            while hit is not None:
                positions.add(self._line_start(view, hit[0]))
                eol = view.find(b"\n", hit[0])
                hit = search(view, eol) if eol >= 0 else None
        for start in sorted(positions):
            if view[start:start + 1] in (b"", b"\t", b" ") or view[start] not in LEAD_BYTES:
                continue                                   # only timestamp-led records
            eol = view.find(b"\n", start)
            line = view[start:eol if eol >= 0 else len(view)]
            if RECORD_STAMP.match(line) is None:
                continue
            self._ha_total += 1
            if len(self._ha_events) >= MAX_HA_EVENTS:
                continue
            role = _ROLE.search(line)
            ident = _MSG_ID.search(line[:_MSG_ID_REACH])
            event: dict[str, Any] = {
                "role": role.group(1).decode().capitalize() if role else None,
                "id": ident.group(1).decode() if ident else None,
                "text": line[:MAX_TEXT].decode("utf-8", "replace").strip(),
                "time": None,
            }
            self._ha_events.append(event)
            need.setdefault(start, []).append(("ha", event))

    def _first_record(self, view: bytes) -> int | None:
        m = RECORD_STAMP.match(view)                  # chunks always start at a line start
        if m is not None and stamp_from_match(m) is not None:
            return 0
        for m in RECORD_NEXT.finditer(view):
            if stamp_from_match(m) is not None:
                return m.start() + 1
        return None

    @staticmethod
    def _last_record(view: bytes, after: int) -> int | None:
        end = len(view) - 1
        while end > after:
            start = view.rfind(b"\n", 0, end) + 1
            if start <= after:
                return None
            if view[start] in LEAD_BYTES:
                m = RECORD_STAMP.match(view, start)
                if m is not None and stamp_from_match(m) is not None:
                    return start
            end = start - 1
        return None

    def _samples(self, view: bytes, first: int, last: int | None) -> list[int]:
        """Record starts to date besides the counted ones: one every ``SAMPLE_BYTES``, and at
        least ``SAMPLES_AT_LEAST`` between the chunk's first and last record."""
        points = []
        end = last if last is not None else first
        step = max(1024, min(SAMPLE_BYTES, (end - first) // SAMPLES_AT_LEAST))
        for offset in range(first + step, end, step):
            m = RECORD_NEXT.search(view, offset - 1)
            if m is None or (last is not None and m.start() + 1 >= last):
                break
            points.append(m.start() + 1)
        return points

    def _resolve(self, view: bytes, need: dict[int, list[tuple[str, Any]]], first: int | None = None) -> None:
        """Date the records at ``need``'s offsets (and the samples) in file order, then record
        the times. Where two dated records are more than ``DENSE_GAP_MICROS`` apart, go back by
        more than ``BACK_MICROS`` or one is a guessed pass of a repeated hour, a midnight or the
        clock going back could lie unseen between them: then every record of the chunk is dated,
        from the context as it was before."""
        if not need:
            return
        if self._dating_hint is not None:
            hint, self._dating_hint = self._dating_hint(), None
            if hint is not None:
                self._context.seed(hint)
        points = [*need, *self._samples(view, first, max(need))] if first is not None else list(need)
        before = self._context.copy()
        times = self._date(view, points, watch=first is not None)
        if times is None:
            self._context = before
            times = self._date(view, [*points, *(m.start() + 1 for m in RECORD_NEXT.finditer(view, first))],
                               watch=False)
        for start, micros in times:
            for what, target in need.get(start, ()):
                if what == "span":
                    if self._first is None or micros < self._first:
                        self._first = micros
                    if self._last is None or micros > self._last:
                        self._last = micros
                elif what == "first":
                    target.first = micros if target.first is None else min(target.first, micros)
                    target.last = micros if target.last is None else max(target.last, micros)
                elif what == "last":
                    target.last = micros if target.last is None else max(target.last, micros)
                    if target.first is None:
                        target.first = micros
                else:
                    target["time"] = _iso(micros)

    def _date(self, view: bytes, points: list[int], *, watch: bool) -> list[tuple[int, int]] | None:
        """(offset, UTC micros) of the records at ``points``, in file order; None (``watch``) at
        a gap, a step back or a guessed pass (the first record of a chunk is not judged)."""
        context = self._context
        previous = context.last_micros if self._first is not None else None
        times = []
        for start in sorted(set(points)):
            m = RECORD_STAMP.match(view, start)
            stamp = stamp_from_match(m) if m else None
            micros = context.resolve_micros(stamp) if stamp is not None else None
            guessed, context.other_reading = context.other_reading is not None, None   # a guessed pass
            if micros is None:
                continue
            if watch and previous is not None and (guessed or abs(micros - previous) > DENSE_GAP_MICROS
                                                   or micros < previous - BACK_MICROS):
                return None
            previous = micros
            times.append((start, micros))
        return times

    # ------------------------------------------------------------ results
    def summary(self) -> dict[str, Any]:
        """JSON-able, bounded statistics of everything fed so far."""
        if not self._stored_head_done:
            self._read_stored_header(b"", last=True)
        h = self.header
        ranked = sorted(self._msgs.items(), key=lambda kv: (kv[0][0] != "Alr", -kv[1].count, kv[0][1]))
        messages = [{"level": level, "id": ident.decode(), "count": e.count, "first": _iso(e.first),
                     "last": _iso(e.last), "text": e.text} for (level, ident), e in ranked[:TOP_MESSAGES]]
        app = {k: v for k, v in (("name", h.app_name), ("type", h.app_type), ("version", h.version),
                                 ("banner", h.banner or None), ("host", h.host_name)) if v}
        out: dict[str, Any] = {
            "stream": stream_of(self.host_path),
            "app": app,
            "first": _iso(self._first),
            "last": _iso(self._last),
            "levels": dict(self._levels),
            "messages": messages,
            "message_ids": len(self._msgs),
        }
        if len(self._msgs) > TOP_MESSAGES:
            out["messages_truncated"] = True
        if h.ha_role:
            out["ha_role"] = h.ha_role
        if self._ha_events:
            out["ha_events"] = list(self._ha_events)
            out["ha_events_total"] = self._ha_total
        if self._dropped_lines:
            out["long_lines_skipped"] = self._dropped_lines
        return out


def _iso(micros: int | None) -> str | None:
    if micros is None:
        return None
    moment: datetime = from_micros(micros)
    return moment.isoformat(timespec="milliseconds")
