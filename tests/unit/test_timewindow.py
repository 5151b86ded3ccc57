"""--since/--until/--around/--window parsing and segment selection."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from collector.model import Window
from collector.timewindow import make_window, overlaps, parse_duration, parse_when, path_day, select_segments, \
    within_day

UTC = timezone.utc
NOW = datetime(2025, 11, 19, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-19 13:30", utc(2025, 11, 19, 12, 30)),            # Paris winter = UTC+1
        ("2025-11-19T13:30:00", utc(2025, 11, 19, 12, 30)),
        ("2025-11-19 13:30:15.5", utc(2025, 11, 19, 12, 30, 15, 500000)),
        ("2025-07-19 13:30", utc(2025, 7, 19, 11, 30)),              # summer = UTC+2
        ("2025-11-19", utc(2025, 11, 18, 23)),
        ("2025-11-19T13:30:00Z", utc(2025, 11, 19, 13, 30)),
        ("2025-11-19 13:30z", utc(2025, 11, 19, 13, 30)),
        ("2025-11-19 13:30+02:00", utc(2025, 11, 19, 11, 30)),
        ("2025-11-19T13:30:00-0500", utc(2025, 11, 19, 18, 30)),
        ("2025-11-19 13:30 +05:30", utc(2025, 11, 19, 8, 0)),
        ("2h", utc(2025, 11, 19, 10)),
        ("30m", utc(2025, 11, 19, 11, 30)),
        ("3d", utc(2025, 11, 16, 12)),
        ("1w", utc(2025, 11, 12, 12)),
        ("90s", utc(2025, 11, 19, 11, 58, 30)),
        ("1d12h", utc(2025, 11, 18, 0)),
        ("2h ago", utc(2025, 11, 19, 10)),
        ("now", NOW),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    result = parse_when(text, now=NOW, local_tz=PARIS)
    assert result == expected and result.tzinfo == UTC


@pytest.mark.parametrize("text", ["", "yesterday", "2025-13-01", "2025-11-19 25:00", "2x", "19/11/2025", "h2"])
def test_parse_when_rejects_with_one_line_listing_the_forms(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_when(text, now=NOW)
    message = str(error.value)
    assert "\n" not in message and "YYYY-MM-DD HH:MM" in message and "30m" in message


def test_parse_when_defaults_to_host_zone_and_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_when("2025-11-19 13:30") == datetime(2025, 11, 19, 13, 30).astimezone(UTC)
    age = datetime.now(UTC) - parse_when("1h")
    assert timedelta(minutes=59) < age < timedelta(minutes=61)


def test_a_wall_time_in_a_dst_change_is_read_widely_at_the_window_edges() -> None:
    """New York: 01:30 on 2024-11-03 happens twice, 02:30 on 2024-03-10 never. A window's start
    takes the earliest instant such a time can mean, its end the latest."""
    new_york = ZoneInfo("America/New_York")
    fall = make_window("2024-11-03 01:30", "2024-11-03 01:40", None, None, now=NOW, local_tz=new_york)
    assert fall == Window(utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 6, 40))
    spring = make_window("2024-03-10 02:30", "2024-03-10 02:45", None, None, now=NOW, local_tz=new_york)
    assert spring == Window(utc(2024, 3, 10, 6, 30), utc(2024, 3, 10, 7, 45))
    around = make_window(None, None, "2024-11-03 01:30", "10m", now=NOW, local_tz=new_york)
    assert around == Window(utc(2024, 11, 3, 5, 25), utc(2024, 11, 3, 6, 35))
    assert parse_when("2024-11-03 01:30", local_tz=new_york) == utc(2024, 11, 3, 5, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)), ("1d12h", timedelta(hours=36)),
     ("90s", timedelta(seconds=90)), ("1w", timedelta(days=7)), ("1.5h", timedelta(minutes=90)),
     ("1h 30m", timedelta(minutes=90)), ("2H", timedelta(hours=2))],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "m", "30x", "2h-1m", "-2h"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def window(**options: str | None) -> Window:
    args = {key: options.get(key) for key in ("since", "until", "around", "window")}
    return make_window(**args, now=NOW, local_tz=UTC)


def test_make_window_forms() -> None:
    assert window() == Window()
    assert window(around="2025-11-19 14:05", window="30m") == Window(utc(2025, 11, 19, 13, 50), utc(2025, 11, 19, 14, 20))
    assert window(since="2h") == Window(utc(2025, 11, 19, 10), None)
    assert window(until="2025-11-19 11:00") == Window(None, utc(2025, 11, 19, 11))
    assert window(since="3h", until="1h") == Window(utc(2025, 11, 19, 9), utc(2025, 11, 19, 11))
    assert window(window="2h") == Window(utc(2025, 11, 19, 10), None)
    assert window(since="2025-11-19 08:00", window="1h") == Window(utc(2025, 11, 19, 8), utc(2025, 11, 19, 9))
    assert window(until="2025-11-19 08:00", window="1h") == Window(utc(2025, 11, 19, 7), utc(2025, 11, 19, 8))
    assert window(since="2025-11-19T08:00:00Z", until="2025-11-19T08:00:00Z").since == utc(2025, 11, 19, 8)


@pytest.mark.parametrize(
    "options",
    [
        {"since": "1h", "until": "2h"},
        {"around": "2025-11-19 14:05"},
        {"around": "2025-11-19 14:05", "window": "30m", "since": "1h"},
        {"since": "3h", "until": "1h", "window": "30m"},
        {"around": "2025-11-19 14:05", "window": "0m"},
        {"since": "soon"},
        {"since": ""},                                    # was: no filter at all
        {"until": ""},
        {"window": ""},
        {"around": "", "window": "30m"},
        {"since": "999999999d"},                          # was: OverflowError
        {"window": "999999999999d"},
        {"until": "0001-01-01 00:00", "window": "1d"},
        {"around": "9999-12-31 23:59", "window": "1d"},
    ],
)
def test_make_window_rejects(options: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        window(**options)


W = Window(utc(2024, 3, 5, 10), utc(2024, 3, 5, 11))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (utc(2024, 3, 5, 9), utc(2024, 3, 5, 10, 30), True),
        (utc(2024, 3, 5, 10, 30), utc(2024, 3, 5, 12), True),
        (utc(2024, 3, 5, 9), utc(2024, 3, 5, 12), True),
        (utc(2024, 3, 5, 8), utc(2024, 3, 5, 9), False),
        (utc(2024, 3, 5, 11, 0, 1), utc(2024, 3, 5, 12), False),
        (utc(2024, 3, 5, 11), None, True),
        (None, utc(2024, 3, 5, 10), True),
        (None, utc(2024, 3, 5, 9), False),
        (None, None, True),
    ],
)
def test_overlaps(start: datetime | None, end: datetime | None, expected: bool) -> None:
    assert overlaps(start, end, W) is expected
    assert overlaps(start, end, Window()) is True


def hours(h: float) -> datetime:
    return utc(2024, 3, 5) + timedelta(hours=h)


STREAM = [("s4", hours(11.5), hours(13)), ("s1", hours(6), hours(8)), ("s2", hours(8), hours(10.5)),
          ("s3", hours(10.5), hours(11.5))]


def test_select_segments_by_start_of_next() -> None:
    assert select_segments(STREAM, W, keep_first=False) == ["s2", "s3"]
    assert select_segments(STREAM, W, keep_first=True) == ["s1", "s2", "s3"]
    assert select_segments(STREAM, Window(), keep_first=False) == ["s1", "s2", "s3", "s4"]


def test_select_segments_newest_kept_when_window_after_it_started() -> None:
    assert select_segments(STREAM, Window(hours(12), hours(12.5)), keep_first=False) == ["s4"]
    assert select_segments(STREAM, Window(hours(14), None), keep_first=False) == []   # ended before
    no_end = [(name, start, None) for name, start, _ in STREAM]
    assert select_segments(no_end, Window(hours(14), None), keep_first=False) == ["s4"]


def test_select_segments_before_first_and_gap() -> None:
    assert select_segments(STREAM, Window(hours(1), hours(2)), keep_first=False) == []
    gap = [("a", hours(1), hours(2)), ("b", hours(9), hours(10))]
    assert select_segments(gap, Window(hours(3), hours(4)), keep_first=False) == []
    assert select_segments(gap, Window(hours(3), hours(9)), keep_first=False) == ["b"]


@pytest.mark.parametrize(("host_path", "day", "zone"), [
    ("D/I3/IC/Logs/2024-03-05/ip_sip.txt", (2024, 3, 5), PARIS),          # PureConnect day folder
    ("D/I3/IC/Logs/2024-03-05/Notifier.ininlog_idx", (2024, 3, 5), PARIS),
    ("D/I3/IC/Logs/2024-03-03.zip", (2024, 3, 3), PARIS),                   # its zipped day
    ("var/log/jetty9/2024_03_04.request.log", (2024, 3, 4), UTC),          # Jetty: GMT
    ("var/log/jetty9/cloud.2024-03-05.1.log", (2024, 3, 5), PARIS),        # logback %d{yyyy-MM-dd}.%i
    ("var/log/jetty9/cloud.2024-03-05.1.log.gz", (2024, 3, 5), PARIS),     # ... gzipped (%d.%i.log.gz)
    ("var/log/jetty9/2024_03_04.request.log.gz", (2024, 3, 4), UTC),
    ("opt/genesys/pulse/logs/pulse.log.2024-03-05", (2024, 3, 5), PARIS),  # log4j daily '.'yyyy-MM-dd
    ("opt/genesys/pulse/logs/pulse.log.2024-03-05.gz", (2024, 3, 5), PARIS),
    ("opt/genesys/pulse/logs/pulse.log.1", None, None),                    # fixed window: no day
    ("var/log/genesys/SIPS_P/SIPS_P.20240305_090000_000.log.gz", None, None),   # a time of its own
    ("logs/20240305/x.log", (2024, 3, 5), PARIS),
    ("var/log/jetty9/cloud.log", None, None),
    ("opt/gax/logs/gax.log.20240305_090000_000-1", None, None),             # a time of its own
    ("backup/2024-03-05/SIPS_P.20240301_000000_000.log", None, None),       # its own stamp wins
    ("logs/2024-13-05/x.txt", None, None),                                  # no such day
])
def test_path_day(host_path: str, day, zone) -> None:
    found = path_day(host_path, PARIS)
    if day is None:
        assert found is None
        return
    start = datetime(*day).replace(tzinfo=zone).astimezone(UTC)
    assert found == (start, datetime(*day).replace(tzinfo=zone).astimezone(UTC) + timedelta(days=1))
    assert within_day(start.timestamp() + 60, found) == start.timestamp() + 60     # a real mtime
    assert within_day(start.timestamp() + 86400 * 400, found) == found[1].timestamp() - 1   # a copy's


def test_stamps_of_unknown_day_month_order_count_as_undated() -> None:
    """'05/03/2024' with nothing to say whether it is 5 March or 3 May: the window cannot cut
    the file, so it is taken whole and said so, like a log whose stamps are not recognised."""
    from collector.timewindow import records_undated

    records = b"05/03/2024 10:00:00.000 Std 09900 a\n06/03/2024 10:00:00.000 Std 09900 b\n"
    assert records_undated(records)
    assert records_undated(b"banner line\n" + records)
    assert not records_undated(records, "stat.20240305_100000_000.log")             # the name says March
    assert not records_undated(b"13/03/2024 10:00:00.000 Std 09900 c\n" + records)  # 13 is no month
    assert not records_undated(b"03/03/2024 10:00:00.000 Std 09900 same both ways\n")
