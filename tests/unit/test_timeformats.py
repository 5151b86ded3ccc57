"""Record, file-name and header timestamps (GENESYS.md (b))."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from collector.timeformats import (
    DateContext,
    day_order,
    file_end_time,
    from_micros,
    name_time,
    parse_record_time,
    parse_stamp,
    segment_clock,
    segment_times,
)

UTC = timezone.utc


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ctx(day: date | None = date(2016, 8, 11), zone=UTC, utc_stamps: bool = False) -> DateContext:
    return DateContext(day=day, zone=zone, utc_stamps=utc_stamps)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"2016-08-11T09:01:46.060 Std 09900 x", utc(2016, 8, 11, 9, 1, 46, 60000)),
        (b"09:01:46.060 Trc 04541 x", utc(2016, 8, 11, 9, 1, 46, 60000)),
        (b"Sun Jun  5 15:22:21 2016.741 Std x", utc(2016, 6, 5, 15, 22, 21, 741000)),
        (b"Thu 11 Aug 2016 09:01:46 AM CDT.060 Std x", utc(2016, 8, 11, 14, 1, 46, 60000)),
        (b"Thu 11 Aug 2016 09:01:46 PM.060 Std x", utc(2016, 8, 11, 21, 1, 46, 60000)),
        (b"Thu 11 Aug 2016 12:01:46 AM XYZ.060 Std x", utc(2016, 8, 11, 0, 1, 46, 60000)),
        (b"08/11/2016 09:01:46.060 Std x", utc(2016, 8, 11, 9, 1, 46, 60000)),
        (b"08/11/16 09:01:46.060 Std x", utc(2016, 8, 11, 9, 1, 46, 60000)),
        (b"16-08-11 09:01:46.060 [Main] INFO x", utc(2016, 8, 11, 9, 1, 46, 60000)),
        (b"02/26/20@20:40:26.379: GET /urs/call", utc(2020, 2, 26, 20, 40, 26, 379000)),
        (b"2016-08-11 09:01:46.060 Std 10000 stat", utc(2016, 8, 11, 9, 1, 46, 60000)),
        (b"@16:45:24.5939 [0] 8.1.199.01 distribute_event: message EventRinging", utc(2016, 8, 11, 16, 45, 24, 593900)),
        (b"09:15:04.990: SIPTR: Received [0,UDP] 611 bytes from 203.0.113.5:5060 <<<<<", utc(2016, 8, 11, 9, 15, 4, 990000)),
        (b"09:15:04 LCA line without fraction", utc(2016, 8, 11, 9, 15, 4)),
        (b"2024-03-05 09:15:02,004 INFO  [main] c.g.Class - x", utc(2024, 3, 5, 9, 15, 2, 4000)),
        (b"[2024-03-05 09:15:02.004] INFO x", utc(2024, 3, 5, 9, 15, 2, 4000)),
        (b"2024-03-05T09:15:02.004+0000 DEBUG x", utc(2024, 3, 5, 9, 15, 2, 4000)),
        (b"2024-03-05T09:15:02.004+02:00 DEBUG x", utc(2024, 3, 5, 7, 15, 2, 4000)),
        (b"2024-03-05T09:15:02.004-0500 DEBUG x", utc(2024, 3, 5, 14, 15, 2, 4000)),
        (b"2024-03-05T09:15:02Z x", utc(2024, 3, 5, 9, 15, 2)),
        # Jetty/Tomcat request logs (NCSA): the stamp follows client, identity and user; own offset
        (b'192.0.2.7 - - [05/Mar/2024:10:00:00 +0000] "GET /api/v2/me HTTP/1.1" 200 120',
         utc(2024, 3, 5, 10, 0, 0)),
        (b'10.1.2.3 - agent1 [05/Mar/2024:10:00:00 -0500] "POST /x HTTP/1.1" 204 0 "-" "curl"',
         utc(2024, 3, 5, 15, 0, 0)),
        (b'0:0:0:0:0:0:0:1 - - [31/Dec/2023:23:30:00 -0100] "GET / HTTP/1.1" 200 1', utc(2024, 1, 1, 0, 30)),
        (b"[05/Mar/2024:10:00:00 +0530] GET /", utc(2024, 3, 5, 4, 30)),
    ],
)
def test_every_record_format(line: bytes, expected: datetime) -> None:
    assert parse_record_time(line, ctx()) == expected


@pytest.mark.parametrize(
    "line",
    [
        b"", b"\tAttributeThisDN\t'7101'", b"message RequestRegisterAddress", b"v=0\r",
        b"INVITE sip:8005550100@192.0.2.20:5060 SIP/2.0", b"$+TLIB:: x", b"\tat com.x.Y(Y.java:12)",
        b"12345 not a time", b"Something else", b"25:00:00.000 bad hour", b"2016-13-11T09:01:46.060 bad month",
        b"Thu 11 Aug 2016 13:01:46 PM.060 bad 12h", b"1:02:03.456 one-digit hour", b"  09:01:46.060 indented",
        b"192.0.2.7 - - [05/Mar/2024:10:00:00] no offset", b"192.0.2.7 - - [05/Foo/2024:10:00:00 +0000] month",
        b"192.0.2.7 [05/Mar/2024:10:00:00 +0000] two fields missing", b"1709607600.000 epoch seconds",
    ],
)
def test_non_records(line: bytes) -> None:
    assert parse_record_time(line, ctx()) is None


def test_stamp_keeps_offset_and_fraction() -> None:
    stamp = parse_stamp(b"@16:45:24.5939 [0]")
    assert stamp is not None and stamp.day is None and stamp.micro == 593900


def test_local_zone_applied_to_wall_clock_stamps() -> None:
    chicago = DateContext(day=date(2024, 7, 1), zone=ZoneInfo("America/Chicago"))
    assert parse_record_time(b"09:00:00.000 Std", chicago) == utc(2024, 7, 1, 14)
    assert parse_record_time(b"2024-12-01T09:00:00.000 Std", chicago) == utc(2024, 12, 1, 15)
    # time_convert=utc: stamps are UTC whatever the zone
    converted = DateContext(day=date(2024, 7, 1), zone=ZoneInfo("America/Chicago"), utc_stamps=True)
    assert parse_record_time(b"09:00:00.000 Std", converted) == utc(2024, 7, 1, 9)


def test_midnight_rollover_with_time_only_lines() -> None:
    context = ctx(day=date(2024, 3, 5))
    lines = [b"23:50:00.000 a", b"23:59:59.999 b", b"@23:59:59.9990 c", b"00:00:00.001 d", b"00:10:00.000 e"]
    times = [parse_record_time(line, context) for line in lines]
    assert times[:3] == [utc(2024, 3, 5, 23, 50), utc(2024, 3, 5, 23, 59, 59, 999000), utc(2024, 3, 5, 23, 59, 59, 999000)]
    assert times[3:] == [utc(2024, 3, 6, 0, 0, 0, 1000), utc(2024, 3, 6, 0, 10)]
    assert context.day == date(2024, 3, 6)


def test_small_backward_steps_are_not_rollover_and_late_lines_keep_previous_day() -> None:
    context = ctx(day=date(2024, 3, 5))
    assert parse_record_time(b"12:00:05.000 a", context) == utc(2024, 3, 5, 12, 0, 5)
    assert parse_record_time(b"12:00:01.000 b", context) == utc(2024, 3, 5, 12, 0, 1)   # threads
    assert parse_record_time(b"11:00:00.000 DST fall back", context) == utc(2024, 3, 5, 11)
    assert parse_record_time(b"08:59:00.000 next day", context) == utc(2024, 3, 6, 8, 59)
    context = ctx(day=date(2024, 3, 6))
    context.last_seconds = 30.0                                                       # 00:00:30
    assert parse_record_time(b"23:59:59.000 late", context) == utc(2024, 3, 5, 23, 59, 59)
    assert context.day == date(2024, 3, 6)


def test_dated_records_move_the_context_for_tlib_lines() -> None:
    context = ctx(day=date(2024, 3, 5))
    parse_record_time(b"2024-03-09T10:00:00.000 Std", context)
    assert parse_record_time(b"@10:00:01.0000 [0] x", context) == utc(2024, 3, 9, 10, 0, 1)


def test_the_repeated_hour_of_a_fall_back_is_read_as_two_passes_in_order() -> None:
    """New York 2024-11-03: 01:00-02:00 EDT, then 01:00-02:00 EST again. The second pass starts
    when a record would go back; a thread's line a few seconds late stays in the first pass."""
    context = DateContext(zone=ZoneInfo("America/New_York"))
    context.seed(utc(2024, 11, 3, 4, 50))                                             # 00:50 EDT
    lines = [b"01:59:58.000 a", b"01:59:50.000 late thread", b"01:00:01.000 b", b"01:30:00.000 c",
             b"02:10:00.000 d"]
    assert [parse_record_time(line, context) for line in lines] == [
        utc(2024, 11, 3, 5, 59, 58), utc(2024, 11, 3, 5, 59, 50), utc(2024, 11, 3, 6, 0, 1),
        utc(2024, 11, 3, 6, 30), utc(2024, 11, 3, 7, 10)]


def test_a_segment_started_in_the_second_pass_is_placed_by_its_header_offset() -> None:
    head = (b"Genesys SIP Server\nLocal time:         2024-11-03T01:10:00.000\n"
            b"Start time (UTC):   2024-11-03T06:10:00.000\nTime zone:          18000\n"
            b"01:10:05.000 Std 09900 x\n")
    clock = segment_clock("SIPS_D.20241103_011000_000.log", head, 0, local_tz=ZoneInfo("America/New_York"))
    assert clock.times.start == utc(2024, 11, 3, 6, 10)
    assert clock.context.resolve(parse_stamp(b"01:10:05.000 x")) == utc(2024, 11, 3, 6, 10, 5)
    assert clock.context.resolve(parse_stamp(b"02:00:00.000 y")) == utc(2024, 11, 3, 7)


@pytest.mark.parametrize(
    ("records", "reference", "expected"),
    [
        (b"05/03/2024 10:00:00.000 Std x\n", date(2024, 3, 5), "day-first"),       # en_GB locale
        (b"03/05/2024 10:00:00.000 Std x\n", date(2024, 3, 5), "month-first"),     # en_US locale
        (b"05/03/24 10:00:00.000 Std x\n", date(2024, 3, 5), "day-first"),
        (b"03/03/2024 23:59:00.000 a\n04/03/2024 00:01:00.000 b\n", date(2024, 3, 3), "day-first"),
        (b"05/03/2024 10:00:00.000 a\n13/03/2024 10:00:00.000 b\n", None, "day-first"),   # 13 is no month
        (b"03/13/2024 10:00:00.000 a\n", None, "month-first"),
        (b"13/03/2024 10:00:00.000 a\n03/13/2024 10:00:00.000 b\n", None, "unknown"),
        (b"05/03/2024 10:00:00.000 a\n", None, "unknown"),                         # nothing to compare with
        (b"03/03/2024 10:00:00.000 a\n", None, ""),                                # reads the same both ways
        (b"2024-03-05 10:00:00.000 a\n", date(2024, 3, 5), ""),
    ],
)
def test_day_order_of_numeric_dates(records: bytes, reference: date | None, expected: str) -> None:
    assert day_order(records, reference) == expected


def test_day_first_stamps_in_a_segment_dated_by_its_header() -> None:
    head = HEADER.replace(b"SIPS_DEMO_P", b"Stat_GB") + b"05/03/2024 09:15:01.000 Std 09900 x\n"
    clock = segment_clock("Stat_GB.20240305_091500_120.log", head, 0, local_tz=ZoneInfo("America/New_York"))
    assert clock.day_order == "day-first" and clock.context.day_first is True
    assert clock.context.resolve(parse_stamp(b"05/03/2024 10:00:00.000 y")) == utc(2024, 3, 5, 15)
    assert clock.context.resolve(parse_stamp(b"13/03/2024 10:00:00.000 z")) == utc(2024, 3, 13, 14)   # EDT
    # URS HTTP's own "MM/DD/YY@" form stays month first
    assert clock.context.resolve(parse_stamp(b"03/06/24@10:00:00.000: GET")) == utc(2024, 3, 6, 15)


def test_an_undecided_order_is_decided_by_the_reading_nearer_the_running_day() -> None:
    context = ctx(day=date(2024, 3, 3))
    assert parse_record_time(b"03/03/2024 23:59:00.000 a", context) == utc(2024, 3, 3, 23, 59)
    assert context.day_first is None
    assert parse_record_time(b"04/03/2024 00:01:00.000 b", context) == utc(2024, 3, 4, 0, 1)
    assert context.day_first is True
    assert parse_record_time(b"05/04/2024 00:01:00.000 c", context) == utc(2024, 4, 5, 0, 1)


def test_a_segment_of_unknown_order_has_no_start_from_its_records() -> None:
    clock = segment_clock("statserver.log", b"05/03/2024 10:00:00.000 Std x\n", 0, local_tz=UTC)
    assert clock.day_order == "unknown" and clock.times.start is None


def test_time_only_without_known_day() -> None:
    assert parse_record_time(b"09:00:00.000 x", DateContext()) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SIPS_P.20240305_091500_120.log", (datetime(2024, 3, 5, 9, 15, 0, 120000), False)),
        ("/var/log/SIPS_P-768.20240305_091500_120.log", (datetime(2024, 3, 5, 9, 15, 0, 120000), False)),
        ("SIPS_P.20240305_091500_120.snapshot.log", (datetime(2024, 3, 5, 9, 15, 0, 120000), False)),
        ("SIPS_P.20240305_091500_120.qsp", (datetime(2024, 3, 5, 9, 15, 0, 120000), False)),
        ("SIPS_P.20240305_091500_120.memory.log", (datetime(2024, 3, 5, 9, 15, 0, 120000), False)),
        (r"C:\GCTI\logs\URS.20240305_000001_999.log", (datetime(2024, 3, 5, 0, 0, 1, 999000), False)),
        ("gax.log.20240305_091500", (datetime(2024, 3, 5, 9, 15), False)),
        ("gax.log.2024-03-05-2", (datetime(2024, 3, 5), False)),
        ("2024_03_05.request.log", (datetime(2024, 3, 5), True)),
        ("cloud.2024-03-05.1.log", (datetime(2024, 3, 5), False)),
        ("SIPS_P.log", None),
        ("confserv.cfg", None),
        ("SIPS_P.20241305_091500_120.log", None),
    ],
)
def test_file_name_timestamps(name: str, expected: tuple[datetime, bool] | None) -> None:
    assert name_time(name) == expected


HEADER = (
    b"Genesys SIP Server, version 8.1.199.01\n"
    b"Application name:   SIPS_DEMO_P\n"
    b"Application type:   TServer\n"
    b"Local time:         2024-03-05T09:15:00.120\n"
    b"Start time (UTC):   2024-03-05T14:15:00.120\n"
    b"Time zone:          18000\n"
    b"File:               (0000000007) SIPS_DEMO_P.20240305_091500_120.log\n"
)
RECORDS = b"09:15:02.004 Std 09900 Connected\n09:15:02.311 Trc 04541 x\n"


def test_segment_start_from_name_with_header_offset() -> None:
    times = segment_times("SIPS_DEMO_P.20240305_091500_120.log", HEADER + RECORDS, 0, local_tz=ZoneInfo("Asia/Tokyo"))
    assert (times.start, times.source, times.utc_offset) == (utc(2024, 3, 5, 14, 15, 0, 120000), "name", timedelta(hours=-5))


def test_segment_start_from_header_local_time() -> None:
    times = segment_times("SIPS_DEMO_P.log", HEADER + RECORDS, 0)
    assert (times.start, times.source) == (utc(2024, 3, 5, 14, 15, 0, 120000), "header")


def test_time_zone_seconds_west_when_no_utc_start() -> None:
    head = HEADER.replace(b"Start time (UTC):   2024-03-05T14:15:00.120\n", b"").replace(b"18000", b"-3600")
    times = segment_times("SIPS_DEMO_P.log", head + RECORDS, 0)
    assert (times.start, times.utc_offset) == (utc(2024, 3, 5, 8, 15, 0, 120000), timedelta(hours=1))


def test_header_zone_beats_local_tz_and_local_tz_used_without_header() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert segment_times("x.20240305_091500_120.log", b"", 0, local_tz=paris).start == utc(2024, 3, 5, 8, 15, 0, 120000)
    assert segment_times("x.20240705_091500_120.log", b"", 0, local_tz=paris).utc_offset == timedelta(hours=2)
    assert segment_times("x.20240305_091500_120.log", HEADER, 0, local_tz=paris).utc_offset == timedelta(hours=-5)


def test_segment_clock_follows_dst_when_local_tz_agrees_with_header() -> None:
    chicago = ZoneInfo("America/Chicago")
    head = HEADER.replace(b"14:15", b"15:15")           # CST, UTC-6 on 2024-03-05
    clock = segment_clock("SIPS.log", head, 0, local_tz=chicago)
    assert clock.context.zone is chicago
    assert clock.context.resolve(parse_stamp(b"2024-03-12T09:00:00.000 x")) == utc(2024, 3, 12, 14)  # CDT


def test_segment_start_from_first_dated_record_then_unknown() -> None:
    times = segment_times("statserver.log", b"2016-08-11 09:01:46.060 Std x\n", 0, local_tz=UTC)
    assert (times.start, times.source) == (utc(2016, 8, 11, 9, 1, 46, 60000), "record")
    times = segment_times("sips.log", b"09:01:46.060 Std x\n", 1_700_000_000.0, local_tz=UTC)
    assert (times.start, times.source) == (None, "mtime")


def test_a_dated_record_after_time_only_ones_still_gives_the_start() -> None:
    """The head is searched past the first record for a dated one only when nothing else (name,
    header) gives the start; the answer is the one a full scan of the head gives."""
    head = b"09:01:46.060 Std x\n09:01:47.000 Trc y\n2016-08-11 09:01:48.000 Std z\n"
    times = segment_times("statserver.log", head, 0, local_tz=UTC)
    assert (times.start, times.source) == (utc(2016, 8, 11, 9, 1, 48), "record")
    clock = segment_clock("statserver.log", head, 0, local_tz=UTC)
    assert clock.context.resolve(parse_stamp(b"2016-08-11 09:05:00.000 w")) == utc(2016, 8, 11, 9, 5)


def test_time_convert_option_is_found_in_any_case() -> None:
    for option in (b"time_convert = utc", b"TIME_CONVERT=UTC", b"Time-Convert: 'Utc'"):
        head = HEADER + b"   " + option + b"\n" + RECORDS
        assert segment_clock("SIPS.log", head, 0).context.utc_stamps, option


def test_unknown_start_dates_time_only_records_from_mtime() -> None:
    end = utc(2024, 3, 6, 0, 30).timestamp()               # last write just after midnight
    clock = segment_clock("sips.log", b"23:50:00.000 Std x\n", end, local_tz=UTC)
    assert clock.context.resolve(parse_stamp(b"23:55:00.000 y")) == utc(2024, 3, 5, 23, 55)
    assert clock.context.resolve(parse_stamp(b"00:20:00.000 z")) == utc(2024, 3, 6, 0, 20)


def test_utc_stamps_detected_from_first_record_or_option_dump() -> None:
    clock = segment_clock("SIPS.log", HEADER + b"14:15:02.004 Std 09900 Connected\n", 0)
    assert clock.context.utc_stamps
    clock = segment_clock("SIPS.log", HEADER + RECORDS, 0)
    assert not clock.context.utc_stamps
    clock = segment_clock("SIPS.log", HEADER + b"  time_convert = utc\n" + RECORDS, 0)
    assert clock.context.utc_stamps
    assert segment_clock("SIPS.log", HEADER + RECORDS, 0, utc_stamps=True).context.utc_stamps


def test_header_end_stops_at_first_record() -> None:
    clock = segment_clock("SIPS.log", HEADER + RECORDS, 0)
    assert clock.header_end == len(HEADER)
    java = b"[2024-03-05 09:15:02.004] INFO a\n[2024-03-05 09:15:03.004] INFO b\n"
    assert segment_clock("gax.log", b"GAX banner\n" + java, 0).header_end == len(b"GAX banner\n")


def test_request_log_starts_at_its_first_request_not_at_its_name_date() -> None:
    head = (b'192.0.2.7 - - [05/Mar/2024:10:00:00 +0000] "GET /a HTTP/1.1" 200 1\n'
            b'192.0.2.7 - - [05/Mar/2024:10:10:00 +0000] "GET /b HTTP/1.1" 200 1\n')
    clock = segment_clock("2024_03_05.request.log", head, 0)
    assert clock.header_end == 0
    assert segment_times("segment.log", head, 0).start == utc(2024, 3, 5, 10, 0, 0)


def test_file_end_time() -> None:
    assert file_end_time(0.0) == utc(1970, 1, 1)


# probe R 5: a 12-hour clock (PureConnect .txt logs, .NET's M/d/yyyy h:mm:ss tt) with its AM/PM
@pytest.mark.parametrize("line,hour", [
    (b"11/27/2026 02:15:00.000 PM TsServer: afternoon call", 14),
    (b"11/27/2026 02:15:00.000 AM TsServer: night call", 2),
    (b"11/27/2026 12:30:00.000 PM TsServer: lunch", 12),
    (b"11/27/2026 12:30:00.000 AM TsServer: after midnight", 0),
    (b"11/27/2026 2:15:00 PM afternoon call", 14),
    (b"1/5/2026 2:15:00 AM night call", 2),
    (b"11/27/2026 14:15:00.000 a 24-hour clock", 14),
])
def test_us_stamp_with_a_12_hour_clock(line, hour):
    from collector.timeformats import parse_stamp

    stamp = parse_stamp(line)
    assert stamp is not None and stamp.hour == hour


@pytest.mark.parametrize("line", [b"11/27/2026 2:15:00 one-digit hour without AM/PM", b"11/27/2026 13:15:00 PM x"])
def test_us_stamp_that_no_clock_shows_is_none(line):
    from collector.timeformats import parse_stamp

    assert parse_stamp(line) is None


def test_a_record_before_the_last_one_is_dated_back_from_it() -> None:
    """The newest bytes of a log are dated from their last record: a time-only stamp not later
    than it is on its day, a later one (up to ROLLOVER_BACK_SECONDS of slack) on the day before;
    the context itself does not move."""
    context = DateContext(zone=timezone.utc)
    context.seed(datetime(2024, 1, 12, 10, 0, tzinfo=timezone.utc))
    before = context.resolve_before_micros

    def at(text: bytes) -> datetime:
        micros = before(parse_stamp(text))
        assert micros is not None
        return from_micros(micros)

    assert at(b"08:30:00.000") == datetime(2024, 1, 12, 8, 30, tzinfo=timezone.utc)
    assert at(b"11:00:00.000") == datetime(2024, 1, 12, 11, 0, tzinfo=timezone.utc)   # within the slack
    assert at(b"22:15:00.000") == datetime(2024, 1, 11, 22, 15, tzinfo=timezone.utc)
    assert at(b"2024-01-05T22:15:00.000") == datetime(2024, 1, 5, 22, 15, tzinfo=timezone.utc)
    assert (context.day, context.last_seconds) == (date(2024, 1, 12), 36000.0)
    assert DateContext().resolve_before_micros(parse_stamp(b"08:30:00.000")) is None
