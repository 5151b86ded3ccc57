"""`gcollect snapshot --install-timer`: the options given go into the unit's ExecStart (quoted as
systemd reads them), ReadWritePaths follow --state-dir/--output, and what must not go into a
unit (a password in the upload URL, --accept-findings) is refused with one line, exit 2."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import run_gcollect


def systemd_words(value: str, *, command: bool) -> list[str]:
    """Split a unit file value as systemd does for ExecStart (``command``) and path lists:
    whitespace between words, double quotes with backslash escapes, ``%%`` -> ``%`` and, in a
    command, ``$$`` -> ``$``. Only the forms gcollect writes."""
    words: list[str] = []
    for plain, quoted in re.findall(r'([^\s"]+)|"((?:[^"\\]|\\.)*)"', value):
        word = plain or re.sub(r"\\(.)", r"\1", quoted)
        word = word.replace("%%", "%")
        if command:
            word = word.replace("$$", "$")
        words.append(word)
    return words


def unit_value(unit: Path, key: str) -> str:
    return re.search(rf"^{key}=(.*)$", unit.read_text(), re.M).group(1)


def test_install_timer_carries_the_options_given(tmp_path: Path) -> None:
    from collector.testhost.host import generate_host

    root = tmp_path / "root"
    generate_host(root, products=["sip-server"], days=0.003, segment_kb=16, target_bytes=60000)
    state = tmp_path / "state dir with %, $HOME and \"quotes\""
    units = tmp_path / "units"
    proc = run_gcollect("snapshot", "--install-timer", "--unit-dir", str(units), "--root", str(root),
                        "--state-dir", str(state), "--keep", "10", "--profile", "sip-server",
                        "--priority", "normal", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    service = units / "gcollect-snapshot.service"
    command = systemd_words(unit_value(service, "ExecStart"), command=True)
    words = command[command.index("snapshot"):]
    assert words[:5] == ["snapshot", "--output", str(state / "spool"), "--state-dir", str(state)]
    options = words[5:]
    pairs = dict(zip(options[::2], options[1::2]))
    assert pairs == {"--max-age": "7d", "--max-disk": "5G", "--root": str(root), "--keep": "10",
                     "--profile": "sip-server", "--priority": "normal", "--workers": "1"}
    assert systemd_words(unit_value(service, "ReadWritePaths"), command=False) == [str(state)]
    if shutil.which("systemd-analyze"):
        verify = subprocess.run(["systemd-analyze", "verify", str(service), str(units / "gcollect-snapshot.timer")],
                                capture_output=True, text=True)
        assert verify.returncode == 0, verify.stderr
    # the command as systemd would run it takes a snapshot into that state folder
    run = subprocess.run(command, capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parents[2])
    assert run.returncode in (0, 30), run.stderr           # 30: the generated host plants secrets
    assert list(state.glob("snapshot-state-*.json")) and list((state / "spool").glob("gcollect-*.tar.gz"))


def test_install_timer_keeps_a_separate_spool_writable(tmp_path: Path) -> None:
    units = tmp_path / "units"
    proc = run_gcollect("snapshot", "--install-timer", "--unit-dir", str(units), "--output", "spool",
                        "--upload", "sftp://support@files.example.com/in/", cwd=tmp_path,
                        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert proc.returncode == 0, proc.stderr
    service = units / "gcollect-snapshot.service"
    words = systemd_words(unit_value(service, "ExecStart"), command=True)
    assert words[words.index("--output") + 1] == str(tmp_path / "spool")         # absolute
    assert words[words.index("--upload") + 1] == "sftp://support@files.example.com/in/"
    assert systemd_words(unit_value(service, "ReadWritePaths"), command=False) == [
        "/var/lib/gcollect", str(tmp_path / "spool")]


@pytest.mark.parametrize("args, expected", [
    (["--upload", "sftp://support:s3cr3t-pw@files.example.com/in/"], "/etc/default/gcollect"),
    (["--upload", "https://b.s3.amazonaws.com/x.tar.gz?X-Amz-Signature=abcdef"], "names one object"),
    (["--upload", "s3://bucket/cases/x.tar.gz"], "names one object"),
    (["--accept-findings"], "--accept-findings"),
    (["--list"], "--list"),
])
def test_install_timer_refuses_what_a_unit_must_not_hold(tmp_path: Path, args: list[str], expected: str) -> None:
    units = tmp_path / "units"
    proc = run_gcollect("snapshot", "--install-timer", "--unit-dir", str(units), *args)
    stderr = proc.stderr.decode()
    assert proc.returncode == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and expected in stderr, stderr
    assert "s3cr3t-pw" not in stderr and "abcdef" not in stderr
    assert not units.exists()


def test_install_timer_makes_the_folders_the_unit_may_write(tmp_path: Path) -> None:
    """systemd refuses to start a service whose ReadWritePaths do not exist (226/NAMESPACE), and
    under ProtectSystem=strict the snapshot could not make them itself: on a fresh host the timer
    failed every run. A state folder and spool given here are made (0700); the packaged state
    folder is made by systemd itself (StateDirectory=)."""
    units, state, spool = tmp_path / "units", tmp_path / "new" / "state", tmp_path / "elsewhere" / "spool"
    proc = run_gcollect("snapshot", "--install-timer", "--unit-dir", str(units), "--state-dir", str(state),
                        "--output", str(spool))
    assert proc.returncode == 0, proc.stderr
    service = units / "gcollect-snapshot.service"
    assert systemd_words(unit_value(service, "ReadWritePaths"), command=False) == [str(state), str(spool)]
    for folder in (state, spool):
        assert folder.is_dir() and folder.stat().st_mode & 0o777 == 0o700
    # another state folder: no StateDirectory= (it would make /var/lib/gcollect), comments name this one
    text = service.read_text()
    assert "StateDirectory" not in text and "/var/lib/gcollect" not in text, text
    assert str(spool) in text.splitlines()[1]
    assert "GCOLLECT_STATE_DIR" not in text                  # ExecStart passes --state-dir: no effect
    assert systemd_words(unit_value(service, "Environment"), command=False) == [f"SHIV_ROOT={state / 'shiv'}"] \
        or f"SHIV_ROOT={state / 'shiv'}" in text


def test_install_timer_keeps_the_packaged_state_directory(tmp_path: Path) -> None:
    units = tmp_path / "units"
    proc = run_gcollect("snapshot", "--install-timer", "--unit-dir", str(units))
    assert proc.returncode == 0, proc.stderr
    service = units / "gcollect-snapshot.service"
    from collector.cli.snapshot_cmd import TIMER_STATE_DIR

    assert "/var/lib/" + unit_value(service, "StateDirectory") == str(TIMER_STATE_DIR)
    assert unit_value(service, "StateDirectoryMode") == "0700"
    assert "Environment=SHIV_ROOT=/var/lib/gcollect/shiv" in service.read_text()


def _unit_environment(service: Path) -> dict[str, str]:
    env = {}
    for value in re.findall(r"^Environment=(.*)$", service.read_text(), re.M):
        for word in systemd_words(value, command=False):
            key, _, val = word.partition("=")
            env[key] = val
    return env


def test_install_timer_from_a_checkout_runs_that_checkout(tmp_path: Path) -> None:
    """`python -m collector` from a source checkout: ExecStart is this Python with the checkout
    on PYTHONPATH (the unit's Environment=), runnable from any folder."""
    import sys

    units = tmp_path / "units"
    proc = run_gcollect("snapshot", "--install-timer", "--unit-dir", str(units), "--state-dir", str(tmp_path / "st"))
    assert proc.returncode == 0, proc.stderr
    service = units / "gcollect-snapshot.service"
    command = systemd_words(unit_value(service, "ExecStart"), command=True)
    assert command[:4] == [sys.executable, "-m", "collector", "snapshot"]
    env = _unit_environment(service)
    assert env["PYTHONPATH"] == str(Path(__file__).resolve().parents[2])
    assert env["SHIV_ROOT"] == str(tmp_path / "st" / "shiv")
    run = subprocess.run([*command[:3], "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", **env})
    assert run.returncode == 0, run.stderr


def test_install_timer_from_a_zipapp_runs_the_zipapp(tmp_path: Path) -> None:
    """The single-file build: ExecStart is the zipapp run by the Python that ran it (not
    `python -m collector`, which cannot import collector outside the zipapp)."""
    import sys
    import zipapp

    repo = Path(__file__).resolve().parents[2]
    site = tmp_path / "unpacked"               # as shiv unpacks its site-packages into SHIV_ROOT
    for name in ("collector", "profiles", "packaging"):
        shutil.copytree(repo / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    source = tmp_path / "app"
    source.mkdir()
    (source / "__main__.py").write_text(f"import sys\nsys.path.insert(0, {str(site)!r})\n"
                                        "from collector.cli import main\nmain()\n")
    pyz = tmp_path / "bin" / "gcollect"
    pyz.parent.mkdir()
    zipapp.create_archive(source, pyz)
    units = tmp_path / "units"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, str(pyz), "snapshot", "--install-timer", "--unit-dir", str(units),
                           "--state-dir", str(tmp_path / "st")], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    service = units / "gcollect-snapshot.service"
    command = systemd_words(unit_value(service, "ExecStart"), command=True)
    assert command[:3] == [sys.executable, str(pyz), "snapshot"]
    assert "PYTHONPATH" not in _unit_environment(service)


def test_install_timer_refuses_broken_profiles_and_rule_sets(tmp_path: Path) -> None:
    broken = tmp_path / "site"
    broken.mkdir()
    (broken / "bad.yaml").write_text("a: [\n")
    for option in ("--profile-dir", "--rules-dir"):
        units = tmp_path / f"units{option}"
        proc = run_gcollect("snapshot", "--install-timer", "--unit-dir", str(units), "--state-dir",
                            str(tmp_path / "st"), option, str(broken))
        stderr = proc.stderr.decode()
        assert proc.returncode == 10, stderr
        assert len(stderr.strip().splitlines()) == 1 and "bad.yaml" in stderr
        assert not units.exists()
