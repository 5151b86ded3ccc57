"""Record timestamps in every format of GENESYS.md (b), built from lookup tables.

A stamper maps (local epoch seconds, milliseconds) to the bytes that start a record. Tables of
the 86,400 times of day and of the 1,000 millisecond suffixes are built once, and the date part
is cached per day, so stamping costs a few dict/list look-ups per record.

Styles (name: example: who uses it in the generated host):
  time:         09:01:46.060                     SIP Server, URS, DB Server, T-Server, MCP, RM (default time_format)
  iso8601:      2016-08-11T09:01:46.060          LCA, Interaction Server, SCS proxy, Java UCS/Chat/E-mail (time_format=ISO8601)
  statserver:   2016-08-11 09:01:46.060          Stat Server, GWS/GAX/Pulse Java logs
  ctime:        Sun Jun  5 15:22:21 2016.741     Configuration Server (time_format=locale, UNIX)
  locale_long:  Thu 11 Aug 2016 09:01:46 AM CDT.060   ORS, Message Server (time_format=locale)
  us_date4:     08/11/2016 09:01:46.060          OCS, odd-folder Stat Server
  us_date2:     08/11/16 09:01:46.060            ICON, SCS
  wde:          16-08-11 09:01:46.060            Workspace Desktop Edition
  urs_http:     02/26/20@20:40:26.379:           URS HTTP interface lines (inside URS logs)
  tlib:         @16:45:24.5939                   T-Lib dump headers (always time-only)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

Stamper = Callable[[int, int], bytes]

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_HMS: list[bytes] = []
_HMS12: list[bytes] = []
MS3 = [b".%03d" % ms for ms in range(1000)]
_MS_TLIB = [b".%03d%d" % (ms, ms % 10) for ms in range(1000)]
_MS_COLON = [b".%03d:" % ms for ms in range(1000)]
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

STYLES = ("time", "iso8601", "statserver", "ctime", "locale_long", "us_date4", "us_date2", "wde",
          "urs_http", "tlib")


def _tables() -> None:
    if _HMS:
        return
    for sod in range(86400):
        hour, rest = divmod(sod, 3600)
        minute, second = divmod(rest, 60)
        _HMS.append(b"%02d:%02d:%02d" % (hour, minute, second))
        hour12 = hour % 12 or 12
        _HMS12.append(b"%02d:%02d:%02d %s" % (hour12, minute, second, b"AM" if hour < 12 else b"PM"))


def _day(day_index: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + day_index)


def _date_parts(style: str, tz_abbr: str) -> Callable[[int], tuple[bytes, bytes]]:
    """(prefix, suffix) around the time of day for one day."""

    def parts(day_index: int) -> tuple[bytes, bytes]:
        d = _day(day_index)
        if style == "iso8601":
            return f"{d:%Y-%m-%d}T".encode(), b""
        if style == "statserver":
            return f"{d:%Y-%m-%d} ".encode(), b""
        if style == "ctime":
            return f"{_DAYS[d.weekday()]} {_MONTHS[d.month - 1]} {d.day:2d} ".encode(), f" {d.year}".encode()
        if style == "locale_long":
            return f"{_DAYS[d.weekday()]} {d.day:02d} {_MONTHS[d.month - 1]} {d.year} ".encode(), f" {tz_abbr}".encode()
        if style == "us_date4":
            return f"{d:%m/%d/%Y} ".encode(), b""
        if style == "us_date2":
            return f"{d:%m/%d/%y} ".encode(), b""
        if style == "wde":
            return f"{d:%y-%m-%d} ".encode(), b""
        if style == "urs_http":
            return f"{d:%m/%d/%y}@".encode(), b""
        return b"", b""

    return parts


def make_stamper(style: str, tz_abbr: str = "UTC") -> Stamper:
    """A function (local epoch seconds, ms) -> timestamp bytes in ``style``."""
    if style not in STYLES:
        raise ValueError(f"unknown timestamp style {style!r}")
    _tables()
    hms = _HMS
    if style == "time":
        ms3 = MS3
        return lambda sec, ms: hms[sec % 86400] + ms3[ms]
    if style == "tlib":
        mst = _MS_TLIB
        return lambda sec, ms: b"@" + hms[sec % 86400] + mst[ms]
    table = _HMS12 if style == "locale_long" else _HMS
    mstab = _MS_COLON if style == "urs_http" else MS3
    parts = _date_parts(style, tz_abbr)
    cache: dict[int, tuple[bytes, bytes]] = {}

    def stamp(sec: int, ms: int) -> bytes:
        day_index = sec // 86400
        found = cache.get(day_index)
        if found is None:
            found = cache[day_index] = parts(day_index)
        return found[0] + table[sec % 86400] + found[1] + mstab[ms]

    return stamp


def stamp_many(style: str, tz_abbr: str, times_ms: list[int]) -> list[bytes]:
    """Stamps for sorted local epoch milliseconds, in one comprehension (no call per record)."""
    _tables()
    if not times_ms:
        return []
    if style == "time":
        hms, ms3 = _HMS, MS3
        return [hms[(t // 1000) % 86400] + ms3[t % 1000] for t in times_ms]
    if style == "tlib":
        hms, mst = _HMS, _MS_TLIB
        return [b"@" + hms[(t // 1000) % 86400] + mst[t % 1000] for t in times_ms]
    table = _HMS12 if style == "locale_long" else _HMS
    mstab = _MS_COLON if style == "urs_http" else MS3
    parts = _date_parts(style, tz_abbr)
    d_lo = times_ms[0] // 86_400_000
    days = [parts(d) for d in range(d_lo, times_ms[-1] // 86_400_000 + 1)]
    pre = [p for p, _ in days]
    suf = [x for _, x in days]
    return [pre[t // 86_400_000 - d_lo] + table[(t // 1000) % 86400] + suf[t // 86_400_000 - d_lo] + mstab[t % 1000]
            for t in times_ms]


def local_seconds(moment: datetime, tz_west_s: int) -> float:
    """Epoch seconds of the wall clock of a host ``tz_west_s`` seconds west of UTC."""
    return moment.timestamp() - tz_west_s


def utc_iso(local_epoch_ms: int, tz_west_s: int) -> str:
    moment = datetime.fromtimestamp(local_epoch_ms / 1000 + tz_west_s, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds")


def local_datetime(local_epoch_ms: int) -> datetime:
    """The host's wall-clock time as a naive datetime."""
    return datetime(1970, 1, 1) + timedelta(milliseconds=local_epoch_ms)


def tz_abbreviation(tz_west_s: int) -> str:
    return {18000: "CDT", 0: "UTC", -3600: "CET", 28800: "PST"}.get(tz_west_s, "LT")
