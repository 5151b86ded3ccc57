"""Fault matrix: one test per row of docs/faults.md.

Each test asserts the documented outcome, that nothing sensitive was written, and that no
temporary file was left next to the bundle.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from tests.cli.conftest import REPO, run_gcollect
from tests.hostfs import fill, small_tmpfs

pytestmark = pytest.mark.integration

SECRET_NUMBER = b"5555550199"
APP_LOGS = "var/log/genesys/SIPS_P"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("faults") / "host"
    root.mkdir()
    generate_host(root, products=("sip-server",), days=0.3, seed=11)
    return root


@pytest.fixture
def host(pristine, tmp_path):
    root = tmp_path / "host"
    shutil.copytree(pristine, root, symlinks=True)
    return root


def collect(root: Path, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict | None]:
    out.mkdir(exist_ok=True)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir",
                        str(out.parent / "state"), "--json", *extra)
    report = json.loads(proc.stdout) if proc.stdout.strip().startswith(b"{") else None
    return proc, report


def manifest_of(report: dict) -> tuple[dict, dict[str, bytes]]:
    members = dict(iter_members(Path(report["bundle"])))
    return json.loads(members["manifest.json"]), members


def assert_clean(out: Path) -> None:
    leftovers = [p.name for p in out.iterdir()
                 if p.name.endswith(".partial") or p.name.startswith(".gcollect-tmp")]
    assert leftovers == []


def skipped_reason(manifest: dict, host_path: str) -> str:
    for item in manifest["skipped"] + manifest["excluded"]:
        if item["path"] == host_path:
            return item["reason"]
    raise AssertionError(f"{host_path} neither skipped nor excluded")


def newest_segment(root: Path) -> Path:
    return sorted((root / APP_LOGS).glob("SIPS_P.2*.log"))[-1]


def test_symlink_escaping_the_root_is_skipped(host, tmp_path):
    outside = tmp_path / "outside-secret.log"
    outside.write_bytes(b"09:00:00.000 Std 00000 ANI " + SECRET_NUMBER + b"\n")
    link = host / APP_LOGS / "SIPS_P.20990101_000000_000.log"
    link.symlink_to(outside)
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode in (0, 1), proc.stderr
    manifest, members = manifest_of(report)
    assert "leaves the root" in skipped_reason(manifest, f"{APP_LOGS}/{link.name}")
    assert all(SECRET_NUMBER not in data for data in members.values())
    assert_clean(tmp_path / "out")


def test_each_skipped_symlink_is_listed_even_when_they_share_a_target(host, tmp_path):
    """Was: the skipped list was keyed by the target, so only one of these three was listed."""
    outside = tmp_path / "outside-secret.log"
    outside.write_bytes(b"09:00:00.000 Std 00000 ANI " + SECRET_NUMBER + b"\n")
    links = [host / APP_LOGS / "SIPS_P.20990101_000000_003.log", host / APP_LOGS / "SIPS_P.20990101_000000_004.log"]
    links[0].symlink_to(outside)
    links[1].symlink_to(os.path.relpath(outside, links[1].parent))
    (host / APP_LOGS / "SIPS_P.20990101_000000_005.log").symlink_to("missing.log")
    (host / APP_LOGS / "SIPS_P.20990101_000000_006.log").symlink_to("missing.log")
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode in (0, 1), proc.stderr
    manifest, members = manifest_of(report)
    for link in links:
        assert skipped_reason(manifest, f"{APP_LOGS}/{link.name}") == "symlink leaves the root"
    for name in ("SIPS_P.20990101_000000_005.log", "SIPS_P.20990101_000000_006.log"):
        assert skipped_reason(manifest, f"{APP_LOGS}/{name}") == "dangling symlink"
    assert all(SECRET_NUMBER not in data for data in members.values())


def test_absolute_file_symlink_in_a_copied_host_is_read_inside_the_copy(host, tmp_path):
    """``--root`` is a copy of a host: an absolute link means ROOT/target, as on that host. Was:
    resolved against this system's /, skipped as "dangling symlink"."""
    script = host / "opt/genesys/SIPS_P/run.sh"
    kept = host / "srv/gcollect-test-copy/run.sh"          # a folder this system does not have
    assert not os.path.lexists("/srv/gcollect-test-copy")
    kept.parent.mkdir(parents=True)
    script.rename(kept)
    script.symlink_to("/srv/gcollect-test-copy/run.sh")
    outside = tmp_path / "outside-secret.log"
    outside.write_bytes(b"09:00:00.000 Std 00000 ANI " + SECRET_NUMBER + b"\n")
    escape = host / APP_LOGS / "SIPS_P.20990101_000000_000.log"
    escape.symlink_to(outside)                          # not in the copy: still leaves the root
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode in (0, 1), proc.stderr
    manifest, members = manifest_of(report)
    assert members["opt/genesys/SIPS_P/run.sh"] == kept.read_bytes()
    assert "leaves the root" in skipped_reason(manifest, f"{APP_LOGS}/{escape.name}")
    assert all(SECRET_NUMBER not in data for data in members.values())


def test_symlink_loop_is_skipped(host, tmp_path):
    a = host / APP_LOGS / "SIPS_P.20990101_000000_001.log"
    b = host / APP_LOGS / "SIPS_P.20990101_000000_002.log"
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode in (0, 1), proc.stderr
    manifest, _ = manifest_of(report)
    assert "loop" in skipped_reason(manifest, f"{APP_LOGS}/{a.name}")
    assert_clean(tmp_path / "out")


def test_fifo_is_skipped_without_blocking(host, tmp_path):
    fifo = host / APP_LOGS / "SIPS_P.20990101_000000_003.log"
    os.mkfifo(fifo)
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode in (0, 1), proc.stderr
    manifest, _ = manifest_of(report)
    assert "fifo" in skipped_reason(manifest, f"{APP_LOGS}/{fifo.name}")
    assert_clean(tmp_path / "out")


def test_non_utf8_name_is_kept_byte_for_byte(host, tmp_path):
    name = b"caf\xe9-notes.cfg"
    path = os.path.join(os.fsencode(host / "opt/genesys/SIPS_P"), name)
    with open(path, "wb") as handle:
        handle.write(b"[settings]\npassword = Hunter2Hunter2\n")
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode in (0, 1), proc.stderr
    manifest, members = manifest_of(report)
    wanted = "opt/genesys/SIPS_P/" + os.fsdecode(name)
    assert wanted in members
    assert b"Hunter2Hunter2" not in members[wanted]
    assert_clean(tmp_path / "out")


def test_non_utf8_log_segment_name_is_collected_and_shown_escaped(host, tmp_path):
    segment = newest_segment(host)
    odd = segment.name.replace(".log", ".").encode() + b"\xff\xfe.log"
    with open(os.path.join(os.fsencode(segment.parent), odd), "wb") as handle:
        handle.write(segment.read_bytes()[:4000])
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode in (0, 1), proc.stderr
    manifest, members = manifest_of(report)
    assert f"{APP_LOGS}/{os.fsdecode(odd)}" in members                  # the name byte for byte
    assert "\\xff\\xfe" in members["report.html"].decode("utf-8")      # shown as escapes
    assert run_gcollect("verify", report["bundle"]).returncode == 0
    strict = {"PYTHONIOENCODING": "utf-8:strict"}                      # a UTF-8 locale's terminal
    listing = run_gcollect("collect", "--root", str(host), "--dry-run", env=strict)
    assert listing.returncode == 0, listing.stderr
    assert b"\\xff\\xfe.log" in listing.stdout
    assert_clean(tmp_path / "out")


def test_binary_content_in_a_log_is_left_out_not_shipped(host, tmp_path):
    segment = newest_segment(host)
    with open(segment, "ab") as handle:
        # binary records (little-endian counters: NULs in 100 places) around a caller's number
        handle.write(b"".join(i.to_bytes(4, "little") for i in range(1, 51)) + b" binary junk with "
                     + SECRET_NUMBER + b"".join(i.to_bytes(4, "little") for i in range(51, 101)) + b"\n")
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    manifest, members = manifest_of(report)
    rel = f"{APP_LOGS}/{segment.name}"
    assert rel not in members
    assert "redact" in skipped_reason(manifest, rel)
    assert all(SECRET_NUMBER not in data for data in members.values())
    assert_clean(tmp_path / "out")


def test_a_segment_ending_in_nul_padding_is_collected_without_it(host, tmp_path):
    """After a crash or power loss a segment ends in NULs: support wants exactly that file."""
    segment = newest_segment(host)
    with open(segment, "ab") as handle:
        handle.write(b"\tAttributeANI\t'" + SECRET_NUMBER + b"'\n" + bytes(4096))
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode == ExitCode.OK, proc.stderr
    manifest, members = manifest_of(report)
    rel = f"{APP_LOGS}/{segment.name}"
    assert members[rel].endswith(b"'\n") and b"\0" not in members[rel]
    assert [f["note"] for f in manifest["files"] if f["path"] == rel] == ["4096 trailing NUL bytes dropped"]
    assert all(SECRET_NUMBER not in data for data in members.values())
    assert_clean(tmp_path / "out")


UNFINISHED = {
    "dnis": b"\tAttributeDNIS\t'15555501620",
    "digest": b'13:31:05.000 Trc 04541 Authorization: Digest username="7101", realm="x", nonce="abc", '
              b'response="9f8e7d6c5b4a39281716',
    "password": b'13:31:00.001 Trc 04541 connect string: Server=db1;User Id=genesys;Password="Tr0ub4dorPartial',
}


@pytest.mark.parametrize("case", sorted(UNFINISHED))
def test_the_unfinished_last_line_of_a_live_segment_is_left_out(host, tmp_path, case):
    """A segment read while its writer is in the middle of a line: the cut-short value would
    escape the rules (probe U 2). The line is left out and the manifest says so; exit 0."""
    segment = newest_segment(host)
    with open(segment, "ab") as handle:
        handle.write(UNFINISHED[case])
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode == ExitCode.OK, proc.stderr
    manifest, members = manifest_of(report)
    rel = f"{APP_LOGS}/{segment.name}"
    assert members[rel].endswith(b"\n") and UNFINISHED[case][-8:] not in members[rel]
    assert [f["note"] for f in manifest["files"] if f["path"] == rel] == [
        "its last line had no newline (still being written, or cut by a crash): "
        f"its {len(UNFINISHED[case])} bytes left out"]
    assert_clean(tmp_path / "out")


def test_a_crash_snapshot_log_loses_its_half_line_and_the_nuls_after_it(host, tmp_path):
    segment = newest_segment(host)
    crashed = segment.with_name(segment.name[:-4] + ".snapshot.log")
    crashed.write_bytes(segment.read_bytes() + UNFINISHED["dnis"] + bytes(65536))
    outcome, _ = _process_alone(_candidate(crashed, f"{APP_LOGS}/{crashed.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    assert outcome.result.note == ("its last line had no newline (still being written, or cut by a crash): "
                                   f"its {len(UNFINISHED['dnis'])} bytes left out, and the 65536 NUL bytes after it")


def test_a_utf16_log_is_collected_as_redacted_utf8(host, tmp_path):
    segment = newest_segment(host)
    text = segment.read_bytes().decode("latin-1") + "\tAttributeANI\t'" + SECRET_NUMBER.decode() + "'\n"
    segment.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    outcome, _ = _process_alone(_candidate(segment, f"{APP_LOGS}/{segment.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    assert outcome.result.note == "converted from UTF-16LE to UTF-8" and outcome.result.redactions


def test_over_long_line_is_left_out_with_bounded_memory(host, tmp_path):
    segment = newest_segment(host)
    with open(segment, "ab") as handle:
        for _ in range(12):                      # 12 MiB without a newline
            handle.write(b"A" * (1 << 20))
        handle.write(SECRET_NUMBER + b"\n")
    proc, report = collect(host, tmp_path / "out")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    manifest, members = manifest_of(report)
    rel = f"{APP_LOGS}/{segment.name}"
    assert rel not in members and "line" in skipped_reason(manifest, rel)
    assert_clean(tmp_path / "out")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied_is_skipped(host, tmp_path):
    segment = newest_segment(host)
    segment.chmod(0)
    proc, report = collect(host, tmp_path / "out")
    manifest, _ = manifest_of(report)
    assert "permission" in skipped_reason(manifest, f"{APP_LOGS}/{segment.name}")


def _process_alone(candidate, tmp_path: Path):
    """Run one member in this process with a fresh token map; return (outcome, pieces folder)."""
    from collector import member
    from collector.model import Window

    pieces = tmp_path / "pieces"
    pieces.mkdir(exist_ok=True)
    member.configure_worker(member.WorkerConfig(pieces, "tar.gz", None, b"k" * 32, tmp_path / "t.db", (),
                                                Window(), 65536))
    try:
        return member.process_member(candidate), pieces
    finally:
        member.close_worker()


def _candidate(path: Path, host_path: str, rule_sets=("common-secrets", "tlib", "sip", "pii")):
    """The candidate selection would make of ``path``: with its identity (device, inode)."""
    from collector.model import Candidate

    info = path.stat() if path.exists() else None
    return Candidate(source=path, host_path=host_path, product="sip-server", installation="SIPS_P",
                     spec_id="segments", kind="log", size=info.st_size if info else 10, mtime=0.0,
                     rule_sets=rule_sets, device=info.st_dev if info else None,
                     inode=info.st_ino if info else None)


def _member_run(host: Path, tmp_path: Path, mutate, monkeypatch):
    """Process the newest segment in-process, calling ``mutate(path)`` after the first chunk
    (the member reads with ``os.pread``: its head, then chunk by chunk)."""
    segment = newest_segment(host)
    size = segment.stat().st_size
    real_pread = os.pread
    calls = []

    def pread(fd, n, offset):
        calls.append(n)
        if len(calls) == 3:
            mutate(segment)
        return real_pread(fd, n, offset)

    monkeypatch.setattr(os, "pread", pread)
    outcome, _ = _process_alone(_candidate(segment, f"{APP_LOGS}/{segment.name}"), tmp_path)
    monkeypatch.setattr(os, "pread", real_pread)
    assert len(calls) >= 3, calls
    return size, outcome


def test_file_growing_while_read_is_taken_as_of_open(host, tmp_path, monkeypatch):
    def grow(path):
        with open(path, "ab") as handle:
            handle.write(b"09:59:59.999 Std 00001 appended later " + SECRET_NUMBER + b"\n")

    size, outcome = _member_run(host, tmp_path, grow, monkeypatch)
    assert outcome.result is not None
    assert outcome.result.size_in == size and outcome.result.end_offset == size


TRUNCATED_REASON = "truncated while it was read (copytruncate, or rewritten in place): left out, collect it again"


def test_file_truncated_while_read_is_left_out(host, tmp_path, monkeypatch):
    """A copytruncate under the reader: what was read ends mid-line (a value cut short escapes
    the rules) and the rest of the segment is missing; left out with the reason (probe U 5)."""
    size, outcome = _member_run(host, tmp_path, lambda path: os.truncate(path, 1000), monkeypatch)
    assert outcome.result is None and outcome.excluded.reason == TRUNCATED_REASON


def test_file_truncated_and_rewritten_while_read_is_never_glued(host, tmp_path, monkeypatch):
    """Truncated and written again, longer than before, between two reads: the reader would go
    on in the new content mid-record, where the rules never see a label (probe U 6)."""
    def rewrite(path):
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            handle.truncate(0)
            line = b"10:00:00.000 Dbg 09999 config dump:\n  <password>\n    NEWSECRET0001\n  </password>\n"
            handle.write(line * (2 * size // len(line) + 1))

    _, outcome = _member_run(host, tmp_path, rewrite, monkeypatch)
    assert outcome.result is None and outcome.excluded.reason == TRUNCATED_REASON


def test_file_rewritten_at_its_head_while_read_is_left_out(host, tmp_path, monkeypatch):
    """The size checks between reads cannot see a truncation that is written over again before
    the next read: the head the file had when opened is compared at the end."""
    def rewrite(path):
        data = path.read_bytes()
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.write(fd, b"X" + data[1:] + data)
        os.close(fd)

    _, outcome = _member_run(host, tmp_path, rewrite, monkeypatch)
    assert outcome.result is None and outcome.excluded.reason == TRUNCATED_REASON


def test_a_segment_truncated_while_read_is_listed_as_left_out(host, tmp_path, monkeypatch):
    """End to end: the left-out segment is listed in the run's excluded files (exit 1)."""
    from collector import member

    segment = newest_segment(host)
    real = member._read_range

    def read_range(source, size, candidate, *args, **kwargs):
        start, chunks = real(source, size, candidate, *args, **kwargs)
        if candidate.source == segment:
            os.truncate(segment, 100)
        return start, chunks

    monkeypatch.setattr(member, "_read_range", read_range)
    plan, result = _planned_then(host, tmp_path, lambda: None)
    rel = f"{APP_LOGS}/{segment.name}"
    assert {e.host_path: e.reason for e in result.excluded}.get(rel) == TRUNCATED_REASON
    assert rel not in dict(iter_members(result.bundle.path))


def test_file_rotated_or_deleted_while_read_is_taken_as_of_open(host, tmp_path, monkeypatch):
    def rotate(path):
        path.rename(path.with_name(path.name + ".old"))
        path.write_bytes(b"new file\n")

    size, outcome = _member_run(host, tmp_path, rotate, monkeypatch)
    assert outcome.result is not None and outcome.result.size_in == size


def test_file_vanishing_before_read_is_excluded_with_reason(host, tmp_path):
    missing = host / APP_LOGS / "SIPS_P.20990101_000000_009.log"
    outcome, pieces = _process_alone(_candidate(missing, f"{APP_LOGS}/{missing.name}"), tmp_path)
    assert outcome.result is None and "disappeared" in outcome.excluded.reason
    assert list(pieces.iterdir()) == []


def _planned_then(host: Path, tmp_path: Path, change):
    """Plan a collect of ``host``, call ``change()`` (between selection and reading, as a file
    swapped while a long run works through earlier members), collect the plan; the RunResult."""
    from collector import api
    from collector.settings import RunSettings

    settings = RunSettings(output_dir=tmp_path / "out", state_dir=tmp_path / "state", host_name="h1",
                           workers=1, low_priority=False)
    settings.output_dir.mkdir()
    request = api.CollectRequest(root=host, settings=settings, facts=False)
    discovery = api.discover_and_plan(request)
    change()
    return discovery.plan, api.collect(request, discovery=discovery)[1]


OUTSIDE_LINE = b"09:00:00.000 Std 00000 OUTSIDE_THE_ROOT ANI " + SECRET_NUMBER + b"\n"


@pytest.mark.parametrize("swapped", ["each segment", "the log folder"])
def test_file_swapped_for_a_symlink_out_of_the_root_after_selection_is_never_read(host, tmp_path, swapped):
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = host / APP_LOGS
    segments = sorted(folder.glob("SIPS_P.2*.log"))
    for segment in segments:                       # same names outside: a folder symlink finds them
        (outside / segment.name).write_bytes(OUTSIDE_LINE)

    def swap():
        if swapped == "the log folder":
            folder.rename(folder.with_name("SIPS_P.moved"))
            folder.symlink_to(outside)
            return
        for segment in segments:
            link = segment.with_name(segment.name + ".new")
            link.symlink_to(outside / segment.name)
            link.rename(segment)

    plan, result = _planned_then(host, tmp_path, swap)
    wanted = {f"{APP_LOGS}/{s.name}" for s in segments}
    assert wanted <= {c.host_path for c in plan.members}
    reasons = {e.host_path: e.reason for e in result.excluded}
    assert {reasons.get(p) for p in wanted} == {"changed since selection: not the file that was selected"}
    members = dict(iter_members(result.bundle.path))
    assert wanted.isdisjoint(members)
    assert all(b"OUTSIDE_THE_ROOT" not in data for data in members.values())
    assert_clean(tmp_path / "out")


def test_call_search_reads_only_the_files_selection_chose(host, tmp_path):
    """``--call`` looks through the planned logs for the call's other ids (they are written to
    the manifest) before the run: a log swapped for a symlink out of the root is not read."""
    import re

    from collector import api
    from collector.settings import RunSettings

    segment = newest_segment(host)
    connid = re.search(rb"AttributeConnID\t'?([0-9a-f]{16})", segment.read_bytes()).group(1).decode()
    outside_uuid = "OUTSIDE0THE0ROOT0000000000000000"
    outside = tmp_path / "outside.log"
    outside.write_bytes(f"09:00:00.000 Trc 04541 AttributeConnID\t{connid}\n"
                        f"\tAttributeCallUUID\t'{outside_uuid}'\n".encode())
    settings = RunSettings(output_dir=tmp_path, state_dir=tmp_path / "state", host_name="h1", workers=1)
    plan = api.discover_and_plan(api.CollectRequest(root=host, settings=settings, facts=False)).plan
    link = segment.with_name(segment.name + ".new")
    link.symlink_to(outside)
    link.rename(segment)
    _, ids = api.call_ids(connid, plan)
    assert connid.encode() in ids and outside_uuid.encode() not in ids


def test_file_rewritten_in_place_after_selection_is_collected(host, tmp_path):
    segment = newest_segment(host)
    rewritten = segment.read_bytes()[:2000].rpartition(b"\n")[0] + b"\n"

    def rewrite():                                 # truncated and written again: same inode
        with open(segment, "r+b") as handle:
            handle.truncate(0)
            handle.write(rewritten)

    _, result = _planned_then(host, tmp_path, rewrite)
    assert not result.excluded
    assert any(m.host_path == f"{APP_LOGS}/{segment.name}" and m.size_in == len(rewritten)
               for m in result.members)


MONTH_NS = 30 * 86400 * 10**9


def _age_access_time(path: Path) -> int:
    """Set the file's access time a month before its mtime (so that any read updates it, even
    with relatime); the new access time."""
    info = path.stat()
    os.utime(path, ns=(info.st_mtime_ns - MONTH_NS, info.st_mtime_ns))
    return info.st_mtime_ns - MONTH_NS


def _reading_updates_access_times(folder: Path) -> bool:
    """Whether a plain read (no O_NOATIME) changes an access time on this file system."""
    probe = folder / "atime-probe.txt"
    probe.write_bytes(b"probe\n")
    aged = _age_access_time(probe)
    with open(probe, "rb") as handle:
        handle.read()
    changed = probe.stat().st_atime_ns != aged
    probe.unlink()
    return changed


def test_collect_leaves_access_times_alone(host, tmp_path):
    """docs/faults.md: sources are opened with O_NOATIME where the kernel allows it (root, and
    the owner: this test owns the files it made)."""
    if not _reading_updates_access_times(host):
        pytest.skip("reading does not change access times on this file system (noatime mount)")
    aged = {path: _age_access_time(path) for path in host.rglob("*")
            if path.is_file() and not path.is_symlink()}
    proc, report = collect(host, tmp_path / "out", "--since", "3d")
    assert proc.returncode in (0, 1), proc.stderr
    assert manifest_of(report)[0]["files"]
    changed = sorted(str(path.relative_to(host)) for path, atime in aged.items()
                     if path.stat().st_atime_ns != atime)
    assert changed == []


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, ExitCode.SIGTERM), (signal.SIGINT, ExitCode.SIGINT)])
def test_signal_mid_run_removes_temporaries(host, tmp_path, sig, code, workers):
    """With one worker the files are redacted in the main process, so the signal handler's
    Interrupted is raised inside a file's processing. Was (SIGTERM, one worker): caught there like a
    bad file ("left out: interrupted by SIGTERM"), the run went on and wrote a complete bundle, exit 1."""
    out = tmp_path / "out"
    out.mkdir()
    # make the run long enough to interrupt: a segment whose every line is a new caller's number
    # (no line comes from the redactor's cache: ~3 s of work however fast the rest gets)
    big = host / APP_LOGS / "SIPS_P.20990101_000000_010.log"
    with open(big, "wb") as handle:
        handle.write(b"".join(b"09:00:00.000 Trc 04541 RequestMakeCall received from [612]\n"
                              b"\tAttributeANI\t'555%07d'\n\tAttributeDNIS\t'800%07d'\n" % (i, i)
                              for i in range(60000)))
    # as started from a terminal: a suite run as a background job (`... &`) ignores SIGINT, and
    # an ignored signal is inherited, so gcollect would rightly go on to the end
    proc = subprocess.Popen([sys.executable, "-m", "collector", "collect", "--root", str(host),
                             "--output", str(out), "--state-dir", str(tmp_path / "state"), "--quiet",
                             "--workers", workers], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(p.name.startswith(".gcollect-tmp") for p in out.iterdir()):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == code, err
    assert b"Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == []


def test_full_disk_gives_its_code_and_a_clean_tree(host, tmp_path):
    # Incompressible log lines: the preflight's estimate (a quarter of the input) passes, the
    # real bundle does not fit, so the disk fills up in the middle of the run.
    noise = host / APP_LOGS / "SIPS_P.20990101_000000_011.log"
    with open(noise, "wb") as handle:
        for index in range(100_000):
            handle.write(b"09:00:00.000 Trc 04541 " + os.urandom(96).hex().encode() + b"\n")
    with small_tmpfs(tmp_path / "small", "16m") as out:
        proc, _ = collect(host, out, "--reserve", "0", "--format", "tar.zst")
        assert proc.returncode == ExitCode.DISK_FULL, proc.stderr
        assert b"Traceback" not in proc.stderr
        assert sorted(p.name for p in out.iterdir()) == []


def _many_numbers(host: Path, count: int = 6000) -> None:
    """A segment with ``count`` different caller numbers: as many new tokens for the token map."""
    with open(host / APP_LOGS / "SIPS_P.20990101_000000_013.log", "wb") as handle:
        for index in range(count):
            handle.write(b"09:00:00.000 Trc 04541 RequestMakeCall\n\tAttributeANI\t'555%07d'\n" % index)


def test_state_folder_filling_up_while_the_bundle_is_written_is_disk_full_and_leaves_nothing(host, tmp_path,
                                                                                            monkeypatch):
    """The token map's disk fills in the middle of the run (sqlite's own SQLITE_FULL, the map capped
    at two more pages). Was: exit 3 "internal error: ProgrammingError: Cannot operate on a closed
    database" (cleaning up closed the token map again and stopped before NAME.partial was removed),
    and NAME.partial stayed in the output folder."""
    from collector import api
    from collector.errors import DiskFull
    from collector.redaction import tokens
    from collector.settings import RunSettings

    real_init = tokens.TokenStore.__init__

    def capped(self, path):
        real_init(self, path)
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        self._db.execute(f"PRAGMA max_page_count = {pages + 2}")

    monkeypatch.setattr(tokens.TokenStore, "__init__", capped)
    _many_numbers(host)
    settings = RunSettings(output_dir=tmp_path / "out", state_dir=tmp_path / "state", host_name="h1",
                           workers=1, low_priority=False)
    settings.output_dir.mkdir()
    with pytest.raises(DiskFull) as caught:
        api.collect(api.CollectRequest(root=host, settings=settings, facts=False))
    assert caught.value.fields["where"] == str(tmp_path / "state")
    assert list(settings.output_dir.iterdir()) == []


def test_full_state_disk_gives_its_code_one_line_and_a_clean_output_folder(host, tmp_path):
    """The same on a real small file system holding the state folder (the bundle goes elsewhere):
    there is room for the site key and an empty token map, not for this run's tokens."""
    _many_numbers(host)
    with small_tmpfs(tmp_path / "state", "1m") as state:
        state.chmod(0o700)                  # a tmpfs root is 1777; the state folder is the admin's own
        fill(state, leave=192 * 1024)                                # 192 KiB stay free
        out = tmp_path / "out"
        proc, _ = collect(host, out, "--reserve", "0", "--workers", "2")
        assert proc.returncode == ExitCode.DISK_FULL, proc.stderr
        assert proc.stderr.decode() == f"gcollect: error: no space left on {state}; nothing was kept\n"
        assert sorted(p.name for p in out.iterdir()) == []


@pytest.mark.parametrize("command", ["collect", "snapshot"])
def test_a_state_folder_already_full_is_one_line_naming_it(host, tmp_path, command):
    """Its first write (the site key, the snapshot lock or state) fails. Was: exit 3 "internal
    error: OSError: [Errno 28] No space left on device"."""
    with small_tmpfs(tmp_path / "state", "256k") as state:
        state.chmod(0o700)                  # a tmpfs root is 1777; the state folder is the admin's own
        fill(state)
        out = tmp_path / "out"
        out.mkdir()
        proc = run_gcollect(command, "--root", str(host), "--state-dir", str(state), "--output", str(out),
                            "--quiet", "--reserve", "0")
        assert proc.returncode == ExitCode.DISK_FULL, proc.stderr
        assert proc.stderr.decode() == f"gcollect: error: no space left on {state}; nothing was kept\n"
        assert list(out.iterdir()) == []
        assert [p.name for p in state.iterdir() if p.name.startswith(".")] == []


def test_a_piece_that_fills_the_output_disk_ends_the_run_as_disk_full(host, tmp_path):
    """A worker's temporary piece is the write that meets the full disk. Was: the file was left
    out as "cannot read: No space left on device" and the run went on (exit 1)."""
    from collector import member
    from collector.errors import DiskFull
    from collector.model import Window

    noise = host / APP_LOGS / "SIPS_P.20990101_000000_014.log"
    with open(noise, "wb") as handle:
        for _ in range(20_000):              # incompressible: about 2.6 MB of pieces
            handle.write(b"09:00:00.000 Trc 04541 " + os.urandom(96).hex().encode() + b"\n")
    with small_tmpfs(tmp_path / "small", "1m") as small:
        pieces = small / "pieces"
        pieces.mkdir()
        member.configure_worker(member.WorkerConfig(pieces, "tar.gz", None, b"k" * 32, tmp_path / "t.db", (),
                                                    Window(), 65536))     # the token map elsewhere
        try:
            with pytest.raises(DiskFull) as caught:
                member.process_member(_candidate(noise, f"{APP_LOGS}/{noise.name}", ("common-secrets",)))
        finally:
            member.close_worker()
        assert caught.value.fields["where"] == str(small)
        assert list(pieces.iterdir()) == []


def test_gzipped_rotation_is_redacted_and_stored_as_text(host, tmp_path):
    import gzip

    segment = newest_segment(host)
    data = segment.read_bytes() + b"\tAttributeANI\t'" + SECRET_NUMBER + b"'\n"
    target = segment.with_name(segment.name.replace("SIPS_P.", "SIPS_P.19") + ".gz")
    # two gzip members, as `cat a.gz b.gz` makes
    target.write_bytes(gzip.compress(data[: len(data) // 2]) + gzip.compress(data[len(data) // 2:]))
    outcome, _ = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    assert outcome.result.host_path == f"{APP_LOGS}/{target.name[:-3]}"
    assert outcome.result.original_path == f"{APP_LOGS}/{target.name}"
    assert outcome.result.size_out >= len(data) - 64 and "decompressed" in outcome.result.note
    with gzip.open(outcome.piece.path) as stored:
        text = stored.read()
    assert SECRET_NUMBER not in text and text.count(b"\n") == data.count(b"\n")
    assert outcome.result.redactions


def test_corrupt_gzip_is_left_out(host, tmp_path):
    target = host / APP_LOGS / "SIPS_P.20990101_000000_012.log.gz"
    target.write_bytes(b"\x1f\x8b\x08\x00garbage" + SECRET_NUMBER)
    outcome, pieces = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}", ("common-secrets",)), tmp_path)
    assert outcome.result is None and "gzip" in outcome.excluded.reason
    assert list(pieces.iterdir()) == []


def test_a_worker_killed_like_the_oom_killer_does_is_one_line_and_exit_40(host, tmp_path):
    """SIGKILL of one worker process ended the run with exit 3, "BrokenProcessPool ... please report it"."""
    import psutil

    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "collector", "collect", "--root", str(host), "--output", str(out),
                             "--state-dir", str(tmp_path / "state"), "--quiet", "--workers", "2"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    # the workers are forked first, before discovery; on a first run (this state folder is new)
    # a child that checks the rule sets comes and goes before them: wait for both workers
    while time.monotonic() < deadline and len(psutil.Process(proc.pid).children()) < 2:
        time.sleep(0.01)
    psutil.Process(proc.pid).children()[0].kill()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.BUNDLE_WRITE, err
    assert err.decode().count("\n") == 1 and "a worker process died (killed by SIGKILL" in err.decode(), err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("damage,reason", [
    (lambda whole: whole + b"garbage after the trailer", "after the end of the gzip stream"),
], ids=["garbage-after-the-trailer"])
def test_gzip_with_garbage_after_its_trailer_is_left_out_not_shipped_partial(host, tmp_path, damage,
                                                                                  reason):
    import gzip

    segment = newest_segment(host)
    whole = gzip.compress(segment.read_bytes() + b"\tAttributeANI\t'" + SECRET_NUMBER + b"'\n")
    target = segment.with_name(segment.name.replace("SIPS_P.", "SIPS_P.19") + ".gz")
    target.write_bytes(damage(whole))
    outcome, pieces = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.result is None and reason in outcome.excluded.reason
    assert list(pieces.iterdir()) == []


def test_gzip_padded_with_nuls_after_its_last_member_is_collected(host, tmp_path):
    import gzip

    data = newest_segment(host).read_bytes()
    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(gzip.compress(data[:500]) + gzip.compress(data[500:]) + b"\0" * 4096)
    outcome, _ = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    with gzip.open(outcome.piece.path) as stored:
        assert stored.read().count(b"\n") == data.count(b"\n")


def test_sigkill_at_random_moments_never_leaves_a_verifying_incomplete_bundle(host, tmp_path):
    import random

    from collector.integrity import ATOMIC_DIR_PREFIX
    from collector.verify import verify_bundle

    rng = random.Random(int(os.environ.get("GCOLLECT_KILL_SEED", "7")))
    out = tmp_path / "out"
    out.mkdir()
    complete_members = None
    for attempt in range(8):
        proc = subprocess.Popen([sys.executable, "-m", "collector", "collect", "--root", str(host),
                                 "--output", str(out), "--state-dir", str(tmp_path / "state"), "--quiet",
                                 "--workers", "2", "--host-name", f"try{attempt}"],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(rng.uniform(0.2, 4.0))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
        for bundle in out.glob("gcollect-*"):
            if not bundle.name.endswith((".tar.gz", ".tar.zst", ".zip")):
                continue
            report = verify_bundle(bundle)
            if report.ok:   # a bundle that verifies must be the whole thing
                members = dict(iter_members(bundle))
                manifest = json.loads(members["manifest.json"])
                listed = {f["path"] for f in manifest["files"]}
                assert listed <= set(members)
                if complete_members is None:
                    complete_members = len(listed)
                assert len(listed) == complete_members
            bundle.unlink()
            sidecar = bundle.with_name(bundle.name + ".sha256")
            if sidecar.exists():
                sidecar.unlink()
        for leftover in out.iterdir():      # what a SIGKILL leaves must never look complete
            assert leftover.name.endswith((".partial", ".sha256")) or leftover.name.startswith(
                (".gcollect-tmp", ATOMIC_DIR_PREFIX)), leftover.name      # the sidecar's atomic write
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()


def _noise_segments(host: Path, count: int, lines: int = 120_000) -> None:
    """``count`` segments of incompressible log lines (``lines`` of 216 bytes: 96 random bytes in hex,
    which the prefilter reads fast; random base64 is its slowest input, ~0.5 MB/s)."""
    for number in range(count):
        with open(host / APP_LOGS / f"SIPS_P.20990101_0{number}0000_011.log", "wb") as handle:
            for _ in range(lines):
                handle.write(b"09:00:00.000 Trc 04541 " + os.urandom(96).hex().encode() + b"\n")


def test_max_size_that_passes_the_preflight_leaves_files_out_and_never_touches_the_reserve(host, tmp_path):
    """probe K finding 5: --max-size + the reserve fit the free space, but the temporary pieces
    beside NAME.partial were not counted: the run filled the file system and ended in exit 21
    ("no space left") after all the work. Now a piece with no room above the reserve is left
    out (listed, exit 1) and the bundle is kept."""
    _noise_segments(host, 4, lines=100_000)
    with small_tmpfs(tmp_path / "small", "20m") as out:
        proc, report = collect(host, out, "--max-size", "15M", "--reserve", "2M", "--workers", "2")
        assert proc.returncode == ExitCode.PARTIAL, proc.stderr
        assert report is not None and os.path.getsize(report["bundle"]) <= 15 << 20
        assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_a_run_that_would_go_below_the_reserve_stops_with_one_line_naming_it(host, tmp_path):
    """The same without --max-size: the run stops before the reserve is touched, with one line
    that says so and how to get past it (was: "no space left", the disk filled to the last block)."""
    _noise_segments(host, 3, lines=60_000)
    with small_tmpfs(tmp_path / "small", "16m") as out:
        proc, _ = collect(host, out, "--reserve", "4M", "--format", "tar.zst")
        assert proc.returncode == ExitCode.DISK_FULL, proc.stderr
        assert proc.stderr.decode() == (f"gcollect: error: stopped before {out} went below the 4.0 MB that must "
                                        "stay free (--reserve); nothing was kept. Free space, choose another "
                                        "--output, narrow the window, or cap the bundle with --max-size\n")
        assert sorted(p.name for p in out.iterdir()) == []


# --- a gzip'ed rotation whose stream is cut short: what decompressed is kept, to its last newline ---

def _stored(piece) -> bytes:
    import gzip

    return gzip.decompress(piece.data) if piece.path is None else gzip.decompress(piece.path.read_bytes())


def _redacted_as_plain_text(text: bytes, host: Path, tmp_path: Path) -> bytes:
    """What gcollect stores for ``text`` as a plain log (same site key and token map)."""
    import gzip

    plain = host / APP_LOGS / "SIPS_P.19990101_000000_001.log"
    plain.write_bytes(text)
    outcome, _ = _process_alone(_candidate(plain, f"{APP_LOGS}/{plain.name}"), tmp_path)
    plain.unlink()
    assert outcome.excluded is None, outcome.excluded
    return _stored(outcome.piece)


def _text_before_cut(damaged: bytes) -> bytes:
    """What zlib decompresses of a damaged gzip file before it ends."""
    import zlib

    return zlib.decompressobj(wbits=31).decompress(damaged)


def _gzip_text(host: Path) -> bytes:
    secret_line = b"\tAttributeANI\t'" + SECRET_NUMBER + b"'\n"
    segment = newest_segment(host).read_bytes()
    return secret_line + segment + secret_line + segment[:2000] + secret_line


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9, -9, -1])
def test_a_gzip_cut_short_keeps_the_clean_text_up_to_its_last_newline_redacted(host, tmp_path, cut):
    """A killed gzip, a full disk, an incomplete copy: the text before the cut was left out whole."""
    import gzip

    text = _gzip_text(host)
    whole = gzip.compress(text, compresslevel=6)
    damaged = whole[: int(len(whole) * cut)] if cut > 0 else whole[:cut]   # -1, -9: in the trailer
    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(damaged)
    before_cut = _text_before_cut(damaged)
    assert text.startswith(before_cut) and SECRET_NUMBER in before_cut
    clean = before_cut[: before_cut.rfind(b"\n") + 1]
    outcome, _ = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    kept = _stored(outcome.piece)
    assert SECRET_NUMBER not in kept
    assert kept == _redacted_as_plain_text(clean, host, tmp_path)
    assert outcome.result.host_path == f"{APP_LOGS}/{target.name[:-3]}"
    assert (f"gzip stream truncated after {len(before_cut)} bytes of text: the rest is missing"
            in outcome.result.note), outcome.result.note
    assert "decompressed from" in outcome.result.note


def test_a_secret_cut_in_half_by_the_end_of_a_gzip_stream_is_never_shipped(host, tmp_path):
    import gzip

    head = newest_segment(host).read_bytes()[:3000]
    head = head[: head.rfind(b"\n") + 1]
    text = head + b"\tAttributeANI\t'" + SECRET_NUMBER + b"'\n"
    whole = gzip.compress(text, compresslevel=0)       # stored block: text bytes as they are
    half = whole.index(SECRET_NUMBER) + 5              # "55555" of "5555550199"
    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(whole[:half])
    assert _text_before_cut(whole[:half]).endswith(SECRET_NUMBER[:5])
    outcome, _ = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    kept = _stored(outcome.piece)
    assert kept == _redacted_as_plain_text(head, host, tmp_path)
    assert b"AttributeANI\t'" not in kept[-200:]
    assert "an incomplete line" in outcome.result.note


def test_a_gzip_cut_after_a_cr_typed_inside_a_value_drops_the_whole_line(host, tmp_path):
    """Probe Z 1 (a .gz cut short): a CR alone inside a record of LF text is no line end (crlines),
    so a cut just after one drops the record's start too: `password='Pw` was handed on alone."""
    import gzip

    head = newest_segment(host).read_bytes()[:3000]
    head = head[: head.rfind(b"\n") + 1]
    text = head + b"09:15:07.000 Std 09900 login password='Tq7Pw\rZz9x' user=agent1\n"
    whole = gzip.compress(text, compresslevel=0)       # stored block: text bytes as they are
    cut = whole.index(b"Tq7Pw\r") + 6                   # just after the CR
    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(whole[:cut])
    assert _text_before_cut(whole[:cut]).endswith(b"Tq7Pw\r")
    outcome, _ = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    kept = _stored(outcome.piece)
    assert kept == _redacted_as_plain_text(head, host, tmp_path)
    assert b"Tq7" not in kept and "an incomplete line" in outcome.result.note


def test_a_gzip_cut_short_then_zero_filled_keeps_the_text_before_the_zeros(host, tmp_path):
    """After a crash the blocks past the cut read as zeros: they are never decompressed as data."""
    import gzip

    text = _gzip_text(host)
    whole = gzip.compress(text)
    cut = whole[: len(whole) // 2]
    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(cut + bytes(8192))
    before_cut = _text_before_cut(cut)
    outcome, _ = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    assert _stored(outcome.piece) == _redacted_as_plain_text(before_cut[: before_cut.rfind(b"\n") + 1], host, tmp_path)
    assert f"after {len(before_cut)} bytes of text" in outcome.result.note


@pytest.mark.parametrize("where", [0.5, 0.9])
def test_a_gzip_corrupt_in_the_middle_is_left_out(host, tmp_path, where):
    """What decompressed before a corrupt byte cannot be trusted (deflate finds the damage only
    later, the CRC only at the end): left out, never stored partial."""
    import gzip

    whole = bytearray(gzip.compress(_gzip_text(host)))
    whole[int(len(whole) * where)] ^= 0x55
    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(bytes(whole))
    outcome, pieces = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.result is None and "gzip" in outcome.excluded.reason, outcome.excluded
    assert list(pieces.iterdir()) == []


def test_a_gzip_cut_inside_its_header_is_left_out(host, tmp_path):
    import gzip

    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(gzip.compress(_gzip_text(host))[:6])
    outcome, pieces = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.result is None and "truncated gzip" in outcome.excluded.reason, outcome.excluded
    assert list(pieces.iterdir()) == []


def test_collect_keeps_a_cut_gzip_notes_it_and_exits_partial(host, tmp_path):
    import gzip

    text = _gzip_text(host)
    whole = gzip.compress(text)
    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(whole[: len(whole) * 2 // 3])
    before_cut = _text_before_cut(whole[: len(whole) * 2 // 3])
    proc, report = collect(host, tmp_path / "out", "--all-logs")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    manifest, members = manifest_of(report)
    rel = f"{APP_LOGS}/{target.name[:-3]}"
    assert manifest["excluded"] == []
    assert report["gzip_truncated"] == [rel]
    [note] = [f["note"] for f in manifest["files"] if f["path"] == rel]
    assert f"gzip stream truncated after {len(before_cut)} bytes of text: the rest is missing" in note
    assert members[rel].endswith(b"\n") and members[rel].count(b"\n") == before_cut.count(b"\n")
    assert all(SECRET_NUMBER not in data for data in members.values())
    assert_clean(tmp_path / "out")


def test_a_whole_gzip_whose_trailer_ends_in_zeros_is_unchanged(host, tmp_path):
    """The size field of a small member's trailer ends in NUL bytes: that is no zero-filled cut."""
    import gzip

    text = newest_segment(host).read_bytes()[:5000]
    text = text[: text.rfind(b"\n") + 1]
    whole = gzip.compress(text)
    assert whole.endswith(b"\0\0")
    target = host / APP_LOGS / "SIPS_P.19990101_000000_000.log.gz"
    target.write_bytes(whole)
    outcome, _ = _process_alone(_candidate(target, f"{APP_LOGS}/{target.name}"), tmp_path)
    assert outcome.excluded is None, outcome.excluded
    assert outcome.result.note == f"decompressed from {target.name}"
    assert _stored(outcome.piece) == _redacted_as_plain_text(text, host, tmp_path)


@pytest.mark.parametrize("command", ["collect", "snapshot"])
def test_the_crash_line_of_a_finished_segment_and_snapshot_log_is_shipped_redacted(host, tmp_path, command):
    """Probe V 12: after a crash the old segment and the *.snapshot.log end in a line without a
    newline, the one support needs. They are no longer written (the application went on in a
    newer segment): that line is shipped, redacted like any line. The live segment's unfinished
    line is still left out."""
    live = newest_segment(host)
    crash_line = b"15:59:59.000 Alr 05010 CRASH-LAST fatal: SIGSEGV, AttributeANI '" + SECRET_NUMBER + b"'"
    older = live.with_name("SIPS_P.19990101_000000_000.log")
    older.write_bytes(live.read_bytes()[:2000].rsplit(b"\n", 1)[0] + b"\n" + crash_line)
    snapshot = live.with_name("SIPS_P.19990101_000000_000.snapshot.log")
    snapshot.write_bytes(older.read_bytes().replace(b"CRASH-LAST", b"SNAP-LAST"))
    two_days_ago = time.time() - 2 * 86400
    for path in (older, snapshot):
        os.utime(path, (two_days_ago, two_days_ago))
    with open(live, "ab") as handle:
        handle.write(UNFINISHED["dnis"])
    if command == "collect":
        proc, report = collect(host, tmp_path / "out", "--all-logs")
    else:
        (tmp_path / "out").mkdir()
        proc = run_gcollect("snapshot", "--root", str(host), "--output", str(tmp_path / "out"), "--state-dir",
                            str(tmp_path / "state"), "--json", "--priority", "normal")
        report = json.loads(proc.stdout)
    assert proc.returncode == ExitCode.OK, proc.stderr
    manifest, members = manifest_of(report)
    notes = {f["path"]: f.get("note", "") for f in manifest["files"]}
    for path, label in ((older, b"CRASH-LAST"), (snapshot, b"SNAP-LAST")):
        stored = members[f"{APP_LOGS}/{path.name}"]
        last = stored.rsplit(b"\n", 1)[1]
        assert last.startswith(b"15:59:59.000 Alr 05010 " + label) and b"PHONE_" in last, last
        assert "left out" not in notes[f"{APP_LOGS}/{path.name}"]
        raw = crash_line.replace(b"CRASH-LAST", label)
        assert f"its {len(raw)} bytes kept, redacted like any line" in notes[f"{APP_LOGS}/{path.name}"]
    assert members[f"{APP_LOGS}/{live.name}"].endswith(b"\n")      # the live segment's half line: not yet
    assert command == "snapshot" or notes[f"{APP_LOGS}/{live.name}"].startswith("its last line had no newline")
    assert all(SECRET_NUMBER not in data for data in members.values())
    assert not report["scan_findings"]



def test_a_stopped_app_with_every_segment_gzipped_is_collected(tmp_path):
    """Probe V 13: a site job gzipped all segments of a stopped SIP Server whose log path no
    config names. The installation was found (its start script), but none of its logs was
    collected and nothing said so (exit 0): discovery knew its log base only from ``*.log``
    files. Every ``.log.gz`` is now collected, as redacted text."""
    import gzip

    root = tmp_path / "host"
    (root / "etc").mkdir(parents=True)
    (root / "etc/hostname").write_text("probe-host\n")
    app = root / "opt/genesys/SIPS_P"
    app.mkdir(parents=True)
    (app / "sip_server").write_bytes(b"\x7fELF")
    (app / "run.sh").write_text("#!/bin/sh\ncd /opt/genesys/SIPS_P\n./sip_server -host cfghost -port 2020 -app SIPS_P\n")
    logs = root / APP_LOGS
    logs.mkdir(parents=True)
    names = []
    for number, stamp in ((1, "20261127_150000_000"), (2, "20261127_160000_000")):
        name = f"SIPS_P.{stamp}.log"
        text = ("Genesys SIP Server, version 8.1.104.37\nApplication name:   SIPS_P\nApplication type:   TServer\n"
                "Host name:          probe-host\nLocal time:         2026-11-27T15:00:00.000\nTime zone:          0\n"
                f"File:               ({number:010d}) {name}\n"
                "Command line:       ./sip_server -host cfghost -port 2020 -app SIPS_P\n"
                f"15:01:0{number}.000 Std 05000 GZONLY ANI '{SECRET_NUMBER.decode()}'\n")
        (logs / (name + ".gz")).write_bytes(gzip.compress(text.encode()))
        names.append(name)
    proc, report = collect(root, tmp_path / "out", "--all-logs")
    assert proc.returncode == ExitCode.OK, proc.stderr
    manifest, members = manifest_of(report)
    stored = {f["path"]: f for f in manifest["files"]}
    for name in names:
        rel = f"{APP_LOGS}/{name}"
        assert rel in stored and stored[rel]["note"].startswith("decompressed from"), (rel, sorted(stored))
        assert b"GZONLY ANI 'PHONE_" in members[rel]
        assert stored[rel]["log_stats"]["stream"] == f"{APP_LOGS}/SIPS_P"       # probe X 10: one stream
    assert all(SECRET_NUMBER not in data for data in members.values())
    shown = run_gcollect("inspect", report["bundle"])
    assert shown.returncode == 0, shown.stderr.decode()
    assert "Log streams (1):" in shown.stdout.decode() and f"{APP_LOGS}/SIPS_P " in shown.stdout.decode()


def test_a_collect_ships_the_crash_line_of_a_stopped_apps_newest_segment(host, tmp_path):
    """Probe X 9: a stopped application (a --root copy of a host, quiet for hours) never writes
    the newline of its newest segment's crash line. A collect takes that segment as finished
    (quiet FINISHED_QUIET): the line is shipped, redacted, and the manifest says why."""
    live = newest_segment(host)
    crash_line = b"15:59:59.000 Alr 05010 STOPPED-LAST fatal: SIGSEGV, AttributeANI '" + SECRET_NUMBER + b"'"
    with open(live, "ab") as handle:
        handle.write(crash_line)
    for segment in (host / APP_LOGS).iterdir():         # the app stopped eleven hours ago
        mtime = segment.stat().st_mtime - 11 * 3600
        os.utime(segment, (mtime, mtime))
    proc, report = collect(host, tmp_path / "out", "--all-logs")
    assert proc.returncode == ExitCode.OK, proc.stderr
    manifest, members = manifest_of(report)
    rel = f"{APP_LOGS}/{live.name}"
    last = members[rel].rsplit(b"\n", 1)[1]
    assert last.startswith(b"15:59:59.000 Alr 05010 STOPPED-LAST") and b"PHONE_" in last, last
    assert [f["note"] for f in manifest["files"] if f["path"] == rel] == [
        "its last line had no newline, and the file was not written in the 5 minutes before the run "
        f"(a crash or a stop cut the line): its {len(crash_line)} bytes kept, redacted like any line"]
    assert all(SECRET_NUMBER not in data for data in members.values())
    assert not report["scan_findings"]


def test_a_snapshot_takes_the_held_last_line_once_the_segment_is_finished(host, tmp_path):
    """Probe V 12 (snapshot): a quiet live segment's last line had no newline: left for later.
    The application then went on in a newer segment: the next snapshot takes that line, though
    the old segment itself never changed (its entry records the size as read)."""
    live = newest_segment(host)
    crash_line = b"15:59:59.000 Alr 05010 HELD-LAST fatal: SIGSEGV, AttributeANI '" + SECRET_NUMBER + b"'"
    with open(live, "ab") as handle:
        handle.write(crash_line)
    for segment in (host / APP_LOGS).iterdir():         # the app quiet for two days
        mtime = segment.stat().st_mtime - 2 * 86400
        os.utime(segment, (mtime, mtime))

    def snapshot() -> tuple[dict, dict[str, bytes]]:
        (tmp_path / "out").mkdir(exist_ok=True)
        proc = run_gcollect("snapshot", "--root", str(host), "--output", str(tmp_path / "out"), "--state-dir",
                            str(tmp_path / "state"), "--json", "--priority", "normal")
        assert proc.returncode == ExitCode.OK, proc.stdout.decode()[-3000:]
        report = json.loads(proc.stdout)
        return report, (manifest_of(report)[1] if report["bundle"] else {})

    report, first = snapshot()
    rel = f"{APP_LOGS}/{live.name}"
    assert first[rel].endswith(b"\n") and b"HELD-LAST" not in first[rel]
    # probe Z 4: the held line is reported (manifest note, JSON, -v), not kept silently
    waiting = [{"path": rel, "bytes": len(crash_line)}]
    assert report["waiting_lines"] == waiting
    note = json.loads(first["manifest.json"])["files"]
    assert [f["note"] for f in note if f["path"] == rel] == [
        f"its last line has no newline yet ({len(crash_line)} bytes), though the file was not written in the 5 "
        "minutes before the run: left for a later snapshot, which takes it once a newer segment shows that the "
        "application went on (a stopped or crashed application's last line; a paused one may still finish it)"]
    report, second = snapshot()
    # still the newest: still held, however quiet (a paused writer may finish the line later,
    # and the next snapshot would start inside it: selection.finished_files' quiet_newest)
    assert rel not in second and report["waiting_lines"] == waiting
    verbose = run_gcollect("snapshot", "--root", str(host), "--output", str(tmp_path / "out"), "--state-dir",
                           str(tmp_path / "state"), "-v", "--priority", "normal")
    assert verbose.returncode == ExitCode.OK and verbose.stderr == b""
    assert verbose.stdout.decode().splitlines()[1] == (
        f"gcollect snapshot: 1 file(s) end in a line without a newline though not written for 5 minutes, "
        f"e.g. /{rel} ({len(crash_line)} bytes): left for a later snapshot, which takes it once a newer segment "
        "shows that the application went on (a stopped or crashed application's last line; a paused one may "
        "still finish it)")
    newer = live.with_name("SIPS_P.20991231_000000_000.log")
    newer.write_bytes(live.read_bytes()[:200].rsplit(b"\n", 1)[0] + b"\n")
    report, third = snapshot()
    assert third[rel].rsplit(b"\n", 1)[-1].startswith(b"15:59:59.000 Alr 05010 HELD-LAST"), third[rel][-200:]
    assert b"PHONE_" in third[rel].rsplit(b"\n", 1)[-1] and not report["scan_findings"]
    assert all(SECRET_NUMBER not in data for data in list(first.values()) + list(third.values()))
