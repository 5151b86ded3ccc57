"""Planned-change notice: one-week warning, environment from the host, text and JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from collector.errors import BadInput
from collector.notice import build_notice, render_notice_text

NOW = datetime(2025, 11, 19, 12, 0, tzinfo=timezone.utc)


def notice(days_ahead: float, **kw):
    start = NOW + timedelta(days=days_ahead)
    return build_notice(change_from="SIP Server 8.1.103", change_to="8.1.104", start=start,
                        end=start + timedelta(hours=4), contacts=["Pat Admin, +1 555 0100"], company="ACME",
                        site="Main DC", cases=["01234567"], now=NOW, **kw)


def test_four_days_ahead_carries_the_one_week_warning() -> None:
    n = notice(4)
    assert n["warning"] and "one week" in n["warning"]
    assert "NOTE:" in render_notice_text(n)


def test_ten_days_ahead_does_not() -> None:
    n = notice(10)
    assert n["warning"] is None
    text = render_notice_text(n)
    assert "NOTE:" not in text and "SIP Server 8.1.103 -> 8.1.104" in text and "01234567" in text
    assert n["window"]["hours"] == 4 and n["lead_time_days"] == 10


def test_bad_input() -> None:
    with pytest.raises(BadInput):
        build_notice(change_from="a", change_to="b", start=NOW, end=NOW, contacts=["x"], now=NOW)
    with pytest.raises(BadInput):
        build_notice(change_from="a", change_to="b", start=NOW, end=NOW + timedelta(hours=1), contacts=[" "])


def test_cli_with_environment_from_a_generated_host(tmp_path: Path) -> None:
    from collector.cli.notice_cmd import notice_command
    from collector.testhost import generate_host

    root = tmp_path / "host"
    generate_host(root, products=["config-server", "sip-server"], days=0.1, seed=3, segment_kb=64)
    runner = CliRunner()
    local = datetime.now(timezone.utc) + timedelta(days=4)
    args = ["--from", "SIP Server 8.1.103", "--to", "8.1.104", "--start", local.strftime("%Y-%m-%dT%H:%MZ"),
            "--end", (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%MZ"), "--contact", "Pat Admin",
            "--company", "ACME", "--case", "01234567", "--root", str(root)]
    result = runner.invoke(notice_command, args + ["--json"], standalone_mode=False)
    assert result.exception is None, result.output
    data = json.loads(result.stdout)
    assert data["warning"] and "warning:" in result.stderr
    env = data["environment"]
    assert env["os"].startswith("Red Hat") and env["switch"] == "SIP (Genesys SIP Server)"
    assert env["dbms"] == ["postgre"]
    assert {"name": "SIPS_P", "product": "sip-server", "version": "8.1.104.37"} in env["components"]
    out = tmp_path / "notice.txt"
    later = local + timedelta(days=6)
    args[5] = later.strftime("%Y-%m-%dT%H:%MZ")
    args[7] = (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%MZ")
    result = runner.invoke(notice_command, args + ["--output", str(out)], standalone_mode=False)
    assert result.exception is None and "warning" not in result.stderr
    assert "Planned change notice" in out.read_text()
    assert json.loads(Path(str(out) + ".json").read_text())["warning"] is None
