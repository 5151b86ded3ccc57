"""What an admin meets when running gcollect as the docs say (probe N 4, 5, 6, 9, 10): a case file's
number names the bundle; files the running user may not read are named and make the run partial;
state folder mistakes are one line with a table code, never "internal error"; an existing state
folder loses only its group and other bits, and says so."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from collector.errors import ExitCode
from tests.cli.conftest import REPO, run_gcollect

NOBODY = 65534


def _manifest(bundle: Path) -> dict:
    with tarfile.open(bundle) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/manifest.json"))
        return json.loads(tar.extractfile(member).read())


@pytest.fixture(scope="module")
def sip_host(tmp_path_factory) -> Path:
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("sip") / "host"
    root.mkdir()
    generate_host(root, products=["sip-server"], days=0.05, seed=5, segment_kb=16)
    return root


# ------------------------------------------------------------------ probe N 4: --case-file names the bundle
def _case_file(tmp_path: Path, number: str) -> Path:
    path = tmp_path / "case.json"
    proc = run_gcollect("case", "new", "--case", number, "--describe", "calls drop", "--severity", "2",
                        "-o", str(path), "--no-input")
    assert proc.returncode == 0, proc.stderr
    return path


def test_case_file_number_names_the_bundle(sip_host: Path, tmp_path: Path) -> None:
    case = _case_file(tmp_path, "01234567")
    out = tmp_path / "out"
    proc = run_gcollect("collect", "--root", str(sip_host), "--output", str(out), "--state-dir", str(tmp_path / "st"),
                        "--case-file", str(case), "--json", "--priority", "normal", "--workers", "1")
    assert proc.returncode in (0, 1), proc.stderr
    (bundle,) = out.glob("*.tar.gz")
    assert "-01234567-" in bundle.name and "nocase" not in bundle.name
    assert json.loads(proc.stdout)["bundle"] == str(bundle)
    manifest = _manifest(bundle)
    assert manifest["case"] == "01234567" and manifest["case_info"]["number"] == "01234567"


def test_case_file_and_a_different_case_is_one_usage_error(sip_host: Path, tmp_path: Path) -> None:
    case = _case_file(tmp_path, "01234567")
    out = tmp_path / "out"
    proc = run_gcollect("collect", "--root", str(sip_host), "--output", str(out), "--state-dir", str(tmp_path / "st"),
                        "--case-file", str(case), "--case", "07654321")
    assert proc.returncode == ExitCode.USAGE
    err = proc.stderr.decode()
    assert "07654321" in err and "01234567" in err and "Traceback" not in err
    assert not out.exists() or not list(out.glob("*.tar.gz"))
    same = run_gcollect("collect", "--root", str(sip_host), "--output", str(out), "--state-dir", str(tmp_path / "st"),
                        "--case-file", str(case), "--case", "01234567", "--quiet", "--priority", "normal")
    assert same.returncode in (0, 1), same.stderr


# ------------------------------------------------------------------ as another user (root bypasses modes)
@pytest.fixture(scope="module")
def as_nobody():
    """``run(*args)``: gcollect as uid 65534 (skipped unless root may drop to it and it can still
    import gcollect), and a folder under /tmp it may use."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run gcollect as another user")
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    check = subprocess.run([*drop, sys.executable, "-c", "import click, collector"], cwd=REPO, capture_output=True)
    if check.returncode != 0:
        pytest.skip(f"uid {NOBODY} cannot run this Python: {check.stderr.decode()[-200:]}")
    base = Path(tempfile.mkdtemp(prefix="gcollect-asuser-"))
    base.chmod(0o755)

    def run(*args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GCOLLECT_")}
        env["HOME"] = str(base / "home")
        return subprocess.run([*drop, sys.executable, "-m", "collector", *args], cwd=REPO, env=env,
                              capture_output=True, timeout=300)

    def mine(name: str, mode: int = 0o755) -> Path:
        path = base / name
        path.mkdir(parents=True)
        os.chown(path, NOBODY, NOBODY)
        path.chmod(mode)
        return path

    run.base, run.mine = base, mine
    (base / "home").mkdir()
    os.chown(base / "home", NOBODY, NOBODY)
    try:
        yield run
    finally:
        shutil.rmtree(base)


def _readable_copy(sip_host: Path, where: Path) -> Path:
    shutil.copytree(sip_host, where)
    for path in [where, *where.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return where


@pytest.fixture(scope="module")
def open_host(sip_host: Path, as_nobody) -> Path:
    """A copy of the host that uid 65534 may read."""
    return _readable_copy(sip_host, as_nobody.base / "open-host")


@pytest.fixture()
def shared_host(sip_host: Path, as_nobody) -> tuple[Path, list[Path]]:
    """A copy of the host that uid 65534 may read, except its newest SIP Server segment and its
    start script: root's, 0600."""
    root = _readable_copy(sip_host, as_nobody.base / f"host-{os.urandom(3).hex()}")
    logs = sorted(p for p in root.rglob("*.log") if "SIPS" in p.name)
    script = next(root.rglob("run.sh"))
    assert logs
    for path in (logs[-1], script):
        path.chmod(0o600)
    return root, [logs[-1], script]


def test_unreadable_files_are_named_and_exit_1(shared_host, as_nobody) -> None:
    shared_host, closed = shared_host
    out = as_nobody.mine("out-collect")
    proc = as_nobody("collect", "--root", str(shared_host), "--output", str(out),
                     "--state-dir", str(out / "state"), "--quiet", "--priority", "normal", "--workers", "1")
    err = proc.stderr.decode()
    assert proc.returncode == ExitCode.PARTIAL, err
    (line,) = [line for line in err.splitlines() if "WARNING" in line]
    assert "permission denied" in line
    for path in closed:
        assert "/" + path.relative_to(shared_host).as_posix() in line
    as_json = as_nobody("collect", "--root", str(shared_host), "--output", str(out / "again"),   # bundle names are
                        "--state-dir", str(out / "state"), "--json", "--priority", "normal",   # to the second
                        "--workers", "1")
    assert as_json.returncode == ExitCode.PARTIAL
    assert sorted(json.loads(as_json.stdout)["permission_denied"]) == sorted(
        p.relative_to(shared_host).as_posix() for p in closed)


def test_snapshot_never_says_nothing_new_over_unreadable_files(shared_host, as_nobody) -> None:
    shared_host, closed = shared_host
    out = as_nobody.mine("out-snapshot")
    args = ("snapshot", "--root", str(shared_host), "--output", str(out / "spool"), "--state-dir",
            str(out / "state"), "--priority", "normal", "--workers", "1", "-v")
    first = as_nobody(*args)
    assert first.returncode == ExitCode.PARTIAL, first.stderr
    second = as_nobody(*args)
    err = second.stderr.decode() + second.stdout.decode()
    assert second.returncode == ExitCode.PARTIAL, err
    assert "nothing new" not in err and "permission denied" in err
    assert closed[0].name in err


# ------------------------------------------------------------------ probe N 6: one line, a table code
def test_state_folder_mistakes_are_one_line(open_host: Path, as_nobody) -> None:
    closed = as_nobody.mine("closed", 0o500)
    out = as_nobody.mine("out-mistakes")
    proc = as_nobody("collect", "--root", str(open_host), "--output", str(out), "--state-dir", str(closed / "st"),
                     "--quiet")
    err = proc.stderr.decode().strip()
    assert proc.returncode == ExitCode.PREFLIGHT, err
    assert err.count("\n") == 0 and f"cannot use state folder {closed / 'st'}: Permission denied" in err
    assert "case text" not in err

    roots = as_nobody.base / "roots-state"            # made by an earlier `sudo gcollect`: root's
    from collector.redaction.tokens import TokenStore, load_or_create_site_key

    load_or_create_site_key(roots)
    store = TokenStore(roots / "tokens.db")
    store.add("PHONE_abcdefghij", "PHONE", "5550100")
    store.flush()
    store.close()
    roots.chmod(0o755)
    for args, code in ((("unmask", "PHONE_abcdefghij", "--state-dir", str(roots)), ExitCode.PREFLIGHT),
                       (("key", "export", str(out / "k.key"), "--state-dir", str(roots)), ExitCode.PREFLIGHT),
                       (("collect", "--root", str(open_host), "--output", str(out), "--state-dir", str(roots),
                         "--quiet"), ExitCode.PREFLIGHT)):
        proc = as_nobody(*args)
        err = proc.stderr.decode().strip()
        assert proc.returncode == code, (args, err)
        assert err.count("\n") == 0 and "internal error" not in err and str(roots) in err, (args, err)
    roots.chmod(0o700)                                 # the folder closed: the map cannot even be seen
    proc = as_nobody("unmask", "PHONE_abcdefghij", "--state-dir", str(roots))
    err = proc.stderr.decode().strip()
    assert proc.returncode in (ExitCode.USAGE, ExitCode.BAD_INPUT), err    # click: "is not readable"
    assert str(roots) in err and "internal error" not in err, err


def test_install_timer_without_root_is_one_line(as_nobody) -> None:
    units = as_nobody.base / "root-units"
    units.mkdir(mode=0o755)
    state = as_nobody.mine("timer-state")
    proc = as_nobody("snapshot", "--install-timer", "--unit-dir", str(units), "--state-dir", str(state))
    err = proc.stderr.decode().strip()
    assert proc.returncode == ExitCode.PREFLIGHT, err
    assert err.count("\n") == 0 and "internal error" not in err
    assert str(units / "gcollect-snapshot.service") in err and "Permission denied" in err


# ------------------------------------------------------------------ probe N 10: tighten, never loosen
def test_existing_state_folder_keeps_its_owner_bits(open_host: Path, as_nobody) -> None:
    out = as_nobody.mine("out-modes")
    read_only = as_nobody.mine("read-only", 0o500)
    proc = as_nobody("collect", "--root", str(open_host), "--output", str(out), "--state-dir", str(read_only),
                     "--quiet")
    err = proc.stderr.decode().strip()
    assert proc.returncode == ExitCode.PREFLIGHT and "not writable" in err and str(read_only) in err, err
    assert stat.S_IMODE(read_only.stat().st_mode) == 0o500          # never made writable
    open_ = as_nobody.mine("open", 0o755)
    proc = as_nobody("key", "export", str(out / "x.key"), "--state-dir", str(open_))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(open_.stat().st_mode) == 0o700
    assert f"state folder {open_} was mode 0755, now 0700" in proc.stderr.decode()
    again = as_nobody("key", "export", str(out / "y.key"), "--state-dir", str(open_))
    assert again.returncode == 0 and b"was mode" not in again.stderr       # said once, when it changed


def test_state_folder_tightening_unit(tmp_path: Path, capsys) -> None:
    from collector.statedir import use_state_dir

    group = tmp_path / "group"
    group.mkdir(mode=0o750)
    group.chmod(0o750)
    use_state_dir(group)
    assert stat.S_IMODE(group.stat().st_mode) == 0o700
    assert "was mode 0750, now 0700" in capsys.readouterr().err
    fresh = tmp_path / "a" / "fresh"
    use_state_dir(fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700 and capsys.readouterr().err == ""


# ------------------------------------------------------------------ probe N 9
def test_upload_without_a_target_is_a_usage_error(tmp_path: Path) -> None:
    bundle = tmp_path / "gcollect-h-nocase-20251119T140500Z.tar.gz"
    bundle.write_bytes(b"x")
    env = {k: "" for k in os.environ if k.startswith("GCOLLECT_")}
    proc = run_gcollect("upload", str(bundle), env=env)
    assert proc.returncode == ExitCode.USAGE
    assert b"--to" in proc.stderr and b"GCOLLECT_UPLOAD_URL" in proc.stderr


def test_reserve_help_shows_one_percent_sign() -> None:
    for command in ("collect", "snapshot"):
        proc = run_gcollect(command, "--help")
        assert proc.returncode == 0
        text = b" ".join(proc.stdout.split())
        assert b"10% and 2G" in text and b"%%" not in text, command


def test_readme_notice_example_has_its_required_contact() -> None:
    readme = (REPO / "README.md").read_text()
    lines = [line for line in readme.splitlines() if line.startswith("gcollect notice ")]
    assert lines and all("--contact" in line for line in lines)


# ------------------------------------------------------------------ probe AF F2: a log folder the user cannot list
@pytest.mark.parametrize("mode", [0o700, 0o711])
def test_a_log_folder_the_user_cannot_list_is_named_and_exit_1(sip_host: Path, as_nobody, mode: int) -> None:
    """The SIP Server's log folder is root's, closed to others (0700, or 0711: entered, not
    listed): its logs cannot be found, so the run says so as for a file (WARNING, exit 1,
    ``permission_denied`` and manifest.json), never a bundle without them and exit 0."""
    root = _readable_copy(sip_host, as_nobody.base / f"host-{os.urandom(3).hex()}")
    closed = root / "var" / "log" / "genesys" / "SIPS_P"
    closed.chmod(mode)
    out = as_nobody.mine(f"out-closed-{mode:o}")
    proc = as_nobody("collect", "--root", str(root), "--output", str(out), "--state-dir", str(out / "state"),
                     "--json", "--priority", "normal", "--workers", "1")
    err = proc.stderr.decode()
    assert proc.returncode == ExitCode.PARTIAL, err
    (line,) = [line for line in err.splitlines() if "WARNING" in line]
    assert "1 folder(s) not collected, permission denied: /var/log/genesys/SIPS_P/" in line
    assert json.loads(proc.stdout)["permission_denied"] == ["var/log/genesys/SIPS_P/"]
    (bundle,) = out.glob("*.tar.gz")
    skipped = {s["path"]: s["reason"] for s in _manifest(bundle)["skipped"]}
    assert skipped["var/log/genesys/SIPS_P/"] == "unreadable folder: permission denied"


def test_an_unreadable_folder_no_genesys_file_needs_is_not_reported(sip_host: Path, as_nobody) -> None:
    """Only folders the run needed count: a closed folder elsewhere on the host (a user's home
    folder, a hidden folder in a container) leaves the run complete (exit 0)."""
    root = _readable_copy(sip_host, as_nobody.base / f"host-{os.urandom(3).hex()}")
    for folder in (root / "home" / "alice", root / "opt" / "genesys" / ".cache", root / "srv" / "private"):
        folder.mkdir(parents=True)
        folder.chmod(0o700)
    out = as_nobody.mine("out-elsewhere")
    proc = as_nobody("collect", "--root", str(root), "--output", str(out), "--state-dir", str(out / "state"),
                     "--json", "--priority", "normal", "--workers", "1")
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    assert json.loads(proc.stdout)["permission_denied"] == []


def test_a_rules_dir_this_user_cannot_list_stops_the_run(open_host: Path, as_nobody) -> None:
    """A --rules-dir that exists but may not be listed ran without the site's rules (glob saw an
    empty folder), so a secret only they know could leave raw (review of 2e94003)."""
    out = as_nobody.mine("out-rules")
    for mode, code, words in ((0o000, ExitCode.USAGE, "is not readable"),          # click's own check
                              (0o400, ExitCode.BAD_PROFILE, "cannot read the rule set: Permission denied")):
        rules = as_nobody.mine(f"rules-{mode:o}", 0o700)
        (rules / "acme-site.yaml").write_text("schema: gcollect/rules/v1\n")
        rules.chmod(mode)
        proc = as_nobody("collect", "--root", str(open_host), "--output", str(out), "--state-dir", str(out / "st"),
                         "--rules-dir", str(rules), "--quiet")
        err = proc.stderr.decode().strip()
        assert proc.returncode == code, err
        assert err.count("\n") == 0 and str(rules) in err and words in err and "Traceback" not in err, err
    assert not list(out.glob("gcollect-*"))
