"""End to end on a Windows host copy with PureConnect: the Windows Application and System event
logs support asks for are taken, like the .ininlog traces, only with the unredacted-binary consent,
chosen by mtime, byte for byte and marked; the Security log never."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from collector.bundlereader import iter_members
from collector.selection import BINARY_SKIP
from tests.cli.conftest import run_gcollect
from tests.hostfs import put

UTC = timezone.utc
EVENTS = "C/Windows/System32/winevt/Logs"
ININLOG = "D/I3/IC/Logs/2024-03-05/Notifier.ininlog"
WINDOW = ("--since", "2024-03-05T15:00:00Z", "--until", "2024-03-05T16:00:00Z")
# binary, with bytes that look like time-only record lines outside the window
RAW = b"ElfFile\x00\x01\x02\n08:00:00.000 not a record\n\x00\xff23:00:00.000 x\n\x00" * 8


def make_tree(root: Path) -> None:
    written = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)       # last written after the window
    put(root, "D/I3/IC/Server/NotifierU.exe", b"MZ", written)
    put(root, ININLOG, b"\x00ININLOG" + RAW, written)
    put(root, f"{EVENTS}/Application.evtx", RAW, written)
    put(root, f"{EVENTS}/System.evtx", RAW, datetime(2024, 3, 4, 12, 0, tzinfo=UTC))   # ends before it
    put(root, f"{EVENTS}/Security.evtx", RAW, written)


def collect(root: Path, tmp_path: Path, *extra: str):
    return run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--priority", "normal", *WINDOW, *extra)


def test_windows_event_logs_are_taken_for_pureconnect_with_binary_consent_by_mtime(tmp_path: Path) -> None:
    root = tmp_path / "host"
    make_tree(root)

    refused = collect(root, tmp_path, "--dry-run", "--json")
    assert refused.returncode == 0, refused.stderr.decode()
    plan = json.loads(refused.stdout)
    assert {row["path"] for row in plan["files"]} == set()
    assert {s["path"]: s["reason"] for s in plan["skipped"]}[f"{EVENTS}/Application.evtx"] == BINARY_SKIP

    dry = collect(root, tmp_path, "--dry-run", "--json", "--include-unredacted-binary")
    plan = json.loads(dry.stdout)
    assert {row["path"]: (row["reason"], row["trim"]) for row in plan["files"]} == {
        f"{EVENTS}/Application.evtx": ("in window (binary log: taken whole)", False),
        ININLOG: ("in window (binary log: taken whole)", False)}
    skipped = {s["path"]: s["reason"] for s in plan["skipped"]}
    assert skipped[f"{EVENTS}/System.evtx"] == "outside window"
    assert not any("Security" in path for path in skipped)             # not a file of any profile

    proc = collect(root, tmp_path, "--include-unredacted-binary")
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "UNREDACTED: 2 binary files shipped raw by your consent" in out
    bundle = next(line.split()[1] for line in out.splitlines() if line.startswith("bundle:"))
    members = dict(iter_members(Path(bundle)))
    assert members[f"{EVENTS}/Application.evtx"] == RAW                  # byte for byte, nothing trimmed
    assert members[ININLOG] == b"\x00ININLOG" + RAW
    assert not any(name.endswith(("Security.evtx", "System.evtx")) for name in members)
    files = {f["path"]: f for f in json.loads(members["manifest.json"])["files"]}
    assert files[f"{EVENTS}/Application.evtx"]["unredacted"] is True
    assert files[f"{EVENTS}/Application.evtx"]["kind"] == "binary-log"
