"""`gcollect collect --call CONNID`: only that call's records, plus a merged call-<id>.log."""

from __future__ import annotations

import json
import re
from pathlib import Path

from collector.bundlereader import iter_members
from tests.cli.conftest import run_gcollect

CONNID = re.compile(rb"\b[0-9a-f]{16}\b")


def test_call_keeps_one_call_across_applications(demo_host, tmp_path):
    root, ledger = demo_host
    sips = b"".join(p.read_bytes() for p in (root / "var/log/genesys/SIPS_P").glob("SIPS_P.*.log"))
    urs = b"".join(p.read_bytes() for p in (root / "var/log/genesys/URS_P").glob("URS_P.*.log"))
    seed = next(c for c in ledger.keep["connid"] if c.encode() in sips and c.encode() in urs)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--json", "--call", seed)
    assert proc.returncode in (0, 30), proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    merged = members[f"call-{seed}.log"]
    assert seed.encode() in merged
    apps = set(re.findall(rb"^=== \S+ (\S+)/[^/\n]+$", merged, re.M))
    assert len(apps) >= 2, apps                                # SIP Server and URS at least
    manifest = json.loads(members["manifest.json"])
    linked = {i.encode() for i in manifest["call"]["ids"]}
    for entry in manifest["files"]:
        if entry.get("kind") != "log" or entry.get("product") not in ("sip-server", "urs", "ors"):
            continue
        data = members[entry["path"]]
        other_calls = {c for c in set(CONNID.findall(data)) - linked if c in {x.encode() for x in ledger.keep["connid"]}}
        assert not other_calls, (entry["path"], sorted(other_calls)[:3])
        stats = entry.get("log_stats") or {}      # probe AH F8: the call's records, not the window's edges
        assert (entry.get("kept_first") or "")[:23] == (stats.get("first") or "")[:23], entry["path"]
        assert (entry.get("kept_last") or "")[:23] == (stats.get("last") or "")[:23], entry["path"]


def test_unknown_call_is_one_clear_error(demo_host, tmp_path):
    root, _ = demo_host
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--call", "ffffffffffffffff")
    assert proc.returncode == 12
    assert b"no record of this call" in proc.stderr and b"Traceback" not in proc.stderr


def _header(banner: str, app: str, apptype: str, fname: str, cmd: str) -> str:
    return (f"{banner}\nApplication name:   {app}\nApplication type:   {apptype}\nHost name:          ivr01\n"
            f"Local time:         2026-11-27T09:00:00.120\nStart time (UTC):   2026-11-27T09:00:00.120\n"
            f"Time zone:          0\nFile:               (0000000003) {fname}\nCommand line:       {cmd}\n")


def _ivr_host(root: Path) -> None:
    """One IVR call: SIP Server hands it to GVP MCP; the MCP session's lines carry only its LogID."""
    def write(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    write("etc/os-release", 'NAME="Red Hat Enterprise Linux"\nID=rhel\n')
    write("etc/hostname", "ivr01\n")
    write("opt/genesys/SIPS_P/sip_server", "#!/bin/sh\n")
    name = "SIPS_P.20261127_090000_000.log"
    write(f"var/log/genesys/SIPS_P/{name}", _header("Genesys SIP Server, version 8.1.103.95", "SIPS_P", "TServer",
                                                    name, "./sip_server -app SIPS_P") + (
        "@09:15:05.0001 [0] 8.1.103.95 distribute_event: message EventRinging\n"
        "\tAttributeConnID\t007b02aa3c1f0011\n\tAttributeCallUUID\t'7QK2M0D4AB5H91VX03KD4G0E7S000001'\n"
        "09:15:05.100: Sending  [0,UDP] 700 bytes to 192.0.2.30:5070 >>>>>\n"
        "INVITE sip:dialog@192.0.2.30:5070 SIP/2.0\nCall-ID: 11AA22BB-sips-0002@192.0.2.20\n"
        "X-Genesys-CallUUID: 7QK2M0D4AB5H91VX03KD4G0E7S000001\nContent-Length: 0\n\n"))
    write("opt/genesys/gvp/MCP_8.5.160.04/bin/pwproxy", "#!/bin/sh\n")
    name = "MCP_P.20261127_090000_000.log"
    write(f"var/log/genesys/MCP_P/{name}", _header("Genesys Media Control Platform 8.5.160.04", "MCP_P", "CFGGVPMCP",
                                                   name, "./bin/pwproxy -app MCP_P") + (
        "2026-11-27 09:15:05.110 DBUG 00000000-00000000 4188 20000 Request received: INVITE sip:dialog@192.0.2.30:5070 SIP/2.0\n"
        "Call-ID: 11AA22BB-sips-0002@192.0.2.20\nContent-Length: 0\n\n"
        "2026-11-27 09:15:05.120 INFO 00DE020E-1000A3B1 4188 40000 LogID=00DE020E-1000A3B1 new session for Call-ID 11AA22BB-sips-0002@192.0.2.20\n"
        "2026-11-27 09:15:05.130 DBUG 00DE020E-1000A3B1 4188 50004 vxmli: Fetching http://ivr.example/app/start.vxml\n"
        "2026-11-27 09:15:06.000 EROR 00DE020E-1000A3B1 4188 50099 vxmli: error.badfetch http://ivr.example/app/menu.vxml (HTTP 404)\n"
        "2026-11-27 09:15:07.000 DBUG 00DE020E-1000A3B1 4188 60001 mrcp: RECOGNITION-COMPLETE 1 COMPLETE Completion-Cause: 001 nomatch\n"
        "2026-11-27 09:15:09.000 DBUG 00DF0000-1000A3C9 4188 50004 vxmli: Fetching http://ivr.example/app/start.vxml (other call)\n"))


def test_call_follows_the_gvp_mcp_session(tmp_path):
    """probe W finding 8: the MCP session's fetches, error.badfetch and MRCP result were dropped."""
    root = tmp_path / "host"
    _ivr_host(root)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--json", "--all-logs", "--priority", "normal",
                        "--call", "007b02aa3c1f0011")
    assert proc.returncode == 0, proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    manifest = json.loads(members["manifest.json"])
    assert "00DE020E-1000A3B1" in manifest["call"]["ids"]
    assert manifest["call"]["gvp_sessions"] == ["00DE020E-1000A3B1"] and "not_followed" not in manifest["call"]
    mcp = next(data for path, data in members.items() if path.endswith("MCP_P.20261127_090000_000.log"))
    merged = members["call-007b02aa3c1f0011.log"]
    for kept in (b"vxmli: Fetching http://ivr.example/app/start.vxml\n", b"error.badfetch", b"RECOGNITION-COMPLETE"):
        assert kept in mcp and kept in merged
    assert b"other call" not in mcp and b"other call" not in merged


def test_the_merged_call_log_dates_a_call_days_after_the_header(tmp_path):
    """A quiet SIP Server segment of time-only records that runs from 2026-11-25 (its header) into
    2026-11-27, the call on the 27th: call-<id>.log dated the call's records from the header's
    day, two days early, because the records that show the midnights are not the call's. They
    are now dated from the call filter's first record, as the manifest's kept_first."""
    root = tmp_path / "host"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text('NAME="Red Hat Enterprise Linux"\nID=rhel\n')
    (root / "etc/hostname").write_text("ivr01\n")
    (root / "etc/localtime").symlink_to("/usr/share/zoneinfo/UTC")
    (root / "opt/genesys/SIPS_P").mkdir(parents=True)
    (root / "opt/genesys/SIPS_P/sip_server").write_text("#!/bin/sh\n")
    name = "SIPS_P.20261125_090000_000.log"
    header = _header("Genesys SIP Server, version 8.1.103.95", "SIPS_P", "TServer", name, "./sip_server -app SIPS_P")
    header = header.replace("2026-11-27T09:00", "2026-11-25T09:00")
    quiet = "".join(f"{hour:02d}:30:00.000 Std 09900 keep-alive {day}\n" for day in (25, 26) for hour in range(9, 24))
    call = ("10:15:05.000 Trc 04541 RequestMakeCall received\n"
            "@10:15:05.0001 [0] 8.1.103.95 distribute_event: message EventRinging\n"
            "\tAttributeConnID\t007b02aa3c1f0011\n\tAttributeThisDN\t'7101'\n"
            "@10:15:09.5000 [0] 8.1.103.95 distribute_event: message EventReleased\n"
            "\tAttributeConnID\t007b02aa3c1f0011\n")
    log = root / "var/log/genesys/SIPS_P" / name
    log.parent.mkdir(parents=True)
    log.write_text(header + quiet + "08:30:00.000 Std 09900 keep-alive 27\n" + call)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--json", "--all-logs", "--priority", "normal",
                        "--since", "2026-11-25 08:00", "--until", "2026-11-27 12:00", "--call", "007b02aa3c1f0011",
                        env={"TZ": "UTC"})
    assert proc.returncode == 0, proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"].endswith(name))
    assert (entry["kept_first"] or "").startswith("2026-11-27T10:15:05"), entry["kept_first"]
    stamps = re.findall(rb"^=== (\S+) ", members["call-007b02aa3c1f0011.log"], re.M)
    assert stamps and all(s.startswith(b"2026-11-27T10:15:") for s in stamps), stamps
