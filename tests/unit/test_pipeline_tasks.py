"""How the plan's files are grouped into the worker pool's tasks (pure logic)."""

from __future__ import annotations

from pathlib import Path

from collector.model import Candidate
from collector.pipeline import _TASK_BYTES, _TASK_FILES, _tasks


def candidate(name: str, size: int, tail: int | None = None) -> Candidate:
    return Candidate(source=Path("/h") / name, host_path=name, product="sip-server", installation="SIPS_P",
                     spec_id="segments", kind="log", size=size, mtime=0.0, tail_bytes=tail)


def test_big_files_go_alone_and_small_ones_together_in_plan_order() -> None:
    big = [candidate(f"big{i}", _TASK_BYTES + i) for i in range(3)]
    tailed = [candidate("tailed", 50 * _TASK_BYTES, tail=_TASK_BYTES // 2)]     # reads its tail only
    small = [candidate(f"small{i:03d}", 4096) for i in range(2 * _TASK_FILES + 5)]
    plan = big + tailed + small
    tasks = list(_tasks(plan))
    assert [c for task in tasks for c in task] == plan                 # every file once, in order
    assert tasks[:3] == [(big[0],), (big[1],), (big[2],)]
    assert tasks[3][0] is tailed[0] and len(tasks[3]) == _TASK_FILES   # its tail is small: grouped
    assert [len(t) for t in tasks[4:]] == [_TASK_FILES, 6]
    for task in tasks:
        reads = sum(c.tail_bytes if c.tail_bytes is not None else c.size for c in task)
        assert len(task) == 1 or (reads <= _TASK_BYTES and len(task) <= _TASK_FILES)


def test_a_task_stops_before_the_file_that_would_take_it_over_the_byte_limit() -> None:
    third = _TASK_BYTES // 3
    plan = [candidate(f"f{i}", third) for i in range(7)]
    assert [len(t) for t in _tasks(plan)] == [3, 3, 1]
    assert list(_tasks([])) == []


def test_small_gz_rotations_under_a_per_file_cap_are_grouped_as_small_files() -> None:
    """A .gz under --max-file-size carries the cap as its tail (the cap counts its text); a
    20 KB rotation is still a small file to read, not a cap-sized task of its own (review)."""
    plan = [candidate(f"SIPS_P.2026112{i}_000000_000.log.gz", 20_000, tail=16 << 20) for i in range(10)]
    assert [len(t) for t in _tasks(plan)] == [10]
