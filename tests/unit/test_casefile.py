"""case.json: case metadata from options or a case file, environment read from the host tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.casefile import (CaseInfo, build_case, case_bundle_parts, dbms_facts, installer_version,
                                load_case_file, normalise_severity, os_facts, save_case_file)
from collector.errors import BadInput
from collector.model import Installation
from collector.segheader import parse_header


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory):
    from collector.api import CollectRequest, discover_and_plan
    from collector.settings import RunSettings
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("host")
    ledger = generate_host(root, products=["config-server", "lca", "sip-server", "urs", "ors", "stat-server",
                                           "gvp-mcp", "gws"], days=0.2, seed=4, segment_kb=128)
    state = tmp_path_factory.mktemp("state")
    request = CollectRequest(root=root, settings=RunSettings(output_dir=state / "out", state_dir=state,
                                                             host_name=ledger.host_name))
    return root, ledger, discover_and_plan(request).installations, state


def test_versions_match_the_installed_components(host) -> None:
    root, ledger, installations, _ = host
    case = build_case(CaseInfo(case="01234567"), root, installations, ledger.host_name)
    components = {c["name"]: c for c in case["environment"]["components"]}
    for planted in ledger.installations():
        log = next(p for p in planted.files if p.startswith(planted.log_bases[0]))
        expected = parse_header((root / log).read_bytes()[:8192]).version
        assert expected and components[planted.app_name]["version"] == expected, planted.app_name
        assert components[planted.app_name]["product"] == planted.product


def test_os_dbms_and_hosts(host) -> None:
    root, ledger, installations, _ = host
    env = build_case(CaseInfo(), root, installations, ledger.host_name)["environment"]
    assert env["os"]["name"] == "Red Hat Enterprise Linux" and env["os"]["version"] == "8.9"
    (db,) = env["dbms"]
    assert db["engine"] == "postgre" and db["server"] == "192.0.2.40" and db["database"] == "genesys_cfg"
    assert db["application"] == "confserv"
    assert "password" not in json.dumps(env)
    assert ledger.host_name in env["hosts"] and env["host"] == ledger.host_name


def test_strict_tokenises_host_names(host) -> None:
    root, ledger, installations, state = host
    case = build_case(CaseInfo(), root, installations, ledger.host_name, strict=True, state_dir=state)
    text = json.dumps(case)
    assert ledger.host_name not in text and "192.0.2.40" not in text
    assert case["environment"]["host"].startswith("HOST_")
    again = build_case(CaseInfo(), root, installations, ledger.host_name, strict=True, state_dir=state)
    assert again["environment"]["host"] == case["environment"]["host"]


def test_bundle_parts_for_the_collect_request(host) -> None:
    root, ledger, installations, state = host
    info = CaseInfo(case="01234567", site="ACME Main", contact="Pat Admin <pat@example.com>",
                    summary="calls drop after transfer", severity="2", steps=["call 8005550100", "transfer"])
    static, annotations = case_bundle_parts(info, root, installations, ledger.host_name, state_dir=state)
    case = json.loads(static["case.json"])
    assert case["case"]["severity"] == "2-high"
    assert case["case"]["contact"] == "Pat Admin <pat@example.com>"      # the customer's own admin: kept
    assert annotations["case_info"]["number"] == "01234567"
    assert {c["name"] for c in annotations["case_info"]["components"]} >= {"SIPS_P", "URS_P"}


def test_case_file_round_trip_and_merge(tmp_path: Path) -> None:
    info = CaseInfo(case="01234567", site="ACME", severity=normalise_severity("High"), steps=["a", "b"])
    path = save_case_file(info, tmp_path / "case.json")
    loaded = load_case_file(path)
    assert loaded == info
    merged = loaded.merged(summary="new text", severity="critical", steps=())
    assert merged.summary == "new text" and merged.severity == "1-critical" and merged.steps == ["a", "b"]
    with pytest.raises(BadInput):
        normalise_severity("urgent")
    with pytest.raises(BadInput):
        load_case_file(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(BadInput):
        load_case_file(tmp_path / "bad.json")


def test_installer_files_windows_and_dbms_units(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "ip_description.xml").write_text("<IP><Name>SIP Server</Name><Version>8.1.104.37</Version></IP>")
    assert installer_version(app) == ("8.1.104.37", "ip_description.xml")
    (app / "ip_description.xml").unlink()
    (app / "genesys_install_result.log").write_text("Installing SIP Server version 8.1.103.12\nresult: SUCCESS\n")
    assert installer_version(app) == ("8.1.103.12", "genesys_install_result.log")
    (app / "confserv.conf").write_text("[confserv]\nserver=db\n[db]\ndbengine=mssql\ndbserver=sql01\n"
                                       "dbname=cfg\npassword=secret\ndbms-version=2019\n")
    (db,) = dbms_facts(app)
    assert db == {"engine": "mssql", "server": "sql01", "database": "cfg", "version": "2019",
                  "source": "confserv.conf [db]"}
    win = tmp_path / "win"
    (win / "C/Windows/System32").mkdir(parents=True)
    (win / "C/Windows/System32/systeminfo.txt").write_text(
        "OS Name:  Microsoft Windows Server 2019 Standard\nOS Version:  10.0.17763 N/A Build 17763\n")
    facts = os_facts(win)
    assert facts["family"] == "windows" and facts["name"] == "Microsoft Windows Server 2019 Standard"
    # an installation whose header has no version falls back to the installer log
    inst = Installation("sip-server", "SIPS_X", "app", ())
    env = build_case(CaseInfo(), tmp_path, [inst], "h1")["environment"]
    assert env["components"][0]["version"] == "8.1.103.12"
    assert env["components"][0]["version_source"] == "app/genesys_install_result.log"


def test_case_new_and_collect_options(tmp_path: Path) -> None:
    import click
    from click.testing import CliRunner

    from collector.cli.case_cmd import case_group, case_info_from, case_options

    runner = CliRunner()
    out = tmp_path / "c.json"
    result = runner.invoke(case_group, ["new", "--case", "01234567", "--describe", "drops", "--severity", "high",
                                        "--step", "one", "--step", "two", "-o", str(out), "--no-input"],
                           standalone_mode=False)
    assert result.exception is None, result.output
    info = load_case_file(out)
    assert info.case == "01234567" and info.severity == "2-high" and info.steps == ["one", "two"]
    seen: dict = {}

    @click.command()
    @click.option("--case", default=None)
    @case_options
    def collect(case, **kwargs):
        seen["info"], seen["strict"] = case_info_from(kwargs, case)
        seen["rest"] = kwargs

    result = runner.invoke(collect, ["--case-file", str(out), "--describe", "new text", "--site", "ACME",
                                     "--strict-case"],
                           standalone_mode=False)
    assert result.exception is None, result.output
    assert seen["info"].summary == "new text" and seen["info"].site == "ACME" and seen["info"].steps == ["one", "two"]
    assert seen["rest"] == {} and seen["strict"] is True
