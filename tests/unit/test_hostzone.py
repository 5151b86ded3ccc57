"""host_zone(): the collected host's zone from the files under its root."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo

import pytest

from collector.hostzone import HostZone, host_zone
from tests.hostfs import put


def zone_file(name: str) -> bytes:
    for base in TZPATH:
        path = Path(base) / name
        if path.is_file():
            return path.read_bytes()
    pytest.skip("no zoneinfo database on this machine")


@pytest.mark.parametrize("target", ["/usr/share/zoneinfo/Asia/Tokyo", "../usr/share/zoneinfo/Asia/Tokyo",
                                    "/usr/share/zoneinfo/posix/Asia/Tokyo", "/nowhere/zoneinfo/Asia/Tokyo"])
def test_an_etc_localtime_symlink_names_the_zone_without_being_followed(tmp_path: Path, target: str) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/localtime").symlink_to(target)
    put(tmp_path, "etc/timezone", "Europe/Paris\n")              # etc/localtime wins
    zone = host_zone(tmp_path)
    assert (zone.name, zone.kind, zone.source) == ("Asia/Tokyo", "root", "the etc/localtime symlink")
    assert zone.tzinfo == ZoneInfo("Asia/Tokyo")


def test_an_etc_localtime_zone_file_is_named_by_its_content(tmp_path: Path) -> None:
    put(tmp_path, "etc/localtime", zone_file("Asia/Kolkata"))
    zone = host_zone(tmp_path)
    assert zone.kind == "root" and zone.source == "the etc/localtime zone file"
    assert zone.tzinfo.utcoffset(datetime(2024, 3, 5)).total_seconds() == 5.5 * 3600
    assert zone.name is not None and ZoneInfo(zone.name).utcoffset(datetime(2024, 3, 5)) == \
        zone.tzinfo.utcoffset(datetime(2024, 3, 5))
    put(tmp_path, "etc/timezone", "Asia/Kolkata\n")         # of the names of these bytes, the host's own
    assert host_zone(tmp_path).name == "Asia/Kolkata"


def test_an_unnamed_zone_file_is_used_as_it_is(tmp_path: Path) -> None:
    zone = HostZone(None, "the etc/localtime zone file", tzif=zone_file("America/Chicago"))
    assert zone.tzinfo.utcoffset(datetime(2024, 7, 1)).total_seconds() == -5 * 3600
    assert "an unnamed zone" in zone.describe()


def test_etc_timezone_then_sysconfig_clock(tmp_path: Path) -> None:
    put(tmp_path, "etc/timezone", "America/Sao_Paulo\n")
    assert host_zone(tmp_path).as_dict()["name"] == "America/Sao_Paulo"
    other = tmp_path / "rhel"
    put(other, "etc/sysconfig/clock", '# set by installer\nZONE="Europe/Berlin"\nUTC=true\n')
    zone = host_zone(other)
    assert (zone.name, zone.source) == ("Europe/Berlin", "etc/sysconfig/clock")


@pytest.mark.parametrize("text", ["../../etc/passwd\n", "/etc/shadow\n", "Not/A_Zone\n", "", "\x00\xff"])
def test_a_name_that_is_no_zone_is_not_used(tmp_path: Path, text: str) -> None:
    put(tmp_path, "etc/timezone", text)
    (tmp_path / "etc/localtime").symlink_to("/etc/passwd")
    zone = host_zone(tmp_path)
    assert zone.kind == "unknown" and zone.tzinfo is None
    assert "this machine's zone" in zone.describe()


def test_a_localtime_link_leaving_the_root_is_not_read(tmp_path: Path) -> None:
    outside = put(tmp_path, "elsewhere/zone", zone_file("Asia/Tokyo"))
    root = tmp_path / "host"
    (root / "etc").mkdir(parents=True)
    (root / "etc/localtime").symlink_to(os.path.relpath(outside, root / "etc"))
    assert host_zone(root).kind == "unknown"


def test_the_live_root_is_this_machines_zone() -> None:
    zone = host_zone(Path("/"))
    assert zone.kind == "machine" and zone.tzinfo is None


@pytest.mark.parametrize("cut", [1, 40, 400])
def test_a_truncated_localtime_in_a_copy_tells_no_zone_and_never_hangs(tmp_path: Path, cut: int) -> None:
    """A partial copy: Python's zone loader reads a v2+ file's closing TZ string byte by byte
    until a newline, so without its last byte it read empty bytes for ever (the run hung at
    100 % CPU before collecting anything); cut inside its data it raised struct.error (exit 3).
    Run in a child process so a regression fails on the timeout instead of hanging the suite."""
    import subprocess
    import sys

    data = zone_file("America/New_York")
    assert data[4:5] in (b"2", b"3", b"4")                     # a v2+ file, with a TZ string
    put(tmp_path, "etc/localtime", data[:-cut])
    put(tmp_path, "etc/timezone", "America/Chicago\n")        # the next source is used
    code = ("import sys; from pathlib import Path; from collector.hostzone import host_zone; "
            "z = host_zone(Path(sys.argv[1])); print(z.name, z.source)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert (done.returncode, done.stdout) == (0, "America/Chicago etc/timezone\n"), done.stderr


def test_an_etc_folder_linked_out_of_the_copy_is_not_this_machines(tmp_path: Path) -> None:
    """etc -> /etc in a copy means ROOT/etc: this machine's /etc/localtime link was reported as
    'the collected host's zone, from the etc/localtime symlink'."""
    (tmp_path / "etc").symlink_to("/etc")
    zone = host_zone(tmp_path)
    assert zone.kind == "unknown" and zone.tzinfo is None


# ------------------------------------------------------------------ no zone file: Genesys headers (probe AH F5)
def _genesys_segment(root: Path, folder: str, local: str, utc: str, west: int) -> None:
    name = f"{folder}.{local[:10].replace('-', '')}_{local[11:19].replace(':', '')}_000.log"
    put(root, f"var/log/genesys/{folder}/{name}",
        f"Genesys SIP Server, version 8.1.104.37\nApplication name:   {folder}\nLocal time:         {local}\n"
        f"Start time (UTC):   {utc}\nTime zone:          {west}\n{local[11:23]} Std 09900 started\n")


@pytest.fixture
def machine_tz():
    """Set this process's zone (TZ and tzset) for one test, and put it back."""
    import time

    before = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_a_copy_without_a_zone_file_takes_the_offset_its_genesys_headers_agree_on(tmp_path: Path, machine_tz) -> None:
    """A copy of /opt and /var/log (no etc/localtime): the logs without a header of their own
    (GWS cloud.log) were read in this machine's zone, 5 h off the SIP Server's own header."""
    machine_tz("UTC")
    _genesys_segment(tmp_path, "SIPS_P", "2026-11-27T06:51:16.180", "2026-11-27T11:51:16.180", 18000)
    _genesys_segment(tmp_path, "URS_P", "2026-11-28T07:00:00.000", "2026-11-28T12:00:00.000", 18000)
    zone = host_zone(tmp_path)
    assert (zone.kind, zone.name, zone.offset_minutes) == ("root", "UTC-05:00", -300)
    assert zone.source == "2 Genesys log header(s) under the root"
    assert zone.tzinfo.utcoffset(datetime(2026, 11, 27)).total_seconds() == -5 * 3600
    assert "daylight-saving changes are not followed" in zone.describe()


def test_headers_this_machines_zone_agrees_with_or_that_disagree_leave_the_zone_unknown(tmp_path: Path,
                                                                                      machine_tz) -> None:
    _genesys_segment(tmp_path, "SIPS_P", "2026-11-27T06:51:16.180", "2026-11-27T11:51:16.180", 18000)
    machine_tz("America/New_York")               # EST at that time: this machine's zone, with its DST rules
    assert host_zone(tmp_path).kind == "unknown"
    machine_tz("UTC")
    _genesys_segment(tmp_path, "URS_P", "2026-07-01T08:00:00.000", "2026-07-01T12:00:00.000", 14400)   # EDT
    assert host_zone(tmp_path).kind == "unknown"  # two offsets: no fixed one is the host's


def test_the_header_walk_never_leaves_the_root(tmp_path: Path, machine_tz) -> None:
    """A top folder linked out of the copy (var/log -> /elsewhere) is resolved as the host would,
    inside the root: a header outside it is never read (review of ec38ac1)."""
    machine_tz("UTC")
    outside, root = tmp_path / "outside", tmp_path / "root"
    _genesys_segment(outside, "SIPS_P", "2026-11-27T06:51:16.180", "2026-11-27T11:51:16.180", 18000)
    (root / "var").mkdir(parents=True)
    (root / "var/log").symlink_to(outside / "var/log")               # absolute: ROOT/<that path> on the host
    assert host_zone(root).kind == "unknown"
    (root / "opt").symlink_to("../../outside/var/log")              # relative: .. stops at the root
    assert host_zone(root).kind == "unknown"
    (root / "data").symlink_to("var")                              # inside: followed
    _genesys_segment(root / "var", "URS_P", "2026-11-28T07:00:00.000", "2026-11-28T12:00:00.000", 18000)
    assert host_zone(root).offset_minutes == -300
