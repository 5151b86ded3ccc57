"""Time windows against the host's clock: daylight-saving changes inside a segment, the zone of a
copied host (``--root``), and day-first ``time_format=locale`` stamps. Each test writes a small
host tree on disk and runs ``gcollect collect`` on it in a subprocess with a chosen ``TZ``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect
from tests.hostfs import put

UTC = timezone.utc
NEW_YORK = ZoneInfo("America/New_York")
LOGS = "opt/genesys/SIPS_D/logs"


def sip_segment(root: Path, start: datetime, end: datetime, *, step: timedelta = timedelta(minutes=2),
                stamp=lambda wall: wall.strftime("%H:%M:%S.000")) -> str:
    """A SIP Server segment written as a New York host writes it: name, ``Local time`` and every
    record in New York wall-clock time, ``Time zone:`` the offset at the segment start. Each record
    ends with its true UTC time (``at HH:MMZ``)."""
    wall = start.astimezone(NEW_YORK)
    name = f"SIPS_D.{wall:%Y%m%d_%H%M%S}_000.log"
    west = -int(wall.utcoffset().total_seconds())
    lines = [f"Genesys SIP Server, version 8.1.103.95\nApplication name:   SIPS_D\nApplication type:   TServer\n"
             f"Host name:          demo-gen01\nLocal time:         {wall:%Y-%m-%dT%H:%M:%S}.000\n"
             f"Start time (UTC):   {start:%Y-%m-%dT%H:%M:%S}.000\nTime zone:          {west}\n"
             f"File:               (0000000001) {name}\nCommand line:       ./sip_server -app SIPS_D\n"]
    moment = start
    while moment <= end:
        lines.append(f"{stamp(moment.astimezone(NEW_YORK))} Std 09900 record at {moment:%H:%M}Z\n")
        moment += step
    put(root, "opt/genesys/SIPS_D/sip_server", b"")
    put(root, "etc/os-release", "ID=rhel\n")
    put(root, f"{LOGS}/{name}", "".join(lines))
    return f"{LOGS}/{name}"


def collect(root: Path, tmp_path: Path, since: str, until: str, tz: str) -> tuple[dict, dict[str, bytes]]:
    out = tmp_path / "out"
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(tmp_path / "state"),
                        "--since", since, "--until", until, "--json", "--quiet", "--priority", "normal",
                        env={"TZ": tz})
    assert proc.returncode in (ExitCode.OK, ExitCode.PARTIAL), proc.stderr.decode()
    members = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    return json.loads(members["manifest.json"]), members


def kept_utc(members: dict[str, bytes], host_path: str) -> list[str]:
    return [line.rsplit(b" ", 1)[-1].decode() for line in members[host_path].splitlines()
            if line.endswith(b"Z") and b" record at " in line]


def entry(manifest: dict, host_path: str) -> dict:
    return next(f for f in manifest["files"] if f["path"] == host_path)


# ------------------------------------------------------------------ daylight saving
def test_a_segment_across_spring_forward_is_trimmed_by_the_host_clock(tmp_path):
    """01:00 EST .. 04:00 EDT on 2024-03-10: the records printed 03:00-03:30 EDT are 07:00-07:30Z,
    not 08:00-08:30Z as the header's fixed 'Time zone: 18000' would make them."""
    root = tmp_path / "host"
    path = sip_segment(root, datetime(2024, 3, 10, 6, tzinfo=UTC), datetime(2024, 3, 10, 8, tzinfo=UTC))
    manifest, members = collect(root, tmp_path, "2024-03-10 03:00", "2024-03-10 03:30", "America/New_York")
    kept = kept_utc(members, path)
    assert kept[0] == "07:00Z" and kept[-1] == "07:30Z" and len(kept) == 16
    assert (entry(manifest, path)["kept_first"], entry(manifest, path)["kept_last"]) == \
        ("2024-03-10T07:00:00+00:00", "2024-03-10T07:30:00+00:00")


def test_the_repeated_hour_of_fall_back_is_read_in_order(tmp_path):
    """00:30 EDT .. 03:00 EST on 2024-11-03, 01:00-02:00 printed twice. A window in UTC on the
    second pass keeps the second pass only; a local window on the repeated hour keeps both."""
    root = tmp_path / "host"
    path = sip_segment(root, datetime(2024, 11, 3, 4, 30, tzinfo=UTC), datetime(2024, 11, 3, 8, tzinfo=UTC))
    manifest, members = collect(root, tmp_path, "2024-11-03T06:10:00Z", "2024-11-03T06:20:00Z", "America/New_York")
    assert kept_utc(members, path) == ["06:10Z", "06:12Z", "06:14Z", "06:16Z", "06:18Z", "06:20Z"]
    assert entry(manifest, path)["kept_first"] == "2024-11-03T06:10:00+00:00"

    manifest, members = collect(root, tmp_path / "local", "2024-11-03 01:10", "2024-11-03 01:20", "America/New_York")
    kept = kept_utc(members, path)
    assert kept[0] == "05:10Z" and kept[-1] == "06:20Z"          # both passes of 01:10-01:20
    assert kept == sorted(kept) and len(kept) == len(set(kept))


# ------------------------------------------------------------------ the copied host's zone (--root)
def pulse_log(root: Path) -> str:
    """A Pulse log (logback stamps, no offset, no 'Time zone:' header) written by a New York host
    on 2024-03-05 08:00-12:00 EST, one record every 5 minutes, each ending with its UTC time."""
    put(root, "opt/genesys/pulse/pulse.properties", "x=1\n")
    put(root, "etc/os-release", "ID=rhel\n")
    lines = ["Genesys Pulse 8.5.108\n"]
    moment = datetime(2024, 3, 5, 13, tzinfo=UTC)
    while moment <= datetime(2024, 3, 5, 17, tzinfo=UTC):
        lines.append(f"{moment.astimezone(NEW_YORK):%Y-%m-%d %H:%M:%S},000 INFO  [main] c.g.P - record at {moment:%H:%M}Z\n")
        moment += timedelta(minutes=5)
    put(root, "opt/genesys/pulse/logs/pulse.log", "".join(lines))
    return "opt/genesys/pulse/logs/pulse.log"


def test_a_copied_host_is_read_in_its_own_zone_from_its_etc_localtime(tmp_path):
    """Collected on a UTC machine, a New York copy's headerless log is read in New York time
    (etc/localtime links to America/New_York), and the manifest says which zone and why."""
    root = tmp_path / "host"
    path = pulse_log(root)
    (root / "etc/localtime").symlink_to("/usr/share/zoneinfo/America/New_York")   # read, not followed
    manifest, members = collect(root, tmp_path, "2024-03-05T15:00:00Z", "2024-03-05T16:00:00Z", "UTC")
    kept = kept_utc(members, path)
    assert kept[0] == "15:00Z" and kept[-1] == "16:00Z" and len(kept) == 13
    zone = manifest["window"]["zone"]
    assert (zone["name"], zone["kind"], zone["source"]) == ("America/New_York", "root", "the etc/localtime symlink")

    # --since/--until without an offset are the copied host's wall clock too
    manifest, members = collect(root, tmp_path / "local", "2024-03-05 10:00", "2024-03-05 11:00", "UTC")
    assert manifest["window"]["since"] == "2024-03-05T15:00:00+00:00"
    assert kept_utc(members, path) == kept


def test_a_copy_that_names_no_zone_is_read_in_this_machines_zone_and_says_so(tmp_path):
    root = tmp_path / "host"
    path = pulse_log(root)
    manifest, members = collect(root, tmp_path, "2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z", "UTC")
    zone = manifest["window"]["zone"]
    assert zone["kind"] == "unknown" and "this machine's zone" in zone["text"]
    assert kept_utc(members, path)[0] == "15:00Z"                   # as before: stamps read as UTC


# ------------------------------------------------------------------ day-first locale stamps
def day_first(wall: datetime) -> str:
    return wall.strftime("%d/%m/%Y %H:%M:%S.000")            # time_format=locale under en_GB


def test_day_first_locale_stamps_are_read_in_the_order_the_header_date_gives(tmp_path):
    """'05/03/2024 10:00:00.000' in a segment whose header and name say 2024-03-05 is 5 March."""
    root = tmp_path / "host"
    path = sip_segment(root, datetime(2024, 3, 5, 14, 30, tzinfo=UTC), datetime(2024, 3, 5, 15, 40, tzinfo=UTC),
                       stamp=day_first)
    manifest, members = collect(root, tmp_path, "2024-03-05 10:00", "2024-03-05 10:20", "America/New_York")
    kept = kept_utc(members, path)
    assert kept[0] == "15:00Z" and kept[-1] == "15:20Z" and len(kept) == 11
    assert entry(manifest, path)["kept_first"] == "2024-03-05T15:00:00+00:00"


def test_stamps_of_unknown_day_month_order_keep_the_file_whole_and_say_so(tmp_path):
    """No header, no date in the name, every stamp reads both ways: nothing is dropped on a guess."""
    root = tmp_path / "host"
    sip_segment(root, datetime(2024, 3, 5, 14, 30, tzinfo=UTC), datetime(2024, 3, 5, 14, 40, tzinfo=UTC))
    lines = "".join(f"{day_first(datetime(2024, 3, 5, 9, minute))} Std 09900 record at {minute}\n"
                    for minute in range(0, 60, 10))
    path = f"{LOGS}/SIPS_D.log"
    put(root, path, lines)
    manifest, members = collect(root, tmp_path, "2024-03-05 09:20", "2024-03-05 09:30", "America/New_York")
    assert members[path] == lines.encode()
    assert "time format not recognised: taken whole" in entry(manifest, path)["note"]
