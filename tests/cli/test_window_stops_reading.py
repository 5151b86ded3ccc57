"""A short window in a big segment: the segment is read up to a little past the window's end,
not to its end (probe K: a 1-hour window read all 2.9 GB of a 30-hour segment and left it in
the page cache). The records kept are the same as if every byte had been read."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from collector.timewindow import PAST_WINDOW_MARGIN
from tests.cli.conftest import run_gcollect
from tests.cli.test_collect_time_zones import kept_utc, sip_segment

UTC = timezone.utc


def test_a_short_window_stops_reading_a_big_segment_after_the_window(tmp_path: Path) -> None:
    root = tmp_path / "host"
    start = datetime(2024, 1, 10, 8, 0, tzinfo=UTC)
    path = sip_segment(root, start, start + timedelta(hours=96), step=timedelta(seconds=1))
    size = (root / path).stat().st_size
    assert size > 12_000_000
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--since", "2024-01-10 03:10", "--until", "2024-01-10 03:20",
                        "--json", "--quiet", "--priority", "normal", env={"TZ": "America/New_York"})
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    kept = kept_utc(members, path)
    # every record of the window, one a second, and nothing else
    assert kept[0] == "08:10Z" and kept[-1] == "08:20Z" and len(kept) == 601, (kept[:2], kept[-2:], len(kept))
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"] == path)
    assert entry["kept_first"] == "2024-01-10T08:10:00+00:00" and entry["kept_last"] == "2024-01-10T08:20:00+00:00"
    read_to = entry["source_range"][1]
    assert entry["source_range"][0] == 0 and entry["source_size"] == size
    assert read_to < size // 4, f"read {read_to} of {size} bytes for a 10-minute window"
    assert PAST_WINDOW_MARGIN >= 3600 * 1_000_000
