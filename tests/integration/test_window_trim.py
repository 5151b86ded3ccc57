"""A one-hour window on a host holding three days of logs (issue 3's check).

Every record inside the window is in the bundle, no record more than one segment-length
outside it is, and the SIP Server part of the bundle is at most 1.2x the bytes of the
in-window records.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from collector.bundlereader import iter_members
from collector.timeformats import parse_record_time, segment_clock
from tests.cli.conftest import run_gcollect

pytestmark = pytest.mark.integration


def records(name: str, data: bytes, mtime: float):
    """(time, bytes) of each timestamp-led record after the header; continuation lines attached."""
    clock = segment_clock(name, data[:16384], mtime)
    context = clock.context
    out: list[list] = []
    for line in data[clock.header_end:].splitlines(keepends=True):
        moment = parse_record_time(line, context)
        if moment is not None:
            out.append([moment, len(line)])
        elif out:
            out[-1][1] += len(line)
    return out


@pytest.fixture(scope="module")
def three_days(tmp_path_factory):
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("window") / "host"
    root.mkdir()
    end = datetime(2025, 11, 19, 18, 0, tzinfo=timezone.utc)
    ledger = generate_host(root, products=("sip-server", "urs"), days=3.0, end=end, segment_kb=256, seed=5)
    return root, ledger, end


def test_one_hour_window_on_three_days(three_days, tmp_path):
    root, ledger, end = three_days
    since = end - timedelta(hours=30)
    until = since + timedelta(hours=1)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--since", since.isoformat(), "--until", until.isoformat(),
                        "--json", "--profile", "sip-server")
    assert proc.returncode in (0, 30), proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    manifest = json.loads(members["manifest.json"])

    # the longest segment duration, from the ledger's first/last record times per file
    spans = [datetime.fromisoformat(b) - datetime.fromisoformat(a) for a, b in ledger.windows.values()]
    segment_length = max(spans)

    in_window_bytes = 0
    wanted: dict[str, int] = {}
    for path in sorted((root / "var/log/genesys/SIPS_P").glob("*.log")):
        rel = path.relative_to(root).as_posix()
        inside = [r for r in records(path.name, path.read_bytes(), path.stat().st_mtime) if since <= r[0] <= until]
        in_window_bytes += sum(size for _, size in inside)
        if inside:
            wanted[rel] = len(inside)
    assert wanted, "the generated host has records in the window"

    stored_bytes = 0
    for entry in manifest["files"]:
        if entry.get("product") != "sip-server" or entry.get("kind") != "log":
            continue
        data = members[entry["path"]]
        stored_bytes += len(data)
        got = records(Path(entry["path"]).name, data, (root / entry["path"]).stat().st_mtime)
        for moment, _ in got:       # nothing more than one segment-length outside the window
            assert since - segment_length <= moment <= until + segment_length, (entry["path"], moment)
        inside = sum(1 for moment, _ in got if since <= moment <= until)
        assert inside == wanted.get(entry["path"], 0), entry["path"]
    assert set(wanted) <= {e["path"] for e in manifest["files"]}, "every file with in-window records is in"
    print(f"\nSIP Server part: {stored_bytes} bytes stored for {in_window_bytes} bytes of in-window records")
    assert stored_bytes <= 1.2 * in_window_bytes, (stored_bytes, in_window_bytes)
    kept = [e for e in manifest["files"] if e.get("kept_first")]
    assert kept, "the manifest records the kept time range of trimmed files"
