"""End to end on a small tree: files support needs that used to be left out as "binary" (UTF-16
configs, logs padded with NULs or with a NUL inside their text) are collected as redacted UTF-8 text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect

HEADER = ("Genesys SIP Server, version 8.1.104.37\nApplication name:  SIPS_A\nApplication type:  TServer\n"
          "Host name:  probe-gen01\nLocal time:  2026-11-25T09:00:00.000\nStart time (UTC):  2026-11-25T14:00:00.000\n"
          "Time zone:  18000\nFile:  (0000000007) {name}\n"
          "Command line:  ./sip_server -host cfghost -port 2020 -app SIPS_A\n")
PC_INI = "D/I3/IC/Server/utf16.ini"
SIPS_INI = "opt/genesys/SIPS_A/SIPS_A.ini"
LOGS = "var/log/genesys/SIPS_A"
SNAPSHOT = f"{LOGS}/SIPS_A.20261125_090000_000.snapshot.log"
SEGMENT = f"{LOGS}/SIPS_A-768.20261125_090000_000.log"
RINGING = (b"@09:15:05.8712 [0] 8.1.104.37 distribute_event: message EventRinging\n"
           b"\tAttributeANI\t'5550103456'\n\tAttributeConnID\t007b02aa3c1f0011\n")


def make_tree(root: Path) -> None:
    def put(rel: str, data: bytes) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)

    # PureConnect server config as Windows writes it: UTF-16LE with a BOM, CRLF (F21)
    put(PC_INI, b"\xff\xfe" + "[Database]\r\nPassword=Secret123\r\nServer=db01 M\u00fcller\r\n".encode("utf-16-le"))
    put("opt/genesys/SIPS_A/sip_server", b"\x7fELF")
    put("opt/genesys/SIPS_A/run.sh", b'#!/bin/sh\ncd /opt/genesys/SIPS_A\n./sip_server -host cfghost -port 2020'
                                     b' -app SIPS_A "$@"\n')
    put(SIPS_INI, b"\xfe\xff" + "[TServer]\npassword=BeSecret77\n".encode("utf-16-be"))
    # the snapshot after a crash: 4 KB of NULs after the last record (T2)
    put(SNAPSHOT, HEADER.format(name=Path(SNAPSHOT).name).encode() + RINGING + bytes(4096))
    # one NUL inside a line: removed, the log collected and redacted
    put(SEGMENT, HEADER.format(name=Path(SEGMENT).name).encode()
        + b"09:15:05.000 Std 09900 ok\x00\n09:15:06.000 Std 09900 ANI '5550103250'\n")


def test_utf16_configs_and_a_nul_padded_snapshot_are_collected_redacted(tmp_path):
    root = tmp_path / "host"
    make_tree(root)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--all-logs", "--json", "--priority", "normal")
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    report = json.loads(proc.stdout)
    members = dict(iter_members(Path(report["bundle"])))
    manifest = json.loads(members["manifest.json"])
    files = {f["path"]: f for f in manifest["files"]}
    stored = {path: members[path] for path in (PC_INI, SIPS_INI, SNAPSHOT)}

    assert stored[PC_INI] == "[Database]\r\nPassword=REDACTED\r\nServer=db01 M\u00fcller\r\n".encode("utf-8")
    assert files[PC_INI]["note"] == "converted from UTF-16LE to UTF-8"
    assert stored[SIPS_INI] == b"[TServer]\npassword=REDACTED\n"
    assert files[SIPS_INI]["note"] == "converted from UTF-16BE to UTF-8"

    snapshot = stored[SNAPSHOT]
    assert snapshot.startswith(b"Genesys SIP Server") and b"\0" not in snapshot and b"5550103456" not in snapshot
    assert snapshot.endswith(b"\tAttributeANI\t'PHONE_" + snapshot.rsplit(b"PHONE_", 1)[1])
    assert b"\tAttributeConnID\t007b02aa3c1f0011\n" in snapshot               # correlation kept
    assert files[SNAPSHOT]["note"] == "4096 trailing NUL bytes dropped"

    assert members[SEGMENT].endswith(b"09:15:05.000 Std 09900 ok\n09:15:06.000 Std 09900 ANI '"
                                     + members[SEGMENT].rsplit(b"ANI '", 1)[1])
    assert b"\0" not in members[SEGMENT] and b"PHONE_" in members[SEGMENT]
    assert files[SEGMENT]["note"] == "1 NUL byte removed from the text (1 place: a crash or an unflushed write)"
    assert not [e for e in manifest["excluded"] if e["path"] == SEGMENT]
    assert report["scan_findings"] == []
    for secret in (b"Secret123", b"BeSecret77", b"5550103456", b"5550103250",
                   "Secret123".encode("utf-16-le"), "BeSecret77".encode("utf-16-be")):
        assert all(secret not in data for data in members.values()), secret


USER_DATA = (b"@09:15:07.0001 [0] 8.1.104.37 distribute_event: message EventRinging\n"
             b"\tAttributeANI\t'5550106601'\n\tAttributeUserData\t[88] 00 03 00 00..\n"
             b"\t\t'CustomerName'\t'Quokka Oscar'\n\t\t'EmailAddress'\t'oscar@example.org'\n"
             b"\t\t'AccountNumber'\t'40001234'\n09:15:08.000 Std 05000 end\n")
CR_SEGMENT = f"{LOGS}/SIPS_A.20261125_091500_000.log"


@pytest.mark.parametrize("command", ["collect", "snapshot"])
def test_cr_only_log_is_redacted_like_its_lf_form(tmp_path, command):
    """Probe V 1: a log whose lines end in CR alone had its user-data pairs (which need the line
    before) shipped raw: the redactor read the whole text as one line. Its lines are now read
    as LF lines by every stage and stored with LF (the manifest says so)."""
    root = tmp_path / "host"
    make_tree(root)
    text = HEADER.format(name=Path(CR_SEGMENT).name).encode() + USER_DATA
    (root / CR_SEGMENT).write_bytes(text.replace(b"\n", b"\r"))
    proc = run_gcollect(command, "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--json", "--priority", "normal",
                        *(["--all-logs"] if command == "collect" else []))
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    stored = members[CR_SEGMENT]
    for secret in (b"Quokka Oscar", b"40001234", b"oscar@example.org", b"5550106601"):
        assert secret not in stored, (secret, stored)
    assert b"\t\t'CustomerName'\t'USERDATA_" in stored and b"\t\t'AccountNumber'\t'USERDATA_" in stored
    assert b"\r" not in stored and stored.count(b"\n") == text.count(b"\n")      # one LF for each CR
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"] == CR_SEGMENT)
    assert "line ends that were a CR alone (old Mac style) stored as LF" in entry["note"]


MIXED_SEGMENT = f"{LOGS}/SIPS_A.20261125_093000_000.log"


@pytest.mark.parametrize("header_end", [b"\n", b"\r\n"])
def test_cr_records_after_an_lf_header_are_redacted(tmp_path, header_end):
    """Probe Y 1: records that end in CR alone after a header that ends in LF (or CRLF) had
    their user data shipped raw, with no scanner finding and no note: only a CR-only start
    made the CRs line ends. A CR alone is a line end wherever it is."""
    root = tmp_path / "host"
    make_tree(root)
    header = HEADER.format(name=Path(MIXED_SEGMENT).name).encode().replace(b"\n", header_end)
    (root / MIXED_SEGMENT).write_bytes(header + USER_DATA.replace(b"\n", b"\r"))
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--json", "--priority", "normal", "--all-logs")
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    stored = members[MIXED_SEGMENT]
    for secret in (b"Quokka Oscar", b"40001234", b"oscar@example.org", b"5550106601"):
        assert secret not in stored, (secret, stored)
    assert b"\t\t'CustomerName'\t'USERDATA_" in stored and b"\t\t'AccountNumber'\t'USERDATA_" in stored
    assert stored.startswith(header) and b"\r" not in stored[len(header):]
    assert stored.endswith(b"09:15:08.000 Std 05000 end\n")
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"] == MIXED_SEGMENT)
    records = USER_DATA.count(b"\n")
    assert f"{records} line ends that were a CR alone (old Mac style) stored as LF" in entry["note"]


TYPED_CR_SEGMENT = f"{LOGS}/SIPS_A.20261125_094500_000.log"
TYPED_CR = (b"09:30:07.000 Dbg 00001 POST /genesys/2/chat/customer-support/send"
            b' {"message":"hello\rI live at 9 Wren Close\rthanks","nickname":"Ottoline Marsh"}\n'
            b"\t\t'Text'\t'hello\rmy address is 12 Rook Lane'\n"
            b"09:30:08.000 Std 09900 login password='PwZz\rCR10' user=agent1\n"
            b"09:30:09.000 Trc 04541 RequestRouteCall received\nCall-ID: 7a1c\r\r\n"
            b"09:30:10.000 Std 05000 end\n")


@pytest.mark.parametrize("command", ["collect", "snapshot"])
def test_a_cr_typed_inside_a_record_keeps_the_value_whole(tmp_path, command):
    """Probe Z 1 and 2: a CR alone inside a record of an LF log (a line break a customer typed
    into a chat message, one inside a password value) cut the line there once every CR alone
    ended a line: the chat text after it shipped raw with no finding, the password's second
    half was flagged and the run failed; a CR before a CRLF became an empty line. A CR inside
    a double-quoted string or a value opened after = or : stays inside its line, stored as a
    space (the rules read a value up to a CR); the one before a CRLF stays as it is."""
    root = tmp_path / "host"
    make_tree(root)
    (root / TYPED_CR_SEGMENT).write_bytes(HEADER.format(name=Path(TYPED_CR_SEGMENT).name).encode() + TYPED_CR)
    proc = run_gcollect(command, "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--json", "--priority", "normal",
                        *(["--all-logs"] if command == "collect" else []))
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    stored = members[TYPED_CR_SEGMENT]
    for secret in (b"Wren Close", b"thanks", b"Ottoline", b"Rook Lane", b"PwZz", b"CR10"):
        assert secret not in stored, (secret, stored)
    assert b'{"message":"REDACTED-TEXT"' in stored and b"Call-ID: 7a1c\r\r\n09:30:10.000" in stored
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"] == TYPED_CR_SEGMENT)
    # the KVList value's CR ends a line (its continuation is masked by the KVList rule); the
    # chat message's two and the password's one are inside values
    assert ("1 line ends that were a CR alone (old Mac style) stored as LF; 3 CRs alone inside records "
            "(a line break typed into a value) stored as spaces") in entry["note"]
