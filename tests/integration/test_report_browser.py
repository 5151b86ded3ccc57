"""report.html in a real headless Chromium (Debian's, driven by Playwright), case.json and
`gcollect inspect` on a bundle collected from a generated multi-product host."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from collector import api
from collector.bundlereader import iter_members
from collector.casefile import CaseInfo, case_bundle_parts
from collector.model import Window
from collector.report import build_report_files, read_manifest, summarise
from collector.settings import RunSettings
from collector.timeformats import RECORD_STAMP, segment_clock

pytestmark = pytest.mark.integration
CHROMIUM = Path("/usr/bin/chromium")
PRODUCTS = ["config-server", "scs", "lca", "sip-server", "urs", "ors", "stat-server", "gvp-mcp", "gws"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("host")
    ledger = generate_host(root, products=PRODUCTS, days=0.5, seed=9, segment_kb=128)
    out = tmp_path_factory.mktemp("out")
    state = tmp_path_factory.mktemp("state")
    end = datetime.fromisoformat(ledger.end)
    settings = RunSettings(output_dir=out, state_dir=state, host_name=ledger.host_name, case="01234567",
                           workers=2, low_priority=False)
    request = api.CollectRequest(root=root, settings=settings,
                                 window=Window(since=end - timedelta(hours=5), until=end - timedelta(hours=1)))
    discovery = api.discover_and_plan(request)
    info = CaseInfo(case="01234567", site="ACME", contact="Pat Admin", summary="calls drop", severity="2",
                    steps=["call the hotline", "transfer to 7101"])
    static, annotations = case_bundle_parts(info, root, discovery.installations, ledger.host_name, state_dir=state)
    request = dataclasses.replace(request, static_files=static, annotations=annotations,
                                  extra_files=build_report_files)
    _, result = api.collect(request, discovery=discovery)
    assert result.bundle is not None
    members = dict(iter_members(result.bundle.path))
    return result.bundle.path, members, json.loads(members["manifest.json"]), ledger


def test_bundle_holds_report_and_case(bundle) -> None:
    _, members, manifest, ledger = bundle
    assert "report.html" in members and "case.json" in members
    listed = {f["path"]: f for f in manifest["files"]}
    assert listed["report.html"]["kind"] == "report"
    case = json.loads(members["case.json"])
    assert case["case"]["severity"] == "2-high"
    versions = {c["name"]: c["version"] for c in case["environment"]["components"]}
    assert versions["SIPS_P"] == "8.1.104.37" and versions["URS_P"] == "8.1.400.62"
    assert manifest["case_info"]["number"] == "01234567"


_LEVEL = re.compile(rb"^(Std|Alr) (\d{5})\b")


def test_alarm_table_matches_the_std_alr_lines_in_the_bundle(bundle) -> None:
    _, members, manifest, _ = bundle
    expected: Counter = Counter()
    for entry in manifest["files"]:
        if entry.get("kind") != "log":
            continue
        data = members[entry["path"]]
        clock = segment_clock(entry["path"].rsplit("/", 1)[-1], data[:16384], 0.0)
        for line in data[clock.header_end:].splitlines():
            m = RECORD_STAMP.match(line)
            hit = _LEVEL.match(line[m.end():].lstrip(b" :]")) if m else None
            if hit:
                expected[(entry["product"], hit.group(1).decode(), hit.group(2).decode())] += 1
    data = summarise(manifest)
    got = Counter({(a["product"], a["level"], a["id"]): a["count"] for a in data["alarms"]})
    assert data["alarms_total"] == len(data["alarms"])
    assert got == expected and sum(got.values()) > 100
    assert any(a["level"] == "Alr" for a in data["alarms"])
    assert data["ha_events"] and data["ha_roles"]          # SCS "mode activated", SIP Server "HA Role:"


def test_report_renders_offline_in_chromium(bundle, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} missing: apt-get install -y chromium")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (test extra)")
    _, members, manifest, _ = bundle
    page_path = tmp_path / "report.html"
    page_path.write_bytes(members["report.html"])
    html = members["report.html"].decode()
    assert "<script" not in html.lower() and not re.search(r"(?i)\b(src|href)\s*=", html)
    assert "http://" not in html and "https://" not in html.replace("apps.example.com", "")
    streams = summarise(manifest)["streams"]
    url = page_path.as_uri()
    requests: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url, wait_until="load")
            page.wait_for_timeout(300)
            assert page.title().startswith("gcollect report")
            bars = page.locator("svg rect[data-stream]")
            assert bars.count() == len(streams) > 5
            names = {bars.nth(i).get_attribute("data-stream") for i in range(bars.count())}
            assert names == {f'{s["product"]}:{s["stream"]}' for s in streams}
            assert any(n.endswith("SIPS_P-768") for n in names)          # thread streams are streams
            assert page.locator("svg rect[data-window]").count() == 1
            rows = page.locator("#alarms ~ table").first.locator("tr")
            assert rows.count() > 2
            width = page.locator("svg").first.bounding_box()["width"]
            assert width > 500
        finally:
            browser.close()
    assert requests and all(r == url or r.startswith("data:") for r in requests), requests


def test_inspect_command(bundle) -> None:
    from collector.cli.inspect_cmd import inspect_command

    path, _, manifest, _ = bundle
    runner = CliRunner()
    result = runner.invoke(inspect_command, [str(path)], standalone_mode=False)
    assert result.exception is None, result.output
    assert "Std/Alr messages by ID" in result.output and "SIPS_P-768" in result.output
    result = runner.invoke(inspect_command, [str(path), "--json"], standalone_mode=False)
    data = json.loads(result.output)
    assert data == json.loads(json.dumps(summarise(manifest), default=str))
    assert read_manifest(path) == manifest
