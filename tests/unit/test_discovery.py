"""discover(): fixture trees built in tmp_path, one signal or layout per case."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from collector import logheads, processes
from collector.appconfig import map_log_path, parse_ini, app_name_from_sections
from collector.discovery import discover
from collector.model import CollectSpec, Detect, Installation, Profile

FRAMEWORK_SPECS = (
    CollectSpec("snapshot", "log", ("{log_base}*.snapshot.log",), always_in_window=True),
    CollectSpec("log", "log", ("{log_base}.*.log", "{log_base}-*.log")),
    CollectSpec("config", "config", ("{app_dir}/*.cfg", "{app_dir}/*.conf", "{app_dir}/run.sh"),
                window="ignore"),
)


def make_profile(product: str, detect: Detect, collect=FRAMEWORK_SPECS, **extra) -> Profile:
    return Profile(product=product, title=product, source=f"{product}.yaml", sha256="0" * 64,
                   detect=detect, collect=collect, redaction=("common-secrets",), **extra)


PROFILES = {
    "host": make_profile("host", Detect(paths=("etc/os-release",)), collect=(
        CollectSpec("os", "text", ("etc/os-release", "etc/hostname"), window="ignore"),)),
    "config-server": make_profile("config-server", Detect(
        files=("confserv.cfg", "confserv.conf"), command_lines=("confserv",),
        app_types=("ConfigurationServer",))),
    "sip-server": make_profile("sip-server", Detect(
        processes=("SIP_Server",), app_types=("TServer",), banners=("SIP Server",),
        command_lines=("sip_server",))),
    "tserver": make_profile("tserver", Detect(
        processes=("TServer_*",), app_types=("TServer",), banners=("T-Server",))),
    "stat-server": make_profile("stat-server", Detect(
        processes=("statserver",), app_types=("StatServer",), banners=("StatServer",))),
    "lca": make_profile("lca", Detect(files=("lca.cfg",), processes=("lca",),
                                      banners=("Local Control Agent",))),
}


def genesys_header(app: str | None, app_type: str | None, banner: str, command: str | None,
                   file_name: str = "x.log") -> str:
    lines = [banner]
    if app:
        lines.append(f"Application name:   {app}")
    if app_type:
        lines.append(f"Application type:   {app_type}")
    lines += ["Host name:          demo-gen01", "Local time:         2024-03-05T09:15:00.120",
              "Start time (UTC):   2024-03-05T14:15:00.120", "Time zone:          18000",
              f"File:               (0000000007) {file_name}"]
    if command:
        lines.append(f"Command line:       {command}")
    lines.append("09:15:02.004 Std 09900 Connected to Configuration Server")
    return "\n".join(lines) + "\n"


SIP_BANNER = "Genesys SIP Server, version 8.1.199.01"
TS_BANNER = "Genesys T-Server for Avaya Communication Manager, version 8.1.010.05"


def write(root: Path, host_path: str, text: str = "x\n") -> Path:
    path = root / host_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def sip_log(root: Path, host_path: str, app: str = "SIPS_P") -> Path:
    return write(root, host_path, genesys_header(app, "TServer", SIP_BANNER,
                                                 f"./sip_server -host cfg -port 2020 -app {app}"))


def find(installations: list[Installation], product: str, name: str | None = None) -> Installation:
    hits = [i for i in installations if i.product == product and (name is None or i.name == name)]
    assert len(hits) == 1, installations
    return hits[0]


# ------------------------------------------------------------------ layouts
def test_linux_layout_log_all_absolute_path(tmp_path: Path) -> None:
    write(tmp_path, "etc/os-release", "ID=rhel\n")
    write(tmp_path, "opt/genesys/SIPS_P/sip.cfg",
          "[log]\nverbose = all\nall = stdout, /var/log/genesys/SIPS_P/SIPS_P, network\n")
    write(tmp_path, "opt/genesys/SIPS_P/run.sh", "#!/bin/sh\n./sip_server -host cfg -app SIPS_P\n")
    sip_log(tmp_path, "var/log/genesys/SIPS_P/SIPS_P.20240305_091500_120.log")

    found = discover(tmp_path, PROFILES)
    sip = find(found, "sip-server")
    assert sip.name == "SIPS_P"
    assert sip.app_dir == "opt/genesys/SIPS_P"
    assert sip.log_bases == ("var/log/genesys/SIPS_P/SIPS_P",)
    assert sip.app_type == "TServer" and sip.version == "8.1.199.01"
    assert "config opt/genesys/SIPS_P/sip.cfg [log] all" in sip.evidence
    assert "header var/log/genesys/SIPS_P/SIPS_P.20240305_091500_120.log" in sip.evidence
    assert find(found, "host").evidence == ("path etc/os-release",)
    assert {i.product for i in found} == {"host", "sip-server"}


def test_relative_log_path_and_config_server_app_section(tmp_path: Path) -> None:
    write(tmp_path, "opt/genesys/ConfigServer/confserv.cfg",
          "[confserv]\nport = 2020\nserver = dbserver\n[dbserver]\npassword = secret\n"
          "[log]\nall = stdout, ./logs/confserv\n")
    write(tmp_path, "opt/genesys/ConfigServer/logs/confserv.20240305_091500_120.log",
          genesys_header(None, None, "Genesys Configuration Server 8.5.101.06",
                         "./confserv -c confserv.cfg"))
    found = discover(tmp_path, PROFILES)
    cs = find(found, "config-server")
    assert cs.name == "confserv"
    assert cs.app_dir == "opt/genesys/ConfigServer"
    assert cs.log_bases == ("opt/genesys/ConfigServer/logs/confserv",)
    assert "marker opt/genesys/ConfigServer/confserv.cfg" in cs.evidence


@pytest.mark.parametrize("drive", ["D", "d", "D:"])
def test_windows_layout_with_drive_letter_log_path(tmp_path: Path, drive: str) -> None:
    write(tmp_path, "C/Program Files/GCTI/SIP Server/SIPS_W/sip.cfg",
          "[log]\nall = stdout, D:\\logs\\SIPS_W\n")
    sip_log(tmp_path, f"{drive}/logs/SIPS_W.20240305_091500_120.log", app="SIPS_W")
    sip = find(discover(tmp_path, PROFILES), "sip-server")
    assert sip.name == "SIPS_W"
    assert sip.app_dir == "C/Program Files/GCTI/SIP Server/SIPS_W"
    assert sip.log_bases == (f"{drive}/logs/SIPS_W",)


def test_app_in_odd_folder_recognised_by_header(tmp_path: Path) -> None:
    write(tmp_path, "srv/apps/stat1/logs/Stat_1.20240305_091500_120.log",
          genesys_header("Stat_1", "StatServer", "Genesys StatServer 8.5.110.15",
                         "./statserver -app Stat_1"))
    write(tmp_path, "var/log/syslog.log", "Mar  5 09:15:00 host kernel: hello\n")
    write(tmp_path, "opt/genesys/notes.txt", "nothing\n")
    found = discover(tmp_path, PROFILES)
    stat = find(found, "stat-server")
    assert (stat.name, stat.app_dir) == ("Stat_1", "srv/apps/stat1")
    assert stat.log_bases == ("srv/apps/stat1/logs/Stat_1",)
    assert {i.product for i in found} == {"host", "stat-server"}   # host always; not syslog


def test_sip_server_and_tserver_share_app_type(tmp_path: Path) -> None:
    sip_log(tmp_path, "srv/a/SIPS_P.20240305_091500_120.log")
    write(tmp_path, "srv/b/TS_AV.20240305_091500_120.log",
          genesys_header("TS_AV", "TServer", TS_BANNER, "./TServer_Avaya -app TS_AV"))
    write(tmp_path, "srv/c/TS_X.20240305_091500_120.log",     # type only, no banner/command match
          genesys_header("TS_X", "TServer", "Genesys T-Server for Cisco UCM", None))
    found = discover(tmp_path, PROFILES)
    assert find(found, "sip-server").name == "SIPS_P"
    assert {i.name for i in found if i.product == "tserver"} == {"TS_AV", "TS_X"}


def test_thread_streams_make_one_installation_and_one_head_per_stream(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SIPS_P.20240305_091500_120.log", "SIPS_P.20240305_101500_120.log",
                 "SIPS_P-001.20240305_091500_120.log", "SIPS_P-768.20240305_091500_120.log",
                 "SIPS_P-768.20240305_111500_120.log", "SIPS_P.20240305_101500_120.snapshot.log"):
        sip_log(tmp_path, f"opt/genesys/SIPS_P/logs/{name}")
    reads: list[str] = []
    real_read = logheads.read_head
    monkeypatch.setattr(logheads, "read_head",
                        lambda path, limit: reads.append(Path(path).name) or real_read(path, limit))
    sip = find(discover(tmp_path, PROFILES), "sip-server")
    assert sip.log_bases == ("opt/genesys/SIPS_P/logs/SIPS_P",)
    assert sip.app_dir == "opt/genesys/SIPS_P"
    assert sorted(reads) == ["SIPS_P-001.20240305_091500_120.log",
                             "SIPS_P-768.20240305_111500_120.log",
                             "SIPS_P.20240305_101500_120.log"]


@pytest.mark.parametrize("newest", ["", "\tAttributeThisDN\t'7101'\n11:20:01.000 Std 09900 x\n"],
                         ids=["empty", "starts-mid-record"])
@pytest.mark.parametrize("marker", [True, False], ids=["marker", "logs-only"])
def test_an_empty_or_headerless_newest_segment_does_not_hide_its_stream(
        tmp_path: Path, newest: str, marker: bool) -> None:
    """Only the newest segment's head used to be read: a 0-byte one (just rotated) or one
    starting mid-record left the installation without log bases, and so without logs."""
    folder = "opt/genesys/SIPS_P/logs"
    if marker:
        write(tmp_path, "opt/genesys/SIPS_P/sip_server", "")
    for hour in (7, 8, 9, 10):
        sip_log(tmp_path, f"{folder}/SIPS_P.20261120_{hour:02d}0000_000.log")
    write(tmp_path, f"{folder}/SIPS_P.20261120_110000_000.log", newest)
    profiles = dict(PROFILES)
    profiles["sip-server"] = make_profile("sip-server", Detect(
        processes=("SIP_Server",), app_types=("TServer",), banners=("SIP Server",),
        command_lines=("sip_server",), files=("sip_server",)))
    sip = find(discover(tmp_path, profiles), "sip-server")
    assert sip.log_bases == (f"{folder}/SIPS_P",)
    assert f"header {folder}/SIPS_P.20261120_100000_000.log" in sip.evidence


def test_segments_without_any_header_are_logs_of_the_one_product_of_their_app_dir(
        tmp_path: Path) -> None:
    """Stamped segments none of which has a header (each starts mid-record) are a log base of
    the marker's product; they were left out, so the installation shipped no logs."""
    write(tmp_path, "opt/genesys/LCA/lca.cfg", "[general]\nport = 4999\n")
    for name in ("lca.20261120_100000_000.log", "lca.20261120_110000_000.log"):
        write(tmp_path, f"opt/genesys/LCA/logs/{name}", "\tAttributeThisDN\t'7101'\n10:00:01.000 Std 09900 x\n")
    write(tmp_path, "opt/genesys/LCA/logs/notes.log", "not a segment\n")
    lca = find(discover(tmp_path, PROFILES), "lca")
    assert lca.log_bases == ("opt/genesys/LCA/logs/lca",)


@pytest.mark.parametrize("beside", ["headered stream", "second marker"])
def test_segments_without_any_header_are_no_guess(tmp_path: Path, beside: str) -> None:
    """Next to a stream with a header, or in an app dir two markers claim, header-less
    segments are nobody's log base: which product wrote them is a guess."""
    write(tmp_path, "opt/genesys/mixed/lca.cfg", "[general]\nport = 4999\n")
    if beside == "headered stream":
        sip_log(tmp_path, "opt/genesys/mixed/logs/SIPS_P.20261120_100000_000.log")
    else:
        write(tmp_path, "opt/genesys/mixed/confserv.cfg", "[general]\nport = 2020\n")
    write(tmp_path, "opt/genesys/mixed/logs/other.20261120_100000_000.log", "10:00:01.000 x\n")
    found = discover(tmp_path, PROFILES)
    bases = {b for i in found for b in i.log_bases}
    assert "opt/genesys/mixed/logs/other" not in bases


def test_heads_of_a_stream_without_any_header_are_read_a_few_at_most(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = "opt/genesys/app/logs"
    for minute in range(30):
        write(tmp_path, f"{folder}/app.20261120_10{minute:02d}00_000.log", "plain text\n")
    write(tmp_path, f"{folder}/app.20261120_110000_000.log", "")
    reads: list[str] = []
    real_read = logheads.read_head
    monkeypatch.setattr(logheads, "read_head",
                        lambda path, limit: reads.append(Path(path).name) or real_read(path, limit))
    streams = logheads.scan_streams(tmp_path, folder, PROFILES, logheads.HeadBudget())
    assert [(s.base, s.headerless) for s in streams] == [("app", True)]
    assert reads == [f"app.20261120_10{minute:02d}00_000.log" for minute in (29, 28, 27)]


def test_marker_file_without_logs(tmp_path: Path) -> None:
    write(tmp_path, "opt/genesys/LCA/lca.cfg", "[general]\nport = 4999\n[log]\nall = stdout, lca\n")
    lca = find(discover(tmp_path, PROFILES), "lca")
    assert (lca.name, lca.app_dir, lca.log_bases) == ("LCA", "opt/genesys/LCA",
                                                      ("opt/genesys/LCA/lca",))
    assert lca.evidence == ("config opt/genesys/LCA/lca.cfg [log] all", "marker opt/genesys/LCA/lca.cfg")


def test_profile_roots_and_gcti_anywhere(tmp_path: Path) -> None:
    sip_log(tmp_path, "data/x/y/GCTI/SIPS_G/SIPS_G.20240305_091500_120.log", app="SIPS_G")
    profiles = dict(PROFILES)
    profiles["lca"] = make_profile("lca", Detect(files=("lca.cfg",)), roots=("apps/*/*",))
    write(tmp_path, "apps/deep/LCA_1/lca.cfg", "[log]\nall = lca\n")
    found = discover(tmp_path, profiles)
    assert find(found, "sip-server").app_dir == "data/x/y/GCTI/SIPS_G"
    assert find(found, "lca").app_dir == "apps/deep/LCA_1"


def test_processes_give_name_and_app_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app_dir = tmp_path / "opt/genesys/sip"
    app_dir.mkdir(parents=True)
    fake = [processes.ProcessInfo(1234, "sip_server", ("./sip_server", "-app", "SIPS_P"),
                                  str(app_dir)),
            processes.ProcessInfo(99, "bash", ("bash",), str(app_dir)),
            processes.ProcessInfo(77, "TServer_Avaya", ("TServer_Avaya", "-app", "TS_1"), "/")]
    monkeypatch.setattr(processes, "list_processes", lambda: fake)
    found = discover(tmp_path, PROFILES, use_processes=True)
    sip = find(found, "sip-server")
    assert (sip.name, sip.app_dir) == ("SIPS_P", "opt/genesys/sip")
    assert sip.evidence == ("process 1234 sip_server -app SIPS_P",)
    ts = find(found, "tserver")
    assert (ts.name, ts.app_dir) == ("TS_1", None)          # cwd outside the root
    assert [i.product for i in discover(tmp_path, PROFILES)] == ["host"]   # root is not "/"


def test_symlinked_folder_out_of_the_root_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    sip_log(outside, "SIPS_X.20240305_091500_120.log", app="SIPS_X")
    root = tmp_path / "root"
    (root / "opt/genesys").mkdir(parents=True)
    os.symlink(outside, root / "opt/genesys/SIPS_X")
    os.symlink(outside / "SIPS_X.20240305_091500_120.log", root / "opt/genesys/stray.log")
    assert [i.product for i in discover(root, PROFILES)] == ["host"]


def test_only_keeps_host(tmp_path: Path) -> None:
    write(tmp_path, "etc/os-release", "ID=debian\n")
    sip_log(tmp_path, "opt/genesys/SIPS_P/SIPS_P.20240305_091500_120.log")
    write(tmp_path, "opt/genesys/LCA/lca.cfg", "[log]\nall = lca\n")
    found = discover(tmp_path, PROFILES, only=["lca"])
    assert [i.product for i in found] == ["host", "lca"]


# ------------------------------------------------------------------ appconfig
@pytest.mark.parametrize("value, app_dir, expected", [
    ("/var/log/genesys/SIPS_P", "opt/genesys/SIPS_P", "var/log/genesys/SIPS_P"),
    ("SIPS_P", "opt/genesys/SIPS_P", "opt/genesys/SIPS_P/SIPS_P"),
    ("./logs/gax.log", "opt/genesys/gax", "opt/genesys/gax/logs/gax.log"),
    ("logs\\ors", "C/GCTI/ORS", "C/GCTI/ORS/logs/ors"),
    ("D:\\logs\\SIPS", "C/GCTI/SIPS", "D/logs/SIPS"),
    ("\\\\fileserver\\logs\\SIPS", "C/GCTI/SIPS", None),
    ("../../../../x", "opt/genesys", None),
    ("SIPS", None, None),
])
def test_map_log_path(value: str, app_dir: str | None, expected: str | None) -> None:
    assert map_log_path(value, app_dir) == expected


def test_parse_ini_tolerates_odd_lines() -> None:
    sections = parse_ini("; comment\nstray line\n[Log]\nALL = stdout\n[app1]\nport: 7000\n")
    assert sections == {"Log": {"all": "stdout"}, "app1": {"port": "7000"}}
    assert app_name_from_sections(sections) == "app1"


# ------------------------------------------------------------------ generated hosts
NAMES_NOT_ON_DISK = {"pureconnect-cic", "pureconnect-ims", "wde"}   # binary logs / per-user data


@pytest.mark.parametrize("layout", ["linux", "windows"])
def test_generated_host_installations_match_the_ledger(tmp_path: Path, layout: str) -> None:
    testhost = pytest.importorskip("collector.testhost")
    from collector.profile import load_profiles

    ledger = testhost.generate_host(tmp_path, layout=layout, days=0.5, segment_kb=64,
                                    products=testhost.ALL_PRODUCTS)
    found = discover(tmp_path, load_profiles())
    by_key = {(i.product, i.name): i for i in found}
    for planted in ledger.installations():
        if planted.product in NAMES_NOT_ON_DISK:
            assert any(i.product == planted.product for i in found), planted.product
            continue
        inst = by_key.get((planted.product, planted.app_name))
        assert inst is not None, (planted.product, planted.app_name, sorted(by_key))
        assert inst.app_dir == planted.app_dir
        threadless = {re.sub(r"-\d{3,4}$", "", b) for b in planted.log_bases}
        assert threadless <= set(inst.log_bases), (threadless, inst.log_bases)
        assert inst.evidence
    planted_keys = {(p.product, p.app_name) for p in ledger.installations()}
    extra = {k for k in by_key if k not in planted_keys and k[0] not in NAMES_NOT_ON_DISK | {"host"}}
    assert extra == set()


# ------------------------------------------------------------------ speed-ups keep the meaning
def test_newest_of_a_stream_without_stamps_is_the_last_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the files with the highest name stamp are stat-ed; with no stamps (Java rolled
    names) that is every file, and the last written one is read."""
    folder = "opt/genesys/SIPS_J/logs"
    for index, name in enumerate(("SIPS_J.log", "SIPS_J.2024-03-04.log", "SIPS_J.2024-03-05.1.log")):
        path = sip_log(tmp_path, f"{folder}/{name}", app="SIPS_J")
        os.utime(path, (1.7e9 + [300, 100, 200][index],) * 2)
    reads: list[str] = []
    real_read = logheads.read_head
    monkeypatch.setattr(logheads, "read_head",
                        lambda path, limit: reads.append(Path(path).name) or real_read(path, limit))
    streams = logheads.scan_streams(tmp_path, folder, PROFILES, logheads.HeadBudget())
    assert [(s.base, s.newest) for s in streams] == [("SIPS_J", f"{folder}/SIPS_J.log")]
    assert reads == ["SIPS_J.log"]


def test_wildcard_markers_and_configs_among_many_logs(tmp_path: Path) -> None:
    app = "opt/genesys/ORS_1"
    for index in range(300):
        write(tmp_path, f"{app}/ors.20240305_09{index // 60:02d}{index % 60:02d}_000.log")
    write(tmp_path, f"{app}/orchestration.xml", "<x/>")
    write(tmp_path, f"{app}/ors.cfg", "[ORS_1]\nport = 7000\n[log]\nall = ors\n")
    write(tmp_path, f"{app}/start_ors.sh", "./ors -host cfg -app ORS_1\n")
    profiles = dict(PROFILES)
    profiles["ors"] = make_profile("ors", Detect(files=("orchestration*.xml", "missing.cfg")))
    ors = find(discover(tmp_path, profiles), "ors")
    assert (ors.name, ors.app_dir, ors.log_bases) == ("ORS_1", app, (f"{app}/ors",))
    assert ors.evidence == (f"config {app}/ors.cfg [log] all", f"script {app}/start_ors.sh -app ORS_1",
                            f"marker {app}/orchestration.xml")


def _old_parse_log_name(file_name: str):
    """``parse_log_name`` before the literal-part shortcuts, for comparison."""
    from collector.hostfiles import _JAVA_ROLLED, _LOG_NAME, _ROLLED_AFTER_LOG, LogName

    after = _ROLLED_AFTER_LOG.match(file_name)
    if after:
        return LogName(after.group("base"), None, after.group("ts"), None)
    java = _JAVA_ROLLED.match(file_name)
    if java:
        return LogName(java.group("base"), None, None, None)
    found = _LOG_NAME.match(file_name)
    if found:
        companion = found.group("companion")
        if found.group("ext") == "qsp":
            companion = ".qsp"
        return LogName(found.group("base"), found.group("thread"), found.group("ts"),
                       companion.lstrip(".") if companion else None)
    base = file_name[:-4] if file_name.endswith(".log") else file_name
    return LogName(base, None, None, None)


@pytest.mark.parametrize("name", [
    "SIPS_P.20240305_091500_120.log", "SIPS_P-768.20240305_091500_120.snapshot.log",
    "gax.log.20240305_091500_120", "gax.log.20240305_091500_120-2", "cloud.2024-03-05.1.log",
    "cloud.log", "x-1.log", "a.log.b", "SIPS_P-001.20240305_091500_120.qsp",
    "gax.log.20240305_091500_120\n", "odd-2024-03-05.log", "q.log.2024-03-05.log",
    "a.log.20240305_091500_120.log", "a-2024-03-05.20240305_091500_120.log",
])
def test_parse_log_name_shortcuts_change_nothing(name: str) -> None:
    """``parse_log_name`` tries a pattern only when the name holds its literal part."""
    from collector.hostfiles import parse_log_name

    assert parse_log_name(name) == _old_parse_log_name(name)


_NAME_PARTS = st.sampled_from(["a", ".", "-", "log", "qsp", "20240305_091500_120", "2024-03-05",
                               "1", "123", "snapshot", "memory", "_", "\n", ".log"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_NAME_PARTS, min_size=1, max_size=8).map("".join))
def test_parse_log_name_shortcuts_change_nothing_for_any_name(name: str) -> None:
    from collector.hostfiles import parse_log_name

    assert parse_log_name(name) == _old_parse_log_name(name)


# ------------------------------------------------------------------ shared binaries, names
def _real_profiles() -> dict[str, Profile]:
    from collector.profile import load_profiles

    return load_profiles()


def _cs_and_proxy(root: Path) -> None:
    """Configuration Server and a CS Proxy on one host: the same ``confserv`` binary in both
    folders, and both local configs name their application section ``[confserv]``."""
    write(root, "etc/os-release", "ID=rhel\n")
    write(root, "opt/genesys/ConfigServer/confserv", "")
    write(root, "opt/genesys/ConfigServer/confserv.conf", "[confserv]\nport = 2020\n")
    write(root, "opt/genesys/ConfigServer/run.sh", "#!/bin/sh\n./confserv -app confserv\n")
    write(root, "opt/genesys/ConfigServer/tnsnames.ora", "CFGDB = (DESCRIPTION = )\n")
    write(root, "opt/genesys/CSProxy/confserv", "")
    write(root, "opt/genesys/CSProxy/csproxy.conf", "[confserv]\nport = 2025\n")


def test_config_server_and_cs_proxy_on_one_host_keep_their_own_folders(tmp_path: Path) -> None:
    _cs_and_proxy(tmp_path)
    found = discover(tmp_path, _real_profiles())
    assert find(found, "config-server").app_dir == "opt/genesys/ConfigServer"
    assert find(found, "config-server-proxy").app_dir == "opt/genesys/CSProxy"


def test_a_binary_two_products_share_goes_to_the_one_the_folder_names(tmp_path: Path) -> None:
    """Any two products with one binary name: the folder's own marker decides; alone, the
    shared binary still means the product that lists it as a marker."""
    profiles = {
        "alpha": make_profile("alpha", Detect(files=("alphad", "alpha.cfg"), processes=("alphad",))),
        "alpha-relay": make_profile("alpha-relay", Detect(files=("relay.cfg",),
                                                          processes=("alphad",))),
    }
    write(tmp_path, "opt/genesys/Server/alphad", "")
    write(tmp_path, "opt/genesys/Server/alpha.cfg", "[node]\nport = 1\n")
    write(tmp_path, "opt/genesys/Proxy/alphad", "")
    write(tmp_path, "opt/genesys/Proxy/relay.cfg", "[node]\nport = 2\n")
    write(tmp_path, "opt/genesys/Bare/alphad", "")
    found = discover(tmp_path, profiles)
    assert sorted((i.product, i.app_dir) for i in found) == [
        ("alpha", "opt/genesys/Bare"), ("alpha", "opt/genesys/Server"),
        ("alpha-relay", "opt/genesys/Proxy")]


def test_two_folders_with_one_application_name_stay_two_installations(tmp_path: Path) -> None:
    for folder in ("ConfigServer", "ConfigServer_old"):
        write(tmp_path, f"opt/genesys/{folder}/confserv.cfg", "[confserv]\nport = 2020\n")
    found = [i for i in discover(tmp_path, PROFILES) if i.product == "config-server"]
    assert sorted(i.app_dir for i in found) == ["opt/genesys/ConfigServer",
                                                "opt/genesys/ConfigServer_old"]
    assert len({i.name for i in found}) == 2


def test_a_client_section_of_a_config_is_not_the_application_name(tmp_path: Path) -> None:
    cfg = ("[pop-client]\nserver = imap.example.com\nport = 993\n[smtp-client]\n"
           "server = smtp.example.com\n[log]\nall = /var/log/genesys/EmailServer/EmailServer\n")
    assert app_name_from_sections(parse_ini(cfg)) is None
    write(tmp_path, "opt/genesys/EmailServer/EmailServer", "")
    write(tmp_path, "opt/genesys/EmailServer/EmailServer.cfg", cfg)
    found = discover(tmp_path, _real_profiles())
    assert find(found, "email-server").name == "EmailServer"


def test_markers_in_bin_and_resources_belong_to_the_application_folder(tmp_path: Path) -> None:
    write(tmp_path, "opt/genesys/gvp/MCP_8.5/bin/pwproxy", "")
    write(tmp_path, "opt/genesys/gvp/MCP_8.5/config/mcp_local.ini", "[log]\nall = mcp\n")
    write(tmp_path, "opt/genesys/gvp/RM_8.5/bin/resourcemgr", "")
    write(tmp_path, "opt/genesys/gvp/RM_8.5/rm.cfg", "[log]\nall = rm\n")
    write(tmp_path, "usr/share/jetty9/resources/application.yaml", "server:\n  port: 8090\n")
    write(tmp_path, "usr/share/jetty9/resources/logback.xml",
          "<configuration><file>/var/log/jetty9/cloud.log</file></configuration>\n")
    found = discover(tmp_path, _real_profiles())
    names = sorted((i.product, i.name, i.app_dir) for i in found if i.product != "host")
    assert names == [("gvp-mcp", "MCP_8.5", "opt/genesys/gvp/MCP_8.5"),
                     ("gvp-rm", "RM_8.5", "opt/genesys/gvp/RM_8.5"),
                     ("gws", "jetty9", "usr/share/jetty9")]


def test_cs_and_cs_proxy_configs_are_both_in_the_bundle(tmp_path: Path) -> None:
    """End to end: each installation's own files are collected (F20 lost the master's)."""
    import json
    import subprocess
    import sys

    from collector.bundlereader import iter_members

    root = tmp_path / "root"
    _cs_and_proxy(root)
    out, state = tmp_path / "out", tmp_path / "state"
    proc = subprocess.run(
        [sys.executable, "-m", "collector", "collect", "--root", str(root), "--output", str(out),
         "--state-dir", str(state), "--all-logs", "--quiet", "--priority", "normal", "--json"],
        capture_output=True, cwd=Path(__file__).resolve().parents[2], timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    report = json.loads(proc.stdout)
    members = {name for name, _ in iter_members(Path(report["bundle"]))}
    for path in ("opt/genesys/ConfigServer/confserv.conf", "opt/genesys/ConfigServer/run.sh",
                 "opt/genesys/ConfigServer/tnsnames.ora", "opt/genesys/CSProxy/csproxy.conf"):
        assert any(m.endswith(path) for m in members), (path, sorted(members))
    manifest = json.loads(dict(iter_members(Path(report["bundle"])))["manifest.json"])
    owners = {f["path"].rsplit("/", 1)[-1]: f.get("product") for f in manifest["files"]}
    assert (owners["confserv.conf"], owners["csproxy.conf"]) == ("config-server",
                                                                 "config-server-proxy")


def test_a_product_found_by_markers_alone_is_listed_when_its_folder_gives_no_file(
        tmp_path: Path) -> None:
    from collector.model import Window
    from collector.selection import Caps, select

    write(tmp_path, "opt/genesys/gvp/MCP_8.5/bin/pwproxy", "")
    profiles = _real_profiles()
    found = discover(tmp_path, profiles)
    mcp = find(found, "gvp-mcp")
    plan = select(tmp_path, profiles, found, Window(), Caps())
    assert not [m for m in plan.members if m.product == "gvp-mcp"]
    assert [(s.host_path, s.product) for s in plan.skipped] == [(f"{mcp.app_dir}/", "gvp-mcp")]


# ------------------------------------------------------------------ keep-startup-file
@pytest.mark.parametrize("value, keeps", [("true", True), ("5 MB", True), ("false", False), (None, False)])
def test_keep_startup_file_marks_the_log_bases_of_its_config(tmp_path: Path, value, keeps: bool) -> None:
    option = f"keep-startup-file = {value}\n" if value is not None else ""
    write(tmp_path, "opt/genesys/LCA/lca.cfg", f"[general]\nlca_port = 4999\n[log]\nall = lca\n{option}")
    write(tmp_path, "opt/genesys/CS_K/confserv.conf",
          f"[confserv]\nport = 2020\n[log]\nall = /var/log/genesys/CS_K/CS_K\n{option}")
    lca, cs = (find(discover(tmp_path, PROFILES), product) for product in ("lca", "config-server"))
    assert lca.startup_bases == (("opt/genesys/LCA/lca",) if keeps else ())
    assert cs.startup_bases == (("var/log/genesys/CS_K/CS_K",) if keeps else ())


def test_the_startup_segment_of_keep_startup_file_is_in_the_bundle_marked(tmp_path: Path) -> None:
    """End to end: lca.cfg and confserv.conf with keep-startup-file=true; their startup
    segments, days before the window, were skipped as outside it."""
    import json
    import subprocess
    import sys

    from collector.bundlereader import iter_members

    root = tmp_path / "root"
    write(root, "opt/genesys/LCA/lca.cfg", "[log]\nverbose = all\nall = lca\nkeep-startup-file = true\n")
    write(root, "opt/genesys/CS_K/confserv.conf", "[confserv]\nport = 2020\n[log]\nverbose = all\n"
          "all = /var/log/genesys/CS_K/CS_K\nkeep-startup-file = true\n")
    for base, banner, command in (("opt/genesys/LCA/lca", "Local Control Agent 8.5.100.12", "./lca 4999"),
                                  ("var/log/genesys/CS_K/CS_K", "Genesys Configuration Server 8.5.101.06",
                                   "./confserv -c confserv.conf")):
        for stamp, local, utc in (("20240301_060000_000", "2024-03-01T06:00:00.000", "2024-03-01T06:00:00.000"),
                                  ("20240305_093000_000", "2024-03-05T09:30:00.000", "2024-03-05T09:30:00.000")):
            name = f"{base.rsplit('/', 1)[-1]}.{stamp}.log"
            head = genesys_header(None, None, banner, command, name).replace(
                "2024-03-05T09:15:00.120", local).replace("2024-03-05T14:15:00.120", utc).replace(
                "Time zone:          18000", "Time zone:          0").replace("09:15:02.004", local[11:23])
            write(root, f"{base}.{stamp}.log", head + f"{local[11:19]}.500 Std 09900 password=Secret123\n")
    out, state = tmp_path / "out", tmp_path / "state"
    proc = subprocess.run(
        [sys.executable, "-m", "collector", "collect", "--root", str(root), "--output", str(out),
         "--state-dir", str(state), "--since", "2024-03-05T09:40:00Z", "--until", "2024-03-05T10:00:00Z",
         "--quiet", "--priority", "normal", "--json"],
        capture_output=True, cwd=Path(__file__).resolve().parents[2], timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    bundle = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    manifest = json.loads(bundle["manifest.json"])
    notes = {f["path"]: f.get("note") for f in manifest["files"] if f["path"].endswith(".log")}
    startup = "startup segment (keep-startup-file), taken whole"
    assert notes == {"opt/genesys/LCA/lca.20240301_060000_000.log": startup,
                     "opt/genesys/LCA/lca.20240305_093000_000.log": None,
                     "var/log/genesys/CS_K/CS_K.20240301_060000_000.log": startup,
                     "var/log/genesys/CS_K/CS_K.20240305_093000_000.log": None}
    stored = next(data for name, data in bundle.items() if name.endswith("CS_K.20240301_060000_000.log"))
    assert b"06:00:00.500 Std 09900" in stored and b"Secret123" not in stored     # whole, and redacted


def test_a_webapp_folder_is_part_of_its_application(tmp_path: Path) -> None:
    """opt/genesys/gax/webapp/gax.war made a second GAX installation 'webapp', listed as
    having no file of its own."""
    from collector.model import Window
    from collector.selection import Caps, select

    write(tmp_path, "opt/genesys/gax/webapp/gax.war", "PK")
    write(tmp_path, "opt/genesys/gax/logs/gax.log.20240305_090000_000", "2024-03-05 09:00:00,000 INFO x\n")
    write(tmp_path, "opt/genesys/tomcat/webapps/pulse.war", "PK")
    profiles = _real_profiles()
    found = discover(tmp_path, profiles)
    assert sorted((i.product, i.name, i.app_dir) for i in found if i.product != "host") == [
        ("gax", "gax", "opt/genesys/gax"), ("pulse", "tomcat", "opt/genesys/tomcat")]
    plan = select(tmp_path, profiles, found, Window(), Caps())
    assert [s.reason for s in plan.skipped if s.product == "gax"] == []


def test_a_stopped_app_whose_segments_are_all_gzipped_keeps_its_log_base(tmp_path: Path) -> None:
    """Probe V 13: a site job gzipped every segment of a stopped SIP Server: no ``*.log`` is
    left, but its stream is there (the header read from the text of the newest ``.log.gz``),
    so its log base, and with it the profile's ``{log_base}.[0-9]*.log.gz`` glob, still is."""
    import gzip

    write(tmp_path, "opt/genesys/SIPS_P/sip_server", "\x7fELF")
    write(tmp_path, "opt/genesys/SIPS_P/run.sh", "#!/bin/sh\n./sip_server -host cfg -app SIPS_P\n")
    for stamp in ("20240305_091500_120", "20240305_101500_120"):
        plain = sip_log(tmp_path, f"var/log/genesys/SIPS_P/SIPS_P.{stamp}.log")
        plain.with_name(plain.name + ".gz").write_bytes(gzip.compress(plain.read_bytes()))
        plain.unlink()
    sip = find(discover(tmp_path, PROFILES), "sip-server")
    assert sip.name == "SIPS_P" and sip.app_dir == "opt/genesys/SIPS_P"
    assert sip.log_bases == ("var/log/genesys/SIPS_P/SIPS_P",)
    assert "header var/log/genesys/SIPS_P/SIPS_P.20240305_101500_120.log.gz" in sip.evidence
    assert sip.version == "8.1.199.01"
