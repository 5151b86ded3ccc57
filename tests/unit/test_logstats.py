"""LogStats: a pass-through stage counting Std/Alr message IDs, HA role changes and time span."""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from collector.logstats import TOP_MESSAGES, LogStats, stream_of
from collector.timeformats import RECORD_STAMP, segment_clock

HEADER = (b"Genesys SIP Server, version 8.1.104.37\n"
          b"Application name:   SIPS_P\n"
          b"Application type:   TServer\n"
          b"Host name:          demo-gen01\n"
          b"Local time:         2024-03-05T23:50:00.120\n"
          b"Start time (UTC):   2024-03-06T04:50:00.120\n"
          b"Time zone:          18000\n"
          b"File:               (0000000007) SIPS_P.20240305_235000_120.log\n"
          b"Command line:       ./sip_server -host cfg -port 2020 -app SIPS_P\n"
          b"HA Role:            Primary\n")
BODY = (b"23:50:01.004 Std 09900 Connected to Configuration Server 'cs' at 192.0.2.10:2020\n"
        b"23:50:02.311 Trc 04541 RequestRegisterAddress received from [612]\n"
        b"message RequestRegisterAddress\n"
        b"\tAttributeThisDN\t'7101'\n"
        b"23:55:00.000 Alr 00002 Connection to URS_P lost\n"
        b"@23:58:00.1234 [0] 8.1.104.37 distribute_event: message EventRinging\n"
        b"\tAttributeConnID\t007b02aa3c1f0011\n"
        b"00:01:00.500 Std 04561 SIPS_P Backup mode activated\n"
        b"00:02:00.000 Std 09900 Connected to Configuration Server 'cs' at 192.0.2.10:2020\n"
        b"00:03:00.000 Int 04543 Interaction message \"EventRouteUsed\" received\n"
        b"00:04:00.000 Dbg 30001 timer\n"
        b"00:05:00.000 Alr 00002 Connection to URS_P lost\n")
NAME = "opt/genesys/logs/SIPS_P-768.20240305_235000_120.log"


def run(data: bytes, sizes: list[int], name: str = NAME, head: bytes | None = None) -> tuple[bytes, dict]:
    stage = LogStats(name, head=data[:16384] if head is None else head, mtime=1709701000.0)
    out, pos, i = [], 0, 0
    while pos < len(data):
        n = sizes[i % len(sizes)]
        out.append(stage.feed(data[pos:pos + n]))
        pos += n
        i += 1
    out.append(stage.finish())
    return b"".join(out), stage.summary()


def test_counts_ids_times_roles_and_header() -> None:
    data = HEADER + BODY
    out, s = run(data, [1 << 20])
    assert out == data
    json.dumps(s)
    assert s["app"] == {"name": "SIPS_P", "type": "TServer", "version": "8.1.104.37",
                        "banner": "Genesys SIP Server, version 8.1.104.37", "host": "demo-gen01"}
    assert s["ha_role"] == "Primary"
    assert s["stream"] == "opt/genesys/logs/SIPS_P-768"
    by = {(m["level"], m["id"]): m for m in s["messages"]}
    assert by[("Std", "09900")]["count"] == 2
    # zone 5 h west: 23:50 local on 03-05 is 04:50 UTC on 03-06; past midnight is the next day
    assert by[("Std", "09900")]["first"] == "2024-03-06T04:50:01.004+00:00"
    assert by[("Std", "09900")]["last"] == "2024-03-06T05:02:00.000+00:00"
    assert by[("Alr", "00002")]["count"] == 2
    assert by[("Alr", "00002")]["text"] == "Connection to URS_P lost"
    assert s["messages"][0]["level"] == "Alr"                 # alarms first
    assert s["levels"] == {"Std": 3, "Alr": 2, "Int": 1, "Trc": 1, "Dbg": 1}
    assert s["first"] == "2024-03-06T04:50:01.004+00:00"
    assert s["last"] == "2024-03-06T05:05:00.000+00:00"
    (event,) = s["ha_events"]
    assert event["role"] == "Backup" and event["id"] == "04561"
    assert event["time"] == "2024-03-06T05:01:00.500+00:00"


def _full_format(body: bytes) -> bytes:
    """The same records as message_format = full writes them: level spelt out, host and
    application names, the ID with its GCTI prefix."""
    names = {b"Std": b"Standard", b"Alr": b"Alarm", b"Int": b"Interaction", b"Trc": b"Trace", b"Dbg": b"Debug"}
    return re.sub(rb"^(\S+) (Std|Alr|Int|Trc|Dbg) (\d{5}) ",
                  lambda m: m[1] + b" " + names[m[2]] + b" demo-gen01 SIPS_P GCTI-04-" + m[3] + b" ",
                  body, flags=re.M)


@pytest.mark.parametrize("sizes", [[1 << 20], [37, 4096]])
def test_full_message_format_counts_like_the_short_one(sizes: list[int]) -> None:
    short = run(HEADER + BODY, [1 << 20])[1]
    data = HEADER + _full_format(BODY)
    assert b"Standard demo-gen01 SIPS_P GCTI-04-09900 Connected" in data
    out, full = run(data, sizes)
    assert out == data
    assert full["levels"] == short["levels"] == {"Std": 3, "Alr": 2, "Int": 1, "Trc": 1, "Dbg": 1}
    assert full["messages"] == short["messages"]          # IDs, counts, first/last times, texts
    assert full["ha_events"][0]["id"] == "04561"
    assert (full["first"], full["last"]) == (short["first"], short["last"])


@pytest.mark.parametrize("seed", range(8))
def test_any_chunking_gives_the_same_summary(seed: int) -> None:
    data = HEADER + BODY * 50
    _, whole = run(data, [1 << 20])
    rng = random.Random(seed)
    sizes = [rng.randint(1, 200) for _ in range(50)]
    out, chunked = run(data, sizes)
    assert out == data
    assert chunked == whole


@pytest.mark.parametrize("sizes", [[1 << 20], [7], [5000, 3]])
def test_the_header_shown_is_the_stored_one_never_the_raw_head(sizes: list[int]) -> None:
    """The raw head only dates the records: a file without a header starts with a record's
    line (a T-Lib attribute, a JDBC URL), which must not reach the report unredacted."""
    raw = b"\t\t'CardNumber'\t'4929123456781234'\n12:00:00.000 Std 09900 x\n"
    stored = b"\t\t'CardNumber'\t'REDACTED-CARD'\n12:00:00.000 Std 09900 x\n"
    _, s = run(stored, sizes, name="x/SIPS_P.20261127_000040_000.log", head=raw)
    assert "4929123456781234" not in json.dumps(s)
    assert s["app"] == {}
    _, s = run(HEADER + BODY, sizes, head=HEADER.replace(b"SIPS_P", b"RAW_NAME") + BODY)
    assert s["app"]["name"] == "SIPS_P" and "RAW_NAME" not in json.dumps(s)


def test_bounded_top_messages_and_no_header() -> None:
    lines = b"".join(b"10:00:%02d.000 Std %05d text %d\n" % (i % 60, i, i) for i in range(TOP_MESSAGES + 50))
    _, s = run(lines, [4096], name="x/app.log", head=lines[:16384])
    assert len(s["messages"]) == TOP_MESSAGES
    assert s["message_ids"] == TOP_MESSAGES + 50 and s["messages_truncated"]
    assert "ha_role" not in s


def test_continuation_lines_are_not_records() -> None:
    data = HEADER + b"23:50:01.000 Trc 04541 x\n\tsome text that says switchover happened\n"
    _, s = run(data, [1 << 20])
    assert "ha_events" not in s


@pytest.mark.parametrize("sizes", [[1 << 20], [7], [1, 64, 5]])
def test_every_ha_record_of_a_chunk_is_found_once_whatever_the_chunking(sizes) -> None:
    data = HEADER + (b"00:01:00.500 Std 04561 SIPS_P Backup mode activated\n"
                     b"00:01:01.000 Trc 04541 x\n"
                     b"\tswitchover named in an attribute\n"
                     b"00:02:00.000 Std 04562 SIPS_P Primary mode activated after a switchover\n"
                     + b"00:02:30.000 Trc 04541 y\n" * 3
                     + b"00:03:00.000 Std 04563 switchover done")          # the last line has no newline
    _, s = run(data, sizes)
    assert [(e["id"], e["role"], e["time"]) for e in s["ha_events"]] == [
        ("04561", "Backup", "2024-03-06T05:01:00.500+00:00"),
        ("04562", "Primary", "2024-03-06T05:02:00.000+00:00"),
        ("04563", None, "2024-03-06T05:03:00.000+00:00")]


def test_stream_names() -> None:
    assert stream_of("var/log/genesys/SIPS_P/SIPS_P.20240305_091500_120.log") == "var/log/genesys/SIPS_P/SIPS_P"
    assert stream_of("var/log/SIPS_P-1024.20240305_091500_120.log") == "var/log/SIPS_P-1024"
    assert stream_of("gax/logs/gax.log.20240305_091500_120") == "gax/logs/gax.log"


def test_a_compressed_rotation_is_in_its_segments_stream() -> None:
    for folder in ("var/log/genesys/SIPS_P/", "/var/log/genesys/SIPS_P/"):
        plain = stream_of(folder + "SIPS_P.20261127_101500_120.log")
        assert stream_of(folder + "SIPS_P.20261127_101500_120.log.gz") == plain == folder + "SIPS_P"
    assert stream_of("var/log/SIPS_P-1024.20240305_091500_120.log.gz") == "var/log/SIPS_P-1024"


_LINE = re.compile(rb"^(?P<lvl>Std|Alr) (?P<id>\d{5})\b")


def brute_force(data: bytes, name: str, mtime: float) -> Counter:
    """Std/Alr records counted line by line: a timestamp-led line whose level follows the stamp."""
    counts: Counter = Counter()
    clock = segment_clock(name, data[:16384], mtime)
    for line in data[clock.header_end:].splitlines():
        m = RECORD_STAMP.match(line)
        if not m:
            continue
        rest = line[m.end():].lstrip(b" :]")
        hit = _LINE.match(rest)
        if hit:
            counts[(hit.group("lvl").decode(), hit.group("id").decode())] += 1
    return counts


def test_matches_line_by_line_count_on_a_generated_host(tmp_path: Path) -> None:
    from collector.testhost import generate_host

    generate_host(tmp_path, products=["sip-server", "urs", "ors", "scs", "config-server", "stat-server", "ocs"],
                  days=0.5, seed=5, segment_kb=256)
    logs = [p for p in tmp_path.rglob("*.log") if "install" not in p.name]
    assert len(logs) > 10
    total = 0
    for path in logs:
        data = path.read_bytes()
        name = str(path.relative_to(tmp_path))
        _, s = run(data, [65536 + 7], name=name)
        got = Counter({(m["level"], m["id"]): m["count"] for m in s["messages"]})
        assert got == brute_force(data, name, path.stat().st_mtime), name
        total += sum(got.values())
        for m in s["messages"]:
            assert m["first"] is not None and m["first"] <= m["last"], (name, m)
    assert total > 100


def test_throughput_is_small_next_to_redaction(tmp_path: Path) -> None:
    """The pipeline's budget is >100 MB/s per core for everything; statistics must cost a
    fraction of redaction (measured relative to it, so a loaded machine matters less; redaction
    got faster, so the margin is 2x, measured 4-4.6x)."""
    from collector.redaction.engine import Redactor
    from collector.redaction.rules import load_rule_sets
    from collector.redaction.tokens import Tokenizer
    from collector.testhost import generate_host

    generate_host(tmp_path, products=["sip-server"], days=0.5, seed=2, segment_kb=4096)
    path = max(tmp_path.rglob("SIPS_P.*.log"), key=lambda p: p.stat().st_size)
    data = path.read_bytes()
    chunks = [data[i:i + (1 << 20)] for i in range(0, len(data), 1 << 20)]
    redactor = Redactor(load_rule_sets(("common-secrets", "tlib", "sip", "pii")), Tokenizer(b"k" * 32, None),
                        "log", "x.log")
    start = time.process_time()
    for chunk in chunks:
        redactor.feed(chunk)
    redactor.finish()
    redact_s = time.process_time() - start
    start = time.process_time()
    out, summary = run(data, [1 << 20], name=str(path.relative_to(tmp_path)))
    stats_s = time.process_time() - start
    assert out == data and summary["messages"]
    assert stats_s * 2 < redact_s, (len(data) / stats_s / 1e6, len(data) / redact_s / 1e6)


# ------------------------------------------------------------------ dating (probe AH F1-F3)
def _quiet_day(start_hour: int = 19, hours: int = 26, every_minutes: int = 2) -> bytes:
    """A quiet time-only stream: one record every few minutes for more than a day (20 KB)."""
    lines, minute = [], start_hour * 60
    for n in range(hours * 60 // every_minutes):
        at = (minute + n * every_minutes) % (24 * 60)
        lines.append(b"%02d:%02d:00.121 Std 05060 housekeeping %d\n" % (at // 60, at % 60, n))
    return b"".join(lines)


def test_a_quiet_segment_of_more_than_a_day_keeps_its_midnight() -> None:
    """Records were dated only at the chunk's first and last record and per message ID: 26 h of
    one ID in one chunk ended a day short (19:00 .. 20:58 the same day). Records dated every
    1/16 of the chunk see the midnight."""
    header = HEADER.replace(b"2024-03-05T23:50:00.120", b"2024-03-05T19:00:00.120").replace(
        b"2024-03-06T04:50:00.120", b"2024-03-06T00:00:00.120")
    _, s = run(header + _quiet_day(), [1 << 20], name=NAME.replace("235000", "190000"))
    assert (s["first"], s["last"]) == ("2024-03-06T00:00:00.121+00:00", "2024-03-07T01:58:00.121+00:00")
    (msg,) = s["messages"]
    assert (msg["first"], msg["last"]) == (s["first"], s["last"])


def test_a_segment_cut_to_a_window_is_dated_by_its_first_stored_record() -> None:
    """A window's Trimmer drops two days of records after the header: the statistics date the
    first record they see by the Trimmer's first kept record (``dating_hint``), not the header."""
    from datetime import datetime, timezone

    kept = b"04:54:39.138 Std 05060 first kept\n05:10:00.000 Std 05060 second\n"
    stage = LogStats(NAME, head=HEADER, mtime=1709701000.0,
                     dating_hint=lambda: datetime(2024, 3, 8, 9, 54, 39, 138000, tzinfo=timezone.utc))
    stage.feed(HEADER + kept)
    stage.finish()
    s = stage.summary()
    assert (s["first"], s["last"]) == ("2024-03-08T09:54:39.138+00:00", "2024-03-08T10:10:00.000+00:00")
    plain = LogStats(NAME, head=HEADER, mtime=1709701000.0)
    plain.feed(HEADER + kept)
    plain.finish()
    assert plain.summary()["first"] == "2024-03-06T09:54:39.138+00:00"        # the header's next day


def test_the_repeated_hour_of_a_fall_back_is_read_in_order() -> None:
    """A window inside the repeated hour keeps 01:15..01:59 (first pass) then 01:00..01:45
    (second pass). Dated at its first and last record only, the last read as the first pass,
    an hour early; a dated record in a repeated hour dates every record of the chunk."""
    import zoneinfo

    zone = zoneinfo.ZoneInfo("America/New_York")
    header = (b"Genesys SIP Server, version 8.1.104.37\nApplication name:   SIPS_A\n"
              b"Local time:         2025-11-02T00:00:00.120\nStart time (UTC):   2025-11-02T04:00:00.120\n")
    first = [b"01:%02d:%02d.121 Std 05060 first pass\n" % (m, s) for m in range(15, 60) for s in (0, 30)]
    second = [b"01:%02d:%02d.121 Std 05060 second pass\n" % (m, s) for m in range(0, 45) for s in (0, 30)]
    stage = LogStats("var/log/genesys/SIPS_A/SIPS_A.20251102_000000_120.log", head=header,
                     mtime=1762066000.0, local_tz=zone)
    stage.feed(header + b"".join(first + second))
    stage.finish()
    s = stage.summary()
    assert (s["first"], s["last"]) == ("2025-11-02T05:15:00.121+00:00", "2025-11-02T06:44:30.121+00:00")
    (msg,) = s["messages"]
    assert (msg["first"], msg["last"], msg["count"]) == (s["first"], s["last"], len(first) + len(second))


def test_a_midnight_between_two_dated_records_is_found_by_dating_every_record() -> None:
    """Between two of the records dated (every 1/16 of the chunk), two quiet hours carry the only
    records of the night: the next morning's 09:00 then looks an hour before 10:00, no new day.
    A step back of more than 5 minutes dates every record of the chunk (review of 250bf4b)."""
    header = HEADER.replace(b"2024-03-05T23:50:00.120", b"2024-03-05T10:00:00.000").replace(
        b"2024-03-06T04:50:00.120", b"2024-03-05T10:00:00.000").replace(b"Time zone:          18000",
                                                                         b"Time zone:          0")
    pad = b" " + b"x" * 80
    morning = b"".join(b"10:%02d:%02d.000 Trc 04541 received%s\n" % (i // 60 % 60, i % 60, pad) for i in range(2003))
    night = b"23:30:00.000 Trc 04520 check point\n02:00:00.000 Trc 04520 check point\n"
    next_day = b"".join(b"09:%02d:%02d.000 Trc 04541 received%s\n" % (i // 60 % 60, i % 60, pad) for i in range(3000))
    _, s = run(header + morning + night + next_day, [1 << 20], name=NAME.replace("235000_120", "100000_000"))
    assert (s["first"], s["last"]) == ("2024-03-05T10:00:00.000+00:00", "2024-03-06T09:49:59.000+00:00")
