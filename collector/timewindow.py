"""The time window: parse ``--since/--until/--around/--window``, choose segments, trim records.

* ``parse_when`` / ``parse_duration`` / ``make_window``: command-line times to a ``Window``.
* ``segment_times`` / ``file_end_time``: when a segment starts and ends (see timeformats);
  ``path_day``: the day a file's name or folder says it holds.
* ``overlaps`` / ``select_segments``: which segments of a stream touch the window.
* ``Trimmer``: a stream stage cutting one segment down to the records inside the window.

All datetimes returned are aware UTC.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TypeVar

from collector.hostzone import HostZone
from collector.model import UNDATED_NOTE, Window
from collector.segheader import parse_header
from collector.timeformats import (
    DAY_SECONDS,
    RECORD_NEXT,
    RECORD_STAMP,
    ROLLOVER_BACK_SECONDS,
    DateContext,
    SegmentTimes,
    Stamp,
    file_end_time,
    from_micros,
    parse_record_time,
    segment_clock,
    segment_day_order,
    segment_times,
    stamp_from_match,
    to_micros,
    to_utc,
    to_wall,
    wall_readings,
)

__all__ = [
    "DateContext", "SegmentTimes", "Trimmer", "WindowOrderError", "file_end_time", "is_wall_time", "make_window",
    "overlaps", "parse_duration", "parse_record_time", "parse_when", "path_day", "segment_times", "select_segments",
]

UTC = timezone.utc
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)\s*([smhdw]))", re.I)
_ABSOLUTE = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$", re.I)
WHEN_FORMS = ("use 'YYYY-MM-DD HH:MM[:SS]' (host local time), 'YYYY-MM-DDTHH:MM:SS', "
              "add 'Z' or '+02:00' for another zone, or an age like 90s, 30m, 2h, 3d, 1w, 1d12h")


class WindowOrderError(ValueError):
    """--since is later than --until."""


def is_wall_time(text: str) -> bool:
    """True for an absolute time without an offset (``2025-11-19 13:30``): a wall-clock reading
    that means different instants in different zones (``...Z``, ``...+02:00``, ``2h`` do not)."""
    m = _ABSOLUTE.match((text or "").strip())
    return m is not None and m.group(8) is None


def parse_duration(text: str) -> timedelta:
    """``30m``, ``2h``, ``1d12h``, ``90s``, ``1w`` (units s m h d w, summed)."""
    compact = re.sub(r"\s+", "", text or "").lower()
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"cannot read duration {text!r}: use a number and unit s, m, h, d or w, e.g. 30m, 2h, 1d12h")
    try:
        return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))
    except OverflowError:
        raise ValueError(f"duration {text!r} is too long") from None


def parse_when(text: str, *, now: datetime | None = None, local_tz: tzinfo | None = None,
               latest: bool = False) -> datetime:
    """An absolute time (``2025-11-19 13:30``, ``2025-11-19T13:30:00``, ``...Z``, ``...+02:00``;
    without an offset it is in ``local_tz``, default this host's zone) or an age (``2h``: now
    minus 2 hours; ``ago`` allowed, ``now`` means now). Returns an aware UTC datetime.

    A wall time the zone's clock shows twice (the repeated hour of a daylight-saving fall-back)
    or skips (spring forward) is read as the earliest instant it can mean, or the latest with
    ``latest`` (the end of a window: a window never loses the hour it might mean)."""
    value = (text or "").strip()
    current = (now or datetime.now(UTC)).astimezone(UTC)
    if value.lower() == "now":
        return current
    m = _ABSOLUTE.match(value)
    if m:
        year, month, day, hour, minute, second, frac, zone = m.groups()
        try:
            moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                              int(second or 0), int((frac or "0").ljust(6, "0")))
        except ValueError:
            raise ValueError(f"cannot read time {text!r}: no such date or time; {WHEN_FORMS}") from None
        if zone is None:
            return wall_readings(moment, local_tz)[1 if latest else 0]
        offset = timedelta(0)
        if zone.upper() != "Z":
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            offset = -offset if zone[0] == "-" else offset
        return moment.replace(tzinfo=timezone(offset)).astimezone(UTC)
    age = re.sub(r"\s*ago$", "", value, flags=re.I)
    if age[:1].isdigit():
        try:
            duration = parse_duration(age)
        except ValueError:
            pass
        else:
            try:
                return current - duration
            except OverflowError:
                raise ValueError(f"cannot read time {text!r}: that is before year 1") from None
    raise ValueError(f"cannot read time {text!r}: {WHEN_FORMS}")


def make_window(since: str | None, until: str | None, around: str | None, window: str | None, *,
                now: datetime | None = None, local_tz: tzinfo | None = None,
                zone: HostZone | None = None) -> Window:
    """Build the collection window from the command-line options.

    * ``--around T --window W``: width W centred on T, i.e. [T - W/2, T + W/2]
      (``--around "2025-11-19 14:05" --window 30m`` = 13:50 .. 14:20).
    * ``--window W`` alone: the last W (``--since`` now-W); with ``--since S``: [S, S + W];
      with ``--until U``: [U - W, U].
    * ``--since``/``--until`` alone: open-ended on the other side; nothing: unbounded.
    * A wall time that falls in a daylight-saving change is read widely: the start as the
      earliest instant it can mean, the end as the latest (``parse_when``).

    An option given empty (``--since ""``) is an error, not a missing option. Raises ValueError
    on that, ``--around`` without ``--window``, ``--around`` with ``--since`` or ``--until``,
    ``--window`` with both, a window past the dates Python handles, or since later than until.
    ``zone`` (the collected host's, ``hostzone.host_zone``) is recorded in the window; times
    without an offset are read in ``local_tz`` (pass ``zone.tzinfo``).
    """
    def when(text: str, latest: bool = False) -> datetime:
        return parse_when(text, now=now, local_tz=local_tz, latest=latest)

    width = parse_duration(window) if window is not None else None
    if width is not None and width <= timedelta(0):
        raise ValueError("--window must be longer than 0")
    start = when(since) if since is not None else None
    end = when(until, latest=True) if until is not None else None
    try:
        if around is not None:
            if width is None:
                raise ValueError("--around needs --window (e.g. --around '2025-11-19 14:05' --window 30m)")
            if start or end:
                raise ValueError("--around cannot be combined with --since or --until")
            start, end = when(around) - width / 2, when(around, latest=True) + width / 2
        elif width is not None:
            if start and end:
                raise ValueError("--window cannot be combined with both --since and --until")
            if start:
                end = start + width
            elif end:
                start = end - width
            else:
                start = when("now") - width
    except OverflowError:
        raise ValueError(f"--window {window} reaches past the years 1 to 9999") from None
    if start and end and start > end:
        raise WindowOrderError(f"--since ({start:%Y-%m-%d %H:%M:%S}Z) is later than --until ({end:%Y-%m-%d %H:%M:%S}Z)")
    return Window(since=start, until=end, zone=zone)


# ------------------------------------------------------------------ day files
# a folder named by a day (PureConnect Logs/2024-03-05/), a file named by one (its zipped day
# 2024-03-03.zip, logback cloud.2024-03-05[.1].log, log4j daily pulse.log.2024-03-05), a Jetty
# request log 2024_03_05.request.log (GMT); each also gzipped (a .gz rotation holds the same day)
_DAY_FOLDER = re.compile(r"^(\d{4})([-_]?)(\d\d)\2(\d\d)$")
_DAY_FILE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)(?:\.\w+)+$"
                       r"|^.+?\.(\d{4})-(\d\d)-(\d\d)(?:\.\d{1,4})?\.log$"
                       r"|^.+?\.log\.(\d{4})-(\d\d)-(\d\d)$")
_DAY_REQUEST_LOG = re.compile(r"^(\d{4})_(\d\d)_(\d\d)\.request\.log$")
_DATE_IN_NAME = re.compile(r"\d{4}[-_]?\d\d[-_]?\d\d")        # a Genesys stamp too


def path_day(host_path: str, local_tz: tzinfo | None = None) -> tuple[datetime, datetime] | None:
    """[start, end) (aware UTC) of the day a file holds by its name (``2024-03-03.zip``,
    ``cloud.2024-03-05.1.log``, ``pulse.log.2024-03-05``, ``2024_03_05.request.log``: GMT; the
    same names gzipped) or, for a file without a date or time in its name, by its folder's
    (``Logs/2024-03-05/ip_sip.txt``); None if neither says. Days are midnight to midnight in ``local_tz`` (None = this host's zone).

    The name is authoritative where the mtime is not: a copy made with ``scp -r`` or ``cp -r``
    gives every file the copy's time."""
    folder, _, name = host_path.rpartition("/")
    name = name[:-3] if name.endswith(".gz") else name
    zone: tzinfo | None = local_tz
    found = _DAY_REQUEST_LOG.match(name)
    if found:
        zone, parts = UTC, found.groups()
    elif (found := _DAY_FILE.match(name)) is not None:
        parts = tuple(p for p in found.groups() if p is not None)
    elif _DATE_IN_NAME.search(name) is None \
            and (found := _DAY_FOLDER.match(posixpath.basename(folder))) is not None:
        parts = (found.group(1), found.group(3), found.group(4))
    else:
        return None
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
        start = to_utc(datetime(day.year, day.month, day.day), zone)
        following = day + timedelta(days=1)
        end = to_utc(datetime(following.year, following.month, following.day), zone)
    except (ValueError, OverflowError):
        return None
    return start, end


def within_day(mtime: float, day: tuple[datetime, datetime]) -> float:
    """A file's last write, ``mtime`` when it falls within the day its path names, else the
    last second of that day: a file of a day was last written on it, an mtime elsewhere is a
    copy's."""
    start, end = day
    if start.timestamp() <= mtime < end.timestamp():
        return mtime
    return end.timestamp() - 1


# ------------------------------------------------------------------ selection
Name = TypeVar("Name")


def overlaps(start: datetime | None, end: datetime | None, window: Window) -> bool:
    """Does [start, end] touch the window? An unknown start or end is open on that side."""
    if window.until is not None and start is not None and start > window.until:
        return False
    if window.since is not None and end is not None and end < window.since:
        return False
    return True


def select_segments(stream: Sequence[tuple[Name, datetime | None, datetime | None]], window: Window,
                    keep_first: bool) -> list[Name]:
    """Segments of ONE stream (one ``<base>[-NNN]``) to collect, oldest first (GENESYS.md (b)).

    Sorted by start; segment i is kept if ``start_i <= until`` and (``start_{i+1} > since`` or
    it is the newest), and its end (mtime), when known, is not before ``since``. The first
    (startup) segment is always kept with ``keep_first`` (keep-startup-file). Unknown starts
    sort by their end and count as early enough.
    """
    def key(item: tuple[Name, datetime | None, datetime | None]) -> datetime:
        _, start, end = item
        return start or end or datetime.min.replace(tzinfo=UTC)

    ordered = sorted(stream, key=key)
    chosen: list[Name] = []
    for index, (name, start, end) in enumerate(ordered):
        nxt = ordered[index + 1][1] if index + 1 < len(ordered) else None
        newest = index + 1 == len(ordered)
        starts_in_time = window.until is None or start is None or start <= window.until
        not_superseded = newest or window.since is None or nxt is None or nxt > window.since
        ended_in_time = window.since is None or end is None or end >= window.since
        if (starts_in_time and not_superseded and ended_in_time) or (keep_first and index == 0):
            chosen.append(name)
    return chosen


# ------------------------------------------------------------------ undated logs
UNDATED_PEEK_BYTES = 64 * 1024  # of a log, to tell whether its record times are recognised


def records_undated(head: bytes, file_name: str = "") -> bool:
    """Could the Trimmer date none of a log's records? Judged from its first bytes (``head``,
    decompressed and decoded, up to ``UNDATED_PEEK_BYTES``): True when no line of ``head`` starts
    with a recognised time stamp, yet it holds text (after the segment header, when a header
    gives a time: a segment of only its header is not undated). Such a log (epoch seconds,
    another product's layout) would be cut by its name or header time alone, all or nothing.
    Also True when its ``NN/NN/YYYY`` stamps could be day-first or month-first and nothing tells
    which (``timeformats.segment_day_order`` "unknown", the date in ``file_name`` counted)."""
    m = RECORD_STAMP.match(head)
    if m and stamp_from_match(m) is not None:
        return segment_day_order(head, parse_header(head), file_name, 0) == "unknown"
    found = next((m for m in RECORD_NEXT.finditer(head) if stamp_from_match(m) is not None), None)
    header = parse_header(head)
    if found is not None:
        return segment_day_order(head, header, file_name, found.start() + 1) == "unknown"
    timed = header.local_time or header.start_time_utc or header.time_zone_s is not None
    return bool(head[header.header_end if timed else 0:].strip())


# ------------------------------------------------------------------ trimming
BLOCK_BYTES = 1 << 20          # records are decided a block (of whole lines) at a time
SAMPLE_BYTES = 64 << 10        # a block is sampled every this many bytes for the fast path
MAX_LINE_BYTES = 4 << 20       # a longer line is decided by its start and streamed through
_STAMP_PREFIX = 96             # enough bytes of a line to read its stamp
_SLACK = 5_000_000             # µs: records may be out of order by this much (threads)
_SPAN = int(ROLLOVER_BACK_SECONDS * 1_000_000)
# the hour of a time-only record line (``09:15:02.004``, T-Lib ``@09:15:05.8712``) after a newline
_TIME_ONLY_HOUR = re.compile(rb"\n@?(\d\d):\d\d:\d\d")
_BEFORE, _INSIDE, _AFTER = -1, 0, 1
# A segment's records are written in time order: once a whole block (decided at once, its
# samples in order) starts this long after the window's end, the rest of the segment is after
# it too, and reading stops (``Trimmer.past_window``). The margin keeps reading through a clock
# set back a little (NTP) or records of threads that came late.
PAST_WINDOW_MARGIN = 3600 * 1_000_000       # µs
DAY_ORDER_UNKNOWN = "its NN/NN/YYYY dates read both day-first and month-first, and neither its header nor its name tells which"
Record = tuple[int, Stamp]     # (offset of the line in the block, its stamp)


def cut_days_note(first_kept: datetime, zone: tzinfo | None, by: str = "time window") -> bytes:
    """The line put before the first kept record of a time-only segment when the window (or the
    per-file cap, ``by="size cap"``) dropped a day or more after the header: the record's date
    on the log's clock."""
    wall = to_wall(first_kept, zone)
    return (f"gcollect: the records before {wall:%Y-%m-%d %H:%M:%S} (this log's clock) were left out by the "
            f"{by}: the records below are dated from {wall:%Y-%m-%d} on, not from the header's "
            f"Local time\n").encode()


class Trimmer:
    """Stream stage cutting one log segment down to the records inside ``window``.

    * The header block (banner, ``Label: value`` lines, options dump: everything before the
      first record, as ``segheader.parse_header`` finds it in ``head``) is always kept, when
      the stream starts with those bytes (a tail-only stream does not).
    * A record is a timestamp-led line plus every following line without a timestamp
      (tab-indented T-Lib attributes, SIP message bodies with blank lines and CRLF, ``$+``/``$-``
      lines, Java stack traces). It is kept if its time is in [since, until]; a record whose
      date cannot be known is kept. Lines between the header and the first record are kept
      if the segment start is in the window (or unknown).
    * Input is re-cut into blocks of whole lines at positions that depend only on the data
      (the first line end at or after ``block_bytes``), so any chunking of the input gives the
      same output. A block whose samples (first record, one per ``SAMPLE_BYTES``, last record)
      are in time order, less than ``ROLLOVER_BACK_SECONDS`` apart and all on the same side of
      the window, and whose time-only records never go back an hour, is kept or dropped whole;
      other blocks are decided record by record.
    * In the repeated hour of a daylight-saving fall-back, a record read as the first pass is
      also kept when its second-pass time is inside the window (``DateContext.other_reading``). A record out of order inside
      such a block therefore follows its neighbours.
    * Memory: one block plus one line; a line longer than ``max_line_bytes`` is decided by its
      first bytes and streamed through (kept or dropped) without buffering.

    * Where the window drops a day or more of time-only records after the header (a quiet
      stream that runs for days in one segment), a reader dating the first kept record from the
      header's ``Local time`` would put it a day or more early: a line ``gcollect: ...`` before it
      gives its date (``cut_days_note``).
    * A segment whose ``NN/NN/YYYY`` stamps could be day-first or month-first, when neither
      its header, its name nor its records tell which (``timeformats.day_order``), is kept
      whole, and ``note`` says so: its records are not dropped on a guess.

    ``kept_first``/``kept_last``: times of the first and last kept record (None if none);
    ``lines_dropped``: number of lines cut; ``times``: the segment's ``SegmentTimes``;
    ``note``: why the segment was not trimmed, or "".
    """

    def __init__(self, window: Window, *, file_name: str, head: bytes, mtime: float,
                 local_tz: tzinfo | None = None, utc_stamps: bool | None = None,
                 block_bytes: int = BLOCK_BYTES, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        if local_tz is None:
            local_tz = window.local_tz
        clock = segment_clock(file_name, head, mtime, local_tz=local_tz, utc_stamps=utc_stamps)
        self.times: SegmentTimes = clock.times
        self._context: DateContext = clock.context
        self._since = to_micros(window.since) if window.since else None
        self._until = to_micros(window.until) if window.until else None
        self._passthrough = window.unbounded or clock.day_order == "unknown"
        self.note = ""
        if clock.day_order == "unknown" and not window.unbounded:
            self.note = f"{UNDATED_NOTE} ({DAY_ORDER_UNKNOWN})"
        self._header = head[:clock.header_end]
        self._in_header = bool(self._header)
        self._as_from_header = clock.context.copy()   # how a reader dates a record: from the header on
        start = clock.times.start
        self._keep = start is None or self._side(to_micros(start)) == _INSIDE
        self._block = max(1, block_bytes)
        self._max_line = max(self._block, max_line_bytes)
        self._buf = bytearray()
        self._scan_from = 0
        self._streaming: bool | None = None      # keep/drop decision of a long line in flight
        self._kept_first: int | None = None
        self._kept_last: int | None = None
        self.lines_dropped = 0
        # True once the records read are well past the window's end: the reader may stop
        self.past_window = False

    @property
    def kept_first(self) -> datetime | None:
        return None if self._kept_first is None else from_micros(self._kept_first)

    @property
    def header(self) -> bytes:
        """The header block this stage passes first (when the stream starts with it)."""
        return self._header

    @property
    def context(self) -> DateContext:
        return self._context

    @property
    def kept_last(self) -> datetime | None:
        return None if self._kept_last is None else from_micros(self._kept_last)

    # ------------------------------------------------------------ stage interface
    def feed(self, data: bytes) -> bytes:
        if self._passthrough:
            return data
        out: list[bytes] = []
        if self._streaming is not None:
            data = self._stream_long_line(data, out)
        if data:
            self._buf += data
        if self._in_header:
            self._take_header(out, final=False)
        if not self._in_header and self._streaming is None:
            self._cut_blocks(out)
        return b"".join(out)

    def finish(self) -> bytes:
        if self._passthrough:
            return b""
        out: list[bytes] = []
        if self._in_header:
            self._take_header(out, final=True)
        if self._buf:
            self._decide_block(bytes(self._buf), out)
            self._buf.clear()
        self._streaming = None
        return b"".join(out)

    # ------------------------------------------------------------ buffering
    def _take_header(self, out: list[bytes], *, final: bool) -> None:
        size = len(self._header)
        if len(self._buf) >= size:
            if self._buf.startswith(self._header):
                out.append(self._header)
                del self._buf[:size]
            self._in_header = False
        elif not self._header.startswith(self._buf):
            self._in_header = False
        elif final:                                  # the stream is a cut header: keep it
            out.append(bytes(self._buf))
            self._buf.clear()
            self._in_header = False

    def _cut_blocks(self, out: list[bytes]) -> None:
        buf = self._buf
        while len(buf) >= self._block:
            line_start = buf.rfind(b"\n", 0, self._block - 1) + 1
            end = buf.find(b"\n", max(self._scan_from, self._block - 1))
            if (end if end >= 0 else len(buf)) - line_start > self._max_line:
                if line_start:
                    self._decide_block(bytes(buf[:line_start]), out)
                self._scan_from = 0
                if end >= 0:                         # the long line is complete: decide it alone
                    self._decide_block(bytes(buf[line_start:end + 1]), out)
                    del buf[:end + 1]
                    continue
                keep = self._decide_line(bytes(buf[line_start:line_start + _STAMP_PREFIX]))
                if keep:                             # decide it by its start, then stream it
                    out.append(bytes(buf[line_start:]))
                buf.clear()
                self._streaming = keep
                return
            if end < 0:
                self._scan_from = len(buf)
                return
            self._decide_block(bytes(buf[:end + 1]), out)
            del buf[:end + 1]
            self._scan_from = 0

    def _stream_long_line(self, data: bytes, out: list[bytes]) -> bytes:
        end = data.find(b"\n")
        if self._streaming:
            out.append(data if end < 0 else data[:end + 1])
        if end < 0:
            return b""
        self._streaming = None
        return data[end + 1:]

    # ------------------------------------------------------------ deciding
    def _side(self, micros: int | None) -> int:
        if micros is None:
            return _INSIDE
        if self._since is not None and micros < self._since:
            return _BEFORE
        if self._until is not None and micros > self._until:
            return _AFTER
        return _INSIDE

    def _note_kept(self, first: int | None, last: int | None) -> None:
        if self._kept_first is None:
            self._kept_first = first
        if last is not None:
            self._kept_last = last

    def _date_first_kept(self, micros: int | None, stamp: Stamp, out: list[bytes]) -> None:
        """Before the first kept record: a line giving its date, when records were dropped since
        the header and a reader dating it from the header would be a day or more off."""
        if self.lines_dropped:
            out.append(self.dating_note(micros, stamp))

    def dating_note(self, micros: int | None, stamp: Stamp | None, by: str = "time window") -> bytes:
        """The ``cut_days_note`` line (in the header's line ends) for a first kept record dated
        ``micros`` whose stamp is ``stamp``, when a reader dating it from the header's Local time
        would be half a day or more off; else b"". Also for the per-file cap after this Trimmer."""
        if micros is None or stamp is None or stamp.day is not None:
            return b""
        as_read = self._as_from_header.copy().resolve_micros(stamp)
        if as_read is not None and abs(as_read - micros) < DAY_SECONDS * 1_000_000 // 2:
            return b""
        note = cut_days_note(from_micros(micros), self._context.stamp_zone, by)
        return note[:-1] + b"\r\n" if self._header.endswith(b"\r\n") else note   # the header's line ends

    def _other_reading_inside(self) -> bool:
        """Was the record just dated in the repeated hour of a fall-back, with its other
        reading (the second pass) inside the window? Clears the other reading."""
        other, self._context.other_reading = self._context.other_reading, None
        return self._side(other) == _INSIDE

    def _decide_line(self, prefix: bytes) -> bool:
        """Decide a long line from its first bytes; returns keep."""
        m = RECORD_STAMP.match(prefix)
        stamp = stamp_from_match(m) if m else None
        if stamp is not None:
            micros = self._context.resolve_micros(stamp)
            self._keep = self._side(micros) == _INSIDE
            if self._context.other_reading is not None and self._other_reading_inside():
                self._keep = True
            if self._keep:
                self._note_kept(micros, micros)
        if not self._keep:
            self.lines_dropped += 1
        return self._keep

    @staticmethod
    def _records(block: bytes, pos: int = 0) -> Iterator[Record]:
        """Record lines of ``block`` starting at or after ``pos``."""
        if pos == 0:
            m = RECORD_STAMP.match(block)
            stamp = stamp_from_match(m) if m else None
            if stamp is not None:
                yield 0, stamp
        for m in RECORD_NEXT.finditer(block, max(pos - 1, 0)):
            stamp = stamp_from_match(m)
            if stamp is not None:
                yield m.start() + 1, stamp

    @staticmethod
    def _last_record(block: bytes, after: int) -> Record | None:
        end = len(block) - 1
        while end > after:
            start = block.rfind(b"\n", 0, end) + 1
            if start <= after:
                return None
            m = RECORD_STAMP.match(block, start)
            stamp = stamp_from_match(m) if m else None
            if stamp is not None:
                return start, stamp
            end = start - 1
        return None

    def _emit(self, block: bytes, start: int, end: int, keep: bool, out: list[bytes]) -> None:
        if start >= end:
            return
        if keep:
            out.append(block[start:end] if start or end < len(block) else block)
            return
        self.lines_dropped += block.count(b"\n", start, end)
        if end == len(block) and block[-1:] != b"\n":
            self.lines_dropped += 1

    def _decide_block(self, block: bytes, out: list[bytes]) -> None:
        first = next(self._records(block), None)
        if first is None:
            self._emit(block, 0, len(block), self._keep, out)
            return
        self._emit(block, 0, first[0], self._keep, out)
        if not self._decide_whole(block, first, out):
            self._decide_each(block, first[0], out)

    def _decide_whole(self, block: bytes, first: Record, out: list[bytes]) -> bool:
        """Fast path: decide everything from the first record on at once, if the samples agree."""
        samples = [first]
        for pos in range(first[0] + SAMPLE_BYTES, len(block), SAMPLE_BYTES):
            found = next(self._records(block, pos), None)
            if found is None:
                break
            if found[0] > samples[-1][0]:
                samples.append(found)
        last = self._last_record(block, samples[-1][0])
        if last is not None:
            samples.append(last)
        saved = self._context.copy()
        times = [self._context.resolve_micros(stamp) for _, stamp in samples]
        sides = {self._side(t) for t in times}
        ordered = all(a is not None and b is not None and a - _SLACK <= b < a + _SPAN
                      for a, b in zip(times, times[1:]))
        in_repeated_hour = self._context.other_reading is not None
        if len(sides) != 1 or not ordered or in_repeated_hour or self._turns_back(block, samples):
            self._context = saved
            return False
        side = sides.pop()
        keep = side == _INSIDE
        if keep and self._kept_first is None:
            self._date_first_kept(times[0], first[1], out)
        self._emit(block, first[0], len(block), keep, out)
        if keep:
            self._note_kept(times[0], times[-1])
        elif side == _AFTER and self._until is not None and times[0] is not None \
                and times[0] > self._until + PAST_WINDOW_MARGIN:
            self.past_window = True
        self._keep = keep
        return True

    @staticmethod
    def _turns_back(block: bytes, samples: list[Record]) -> bool:
        """Does the hour of the time-only records go back anywhere from the first sample on?
        Samples in order can hide a whole day: a quiet log's block may hold 10:00, 23:30,
        00:00, ... 12:00 (next day), sampled as 10:00 and 12:00. Only the records in between
        show the rollover, so such a block is decided record by record."""
        if all(stamp.day is not None for _, stamp in samples):
            return False
        hours = [b"%02d" % samples[0][1].hour] + _TIME_ONLY_HOUR.findall(block, samples[0][0])
        return hours != sorted(hours)       # some hour is below the one before it (C speed: a
        # generator over the pairs took a third of the trimmer's time on dropped blocks)

    def _decide_each(self, block: bytes, pos: int, out: list[bytes]) -> None:
        run_start, keep = pos, self._keep
        context = self._context
        resolve, side = context.resolve_micros, self._side
        for offset, stamp in self._records(block, pos):
            micros = resolve(stamp)
            record_keep = side(micros) == _INSIDE
            if context.other_reading is not None and self._other_reading_inside():
                record_keep = True              # a little extra rather than a lost record
            if record_keep != keep:
                self._emit(block, run_start, offset, keep, out)
                run_start, keep = offset, record_keep
                if record_keep and self._kept_first is None:
                    self._date_first_kept(micros, stamp, out)
            if record_keep:
                self._note_kept(micros, micros)
        self._emit(block, run_start, len(block), keep, out)
        self._keep = keep
