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
