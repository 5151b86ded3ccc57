"""The CLI tests' state folders start with the checks of a first run remembered (tests/checked_state.py):
these tests show that the records are the ones gcollect itself keeps, so a seeded run checks nothing
again, and that the seeding leaves alone any state folder a test made itself."""

from __future__ import annotations

import json
from pathlib import Path

from tests.checked_state import RECORDS, seed_checked_state
from tests.cli.conftest import run_gcollect, state_dir_of


def _records(state: Path) -> dict[str, tuple[bytes, int]]:
    return {name: ((state / name).read_bytes(), (state / name).stat().st_mtime_ns) for name in RECORDS}


def test_a_seeded_run_has_nothing_new_to_remember(demo_host, tmp_path: Path) -> None:
    """A run saves a record only when a file passed that it did not hold: after a seeded run both
    records are the same bytes, not rewritten. (A first run writes them: test_pipeline_memory.)"""
    root, _ = demo_host
    state = tmp_path / "state"
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir", str(state),
                        "--quiet", "--workers", "1", "--since", "1h")
    assert proc.returncode == 0, proc.stderr.decode()
    assert state.stat().st_mode & 0o777 == 0o700
    seeded = _records(state)
    again = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "again"), "--state-dir",
                         str(state), "--quiet", "--workers", "1", "--since", "1h")
    assert again.returncode == 0, again.stderr.decode()
    assert _records(state) == seeded


def test_a_first_run_writes_the_records_the_seed_holds(demo_host, tmp_path: Path) -> None:
    """Same key (same code and libraries), and every file the first run checked is in the seed."""
    root, _ = demo_host
    state = tmp_path / "state"
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir", str(state),
                        "--quiet", "--workers", "1", "--since", "1h", first_run=True)
    assert proc.returncode == 0, proc.stderr.decode()
    seeded = tmp_path / "seeded"
    seed_checked_state(seeded)
    for name in RECORDS:
        written, seed = (json.loads((folder / name).read_text()) for folder in (state, seeded))
        assert written["key"] == seed["key"] and written["clean"]
        assert set(written["clean"]) <= set(seed["clean"])


def test_seeding_leaves_existing_paths_and_missing_parents_alone(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir(mode=0o755)
    seed_checked_state(own)
    assert list(own.iterdir()) == [] and own.stat().st_mode & 0o777 == 0o755
    a_file = tmp_path / "file"
    a_file.write_text("x")
    seed_checked_state(a_file)
    assert a_file.read_text() == "x"
    seed_checked_state(tmp_path / "no" / "state")
    assert not (tmp_path / "no").exists()


def test_the_state_folder_is_read_from_the_command_line_or_the_environment() -> None:
    assert state_dir_of(("collect", "--state-dir", "/a"), {"GCOLLECT_STATE_DIR": "/b"}) == Path("/a")
    assert state_dir_of(("collect", "--state-dir=/a"), {}) == Path("/a")
    assert state_dir_of(("collect",), {"GCOLLECT_STATE_DIR": "/b"}) == Path("/b")
    assert state_dir_of(("collect",), {}) is None


def test_a_relative_state_folder_is_seeded_where_gcollect_will_look(tmp_path: Path) -> None:
    from tests.cli.conftest import REPO

    name = f"relative-state-{tmp_path.name}"
    run_gcollect("unmask", "--state-dir", name, "PHONE_abcdefghij", cwd=tmp_path)
    assert (tmp_path / name / RECORDS[0]).is_file()
    assert not (REPO / name).exists()
