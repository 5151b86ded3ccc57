"""Trimmer: cut a segment to the window, keep header and whole records, any chunking."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.model import Window
from collector.timeformats import DateContext, parse_record_time
from collector.timewindow import Trimmer

UTC = timezone.utc
NAME = "SIPS_DEMO_P.20240305_091500_120.log"
HEADER = (
    b"Genesys SIP Server, version 8.1.199.01\n"
    b"Application name:   SIPS_DEMO_P\n"
    b"Application type:   TServer\n"
    b"Local time:         2024-03-05T09:15:00.120\n"
    b"Start time (UTC):   2024-03-05T14:15:00.120\n"
    b"Time zone:          18000\n"
    b"File:               (0000000007) SIPS_DEMO_P.20240305_091500_120.log\n"
    b"+++ options dump +++\n  verbose = all\n"
)
R1 = b"09:15:02.004 Std 09900 Connected to Configuration Server 'cs_demo' at 192.0.2.10:2020\n"
R2 = (b"09:15:02.311 Trc 04541 RequestRegisterAddress received from [612]\n"
      b"message RequestRegisterAddress\n\tAttributeThisDN\t'7101'\n\tAttributeReferenceID\t4\n")
R3 = (b"@09:15:05.8712 [0] 8.1.199.01 distribute_event: message EventRinging\n"
      b"\tAttributeUserData\t[88] 00 03 00 00..\n\t\t'AccountNumber'\t'40001234'\n"
      b"$+TLIB:: trigger line\n$-TLIB:: end\n")
R4 = (b"09:15:06.990: SIPTR: Received [0,UDP] 611 bytes from 203.0.113.5:5060 <<<<<\r\n"
      b"INVITE sip:8005550100@192.0.2.20:5060 SIP/2.0\r\n"
      b"Call-ID: 4f1c0e2a-demo-0001@203.0.113.5\r\n"
      b"Content-Length: 96\r\n\r\nv=0\r\n10:00 not a stamp\r\nc=IN IP4 203.0.113.5\r\n\r\n")
R5 = b"09:15:08.000 Std 1 later\n\tat com.genesys.X.run(X.java:12)\n"
SEGMENT = HEADER + R1 + R2 + R3 + R4 + R5


def at(second: float) -> datetime:
    """2024-03-05 09:15:<second> local (UTC-5) as UTC."""
    return datetime(2024, 3, 5, 14, 15, tzinfo=UTC) + timedelta(seconds=second)


def trim(window: Window, data: bytes = SEGMENT, name: str = NAME, chunks: list[int] | None = None,
         **options: object) -> tuple[bytes, Trimmer]:
    trimmer = Trimmer(window, file_name=name, head=data[:16384], mtime=0, **options)  # type: ignore[arg-type]
    out, pos = [], 0
    for size in chunks or [len(data)]:
        out.append(trimmer.feed(data[pos:pos + size]))
        pos += size
    out.append(trimmer.feed(data[pos:]))
    out.append(trimmer.finish())
    return b"".join(out), trimmer


def test_window_starting_before_the_file_keeps_everything() -> None:
    out, trimmer = trim(Window(at(-3600), None))
    assert out == SEGMENT
    assert (trimmer.kept_first, trimmer.kept_last, trimmer.lines_dropped) == (at(2.004), at(8), 0)


def test_window_ending_inside_the_file() -> None:
    out, trimmer = trim(Window(at(-60), at(5)))
    assert out == HEADER + R1 + R2
    assert trimmer.kept_last == at(2.311)
    assert trimmer.lines_dropped == sum(part.count(b"\n") for part in (R3, R4, R5))


def test_window_inside_keeps_whole_records_with_continuations() -> None:
    out, trimmer = trim(Window(at(5), at(7)))
    assert out == HEADER + R3 + R4
    assert (trimmer.kept_first, trimmer.kept_last) == (at(5.8712), at(6.99))


def test_lines_after_a_long_header_kept_only_if_the_segment_starts_in_the_window() -> None:
    prelude = b"".join(b"  option-%d = value\n" % n for n in range(120))    # beyond the header parser's reach
    data = HEADER + prelude + R1 + R2
    header_part = trim(Window(at(-60), at(1)), data)[0]
    assert header_part.startswith(HEADER) and header_part.endswith(prelude)
    assert trim(Window(at(-60), at(1)), data)[0] == HEADER + prelude
    cut = trim(Window(at(2.1), at(3)), data)[0]
    assert cut.endswith(R2) and b"option-119" not in cut


def test_sip_dump_with_crlf_and_blank_lines_kept_whole() -> None:
    out, _ = trim(Window(at(6.5), at(7)))
    assert out == HEADER + R4


def test_window_entirely_outside_keeps_only_the_header() -> None:
    for window in (Window(at(-7200), at(-3600)), Window(at(3600), at(7200))):
        out, trimmer = trim(window)
        assert out == HEADER
        assert trimmer.kept_first is None and trimmer.kept_last is None
        assert trimmer.lines_dropped == SEGMENT.count(b"\n") - HEADER.count(b"\n")


def test_unbounded_window_passes_through() -> None:
    assert trim(Window())[0] == SEGMENT


def test_stream_not_starting_with_the_header_is_trimmed_as_records() -> None:
    data = R2 + R3 + R4
    trimmer = Trimmer(Window(at(5), at(7)), file_name=NAME, head=SEGMENT, mtime=0)
    assert trimmer.feed(data) + trimmer.finish() == R3 + R4


def test_cut_header_only_stream_is_kept() -> None:
    trimmer = Trimmer(Window(at(3600), None), file_name=NAME, head=SEGMENT, mtime=0)
    assert trimmer.feed(HEADER[:50]) + trimmer.finish() == HEADER[:50]


def test_last_line_without_newline() -> None:
    data = SEGMENT + b"09:15:09.000 Std tail without newline"
    assert trim(Window(at(8.5), None), data)[0] == HEADER + b"09:15:09.000 Std tail without newline"
    out, trimmer = trim(Window(None, at(8.5)), data)
    assert out == SEGMENT and trimmer.lines_dropped == 1


def test_midnight_rollover_in_a_segment() -> None:
    header = HEADER.replace(b"09:15:00.120", b"23:50:00.000").replace(b"14:15:00.120", b"04:50:00.000")
    header = header.replace(b"2024-03-05T04", b"2024-03-06T04")
    lines = [b"23:50:01.000 Std a\n", b"23:59:59.999 Std b\n", b"@00:00:00.5000 [0] c\n\tAttr\t1\n",
             b"00:05:00.000 Std d\n", b"00:10:00.000 Std e\n"]
    data = header + b"".join(lines)
    name = "SIPS.20240305_235000_000.log"
    after_midnight = Window(datetime(2024, 3, 6, 5, 0, tzinfo=UTC), datetime(2024, 3, 6, 5, 6, tzinfo=UTC))
    out, trimmer = trim(after_midnight, data, name)
    assert out == header + lines[2] + lines[3]
    assert trimmer.kept_first == datetime(2024, 3, 6, 5, 0, 0, 500000, tzinfo=UTC)
    before_midnight = Window(datetime(2024, 3, 6, 4, 55, tzinfo=UTC), datetime(2024, 3, 6, 5, 0, tzinfo=UTC))
    assert trim(before_midnight, data, name)[0] == header + lines[1]


UTC_HEADER = (b"Genesys SIP Server, version 8.1.199.01\nApplication name:   SIPS_P\n"
              b"Local time:         2026-11-20T10:00:00.000\nStart time (UTC):   2026-11-20T10:00:00.000\n"
              b"Time zone:          0\n")
LONG_NAME = "SIPS_P.20261120_100000_000.log"


def _kept_ticks(window: Window, lines: list[str]) -> list[str]:
    """The kept records' times; a line dating them (``cut_days_note``) as "dated <day>"."""
    data = UTC_HEADER + "".join(f"{line} Std 09900 tick\n" for line in lines).encode()
    out, _ = trim(window, data, LONG_NAME)
    assert out.startswith(UTC_HEADER)
    return [("dated " + line.split(" from ")[1][:10]) if line.startswith("gcollect:") else line.split(" ")[0]
            for line in out[len(UTC_HEADER):].decode().splitlines()]


def _day_window(day: int, hour: int, minute: int) -> Window:
    since = datetime(2026, 11, day, hour, minute, tzinfo=UTC)
    return Window(since, since + timedelta(hours=1))


def test_a_segment_longer_than_a_day_keeps_its_second_day() -> None:
    """The samples of a small block (first and last record) of a 26 h segment are 10:00 and
    12:00 the next day: they looked 2 h apart, the block was dropped whole as day one."""
    start = datetime(2026, 11, 20, 10)
    ticks = [f"{start + timedelta(minutes=30 * i):%H:%M:%S}.000" for i in range(53)]   # to 21 Nov 12:00
    # a reader dating day two's 10:30 from the header (20 Nov 10:00) would put it on day one:
    # a line says its day (probe AH F1); 00:30 after a 10:00 header is the next day anyway
    assert _kept_ticks(_day_window(21, 10, 15), ticks) == ["dated 2026-11-21", "10:30:00.000", "11:00:00.000"]
    assert _kept_ticks(_day_window(21, 0, 15), ticks) == ["00:30:00.000", "01:00:00.000"]
    assert _kept_ticks(_day_window(20, 10, 15), ticks) == ["10:30:00.000", "11:00:00.000"]
    crlf = (UTC_HEADER + "".join(f"{t} Std 09900 tick\n" for t in ticks).encode()).replace(b"\n", b"\r\n")
    out, _ = trim(_day_window(21, 10, 15), crlf, LONG_NAME)
    assert out.count(b"\n") == out.count(b"\r\n") == UTC_HEADER.count(b"\n") + 3     # its line ends as the file's
    assert b"\r\ngcollect: the records before 2026-11-21 10:30:00" in out


@pytest.mark.parametrize("evening, morning", [("23:00:00.000", "10:00:00.000"),
                                              ("23:00:00.000", "01:00:00.000")])
def test_a_quiet_night_is_a_new_day(evening: str, morning: str) -> None:
    """Records of the next morning after a quiet night: the block's samples (10:00:01 and
    11:30) hid the step back, and the next day's 10:30 was taken as the first day's."""
    lines = ["10:00:01.000", "10:30:00.000", evening, morning, "10:30:00.000", "11:30:00.000"]
    assert _kept_ticks(_day_window(20, 10, 15), lines) == ["10:30:00.000"]
    assert _kept_ticks(_day_window(21, 10, 15), lines) == ["dated 2026-11-21", "10:30:00.000"]
    day_two = _kept_ticks(Window(datetime(2026, 11, 21, 0, tzinfo=UTC), datetime(2026, 11, 21, 11, tzinfo=UTC)),
                          lines)
    dated = ["dated 2026-11-21"] if morning == "10:00:00.000" else []    # 10:00 after a 10:00 header: day one
    assert day_two == [*dated, morning, "10:30:00.000"]


def test_a_step_back_of_more_than_two_hours_is_a_new_day() -> None:
    """12:00 then 09:00: not a daylight-saving fall-back (1 h) nor threads out of order."""
    lines = ["10:00:01.000", "10:30:00.000", "12:00:00.000", "09:00:00.000", "10:30:00.000"]
    assert _kept_ticks(_day_window(20, 10, 15), lines) == ["10:30:00.000"]
    # 09:00 after a 10:00 header is an hour back, no new day by itself: a line says its day
    assert _kept_ticks(_day_window(21, 8, 45), lines) == ["dated 2026-11-21", "09:00:00.000"]


def test_long_line_is_streamed_and_decided_by_its_start() -> None:
    long_record = b"09:15:05.000 Std huge " + b"x" * 5000 + b"\n"
    long_continuation = b"\t" + b"y" * 5000 + b"\n"
    data = HEADER + R1 + long_record + long_continuation + R5
    options = {"block_bytes": 256, "max_line_bytes": 1024}
    for window, expected in [(Window(at(4), at(6)), HEADER + long_record + long_continuation),
                             (Window(at(7), None), HEADER + R5), (Window(None, at(3)), HEADER + R1)]:
        whole, _ = trim(window, data, **options)
        assert whole == expected
        for chunks in ([1] * len(data), [100] * (len(data) // 100), [3000, 7]):
            assert trim(window, data, chunks=chunks, **options)[0] == expected


def test_java_records_and_stack_traces() -> None:
    data = (b"GAX banner\n"
            b"2024-03-05 09:15:02,004 INFO  [main] start\n"
            b"2024-03-05 09:15:03,004 ERROR [main] boom\njava.lang.IllegalStateException: x\n"
            b"\tat com.genesys.gax.A.b(A.java:1)\nCaused by: y\n\t... 3 more\n"
            b"[2024-03-05 09:15:04.004] WARN later\n")
    window = Window(datetime(2024, 3, 5, 9, 15, 2, 500000, tzinfo=UTC), datetime(2024, 3, 5, 9, 15, 3, 500000, tzinfo=UTC))
    out, _ = trim(window, data, "gax.log", local_tz=UTC)
    assert out == b"GAX banner\n" + data[data.index(b"2024-03-05 09:15:03"):data.index(b"[2024")]


# ------------------------------------------------------------------ chunking invariance
def synthetic(seed: int, records: int, disorder: float = 0.0) -> bytes:
    rnd = random.Random(seed)
    second = 9 * 3600 + 15 * 60.0
    parts = [HEADER]
    for _ in range(records):
        second += rnd.random() * 30
        stamp_second = second - (rnd.random() * 20 if rnd.random() < disorder else 0)
        s = stamp_second % 86400
        stamp = b"%02d:%02d:%06.3f" % (s // 3600, s % 3600 // 60, s % 60)
        kind = rnd.randrange(4)
        if kind == 0:
            parts.append(stamp + b" Std 09900 line\n")
        elif kind == 1:
            parts.append(b"@" + stamp + b"1 [0] distribute_event\n\tAttributeThisDN\t'7101'\n" * 1)
        elif kind == 2:
            parts.append(stamp + b": SIPTR: Received\r\nINVITE sip:x SIP/2.0\r\n\r\nv=0\r\n\r\n")
        else:
            parts.append(stamp + b" Trc 04541 x\n" + b"\tat y\n" * rnd.randrange(3))
    return b"".join(parts)


def reference(data: bytes, window: Window) -> bytes:
    """Record by record, no blocks: what the Trimmer must produce for in-order logs."""
    context = DateContext(day=date(2024, 3, 5), last_seconds=33300.12, zone=timezone(timedelta(hours=-5)))
    out, keep = [HEADER], False
    for line in data[len(HEADER):].splitlines(keepends=True):
        moment = parse_record_time(line, context)
        if moment is not None:
            keep = (window.since is None or moment >= window.since) and (window.until is None or moment <= window.until)
        if keep:
            out.append(line)
    return b"".join(out)


DATA = synthetic(7, 400)
WINDOWS = [Window(at(600), at(2400)), Window(at(-10), at(100)), Window(at(5000), None), Window(None, at(300)),
           Window(at(99999), None)]


def test_byte_by_byte_and_random_chunks_give_the_same_output() -> None:
    rnd = random.Random(3)
    for window in WINDOWS:
        expected = reference(DATA, window)
        for options in ({}, {"block_bytes": 512, "max_line_bytes": 4096}):
            assert trim(window, DATA, **options)[0] == expected
            assert trim(window, DATA, chunks=[1] * len(DATA), **options)[0] == expected
            chunks = [rnd.randrange(1, 3000) for _ in range(200)]
            assert trim(window, DATA, chunks=chunks, **options)[0] == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), records=st.integers(0, 120), disorder=st.sampled_from([0.0, 0.3]),
       since=st.integers(-100, 4000), width=st.integers(0, 4000), block=st.sampled_from([64, 300, 1 << 20]),
       cuts=st.lists(st.integers(1, 700), max_size=40))
def test_chunking_never_changes_the_output(seed: int, records: int, disorder: float, since: int, width: int,
                                           block: int, cuts: list[int]) -> None:
    data = synthetic(seed, records, disorder)
    window = Window(at(since), at(since + width))
    whole, first = trim(window, data, block_bytes=block, max_line_bytes=block * 4)
    chunked, second = trim(window, data, chunks=cuts, block_bytes=block, max_line_bytes=block * 4)
    assert whole == chunked
    assert (first.kept_first, first.kept_last, first.lines_dropped) == (second.kept_first, second.kept_last,
                                                                        second.lines_dropped)
    if disorder == 0.0:
        assert whole == reference(data, window)


def test_stamps_of_unknown_day_month_order_are_not_trimmed_on_a_guess() -> None:
    data = b"05/03/2024 10:00:00.000 Std 09900 a\n05/03/2024 11:00:00.000 Std 09900 b\n"
    out, trimmer = trim(Window(datetime(2024, 3, 5, 10, 30, tzinfo=UTC), None), data, name="stat.log",
                        local_tz=UTC)
    assert out == data and "day-first and month-first" in trimmer.note
    header = HEADER.replace(b"09:15:00.120", b"10:00:00.000").replace(b"14:15:00.120", b"10:00:00.000")
    out, trimmer = trim(Window(datetime(2024, 3, 5, 10, 30, tzinfo=UTC), None), header + data, name="stat.log",
                        local_tz=UTC)
    assert out == header + data[len(data) // 2:] and trimmer.note == ""     # the header dates it: 5 March


def test_a_record_whose_pass_of_the_repeated_hour_is_a_guess_is_kept_if_either_pass_is_in_the_window() -> None:
    """A daily Java log (no header offset) silent from midnight to 01:30 on the New York fall-back
    night: 01:30 may be EDT (05:30Z) or EST (06:30Z). A window on 06:30Z keeps it; records sure
    of their pass (a minute after the one before) are decided by that pass alone."""
    from zoneinfo import ZoneInfo

    data = (b"2024-11-03 01:30:00,000 INFO a\n2024-11-03 01:31:00,000 INFO b\n"
            b"2024-11-03 01:00:00,000 INFO c\n2024-11-03 01:30:00,000 INFO d\n")
    window = Window(datetime(2024, 11, 3, 6, 29, tzinfo=UTC), datetime(2024, 11, 3, 6, 31, tzinfo=UTC))
    out, trimmer = trim(window, data, name="app.2024-11-03.log", local_tz=ZoneInfo("America/New_York"))
    assert out == data[:data.index(b"2024-11-03 01:00")] + b"2024-11-03 01:30:00,000 INFO d\n"
    assert trimmer.kept_last == datetime(2024, 11, 3, 6, 30, tzinfo=UTC)
