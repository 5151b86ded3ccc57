"""`gcollect snapshot`: an upload target every bundle can have its own object in, upload
settings checked when the run starts, settings files read as systemd reads them (--env-file),
no empty bundle when everything new was left out, and --help that shows what snapshot takes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.conftest import run_gcollect


def _bundles(spool: Path) -> list[str]:
    return sorted(p.name for p in spool.glob("gcollect-*") if not p.name.endswith((".sha256", ".json")))


@pytest.mark.parametrize("how, url", [
    ("env", "https://127.0.0.1:18443/cases/0123/upload.tar.gz?X-Amz-Algorithm=AWS4&X-Amz-Signature=abc123"),
    ("flag", "s3://bucket/cases/0123/upload.tar.gz"),
    ("flag", "sftp://support@files.example.com/in/upload.tar.gz"),
])
def test_snapshot_refuses_an_upload_target_that_names_one_object(tmp_path: Path, how: str, url: str) -> None:
    """Every bundle PUT to one pre-signed URL (or one key) replaces the one before: after
    retention only the last survives anywhere. Refused with one line, exit 2, nothing collected."""
    root, state = tmp_path / "root", tmp_path / "state"
    root.mkdir()
    args = ["snapshot", "--root", str(root), "--state-dir", str(state)]
    env = {"GCOLLECT_UPLOAD_URL": url} if how == "env" else {}
    if how == "flag":
        args += ["--upload", url]
    proc = run_gcollect(*args, env=env)
    stderr = proc.stderr.decode()
    assert proc.returncode == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and "names one object" in stderr, stderr
    assert ("GCOLLECT_UPLOAD_URL" if how == "env" else "--upload") in stderr
    assert "abc123" not in stderr and "X-Amz" not in stderr
    assert not _bundles(state / "spool")


def test_a_prefix_target_is_not_one_object() -> None:
    from collector.cli.snapshot_cmd import names_one_object

    assert not names_one_object("s3://bucket/cases/0123/")
    assert not names_one_object("sftp://support@files.example.com/in/")
    assert names_one_object("https://b.example.com/x.tar.gz?X-Amz-Signature=1")


@pytest.mark.parametrize("variable, value", [("GCOLLECT_PART_SIZE", "abc"), ("GCOLLECT_LIMIT_RATE", "fast")])
def test_a_bad_upload_setting_is_one_line_naming_it_before_collecting(tmp_path: Path, variable: str,
                                                                      value: str) -> None:
    root, state = tmp_path / "root", tmp_path / "state"
    root.mkdir()
    proc = run_gcollect("snapshot", "--root", str(root), "--state-dir", str(state),
                        env={"GCOLLECT_UPLOAD_URL": "s3://bucket/cases/", variable: value})
    stderr = proc.stderr.decode()
    assert proc.returncode == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and variable in stderr, stderr
    assert "Usage:" not in stderr and "upload --help" not in stderr
    assert not _bundles(state / "spool")


PROBE_DEFAULTS = (
    "# as systemd's EnvironmentFile takes it\n"
    "GCOLLECT_UPLOAD_URL=https://drop.example.com/cases/0123/b.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20251119&X-Amz-Signature=abcdef0123\n"
    "GCOLLECT_SFTP_PASSWORD=pa ss;word $(touch {marker})\n"
)


def test_env_file_is_read_without_a_shell(tmp_path: Path) -> None:
    """--env-file reads the file the way systemd does: the whole URL arrives (and is refused
    as one object), nothing in a value runs."""
    marker = tmp_path / "ran"
    defaults = tmp_path / "default-gcollect"
    defaults.write_text(PROBE_DEFAULTS.format(marker=marker))
    root = tmp_path / "root"
    root.mkdir()
    proc = run_gcollect("snapshot", f"--env-file={defaults}", "--root", str(root), "--state-dir",
                        str(tmp_path / "state"), env={"GCOLLECT_UPLOAD_URL": ""})
    stderr = proc.stderr.decode()
    assert proc.returncode == 2, stderr
    assert "GCOLLECT_UPLOAD_URL" in stderr and "drop.example.com/cases/0123/b.tar.gz" in stderr, stderr
    assert "abcdef0123" not in stderr and "AKIAEXAMPLE" not in stderr
    assert not marker.exists()


def test_env_file_missing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    proc = run_gcollect("snapshot", "--env-file", str(tmp_path / "none"), "--list", "--state-dir", str(state),
                        "--root", str(tmp_path))
    assert proc.returncode == 12 and len(proc.stderr.decode().strip().splitlines()) == 1, proc.stderr
    proc = run_gcollect("snapshot", f"--env-file=-{tmp_path / 'none'}", "--list", "--state-dir", str(state),
                        "--root", str(tmp_path))
    assert proc.returncode == 0, proc.stderr


def test_env_file_rules_are_systemds() -> None:
    from collector.envfile import parse_env_text

    text = ("# comment\n; comment\n  A = one two  \nB=\"q \\\"x\\\" \\$y \\z\" 'w'\nC='it''s'\n"
            "D=con\\\ntinued\nno equals here\n9BAD=x\nE=$HOME `id` ;x\nF=\n")
    assert parse_env_text(text) == {"A": "one two", "B": 'q "x" $y \\zw', "C": "its", "D": "continued",
                                    "E": "$HOME `id` ;x", "F": ""}


def test_nothing_collected_writes_no_bundle(tmp_path: Path) -> None:
    """A new file that can never be redacted (one 5 MB line) is left out: the run says so
    (exit 1) but writes no empty bundle (under cron: one upload every 15 minutes)."""
    from collector.testhost.host import generate_host

    root, state = tmp_path / "root", tmp_path / "state"
    generate_host(root, products=["sip-server"], days=0.003, segment_kb=16, target_bytes=60000)
    args = ("snapshot", "--root", str(root), "--state-dir", str(state), "--workers", "1")
    first = run_gcollect(*args)
    assert first.returncode in (0, 30), first.stderr
    before = _bundles(state / "spool")
    logs = root / "var/log/genesys/SIPS_P"
    newest = max(p.name for p in logs.glob("*.log"))
    (logs / newest.replace(".log", "9.log")).write_text("07:00:00.000 Std 09900 " + "A" * 5_000_000 + "\n")
    for _ in range(2):
        again = run_gcollect(*args)
        stderr = again.stderr.decode()
        assert again.returncode == 1, stderr
        assert "left out" in stderr and "no bundle written" in stderr and len(stderr.strip().splitlines()) == 1
        assert _bundles(state / "spool") == before


def test_snapshot_help_shows_what_snapshot_takes() -> None:
    proc = run_gcollect("snapshot", "--help")
    text = proc.stdout.decode()
    for refused in ("--since", "--until", "--around", "--window"):
        assert refused not in text
    assert "[default: .]" not in text and "STATE_DIR/spool" in text
    assert "~/.local/state/gcollect" in text and "10%%" not in text


def test_a_snapshot_bundle_holds_report_html_as_a_collect_does(demo_host, tmp_path: Path) -> None:
    """Snapshot bundles had manifest.json and SHA256SUMS only: an engineer receiving uploaded
    snapshots had to run gcollect inspect to see what one holds (probe AH F6)."""
    import json

    from collector.bundlereader import iter_members

    root, _ = demo_host
    proc = run_gcollect("snapshot", "--root", str(root), "--output", str(tmp_path / "spool"), "--state-dir",
                        str(tmp_path / "state"), "--json", "--priority", "normal")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    bundle = Path(json.loads(proc.stdout)["bundle"])
    members = dict(iter_members(bundle))
    assert b"<h1>gcollect report:" in members["report.html"]
    assert run_gcollect("verify", str(bundle)).returncode == 0
