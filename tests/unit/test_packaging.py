"""The packaged cron entry, run as cron runs it (/bin/sh, the command field of the line)."""

from __future__ import annotations

import subprocess
from pathlib import Path

CRON_FILE = Path(__file__).resolve().parents[2] / "packaging" / "cron.d" / "gcollect-snapshot"


def _cron_command() -> str:
    lines = [line for line in CRON_FILE.read_text().splitlines()
             if line.strip() and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(lines) == 1, lines
    return lines[0].split(None, 6)[6]          # minute hour day month weekday user COMMAND


def test_the_cron_entry_reads_the_defaults_file_as_systemd_does(tmp_path) -> None:
    """/etc/default/gcollect in the form systemd's EnvironmentFile reads (unquoted values) must
    reach gcollect whole under cron, and nothing in it may run: sourced by sh, the URL split at
    '&' (pieces run as commands, fragments of the signature mailed by cron) and the password's
    words ran as commands, as root. The real gcollect reads it (--env-file) and refuses the
    one-object URL naming it."""
    import sys

    marker = tmp_path / "ran"
    defaults = tmp_path / "default-gcollect"
    defaults.write_text(
        "GCOLLECT_UPLOAD_URL=https://drop.example.com/cases/0123/b.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAEXAMPLE%2F20251119&X-Amz-Signature=abcdef0123\n"
        f"GCOLLECT_SFTP_PASSWORD=pa ss;word $(touch {marker})\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "gcollect"
    repo = Path(__file__).resolve().parents[2]
    stand_in.write_text(f'#!/bin/sh\nPYTHONPATH={repo} exec {sys.executable} -m collector "$@" --root {tmp_path}\n')
    stand_in.chmod(0o755)
    command = _cron_command()
    assert ". /etc/default/gcollect" not in command and "--env-file=-/etc/default/gcollect" in command
    command = command.replace("/etc/default/gcollect", str(defaults)).replace("/var/lib/gcollect", str(tmp_path / "st"))
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "GCOLLECT_UPLOAD_URL" in done.stderr, done.stderr
    assert "names one object" in done.stderr and "abcdef0123" not in done.stderr and "AKIA" not in done.stderr
    assert not marker.exists()


def test_the_cron_entry_runs_without_a_defaults_file(tmp_path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "gcollect"
    stand_in.write_text('#!/bin/sh\necho "ran $1"; exit 60\n')
    stand_in.chmod(0o755)
    command = _cron_command().replace("/etc/default/gcollect", str(tmp_path / "missing"))
    done = subprocess.run(["/bin/sh", "-c", command], env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (0, "ran snapshot\n")   # exit 60 (still running) is silenced
