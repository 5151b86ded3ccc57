"""The option wiring the lead's `collect` gets: @collect_options + @remote_options -> collect_remote."""

from __future__ import annotations

import socket
from pathlib import Path

import click
from click.testing import CliRunner

from collector.cli.options import collect_options
from collector.cli.remote_cmd import collect_remote, remote_options
from collector.errors import ExitCode
from collector.remote.fleet import AllHostsFailed


@click.command("collect")
@collect_options
@remote_options
@click.option("--dry-run", is_flag=True)
@click.option("--upload", "upload_url", default=None)
def fake_collect(dry_run: bool, upload_url: str | None, **options: object) -> int:
    hosts = options.pop("hosts")
    assert isinstance(hosts, str)
    return collect_remote({**options, "dry_run": dry_run, "upload_url": upload_url}, hosts)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_options_reach_collect_remote(tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text("")
    port = closed_port()
    result = CliRunner().invoke(fake_collect, [
        "--hosts", f"127.0.0.1:{port},u@127.0.0.1:{port} name=second", "--known-hosts", str(known), "--parallel", "2",
        "--timeout", "15", "--since", "2h", "--output", str(tmp_path), "--ssh-user", "someone", "-q"],
        standalone_mode=False)
    assert isinstance(result.exception, AllHostsFailed), result.output
    assert result.exception.exit_code == ExitCode.UPLOAD_NETWORK
    assert "2 of 2 failed" in result.exception.message
    assert not list(tmp_path.glob("gcollect-case-*"))


def test_missing_identity_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(fake_collect, ["--hosts", "h1", "--identity", str(tmp_path / "nope")],
                                standalone_mode=False)
    assert getattr(result.exception, "exit_code", None) == ExitCode.BAD_INPUT
