"""End to end on a small tree: a window cuts logs whose records it can date (a Jetty request log
in NCSA form), and says everywhere that a log whose time format is not recognised is taken whole."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from collector.bundlereader import iter_members
from collector.report import render_text, summarise
from tests.cli.conftest import run_gcollect
from tests.hostfs import put

UTC = timezone.utc
REQUEST_LOG = "var/log/jetty9/2024_03_05.request.log"
AUDIT_LOG = "opt/genesys/gax/logs/audit.log"
WINDOW = ("--since", "2024-03-05T15:00:00Z", "--until", "2024-03-05T16:00:00Z")
T0 = datetime(2024, 3, 5, 13, 0, tzinfo=UTC)


def make_tree(root: Path) -> None:
    """GWS (request log every 10 minutes, 13:00-17:50 UTC) and GAX (an audit log with epoch stamps)."""
    end = T0 + timedelta(hours=5)
    times = [T0 + timedelta(minutes=10 * n) for n in range(30)]
    requests = b"".join(b'192.0.2.7 - - [%s] "GET /api/v2/me?n=%d HTTP/1.1" 200 120\n'
                        % (t.strftime("%d/%b/%Y:%H:%M:%S +0000").encode(), n) for n, t in enumerate(times))
    put(root, REQUEST_LOG, requests, end)
    put(root, "var/log/jetty9/cloud.log", b"2024-03-05 13:00:00,000 INFO  [main] c.g.Start - up\n", end)
    audit = b"".join(b"%d.000 audit event %d\n" % (t.timestamp(), n) for n, t in enumerate(times))
    put(root, AUDIT_LOG, audit, end)
    put(root, "opt/genesys/gax/logs/gax.log", b"2024-03-05 13:00:00,000 INFO  [main] started\n", end)


def collect(tmp_path: Path, *extra: str):
    root = tmp_path / "host"
    if not root.exists():
        make_tree(root)
    return run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--priority", "normal", *WINDOW, *extra)


def test_request_log_in_ncsa_form_is_cut_to_the_window(tmp_path: Path) -> None:
    proc = collect(tmp_path, "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    kept = members[REQUEST_LOG].decode().splitlines()
    assert [line.split("?n=")[1].split(" ")[0] for line in kept] == [str(n) for n in range(12, 19)]   # 15:00-16:00
    entry = next(f for f in json.loads(members["manifest.json"])["files"] if f["path"] == REQUEST_LOG)
    assert (entry["kept_first"], entry["kept_last"]) == ("2024-03-05T15:00:00+00:00", "2024-03-05T16:00:00+00:00")


def test_log_whose_time_format_is_not_recognised_is_taken_whole_and_said_so_everywhere(tmp_path: Path) -> None:
    dry = collect(tmp_path, "--dry-run")
    assert dry.returncode == 0, dry.stderr.decode()
    lines = {line.split("  [")[0].split()[-1]: line for line in dry.stdout.decode().splitlines() if "  [" in line}
    assert lines["/" + AUDIT_LOG].endswith("[in window; time format not recognised: taken whole]")
    assert lines["/" + REQUEST_LOG].endswith("[in window, trimmed at the edge]")

    proc = collect(tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "NOT CUT:    1 log files in the window taken whole, their time format was not recognised" in out
    assert f"  - /{AUDIT_LOG}\n" in out and REQUEST_LOG not in out
    bundle = next(line.split()[1] for line in out.splitlines() if line.startswith("bundle:"))
    members = dict(iter_members(Path(bundle)))
    assert members[AUDIT_LOG] == (tmp_path / "host" / AUDIT_LOG).read_bytes()
    files = {f["path"]: f for f in json.loads(members["manifest.json"])["files"]}
    assert files[AUDIT_LOG]["note"] == "time format not recognised: taken whole"
    assert "note" not in files[REQUEST_LOG]
    report = members["report.html"].decode()
    section = report.split('<h2 id="undated">')[1].split("<h2")[0]
    assert "time format not recognised" in section and AUDIT_LOG in section and REQUEST_LOG not in section
    text = render_text(summarise(json.loads(members["manifest.json"])))     # gcollect inspect
    assert f"time format not recognised: taken whole (1):\n  {AUDIT_LOG}\n" in text
