"""Every built-in profile loads, is complete, and takes the files GENESYS.md says each product writes."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest

from collector import profile as profile_mod
from collector.hostfiles import escape, glob_match
from collector.model import CollectSpec, Profile
from collector.profile import check_profile_file, load_profiles

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "profiles"
FILES = sorted(PROFILES.glob("*.yaml"))

PRODUCTS = {
    "host", "config-server", "config-server-proxy", "scs", "message-server", "lca", "db-server",
    "sip-server", "tserver", "urs", "ors", "stat-server", "interaction-server", "ucs", "chat-server",
    "email-server", "ocs", "icon", "gim", "gvp-mcp", "gvp-rm", "gvp-sip-proxy", "gvp-reporting", "gws",
    "gax", "gms", "pulse", "workbench", "wde", "pureconnect-cic", "pureconnect-ims",
}
RULE_SETS = {"common-secrets", "config-secrets", "tlib", "sip", "pii"}
WINDOWS_ONLY = {"wde", "pureconnect-cic", "pureconnect-ims"}

# Files that must never leave the host, whatever the product.
NEVER = [
    "opt/genesys/SIPS_P/tls/server.key", "opt/genesys/SIPS_P/tls/server.pem", "opt/genesys/gax/cacerts",
    "opt/genesys/gws/keystore.jks", "C/Program Files/GCTI/GAX/conf/client.p12",
    "C/Program Files/GCTI/SIP Server/SIPS_P/cert.pfx", "opt/genesys/flexlm/license.dat",
    "opt/genesys/SIPS_P/tls/id_rsa",
]
# Core dumps are refused by selection itself (built-in list), so that --include-core can lift it.


@pytest.fixture(scope="module")
def profiles() -> dict[str, Profile]:
    saved = profile_mod.SITE_DIR
    profile_mod.SITE_DIR = REPO / "no-site-folder-in-tests"
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv(profile_mod.ENV_VAR, raising=False)
            return load_profiles()
    finally:
        profile_mod.SITE_DIR = saved


def expand(glob: str, **values: str) -> str:
    """Substitute placeholders with literal host paths (escaped for the glob matcher)."""
    for name, value in values.items():
        glob = glob.replace("{" + name + "}", escape(value))
    return glob


def owner(profile: Profile, host_path: str, **values: str) -> CollectSpec | None:
    """The first spec with a glob matching host_path, as selection decides ownership."""
    for spec in profile.collect:
        for glob in spec.globs:
            if not set(re.findall(r"\{(\w+)\}", glob)) <= values.keys():
                continue                            # a placeholder this installation has no value for
            if glob_match(host_path, expand(glob, **values)):
                return spec
    return None


# ---------------------------------------------------------------- every file
def test_schema_is_valid_draft_2020_12() -> None:
    import json

    schema = json.loads(profile_mod.schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"]["const"] == profile_mod.SCHEMA_ID


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_profile_validates(path: Path) -> None:
    assert check_profile_file(path) == []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_is_named_after_its_product(path: Path) -> None:
    assert profile_mod.load_profile_file(path).product == path.stem


def test_exactly_the_expected_products(profiles: dict[str, Profile]) -> None:
    assert set(profiles) == PRODUCTS
    assert len(FILES) == len(PRODUCTS)          # unique ids: load_profiles refuses duplicates in one folder


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_rule_sets_exist(profiles: dict[str, Profile], product: str) -> None:
    prof = profiles[product]
    assert prof.redaction, "every profile names its redaction rule sets"
    assert {"common-secrets", "pii"} <= set(prof.redaction)
    for name in prof.redaction:
        assert name in RULE_SETS, name
    rule_dir = PROFILES / "redaction"
    if any(rule_dir.glob("*.yaml")):           # once the rule sets are written, each must exist
        for name in prof.redaction:
            assert (rule_dir / f"{name}.yaml").is_file(), f"{product}: missing profiles/redaction/{name}.yaml"


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_forbids_keys_keystores_and_licences(profiles: dict[str, Profile], product: str) -> None:
    forbid = profiles[product].forbid
    for path in NEVER:
        assert any(glob_match(path, g) for g in forbid), f"{product} does not forbid {path}"
    for fine in ("opt/genesys/SIPS_P/SIPS_P.cfg", "var/log/genesys/SIPS_P/SIPS_P.20240305_091500_120.log",
                 "opt/genesys/core/readme.txt"):
        assert not any(glob_match(fine, g) for g in forbid), f"{product} forbids {fine}"


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_roots_cover_linux_and_windows(profiles: dict[str, Profile], product: str) -> None:
    roots = profiles[product].roots
    if product == "host":
        assert roots == () and profiles[product].detect.paths
        return
    assert any("Program Files" in r or r.startswith(("*/I3", "I3/")) for r in roots), roots
    if product not in WINDOWS_ONLY:
        assert any(r.startswith("opt/") for r in roots), roots


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_specs_are_sane(profiles: dict[str, Profile], product: str) -> None:
    prof = profiles[product]
    for spec in prof.collect:
        if spec.kind == "config":
            assert spec.window == "ignore", f"{product}/{spec.id}: configs are taken whatever the window"
        if spec.kind == "binary-log":
            assert spec.consent == "unredacted-binary"
    assert sum(len(s.globs) for s in prof.collect) >= 3


# ---------------------------------------------------------------- what each product writes
BASE = "var/log/genesys/SIPS_P/SIPS_P"
TS = "20240305_091500_120"


@pytest.mark.parametrize(("host_path", "spec_id"), [
    (f"{BASE}.{TS}.snapshot.log", "snapshot"),
    (f"{BASE}-768.{TS}.snapshot.log", "snapshot"),
    (f"{BASE}.{TS}.log", "segments"),
    (f"{BASE}-001.{TS}.log", "segments"),
    (f"{BASE}-016.{TS}.log", "segments"),
    (f"{BASE}-512.{TS}.log", "segments"),
    (f"{BASE}-1024.{TS}.log", "segments"),
    (f"{BASE}-1536.{TS}.log", "segments"),
    (f"{BASE}.{TS}.qsp", "segments"),
    (f"{BASE}.{TS}.memory.log", "segments"),
    ("opt/genesys/SIPS_P/run.sh", "startup"),
    ("opt/genesys/SIPS_P/genesys_silent.ini", "startup"),
    ("opt/genesys/SIPS_P/SIPS_P.cfg", "startup"),
    (f"var/log/genesys/SIPS_P/SIPS_P-2.{TS}.log", None),          # another app's stream
    (f"var/log/genesys/SIPS_P/SIPS_PX.{TS}.log", None),
])
def test_sip_server_takes_every_thread_stream_and_companions(profiles: dict[str, Profile], host_path: str,
                                                            spec_id: str | None) -> None:
    spec = owner(profiles["sip-server"], host_path, log_base=BASE, log_dir=BASE.rsplit("/", 1)[0],
                 app_dir="opt/genesys/SIPS_P", name="SIPS_P")
    assert (spec.id if spec else None) == spec_id


@pytest.mark.parametrize("product", sorted(p for p in PRODUCTS if p not in {"host", "gws", "workbench", "wde",
                                                                             "pureconnect-cic", "pureconnect-ims"}))
def test_framework_style_products_keep_snapshots_in_window(profiles: dict[str, Profile], product: str) -> None:
    base = "var/log/genesys/APP/APP"
    values = {"log_base": base, "log_dir": "var/log/genesys/APP", "app_dir": "opt/genesys/APP", "name": "APP"}
    snapshot = owner(profiles[product], f"{base}.{TS}.snapshot.log", **values)
    assert snapshot is not None and snapshot.always_in_window
    segment = owner(profiles[product], f"{base}.{TS}.log", **values)
    assert segment is not None and segment.kind == "log" and not segment.always_in_window
    startup = owner(profiles[product], "opt/genesys/APP/APP.cfg", **values)
    assert startup is not None and startup.kind == "config"


@pytest.mark.parametrize(("product", "host_path", "spec_id", "values"), [
    ("host", "etc/os-release", "os", {}),
    ("host", "etc/redhat-release", "os", {}),
    ("host", "etc/security/limits.conf", "limits", {}),
    ("host", "etc/chrony.conf", "time", {}),
    ("host", "C/Windows/System32/drivers/etc/hosts", "network", {}),
    ("config-server", "opt/genesys/ConfigServer/confserv.cfg", "startup", {"app_dir": "opt/genesys/ConfigServer"}),
    ("config-server", "C/Program Files/GCTI/Configuration Server/CS/confserv.conf", "startup",
     {"app_dir": "C/Program Files/GCTI/Configuration Server/CS"}),
    ("lca", "opt/genesys/LCA/lca.cfg", "startup", {"app_dir": "opt/genesys/LCA"}),
    ("urs", "var/log/genesys/URS_P/URS_P_http.log", "http-log",
     {"log_base": "var/log/genesys/URS_P/URS_P", "log_dir": "var/log/genesys/URS_P"}),
    ("gvp-mcp", "opt/genesys/gvp/VP_MCP/MCP_8.1/config/mcp.ini", "startup",
     {"app_dir": "opt/genesys/gvp/VP_MCP/MCP_8.1"}),
    ("gws", "var/log/jetty9/cloud.log", "cloud-log", {}),
    ("gws", "var/log/jetty9/cloud.log.1", "cloud-log", {}),
    ("gws", "var/log/jetty9/2024_03_05.request.log", "request-log", {}),
    ("gws", "var/log/jetty9/cloud.2024-03-05.0.log", "cloud-log", {}),
    ("gws", "usr/share/jetty9/resources/application.yaml", "startup", {}),
    ("gws", "opt/genesys/gws/config/application.yaml", "startup", {"app_dir": "opt/genesys/gws"}),
    ("gax", "opt/genesys/gax/logs/gax.log.20240305_091500_120", "segments",
     {"app_dir": "opt/genesys/gax", "log_base": "opt/genesys/gax/logs/gax.log"}),
    ("gms", "opt/genesys/gms/etc/credentials.json", "startup", {"app_dir": "opt/genesys/gms"}),
    ("workbench", "opt/genesys/Workbench_9.3/config/workbench.json", "startup",
     {"app_dir": "opt/genesys/Workbench_9.3"}),
    ("gws", "opt/jetty/resources/logback.xml", "startup", {"app_dir": "opt/jetty"}),
    ("gax", "opt/genesys/gax/logs/gax.log", "app-logs", {"app_dir": "opt/genesys/gax"}),
    ("gax", "opt/genesys/gax/logs/gax.log.20240305_091500-1", "app-logs", {"app_dir": "opt/genesys/gax"}),
    ("wde", "C/Users/agent1/AppData/Roaming/GCTI/WDE/logs/InteractionWorkspace.20240305.log", "user-logs",
     {"home": "C/Users/agent1", "app_dir": "C/Program Files (x86)/GCTI/Workspace Desktop Edition"}),
    ("wde", "C/Program Files (x86)/GCTI/Workspace Desktop Edition/InteractionWorkspace.exe.config", "startup",
     {"home": "C/Users/agent1", "app_dir": "C/Program Files (x86)/GCTI/Workspace Desktop Edition"}),
    ("pureconnect-cic", "D/I3/IC/Logs/2024-03-05/AccServer.ininlog", "ininlog", {"app_dir": "D/I3/IC"}),
    ("pureconnect-cic", "D/I3/IC/Logs/2024-03-05/AccServer.ininlog.ininlog_idx", "ininlog", {"app_dir": "D/I3/IC"}),
    ("pureconnect-cic", "D/I3/IC/Logs/2024-03-04.zip", "ininlog", {"app_dir": "D/I3/IC"}),
    ("pureconnect-cic", "D/I3/IC/Logs/2024-03-05/setup.txt", "text-logs", {"app_dir": "D/I3/IC"}),
    ("pureconnect-cic", "D/I3/IC/Logs/2024-03-05/notifier.syslog", "text-logs", {"app_dir": "D/I3/IC"}),
    ("pureconnect-cic", "C/Windows/System32/winevt/Logs/Application.evtx", "event-logs", {"app_dir": "D/I3/IC"}),
    ("pureconnect-cic", "c:/Windows/System32/winevt/Logs/System.evtx", "event-logs", {"app_dir": "D/I3/IC"}),
    ("pureconnect-cic", "Windows/System32/winevt/Logs/System.evtx", "event-logs", {"app_dir": "I3/IC"}),
])
def test_product_files_are_owned_by_the_right_spec(profiles: dict[str, Profile], product: str, host_path: str,
                                                   spec_id: str, values: dict[str, str]) -> None:
    spec = owner(profiles[product], host_path, **values)
    assert spec is not None and spec.id == spec_id, (product, host_path, spec)


def test_pureconnect_binary_logs_need_consent(profiles: dict[str, Profile]) -> None:
    for product in ("pureconnect-cic", "pureconnect-ims"):
        ininlog = next(s for s in profiles[product].collect if s.id == "ininlog")
        assert ininlog.kind == "binary-log" and ininlog.consent == "unredacted-binary"
    events = next(s for s in profiles["pureconnect-cic"].collect if s.id == "event-logs")
    assert events.kind == "binary-log" and events.consent == "unredacted-binary"


def test_windows_security_log_is_not_collected(profiles: dict[str, Profile]) -> None:
    for product, prof in profiles.items():
        for path in ("C/Windows/System32/winevt/Logs/Security.evtx", "Windows/System32/winevt/Logs/Security.evtx"):
            assert owner(prof, path, app_dir="D/I3/IC", home="C/Users/agent1") is None, (product, path)


# ---------------------------------------------------------------- telling products apart by header
def _header(banner: str, app_type: str | None, command_line: str) -> bytes:
    lines = [banner, "Application name:   APP_P"]
    if app_type:
        lines.append(f"Application type:   {app_type}")
    lines += ["Host name:          demo-gen01", f"Command line:       {command_line}",
              "09:15:02.004 Std 09900 first record"]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(("banner", "app_type", "command_line", "product"), [
    ("Genesys SIP Server, version 8.1.199.01", "TServer", "./sip_server -host cfg -port 2020 -app SIPS_P",
     "sip-server"),
    ("Genesys SIP Server, version 8.1.199.01", "TServer", "SIP_Server.exe -host cfg -port 2020 -app SIPS_P",
     "sip-server"),
    ("Genesys T-Server for Avaya Communication Manager, version 8.1.0", "TServer",
     "./avaya_tserver -host cfg -port 2020 -app TS_P", "tserver"),
    ("Genesys T-Server for Avaya Communication Manager, version 8.1.0", "TServer",
     "./avaya_server -host cfg -port 2020 -app TS_Avaya_P", "tserver"),
    ("Genesys Universal Routing Server, version 8.1", "RouterServer", "./URServer -app URS_P", "urs"),
    ("Genesys StatServer, version 8.5", "StatServer", "./statserver -app Stat_P", "stat-server"),
    ("Genesys Configuration Server, version 8.5", None, "./confserv -c confserv.cfg", "config-server"),
    ("Genesys Configuration Server, version 8.5", "ConfigurationServer", "confserv.exe -host cs -app confserv",
     "config-server"),
    ("Genesys Configuration Server Proxy, version 8.5", None, "./confserv -host cs -port 2020 -app CSP",
     "config-server-proxy"),
    ("Genesys Configuration Server Proxy, version 8.5", "ConfigurationServer", "./confserv -app CS_Proxy_B",
     "config-server-proxy"),
    ("Genesys Orchestration Server, version 8.1", "OrchestrationServer", "./orchestration_server -app ORS_P", "ors"),
    ("Genesys Interaction Concentrator, 8.1", "InteractionConcentrator", "./icon -host cfg -app ICON_Voice", "icon"),
    ("Genesys Media Control Platform, 8.1", "CFGGVPMCP", "./pwproxy -app MCP_1", "gvp-mcp"),
    ("Genesys Resource Manager, 8.1", "CFGGVPResourceMgr", "./resourcemgr -app RM_1", "gvp-rm"),
    ("Genesys DB Server, 8.1", "RealDBServer", "./dbserver -app dbserver", "db-server"),
    ("Genesys Outbound Contact Server, 8.5", "OCServer", "./cm_server -app OCS_P", "ocs"),
    ("Genesys SIPPROXY, version 8.1", "GenericServer", "./sipproxy -app SIPProxy_P", "gvp-sip-proxy"),
    ("Local Control Agent, version 8.5", None, "./lca 4999", "lca"),
])
def test_header_picks_the_most_specific_profile(profiles: dict[str, Profile], banner: str, app_type: str | None,
                                                command_line: str, product: str) -> None:
    logheads = pytest.importorskip("collector.logheads")
    from collector.segheader import parse_header

    header = parse_header(_header(banner, app_type, command_line))
    assert logheads.classify_header(header, profiles) == product


# probe AG F1: every Genesys application is started with ``-host <Config Server host>``, and such
# hosts are often called confserv01; only the program (never an option value) says Config Server
@pytest.mark.parametrize(("banner", "app_type", "command_line", "product"), [
    ("Genesys Universal Contact Server, version 8.5.300.09", None,
     "java -Xmx2g -jar ucs.jar -host confserv01 -port 2020 -app UCS", "ucs"),
    ("Genesys Universal Contact Server, version 8.5.300.09", None,
     "java -Xmx2g -jar ucs.jar -host statserver01 -backup_host dbserver02 -port 2020 -app UCS", "ucs"),
    ("Genesys Universal Routing Server, version 8.1", "RouterServer", "./URServer -host confserv01 -app URS_P", "urs"),
    ("Genesys SIP Server, version 8.1.199.01", "TServer", "./sip_server -host CONFSERV-A -port 2020 -app SIPS_P",
     "sip-server"),
    ("Genesys Rules Engine, version 8.5.302.05", "CFGBusinessRulesExecutionServer",
     "java -jar gre.jar -host confserv01 -port 2020 -app GRE", None),
    ("Genesys Configuration Server, version 8.5", None, "/opt/genesys/ConfigServer/confserv -host confserv02",
     "config-server"),
    ("Genesys Configuration Server, version 8.5", None,
     '"C:\\Program Files\\GCTI\\Configuration Server\\CS\\confserv.exe" -host cs -app confserv', "config-server"),
    ("Genesys Configuration Server, version 8.5", None,
     "C:\\Program Files\\GCTI\\Configuration Server\\CS\\confserv.exe -host cs -app confserv", "config-server"),
    ("", None, "confserv.exe -c confserv.cfg", "config-server"),
    ("Genesys Configuration Server Proxy, version 8.5", None, "./confserv -host confserv01 -port 2020 -app CSP",
     "config-server-proxy"),
])
def test_a_config_server_host_name_is_not_the_program(profiles: dict[str, Profile], banner: str,
                                                      app_type: str | None, command_line: str,
                                                      product: str | None) -> None:
    from collector.logheads import classify_header
    from collector.segheader import parse_header

    header = parse_header(_header(banner, app_type, command_line))
    assert classify_header(header, profiles) == product


@pytest.mark.parametrize(("exe", "cmdline", "product"), [
    ("java", ("java", "-jar", "ucs.jar", "-host", "confserv01", "-app", "UCS"), None),
    ("java", ("java", "-jar", "gre.jar", "-host", "statserver01", "-app", "GRE"), None),
    ("confserv", ("./confserv", "-host", "confserv01", "-app", "confserv"), "config-server"),
])
def test_a_running_java_app_with_a_confserv_host_is_no_config_server(profiles: dict[str, Profile], exe: str,
                                                                      cmdline: tuple[str, ...],
                                                                      product: str | None) -> None:
    from collector.processes import ProcessInfo, match_product

    assert match_product(ProcessInfo(1, exe, cmdline, None), profiles) == product


@pytest.mark.parametrize("host_path", ["opt/Genesys/Workbench_9.1.100.00/Karaf/etc/users.properties",
                                       "opt/genesys/Workbench_9.3/Karaf/etc/users.properties"])
def test_workbench_karaf_users_file_is_not_collected(profiles: dict[str, Profile], host_path: str) -> None:
    """Karaf's users.properties lists user = password[,roles]; a user with no roles, a blank
    separator or a continued line looks like any other setting, so the file is left out whole."""
    from collector.selection import never_collect_reason
    reason = never_collect_reason(host_path, "/nonexistent", profiles["workbench"].forbid, False)
    assert reason is not None and "users.properties" in reason
