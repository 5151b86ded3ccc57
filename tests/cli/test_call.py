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


def test_unknown_call_is_one_clear_error(demo_host, tmp_path):
    root, _ = demo_host
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--call", "ffffffffffffffff")
    assert proc.returncode == 12
    assert b"no record of this call" in proc.stderr and b"Traceback" not in proc.stderr
