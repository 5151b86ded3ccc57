"""A bad option value is a usage error (exit 2, click's one error line), not exit 12 (a missing path)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from collector.cli import cli
from collector.errors import ExitCode


def test_case_new_bad_severity(tmp_path: Path) -> None:
    out = tmp_path / "case.json"
    result = CliRunner().invoke(cli, ["case", "new", "--severity", "7", "--no-input", "-o", str(out)])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "'7': use 1-4 or critical, high, medium, low" in result.output
    assert not out.exists()
    result = CliRunner().invoke(cli, ["case", "new", "--severity", "High", "--no-input", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert '"2-high"' in out.read_text()


def test_upload_url_with_password(tmp_path: Path) -> None:
    bundle = tmp_path / "b.tar.gz"
    bundle.write_bytes(b"x")
    result = CliRunner().invoke(cli, ["upload", str(bundle), "--to", "sftp://root:s3cret@127.0.0.1/x/"])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "no password in the URL" in result.output and "s3cret" not in result.output
    result = CliRunner().invoke(cli, ["upload", str(bundle), "--to", "ftp://host/x/"])
    assert result.exit_code == ExitCode.USAGE, result.output
