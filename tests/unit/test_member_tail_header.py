"""A log the size cap cuts to its tail (no window) keeps its segment header first, as the window
cut does (probeP finding 12): time-only records take their date from ``Local time:`` and
``Time zone:``. After the header, the tail starts at a record (its first timestamp-led line)."""

from __future__ import annotations

from collector import member
from collector.segheader import parse_header
from tests.unit.test_member_text import _candidate, _process, utf16

HEADER = ("Genesys Universal Routing Server, version 8.1.400.56\r\nApplication name:   URS\r\n"
          "Local time:         2025-11-20T10:00:00.000\r\nTime zone:          -3600\r\n"
          "Command line:       ./router -app URS -password HdrPw_9\r\n")
RECORDS = "".join(f"10:{i // 60:02d}:{i % 60:02d}.537 Dbg 20000 event {i}\r\n"
                  f"\tAttributeReferenceID\t{i}\r\n\tAttributeThisDN\t'7001'\r\n" for i in range(300))
LOG = HEADER + RECORDS


def test_a_capped_log_keeps_its_header_then_records(tmp_path) -> None:
    path = tmp_path / "URS.20251120_100000_000.log"
    path.write_bytes(LOG.encode())
    for tail in (2000, 2031, 4096):
        outcome, stored = _process(tmp_path, _candidate(path, tail_bytes=tail), chunk=333)
        assert outcome.excluded is None, outcome.excluded
        head = HEADER.replace("HdrPw_9", "REDACTED").encode()
        assert stored.startswith(head), stored[:300]
        body = stored[len(head):]
        assert body[:3] == b"10:" and b" Dbg 20000 event " in body.split(b"\r\n", 1)[0]
        assert body.endswith(b"\tAttributeThisDN\t'7001'\r\n") and b"HdrPw_9" not in stored
        assert len(stored) <= tail + 200                 # the header counts against the cap
        assert outcome.result.note == "tail of file (size cap), after its segment header"
        assert parse_header(stored).local_time == "2025-11-20T10:00:00.000"


def test_a_cap_that_reaches_into_the_header_never_repeats_it(tmp_path) -> None:
    path = tmp_path / "URS.log"
    records = RECORDS[:RECORDS.rindex("\r\n", 0, 400) + 2]     # whole lines (an unfinished one is left out)
    path.write_bytes((HEADER + records).encode())
    outcome, stored = _process(tmp_path, _candidate(path, tail_bytes=len(records) + 100))
    assert outcome.excluded is None, outcome.excluded
    assert stored.count(b"Application name:") == 1 and stored.startswith(b"Genesys Universal")
    assert stored.endswith(records.encode()[-60:])
    assert stored.count(b" Dbg 20000 event ") >= 1


def test_a_cap_smaller_than_the_header_keeps_the_header(tmp_path) -> None:
    path = tmp_path / "URS.log"
    path.write_bytes(LOG.encode())
    outcome, stored = _process(tmp_path, _candidate(path, tail_bytes=100))
    assert outcome.excluded is None, outcome.excluded
    assert stored == HEADER.replace("HdrPw_9", "REDACTED").encode()


def test_a_capped_utf16_log_keeps_its_header(tmp_path) -> None:
    path = tmp_path / "URS.log"
    path.write_bytes(utf16(LOG))
    outcome, stored = _process(tmp_path, _candidate(path, tail_bytes=3001), chunk=500)
    assert outcome.excluded is None, outcome.excluded
    head = HEADER.replace("HdrPw_9", "REDACTED").encode()
    assert stored.startswith(head) and stored[len(head):len(head) + 3] == b"10:"
    assert outcome.result.note == ("tail of file (size cap), after its segment header; "
                                   "converted from UTF-16LE to UTF-8")


def test_a_log_without_a_header_is_tailed_as_before(tmp_path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(RECORDS.encode())
    outcome, stored = _process(tmp_path, _candidate(path, tail_bytes=1000))
    assert outcome.excluded is None, outcome.excluded
    assert RECORDS.encode().endswith(stored) and len(stored) <= 1000
    assert outcome.result.note == member.TAIL_NOTE
