"""NewestBytes (--max-file-size after the window cut): the header and the newest records, from a
record start; its end is handed on in pieces, so a cap of gigabytes is never one buffer."""

from __future__ import annotations

import pytest

import collector.newestbytes as newestbytes
from collector.newestbytes import DRAIN_BYTES, NewestBytes

HEADER = b"Genesys SIP Server, version 8.1\nApplication name:  SIPS_P\n"


def records(count: int) -> bytes:
    return b"".join(b"10:%02d:%02d.000 Std 09900 record %06d\n\tcontinuation\n" % (i // 60 % 60, i % 60, i)
                    for i in range(count))


def run(stage: NewestBytes, data: bytes, chunk: int = 4096) -> tuple[bytes, list[bytes]]:
    out = b"".join(stage.feed(data[i:i + chunk]) for i in range(0, len(data), chunk))
    pieces = list(stage.drain())
    return out + b"".join(pieces), pieces


@pytest.mark.parametrize("spill", [False, True], ids=["in-memory", "spilled"])
def test_keeps_the_header_and_the_newest_records_from_a_record_start(monkeypatch, tmp_path, spill) -> None:
    if spill:
        monkeypatch.setattr(newestbytes, "SPILL_BYTES", 1000)
    body = records(3000)
    stage = NewestBytes(len(HEADER) + 5000, header=HEADER, tmp_dir=tmp_path)
    out, _ = run(stage, HEADER + body)
    kept = out[len(HEADER):]
    assert out.startswith(HEADER) and body.endswith(kept)
    assert 5000 - 60 < len(kept) <= 5000 and kept[:2].isdigit()          # from a record start
    assert stage.cut and stage.bytes_dropped == len(body) - len(kept)
    assert stage.first_kept == kept.split(b"\n", 1)[0]


def test_a_large_cap_is_handed_on_in_pieces(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(newestbytes, "SPILL_BYTES", 1 << 20)
    body = records(200_000)                                # about 8 MB
    limit = 3 * DRAIN_BYTES + 12345
    stage = NewestBytes(limit, tmp_dir=tmp_path)
    out, pieces = run(stage, body, chunk=1 << 20)
    assert len(pieces) >= 4 and max(len(p) for p in pieces) <= DRAIN_BYTES
    assert body.endswith(out) and limit - 60 < len(out) <= limit and out[:2].isdigit()
    assert list(tmp_path.iterdir()) == []                 # the spill file is gone


def test_nothing_dropped_keeps_everything() -> None:
    body = records(10)
    stage = NewestBytes(10_000, header=HEADER)
    out, _ = run(stage, HEADER + body, chunk=7)
    assert out == HEADER + body and not stage.cut and stage.bytes_dropped == 0


@pytest.mark.parametrize("limit", range(5, 52))
def test_text_without_records_is_cut_at_a_line_start_never_mid_line(limit) -> None:
    """A capped .gz of a config or a log with no stamps: the kept text starts at a line start. It
    once started at any byte (the search for a line start found the newline it had put in front
    itself), so the cut could fall inside a key (ssword=hunter3) and no rule saw a password."""
    body = b"line one password=hunter2\nline two password=hunter3\n"
    stage = NewestBytes(limit)
    out, _ = run(stage, body, chunk=7)
    assert out in (b"", b"line two password=hunter3\n", body)
    assert stage.bytes_dropped == len(body) - len(out)


def test_a_line_longer_than_a_drain_piece_is_not_kept_as_a_fragment(tmp_path) -> None:
    body = b"x" * (3 * DRAIN_BYTES) + b"password=hunter2\n" + records(3)
    stage = NewestBytes(2 * DRAIN_BYTES + len(records(3)), tmp_dir=tmp_path)
    out, _ = run(stage, body, chunk=1 << 20)
    assert out == records(3) and stage.cut
