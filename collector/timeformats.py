"""Recognise the timestamps of Genesys log records, file names and segment headers.

Every variant in GENESYS.md (b) is matched by ONE compiled regex anchored at the line start
(``RECORD_STAMP``; ``RECORD_NEXT`` is the same pattern after a newline, for scanning whole
chunks). Lines that do not begin with a digit, ``@``, ``[`` or a weekday are rejected before
the regex runs.

Record forms (the first group name is ``lastgroup`` of the match):

=========  =====================================================================================
iso        ``2016-08-11T09:01:46.060``, Stat Server ``2016-08-11 09:01:46.060``, logback
           ``2024-03-05 09:15:02,004``, ``[2024-03-05 09:15:02.004]``,
           ``2024-03-05T09:15:02.004+0000`` / ``Z`` / ``+02:00`` (an explicit offset wins)
tod        ``09:01:46.060``, T-Lib ``@16:45:24.5939``, SIP dumps ``09:15:04.990: SIPTR: ...``,
           LCA ``09:01:46`` (time only: the date comes from the ``DateContext``)
us         ``08/11/2016 09:01:46.060``, ``08/11/16 09:01:46.060``, URS HTTP ``02/26/20@20:40:26.379:``;
           with a 12-hour clock (PureConnect ``11/27/2026 02:15:00.000 PM``, .NET
           ``11/27/2026 2:15:00 PM``, ``1/5/2026 2:15:00 AM``): 12 AM is 0 h, 12 PM is 12 h;
           ``time_format=locale`` on a day-first host prints ``05/03/2024`` for 5 March: the
           order is decided per segment (``DateContext.day_first``, ``day_order``)
wde        ``16-08-11 09:01:46.060`` (WDE ``yy-MM-dd``)
ctime      ``Sun Jun  5 15:22:21 2016.741``
loc        ``Thu 11 Aug 2016 09:01:46 AM CDT.060`` (a few US zone names are honoured, others
           are ignored and the segment's zone is used)
ncsa       Jetty/Tomcat request logs (NCSA common/combined form): ``192.0.2.7 - - [05/Mar/2024:10:00:00
           +0000] "GET ..."``, the stamp after the client address (IPv4, or IPv6 led by a digit),
           identity and user, or ``[05/Mar/2024:10:00:00 +0000]`` at the line start; its own
           offset is always printed
=========  =====================================================================================

Stamps without an offset are wall-clock time in the segment's zone (``DateContext.zone``:
the host zone when it has the header's UTC offset at the segment start, so a daylight-saving
change inside the segment is followed; else the header's fixed offset; the host zone when
there is no header), or UTC when the app logs with ``time_convert=utc``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Literal, NamedTuple

from collector.segheader import SegmentHeader, parse_header

DAY_SECONDS = 86400.0
# time of day going back more than this = next day; a daylight-saving fall-back goes back 1 h,
# threads write a few seconds out of order
ROLLOVER_BACK_SECONDS = 2 * 3600.0
# a record dated in the first pass of a repeated (fall-back) hour that would go back more than
# this before the last record is in the second pass (threads write a few seconds out of order)
FOLD_SLACK_MICROS = 60_000_000
# a first-pass reading this soon after the record before it is sure: the second pass would
# mean the log was silent for an hour more
SURE_GAP_MICROS = 600_000_000
UTC = timezone.utc

_DAYS = rb"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTHS = rb"(?P<%s>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_HMS = rb"(?P<%(p)sH>\d\d):(?P<%(p)sM>\d\d):(?P<%(p)sS>\d\d)"
_FRAC = rb"(?:[.,](?P<%sf>\d{1,9}))?"

_US_12H_REST_HOUR = rb":\d\d:\d\d(?:[.,]\d{1,9})? [AP]M(?![A-Za-z])"
_US_12H_REST_DAY = rb"/(?:\d{4}|\d\d) \d\d?" + _US_12H_REST_HOUR
_US_12H_REST_MONTH = rb"/\d\d?" + _US_12H_REST_DAY

_STAMP_SOURCE = (
    rb"(?:"
    rb"(?P<iso>\[?(?P<iy>\d{4})-(?P<im>\d\d)-(?P<id>\d\d)[T ]" + _HMS % {b"p": b"i"} + _FRAC % b"i"
    + rb"(?P<iz>Z|[+-]\d\d:?\d\d)?)"
    rb"|(?P<tod>@?" + _HMS % {b"p": b"t"} + _FRAC % b"t" + rb")(?!\d)"
    # a 12-hour clock (PureConnect .txt logs, .NET's M/d/yyyy h:mm:ss tt): one-digit month, day
    # or hour only when an AM/PM marker follows (a lookahead on the one-digit branch: cheap)
    rb"|(?P<us>(?P<um>\d\d|\d(?=" + _US_12H_REST_MONTH + rb"))/(?P<ud>\d\d|\d(?=" + _US_12H_REST_DAY + rb"))"
    rb"/(?P<uy>\d{4}|\d\d)[ @](?P<uH>\d\d|\d(?=" + _US_12H_REST_HOUR + rb")):(?P<uM>\d\d):(?P<uS>\d\d)"
    + _FRAC % b"u" + rb"(?: (?P<up>[AP]M)(?![A-Za-z]))?)"
    rb"|(?P<wde>(?P<wy>\d\d)-(?P<wm>\d\d)-(?P<wd>\d\d) " + _HMS % {b"p": b"w"} + _FRAC % b"w" + rb")"
    rb"|(?P<ctime>" + _DAYS + rb" " + _MONTHS % b"cb" + rb" +(?P<cd>\d{1,2}) "
    + _HMS % {b"p": b"c"} + rb" (?P<cy>\d{4})" + _FRAC % b"c" + rb")"
    rb"|(?P<loc>" + _DAYS + rb",? (?P<ld>\d{1,2}) " + _MONTHS % b"lb" + rb" (?P<ly>\d{4}) "
    rb"(?P<lH>\d{1,2}):(?P<lM>\d\d):(?P<lS>\d\d)(?: (?P<lp>[AP]M))?(?: (?P<lz>[A-Z]{2,5}))?"
    + _FRAC % b"l" + rb")"
    # NCSA: client, identity, user, [stamp] (a branch, not an optional group: sre sets up a
    # repeat for the group at every line, which cost 10% of a scan of Genesys logs)
    rb"|(?P<ncsa>(?:[0-9][0-9A-Fa-f.:]* [^ \n]+ [^ \n]+ \[|\[)(?P<nd>\d\d)/" + _MONTHS % b"nb"
    + rb"/(?P<ny>\d{4}):" + _HMS % {b"p": b"n"} + _FRAC % b"n" + rb" (?P<nz>[+-]\d\d:?\d\d)\])"
    rb")"
)
RECORD_STAMP = re.compile(_STAMP_SOURCE)                 # .match(line) or .match(buf, pos)
# a record line after a newline: the lookahead lets the engine skip to "\n" + lead byte fast;
# the line starts at match.start() + 1 (the first line of a buffer is checked with RECORD_STAMP)
RECORD_NEXT = re.compile(rb"\n(?=[0-9@\[MTWFS])" + _STAMP_SOURCE)
LEAD_BYTES = frozenset(b"0123456789@[MTWFS")

_MONTH_NUMBER = {m: i for i, m in enumerate(
    (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"), 1)}
_ZONE_NAMES = {  # unambiguous enough for Genesys' US-centric "locale" format
    b"UTC": 0, b"GMT": 0, b"Z": 0, b"EST": -5, b"EDT": -4, b"CST": -6, b"CDT": -5,
    b"MST": -7, b"MDT": -6, b"PST": -8, b"PDT": -7, b"CET": 1, b"CEST": 2,
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


class Stamp(NamedTuple):
    """What one timestamp says, before a zone or a date is applied."""

    day: date | None            # None: time-only stamp
    hour: int
    minute: int
    second: int
    micro: int
    offset: timedelta | None    # explicit offset printed in the stamp
    # ``NN/NN/YYYY`` stamps: the date read day-first, when that is a date (``day`` is read
    # month-first when that is one); ``DateContext.day_first`` says which a segment uses
    day_first: date | None = None

    @property
    def seconds_of_day(self) -> float:
        return self.hour * 3600 + self.minute * 60 + self.second + self.micro / 1e6


_FRACTION_SCALE = (0, 100000, 10000, 1000, 100, 10, 1)


def _micro(frac: bytes | None) -> int:
    if not frac:
        return 0
    return int(frac) * _FRACTION_SCALE[len(frac)] if len(frac) <= 6 else int(frac[:6])


def _offset(text: bytes | None) -> timedelta | None:
    if not text:
        return None
    if text == b"Z":
        return timedelta(0)
    digits = text[1:].replace(b":", b"")
    value = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return -value if text[:1] == b"-" else value


def _dated(day: date, h: bytes, m: bytes, s: bytes, frac: bytes | None,
           offset: timedelta | None = None, hour: int | None = None, day_first: date | None = None
           ) -> Stamp | None:
    stamp = Stamp(day, int(h) if hour is None else hour, int(m), int(s), _micro(frac), offset, day_first)
    return stamp if stamp.hour < 24 and stamp.minute < 60 and stamp.second < 60 else None


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _hour_of_12(hour: int, marker: bytes | None) -> int | None:
    """The 24-hour clock's hour of ``hour`` followed by ``marker`` (AM, PM or none): 12 AM is 0,
    12 PM is 12; None for an hour a 12-hour clock cannot show (0 or above 12 before AM/PM)."""
    if not marker:
        return hour
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if marker == b"PM" else 0)


def stamp_from_match(m: re.Match[bytes]) -> Stamp | None:
    """Turn a ``RECORD_STAMP``/``RECORD_NEXT`` match into a ``Stamp``; None if impossible."""
    g = m.group
    kind = m.lastgroup
    try:
        if kind == "tod":                            # the common case, kept short
            h, mi, se, frac = g("tH", "tM", "tS", "tf")
            hour, minute, second = int(h), int(mi), int(se)
            if hour > 23 or minute > 59 or second > 59:
                return None
            return Stamp(None, hour, minute, second, _micro(frac), None)
        if kind == "iso":
            day = date(int(g("iy")), int(g("im")), int(g("id")))
            return _dated(day, g("iH"), g("iM"), g("iS"), g("if"), _offset(g("iz")))
        if kind == "us":
            year = int(g("uy"))
            year += 2000 if year < 100 else 0
            first, second = int(g("um")), int(g("ud"))
            month_first = _valid_date(year, first, second)
            if m.string[m.end("uy")] == 0x40:        # URS HTTP "02/26/20@...": always month first
                return _dated(month_first, g("uH"), g("uM"), g("uS"), g("uf")) if month_first else None
            day_first = _valid_date(year, second, first)
            day = month_first or day_first
            if day is None:
                return None
            hour = _hour_of_12(int(g("uH")), g("up"))
            if hour is None:
                return None
            return _dated(day, b"", g("uM"), g("uS"), g("uf"), hour=hour, day_first=day_first)
        if kind == "wde":
            day = date(2000 + int(g("wy")), int(g("wm")), int(g("wd")))
            return _dated(day, g("wH"), g("wM"), g("wS"), g("wf"))
        if kind == "ctime":
            day = date(int(g("cy")), _MONTH_NUMBER[g("cb")], int(g("cd")))
            return _dated(day, g("cH"), g("cM"), g("cS"), g("cf"))
        if kind == "loc":
            hour = _hour_of_12(int(g("lH")), g("lp"))
            if hour is None:
                return None
            day = date(int(g("ly")), _MONTH_NUMBER[g("lb")], int(g("ld")))
            zone = _ZONE_NAMES.get(g("lz") or b"")
            offset = timedelta(hours=zone) if zone is not None else None
            return _dated(day, b"", g("lM"), g("lS"), g("lf"), offset, hour)
        if kind == "ncsa":
            day = date(int(g("ny")), _MONTH_NUMBER[g("nb")], int(g("nd")))
            return _dated(day, g("nH"), g("nM"), g("nS"), g("nf"), _offset(g("nz")))
    except ValueError:
        return None
    return None


def parse_stamp(line: bytes) -> Stamp | None:
    """The stamp at the start of ``line``, or None."""
    if not line or line[0] not in LEAD_BYTES:
        return None
    m = RECORD_STAMP.match(line)
    return stamp_from_match(m) if m else None


def to_utc(naive: datetime, zone: tzinfo | None) -> datetime:
    """Wall-clock ``naive`` in ``zone`` (None = this host's zone) as an aware UTC datetime.
    A wall time that occurs twice (the repeated hour of a daylight-saving fall-back) is read
    as ``naive.fold`` says: 0 the first (earlier) one, 1 the second."""
    if zone is None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def wall_readings(naive: datetime, zone: tzinfo | None) -> tuple[datetime, datetime]:
    """(earliest, latest) UTC instants the wall-clock ``naive`` can mean in ``zone``: the same
    instant twice, except in the repeated hour of a fall-back (two instants an hour apart) and
    in the skipped hour of a spring-forward (read with the offset before and after the change)."""
    first, second = to_utc(naive.replace(fold=0), zone), to_utc(naive.replace(fold=1), zone)
    return (first, second) if first <= second else (second, first)


def offsets_at(naive: datetime, zone: tzinfo | None) -> set[timedelta]:
    """The UTC offsets ``zone`` (None = this host's zone) has at wall-clock ``naive``: two in
    the repeated hour of a fall-back, else one."""
    found = set()
    for fold in (0, 1):
        moment = naive.replace(fold=fold)
        offset = moment.astimezone().utcoffset() if zone is None else zone.utcoffset(moment)
        if offset is not None:
            found.add(offset)
    return found


def to_wall(moment: datetime, zone: tzinfo | None) -> datetime:
    """Aware ``moment`` as naive wall-clock time in ``zone`` (None = this host's zone)."""
    return (moment.astimezone() if zone is None else moment.astimezone(zone)).replace(tzinfo=None)


def to_micros(moment: datetime) -> int:
    """Aware datetime -> integer microseconds since the Unix epoch (exact)."""
    return (moment - EPOCH) // _US


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


@dataclass
class DateContext:
    """Running state for dating records of one segment, in the stamps' own zone.

    ``day``/``last_seconds`` are the date and time of day (wall clock in ``zone``, or UTC when
    ``utc_stamps``) of the last dated record; a time-only record going back by more than
    ``ROLLOVER_BACK_SECONDS`` starts the next day (midnight rollover). A time-only record that
    jumps forward by almost a day (a late line from before midnight) gets the previous day and
    does not move the context. Times are integer microseconds since the epoch internally;
    the UTC start of each (day, hour) is cached, so DST changes are followed hour by hour.

    The repeated hour of a daylight-saving fall-back (01:00-02:00 twice in New York) is read
    as its first pass until a record would go back in time by more than ``FOLD_SLACK_MICROS``
    from the last one (``last_micros``); it is then the second pass. Seeded at a segment start
    that the header's offset placed in the second pass, the records are in the second pass
    from the start. The first pass is sure when the record before was in it (and sure), or
    came less than ``SURE_GAP_MICROS`` before; else (a quiet log, a segment starting in the
    repeated hour with no header offset: ``pass_guessed``) the record leaves its second-pass
    time in ``other_reading`` until the caller clears it, so a window can keep it when either
    reading is inside.
    """

    day: date | None = None
    last_seconds: float | None = None
    zone: tzinfo | None = None          # None = this host's zone
    utc_stamps: bool = False            # time_convert=utc: stamps are UTC
    last_micros: int | None = None      # UTC time of the last record dated (or the seed)
    other_reading: int | None = None    # set by a guessed first-pass reading of a repeated hour
    pass_guessed: bool = False          # the last reading in a repeated hour was a guess
    # ``NN/NN/YYYY`` stamps are day-first (True), month-first (False) or not decided yet (None:
    # the first stamp whose two readings differ decides, by the one nearer the running day)
    day_first: bool | None = None
    # (day, hour) -> UTC start of that wall-clock hour, or (first pass, second pass) of a
    # repeated hour
    _hours: dict[tuple[date, int], int | tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False)

    @property
    def stamp_zone(self) -> tzinfo | None:
        return UTC if self.utc_stamps else self.zone

    def copy(self) -> DateContext:
        return DateContext(self.day, self.last_seconds, self.zone, self.utc_stamps, self.last_micros,
                           None, self.pass_guessed, self.day_first, self._hours)

    def seed(self, moment: datetime) -> None:
        """Start dating from an aware ``moment`` (segment start)."""
        wall = to_wall(moment, self.stamp_zone)
        self.day = wall.date()
        self.last_seconds = wall.hour * 3600 + wall.minute * 60 + wall.second + wall.microsecond / 1e6
        self.last_micros = to_micros(moment)

    def _hour_start(self, day: date, hour: int) -> int | tuple[int, int]:
        if len(self._hours) > 4096:
            self._hours.clear()
        wall = datetime(day.year, day.month, day.day, hour)
        first = to_micros(to_utc(wall, self.stamp_zone))
        second = to_micros(to_utc(wall.replace(fold=1), self.stamp_zone))
        # second < first: a skipped hour (spring forward); read with the offset before it
        base = self._hours[(day, hour)] = (first, second) if second > first else first
        return base

    def _micros(self, day: date, stamp: Stamp) -> int:
        base = self._hours.get((day, stamp.hour))
        if base is None:
            base = self._hour_start(day, stamp.hour)
        rest = (stamp.minute * 60 + stamp.second) * 1_000_000 + stamp.micro
        if base.__class__ is int:
            return base + rest                      # type: ignore[operator]
        first, second = base                        # type: ignore[misc]
        reading, last = first + rest, self.last_micros
        if last is not None and reading < last - FOLD_SLACK_MICROS:
            self.pass_guessed = False
            return second + rest
        if last is None or (self.pass_guessed if last >= first else reading - last > SURE_GAP_MICROS):
            self.pass_guessed = True                # the likelier pass, not a certain one
            self.other_reading = second + rest
        else:
            self.pass_guessed = False
        return reading

    def resolve_micros(self, stamp: Stamp) -> int | None:
        """Like ``resolve``, as integer microseconds since the epoch (the Trimmer's unit)."""
        seconds = stamp.hour * 3600 + stamp.minute * 60 + stamp.second + stamp.micro * 1e-6
        if stamp.day is None:
            if self.day is None:
                return None
            last = self.last_seconds
            if last is not None and seconds < last - ROLLOVER_BACK_SECONDS:
                self.day += timedelta(days=1)
            elif last is not None and seconds > last + DAY_SECONDS - ROLLOVER_BACK_SECONDS:
                return self._micros(self.day - timedelta(days=1), stamp)
            self.last_seconds = seconds
            micros = self.last_micros = self._micros(self.day, stamp)
            return micros
        if stamp.offset is None:
            day = stamp.day
            if stamp.day_first is not None and stamp.day_first != day:
                day = self._in_order(stamp)
            self.day, self.last_seconds = day, seconds
            micros = self.last_micros = self._micros(day, stamp)
            return micros
        moment = datetime(stamp.day.year, stamp.day.month, stamp.day.day, stamp.hour, stamp.minute,
                          stamp.second, stamp.micro, tzinfo=timezone(stamp.offset))
        self.seed(moment)
        return to_micros(moment)

    def resolve_before_micros(self, stamp: Stamp) -> int | None:
        """UTC microseconds of a record known to come before the last one dated (a log's newest
        bytes, dated from its last record): a time-only stamp is on the last record's day when it
        is not later than that record (``ROLLOVER_BACK_SECONDS`` of slack for records written a
        little out of order), else on the day before. Dated stamps read as ``resolve_micros``
        does. This context does not move."""
        ctx = self.copy()
        if stamp.day is not None:
            return ctx.resolve_micros(stamp)
        if ctx.day is None or ctx.last_seconds is None:
            return None
        late = stamp.seconds_of_day > ctx.last_seconds + ROLLOVER_BACK_SECONDS
        return ctx._micros(ctx.day - timedelta(days=1) if late else ctx.day, stamp)

    def _in_order(self, stamp: Stamp) -> date:
        """The date of a ``NN/NN/YYYY`` stamp that reads differently day-first and month-first."""
        assert stamp.day is not None and stamp.day_first is not None
        if self.day_first is None:
            if self.day is None:
                return stamp.day                     # nothing to compare with: month first
            self.day_first = abs(stamp.day_first - self.day) < abs(stamp.day - self.day)
        return stamp.day_first if self.day_first else stamp.day

    def resolve(self, stamp: Stamp) -> datetime | None:
        """The aware UTC time of ``stamp``, advancing the context; None if no date is known."""
        micros = self.resolve_micros(stamp)
        return None if micros is None else from_micros(micros)


def parse_record_time(line: bytes, context: DateContext) -> datetime | None:
    """The aware UTC time of a record line, or None if the line does not start with a stamp.

    Time-only stamps take their date from ``context`` (and advance it over midnight).
    """
    stamp = parse_stamp(line)
    return context.resolve(stamp) if stamp else None


# ------------------------------------------------------------------ file names
_NAME_GENESYS = re.compile(r"\.(\d{4})(\d\d)(\d\d)_(\d\d)(\d\d)(\d\d)_(\d{3})(?=\.|-\d+$|$)")
_NAME_REQUEST = re.compile(r"(?<!\d)(\d{4})_(\d\d)_(\d\d)\.request\.log")
_NAME_JAVA = re.compile(                                    # gax.log.<ts>, cloud.2024-03-05.log
    r"(?:\.log\.|[._-])(\d{4})-?(\d\d)-?(\d\d)"
    r"(?:[T_.-]?(\d\d)[:.-]?(\d\d)(?:[:.-]?(\d\d))?(?:[_.,](\d{3}))?)?(?=[.-]|$)"
)


def name_time(file_name: str) -> tuple[datetime, bool] | None:
    """(naive wall-clock start, is_utc) from a log file name, or None.

    ``SIPS_P.20240305_091500_120.log`` (also ``-NNN.<ts>.log``, ``.snapshot.log``, ``.qsp``,
    ``.memory.log``), GAX ``gax.log.<timestamp>[-N]``, logback ``name.2024-03-05[.N].log`` and
    Jetty ``2024_03_05.request.log`` (GMT, so ``is_utc``).
    """
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    for pattern, is_utc in ((_NAME_GENESYS, False), (_NAME_REQUEST, True), (_NAME_JAVA, False)):
        m = pattern.search(base)
        if not m:
            continue
        parts = [int(x) if x else 0 for x in m.groups()]
        parts += [0] * (7 - len(parts))
        try:
            return datetime(*parts[:6], microsecond=parts[6] * 1000), is_utc
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=256)      # asked several times per segment for the same two values
def header_stamp(text: str | None) -> datetime | None:
    """A header value like ``2024-03-05T09:15:00.120`` as a naive datetime (None if unreadable)."""
    if not text:
        return None
    stamp = parse_stamp(text.strip().encode("utf-8", "replace"))
    if stamp is None or stamp.day is None:
        return None
    day = stamp.day                                  # as printed; a printed offset is ignored
    return datetime(day.year, day.month, day.day, stamp.hour, stamp.minute, stamp.second, stamp.micro)


# ------------------------------------------------------------------ segments
SegmentTimeSource = Literal["name", "header", "record", "mtime"]
DayOrder = Literal["day-first", "month-first", "unknown", ""]
_NUMERIC_DATE = re.compile(rb"^(\d\d)/(\d\d)/(\d{4}|\d\d) \d\d:\d\d:\d\d", re.M)
_TIME_CONVERT_UTC = re.compile(rb"time[_-]convert\s*[=:]?\s*['\"]?utc\b", re.I)


@dataclass(frozen=True)
class SegmentTimes:
    """When a segment starts. ``source`` "mtime" means the start is unknown (``start`` None):
    only the file's modification time (its end, ``file_end_time``) is known."""

    start: datetime | None                  # aware UTC
    source: SegmentTimeSource
    utc_offset: timedelta | None            # the app's offset used for wall-clock stamps


@dataclass(frozen=True)
class SegmentClock:
    """Everything the Trimmer needs to date one segment's records."""

    times: SegmentTimes
    context: DateContext                    # seeded at the segment start
    header_end: int                         # bytes of header block at the start of the file
    day_order: DayOrder = ""                # of its NN/NN/YYYY stamps (see ``day_order``)


def day_order(records: bytes, reference: date | None) -> DayOrder:
    """Day/month order of the ``NN/NN/YYYY`` (``NN/NN/YY``) record stamps in ``records`` (a
    segment's head after its header), with ``reference`` the segment's date from its header
    or file name (None if neither gives one).

    A first number above 12 means day first, a second one month first (both: "unknown"). Else
    the first stamp that reads differently both ways is read the way nearer ``reference``
    ("unknown" without one, or when both are as near). "" when no stamp needs the order yet
    (none of this form, or each reads the same both ways, like ``03/03/2024``); the context
    then decides at the first that does, by the reading nearer the running day."""
    found = [(int(a), int(b), int(y) + (2000 if len(y) == 2 else 0))
             for a, b, y in _NUMERIC_DATE.findall(records)]
    found = [(a, b, y) for a, b, y in found if _valid_date(y, a, b) or _valid_date(y, b, a)]
    if not found:
        return ""
    day_first = any(a > 12 for a, _, _ in found)
    month_first = any(b > 12 for _, b, _ in found)
    if day_first or month_first:
        return "unknown" if day_first and month_first else "day-first" if day_first else "month-first"
    pair = next(((a, b, y) for a, b, y in found if a != b), None)
    if pair is None:
        return ""
    if reference is None:
        return "unknown"
    a, b, y = pair
    month_gap, day_gap = abs(date(y, a, b) - reference), abs(date(y, b, a) - reference)
    if month_gap == day_gap:
        return "unknown"
    return "month-first" if month_gap < day_gap else "day-first"


def segment_day_order(head: bytes, header: SegmentHeader, file_name: str = "",
                      record_at: int | None = None) -> DayOrder:
    """``day_order`` of a segment whose first record (at ``record_at``, else the first line
    after the header) is stamped ``NN/NN/YYYY`` (``time_format=locale``), with the date of its
    header's ``Local time`` (else its name's, else ``Start time (UTC)``) as the reference;
    "" for any other segment."""
    if record_at is None:
        record_at = header.header_end
    if not _NUMERIC_DATE.match(head, record_at):
        return ""
    named = name_time(file_name) if file_name else None
    reference = header_stamp(header.local_time) or (named[0] if named is not None else None) \
        or header_stamp(header.start_time_utc)
    return day_order(head[record_at:], reference.date() if reference is not None else None)


def file_end_time(mtime: float) -> datetime:
    """A segment's end (its last write) as an aware UTC datetime."""
    return datetime.fromtimestamp(mtime, UTC)


def header_zone(header: SegmentHeader, local_tz: tzinfo | None) -> tuple[tzinfo | None, timedelta | None]:
    """The app's zone from its header: ``Start time (UTC)`` minus ``Local time`` (rounded to
    15 min), else ``Time zone:`` seconds west of UTC; else ``local_tz`` (None = this host's).
    ``local_tz`` itself (None included) is returned when it agrees with the header (its offset
    at the header's local time, or at the name's when the header has no local time, is the
    header's), so the host's daylight-saving changes inside the segment are followed; the
    header's fixed offset otherwise."""
    local = header_stamp(header.local_time)
    utc = header_stamp(header.start_time_utc)
    offset: timedelta | None = None
    if local is not None and utc is not None:
        offset = timedelta(minutes=15 * round((local - utc).total_seconds() / 900))
    elif header.time_zone_s is not None:
        offset = timedelta(seconds=-header.time_zone_s)
    if offset is None or abs(offset) > timedelta(hours=14):
        return local_tz, None
    at = local if local is not None else (utc + offset if utc is not None else None)
    if at is not None and offset in offsets_at(at, local_tz):
        return local_tz, offset
    return timezone(offset), offset


def _start_at(naive: datetime, zone: tzinfo | None, offset: timedelta | None) -> datetime:
    """Wall-clock segment start ``naive`` in ``zone`` as UTC; in a fall-back's repeated hour,
    the pass whose offset is the header's ``offset`` (else the first)."""
    if offset is not None:
        for fold in (0, 1):
            moment = to_utc(naive.replace(fold=fold), zone)
            if _offset_at(moment, zone) == offset:
                return moment
    return to_utc(naive, zone)


def _offset_at(moment: datetime, zone: tzinfo | None) -> timedelta | None:
    return (moment.astimezone() if zone is None else moment.astimezone(zone)).utcoffset()


def _head_stamps(head: bytes, start_at: int, *, dated: bool = True
                 ) -> tuple[int | None, Stamp | None, Stamp | None]:
    """(offset of the first record line, its stamp, the first stamp carrying a date).

    ``dated=False`` stops at the first record: the dated stamp is then only reported when that
    record carries a date (Genesys time-only logs have none, and looking for one parses every
    line of the head)."""
    first_offset: int | None = None
    first: Stamp | None = None
    pos = start_at
    while pos < len(head):
        end = head.find(b"\n", pos)
        if end < 0:
            break                                   # ignore a cut last line
        stamp = parse_stamp(head[pos:end])
        if stamp is not None:
            if first is None:
                first_offset, first = pos, stamp
            if stamp.day is not None:
                return first_offset, first, stamp
            if not dated:
                return first_offset, first, None
        pos = end + 1
    return first_offset, first, None


def _stamps_look_utc(head: bytes, header: SegmentHeader, first: Stamp | None) -> bool:
    """time_convert=utc: said in the head (options dump), or the first record is within
    10 minutes of ``Start time (UTC)`` and farther from ``Local time``."""
    if b"convert" in head.lower() and _TIME_CONVERT_UTC.search(head):   # re.I alone: ~40 us a head
        return True
    local, utc = header_stamp(header.local_time), header_stamp(header.start_time_utc)
    if first is None or local is None or utc is None or local == utc:
        return False

    def distance(moment: datetime) -> float:
        gap = abs(first.seconds_of_day - (moment.hour * 3600 + moment.minute * 60 + moment.second))
        return min(gap, DAY_SECONDS - gap)

    return distance(utc) < 600 and distance(utc) < distance(local)


def segment_clock(file_name: str, head: bytes, mtime: float, *, local_tz: tzinfo | None = None,
                  utc_stamps: bool | None = None, header: SegmentHeader | None = None) -> SegmentClock:
    """Start time, zone and a seeded ``DateContext`` for one segment (see ``segment_times``).
    ``header``: ``parse_header(head)`` when the caller has it already."""
    if header is None:
        header = parse_header(head)
    zone, offset = header_zone(header, local_tz)
    record_at, first, first_dated = _head_stamps(head, 0, dated=False)
    header_end = header.header_end
    if record_at is not None and record_at < header_end:
        header_end = record_at
    if utc_stamps is None:
        utc_stamps = _stamps_look_utc(head, header, first)
    context = DateContext(zone=zone, utc_stamps=utc_stamps)

    times: SegmentTimes | None = None
    named = name_time(file_name)
    local = header_stamp(header.local_time)
    utc = header_stamp(header.start_time_utc)
    order = segment_day_order(head, header, file_name, record_at)
    context.day_first = {"day-first": True, "month-first": False}.get(order)
    if named is not None:
        naive, is_utc = named
        start = naive.replace(tzinfo=UTC) if is_utc else _start_at(naive, zone, offset)
        times = SegmentTimes(start, "name", timedelta(0) if is_utc else offset or _offset_at(start, zone))
    elif local is not None:
        start = _start_at(local, zone, offset)
        times = SegmentTimes(start, "header", offset or _offset_at(start, zone))
    elif utc is not None:
        start = utc.replace(tzinfo=UTC)
        times = SegmentTimes(start, "header", offset or _offset_at(start, zone))
    else:
        if first_dated is None and record_at is not None:     # only now: look past the first record
            first_dated = _head_stamps(head, head.find(b"\n", record_at) + 1)[2]
        if first_dated is not None and order != "unknown":      # unknown: its date is a guess
            moment = context.copy().resolve(first_dated)
            assert moment is not None
            times = SegmentTimes(moment, "record", offset or _offset_at(moment, zone))
    if times is not None and times.start is not None:
        context.seed(times.start)
        if times.source in ("name", "header") and offset is None and not context.utc_stamps:
            wall = to_wall(times.start, zone)        # no header offset tells the pass
            earliest, latest = wall_readings(wall, zone)
            context.pass_guessed = earliest != latest
        return SegmentClock(times, context, header_end, order)

    # Start unknown: date time-only records from the last write, one day back if the first
    # record's time of day is later than the file's last write (segment crossed midnight).
    end_wall = to_wall(file_end_time(mtime), context.stamp_zone)
    day = end_wall.date()
    first_seconds = first.seconds_of_day if first is not None else None
    end_seconds = end_wall.hour * 3600 + end_wall.minute * 60 + end_wall.second
    if first_seconds is not None and first_seconds > end_seconds + 60:
        day -= timedelta(days=1)
    context.day, context.last_seconds = day, first_seconds
    return SegmentClock(SegmentTimes(None, "mtime", offset), context, header_end, order)


def segment_times(file_name: str, head: bytes, mtime: float, *,
                  local_tz: tzinfo | None = None) -> SegmentTimes:
    """A segment's start: from the file-name timestamp, else the header's ``Local time:``
    (or ``Start time (UTC)``), else the first dated record in ``head``; else ``start`` None
    with source "mtime". Name and header times are the app's wall clock, converted with the
    header's offset, else ``local_tz`` (None = this host's zone). Jetty request-log names are
    GMT. ``mtime`` is the segment's end (see ``file_end_time``)."""
    return segment_clock(file_name, head, mtime, local_tz=local_tz).times
