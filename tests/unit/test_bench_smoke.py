"""Smoke test of bench/run.py: a ~5 MB tree, one round, sos clean skipped; checks the JSON shape."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("zstd") is None or not Path("/usr/bin/time").exists(),
                       reason="needs zstd and /usr/bin/time (apt-get install -y zstd time)"),
]


def test_bench_runs_and_writes_the_promised_json(tmp_path):
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--size", "5M", "--rounds", "1", "--skip-sos",
         "--out", str(out), "--workdir", str(tmp_path)],
        cwd=REPO, capture_output=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    data = json.loads(out.read_text())
    assert set(data) >= {"meta", "runs", "sos", "leaks", "profile", "summary"}
    assert data["meta"]["tree_bytes"] > 3_000_000 and data["meta"]["loadavg_start"]
    assert data["sos"] is None
    tools = {r["tool"] for r in data["runs"]}
    assert tools == {"gcollect-tar.gz", "gcollect-tar.zst", "tar|zstd-3-T0", "tar|gzip-1"}
    for run in data["runs"]:
        assert run["returncode"] in (0, 1), run
        for key in ("wall_s", "mb_per_s", "cpu_s", "peak_rss_single_mb", "peak_rss_tree_sum_mb", "output_bytes"):
            assert isinstance(run[key], (int, float)), (run["tool"], key)
        assert run["wall_s"] > 0 and run["output_bytes"] > 0
    for tool in ("gcollect-tar.gz", "gcollect-tar.zst"):
        row = data["summary"]["tools"][tool]
        assert row["ratio_to_tar_zstd"] > 0 and row["mb_per_s"] > 0
        leaks = data["leaks"][tool]
        assert leaks["distinct_secrets_planted"] > 0
        assert set(leaks["keep"]) >= {"connid", "calluuid", "agent_dn", "ip", "sip_call_id", "byte_count"}
        assert all("found" in v and "planted" in v for v in leaks["secrets"].values())
    assert data["summary"]["tools"]["tar|zstd-3-T0"]["ratio_to_tar_zstd"] == 1.0
    goals = {g["goal"]: g["pass"] for g in data["summary"]["goals"]}
    assert any("sos" in g and ok is None for g, ok in goals.items())     # skipped, so not judged
    assert any("tar.zst" in g and "0.5x" in g for g in goals)
    assert not list(tmp_path.glob("gcbench-*"))                          # scratch folder removed
