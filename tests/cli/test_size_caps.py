"""Size caps on real trees: ``--max-file-size`` cuts what the window keeps (never a tail taken
before the window cut), ``--max-size`` leaves files out only when the bundle would really be
larger, configs first and the older end of a stream, never a hole (probeJ findings 1 and 4)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from collector.selection import _stream_key
from tests.cli.conftest import run_gcollect
from tests.cli.test_collect_time_zones import kept_utc, sip_segment

UTC = timezone.utc


def test_max_file_size_keeps_the_newest_in_window_records_and_the_header(tmp_path):
    """A 08:00-10:00Z segment, window 08:30-09:00Z, per-file cap 1K: the old code kept the last
    1 KB of the file (09:40-10:00Z, all outside the window) and the window cut then left nothing
    of the window, no header, and no word of the cut."""
    from datetime import timedelta

    root = tmp_path / "host"
    path = sip_segment(root, datetime(2024, 1, 10, 8, 0, tzinfo=UTC), datetime(2024, 1, 10, 10, 0, tzinfo=UTC),
                       step=timedelta(minutes=1))
    assert (root / path).stat().st_size > 4096
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--since", "2024-01-10 03:30", "--until", "2024-01-10 04:00",
                        "--max-file-size", "1K", "--json", "--quiet", "--priority", "normal",
                        env={"TZ": "America/New_York"})
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr.decode()      # part of the window is not there
    report = json.loads(proc.stdout)
    assert report["cut_by_size_cap"] == [path]
    assert report["window_cut_by_caps"] == {"left_out": [], "cut": [path]}
    members = dict(iter_members(Path(report["bundle"])))
    stored = members[path]
    assert stored.startswith(b"Genesys SIP Server, version 8.1.103.95\nApplication name:   SIPS_D\n")
    kept = kept_utc(members, path)
    assert kept and all("08:30Z" <= t <= "09:00Z" for t in kept), kept
    assert kept[-1] == "09:00Z" and kept[0] > "08:30Z"               # the newest in-window records
    body = stored.split(b"Command line:       ./sip_server -app SIPS_D\n", 1)[1]
    assert body[:2].isdigit(), body[:40]                            # from a record start
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"] == path)
    assert "cut by the size cap" in entry["note"]
    assert entry["kept_first"] == f"2024-01-10T{kept[0][:5]}:00+00:00"
    assert entry["kept_last"] == "2024-01-10T09:00:00+00:00"


def test_dry_run_states_caps_in_human_units(tmp_path):
    from datetime import timedelta

    root = tmp_path / "host"
    sip_segment(root, datetime(2024, 1, 10, 8, 0, tzinfo=UTC), datetime(2024, 1, 10, 10, 0, tzinfo=UTC),
                step=timedelta(minutes=1))
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--since", "2024-01-10 03:30", "--until", "2024-01-10 04:00",
                        "--max-file-size", "2K", "--dry-run", env={"TZ": "America/New_York"})
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "newest 2.0 KB of what the window keeps (per-file cap 2.0 KB)" in out and "0.00195" not in out, out


def _collect(root: Path, out: Path, *extra: str):
    state = out.with_name(out.name + "-state")              # beside the output folder
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(state),
                        "--json", "--quiet", "--priority", "normal", *extra)
    assert proc.returncode in (ExitCode.OK, ExitCode.PARTIAL), proc.stderr.decode()
    return proc, json.loads(proc.stdout)


def test_max_size_leaves_nothing_out_when_the_whole_bundle_fits(tmp_path):
    """The old estimate reserved about 2,900 bytes per member where about 400 were written: on a
    host of many small segments a cap of 1.6 times the uncapped bundle left 28 of 31 files out."""
    from datetime import timedelta

    root = tmp_path / "host"
    start = datetime(2024, 1, 10, 0, 0, tzinfo=UTC)
    for hour in range(30):
        sip_segment(root, start + timedelta(hours=hour), start + timedelta(hours=hour, minutes=50),
                    step=timedelta(minutes=10))
    _, whole = _collect(root, tmp_path / "a")
    size = Path(whole["bundle"]).stat().st_size
    proc, report = _collect(root, tmp_path / "b", "--max-size", f"{int(size * 1.6) // 1024 + 1}K")
    assert proc.returncode == ExitCode.OK and report["excluded"] == [], report["excluded"]
    assert report["files"] == whole["files"]


def test_a_tight_max_size_keeps_configs_and_the_newest_segments(demo_host, tmp_path):
    root, _ = demo_host
    _, whole = _collect(root, tmp_path / "a")
    size = Path(whole["bundle"]).stat().st_size
    proc, report = _collect(root, tmp_path / "b", "--max-size", f"{size // 2 // 1024}K")
    assert proc.returncode == ExitCode.PARTIAL
    assert Path(report["bundle"]).stat().st_size <= size // 2
    left_out = {e["path"] for e in report["excluded"]}
    assert left_out and all(e["reason"].startswith("left out for --max-size") for e in report["excluded"])
    manifest = json.loads(dict(iter_members(Path(report["bundle"])))["manifest.json"])
    kept = {f["path"]: f for f in manifest["files"] if "kind" in f}
    whole_manifest = json.loads(dict(iter_members(Path(whole["bundle"])))["manifest.json"])
    every = {f["path"]: f for f in whole_manifest["files"] if f.get("kind") in ("log", "config", "text")}
    assert not [p for p in left_out if every[p]["kind"] != "log"]          # configs are never the victims
    streams: dict = {}
    for p, f in every.items():
        if f["kind"] == "log" and not p.endswith(".snapshot.log"):
            streams.setdefault(_stream_key(p), []).append((f["kept_first"] or f["mtime"], p))
    for segments in streams.values():                                       # no hole: the older end is left out
        taken = [p in kept for _, p in sorted(segments)]
        assert taken == sorted(taken), sorted(segments)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "c"), "--state-dir",
                        str(tmp_path / "c" / "state"), "--priority", "normal", "--max-size", f"{size // 2 // 1024}K")
    out = proc.stdout.decode()
    assert "files left out for --max-size" in out and "could not be processed safely" not in out, out


def test_caps_that_take_part_of_an_explicit_window_say_so_and_exit_1(tmp_path):
    """Probe K: the per-product cap and --max-total dropped most of an explicit window with exit 0
    and only 'skipped: N files (reasons in manifest.json)' on screen."""
    from datetime import timedelta

    root = tmp_path / "host"
    paths = [sip_segment(root, datetime(2024, 1, 10, h, 0, tzinfo=UTC), datetime(2024, 1, 10, h, 59, tzinfo=UTC),
                         step=timedelta(seconds=2)) for h in (8, 9, 10)]
    assert all((root / p).stat().st_size > 50_000 for p in paths)
    common = ["collect", "--root", str(root), "--state-dir", str(tmp_path / "state"), "--priority", "normal",
              "--max-total", "100K"]
    windowed = run_gcollect(*common, "--output", str(tmp_path / "o1"), "--since", "2024-01-10 03:00",
                            "--until", "2024-01-10 06:00", env={"TZ": "America/New_York"})
    assert windowed.returncode == ExitCode.PARTIAL, windowed.stderr.decode()
    out = windowed.stdout.decode()
    assert "WINDOW CUT: size caps took part of the window you asked for: 1 files left out, 1 cut" in out, out
    assert f"  - /{paths[0]}" in out and "--max-total" in out
    as_json = run_gcollect(*common, "--output", str(tmp_path / "o2"), "--since", "2024-01-10 03:00",
                           "--until", "2024-01-10 06:00", "--json", "--quiet", env={"TZ": "America/New_York"})
    assert as_json.returncode == ExitCode.PARTIAL
    assert json.loads(as_json.stdout)["window_cut_by_caps"] == {"left_out": [paths[0]], "cut": [paths[1]]}
    # without a window the caps are the only limit: nothing of a window is lost, exit 0
    no_window = run_gcollect(*common, "--output", str(tmp_path / "o3"), "--json", "--quiet",
                             env={"TZ": "America/New_York"})
    assert no_window.returncode == ExitCode.OK, no_window.stderr.decode()
    assert json.loads(no_window.stdout)["window_cut_by_caps"] is None


def test_max_file_size_without_a_window_keeps_the_segment_header(tmp_path):
    """No window: the size cap keeps the tail of the segment, and its header first (probeP 12:
    the tail started at ``10:00:37.537 Dbg``, its date gone with ``Local time:``)."""
    from datetime import timedelta

    root = tmp_path / "host"
    path = sip_segment(root, datetime(2024, 1, 10, 8, 0, tzinfo=UTC), datetime(2024, 1, 10, 10, 0, tzinfo=UTC),
                       step=timedelta(minutes=1))
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--max-file-size", "1K", "--json", "--quiet", "--priority", "normal",
                        env={"TZ": "America/New_York"})
    assert proc.returncode in (ExitCode.OK, ExitCode.PARTIAL), proc.stderr.decode()
    report = json.loads(proc.stdout)
    members = dict(iter_members(Path(report["bundle"])))
    stored = members[path]
    assert stored.startswith(b"Genesys SIP Server, version 8.1.103.95\nApplication name:   SIPS_D\n")
    assert b"Local time:         2024-01-10T03:00:00.000\n" in stored and len(stored) <= 1024
    body = stored.split(b"Command line:       ./sip_server -app SIPS_D\n", 1)[1]
    assert body[:2].isdigit(), body[:40]
    assert kept_utc(members, path)[-1] == "10:00Z"
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"] == path)
    assert entry["note"].startswith("tail of file (size cap), after its segment header")


def test_size_options_refuse_a_number_without_a_unit_and_read_b_as_bytes(tmp_path):
    """``--max-file-size 4096`` was 4 GB and ``100B`` 100 MB (probe U 11): refused / 100 bytes."""
    for flag in ("--max-file-size", "--max-total", "--max-size", "--reserve"):
        proc = run_gcollect("collect", "--root", str(tmp_path), "--output", str(tmp_path / "out"), "--dry-run",
                            flag, "4096")
        assert proc.returncode == ExitCode.USAGE
        assert f"Invalid value for {flag}: not a size: '4096' has no unit" in proc.stderr.decode()
    proc = run_gcollect("snapshot", "--root", str(tmp_path), "--state-dir", str(tmp_path / "state"),
                        "--max-disk", "5000")
    assert proc.returncode == ExitCode.USAGE and "not a size: '5000' has no unit" in proc.stderr.decode()
    root = tmp_path / "host"
    path = sip_segment(root, datetime(2024, 1, 10, 8, 0, tzinfo=UTC), datetime(2024, 1, 10, 10, 0, tzinfo=UTC))
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--max-size", "100B", "--json", "--quiet", "--priority", "normal")
    assert "over --max-size (100 bytes)" in proc.stderr.decode(), proc.stderr.decode()
    assert path


def test_max_file_size_bounds_the_text_of_a_small_gz_that_inflates_a_lot(tmp_path):
    """Probe AF F8: a 200 KB .log.gz of 84 MB of text (412x) under --max-file-size 1M was stored
    whole (the cap counted its compressed bytes). The cap counts the text stored: its newest
    1 MiB is kept, whole records, with a note, as for a plain log's tail."""
    import gzip
    import shutil
    import tarfile

    from collector.testhost import generate_host

    root = tmp_path / "host"
    root.mkdir()
    generate_host(root, products=["sip-server"], days=0.05, seed=5, segment_kb=16)
    gz = root / "var/log/genesys/SIPS_P/SIPS_P.20261120_000000_000.log.gz"
    with gzip.open(gz, "wb") as out:
        for _ in range(30):
            out.write(b"12:00:00.000 Trc aaaaaaaaaa\n" * 100_000)
        out.write(b"12:00:01.000 Trc the newest record\n")
    assert gz.stat().st_size < 1 << 20
    out = tmp_path / "out"
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(tmp_path / "st"),
                        "--quiet", "--max-file-size", "1M", "--priority", "normal", "--workers", "1")
    assert proc.returncode == ExitCode.OK, proc.stderr
    (bundle,) = out.glob("*.tar.gz")
    with tarfile.open(bundle) as tar:
        (member,) = [m for m in tar.getmembers() if m.name.endswith("SIPS_P.20261120_000000_000.log")]
        assert member.size <= 1 << 20
        text = tar.extractfile(member).read()
        manifest = json.loads(tar.extractfile(next(m for m in tar.getmembers()
                                                   if m.name.endswith("/manifest.json"))).read())
    assert text.endswith(b"the newest record\n") and text.startswith(b"12:00:00.000 Trc")
    (entry,) = [f for f in manifest["files"] if f["path"].endswith("SIPS_P.20261120_000000_000.log")]
    assert "newest 1.0 MB of its decompressed text kept" in entry["note"], entry["note"]
    shutil.rmtree(root)


def test_max_file_size_dates_the_kept_records_of_a_window_of_days_from_their_end(tmp_path):
    """A segment of time-only records over three days (quiet: a record every 10 minutes), the
    whole of it in the window, per-file cap 1K: the kept records are the last hours of day three.
    Dated forward from the window's first record (day one), their first time read a day or two
    early (review finding 7 of 2026-11-29); read back from the last kept record, it is right."""
    from datetime import timedelta

    root = tmp_path / "host"
    path = sip_segment(root, datetime(2024, 1, 10, 13, 0, tzinfo=UTC), datetime(2024, 1, 12, 15, 0, tzinfo=UTC),
                       step=timedelta(minutes=10))
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--since", "2024-01-10 08:00", "--until", "2024-01-12 10:00",
                        "--max-file-size", "1K", "--json", "--quiet", "--priority", "normal",
                        env={"TZ": "America/New_York"})
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr.decode()
    report = json.loads(proc.stdout)
    members = dict(iter_members(Path(report["bundle"])))
    kept = kept_utc(members, path)
    assert kept[-1] == "15:00Z" and len(kept) < 30, kept          # the last few hours of 2024-01-12
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"] == path)
    assert entry["kept_first"] == f"2024-01-12T{kept[0][:5]}:00+00:00"
    assert entry["kept_last"] == "2024-01-12T15:00:00+00:00"
    assert (entry.get("log_stats") or {}).get("first", "")[:16] == f"2024-01-12T{kept[0][:5]}", entry.get("log_stats")
    # the window's dating line went with the records the cap left out: the cap puts its own
    header, body = members[path].split(b"Command line:       ./sip_server -app SIPS_D\n", 1)
    note, first = body.split(b"\n", 2)[:2]
    assert note.startswith(b"gcollect: the records before 2024-01-12 ") and b"left out by the size cap" in note, note
    assert b"dated from 2024-01-12 on" in note and first.endswith(f"record at {kept[0]}".encode()), first
