"""End to end on a small tree: Java products found by a marker file only (no ``[log]`` base known)
still get their rotated logs (log4j/logback ``name.log.N``, ``name.log.<date>``,
``name.<date>[.N].log.gz``, Jetty ``<yyyy_mm_dd>.request.log.gz``), chosen by the window like any
other rotation; a file in such a log folder that no pattern takes is listed as skipped, not
silently left behind (probeL finding 5)."""

from __future__ import annotations

import gzip
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from collector.bundlereader import iter_members
from tests.cli.conftest import run_gcollect
from tests.hostfs import put

UTC = timezone.utc
PULSE = "opt/genesys/pulse/logs"
GIM = "opt/genesys/GIM/logs"
JETTY = "var/log/jetty9"
END_OF_4TH = datetime(2024, 3, 4, 23, 59, tzinfo=UTC)
END_OF_3RD = datetime(2024, 3, 3, 23, 59, tzinfo=UTC)
NOON_5TH = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)

CURRENT = (f"{PULSE}/pulse.log", f"{GIM}/gim_etl.log", f"{JETTY}/cloud.log")
# host path -> the path it is stored under (a .gz rotation is stored decompressed)
ROTATED_ON_THE_4TH = {
    f"{PULSE}/pulse.log.1": f"{PULSE}/pulse.log.1",
    f"{PULSE}/pulse.log.2024-03-04": f"{PULSE}/pulse.log.2024-03-04",
    f"{GIM}/gim_etl.log.1": f"{GIM}/gim_etl.log.1",
    f"{JETTY}/cloud.2024-03-04.0.log.gz": f"{JETTY}/cloud.2024-03-04.0.log",
    f"{JETTY}/2024_03_04.request.log.gz": f"{JETTY}/2024_03_04.request.log",
}
ROTATED_ON_THE_3RD = f"{PULSE}/pulse.2024-03-03.log.gz"
STRAY = f"{PULSE}/pulse-gc.txt"          # in the log folder, a name no Pulse pattern takes


def _record(day: int, text: str) -> bytes:
    return f"2024-03-0{day} 10:00:00,000 INFO  [main] c.g.Service - {text}\n".encode()


def make_tree(root: Path) -> None:
    """Pulse, GIM and GWS, each found by a marker only, with their current and rotated logs."""
    put(root, "opt/genesys/pulse/pulse.jar", b"PK")
    put(root, "opt/genesys/GIM/gim_etl_server", b"#!/bin/sh\n")
    put(root, f"{PULSE}/pulse.log", _record(5, "pulse current"), NOON_5TH)
    put(root, f"{PULSE}/pulse.log.1", _record(4, "pulse fixed window"), END_OF_4TH)
    put(root, f"{PULSE}/pulse.log.2024-03-04", _record(4, "pulse daily"), END_OF_4TH)
    put(root, ROTATED_ON_THE_3RD, gzip.compress(_record(3, "pulse daily gz")), END_OF_3RD)
    put(root, STRAY, b"[GC (Allocation Failure) 1024K->512K(2048K), 0.001 secs]\n", NOON_5TH)
    put(root, f"{GIM}/gim_etl.log", _record(5, "gim current"), NOON_5TH)
    put(root, f"{GIM}/gim_etl.log.1", _record(4, "gim rotated"), END_OF_4TH)
    put(root, f"{JETTY}/cloud.log", _record(5, "cloud current"), NOON_5TH)
    put(root, f"{JETTY}/cloud.2024-03-04.0.log.gz", gzip.compress(_record(4, "cloud rotated")), END_OF_4TH)
    put(root, f"{JETTY}/2024_03_04.request.log.gz",
        gzip.compress(b'192.0.2.7 - - [04/Mar/2024:10:00:00 +0000] "GET /api/v2/me HTTP/1.1" 200 120\n'), END_OF_4TH)


def copied(root: Path) -> None:
    """Every file last written when the tree was copied (``scp -r``, ``cp -r``), two days later."""
    when = datetime(2024, 3, 6, 8, 0, tzinfo=UTC).timestamp()
    for path in root.rglob("*"):
        os.utime(path, (when, when))


def collect(tmp_path: Path, *extra: str, copy: bool = False):
    root = tmp_path / "host"
    if not root.exists():
        make_tree(root)
        if copy:
            copied(root)
    return run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--priority", "normal", *extra)


def _bundle(proc) -> dict[str, bytes]:
    assert proc.returncode == 0, proc.stderr.decode()
    return dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))


def test_without_a_window_every_rotation_is_collected(tmp_path: Path) -> None:
    members = _bundle(collect(tmp_path, "--json"))
    for host_path in CURRENT:
        assert members[host_path] == (tmp_path / "host" / host_path).read_bytes()
    for host_path, stored in ROTATED_ON_THE_4TH.items():
        raw = (tmp_path / "host" / host_path).read_bytes()
        assert members[stored] == (gzip.decompress(raw) if host_path.endswith(".gz") else raw), host_path
    assert members[ROTATED_ON_THE_3RD[:-3]] == _record(3, "pulse daily gz")


@pytest.mark.parametrize("copy", [False, True], ids=["as-written", "copied"])
def test_a_window_on_the_4th_takes_that_days_rotations_only(tmp_path: Path, copy: bool) -> None:
    """A copy's mtimes say nothing: a name that gives the day (``pulse.log.2024-03-04``,
    ``pulse.2024-03-03.log.gz``) bounds the file to that day, as it does uncompressed."""
    proc = collect(tmp_path, "--json", "--since", "2024-03-04T09:00:00Z", "--until", "2024-03-04T11:00:00Z",
                   copy=copy)
    members = _bundle(proc)
    assert set(ROTATED_ON_THE_4TH.values()) <= set(members)
    assert not {ROTATED_ON_THE_3RD, ROTATED_ON_THE_3RD[:-3], *CURRENT} & set(members)
    skipped = {s["path"]: s["reason"] for s in json.loads(members["manifest.json"])["skipped"]}
    for host_path in (ROTATED_ON_THE_3RD, *CURRENT):
        assert skipped[host_path] == "outside window", host_path


def test_a_file_in_the_log_folder_that_no_pattern_takes_is_listed_as_skipped(tmp_path: Path) -> None:
    dry = collect(tmp_path, "--dry-run")
    assert dry.returncode == 0, dry.stderr.decode()
    out = dry.stdout.decode()
    stray = [line for line in out.splitlines() if STRAY in line]
    assert len(stray) == 1 and "no pattern of pulse" in stray[0], out
    members = _bundle(collect(tmp_path, "--json"))
    skipped = {s["path"]: s["reason"] for s in json.loads(members["manifest.json"])["skipped"]}
    assert "no pattern of pulse" in skipped[STRAY] and STRAY not in members
