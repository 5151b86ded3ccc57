"""End to end: a web service's log full of tokens and base64 bodies is collected redacted, its
rule choice on those lines made by Hyperscan (redaction/hsmatch.py), whose compiled database the
state folder keeps for the next run."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect

pytest.importorskip("hyperscan")

LOG = "var/log/jetty9/cloud.log"


def _cloud_log() -> tuple[bytes, bytes]:
    """The log, and one base64 body in it that no rule may change."""
    rnd = random.Random(5)
    body = base64.b64encode(rnd.randbytes(900_000))          # 1.2 MB: Hyperscan at once
    lines = []
    for i in range(2000):
        stamp = b"2026-11-26 10:%02d:%02d,%03d" % (i // 60 % 60, i % 60, i % 1000)
        token = base64.urlsafe_b64encode(rnd.randbytes(48)).rstrip(b"=")
        lines.append(stamp + b" DEBUG [qtp1-3] Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1%d"
                     b"In0.%s session password=Pw%d!x\n" % (i, token, i) if i % 3 else
                     stamp + b" INFO  [qtp1-4] GET /api/v2/me/calls 200 12ms\n")
    lines.insert(1000, b'2026-11-26 10:16:40,000 DEBUG [qtp1-5] {"avatar":"data:image/png;base64,' + body + b'"}\n')
    return b"".join(lines), body


def test_a_token_heavy_web_log_is_redacted_and_hyperscan_is_kept(tmp_path: Path) -> None:
    root, state = tmp_path / "host", tmp_path / "state"
    text, body = _cloud_log()
    (root / LOG).parent.mkdir(parents=True)
    (root / LOG).write_bytes(text)
    runs = []
    for run in ("first", "again"):
        proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / run), "--state-dir",
                            str(state), "--all-logs", "--json", "--priority", "normal")
        assert proc.returncode == ExitCode.OK, proc.stderr.decode()
        report = json.loads(proc.stdout)
        assert report["scan_findings"] == []
        members = dict(iter_members(Path(report["bundle"])))
        [stored] = [data for name, data in members.items() if name.endswith(LOG)]
        runs.append(stored)
        [kept] = list((state / "hyperscan").glob("*.hsdb"))
        assert kept.stat().st_mode & 0o077 == 0
        if run == "first":
            first_kept = (kept.name, kept.stat().st_mtime_ns)
    assert (kept.name, kept.stat().st_mtime_ns) == first_kept        # the second run loaded it
    stored = runs[0]
    assert runs[1] == stored
    assert b"Pw7!x" not in stored and b"eyJzdWIiOiJ1" not in stored
    assert body in stored                                            # a picture is not a secret
    assert stored.count(b"\n") == text.count(b"\n")
