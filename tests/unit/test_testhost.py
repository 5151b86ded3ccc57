"""The synthetic Genesys host generator: shapes, ledger, determinism, speed."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from collector.segheader import parse_header
from collector.testhost import ALL_PRODUCTS, DEMO_PRODUCTS, HostLedger, generate_host
from collector.testhost.fakes import luhn_valid

END = datetime(2024, 3, 5, 14, 15, 0, tzinfo=timezone.utc)
TS_NAME = re.compile(r"\.(\d{8}_\d{6}_\d{3})\.(?:log|snapshot\.log|qsp|memory\.log)$|\.log\.(\d{8}_\d{6}_\d{3})$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> HostLedger:
    return generate_host(tmp_path_factory.mktemp("demo") / "root", end=END, seed=7)


@pytest.fixture(scope="module")
def win_all(tmp_path_factory: pytest.TempPathFactory) -> HostLedger:
    return generate_host(tmp_path_factory.mktemp("win") / "root", products=ALL_PRODUCTS, layout="windows", end=END)


def _read(ledger: HostLedger, host_path: str) -> bytes:
    return (Path(ledger.root) / host_path).read_bytes()


def test_demo_layout_has_the_expected_files(demo: HostLedger) -> None:
    files = set(demo.files())
    assert set(demo.products) == set(DEMO_PRODUCTS)
    for path in ("etc/os-release", "etc/hostname", "opt/genesys/ConfigServer/confserv.cfg",
                 "opt/genesys/ConfigServer/genesys_silent.ini", "opt/genesys/ConfigServer/genesys_install_result.log",
                 "opt/genesys/LCA/lca.cfg", "opt/genesys/SIPS_P/sip_server", "opt/genesys/SIPS_P/run.sh",
                 "opt/genesys/flexlm/license.dat", "opt/genesys/SIPS_P/tls/server.key",
                 "opt/genesys/SIPS_P/tls/keystore.jks", "opt/genesys/gws/config/application.yaml",
                 "opt/genesys/gws/config/logback.xml", "var/log/jetty9/cloud.log"):
        assert path in files, path
    names = " ".join(files)
    for pattern in (r"var/log/genesys/SIPS_P/SIPS_P-001\.\d{8}_\d{6}_\d{3}\.log",
                    r"var/log/genesys/SIPS_P/SIPS_P-768\.\d{8}_\d{6}_\d{3}\.log",
                    r"var/log/genesys/SIPS_P/SIPS_P\.\d{8}_\d{6}_\d{3}\.snapshot\.log",
                    r"var/log/genesys/URS_P/URS_P\.\d{8}_\d{6}_\d{3}\.qsp",
                    r"opt/genesys/LCA/logs/LCA\.\d{8}_\d{6}_\d{3}\.log",
                    r"srv/apps/stat1/logs/Stat_Rep\.\d{8}_\d{6}_\d{3}\.log",
                    r"var/log/jetty9/\d{4}_\d{2}_\d{2}\.request\.log"):
        assert re.search(pattern, names), pattern
    assert "-app SIPS_P" in _read(demo, "opt/genesys/SIPS_P/run.sh").decode()
    assert b"PRIVATE KEY" in _read(demo, "opt/genesys/SIPS_P/tls/server.key")
    assert {"opt/genesys/SIPS_P/tls/server.key", "opt/genesys/SIPS_P/tls/keystore.jks",
            "opt/genesys/flexlm/license.dat"} <= set(demo.never_collect)
    assert any("core." in p for p in demo.never_collect)
    cfg = _read(demo, "opt/genesys/ConfigServer/confserv.cfg").decode()
    assert "[confserv]" in cfg and "password = " in cfg and "all = /var/log/genesys/confserv/confserv" in cfg


def test_headers_parse_and_names_match_first_records(demo: HostLedger) -> None:
    tz = timedelta(seconds=demo.tz_west_s)
    checked = 0
    for host_path, (first, _last) in demo.windows.items():
        match = TS_NAME.search(host_path)
        if not match:
            continue
        header = parse_header(_read(demo, host_path)[:16384])
        assert header.is_genesys, host_path
        assert header.header_end > 0
        assert header.file_name == host_path.rsplit("/", 1)[1], host_path
        assert header.time_zone_s == demo.tz_west_s
        stamp = datetime.strptime(match.group(1) or match.group(2), "%Y%m%d_%H%M%S_%f").replace(tzinfo=timezone.utc)
        first_utc = datetime.fromisoformat(first)
        delta = first_utc - (stamp + tz)
        assert timedelta(0) <= delta < timedelta(seconds=1), (host_path, delta)
        assert header.local_time and header.local_time.startswith(stamp.strftime("%Y-%m-%dT%H:%M:%S"))
        checked += 1
    assert checked >= 15
    sips = [p for p in demo.windows if re.search(r"/SIPS_P\.\d", p)]
    assert parse_header(_read(demo, sips[0])[:4096]).ha_role == "Primary"
    assert parse_header(_read(demo, sips[0])[:4096]).app_type == "TServer"


def test_every_planted_secret_is_in_its_file(demo: HostLedger, win_all: HostLedger) -> None:
    for ledger in (demo, win_all):
        cache: dict[str, bytes] = {}
        for secret in ledger.secrets:
            data = cache.setdefault(secret.host_path, _read(ledger, secret.host_path))
            assert secret.value.encode() in data, secret
    categories = {s.category for s in demo.secrets}
    assert {"phone", "card", "account", "customer_name", "email", "ssn", "display_name", "password", "jwt",
            "authorization", "aws_key", "private_key", "jdbc_credential", "url_credential", "digits",
            "sip_auth"} <= categories
    assert len(demo.secret_values()) >= 300
    assert all(luhn_valid(v) for v in demo.secret_values("card"))
    assert any(" " in v for v in demo.secret_values("card")) and any("-" in v for v in demo.secret_values("card"))


def test_shapes_in_the_logs(demo: HostLedger) -> None:
    sips = b"".join(_read(demo, p) for p in demo.windows if "/SIPS_P" in p)
    assert re.search(rb"\n\d\d:\d\d:\d\d\.\d{3}: SIPTR: Received \[0,UDP\] \d+ bytes from [\d.]+:\d+ <<<<<\n", sips)
    assert re.search(rb"\n\d\d:\d\d:\d\d\.\d{3}: Sending  \[0,UDP\] \d+ bytes to ", sips)
    assert re.search(rb"\n@\d\d:\d\d:\d\d\.\d{4} \[0\] [\d.]+ distribute_event: message EventRinging\n", sips)
    assert b"\r\n" in sips and b"\tAttributeANI\t'" in sips and b"\t\t'CardNumber'\t'****'" in sips
    assert b"AttributeCollectedDigits\t**** (length:" in sips
    ors = b"".join(_read(demo, p) for p in demo.windows if "/ORS_P" in p)
    assert b"AttributeANI [str] = \"" in ors and b"[str] = \"" in ors
    urs = b"".join(_read(demo, p) for p in demo.windows if "/URS_P" in p)
    assert re.search(rb"\n\d\d/\d\d/\d\d@\d\d:\d\d:\d\d\.\d{3}: ", urs)
    assert b"received from 65200(SIPS_P)" in urs
    lca = b"".join(_read(demo, p) for p in demo.windows if "/LCA." in p)
    assert re.search(rb"\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} ", lca)
    # midnight rollover inside one time-only segment
    rolled = False
    for host_path in demo.windows:
        if "/SIPS_P." in host_path and host_path.endswith(".log") and "snapshot" not in host_path:
            times = re.findall(rb"\n(\d\d):\d\d:\d\d\.\d{3} ", _read(demo, host_path))
            rolled |= any(int(b) < int(a) for a, b in zip(times, times[1:]))
    assert rolled
    assert all(re.fullmatch(r"[0-9a-f]{16}", c) for c in demo.keep["connid"])
    assert all(re.fullmatch(r"[0-9A-Z]{32}", c) for c in demo.keep["calluuid"])


def test_ledger_round_trips_and_stays_outside_root(demo: HostLedger, tmp_path: Path) -> None:
    again = HostLedger.from_json(demo.to_json())
    assert again == demo
    written = demo.write(tmp_path / "ledger.json")
    assert HostLedger.from_json(written.read_text()) == demo
    with pytest.raises(ValueError):
        demo.write(Path(demo.root) / "ledger.json")


def test_windows_layout_and_pureconnect(win_all: HostLedger) -> None:
    files = win_all.files()
    assert any(p.startswith("C/Program Files/GCTI/SIP Server/SIPS_P/") for p in files)
    assert any(p.startswith("D/logs/SIPS_P/SIPS_P-768.") for p in files)
    assert any(p.startswith("C/Users/") and "/AppData/Roaming/GCTI/" in p for p in files)
    cfg = _read(win_all, "C/Program Files/GCTI/Configuration Server/confserv/confserv.cfg").decode()
    assert "all = D:\\logs\\confserv\\confserv" in cfg and "\r\n" in cfg
    inin = [p for p in files if p.endswith(".ininlog")]
    assert inin and b"\x00" in _read(win_all, inin[0])
    assert any(p.endswith(".ininlog_idx") for p in files) and any(p.endswith(".zip") for p in files)
    assert not win_all.skipped_products


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}
    one = generate_host(tmp_path / "a", end=END, seed=3, products=["sip-server", "gws"])
    two = generate_host(tmp_path / "b", end=END, seed=3, products=["sip-server", "gws"])
    three = generate_host(tmp_path / "c", end=END, seed=4, products=["sip-server", "gws"])
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")
    assert one.secrets == two.secrets and one.windows == two.windows
    assert three.secrets != one.secrets


def test_target_bytes_50mb_speed(tmp_path: Path) -> None:
    target = 50 << 20
    started = time.perf_counter()
    ledger = generate_host(tmp_path / "big", end=END, target_bytes=target)
    seconds = time.perf_counter() - started
    print(f"\ngenerate_host(target_bytes=50 MB): {ledger.total_bytes / 1e6:.1f} MB in {seconds:.2f} s "
          f"= {ledger.total_bytes / 1e6 / seconds:.0f} MB/s")
    assert abs(ledger.total_bytes - target) < target * 0.1
