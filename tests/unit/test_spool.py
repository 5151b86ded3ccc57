"""Spool records, listing and retention (oldest first, the queue stays a suffix)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from collector.spool import (Retention, choose_deletions, describe, list_spool, mark_uploaded, new_record,
                             record_path, remove_bundle, write_record)
from collector.state import StateDelta


def _bundle(spool: Path, seq: int, *, age_s: float = 0, size: int = 1000, root: str = "/r"):
    created = datetime.now(timezone.utc) - timedelta(seconds=age_s)
    bundle = spool / f"gcollect-h-nocase-{seq:04d}.tar.gz"
    bundle.write_bytes(b"x" * size)
    (spool / (bundle.name + ".sha256")).write_text("0" * 64 + "  " + bundle.name + "\n")
    record = new_record(seq=seq, bundle=bundle, size=size, sha256="0" * 64, created=created, since=None,
                        root=root, host="h", files=1, bytes_in=size, delta=StateDelta())
    return write_record(bundle, record)


def test_list_is_ordered_by_seq_and_ignores_foreign_files(tmp_path: Path) -> None:
    for seq in (3, 1, 2):
        _bundle(tmp_path, seq)
    _bundle(tmp_path, 9, root="/other")
    (tmp_path / "gcollect-h-nocase-manual.tar.gz").write_bytes(b"not a snapshot")
    (tmp_path / "junk.state.json").write_text("{not json")
    entries = list_spool(tmp_path, "/r")
    assert [e.seq for e in entries] == [1, 2, 3]
    assert all(e.bundle_intact() for e in entries)
    assert len(list_spool(tmp_path)) == 4


def test_keep_deletes_oldest_first(tmp_path: Path) -> None:
    entries = [_bundle(tmp_path, s) for s in range(1, 6)]
    doomed = choose_deletions(entries, Retention(keep=2))
    assert [e.seq for e in doomed] == [1, 2, 3]


def test_max_age_and_max_disk(tmp_path: Path) -> None:
    entries = [_bundle(tmp_path, 1, age_s=8 * 86400), _bundle(tmp_path, 2, age_s=86400),
               _bundle(tmp_path, 3, age_s=60)]
    assert [e.seq for e in choose_deletions(entries, Retention(max_age=7 * 86400))] == [1]
    usage = {e.bundle: 1000 for e in entries}
    assert [e.seq for e in choose_deletions(entries, Retention(max_disk=2500), usage=usage)] == [1]
    assert [e.seq for e in choose_deletions(entries, Retention(max_disk=999), usage=usage,
                                            protect={entries[2].bundle})] == [1, 2]


def test_nothing_to_delete_within_limits(tmp_path: Path) -> None:
    entries = [_bundle(tmp_path, s) for s in range(1, 3)]
    assert choose_deletions(entries, Retention(keep=5, max_age=3600, max_disk=10**9)) == []
    assert choose_deletions([], Retention(keep=1)) == []


def test_remove_bundle_takes_companions_and_record_last(tmp_path: Path) -> None:
    entry = _bundle(tmp_path, 1)
    (tmp_path / (entry.bundle.name + ".upload.json")).write_text("{}")
    remove_bundle(entry)
    assert list(tmp_path.iterdir()) == []


def test_mark_uploaded_is_recorded_and_listed(tmp_path: Path) -> None:
    entry = _bundle(tmp_path, 1)
    _bundle(tmp_path, 2)
    mark_uploaded(entry, "sftp://h/in/", {"sha256": "0" * 64})
    entries = list_spool(tmp_path, "/r")
    assert entries[0].uploaded and not entries[1].uploaded
    lines = describe(entries, committed_seq=1)
    assert "uploaded" in lines[0] and "queued" in lines[1]
    summary = entries[1].summary(committed_seq=1)
    assert summary["queued"] and summary["present"] and summary["size"] == 1000
    assert record_path(entry.bundle).exists()
    assert time.time() - entries[0].created.timestamp() < 60
