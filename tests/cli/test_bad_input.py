"""Bad input gets one clear line on stderr, a documented exit code, no traceback, no bundle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect


def _one_line_error(proc) -> str:
    err = proc.stderr.decode()
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_missing_root(tmp_path):
    proc = run_gcollect("collect", "--root", str(tmp_path / "nope"), "--output", str(tmp_path),
                        "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.BAD_INPUT
    assert "no such folder" in _one_line_error(proc)
    assert not list(tmp_path.glob("gcollect-*"))


def test_root_without_genesys(tmp_path):
    root = tmp_path / "empty"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('NAME="Debian"\n')
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path),
                        "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.NOTHING_FOUND
    assert "no Genesys installation" in _one_line_error(proc)


def test_malformed_profile_names_file_and_line(tmp_path, demo_host):
    root, _ = demo_host
    site = tmp_path / "site"
    site.mkdir()
    (site / "broken.yaml").write_text("schema: gcollect/profile/v1\nproduct: broken\ntitle: [unclosed\n")
    proc = run_gcollect("collect", "--root", str(root), "--profile-dir", str(site),
                        "--output", str(tmp_path), "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.BAD_PROFILE
    line = _one_line_error(proc)
    assert "broken.yaml" in line and ":3" in line or "line 3" in line, line


@pytest.mark.parametrize("command", ["collect", "snapshot"])
def test_a_rules_dir_that_is_not_there_stops_the_run(tmp_path, demo_host, command):
    """A mistyped --rules-dir ran without the site's rules, and without a word: the site's own
    secrets could leave unredacted. It is one line now, exit 10 (as a missing --profile-dir)."""
    root, _ = demo_host
    proc = run_gcollect(command, "--root", str(root), "--rules-dir", str(tmp_path / "site-rulez"),
                        "--output", str(tmp_path / "out"), "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.BAD_PROFILE
    line = _one_line_error(proc)
    assert "site-rulez" in line and "does not exist" in line, line
    assert not list((tmp_path / "out").glob("gcollect-*")) if (tmp_path / "out").exists() else True


def test_unknown_profile(tmp_path, demo_host):
    root, _ = demo_host
    proc = run_gcollect("collect", "--root", str(root), "--profile", "no-such-product",
                        "--output", str(tmp_path), "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.BAD_INPUT
    assert "no-such-product" in _one_line_error(proc)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output(tmp_path, demo_host):
    root, _ = demo_host
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out),
                        "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.PREFLIGHT
    assert "not writable" in _one_line_error(proc)


def test_output_is_a_file(tmp_path, demo_host):
    root, _ = demo_host
    out = tmp_path / "file"
    out.write_text("x")
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out),
                        "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.PREFLIGHT
    _one_line_error(proc)


def test_not_enough_space_shows_numbers(tmp_path, demo_host):
    root, _ = demo_host
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path),
                        "--state-dir", str(tmp_path / "state"), "--reserve", "100000T")
    assert proc.returncode == ExitCode.PREFLIGHT
    line = _one_line_error(proc)
    assert "free" in line and "GB" in line or "TB" in line
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("gcollect-")]


def test_bad_since_is_usage_error(tmp_path, demo_host):
    root, _ = demo_host
    proc = run_gcollect("collect", "--root", str(root), "--since", "yesterday-ish",
                        "--output", str(tmp_path), "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.USAGE
    assert "Traceback" not in proc.stderr.decode()


@pytest.mark.parametrize("window", [["--since", ""], ["--until", ""], ["--since", "999999999d"],
                                    ["--since", "99999999999d"]],
                         ids=["empty-since", "empty-until", "before-year-1", "past-timedelta"])
def test_empty_or_impossible_window_is_usage_error(tmp_path, demo_host, window):
    """--since "" collected everything (no filter, exit 0); 999999999d was an internal error (exit 3)."""
    root, _ = demo_host
    proc = run_gcollect("collect", "--root", str(root), *window, "--dry-run",
                        "--output", str(tmp_path), "--state-dir", str(tmp_path / "state"))
    assert proc.returncode == ExitCode.USAGE
    assert "--since/--until" in proc.stderr.decode() and "Traceback" not in proc.stderr.decode()


def test_verify_missing_bundle(tmp_path):
    proc = run_gcollect("verify", str(tmp_path / "nope.tar.gz"))
    assert proc.returncode == ExitCode.BAD_INPUT
    _one_line_error(proc)


def _all_commands(group, prefix=()):
    import click

    ctx = click.Context(group)
    for name in sorted(group.list_commands(ctx)):      # the lazy top-level group loads on request
        command = group.get_command(ctx, name)
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _all_commands(command, prefix + (name,))


def test_every_command_has_help_with_example():
    from collector.cli import cli

    paths = [()] + list(_all_commands(cli))
    assert ("collect",) in paths and ("upload",) in paths
    for path in paths:
        proc = run_gcollect(*path, "--help")
        assert proc.returncode == 0, (path, proc.stderr)
        assert b"Example" in proc.stdout, path


@pytest.mark.parametrize("extra", [(), ("--list",)])
def test_damaged_snapshot_state(tmp_path, demo_host, extra):
    """A snapshot state that is not one (a disk error, a hand edit) stops the run, or the
    listing, with one line naming the file and what to do; the state is left as it is."""
    from collector.state import state_file

    root, _ = demo_host
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    path = state_file(state, root)
    path.write_text('{"schema": "gcollect/snapshot-state/v2", "root": "/", "columns": [], "files": [[1]]}')
    before = path.read_bytes()
    proc = run_gcollect("snapshot", "--root", str(root), "--output", str(tmp_path / "spool"),
                        "--state-dir", str(state), *extra)
    assert proc.returncode == ExitCode.BAD_INPUT
    line = _one_line_error(proc)
    assert "unreadable snapshot state" in line and "move it away" in line and path.name in line
    assert path.read_bytes() == before


def test_corrupt_token_map_is_one_line_and_exit_20(tmp_path, demo_host):
    root, _ = demo_host
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "tokens.db").write_bytes(b"not a database at all" * 300)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"),
                        "--state-dir", str(state), "-q")
    assert proc.returncode == ExitCode.PREFLIGHT
    line = _one_line_error(proc)
    assert "tokens.db" in line and "cannot be used" in line, line
    assert not list((tmp_path / "out").glob("*"))


@pytest.mark.parametrize("command", [("verify",), ("inspect",), ("upload", "--to", "sftp://u@127.0.0.1:1/x/")])
def test_a_device_or_fifo_given_as_the_bundle_is_not_a_regular_file(tmp_path, command):
    """Probe AF F9: the file is there; it is no bundle because it is not a regular file. inspect
    and upload said "no such bundle file" or, for a FIFO, waited for a writer forever."""
    fifo = tmp_path / "ff.tar.gz"
    os.mkfifo(fifo)
    for path, kind in (("/dev/null", "a device"), (str(fifo), "a fifo")):
        proc = run_gcollect(command[0], path, *command[1:], timeout=30)
        err = proc.stderr.decode().strip()
        assert proc.returncode == ExitCode.BAD_INPUT, err
        assert err.count("\n") == 0 and f"not a regular file ({kind})" in err and "no such" not in err


@pytest.mark.parametrize("args", [("collect", "--format", "rar"), ("collect", "--bogus"), ("upload",), ("nosuchcmd",),
                                  ("collect", "--upload", "ftp://x/")])
def test_a_bad_option_or_argument_is_one_line_naming_where_help_is(args):
    """click's usage errors printed three lines (Usage:, Try ..., Error: ...); the project's rule
    is one clear line for bad input."""
    proc = run_gcollect(*args, timeout=60)
    err = proc.stderr.decode().strip()
    assert proc.returncode == ExitCode.USAGE, err
    assert err.count("\n") == 0 and err.startswith("gcollect: error: ") and err.endswith("--help)"), err
    assert "Usage:" not in err and "Try '" not in err
