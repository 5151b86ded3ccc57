"""Probe R, end to end on small Windows-origin trees (a copied PureConnect CIC host under --root):
a 12-hour clock in CIC .txt logs (5), UTF-16 XML configs stored as UTF-8 (10), Event Viewer
exports in the CIC Logs share (6)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect

DAY = "D/I3/IC/Logs/2026-11-27"
AMPM = (b"11/27/2026 02:15:00.000 AM TsServer: night call\r\n"
        b"11/27/2026 12:30:00.000 PM TsServer: lunch\r\n"
        b"11/27/2026 02:15:00.000 PM TsServer: afternoon call\r\n"
        b"11/27/2026 03:30:00.000 PM TsServer: later\r\n")
NET_AMPM = (b"11/27/2026 2:15:00 AM night call\r\n"
            b"11/27/2026 2:15:00 PM afternoon call\r\n"
            b"11/27/2026 3:30:00 PM later\r\n")


MTIME = datetime(2026, 11, 27, 15, 40, tzinfo=timezone.utc).timestamp()


def _put(root: Path, rel: str, data: bytes, mtime: float = MTIME) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def _cic_host(root: Path) -> None:
    _put(root, "D/I3/IC/Server/NotifierU.exe", b"MZ")


def _collect(tmp_path: Path, root: Path, since: str, until: str, *extra: str) -> tuple[dict, dict]:
    out = tmp_path / f"out-{since}"
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(tmp_path / "state"),
                        "--json", "--priority", "normal", "--since", f"2026-11-27T{since}:00Z",
                        "--until", f"2026-11-27T{until}:00Z", *extra, env={"TZ": "UTC"})
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    return members, json.loads(members["manifest.json"])


def test_a_12_hour_clock_is_read_with_its_am_pm_marker(tmp_path):
    root = tmp_path / "host"
    _cic_host(root)
    _put(root, f"{DAY}/TsServer.txt", AMPM)
    _put(root, f"{DAY}/WebApp.txt", NET_AMPM)
    members, _ = _collect(tmp_path, root, "14:00", "15:00")
    assert members[f"{DAY}/TsServer.txt"] == b"11/27/2026 02:15:00.000 PM TsServer: afternoon call\r\n"
    assert members[f"{DAY}/WebApp.txt"] == b"11/27/2026 2:15:00 PM afternoon call\r\n"
    members, _ = _collect(tmp_path, root, "12:00", "13:00")
    assert members[f"{DAY}/TsServer.txt"] == b"11/27/2026 12:30:00.000 PM TsServer: lunch\r\n"
    members, _ = _collect(tmp_path, root, "02:00", "03:00")
    assert members[f"{DAY}/TsServer.txt"] == b"11/27/2026 02:15:00.000 AM TsServer: night call\r\n"


def test_a_utf16_xml_config_stored_as_utf8_declares_utf8(tmp_path):
    import xml.etree.ElementTree as ET

    root = tmp_path / "host"
    _cic_host(root)
    config = ('<?xml version="1.0" encoding="utf-16"?>\r\n<configuration>\r\n  <appSettings>\r\n'
              '    <add key="Password" value="MailPw_77" />\r\n    <add key="Note" value=\'encoding="utf-16"\' />\r\n'
              '  </appSettings>\r\n</configuration>\r\n')
    _put(root, "D/I3/IC/Server/Mail.config", b"\xff\xfe" + config.encode("utf-16-le"))
    members, manifest = _collect(tmp_path, root, "14:00", "15:00")
    stored = members["D/I3/IC/Server/Mail.config"]
    assert stored.startswith(b'<?xml version="1.0" encoding="utf-8"?>\r\n<configuration>')
    assert b"MailPw_77" not in stored and b"value='encoding=\"utf-16\"'" in stored   # only the declaration
    ET.fromstring(stored)                                                            # parses
    note = {f["path"]: f for f in manifest["files"]}["D/I3/IC/Server/Mail.config"]["note"]
    assert "converted from UTF-16LE to UTF-8" in note and 'encoding="utf-8"' in note


EVTX = f"{DAY}/Application_export.evtx"
CSV = f"{DAY}/Application_export.csv"


def _event_exports(root: Path) -> None:
    _cic_host(root)
    mtime = datetime(2026, 11, 27, 14, 40, tzinfo=timezone.utc).timestamp()
    _put(root, EVTX, b"ElfFile\0" + bytes(120), mtime)
    _put(root, CSV, b"Level,Date and Time,Source,Event ID,Task Category\r\n"
                    b'Error,11/27/2026 02:17:00 PM,Interaction Center,5001,None,"Login failed, caller 5555550145"\r\n',
         mtime)


def test_event_viewer_exports_in_the_logs_share_are_listed_without_consent(tmp_path):
    root = tmp_path / "host"
    _event_exports(root)
    members, manifest = _collect(tmp_path, root, "14:00", "15:00")
    assert EVTX not in members
    skipped = {s["path"]: s["reason"] for s in manifest["skipped"]}
    assert "--include-unredacted-binary" in skipped[EVTX]
    assert b"Interaction Center,5001" in members[CSV] and b"5555550145" not in members[CSV]


def test_event_viewer_evtx_export_ships_with_consent(tmp_path):
    root = tmp_path / "host"
    _event_exports(root)
    members, manifest = _collect(tmp_path, root, "14:00", "15:00", "--include-unredacted-binary")
    assert members[EVTX] == b"ElfFile\0" + bytes(120)
    assert {f["path"]: f for f in manifest["files"]}[EVTX].get("unredacted") is True


def test_a_file_in_a_cic_day_folder_that_no_spec_takes_is_listed(tmp_path):
    root = tmp_path / "host"
    _event_exports(root)
    _put(root, f"{DAY}/Application_export.xml", b"<Events/>")
    _put(root, "D/I3/IC/Logs/stray.rtf", b"{\\rtf1 notes}")
    _put(root, "D/I3/IC/Logs/2026-11-27/TsServer.dmp", b"MDMP")
    _put(root, "D/I3/IC/Logs/2026-10-01/Old.txt", b"10/01/2026 02:15:00.000 PM old\r\n",
         datetime(2026, 10, 1, 15, tzinfo=timezone.utc).timestamp())
    members, manifest = _collect(tmp_path, root, "14:00", "15:00")
    skipped = {s["path"]: s["reason"] for s in manifest["skipped"]}
    assert "core dump" in skipped[f"{DAY}/TsServer.dmp"]
    for stray in (f"{DAY}/Application_export.xml", "D/I3/IC/Logs/stray.rtf"):
        assert "no pattern of pureconnect-cic takes this name" in skipped[stray], skipped
    assert skipped["D/I3/IC/Logs/2026-10-01/Old.txt"] == "outside window"      # taken by a spec: not a stray
    assert CSV in members and CSV not in skipped and "no pattern" not in skipped[EVTX]
