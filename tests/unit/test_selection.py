"""select(): which files a plan takes and why it leaves every other one out."""

from __future__ import annotations

import dataclasses
import gzip
import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from collector.model import Candidate, CollectSpec, Detect, Installation, Profile, Window
from collector.selection import BINARY_SKIP, Caps, describe_plan, expand_spec_globs, select
from tests.hostfs import put

UTC = timezone.utc
T0 = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
LOGS = "var/log/genesys/SIPS_P"
APP = "opt/genesys/SIPS_P"

SPECS = (
    CollectSpec("snapshot", "log", ("{log_base}*.snapshot.log",), always_in_window=True),
    CollectSpec("segments", "log", ("{log_base}.*.log", "{log_base}-*.log")),
    CollectSpec("startup", "config", ("{app_dir}/*",), window="ignore"),
)


def make_profile(product: str = "sip-server", collect=SPECS, forbid=()) -> Profile:
    return Profile(product=product, title=product, source=f"{product}.yaml", sha256="0" * 64,
                   detect=Detect(), collect=collect, forbid=forbid, redaction=("common-secrets", "sip"))


PROFILES = {"sip-server": make_profile()}
SIP = Installation("sip-server", "SIPS_P", APP, (f"{LOGS}/SIPS_P",))


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def write(root: Path, host_path: str, data: bytes | str = b"x\n", mtime: datetime | None = None) -> Path:
    return put(root, host_path, data, mtime)


def segment(root: Path, start: datetime, end: datetime, thread: str = "", suffix: str = "",
            size: int = 0) -> str:
    """A SIPS_P segment named by its start (header in UTC, so the host zone does not matter)."""
    stamp = start.strftime("%Y%m%d_%H%M%S_") + f"{start.microsecond // 1000:03d}"
    name = f"SIPS_P{thread}.{stamp}{suffix}.log"
    local = start.strftime("%Y-%m-%dT%H:%M:%S.000")
    head = (f"Genesys SIP Server, version 8.1.199.01\nApplication name: SIPS_P\n"
            f"Local time:         {local}\nStart time (UTC):   {local}\nTime zone:          0\n"
            f"{start:%H:%M:%S}.000 Std 09900 started\n")
    write(root, f"{LOGS}/{name}", head + "." * max(0, size - len(head)), end)
    return f"{LOGS}/{name}"


def names(plan) -> list[str]:
    return sorted(c.host_path.rsplit("/", 1)[-1] for c in plan.members)


def reasons(plan) -> dict[str, str]:
    return {s.host_path.rsplit("/", 1)[-1]: s.reason for s in plan.skipped}


# ------------------------------------------------------------------ window
@pytest.fixture
def stream(tmp_path: Path) -> Path:
    for hour in (0, 1, 2):                                    # 09:00 10:00 11:00, each ends at the next
        segment(tmp_path, at(hour), at(hour + 1))
    segment(tmp_path, at(3), at(3.5))                         # newest: 12:00, last write 12:30
    segment(tmp_path, at(0), at(2.5), thread="-001")          # a thread stream of its own
    segment(tmp_path, at(2.5), at(3.4), thread="-001")
    return tmp_path


S09, S10, S11, S12 = (f"SIPS_P.20240305_{h:02d}0000_000.log" for h in (9, 10, 11, 12))
T09, T1130 = "SIPS_P-001.20240305_090000_000.log", "SIPS_P-001.20240305_113000_000.log"


@pytest.mark.parametrize("since, until, kept, trimmed", [
    (None, None, [S09, S10, S11, S12, T09, T1130], []),
    (at(1.5), at(2.4), [S10, S11, T09], [S10, S11, T09]),     # straddling both edges -> trim
    (at(1.5), at(2.5), [S10, S11, T09, T1130], [S10, S11, T09, T1130]),   # start == until: in
    (at(1), at(2), [S10, S11, T09], [S11, T09]),              # exact edges: 10:00 whole
    (at(3.2), None, [S12, T1130], [S12, T1130]),              # newest by its mtime
    (at(4), None, [], []),                                    # newest last written 12:30
    (None, at(0.5), [S09, T09], [S09, T09]),
])
def test_window_selects_segments_per_stream(stream: Path, since, until, kept, trimmed) -> None:
    plan = select(stream, PROFILES, [SIP], Window(since, until), Caps())
    assert names(plan) == sorted(kept)
    assert sorted(c.host_path.rsplit("/", 1)[-1] for c in plan.members if c.trim) == sorted(trimmed)
    assert {r for r in reasons(plan).values()} <= {"outside window"}
    assert all(c.rule_sets == ("common-secrets", "sip") for c in plan.members)


def test_snapshot_taken_whenever_it_touches_the_window(tmp_path: Path) -> None:
    segment(tmp_path, at(0), at(0.1), suffix=".snapshot")
    segment(tmp_path, at(0), at(4))
    inside = select(tmp_path, PROFILES, [SIP], Window(at(0.05), at(0.5)), Caps())
    snap = [c for c in inside.members if c.spec_id == "snapshot"]
    assert len(snap) == 1 and snap[0].reason == "snapshot log in window" and not snap[0].trim
    later = select(tmp_path, PROFILES, [SIP], Window(at(2), at(3)), Caps())
    assert [c.spec_id for c in later.members] == ["segments"]
    assert reasons(later) == {"SIPS_P.20240305_090000_000.snapshot.log": "outside window"}


def test_a_snapshot_only_a_copied_mtime_puts_in_the_window_stays_out(tmp_path: Path) -> None:
    """A copy (cp -r, scp -r) gives every file the copy's time: a snapshot log whose name, header
    and dated records all say nine days before the window was shipped whole (probe AG F3). One
    whose last records come within SNAPSHOT_LAG of the window start stays in (a crash snapshot's
    records can precede the crash, its mtime); so does one whose records are time-only, which can
    be dated only within a day of its start (review: a segment's crash snapshot, days after it
    started, was left out)."""
    def snapshot(start: datetime, last: datetime, stamp: str) -> str:
        path = segment(tmp_path, start, at(2.5), suffix=".snapshot")
        with open(tmp_path / path, "a") as text:
            text.write(f"{last.strftime(stamp)}.000 Std 05060 last record before the crash\n")
        os.utime(tmp_path / path, (at(2.5).timestamp(), at(2.5).timestamp()))     # copied: mtime in the window
        return path

    old = snapshot(at(-9 * 24), at(-9 * 24 + 0.1), "%Y-%m-%dT%H:%M:%S")
    near = snapshot(at(-8 - 0.5), at(-3), "%Y-%m-%dT%H:%M:%S")
    crash = snapshot(at(-72 - 0.7), at(0.9), "%H:%M:%S")           # time-only: cannot be judged, stays in
    segment(tmp_path, at(0), at(4))
    plan = select(tmp_path, PROFILES, [SIP], Window(at(1), at(2)), Caps())
    assert sorted(c.host_path for c in plan.members if c.spec_id == "snapshot") == sorted([near, crash])
    assert reasons(plan)[old.rsplit("/", 1)[-1]] == "outside window"
    unbounded = select(tmp_path, PROFILES, [SIP], Window(None, at(2)), Caps())
    assert sorted(c.host_path for c in unbounded.members if c.spec_id == "snapshot") == sorted([old, near, crash])


def test_configs_ignore_the_window(tmp_path: Path) -> None:
    write(tmp_path, f"{APP}/sip.cfg", "[log]\nall = x\n", at(-1000))
    plan = select(tmp_path, PROFILES, [SIP], Window(at(0), at(1)), Caps())
    assert [(c.spec_id, c.kind, c.trim) for c in plan.members] == [("startup", "config", False)]


# ------------------------------------------------------------------ caps
def test_spec_cap_newest_first_and_tail_of_the_boundary_file(tmp_path: Path) -> None:
    paths = [segment(tmp_path, at(h), at(h + 1), size=1000) for h in range(5)]
    profiles = {"sip-server": make_profile(collect=(
        CollectSpec("segments", "log", ("{log_base}.*.log",), cap_mb=2500 / (1 << 20)),))}
    plan = select(tmp_path, profiles, [SIP], Window(), Caps())
    by_path = {c.host_path: c for c in plan.members}
    assert set(by_path) == set(paths[2:])
    assert [by_path[p].tail_bytes for p in paths[2:]] == [500, None, None]
    assert {s.host_path: s.reason for s in plan.skipped} == {
        p: f"cap {2500 / (1 << 20):g} MB reached" for p in paths[:2]}
    assert plan.bytes_planned == 2500


def test_files_a_snapshot_has_unchanged_stay_out_of_the_plan_and_its_caps(tmp_path: Path) -> None:
    """skip_unchanged sees each regular file's stat before readability, window and caps: what it
    keeps out is neither planned nor reported skipped, and leaves the cap to the other files."""
    paths = [segment(tmp_path, at(h), at(h + 1), size=1000) for h in range(5)]
    unchanged = {os.stat(tmp_path / p).st_ino for p in paths[3:]}       # the two newest
    asked: list[int] = []

    def skip(st: os.stat_result) -> bool:
        asked.append(st.st_ino)
        return st.st_ino in unchanged
    profiles = {"sip-server": make_profile(collect=(
        CollectSpec("segments", "log", ("{log_base}.*.log",), cap_mb=2500 / (1 << 20)),))}
    before = select(tmp_path, profiles, [SIP], Window(), Caps())
    assert {c.host_path for c in before.members} == set(paths[2:])     # the cap takes the newest
    (tmp_path / paths[4]).chmod(0)                                      # unreadable, but unchanged
    plan = select(tmp_path, profiles, [SIP], Window(), Caps(), skip_unchanged=skip)
    assert sorted(asked) == sorted(os.stat(tmp_path / p).st_ino for p in paths)
    tails = {c.host_path: c.tail_bytes for c in plan.members}
    assert tails == {paths[2]: None, paths[1]: None, paths[0]: 500}    # the cap goes to the rest
    assert plan.skipped == ()


def test_total_cap_takes_configs_first_and_per_file_cap_tails(tmp_path: Path) -> None:
    write(tmp_path, f"{APP}/sip.cfg", "c" * 300, at(-100))
    paths = [segment(tmp_path, at(h), at(h + 1), size=1000) for h in range(3)]
    plan = select(tmp_path, PROFILES, [SIP], Window(),
                  Caps(per_file_mb=800 / (1 << 20), total_mb=1500 / (1 << 20)))
    by_path = {c.host_path: c for c in plan.members}
    assert by_path[f"{APP}/sip.cfg"].tail_bytes is None
    assert by_path[paths[2]].tail_bytes == 800                  # per-file cap
    assert by_path[paths[1]].tail_bytes == 400                  # what the total leaves
    assert [s.host_path for s in plan.skipped] == [paths[0]]
    assert plan.skipped[0].reason.startswith("total cap ")
    assert plan.bytes_planned == 1500


# ------------------------------------------------------------------ exclusions
PEM_KEY = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" * 3 + \
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"


@pytest.mark.parametrize("name, data, expected", [
    ("server.key", "k", "never collected: private key file (*.key)"),
    ("trust.jks", b"\xfe\xed\xfe\xed", "never collected: Java key store (*.jks)"),
    ("store.p12", b"0\x82", "never collected: PKCS#12 key store (*.p12)"),
    ("store.pfx", b"0\x82", "never collected: PKCS#12 key store (*.pfx)"),
    ("app.keystore", b"x", "never collected: key store (*.keystore)"),
    ("tls.pem", PEM_KEY, "never collected: PEM file contains a private key"),
    ("license.dat", "FEATURE x", "never collected: license file"),
    ("genesys.lic", "FEATURE x", "never collected: license file"),
    ("core", b"\x7fELF", "core dump; pass --include-core to collect it"),
    ("core.4242", b"\x7fELF", "core dump; pass --include-core to collect it"),
    ("sip.dmp", b"MDMP", "core dump; pass --include-core to collect it"),
    ("secret.txt", "s", "forbidden by profile (**/secret.txt)"),
    ("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", None),
    ("sip.cfg", "[log]\n", None),
])
def test_never_collected_files_are_skipped_with_reasons(tmp_path: Path, name, data, expected) -> None:
    write(tmp_path, f"{APP}/{name}", data)
    profiles = {"sip-server": make_profile(forbid=("**/secret.txt",))}
    plan = select(tmp_path, profiles, [SIP], Window(), Caps())
    if expected is None:
        assert names(plan) == [name] and not plan.skipped
    else:
        assert not plan.members and reasons(plan) == {name: expected}


def test_include_core_collects_core_dumps(tmp_path: Path) -> None:
    write(tmp_path, f"{APP}/core.77", b"\x7fELF")
    plan = select(tmp_path, PROFILES, [SIP], Window(), Caps(), include_core=True)
    assert names(plan) == ["core.77"]


def test_symlinks_fifos_and_loops(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(tmp_path, "outside/secret.cfg", "password=x")
    write(root, "data/real.cfg", "[log]\n")
    app = root / APP
    app.mkdir(parents=True)
    os.symlink(tmp_path / "outside/secret.cfg", app / "escape.cfg")
    os.symlink("../../../data/real.cfg", app / "inside.cfg")
    os.symlink("loop_b.cfg", app / "loop_a.cfg")
    os.symlink("loop_a.cfg", app / "loop_b.cfg")
    os.symlink("missing.cfg", app / "dangling.cfg")
    os.symlink(tmp_path / "outside", app / "linked_dir")
    os.mkfifo(app / "pipe.cfg")
    plan = select(root, PROFILES, [SIP], Window(), Caps())
    assert [(c.host_path, c.source) for c in plan.members] == [
        (f"{APP}/inside.cfg", Path(os.path.realpath(root / "data/real.cfg")))]
    assert reasons(plan) == {
        "escape.cfg": "symlink leaves the root", "loop_a.cfg": "symlink loop",
        "loop_b.cfg": "symlink loop", "dangling.cfg": "dangling symlink",
        "linked_dir": "symlink leaves the root", "pipe.cfg": "not a regular file (fifo)"}


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not stop root reading")
def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, f"{APP}/sip.cfg", "[log]\n")
    path.chmod(0)
    try:
        plan = select(tmp_path, PROFILES, [SIP], Window(), Caps())
    finally:
        path.chmod(0o600)
    assert reasons(plan) == {"sip.cfg": "unreadable: permission denied"}


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: a closed folder does not stop root listing it")
def test_a_log_folder_that_cannot_be_listed_is_skipped_with_the_reason(tmp_path: Path) -> None:
    """Probe AF F2 (as root, tests/cli/test_admin_mistakes.py runs it as another user)."""
    write(tmp_path, f"{LOGS}/SIPS_P.20240305_090000_000.log", "x\n")
    folder = tmp_path / LOGS
    folder.chmod(0o300)                  # entered, not listed
    try:
        plan = select(tmp_path, PROFILES, [SIP], Window(), Caps())
    finally:
        folder.chmod(0o755)
    assert {s.host_path: s.reason for s in plan.skipped} == {f"{LOGS}/": "unreadable folder: permission denied"}
    assert not plan.members


def test_a_log_folder_past_path_max_is_skipped_with_the_reason(tmp_path: Path) -> None:
    """Probe AF F1: a log base whose folder, with the root before it, is longer than this system
    allows: the folder is skipped with the reason (once), the rest is planned, nothing raises."""
    deep = "/".join(["d" * 200] * 21)
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    for name in deep.split("/"):
        os.mkdir(name, dir_fd=fd)
        inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    write(tmp_path, f"{LOGS}/SIPS_P.20240305_090000_000.log", "x\n")
    inst = replace(SIP, log_bases=(*SIP.log_bases, f"{deep}/SIPS_B"))
    plan = select(tmp_path, PROFILES, [inst], Window(), Caps())
    assert "SIPS_P.20240305_090000_000.log" in names(plan)
    reasons_by_path = {s.host_path: s.reason for s in plan.skipped}
    assert reasons_by_path[f"{deep}/"].startswith("unreadable folder: path too long for this system")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to check as another user")
def test_readability_is_checked_as_the_running_user(tmp_path: Path) -> None:
    """As root (the usual test runner) the check above cannot fail, so run it as nobody: a
    file without read permission, one in a folder nobody may enter, and a readable one."""
    import shutil
    import subprocess
    import sys
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="gcollect-perm-"))
    try:
        base.chmod(0o755)
        (base / "closed.log").write_text("x\n")
        (base / "closed.log").chmod(0)
        (base / "open.log").write_text("x\n")
        (base / "open.log").chmod(0o644)
        (base / "locked").mkdir(mode=0o700)
        (base / "locked" / "inner.log").write_text("x\n")
        code = ("import os, sys; from collector.selection import _unreadable\n"
                "os.setgroups([]); os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)\n"
                "print([_unreadable(p) for p in sys.argv[1:]])")
        out = subprocess.run([sys.executable, "-c", code, str(base / "closed.log"), str(base / "open.log"),
                              str(base / "locked" / "inner.log")], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parents[2], check=True).stdout
    finally:
        shutil.rmtree(base)
    assert out.strip() == str(["unreadable: permission denied", None, "unreadable: permission denied"])


def test_binary_logs_need_consent(tmp_path: Path) -> None:
    profile = make_profile("pureconnect-cic", collect=(
        CollectSpec("ininlog", "binary-log", ("{app_dir}/Logs/**/*.ininlog",), consent="unredacted-binary"),))
    write(tmp_path, "D/I3/IC/Logs/2024-03-05/NotifierU.ininlog", b"\x00\x01")
    cic = Installation("pureconnect-cic", "cic", "D/I3/IC")
    profiles = {"pureconnect-cic": profile}
    refused = select(tmp_path, profiles, [cic], Window(), Caps())
    assert not refused.members and reasons(refused) == {"NotifierU.ininlog": BINARY_SKIP}
    allowed = select(tmp_path, profiles, [cic], Window(), Caps(), consent=frozenset({"unredacted-binary"}))
    assert [(c.host_path, c.unredacted_consent) for c in allowed.members] == [
        ("D/I3/IC/Logs/2024-03-05/NotifierU.ininlog", True)]


def test_binary_logs_in_window_are_taken_whole_never_trimmed(tmp_path: Path) -> None:
    profile = make_profile("pureconnect-cic", collect=(
        CollectSpec("ininlog", "binary-log", ("{app_dir}/Logs/**/*.ininlog",), consent="unredacted-binary"),))
    write(tmp_path, "D/I3/IC/Logs/2024-03-05/NotifierU.ininlog", b"\x00\x01\n08:00:00.000 x\n", at(1))
    cic = Installation("pureconnect-cic", "cic", "D/I3/IC")
    plan = select(tmp_path, {"pureconnect-cic": profile}, [cic], Window(at(0.5), at(0.7)), Caps(),
                  consent=frozenset({"unredacted-binary"}))
    assert [(c.trim, c.reason) for c in plan.members] == [(False, "in window (binary log: taken whole)")]


UNDATED = "in window; time format not recognised: taken whole"
LOG_SPEC = (CollectSpec("logs", "log", ("{app_dir}/logs/*",)),)
GAX = Installation("gax", "gax", "opt/genesys/gax")


@pytest.mark.parametrize("name, data, reason", [
    ("audit.log", b"1709647200.000 audit event\n1709650800.000 audit event\n", UNDATED),
    ("audit.log.gz", gzip.compress(b"1709647200.000 audit event\n" * 3, mtime=0), UNDATED),
    ("audit-utf16.log", b"\xff\xfe" + "1709647200.000 event\r\n".encode("utf-16-le"), UNDATED),
    # a Java log, its records after a banner: read
    ("gax.log", b"GAX banner\n2024-03-05 09:30:00,000 INFO a\n2024-03-05 10:30:00,000 INFO b\n",
     "in window, trimmed at the edge"),
    ("req.log.gz", gzip.compress(b'192.0.2.7 - - [05/Mar/2024:09:30:00 +0000] "GET / HTTP/1.1" 200 1\n', mtime=0),
     "in window, trimmed at the edge"),
    # a segment that so far holds only its header: nothing to date yet, nothing to say
    ("GAX.20240305_090000_000.log", b"Genesys GAX\nLocal time:  2024-03-05T09:00:00.000\nTime zone:  0\n",
     "in window, trimmed at the edge"),
], ids=["epoch", "epoch-gz", "epoch-utf16", "java", "ncsa-gz", "header-only"])
def test_logs_whose_records_cannot_be_dated_are_taken_whole_and_said_so(tmp_path: Path, name: str, data: bytes,
                                                                         reason: str) -> None:
    write(tmp_path, f"opt/genesys/gax/logs/{name}", data, at(2))
    plan = select(tmp_path, {"gax": make_profile("gax", collect=LOG_SPEC)}, [GAX], Window(at(0.75), at(1.25)),
                  Caps())
    assert [(c.reason, c.trim) for c in plan.members] == [(reason, reason != UNDATED)]


def test_each_file_once_first_spec_and_installation_win(tmp_path: Path) -> None:
    write(tmp_path, f"{APP}/sip.cfg", "[log]\n")
    segment(tmp_path, at(0), at(1))
    twin = Installation("sip-server", "SIPS_B", APP, (f"{LOGS}/SIPS_P",))
    plan = select(tmp_path, PROFILES, [SIP, twin], Window(), Caps())
    assert sorted((c.installation, c.spec_id, c.host_path.rsplit("/", 1)[-1]) for c in plan.members) == [
        ("SIPS_P", "segments", S09), ("SIPS_P", "startup", "sip.cfg")]


def test_nothing_outside_the_products_files(tmp_path: Path) -> None:
    segment(tmp_path, at(0), at(1))
    write(tmp_path, "opt/genesys/notes.txt", "n")
    write(tmp_path, "var/log/syslog", "s")
    write(tmp_path, "var/log/genesys/other/OTHER.20240305_090000_000.log", "o")
    plan = select(tmp_path, PROFILES, [SIP], Window(), Caps())
    assert names(plan) == [S09] and not plan.skipped


def test_describe_plan_rows(tmp_path: Path) -> None:
    segment(tmp_path, at(0), at(1), size=300)
    rows = describe_plan(select(tmp_path, PROFILES, [SIP], Window(at(0.5), None), Caps()))
    assert rows == [{"path": f"{LOGS}/{S09}", "size": 300, "product": "sip-server",
                     "installation": "SIPS_P", "kind": "log", "reason": "in window, trimmed at the edge",
                     "spec": "segments", "full_size": 300, "trim": True, "tail_bytes": None,
                     "unredacted": False}]


def test_placeholders_expand_once_per_value_and_are_escaped() -> None:
    values = {"app_dir": ["C/Program Files (x86)/GCTI/[x]"], "log_base": ["a/b", "c/d"],
              "log_dir": ["a", "c"], "name": ["N"], "home": []}
    assert expand_spec_globs("{log_base}.*.log", values) == ["a/b.*.log", "c/d.*.log"]
    assert expand_spec_globs("{app_dir}/{name}.cfg", values) == [
        "C/Program Files (x86)/GCTI/[[]x]/N.cfg"]
    assert expand_spec_globs("{home}/.x", values) == []
    assert expand_spec_globs("etc/hosts", values) == ["etc/hosts"]


# ------------------------------------------------------------------ generated hosts
@pytest.fixture(scope="module", params=["linux", "windows"])
def generated(request, tmp_path_factory):
    testhost = pytest.importorskip("collector.testhost")
    from collector.discovery import discover
    from collector.profile import load_profiles

    root = tmp_path_factory.mktemp(request.param)
    ledger = testhost.generate_host(root, layout=request.param, days=1.0, segment_kb=64,
                                    products=testhost.ALL_PRODUCTS)
    profiles = load_profiles()
    return root, ledger, profiles, discover(root, profiles)


def test_generated_host_everything_planted_and_nothing_else(generated) -> None:
    root, ledger, profiles, found = generated
    plan = select(root, profiles, found, Window(), Caps(total_mb=None),
                  consent=frozenset({"unredacted-binary"}))
    members = {c.host_path for c in plan.members}
    assert not members & set(ledger.never_collect)
    assert {m for m in members if ledger.file_kinds.get(m) in (None, "forbidden")} == set()
    wanted = {f for f, kind in ledger.file_kinds.items() if kind in ("log", "binary-log")}
    assert wanted - members == set()


def test_generated_host_window_takes_the_segments_that_overlap(generated) -> None:
    from collector.hostfiles import parse_log_name

    root, ledger, profiles, found = generated
    end = datetime.fromisoformat(ledger.end)
    window = Window(end - timedelta(hours=6), end - timedelta(hours=3))
    plan = select(root, profiles, found, window, Caps(total_mb=None))
    members = {c.host_path for c in plan.members}
    startup = {c.host_path for c in plan.members if c.startup_segment}
    streams: dict[tuple, list[str]] = {}
    for path in ledger.windows:
        name = parse_log_name(path.rsplit("/", 1)[-1])
        base = f"{path.rsplit('/', 1)[0]}/{name.base}"
        if name.stamp is not None and name.companion is None and \
                any(base in inst.startup_bases for inst in found):
            streams.setdefault((base, name.thread), []).append(path)
    # keep-startup-file (the generated Config Server sets it): the first segment of each stream
    assert startup and startup == {min(paths, key=lambda p: parse_log_name(p.rsplit("/", 1)[-1]).stamp)
                                   for paths in streams.values() if len(paths) > 1}
    for path, (first, last) in ledger.windows.items():
        if parse_log_name(path.rsplit("/", 1)[-1]).stamp is None or path.endswith(".snapshot.log"):
            continue                   # Java logs: their zone is the host's, unknown to a test
        touches = datetime.fromisoformat(first) <= window.until and \
            datetime.fromisoformat(last) >= window.since
        assert (path in members) == (touches or path in startup), (path, first, last)


# ------------------------------------------------------------------ speed-ups keep the meaning
from hypothesis import given, settings, strategies as st  # noqa: E402

from collector.hostfiles import GlobSet, glob_match  # noqa: E402
from collector.selection import never_collect_reason  # noqa: E402

_SEGMENT = st.text(alphabet="ab.*?[]!-C", min_size=1, max_size=5).filter(lambda s: "[[" not in s)
_GLOBS = st.lists(st.one_of(
    _SEGMENT, st.builds(lambda s: f"**/{s}", _SEGMENT),
    st.lists(st.one_of(_SEGMENT, st.just("**")), min_size=1, max_size=3).map("/".join),
    st.builds(lambda s: f"/{s}/", _SEGMENT)), max_size=5)
_PATHS = st.lists(st.text(alphabet="ab.-Cc:", max_size=4), min_size=1, max_size=4).map("/".join)


@settings(max_examples=400, deadline=None)
@given(_GLOBS, _PATHS)
def test_glob_set_means_any_glob_match(globs: list[str], host_path: str) -> None:
    """One alternation per kind of glob (base name, ``**/<segment>``, whole path) answers
    exactly like ``glob_match`` one glob at a time, also for paths with empty segments."""
    globs = [g for g in globs if g.strip("/")]
    expected = [g for g in globs if glob_match(host_path, g)]
    found = GlobSet(globs)
    assert found.match(host_path) == bool(expected)
    assert found.first(host_path) == (expected[0] if expected else None)
    name = host_path.rsplit("/", 1)[-1]
    assert found.match_name(name) == any(glob_match(name, g) for g in globs)


@pytest.mark.parametrize("host_path, forbid, include_core, expected", [
    ("a/b/server.key", ("**/server.key",), False, "never collected: private key file (*.key)"),
    ("a/core.12", ("**/core.*",), False, "core dump; pass --include-core to collect it"),
    ("a/core.12", ("**/core.*",), True, "forbidden by profile (**/core.*)"),
    ("a/core.12", (), True, None),
    ("a/b/id_rsa.pub", ("**/*.pvk", "**/id_rsa*"), False, "forbidden by profile (**/id_rsa*)"),
    ("a/b/x.txt", ("a/*/x.txt",), False, "forbidden by profile (a/*/x.txt)"),
    ("a//x.txt", ("**/x.txt",), False, None),          # like glob_match: no empty folder name
    ("a/b/x.txt", ("**/y.txt",), False, None),
])
def test_never_collect_reason_screen(tmp_path: Path, host_path, forbid, include_core,
                                     expected) -> None:
    source = write(tmp_path, "f", "x")
    assert never_collect_reason(host_path, source, forbid, include_core) == expected
    assert never_collect_reason(host_path, source, list(forbid), include_core) == expected


def test_root_reached_through_a_symlink_gives_real_sources(tmp_path: Path) -> None:
    real_root = tmp_path / "real"
    write(real_root, f"{APP}/sip.cfg", "[log]\n")
    write(real_root, f"{APP}/run.sh", "./sip_server -app SIPS_P\n")
    os.symlink(real_root, tmp_path / "via")
    os.symlink("sip.cfg", real_root / APP / "again.cfg")           # same file twice: once
    plan = select(tmp_path / "via", PROFILES, [SIP], Window(), Caps())
    assert sorted((c.host_path, c.source) for c in plan.members) == [
        (f"{APP}/again.cfg", Path(os.path.realpath(real_root / APP / "sip.cfg"))),
        (f"{APP}/run.sh", Path(os.path.realpath(real_root / APP / "run.sh")))]
    assert all(isinstance(c.source, Path) for c in plan.members)
    assert not plan.skipped


def test_each_folder_is_listed_once_per_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for hour in range(6):
        segment(tmp_path, at(hour), at(hour + 1))
    write(tmp_path, f"{APP}/sip.cfg", "[log]\n")
    listed: list[str] = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": listed.append(os.fspath(path))
                        or real_scandir(path))
    plan = select(tmp_path, PROFILES, [SIP], Window(), Caps())
    assert len(names(plan)) == 7
    assert len(listed) == len(set(listed))


def test_members_carry_the_identity_of_the_stat_their_size_and_mtime_come_from(tmp_path: Path) -> None:
    write(tmp_path, f"{LOGS}/SIPS_P.20240305_090000_000.log", "a\n")
    write(tmp_path, f"{APP}/run.sh", "./sip_server\n")
    os.symlink(tmp_path / APP / "run.sh", tmp_path / APP / "start.sh")         # resolved inside the root
    plan = select(tmp_path, PROFILES, [SIP], Window(), Caps())
    assert len(plan.members) == 2
    for member in plan.members:
        st = os.stat(member.source)
        assert (member.device, member.inode, member.size, member.mtime) == \
            (st.st_dev, st.st_ino, st.st_size, st.st_mtime)
        rebuilt = replace(member)                       # through Candidate.__init__
        every_field = [f.name for f in dataclasses.fields(Candidate)]   # an unset slot raises here
        assert rebuilt == member and hash(rebuilt) == hash(member)
        assert [getattr(rebuilt, n) for n in every_field] == [getattr(member, n) for n in every_field]


@pytest.mark.parametrize("glob, name, expected", [
    ("[!]", "[!]", True), ("[!]/**/?", "x", False),             # no closing "]": literal (was a re.error)
    ("[!]a]", "b", True), ("[!]a]", "]", False), ("[!]a]", "a", False),
    ("[]a]", "]", True), ("[!a]", "b", True), ("[!a]", "a", False),
    ("[C-?]", "C", False), ("[C-?]", "?", False),               # reversed range: dropped (was a re.error)
    ("[a-cz-a]", "b", True), ("[!z-a]", "q", True), ("[a--^]", "^", True), ("[a--^]", "a", False),
])
def test_a_closing_bracket_first_in_a_set_is_a_member(glob: str, name: str, expected: bool) -> None:
    assert glob_match(name, glob) is expected
    assert GlobSet([glob]).match(name) is expected


def test_what_a_planned_file_costs_the_main_process(tmp_path: Path) -> None:
    """The main process holds the plan for the whole run, one member per file, and what planning
    allocated on the way stays in its RSS (pymalloc keeps the pages): on a host with tens of
    thousands of log segments both decide the run's peak memory."""
    import gc
    import tracemalloc

    count = 3000
    folder = tmp_path / LOGS
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"SIPS_P.{20240305 + i // 1000}_{i % 1000:06d}_000.log").write_bytes(b"x\n")
    select(tmp_path, PROFILES, [SIP], Window(), Caps())            # imports, caches
    gc.collect()
    tracemalloc.start()
    try:
        plan = select(tmp_path, PROFILES, [SIP], Window(), Caps())
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
        # one block over 256 KiB is a table resized on the way, not a cost per file: the
        # interpreter's table of interned strings (sys.intern of each host path) grows when
        # this test's strings cross its size, which depends on the tests run before (1.8 MiB)
        tables = sum(trace.size for trace in tracemalloc.take_snapshot().traces if trace.size > 256 * 1024)
        held, peak = held - tables, peak - tables
    finally:
        tracemalloc.stop()
    assert len(plan.members) == count
    assert held / count < 900, f"{held / count:.0f} bytes per planned file"     # 1,065 with __dict__s
    assert peak / count < 1600, f"{peak / count:.0f} bytes per file while planning"   # 1,920 with entry.stat()


# ------------------------------------------------------------------ many files left out
def test_a_streams_many_segments_outside_the_window_are_one_entry(tmp_path: Path) -> None:
    """Thousands of old segments must not become thousands of entries (manifest.json, report.html
    and the main process's memory grew with every file on the disk): more than LISTED_PER_GROUP
    files of one stream left out for one reason are one entry, with count, size, names, mtimes."""
    from collector.selection import LISTED_PER_GROUP

    old = LISTED_PER_GROUP + 5
    paths = [segment(tmp_path, at(-100 + i), at(-99 + i), size=300) for i in range(old)]    # one an hour
    for i in range(3):                                        # a thread stream: few, listed
        segment(tmp_path, at(-50 + i), at(-49 + i), thread="-001")
    segment(tmp_path, at(0), at(1))                           # the one in the window
    plan = select(tmp_path, PROFILES, [SIP], Window(at(0.2), at(0.8)), Caps())
    assert names(plan) == [S09]
    groups = [s for s in plan.skipped if s.files > 1]
    assert len(groups) == 1
    group = groups[0]
    assert group.host_path == f"{LOGS}/SIPS_P.*" and group.reason == "outside window"
    assert group.files == old and group.size == sum((tmp_path / p).stat().st_size for p in paths) == old * 300
    assert group.names == (f"SIPS_P.{at(-100):%Y%m%d_%H%M%S}_000.log", f"SIPS_P.{at(-100 + old - 1):%Y%m%d_%H%M%S}_000.log")
    assert group.modified == (at(-99).timestamp(), at(-99 + old - 1).timestamp())
    singles = sorted(s.host_path.rsplit("/", 1)[-1] for s in plan.skipped if s.files == 1)
    assert singles == [f"SIPS_P-001.20240303_{h:02d}0000_000.log" for h in (7, 8, 9)]
    entry = group.as_dict()
    assert entry["files"] == old and entry["modified"][0] == "2024-03-01T06:00:00Z"
    assert entry["names"] == list(group.names)


def test_grouping_keeps_reasons_products_and_order_apart() -> None:
    from collector.model import Skip, skip_label, skipped_files
    from collector.selection import group_skips

    def skip(path: str, reason: str = "outside window", product: str = "sip-server", mtime: float = 0.0) -> Skip:
        return Skip(path, product, reason, 10, mtime)

    many = [skip(f"logs/app.2024010{i % 9 + 1}_000000_000.log", mtime=float(i)) for i in range(30)]
    entries = ([skip("etc/first.cfg", "private key")] + many[:10] + [skip("logs/odd.log", "unreadable")]
               + many[10:] + [skip(f"conf/c{i:02d}.xml", "cap 1 MB reached") for i in range(25)]
               + [skip(f"conf/d{i}.xml", "cap 1 MB reached", product="urs") for i in range(3)])
    grouped = group_skips(entries, listed=20)
    paths = [(s.host_path, s.files) for s in grouped]
    assert paths[:4] == [("etc/first.cfg", 1), ("logs/app.*", 30), ("logs/odd.log", 1), ("conf/", 25)]
    assert [p for p, _ in paths[4:]] == ["conf/d0.xml", "conf/d1.xml", "conf/d2.xml"]
    assert skipped_files(grouped) == skipped_files(entries) == len(entries)
    app = grouped[1]
    assert app.size == 300 and app.modified == (0.0, 29.0)
    assert app.names == ("app.20240101_000000_000.log", "app.20240109_000000_000.log")
    assert skip_label(app.as_dict()) == ("logs/app.* (30 files, app.20240101_000000_000.log to "
                                         "app.20240109_000000_000.log, modified 1970-01-01T00:00:00Z to "
                                         "1970-01-01T00:00:29Z)")
    assert skip_label(grouped[0].as_dict()) == "etc/first.cfg"
    few = entries[:5]
    assert group_skips(few, listed=20) == few


def test_segments_decided_by_their_name_stamps_are_the_ones_the_heads_decide(tmp_path: Path, monkeypatch) -> None:
    """Segments far outside the window are left out by their name stamps, without a head read.
    On streams in zones from UTC-12 to UTC+14 (name and header in the app's wall clock), with
    windows before, inside, after and across them, the choice is exactly the one made from
    every head; and most segments of a long stream are decided by name."""
    import random

    from collector import selection

    spec = SPECS[1]
    rng = random.Random(7)
    read = []
    real_times = selection._times
    monkeypatch.setattr(selection, "_times", lambda f, *zone: read.append(f) or real_times(f, *zone))
    decided_by_name = 0
    for case in range(40):
        offset = timedelta(hours=rng.choice([-12, -5, 0, 5.5, 9, 14]))      # wall clock = UTC + offset
        count = rng.randint(20, 90)
        starts = [T0]
        for _ in range(count - 1):
            starts.append(starts[-1] + timedelta(minutes=rng.choice([5, 30, 60, 180, 600])))
        files = []
        for i, start in enumerate(starts):
            wall = start + offset
            name = f"SIPS_P.{wall:%Y%m%d_%H%M%S}_000.log"
            head = (f"Application name: SIPS_P\nLocal time:         {wall:%Y-%m-%dT%H:%M:%S}.000\n"
                    f"Start time (UTC):   {start:%Y-%m-%dT%H:%M:%S}.000\n"
                    f"Time zone:          {int(-offset.total_seconds())}\n{wall:%H:%M:%S}.000 Std 09900 x\n")
            last_write = starts[i + 1] if i + 1 < count else start + timedelta(minutes=20)
            host = f"case{case}/{name}"
            path = write(tmp_path, host, head, last_write)
            files.append(selection._File(host, path, path.stat().st_size, path.stat().st_mtime))
        span = starts[-1] - starts[0]
        since = starts[0] + span * rng.uniform(-0.2, 1.1) if rng.random() < 0.9 else None
        until = (since or starts[0]) + timedelta(hours=rng.choice([0.5, 2, 12, 48])) if rng.random() < 0.7 else None
        window = Window(since, until)
        read.clear()
        kept, outside = selection.choose_in_window(spec, list(files), window)
        reads = len(read)
        with monkeypatch.context() as exact:
            exact.setattr(selection, "_outside_by_name", lambda members, window: (members, []))
            kept_exact, outside_exact = selection.choose_in_window(spec, list(files), window)
        assert [(f.host_path, *rest) for f, *rest in kept] == [(f.host_path, *rest) for f, *rest in kept_exact], case
        assert sorted(f.host_path for f in outside) == sorted(f.host_path for f in outside_exact), case
        assert reads <= count
        decided_by_name += count - reads
    assert decided_by_name > 400


# ------------------------------------------------------------------ compressed rotations
GZ_SPECS = (CollectSpec("segments", "log", ("{log_base}.*.log", "{log_base}.*.log.gz")),)


def gzip_segment(root: Path, start: datetime, end: datetime) -> str:
    import gzip

    plain = root / segment(root, start, end)
    target = plain.with_name(plain.name + ".gz")
    target.write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    plain.unlink()
    os.utime(target, (end.timestamp(), end.timestamp()))
    return f"{LOGS}/{target.name}"


@pytest.mark.parametrize("window", [Window(None, None), Window(at(1.25), at(2.25))], ids=["all", "window"])
def test_a_gz_beside_its_plain_file_is_skipped_not_a_second_member(tmp_path: Path, window: Window) -> None:
    """While a rotation is being compressed both files are there; both became the member
    SIPS_P.<ts>.log and the run failed (exit 40, duplicate member)."""
    twin = gzip_segment(tmp_path, at(1), at(2))
    segment(tmp_path, at(1), at(2))
    plan = select(tmp_path, {"sip-server": make_profile(collect=GZ_SPECS)}, [SIP], window, Caps())
    assert names(plan) == [S10]
    assert reasons(plan)[twin.rsplit("/", 1)[-1]].startswith("compressed copy of a plain file also present")


def test_gz_segments_are_in_their_stream_and_chosen_by_name_like_plain_ones(tmp_path: Path) -> None:
    """A .log.gz was a stream of its own, always its newest segment: rotations weeks before the
    window were decompressed and shipped (header only), while plain ones there were skipped."""
    old = [gzip_segment(tmp_path, at(-24 * days), at(-24 * days + 1)) for days in (18, 17)]
    before = gzip_segment(tmp_path, at(-1), at(1))
    segment(tmp_path, at(1), at(3))
    for copied in old + [before]:                  # a copied host: every mtime is the copy's
        os.utime(tmp_path / copied, (at(5).timestamp(),) * 2)
    plan = select(tmp_path, {"sip-server": make_profile(collect=GZ_SPECS)}, [SIP], Window(at(1.25), at(2.25)),
                  Caps())
    assert names(plan) == [S10]
    assert {name: reasons(plan)[name.rsplit("/", 1)[-1]] for name in old + [before]} == \
        dict.fromkeys(old + [before], "outside window")
    plan = select(tmp_path, {"sip-server": make_profile(collect=GZ_SPECS)}, [SIP], Window(at(0.5), at(1.5)),
                  Caps())
    assert names(plan) == [before.rsplit("/", 1)[-1], S10]


# ------------------------------------------------------------------ mtimes earlier than the content
def records(root: Path, host_path: str, lines: list[str], mtime: datetime) -> None:
    path = root / host_path
    with path.open("a") as out:
        out.writelines(f"{line} Std 09900 tick\n" for line in lines)
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))


def test_a_copy_whose_mtime_is_earlier_than_its_records_is_not_outside_the_window(tmp_path: Path) -> None:
    """A segment whose next one starts inside the window, but whose (copied) mtime is before
    it, was skipped as outside the window though its last records are inside."""
    records(tmp_path, segment(tmp_path, at(0), at(1)), ["09:30:00.000", "10:20:00.000"], at(1))
    segment(tmp_path, at(1.5), at(3))
    plan = select(tmp_path, PROFILES, [SIP], Window(at(1.25), at(2.25)), Caps())
    assert names(plan) == [S09, "SIPS_P.20240305_103000_000.log"]
    assert all(c.trim for c in plan.members)


def test_the_newest_segment_ends_at_its_last_record_past_midnight(tmp_path: Path) -> None:
    """The only segment of its stream, started 23:00, written up to 10:20 the next day, with
    the mtime of its start day: it was skipped."""
    late = T0.replace(hour=23)
    records(tmp_path, segment(tmp_path, late, late), ["23:50:00.000", "00:10:00.000", "10:20:00.000"],
            late + timedelta(minutes=30))
    next_day = T0 + timedelta(days=1)
    assert len(select(tmp_path, PROFILES, [SIP], Window(next_day + timedelta(hours=1.25),
                                                         next_day + timedelta(hours=2.25)), Caps()).members) == 1
    assert select(tmp_path, PROFILES, [SIP], Window(next_day + timedelta(hours=1.5), None),
                  Caps()).members == ()


def test_a_segment_that_ends_before_a_gap_stays_out(tmp_path: Path) -> None:
    """The app stopped: the mtime and the last record agree, the segment is outside."""
    records(tmp_path, segment(tmp_path, at(0), at(0.5)), ["09:30:00.000"], at(0.5))
    segment(tmp_path, at(3), at(4))
    assert names(select(tmp_path, PROFILES, [SIP], Window(at(1), at(2)), Caps())) == []


# ------------------------------------------------------------------ installations without files
def test_an_installation_without_a_file_of_its_own_is_listed_not_dropped(tmp_path: Path) -> None:
    """Discovery found it: its folder is a skipped entry, with the installation that took its
    files if one did (two installations given one folder lost the master's confserv.conf)."""
    write(tmp_path, f"{APP}/sip.cfg", "[log]\n")
    segment(tmp_path, at(0), at(1))
    twin = Installation("sip-server", "SIPS_B", APP, (f"{LOGS}/SIPS_P",))
    empty = Installation("sip-server", "SIPS_E", "opt/genesys/SIPS_E", ("var/log/SIPS_E/x",))
    (tmp_path / "opt/genesys/SIPS_E").mkdir(parents=True)
    plan = select(tmp_path, PROFILES, [SIP, twin, empty], Window(), Caps())
    assert [(s.host_path, s.reason) for s in plan.skipped] == [
        (f"{APP}/", "no file of its own: its files were taken by sip-server SIPS_P"),
        ("opt/genesys/SIPS_E/", "no file of this installation found")]
    assert names(plan) == [S09, "sip.cfg"]


# ------------------------------------------------------------------ rollovers sharing a name stamp
GAX_LOGS = "opt/genesys/gax/logs"
GAX = Installation("gax", "gax", "opt/genesys/gax", (f"{GAX_LOGS}/gax.log",))
GAX_PROFILES = {"gax": make_profile("gax", collect=(CollectSpec("segments", "log", ("{log_base}.[0-9]*",)),))}


def local(hour: int, minute: int = 0) -> datetime:
    """2024-03-05 hour:minute on this host's wall clock (logback stamps carry no zone)."""
    return datetime(2024, 3, 5, hour, minute).astimezone(UTC)


def gax_file(root: Path, suffix: str, first: datetime, last: datetime, mtime: datetime) -> str:
    lines = []
    moment = first
    while moment <= last:
        lines.append(f"{moment.astimezone():%Y-%m-%d %H:%M:%S},000 INFO  [main] tick\n")
        moment += timedelta(minutes=1)
    host = f"{GAX_LOGS}/gax.log.20240305_090000_000{suffix}"
    write(root, host, "Genesys Administrator Extension 8.5.290.09\n" + "".join(lines), mtime)
    return host.rsplit("/", 1)[-1]


@pytest.mark.parametrize("order", [("-1", "-2", ""), ("", "-1", "-2")], ids=["newest-plain", "newest-2"])
@pytest.mark.parametrize("copied", [False, True], ids=["mtimes", "copied"])
def test_gax_rollovers_sharing_a_stamp_are_judged_by_their_records(tmp_path: Path, order, copied) -> None:
    """gax.log.<ts>-1, -2 carry the stamp of the first file of the set: all three sorted as
    starting at 09:00, only the one written last was kept, and the file holding 10:00-10:20 was
    skipped as outside the window."""
    spans = [(local(9), local(9, 58)), (local(9, 58), local(10, 30)), (local(10, 30), local(11))]
    written = [gax_file(tmp_path, suffix, first, last, local(13) if copied else last)
               for suffix, (first, last) in zip(order, spans)]
    plan = select(tmp_path, GAX_PROFILES, [GAX], Window(local(10), local(10, 20)), Caps())
    assert names(plan) == [written[1]]
    assert plan.members[0].trim and plan.members[0].start == local(9, 58)
    assert reasons(plan) == {written[0]: "outside window", written[2]: "outside window"}


# ------------------------------------------------------------------ keep-startup-file
KEEPS_STARTUP = replace(SIP, startup_bases=(f"{LOGS}/SIPS_P",))


@pytest.mark.parametrize("restarts", [0, 10], ids=["short", "long-stream"])
def test_keep_startup_file_keeps_the_first_segment_of_each_stream_whole(tmp_path: Path, restarts: int) -> None:
    """[log] keep-startup-file=true: the startup segment, days before the window, was skipped
    as outside it (GENESYS.md (b): always add it). A long stream leaves it out by name."""
    first = segment(tmp_path, at(-72), at(-71.5))
    segment(tmp_path, at(-72), at(-71.5), thread="-001")
    for day in range(restarts):                               # a long stream: decided by name
        segment(tmp_path, at(-60 + day), at(-59.5 + day))
    segment(tmp_path, at(0), at(2))
    segment(tmp_path, at(0), at(2), thread="-001")
    window = Window(at(1), at(1.5))
    plain = select(tmp_path, PROFILES, [SIP], window, Caps())
    assert names(plain) == sorted([S09, T09])
    plan = select(tmp_path, PROFILES, [KEEPS_STARTUP], window, Caps())
    startup = {"SIPS_P.20240302_090000_000.log", "SIPS_P-001.20240302_090000_000.log"}
    assert names(plan) == sorted(startup | {S09, T09})
    for member in plan.members:
        is_startup = member.host_path.rsplit("/", 1)[-1] in startup
        assert member.startup_segment is is_startup
        assert member.trim is not is_startup                  # the startup segment is taken whole
        assert (member.reason == "startup segment (keep-startup-file)") is is_startup
        assert member.rule_sets == ("common-secrets", "sip")  # redacted like every other log
    assert first not in {s.host_path for s in plan.skipped}


def test_keep_startup_file_adds_nothing_to_a_stream_of_one_segment(tmp_path: Path) -> None:
    """The only segment is still being written: there is no startup file apart from it."""
    segment(tmp_path, at(0), at(2))
    plan = select(tmp_path, PROFILES, [KEEPS_STARTUP], Window(at(1), at(1.5)), Caps())
    assert [(c.host_path.rsplit("/", 1)[-1], c.trim, c.startup_segment) for c in plan.members] == \
        [(S09, True, False)]


# ------------------------------------------------------------------ days named in paths
CIC = Installation("pureconnect-cic", "CIC", "D/I3/IC")
CIC_PROFILES = {"pureconnect-cic": make_profile("pureconnect-cic", collect=(
    CollectSpec("ininlog", "binary-log", ("{app_dir}/Logs/**/*.ininlog", "{app_dir}/Logs/**/*.zip"),
                consent="unredacted-binary"),
    CollectSpec("text-logs", "log", ("{app_dir}/Logs/**/*.txt",)),))}


def day_folders(root: Path, mtime=None) -> None:
    """PureConnect Logs/2024-03-0N/ (binary trace, time-only text) and zipped days; ``mtime``
    None: each file written at the end of its day, else every file at ``mtime`` (a copy)."""
    for day in range(1, 6):
        end = datetime(2024, 3, day, 23, 59).astimezone(UTC)
        text = "".join(f"{hour:02d}:00:00.000 day {day} hour {hour}\n" for hour in range(24))
        write(root, f"D/I3/IC/Logs/2024-03-0{day}/Notifier.ininlog", b"\0ININ", mtime or end)
        write(root, f"D/I3/IC/Logs/2024-03-0{day}/ip_sip.txt", text, mtime or end)
        if day < 4:
            write(root, f"D/I3/IC/Logs/2024-03-0{day}.zip", b"PK\3\4", mtime or end + timedelta(hours=1))


@pytest.mark.parametrize("copied", [False, True], ids=["mtimes", "copied"])
def test_day_folders_and_zipped_days_are_chosen_by_the_date_in_their_name(tmp_path: Path, copied) -> None:
    """A copy that reset every mtime (scp -r, cp -r) shipped all five day folders' .ininlog
    and every zipped day (unredacted binaries) for a 20-minute window."""
    day_folders(tmp_path, local(13) + timedelta(days=600) if copied else None)
    window = Window(local(10), local(10, 20))
    plan = select(tmp_path, CIC_PROFILES, [CIC], window, Caps(), consent=frozenset({"unredacted-binary"}))
    assert sorted(c.host_path for c in plan.members) == ["D/I3/IC/Logs/2024-03-05/Notifier.ininlog",
                                                         "D/I3/IC/Logs/2024-03-05/ip_sip.txt"]
    assert all(c.start == local(0) for c in plan.members)
    text = next(c for c in plan.members if c.kind == "log")
    assert text.trim
    assert reasons(plan) == {**dict.fromkeys(["Notifier.ininlog", "ip_sip.txt"], "outside window"),
                             **{f"2024-03-0{day}.zip": "outside window" for day in range(1, 4)}}
    yesterday = select(tmp_path, CIC_PROFILES, [CIC], Window(local(10) - timedelta(days=1),
                                                             local(10, 20) - timedelta(days=1)), Caps(),
                       consent=frozenset({"unredacted-binary"}))
    assert sorted(c.host_path for c in yesterday.members) == ["D/I3/IC/Logs/2024-03-04/Notifier.ininlog",
                                                              "D/I3/IC/Logs/2024-03-04/ip_sip.txt"]
    zipped = select(tmp_path, CIC_PROFILES, [CIC], Window(local(10) - timedelta(days=3), None), Caps(),
                    consent=frozenset({"unredacted-binary"}))
    assert {c.host_path.rsplit("/", 1)[-1] for c in zipped.members if c.host_path.endswith(".zip")} == \
        {"2024-03-02.zip", "2024-03-03.zip"}


@pytest.mark.parametrize("copied", [False, True], ids=["mtimes", "copied"])
def test_jetty_request_logs_are_chosen_by_the_gmt_day_in_their_name(tmp_path: Path, copied) -> None:
    """The previous day's request log was shipped whole when the copy reset its mtime."""
    for day in (3, 4, 5):
        last = datetime(2024, 3, day, 23, 59, tzinfo=UTC)
        write(tmp_path, f"var/log/jetty9/2024_03_0{day}.request.log",
              f'192.0.2.1 - - [0{day}/Mar/2024:10:30:00 +0000] "GET /api/v2/me HTTP/1.1" 200 12\n'
              f'192.0.2.1 - - [0{day}/Mar/2024:23:59:00 +0000] "GET /api/v2/me HTTP/1.1" 200 12\n',
              datetime(2024, 9, 1, tzinfo=UTC) if copied else last)
    gws = Installation("gws", "gws", "usr/share/jetty9")
    profiles = {"gws": make_profile("gws", collect=(CollectSpec("request-log", "log", ("var/log/jetty9/*.request.log",)),))}
    plan = select(tmp_path, profiles, [gws], Window(datetime(2024, 3, 5, 10, tzinfo=UTC),
                                                    datetime(2024, 3, 5, 11, tzinfo=UTC)), Caps())
    assert names(plan) == ["2024_03_05.request.log"]
    assert reasons(plan) == {"2024_03_03.request.log": "outside window", "2024_03_04.request.log": "outside window"}


def test_a_copied_time_only_text_log_of_the_window_day_keeps_the_window(tmp_path: Path) -> None:
    """End to end: Logs/2024-03-05/ip_sip.txt (time-only stamps, no header) in a copy that reset
    its mtime was dated by the copy's day, and the window's records were dropped (0 bytes)."""
    import json
    import subprocess
    import sys

    from collector.bundlereader import iter_members

    root = tmp_path / "root"
    write(root, "D/I3/IC/Server/NotifierU.exe", b"MZ")
    day_folders(root, datetime(2025, 6, 1, 12, tzinfo=UTC))
    out, state = tmp_path / "out", tmp_path / "state"
    proc = subprocess.run(
        [sys.executable, "-m", "collector", "collect", "--root", str(root), "--output", str(out),
         "--state-dir", str(state), "--since", local(10).isoformat(), "--until", local(10, 20).isoformat(),
         "--quiet", "--priority", "normal", "--json"],
        capture_output=True, cwd=Path(__file__).resolve().parents[2], timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    bundle = dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))
    texts = {name.split("/Logs/", 1)[-1]: data for name, data in bundle.items() if name.endswith("ip_sip.txt")}
    assert texts == {"2024-03-05/ip_sip.txt": b"10:00:00.000 day 5 hour 10\n"}


def test_deep_log_folders_are_searched_and_a_folder_past_the_depth_limit_is_listed(tmp_path: Path) -> None:
    """Probe K finding 4: ``**`` stopped 12 folders below the root (7 under an MCP logs folder)
    and the deeper logs were neither taken nor listed. Now it reaches MAX_GLOB_DEPTH, and a
    folder it cannot search is listed as skipped with the reason."""
    from collector.hostfiles import DEPTH_STOP, MAX_GLOB_DEPTH

    mcp = "opt/genesys/gvp/MCP_8.5"
    profile = make_profile("gvp-mcp", collect=(CollectSpec("logs", "log", ("{app_dir}/logs/**/*.log",)),))
    inst = Installation("gvp-mcp", "MCP_8.5", mcp, ())
    folders = [f"d{i:02d}" for i in range(1, MAX_GLOB_DEPTH + 3)]
    for depth in range(len(folders) + 1):
        write(tmp_path, "/".join([mcp, "logs", *folders[:depth], f"depth{depth:02d}.log"]), "x\n")
    plan = select(tmp_path, {"gvp-mcp": profile}, [inst], Window(), Caps())
    found = sorted(int(c.host_path[-6:-4]) for c in plan.members)
    below_logs = MAX_GLOB_DEPTH - 5           # opt/genesys/gvp/MCP_8.5/logs are 5 of them
    assert found == list(range(below_logs + 1))
    assert found[-1] >= 20
    stops = [(s.host_path, s.reason) for s in plan.skipped]
    assert stops == [("/".join([mcp, "logs", *folders[:below_logs + 1]]) + "/", DEPTH_STOP)]


def test_a_walk_stopped_by_the_folder_limit_is_listed(tmp_path: Path) -> None:
    from collector.hostfiles import BUDGET_STOP, WalkBudget, expand_glob_entries

    for i in range(6):
        write(tmp_path, f"logs/f{i}/x.log")
    stopped: dict[str, str] = {}
    found = expand_glob_entries(tmp_path, "logs/**/*.log", budget=WalkBudget(4), stopped=stopped)
    assert len(found) < 6
    assert list(stopped.values()) == [BUDGET_STOP]


def test_finished_files_are_the_older_segments_and_quiet_snapshot_logs():
    """Probe V 12: the last line (no newline) of a log no longer written is taken: a segment with
    a newer one in its stream, a *.snapshot.log; never the newest segment (a quiet writer may be
    in the middle of a line), nor a file written in the last FINISHED_QUIET seconds."""
    from collector import selection

    now = 2_000_000_000.0
    old = now - 2 * 86400
    folder = "var/log/genesys/SIPS_P"

    def file(name: str, mtime: float) -> selection._File:
        return selection._File(f"{folder}/{name}", Path("/nonexistent"), 10, mtime)

    first = file("SIPS_P.20261127_150000_000.log", old)
    same_time = file("SIPS_P.20261127_160000_000.log", old)       # later stamp, same mtime (touch)
    newest = file("SIPS_P.20261127_170000_000.log", old + 60)
    crash = file("SIPS_P.20261127_150000_000.snapshot.log", old)
    thread = file("SIPS_P-001.20261127_150000_000.log", old)      # alone in its stream
    recent_snapshot = file("SIPS_P.20261127_170000_000.snapshot.log", now - 10)
    lone = file("app.log", old)
    finished = selection.finished_files([first, same_time, newest, crash, thread, recent_snapshot, lone], now)
    assert finished == {id(first), id(same_time), id(crash)}
    # mtimes and stamps disagree: neither is finished; without stamps the mtime says it
    a, b = file("SIPS_P.20261127_150000_000.log", old + 5), file("SIPS_P.20261127_160000_000.log", old)
    assert selection.finished_files([a, b], now) == set()
    e, f = file("cloud.log", old + 5), file("cloud.log", old)
    assert selection.finished_files([e, f], now) == {id(f)}
    c, d = file("SIPS_P.20261127_150000_000.log", old), file("SIPS_P.20261127_160000_000.log", now - 60)
    assert selection.finished_files([c, d], now) == {id(c)}    # d written a minute ago: live


def test_a_collect_counts_a_quiet_newest_segment_as_finished_a_snapshot_does_not():
    """Probe X 9: a stopped application (a --root copy, a crash) never writes the newline of its
    newest segment's last line, the crash line support wants. A collect takes a newest segment
    quiet for FINISHED_QUIET as finished; a snapshot does not (``quiet_newest`` False: a paused
    writer may finish the line later, and the next snapshot would start inside it)."""
    from collector import selection

    now = 2_000_000_000.0
    folder = "var/log/genesys/SIPS_P"

    def file(name: str, mtime: float) -> selection._File:
        return selection._File(f"{folder}/{name}", Path("/nonexistent"), 10, mtime)

    older = file("SIPS_P.20261127_121500_120.log", now - 11 * 3600 - 3600)
    newest = file("SIPS_P.20261127_131500_120.log", now - 11 * 3600)
    lone = file("app.log", now - selection.FINISHED_QUIET)
    live = file("URS_P.20261127_131500_120.log", now - selection.FINISHED_QUIET + 1)
    recent_snapshot = file("SIPS_P.20261127_170000_000.snapshot.log", now - 10)
    files = [older, newest, lone, live, recent_snapshot]
    assert selection.finished_files(files, now, quiet_newest=True) == {id(older), id(newest), id(lone)}
    assert selection.finished_files(files, now) == {id(older)}


def test_select_takes_the_quiet_newest_segment_as_finished_unless_asked_not_to(tmp_path: Path) -> None:
    """``select``'s ``quiet_newest_finished``: True for a collect, False for a snapshot."""
    older = segment(tmp_path, at(0), at(1))
    newest = segment(tmp_path, at(1), at(1.5))           # quiet since 2024: a stopped application

    def finished(**kwargs) -> dict[str, bool]:
        plan = select(tmp_path, PROFILES, [SIP], Window(), Caps(), **kwargs)
        return {c.host_path: c.finished for c in plan.members}

    assert finished() == {older: True, newest: True}
    assert finished(quiet_newest_finished=False) == {older: True, newest: False}


def test_finished_files_agrees_with_the_pairwise_definition_on_random_streams() -> None:
    """finished_files works newest first in one pass (a stream can have thousands of segments);
    it must give what the definition says pair by pair: a segment is finished when quiet and a
    segment of its stream is newer (modified later, or at the same time with a later stamp;
    mtime and stamp never disagree), or when it is a *.snapshot.log."""
    import random
    from types import SimpleNamespace

    from collector.hostfiles import parse_log_name
    from collector.selection import FINISHED_QUIET, _segment_name, _stream_key, finished_files

    def stamp(f):
        return parse_log_name(_segment_name(f.host_path)).stamp

    def pairwise(files, now):
        def newer(f, o):
            s, t = stamp(f), stamp(o)
            later = o.mtime > f.mtime or (o.mtime == f.mtime and s is not None and t is not None)
            return later and not (s is not None and t is not None and t <= s)
        return {id(f) for f in files if now - f.mtime >= FINISHED_QUIET and (
            f.host_path.endswith(".snapshot.log") or any(
                newer(f, o) for o in files if not o.host_path.endswith(".snapshot.log")
                and _stream_key(o.host_path) == _stream_key(f.host_path)))}

    rng = random.Random(3)
    for _ in range(2000):
        files = []
        for _ in range(rng.randrange(0, 9)):
            app, day = rng.choice(["SIPS_P", "URS_P"]), rng.randrange(1, 4)
            name = rng.choice([f"{app}.202403{day:02d}_{rng.randrange(3):02d}0000_000.log", f"{app}.log",
                               f"{app}.2024030{day}_000000_000.snapshot.log", f"{app}.log.{day}"])
            files.append(SimpleNamespace(host_path=f"/var/log/genesys/{app}/{name}",
                                         mtime=float(rng.choice([100, 200, 300, 2e9]))))
        assert finished_files(files, now=1000.0) == pairwise(files, now=1000.0), files
