"""A host with thousands of old log segments and a short window: the segments left out are one
entry per stream in manifest.json, report.html, ``gcollect inspect`` and ``--dry-run``, counted
as files everywhere."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from collector.bundlereader import iter_members
from tests.cli.conftest import run_gcollect

pytestmark = pytest.mark.integration

APP_LOGS = "var/log/genesys/SIPS_P"
OLD = 400
FIRST = datetime(2020, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def host_with_old_segments(tmp_path_factory) -> Path:
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("many-skipped") / "host"
    root.mkdir()
    generate_host(root, products=("sip-server",), days=0.2, seed=5)
    for i in range(OLD):                                 # four years ago, one every 10 minutes
        start = FIRST + timedelta(minutes=10 * i)
        path = root / APP_LOGS / f"SIPS_P.{start:%Y%m%d_%H%M%S}_000.log"
        path.write_text(f"Application name: SIPS_P\nStart time (UTC):   {start:%Y-%m-%dT%H:%M:%S}.000\n"
                        f"{start:%H:%M:%S}.000 Std 09900 started\n")
        os.utime(path, (start.timestamp() + 600, start.timestamp() + 600))
    return root


def test_old_segments_are_one_entry(host_with_old_segments: Path, tmp_path: Path) -> None:
    root = host_with_old_segments
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--since", "2h", "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    report = json.loads(proc.stdout)
    members = dict(iter_members(Path(report["bundle"])))
    manifest = json.loads(members["manifest.json"])
    grouped = [s for s in manifest["skipped"] if s.get("files", 1) > 1]
    assert [s["path"] for s in grouped] == [f"{APP_LOGS}/SIPS_P.*"]
    group = grouped[0]
    assert group["reason"] == "outside window" and group["files"] >= OLD
    assert group["names"][0] == "SIPS_P.20200101_000000_000.log"
    assert group["modified"][0] == "2020-01-01T00:10:00Z"
    assert not any(s["path"].startswith(f"{APP_LOGS}/SIPS_P.2020") for s in manifest["skipped"])
    counted = sum(s.get("files", 1) for s in manifest["skipped"])
    assert manifest["totals"]["skipped"] == report["skipped"] == counted
    assert len(members["manifest.json"]) < 100_000 and len(members["report.html"]) < 100_000
    html = members["report.html"].decode()
    assert f"{APP_LOGS}/SIPS_P.* ({group['files']:,} files, SIPS_P.20200101_000000_000.log to " in html

    shown = run_gcollect("inspect", report["bundle"])
    assert shown.returncode == 0, shown.stderr.decode()
    assert f"Skipped ({counted})" in shown.stdout.decode()
    assert f"{APP_LOGS}/SIPS_P.* ({group['files']:,} files" in shown.stdout.decode()


def test_dry_run_shows_the_entry(host_with_old_segments: Path, tmp_path: Path) -> None:
    proc = run_gcollect("collect", "--root", str(host_with_old_segments), "--state-dir", str(tmp_path / "state"),
                        "--since", "2h", "--dry-run")
    assert proc.returncode == 0, proc.stderr.decode()
    lines = [line for line in proc.stdout.decode().splitlines() if "SIPS_P.2020" in line or "SIPS_P.*" in line]
    assert len(lines) == 1 and lines[0].startswith(f"  skip /{APP_LOGS}/SIPS_P.* (")
    assert lines[0].endswith(": outside window")
    as_json = run_gcollect("collect", "--root", str(host_with_old_segments), "--state-dir", str(tmp_path / "state"),
                           "--since", "2h", "--dry-run", "--json")
    skipped = json.loads(as_json.stdout)["skipped"]
    assert sum(s.get("files", 1) for s in skipped) >= OLD
    assert len(skipped) < 40
