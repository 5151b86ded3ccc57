"""The main process does not keep one object per collected file: member results wait on disk
(MemberLog) and manifest.json's entries are made one at a time while it is written."""

from __future__ import annotations

import gc
import json

import pytest

from collector import api
from collector.bundlereader import iter_members
from collector.model import MemberResult
from collector.settings import RunSettings

pytestmark = pytest.mark.integration


def test_results_of_many_files_are_not_all_in_memory_at_the_end(tmp_path) -> None:
    from collector.testhost import generate_host

    root = tmp_path / "host"
    root.mkdir()
    generate_host(root, products=["sip-server", "config-server"], days=0.5, seed=4, segment_kb=16)
    settings = RunSettings(output_dir=tmp_path / "out", state_dir=tmp_path / "state", host_name="h1",
                           workers=2, low_priority=False)
    seen: dict[str, int] = {}

    def report(manifest: dict) -> dict[str, bytes]:
        """Called with the finished manifest: every member is in by now."""
        gc.collect()
        seen["live_results"] = sum(isinstance(o, MemberResult) for o in gc.get_objects())
        seen["entries"] = sum(1 for f in manifest["files"] if f.get("kind") not in ("facts", "report"))
        return {"report.txt": b"x"}

    request = api.CollectRequest(root=root, settings=settings, extra_files=report)
    _, result = api.collect(request)
    assert len(result.members) > 200
    assert seen["entries"] == len(result.members)
    assert seen["live_results"] <= 2, seen                    # one being read at most, never all
    members = dict(iter_members(result.bundle.path))
    entries = json.loads(members["manifest.json"])["files"]
    listed = {f["path"]: f for f in entries if f.get("kind") not in ("facts", "report")}
    for m in result.members:                                 # read back from disk, in arrival order
        assert listed[m.host_path]["sha256"] == m.sha256 and listed[m.host_path]["size_out"] == m.size_out
    assert sorted(listed) == sorted(m.host_path for m in result.members)
    assert [f["path"] for f in entries if f.get("kind") == "report"] == ["report.txt"]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="forked workers only")
def test_forked_workers_do_not_walk_the_main_process_objects(tmp_path) -> None:
    """Objects inherited from the main process are frozen (a worker's collections skip them, so
    their pages stay shared); the main process unfreezes when the pool closes."""
    from collector.member import WorkerConfig
    from collector.model import Window
    from collector.pipeline import _Workers

    config = WorkerConfig(tmp_path, "tar.gz", None, b"k" * 32, tmp_path / "t.db", (), Window(), 65536)
    settings = RunSettings(output_dir=tmp_path, state_dir=tmp_path, host_name="h1", workers=2, low_priority=False)
    workers = _Workers(config, settings, members=10)
    try:
        assert workers.pool is not None
        frozen_in_worker = workers.pool.submit(gc.get_freeze_count).result(timeout=60)
        assert frozen_in_worker > 1000
    finally:
        workers.close()
    assert gc.get_freeze_count() == 0


_RUN_AND_LIST_IMPORTS = """
import sys
from collector.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print("IMPORTED", sorted({m.split(".")[0] for m in sys.modules}), "EXIT", code)
"""


def test_a_run_with_remembered_checks_does_not_import_jsonschema(tmp_path) -> None:
    """Profiles and rule sets that passed their checks before are not checked again, so the
    main process (and every worker forked from it) is spared jsonschema: 6 MB each. The first
    run makes the state folder, and already the second is spared."""
    import subprocess
    import sys

    from collector.testhost import generate_host

    root = tmp_path / "host"
    root.mkdir()
    generate_host(root, products=["sip-server"], days=0.2, seed=5, segment_kb=16)
    state = tmp_path / "var" / "gcollect"           # a host's first run: no state folder yet

    def run(out: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _RUN_AND_LIST_IMPORTS, "collect", "--root", str(root), "--output",
             str(tmp_path / out), "--state-dir", str(state), "--quiet", "--host-name", "h1", "--workers", "2"],
            capture_output=True, text=True, timeout=300)
        line = done.stdout.strip().splitlines()[-1]
        assert line.endswith("EXIT 0"), done.stdout + done.stderr
        return eval(line.split("IMPORTED ", 1)[1].rsplit(" EXIT", 1)[0])   # noqa: S307 - our own output

    assert "jsonschema" in run("first")               # nothing remembered yet: every check runs
    assert (state / "rule-sets-checked.json").is_file() and (state / "profiles-checked.json").is_file()
    assert state.stat().st_mode & 0o777 == 0o700
    assert "jsonschema" not in run("second")
    assert len(list((tmp_path / "second").glob("*.tar.gz"))) == 1
