"""Product detection from segment headers on real trees (probe AG F1, F5).

F1: every Genesys application is started with ``-host <Config Server host>``, and Config
Server hosts are often called ``confserv01``: that host name must not make a UCS or GRE log a
Config Server one; only the program on ``Command line:`` says Config Server.

F5: a Genesys log stream of a product with no profile (GRE, ``Application type:
CFGBusinessRulesExecutionServer``) is not ignored silently: it is listed as skipped with its
application type, and one line says a site profile (--profile-dir) would collect it."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect

WINDOW = ("--since", "2026-03-10 11:00", "--until", "2026-03-10 12:00")


def _segment(root: Path, folder: str, app: str, banner: str, command: str, app_type: str | None = None,
             record: str = "11:10:00.000 Std 05060 IN-WINDOW") -> Path:
    name = f"{app}.20260310_100000_000.log"
    lines = [banner, f"Application name:   {app}"]
    if app_type:
        lines.append(f"Application type:   {app_type}")
    lines += ["Host name:          probehost", "Local time:         2026-03-10T10:00:00.000",
              "Start time (UTC):   2026-03-10T10:00:00.000", "Time zone:          0",
              f"File:               (0000000001) {name}", f"Command line:       {command}", record]
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def _host(tmp_path: Path) -> Path:
    root = tmp_path / "host"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hostname").write_text("probehost\n")
    (root / "etc" / "localtime").symlink_to("/usr/share/zoneinfo/UTC")
    return root


def _dry_run(root: Path, tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"),
                        "--state-dir", str(tmp_path / "st"), "--dry-run", "--json", *WINDOW, *extra)
    return proc.returncode, json.loads(proc.stdout or b"{}"), proc.stderr.decode()


def test_a_confserv_host_does_not_make_ucs_or_gre_a_config_server(tmp_path: Path) -> None:
    root = _host(tmp_path)
    _segment(root, "var/log/genesys/UCS", "UCS", "Genesys Universal Contact Server, version 8.5.300.09",
             "java -Xmx2g -jar ucs.jar -host confserv01 -port 2020 -app UCS")
    _segment(root, "var/log/genesys/GRE", "GRE", "Genesys Rules Engine, version 8.5.302.05",
             "java -jar gre.jar -host confserv01 -port 2020 -app GRE", "CFGBusinessRulesExecutionServer")
    _segment(root, "var/log/genesys/CS", "confserv", "Genesys Configuration Server, version 8.5.101.14",
             '"C:\\Program Files\\GCTI\\Configuration Server\\CS\\confserv.exe" -host confserv02 -port 2020')
    code, report, err = _dry_run(root, tmp_path)
    assert code == ExitCode.OK, err
    found = {(i["product"], i["name"]) for i in report["installations"] if i["product"] != "host"}
    assert found == {("ucs", "UCS"), ("config-server", "confserv")}, found
    products = {row["path"].rsplit("/", 1)[-1]: row["product"] for row in report["files"]}
    assert products["UCS.20260310_100000_000.log"] == "ucs"
    assert "GRE.20260310_100000_000.log" not in products        # no profile: not collected as config-server

    code, report, err = _dry_run(root, tmp_path, "--profile", "ucs")
    assert code == ExitCode.OK, err
    assert [row["product"] for row in report["files"] if "/UCS/" in row["path"]] == ["ucs"]


GRE_PROFILE = """\
schema: gcollect/profile/v1
product: gre
title: Genesys Rules Engine (site profile)
detect:
  app_types: ["CFGBusinessRulesExecutionServer"]
roots: ["var/log/genesys/*"]
collect:
  - id: segments
    kind: log
    globs: ["{log_base}.[0-9]*.log"]
redaction: [common-secrets, pii]
"""


def _gre_host(tmp_path: Path, *, with_sip_server: bool = True) -> Path:
    root = _host(tmp_path)
    _segment(root, "var/log/genesys/GRE", "GRE", "Genesys Rules Engine, version 8.5.302.05",
             "java -jar gre.jar -host cfghost -port 2020 -app GRE", "CFGBusinessRulesExecutionServer")
    if with_sip_server:
        _segment(root, "var/log/genesys/SIPS", "SIPS", "Genesys SIP Server, version 8.1.104.37",
                 "./sip_server -host cfghost -port 2020 -app SIPS", "TServer")
    # a log whose head only has a 'Command line:' line is no Genesys header: not named
    other = root / "var/log/genesys/TOOLS/tool.20260310_100000_000.log"
    other.parent.mkdir(parents=True)
    other.write_text("Command line: ./tool --verbose\n11:10:00.000 started\n")
    return root


def test_a_genesys_log_with_no_profile_is_listed_and_named(tmp_path: Path) -> None:
    root = _gre_host(tmp_path)
    gre = "var/log/genesys/GRE/GRE.20260310_100000_000.log"
    code, report, err = _dry_run(root, tmp_path)
    assert code == ExitCode.OK, err
    assert {i["product"] for i in report["installations"]} == {"host", "sip-server"}
    (entry,) = [s for s in report["skipped"] if s["path"] == gre]
    assert entry["product"] is None
    assert "no profile" in entry["reason"] and "CFGBusinessRulesExecutionServer" in entry["reason"]
    assert "--profile-dir" in entry["reason"]
    assert report["no_profile"] == [{"folder": "var/log/genesys/GRE", "files": 1,
                                     "header": "Application type: CFGBusinessRulesExecutionServer, application GRE"}]
    assert not [s for s in report["skipped"] if "TOOLS" in s["path"]]

    out = tmp_path / "bundle"
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(tmp_path / "st"),
                        "--priority", "normal", "--workers", "1", *WINDOW)
    text = proc.stdout.decode()
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    (line,) = [t for t in text.splitlines() if "no profile" in t]
    assert line.startswith("NO PROFILE: 1 file") and "CFGBusinessRulesExecutionServer" in line, line
    assert "/var/log/genesys/GRE" in line and "--profile-dir" in line, line
    (bundle,) = out.glob("*.tar.gz")
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(next(n for n in names if n.endswith("/manifest.json"))).read())
    assert not any("/GRE/" in n for n in names)
    assert [s["path"] for s in manifest["skipped"] if s["product"] is None] == [gre]

    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "bundle2"),     # a name of its own:
                        "--state-dir", str(tmp_path / "st"),             # bundle names are to the second
                        "--priority", "normal", "--workers", "1", "--json", *WINDOW)
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    assert json.loads(proc.stdout)["no_profile"][0]["folder"] == "var/log/genesys/GRE"


def test_a_site_profile_collects_it_and_profile_narrows_the_run(tmp_path: Path) -> None:
    root = _gre_host(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "gre.yaml").write_text(GRE_PROFILE)
    code, report, err = _dry_run(root, tmp_path, "--profile-dir", str(site))
    assert code == ExitCode.OK, err
    assert ("gre", "GRE") in {(i["product"], i["name"]) for i in report["installations"]}
    assert [r["product"] for r in report["files"] if "/GRE/" in r["path"]] == ["gre"]
    assert report["no_profile"] == []

    code, report, err = _dry_run(root, tmp_path, "--profile", "sip-server")     # asked for one product only
    assert code == ExitCode.OK, err
    assert report["no_profile"] == [] and not [s for s in report["skipped"] if "/GRE/" in s["path"]]


def test_with_nothing_else_found_the_error_line_names_it(tmp_path: Path) -> None:
    root = _gre_host(tmp_path, with_sip_server=False)
    code, report, err = _dry_run(root, tmp_path)
    assert code == ExitCode.NOTHING_FOUND
    (line,) = err.splitlines()
    assert "no Genesys installation found" in line and "CFGBusinessRulesExecutionServer" in line, line
    assert "/var/log/genesys/GRE" in line and "--profile-dir" in line and "Traceback" not in err, line
