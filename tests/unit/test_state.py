"""Per-file snapshot state: decisions for unchanged, grown, rotated, renamed, truncated files;
atomic writes; the snapshot lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from collector.errors import BadInput, Locked
from collector.lock import SnapshotLock
from collector.model import Candidate
from collector.state import (SnapshotState, StateDelta, atomic_write_json, classify, entry_after_read,
                             load_state, save_state, state_file)


def _candidate(root: Path, rel: str, kind: str = "log") -> Candidate:
    source = root / rel
    st = source.stat()
    return Candidate(source=source, host_path=rel, product="sip-server", installation="SIPS_P",
                     spec_id="logs", kind=kind, size=st.st_size, mtime=st.st_mtime)


def _collected(root: Path, rel: str, state: SnapshotState, kind: str = "log") -> SnapshotState:
    """The state after a snapshot read ``rel`` up to its last newline."""
    source = root / rel
    st = source.stat()
    data = source.read_bytes()
    end = data.rfind(b"\n") + 1 if kind == "log" else len(data)
    entry = entry_after_read(host_path=rel, kind=kind, device=st.st_dev, inode=st.st_ino,
                             source_size=st.st_size, mtime=st.st_mtime, end_offset=end, source=source,
                             previous=None)
    return state.apply(StateDelta({entry.key: entry}), state.seq + 1, None)


def _decide(root: Path, rel: str, state: SnapshotState, kind: str = "log"):
    candidate = _candidate(root, rel, kind)
    return classify(candidate, os.stat(candidate.source), state, state.by_path())


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.log").write_bytes(b"header line\nline 1\nline 2\n")
    return tmp_path


def test_new_file_is_collected_whole_lines_from_zero(root: Path) -> None:
    decision = _decide(root, "logs/a.log", SnapshotState(str(root)))
    assert decision.action == "full" and decision.reason == "new"
    assert decision.candidate.start_offset == 0 and decision.candidate.whole_lines_only


def test_unchanged_file_is_skipped_without_reading(root: Path) -> None:
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    decision = _decide(root, "logs/a.log", state)
    assert (decision.action, decision.reason) == ("skip", "unchanged")


def test_grown_file_resumes_at_its_offset(root: Path) -> None:
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    before = (root / "logs/a.log").stat().st_size
    with open(root / "logs/a.log", "ab") as f:
        f.write(b"line 3\n")
    decision = _decide(root, "logs/a.log", state)
    assert decision.action == "resume" and decision.candidate.start_offset == before
    assert decision.candidate.whole_lines_only


def test_partial_last_line_waits_for_its_newline(root: Path) -> None:
    with open(root / "logs/a.log", "ab") as f:
        f.write(b"half a li")
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    entry = next(iter(state.files.values()))
    assert entry.offset == entry.size - len(b"half a li")
    assert _decide(root, "logs/a.log", state).action == "skip"          # nothing changed since
    with open(root / "logs/a.log", "ab") as f:
        f.write(b"ne")
    assert _decide(root, "logs/a.log", state).action == "partial-line"  # still no newline
    with open(root / "logs/a.log", "ab") as f:
        f.write(b"\n")
    decision = _decide(root, "logs/a.log", state)
    assert decision.action == "resume" and decision.candidate.start_offset == entry.offset


def test_rotation_by_rename_continues_under_the_new_name(root: Path) -> None:
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    os.rename(root / "logs/a.log", root / "logs/a.1.log")
    (root / "logs/a.log").write_bytes(b"fresh header\n")
    moved = _decide(root, "logs/a.1.log", state)
    assert (moved.action, moved.reason) == ("skip", "unchanged")        # same inode, nothing new
    with open(root / "logs/a.1.log", "ab") as f:
        f.write(b"late line\n")
    moved = _decide(root, "logs/a.1.log", state)
    assert moved.action == "resume" and moved.reason == "renamed from logs/a.log"
    fresh = _decide(root, "logs/a.log", state)
    assert (fresh.action, fresh.reason) == ("full", "rotated")
    assert fresh.candidate.start_offset == 0


def test_truncation_restarts_from_zero(root: Path) -> None:
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    with open(root / "logs/a.log", "r+b") as f:
        f.truncate(0)
        f.write(b"new\n")
    decision = _decide(root, "logs/a.log", state)
    assert (decision.action, decision.reason) == ("full", "truncated")


def test_truncated_and_regrown_past_offset_is_seen_by_its_head(root: Path) -> None:
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    with open(root / "logs/a.log", "r+b") as f:       # copytruncate, then a burst of new lines
        f.truncate(0)
        f.write(b"other header\n" + b"x" * 100 + b"\n")
    decision = _decide(root, "logs/a.log", state)
    assert (decision.action, decision.reason) == ("full", "rewritten")


def test_config_is_collected_whole_only_when_changed(root: Path) -> None:
    (root / "run.sh").write_bytes(b"#!/bin/sh\n./sip_server\n")
    state = _collected(root, "run.sh", SnapshotState(str(root)), kind="config")
    assert _decide(root, "run.sh", state, kind="config").action == "skip"
    (root / "run.sh").write_bytes(b"#!/bin/sh\n./sip_server -app X\n")
    decision = _decide(root, "run.sh", state, kind="config")
    assert decision.action == "full" and not decision.candidate.whole_lines_only


def test_state_round_trip_and_atomic_write(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "logs").mkdir(parents=True)
    (root / "logs" / "a.log").write_bytes(b"one\n")
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    path = state_file(tmp_path, root)
    save_state(path, state)
    again = load_state(path, root)
    assert again.files == state.files and again.seq == state.seq
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert not list(tmp_path.glob(".*.tmp"))
    atomic_write_json(path, {"schema": "something else"})
    with pytest.raises(BadInput, match="unreadable snapshot state"):
        load_state(path, root)


def test_delta_drops_and_updates_apply_in_order(root: Path) -> None:
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    key = next(iter(state.files))
    dropped = state.apply(StateDelta({}, (key,)), 7, "2025-01-01T00:00:00+00:00")
    assert dropped.files == {} and dropped.seq == 7 and dropped.last_until.startswith("2025")
    assert StateDelta.from_json(StateDelta(state.files, ("x",)).to_json()) == StateDelta(state.files, ("x",))


def test_lock_refuses_a_second_holder_and_recovers_from_a_dead_one(tmp_path: Path) -> None:
    with SnapshotLock(tmp_path):
        code = ("import sys; from pathlib import Path; from collector.lock import SnapshotLock\n"
                "from collector.errors import Locked\n"
                "try:\n    SnapshotLock(Path(sys.argv[1]), orphan_wait=0).acquire()\n"
                "except Locked as e:\n    print(e.message); sys.exit(60)\n")
        other = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
        assert other.returncode == 60
        assert f"pid {os.getpid()}" in other.stdout
        with pytest.raises(Locked):
            SnapshotLock(tmp_path, orphan_wait=0).acquire()
    # a holder killed with SIGKILL: the kernel releases its lock
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; from pathlib import Path; from collector.lock import SnapshotLock\n"
                               "SnapshotLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)",
                               str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    lock = SnapshotLock(tmp_path, orphan_wait=0)
    lock.acquire()
    assert lock.holder() == os.getpid()
    lock.release()


def test_the_plans_stat_decides_like_a_fresh_one(root: Path) -> None:
    from dataclasses import replace

    from collector.state import planned_stat

    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    with open(root / "logs" / "a.log", "ab") as f:
        f.write(b"line 3\n")
    candidate = _candidate(root, "logs/a.log")
    assert planned_stat(candidate) is None                     # built by hand: no identity
    st = os.stat(candidate.source)
    planned = replace(candidate, device=st.st_dev, inode=st.st_ino)
    assert planned_stat(planned) == (st.st_dev, st.st_ino, st.st_size, st.st_mtime)
    fresh = classify(candidate, st, state, state.by_path())
    assert classify(planned, planned_stat(planned), state, state.by_path()) == replace(
        fresh, candidate=replace(fresh.candidate, device=st.st_dev, inode=st.st_ino))
    assert fresh.reason == "grown"


def test_entries_loaded_equal_the_entries_saved(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_bytes(b"x\n")
    state = _collected(tmp_path, "a.log", SnapshotState(str(tmp_path)))
    save_state(tmp_path / "state.json", state)
    loaded = load_state(tmp_path / "state.json", tmp_path)
    assert loaded.files == state.files and loaded == state
    entry = next(iter(loaded.files.values()))
    with pytest.raises(Exception):
        entry.offset = 0                                       # still frozen


def test_a_v1_state_still_loads_and_is_saved_as_rows(tmp_path: Path) -> None:
    """States written before the rows format (files as objects by key) load as they were."""
    import json
    from dataclasses import asdict

    from collector.state import STATE_COLUMNS, STATE_SCHEMA, STATE_SCHEMA_V1

    (tmp_path / "a.log").write_bytes(b"x\n")
    state = _collected(tmp_path, "a.log", SnapshotState(str(tmp_path)))
    v1 = {"schema": STATE_SCHEMA_V1, "root": state.root, "seq": state.seq, "last_until": None,
          "files": {k: asdict(v) for k, v in state.files.items()}}
    path = tmp_path / "state.json"
    atomic_write_json(path, v1)
    assert load_state(path, tmp_path) == state
    save_state(path, state)
    saved = json.loads(path.read_bytes())
    assert saved["schema"] == STATE_SCHEMA and saved["columns"] == list(STATE_COLUMNS)
    assert saved["files"] == [[getattr(e, c) for c in STATE_COLUMNS] for e in state.files.values()]


@pytest.mark.parametrize("damage", [
    lambda d: d["files"].append([1, 2]),                       # short row
    lambda d: d["files"].append("row"),                        # not a row
    lambda d: d["files"][0].__setitem__(1, "not a device"),    # wrong type
    lambda d: d["files"][0].__setitem__(0, None),              # no path
    lambda d: d["files"][0].__setitem__(6, {"x": 1}),          # a head that is not text
    lambda d: d.__setitem__("columns", ["path"]),              # other columns
    lambda d: d.pop("files"),                                  # no files at all
])
def test_a_damaged_state_is_refused(tmp_path: Path, damage) -> None:
    import json

    (tmp_path / "a.log").write_bytes(b"x\n")
    path = tmp_path / "state.json"
    save_state(path, _collected(tmp_path, "a.log", SnapshotState(str(tmp_path))))
    data = json.loads(path.read_bytes())
    damage(data)
    path.write_text(json.dumps(data))
    with pytest.raises(BadInput, match="move it away"):
        load_state(path, tmp_path)


def test_unchanged_is_classifys_first_answer(root: Path) -> None:
    from collector.state import identity_key, unchanged

    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    st = os.stat(root / "logs" / "a.log")
    key = identity_key(st.st_dev, st.st_ino)
    decision = _decide(root, "logs/a.log", state)
    assert (decision.action, decision.reason) == ("skip", "unchanged")
    assert unchanged(key, st, state) is decision.previous
    with open(root / "logs" / "a.log", "ab") as f:
        f.write(b"line 3\n")
    assert unchanged(key, os.stat(root / "logs" / "a.log"), state) is None
    assert _decide(root, "logs/a.log", state).reason == "grown"


def test_stale_temporaries_of_a_killed_write_are_removed(tmp_path) -> None:
    """A kill during atomic_write_bytes leaves its private folder; during the site key's
    creation, a .NAME.*.tmp file. Both go; nothing else does."""
    from collector.integrity import ATOMIC_DIR_PREFIX
    from collector.state import remove_stale_temporaries

    private = tmp_path / (ATOMIC_DIR_PREFIX + "x1y2")
    private.mkdir()
    (private / "data").write_bytes(b"half")
    (tmp_path / ".site.key.123.456.tmp").write_bytes(b"k")
    (tmp_path / "bundle.tar.gz").write_bytes(b"b")
    (tmp_path / "snapshot-state-1.json").write_bytes(b"{}")
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == sorted([private.name, ".site.key.123.456.tmp"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.tar.gz", "snapshot-state-1.json"]


def _lines(first: int, count: int) -> bytes:
    return b"".join(b"%06d a log line of some length, as Genesys writes them...............\n" % n
                    for n in range(first, first + count))


def test_a_resumed_file_changed_before_its_entry_keeps_the_checked_head(root: Path) -> None:
    """Truncated and regrown between the read and the entry: the entry must not take the new
    file's head (the next run would resume past bytes never collected)."""
    from dataclasses import replace

    source = root / "logs" / "a.log"
    source.write_bytes(b"header one\n" + _lines(0, 10))            # head shorter than 4 KiB
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    with open(source, "ab") as f:
        f.write(_lines(10, 100))
    decision = _decide(root, "logs/a.log", state)
    assert decision.action == "resume"
    st = source.stat()
    end = st.st_size                                               # what the reader collected
    with open(source, "r+b") as f:                                 # copytruncate, then new lines
        f.truncate(0)
        f.write(b"header two\n" + _lines(500, 150))
    entry = entry_after_read(host_path="logs/a.log", kind="log", device=st.st_dev, inode=st.st_ino,
                             source_size=st.st_size, mtime=st.st_mtime, end_offset=end, source=source,
                             previous=decision.previous)
    after = SnapshotState(str(root), 2, {entry.key: entry})
    assert (entry.head, entry.head_len) == (decision.previous.head, decision.previous.head_len)
    again = _decide(root, "logs/a.log", after)
    assert (again.action, again.reason) == ("full", "rewritten")
    # unchanged, the entry takes the longer head
    source.write_bytes(b"header one\n" + _lines(0, 110))
    st = source.stat()
    entry = entry_after_read(host_path="logs/a.log", kind="log", device=st.st_dev, inode=st.st_ino,
                             source_size=st.st_size, mtime=st.st_mtime, end_offset=st.st_size,
                             source=source, previous=replace(decision.previous, device=st.st_dev))
    assert entry.head_len == 4096 and entry.head != decision.previous.head


def _continuation(root: Path, rel: str, state: SnapshotState, truncated=()):
    from collector.state import continuation

    candidate = _candidate(root, rel)
    return continuation(candidate, os.stat(candidate.source), state.by_path(), list(truncated))


def test_compressed_segment_continues_its_plain_entry(root: Path) -> None:
    import gzip

    plain = root / "logs" / "a.log"
    plain.write_bytes(b"header\n" + _lines(0, 80))
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    offset = next(iter(state.files.values())).offset
    packed = gzip.compress(plain.read_bytes() + _lines(80, 3))       # three lines came after
    # gzip is still writing it (x.log is still there): the next run takes it
    (root / "logs" / "a.log.gz").write_bytes(packed[:len(packed) // 3])
    decision = _continuation(root, "logs/a.log.gz", state)
    assert (decision.action, decision.reason) == ("partial-line", "being compressed")
    (root / "logs" / "a.log.gz").write_bytes(packed)
    plain.unlink()
    decision = _continuation(root, "logs/a.log.gz", state)
    assert (decision.action, decision.reason) == ("resume", "compressed from logs/a.log")
    assert decision.candidate.start_offset == offset and not decision.candidate.whole_lines_only
    # all of it was collected: nothing to read, an entry to record
    (root / "logs" / "b.log").write_bytes(b"header b\n" + _lines(0, 80))
    state = _collected(root, "logs/b.log", state)
    (root / "logs" / "b.log.gz").write_bytes(gzip.compress((root / "logs" / "b.log").read_bytes()))
    (root / "logs" / "b.log").unlink()
    decision = _continuation(root, "logs/b.log.gz", state)
    assert decision.action == "skip" and decision.candidate is None
    assert decision.record.path == "logs/b.log.gz" and decision.record.offset == decision.record.size
    # a text shorter than what was collected is not that segment's: collected whole
    (root / "logs" / "b.log.gz").write_bytes(gzip.compress(b"header b\n" + _lines(0, 70)))
    assert _continuation(root, "logs/b.log.gz", state) is None


def test_copytruncate_copy_continues_the_truncated_entry(root: Path) -> None:
    import shutil

    live = root / "logs" / "a.log"
    live.write_bytes(b"header\n" + _lines(0, 80))
    state = _collected(root, "logs/a.log", SnapshotState(str(root)))
    entry = next(iter(state.files.values()))
    with open(live, "ab") as f:
        f.write(_lines(80, 5))
    shutil.copyfile(live, root / "logs" / "a.1.log")
    with open(live, "r+b") as f:
        f.truncate(0)
        f.write(b"header\n")
    assert _decide(root, "logs/a.log", state).reason == "truncated"
    copy = _continuation(root, "logs/a.1.log", state, [entry])
    assert (copy.action, copy.reason) == ("resume", "copied from logs/a.log")
    assert copy.candidate.start_offset == entry.offset
    assert _continuation(root, "logs/a.1.log", state) is None             # not truncated: whole
    other = replace_path(entry, "logs/b.log", inode=entry.inode + 1)       # two would fit: whole
    assert _continuation(root, "logs/a.1.log", state, [entry, other]) is None
    shutil.copyfile(root / "logs" / "a.1.log", root / "logs" / "a.2.log")
    with open(root / "logs" / "a.2.log", "r+b") as f:                     # nothing after the offset
        f.truncate(entry.offset)
    nothing = _continuation(root, "logs/a.2.log", state, [entry])
    assert nothing.action == "skip" and nothing.record.offset == entry.offset


def replace_path(entry, path: str, **changes):
    from dataclasses import replace

    return replace(entry, path=path, **changes)
