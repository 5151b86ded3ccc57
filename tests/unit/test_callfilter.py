"""--call: ConnID <-> CallUUID <-> SIP Call-ID links, the record filter stage, the merged log."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from collector.callfilter import CallFilter, call_log_name, find_call_links, iter_records, merge_call_records


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory):
    from collector.testhost import generate_host
    from collector.testhost.fakes import Fakes, make_calls

    root = tmp_path_factory.mktemp("host")
    generate_host(root, products=["sip-server", "urs", "ors"], days=0.3, seed=6, segment_kb=256)
    calls = make_calls(Fakes(random.Random("6:fakes")), 160)       # the calls generate_host planted
    logs = sorted(p for p in root.rglob("*.log") if p.parent.name in ("SIPS_P", "URS_P", "ORS_P"))
    return root, calls, logs


def run(stage: CallFilter, data: bytes, size: int) -> bytes:
    out = [stage.feed(data[i:i + size]) for i in range(0, len(data), size)]
    return b"".join(out) + stage.finish()


def test_links_follow_connid_to_calluuid_and_sip_call_id(host) -> None:
    _, calls, logs = host
    call = calls[7]
    links = find_call_links(logs, call.connid)
    assert {call.connid, call.calluuid, call.sip_call_id} <= links
    others = {c.connid for c in calls if c is not call} | {c.calluuid for c in calls if c is not call}
    assert not links & others
    assert find_call_links(logs, call.calluuid) >= {call.connid, call.sip_call_id}


def test_filter_keeps_every_record_of_the_call_and_nothing_of_others(host) -> None:
    _, calls, logs = host
    call = calls[11]
    ids = frozenset(i.encode() for i in find_call_links(logs, call.connid))
    other_connids = [c.connid.encode() for c in calls if c is not call]
    kept_from: dict[str, int] = {}
    filtered: dict[str, bytes] = {}
    for path in logs:
        data = path.read_bytes()
        out = run(CallFilter(ids), data, 4099)
        assert out == run(CallFilter(ids), data, 1 << 20)                 # any chunking
        records = list(iter_records([data]))
        expected = [r for r in records if any(i in r for i in ids)]
        kept = list(iter_records([out]))
        for record in expected:
            assert record in out
        for record in kept[1:]:
            assert not any(o in record for o in other_connids) or any(i in record for i in ids)
        if expected:
            kept_from[path.parent.name] = kept_from.get(path.parent.name, 0) + len(expected)
            filtered[str(path)] = out
    assert set(kept_from) == {"SIPS_P", "URS_P", "ORS_P"}
    merged = merge_call_records(filtered)
    stamps = [line.split(b" ")[1] for line in merged.splitlines() if line.startswith(b"=== ")]
    assert stamps == sorted(stamps) and len(stamps) >= sum(kept_from.values())
    assert call_log_name(call.connid) == f"call-{call.connid}.log"


def test_request_and_its_event_by_reference_id() -> None:
    data = (b"10:00:00.000 Trc 04541 RequestAnswerCall received from [612]\nmessage RequestAnswerCall\n"
            b"\tAttributeConnID\t007b02aa3c1f0011\n\tAttributeReferenceID\t42\n"
            b"10:00:00.100 Trc 04542 EventError sent to [612]\n\tAttributeReferenceID\t42\n"
            b"10:00:00.200 Trc 04542 EventAgentReady sent to [612]\n\tAttributeReferenceID\t43\n")
    out = run(CallFilter(frozenset({b"007b02aa3c1f0011"})), data, 7)
    assert b"EventError" in out and b"EventAgentReady" not in out


# ------------------------------------------------------------------ the merge, spooled (probe K finding 7)
def _old_merge(named_logs: dict[str, bytes]) -> bytes:
    """The merge as it was done in memory (the reference for the spooled one)."""
    from collector.timeformats import RECORD_STAMP, from_micros, segment_clock, stamp_from_match

    rows = []
    for name, data in named_logs.items():
        clock = segment_clock(name.rsplit("/", 1)[-1], data[:16384], 0.0)
        for index, record in enumerate(iter_records([data[clock.header_end:]])):
            m = RECORD_STAMP.match(record)
            micros = clock.context.resolve_micros(stamp_from_match(m)) if m and stamp_from_match(m) else None
            if micros is not None:
                rows.append((micros, name, index, record if record.endswith(b"\n") else record + b"\n"))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return b"".join(b"=== %s %s\n" % (from_micros(t).isoformat(timespec="microseconds").encode(), n.encode())
                    + rec for t, n, _, rec in rows)


def _call_log(number: int, records: int, *, shuffle: bool = False, pad: int = 0) -> tuple[str, bytes]:
    rng = random.Random(number)
    seconds = sorted(rng.randrange(0, 7200) for _ in range(records))
    if shuffle:
        rng.shuffle(seconds)
    lines = [b"Genesys SIP Server, version 8.1.103.95\nApplication name: SIPS_%d\n" % number]
    for i, s in enumerate(seconds):
        lines.append(b"%02d:%02d:%02d.%03d Trc 04541 RequestAnswerCall received from [612] %d\n"
                     b"\tAttributeConnID\t007b02aa3c1f0011\n\tAttributeThisDN\t'%s'\n"
                     % (s // 3600, s // 60 % 60, s % 60, i % 1000, i, b"x" * pad))
    data = b"".join(lines)
    if number % 5 == 0:
        data = data[:-1]                                 # no newline at the end
    return f"var/log/genesys/SIPS_{number}/SIPS_{number}.20261122_{number % 3:02d}0000_000.log", data


def test_spooled_merge_is_the_in_memory_merge(tmp_path: Path) -> None:
    from collector.callfilter import MERGE_FAN_IN, merge_call_records_into

    logs = dict(_call_log(n, 40, shuffle=n % 2 == 1) for n in range(MERGE_FAN_IN * 2 + 3))   # 3 merge passes
    logs["var/log/genesys/EMPTY/EMPTY.20261122_000000_000.log"] = b"no dated record\n"
    parts: list[bytes] = []
    merge_call_records_into(((name, data, None) for name, data in logs.items()), parts.append, tmp_path)
    assert b"".join(parts) == _old_merge(logs)
    assert merge_call_records(logs, spool_dir=tmp_path) == _old_merge(logs)
    assert list(tmp_path.iterdir()) == []               # the run files are gone


def test_call_log_memory_does_not_grow_with_the_call(tmp_path: Path) -> None:
    """The main process held every record of the call (and the joined log) in memory: 471 MB
    for a 74 MB call log. Now each file's records are sorted on their own and spooled."""
    import tracemalloc
    from types import SimpleNamespace

    from collector.pipeline import _call_log_piece

    def members():                                      # 16 files, ~1 MB of call records each
        for n in range(16):
            name, data = _call_log(n, 2500, pad=300)
            yield SimpleNamespace(host_path=name, call_text=data, kept_first=None)

    settings = SimpleNamespace(fmt="tar.gz", level=None)
    plan = SimpleNamespace(window=SimpleNamespace(local_tz=None))
    tracemalloc.start()
    try:
        piece = _call_log_piece(members(), tmp_path, settings, plan)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert piece.size > 16 * 900_000
    assert peak < 8 << 20, f"peak {peak / 1e6:.1f} MB for a {piece.size / 1e6:.1f} MB call log"
    if piece.path is not None:
        piece.path.unlink()


# ------------------------------------------------------------------ GVP MCP sessions (probe W finding 8)
_SIPS = (b"Genesys SIP Server, version 8.1.103.95\nApplication name:   SIPS_P\nApplication type:   TServer\n"
         b"@09:15:05.0001 [0] 8.1.103.95 distribute_event: message EventRinging\n"
         b"\tAttributeConnID\t007b02aa3c1f0011\n\tAttributeCallUUID\t'7QK2M0D4AB5H91VX03KD4G0E7S000001'\n"
         b"09:15:05.100: Sending  [0,UDP] 700 bytes to 192.0.2.30:5070 >>>>>\n"
         b"INVITE sip:dialog@192.0.2.30:5070 SIP/2.0\nCall-ID: 11AA22BB-sips-0002@192.0.2.20\n"
         b"X-Genesys-CallUUID: 7QK2M0D4AB5H91VX03KD4G0E7S000001\nContent-Length: 0\n\n")
_MCP = (b"Genesys Media Control Platform 8.5.160.04\nApplication name:   MCP_P\nApplication type:   CFGGVPMCP\n"
        b"2026-11-27 09:15:05.110 DBUG 00000000-00000000 4188 20000 Request received: INVITE sip:dialog@192.0.2.30:5070 SIP/2.0\n"
        b"Call-ID: 11AA22BB-sips-0002@192.0.2.20\nContent-Length: 0\n\n"
        b"2026-11-27 09:15:05.112 DBUG 00000000-00000000 4188 20000 Request received: OPTIONS (keepalive)\n"
        b"2026-11-27 09:15:05.120 INFO 00DE020E-1000A3B1 4188 40000 LogID=00DE020E-1000A3B1 new session for Call-ID 11AA22BB-sips-0002@192.0.2.20\n"
        b"2026-11-27 09:15:05.130 DBUG 00DE020E-1000A3B1 4188 50004 vxmli: Fetching http://ivr.example/app/start.vxml\n"
        b"2026-11-27 09:15:06.000 EROR 00DE020E-1000A3B1 4188 50099 vxmli: error.badfetch http://ivr.example/app/menu.vxml (HTTP 404)\n"
        b"2026-11-27 09:15:07.000 DBUG 00DE020E-1000A3B1 4188 60001 mrcp: RECOGNITION-COMPLETE 1 COMPLETE Completion-Cause: 001 nomatch\n"
        b"2026-11-27 09:15:09.000 DBUG 00DF0000-1000A3C9 4188 50004 vxmli: Fetching http://ivr.example/app/start.vxml (other call)\n")


def test_links_follow_the_call_into_its_gvp_mcp_session(tmp_path: Path) -> None:
    """--call kept only the MCP records naming the Call-ID (2 of the session's records): the
    session's fetches, error.badfetch and MRCP results carry only the MCP LogID."""
    from collector.callfilter import follow_call

    (tmp_path / "SIPS_P.log").write_bytes(_SIPS)
    (tmp_path / "MCP_P.log").write_bytes(_MCP)
    logs = sorted(tmp_path.glob("*.log"))
    links = follow_call(logs, "007b02aa3c1f0011")
    assert links.ids == {"007b02aa3c1f0011", "7QK2M0D4AB5H91VX03KD4G0E7S000001",
                         "11AA22BB-sips-0002@192.0.2.20", "00DE020E-1000A3B1"}
    assert links.sessions == {"00DE020E-1000A3B1"} and links.not_followed() is None
    out = run(CallFilter(frozenset(i.encode() for i in links.ids)), _MCP, 97)
    for line in (b"vxmli: Fetching http://ivr.example/app/start.vxml\n", b"error.badfetch", b"RECOGNITION-COMPLETE",
                 b"new session for Call-ID"):
        assert line in out
    assert b"other call" not in out and b"OPTIONS" not in out and b"00000000-00000000" in out   # the INVITE dump


def test_followed_ids_are_capped_and_the_rest_is_said(tmp_path: Path) -> None:
    """Memory stays bounded: at most MAX_IDS identifiers, the seed among them, and the manifest
    line says that records of the call may be missing."""
    from collector.callfilter import MAX_IDS, follow_call

    records = [b"Genesys SIP Server, version 8.1.103.95\n"]
    for n in range(MAX_IDS * 3):                       # one record linking the seed to many sessions
        records.append(b"2026-11-27 09:15:05.%03d INFO %08X-1000A3B1 4188 40000 LogID=%08X-1000A3B1 "
                       b"new session for Call-ID 11AA22BB-sips-0002@192.0.2.20\n" % (n % 1000, n + 1, n + 1))
    (tmp_path / "MCP_P.log").write_bytes(b"".join(records))
    links = follow_call([tmp_path / "MCP_P.log"], "11AA22BB-sips-0002@192.0.2.20")
    assert len(links.ids) == MAX_IDS and "11AA22BB-sips-0002@192.0.2.20" in links.ids
    assert links.dropped > 0 and "not followed" in (links.not_followed() or "")
    assert follow_call([tmp_path / "MCP_P.log"], "11AA22BB-sips-0002@192.0.2.20") == links   # the same every run


def test_links_still_appearing_after_the_last_round_are_said(tmp_path: Path) -> None:
    from collector.callfilter import follow_call

    chain = [b"%016x" % n for n in range(1, 8)]         # ConnID a -> b -> c ... one hop a record
    body = b"".join(b"10:00:%02d.000 Trc 04541 RequestAnswerCall\n\tAttributeConnID\t%s\n\tAttributeConnID\t%s\n"
                    % (n, a, b) for n, (a, b) in enumerate(zip(chain, chain[1:])))
    (tmp_path / "SIPS_P.log").write_bytes(b"Genesys SIP Server\n" + body)
    short = follow_call([tmp_path / "SIPS_P.log"], chain[0].decode(), max_rounds=2)
    assert short.unfinished and "may be missing" in (short.not_followed() or "")
    full = follow_call([tmp_path / "SIPS_P.log"], chain[0].decode(), max_rounds=10)
    assert full.ids == {c.decode() for c in chain} and full.not_followed() is None


def test_the_call_records_kept_are_dated_where_every_record_is_seen() -> None:
    """With --call the filter drops the records between the window's start and the call's, the
    very records that show the midnights: a time-only call record a day later was dated on the
    window's first day (review of 4bff62a). The filter dates every record it sees, seeded at the
    window's first kept record, and keeps the call's first and last time (probe AH F8)."""
    from datetime import datetime, timedelta, timezone

    from collector.model import Window
    from collector.timeformats import segment_clock
    from collector.timewindow import Trimmer

    utc = timezone.utc
    header = (b"Genesys SIP Server, version 8.1.199.01\nApplication name:   SIPS_P\n"
              b"Local time:         2026-11-20T10:00:00.000\nStart time (UTC):   2026-11-20T10:00:00.000\n"
              b"Time zone:          0\n")
    name, start, lines = "SIPS_P.20261120_100000_000.log", datetime(2026, 11, 20, 10), []
    for i in range(3 * 48):                                       # three days, a record every 30 minutes
        moment = start + timedelta(minutes=30 * i)
        lines.append(b"%s Std 09900 tick\n" % moment.strftime("%H:%M:%S.000").encode())
        if moment == datetime(2026, 11, 22, 14):
            lines.append(b"@14:01:00.0000 [0] 8.1 distribute_event: message EventRinging\n"
                         b"\tAttributeConnID\t007b02aa3c1f0011\n")
    data = header + b"".join(lines)
    window = Window(datetime(2026, 11, 21, 10, 15, tzinfo=utc), datetime(2026, 11, 23, 9, tzinfo=utc))
    trimmer = Trimmer(window, file_name=name, head=data, mtime=0.0)
    call = CallFilter(frozenset({b"007b02aa3c1f0011"}), clock=segment_clock(name, data, 0.0).context,
                      first_seen=lambda: trimmer.kept_first)
    out = call.feed(trimmer.feed(data) + trimmer.finish()) + call.finish()
    assert b"EventRinging" in out and call.kept == 1
    assert call.kept_first == call.kept_last == datetime(2026, 11, 22, 14, 1, tzinfo=utc)
    whole = CallFilter(frozenset({b"007b02aa3c1f0011"}), clock=segment_clock(name, data, 0.0).context)
    run(whole, data, 4096)                                        # no window: dated from the header on
    assert whole.kept_first == datetime(2026, 11, 22, 14, 1, tzinfo=utc)
