"""The disk preflight estimates what the window keeps of each file, not whole segments, and its
refusal names the options that get past it (probe K finding 8)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from collector.errors import PreflightFailed
from collector.hostguard import preflight
from collector.model import Candidate, Plan, Window
from tests.hostfs import small_tmpfs

MB = 1 << 20
T0 = datetime(2026, 11, 22, 0, 0, tzinfo=timezone.utc)


def _segment(name: str, start: datetime, hours: int, size: int, trim: bool) -> Candidate:
    return Candidate(source=Path("/nonexistent") / name, host_path=f"var/log/genesys/SIPS_P/{name}",
                     product="sip-server", installation="SIPS_P", spec_id="segments", kind="log", size=size,
                     mtime=(start + timedelta(hours=hours)).timestamp(), start=start,
                     end=start + timedelta(hours=hours), trim=trim)


def _plan(window: Window, *members: Candidate) -> Plan:
    return Plan(root=Path("/"), window=window, installations=(), members=members, skipped=())


def test_a_one_hour_window_of_ten_hour_segments_counts_a_tenth_of_them():
    window = Window(T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    plan = _plan(window, _segment("SIPS_P.a.log", T0, 10, 100 * MB, trim=True),
                 _segment("SIPS_P-768.a.log", T0, 10, 50 * MB, trim=True))
    assert plan.bytes_planned == 150 * MB
    assert 15 * MB <= plan.bytes_kept_estimate <= 16 * MB


def test_a_segment_inside_the_window_counts_whole_and_a_tail_is_a_bound():
    window = Window(T0, T0 + timedelta(hours=20))
    inside = _segment("SIPS_P.b.log", T0, 1, 30 * MB, trim=False)
    assert _plan(window, inside).bytes_kept_estimate == 30 * MB
    tailed = Candidate(**{**{f: getattr(inside, f) for f in Candidate.__dataclass_fields__}, "tail_bytes": 5 * MB,
                          "trim": True})
    assert _plan(window, tailed).bytes_kept_estimate == 5 * MB


def test_a_small_window_bundle_passes_the_preflight_on_a_small_disk(tmp_path):
    """Was: 8 MB tmpfs, a one-hour window of hourly 12 MB segments: "needs about 25.6 MB" for a
    1 MB bundle (whole segments at a quarter, plus 16 MB)."""
    window = Window(T0 + timedelta(hours=6, minutes=15), T0 + timedelta(hours=7, minutes=15))
    plan = _plan(window, _segment("SIPS_P.06.log", T0 + timedelta(hours=6), 1, 12 * MB, trim=True),
                 _segment("SIPS_P.07.log", T0 + timedelta(hours=7), 1, 12 * MB, trim=True),
                 _segment("SIPS_P-768.06.log", T0 + timedelta(hours=6), 2, 12 * MB, trim=True))
    with small_tmpfs(tmp_path / "small", "8m") as out:
        estimate = preflight(out, plan.bytes_kept_estimate, members=len(plan.members))
        assert estimate.needed < 8 * MB


def test_a_refusal_names_the_options_that_get_past_it(tmp_path):
    with small_tmpfs(tmp_path / "small", "4m") as out:
        with pytest.raises(PreflightFailed) as refused:
            preflight(out, 100 * MB)
        assert "--max-size" in refused.value.message and "narrow the window" in refused.value.message
        assert "--reserve" in refused.value.message
