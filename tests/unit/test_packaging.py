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


def test_the_cron_entry_passes_the_defaults_file_to_gcollect_as_environment(tmp_path) -> None:
    """Settings in /etc/default/gcollect (KEY=VALUE, the form systemd's EnvironmentFile reads)
    must reach gcollect under cron too: sourced without export, they stay shell variables and a
    snapshot never uploads. A stand-in gcollect on PATH prints what it was given."""
    defaults = tmp_path / "default-gcollect"
    defaults.write_text("GCOLLECT_UPLOAD_URL=sftp://support@files.example.com/in/\nAWS_REGION=eu-west-1\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "gcollect"
    stand_in.write_text('#!/bin/sh\necho "url=$GCOLLECT_UPLOAD_URL region=$AWS_REGION args=$*"\n')
    stand_in.chmod(0o755)
    command = _cron_command().replace("/etc/default/gcollect", str(defaults))
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("url=sftp://support@files.example.com/in/ region=eu-west-1 args=snapshot ")


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
