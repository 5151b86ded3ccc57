"""Folders a run needs and cannot look at (probe AF F1): a log folder a config names whose path,
with --root before it, is longer than this system allows is left out with the reason, named on
one short line, and the rest is collected (exit 1), never an internal error."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect

LONG_ROOT_NAME = "r" * 200


def _deep_folder(top: Path, levels: int = 19) -> str:
    """Make ``top/d*200/.../g*100`` (a host path of about 3,900 characters) through folder file
    descriptors, as no single path to it may be used, and write a log in it; its path below
    ``top``."""
    names = ["d" * 200] * levels + ["g" * 100]
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in names:
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        log = os.open("LCA.20261128_010101_000.log", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(log, b"12:00:00.000 Std 00000 hello\n")
        os.close(log)
    finally:
        os.close(fd)
    return "/".join(names)


@pytest.fixture(scope="module")
def long_root(tmp_path_factory) -> tuple[Path, str]:
    """A SIP Server host copied under a long mount point, with an LCA whose lca.cfg names a log
    folder the host can use (under 4096 characters) but root + that path cannot."""
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("long") / LONG_ROOT_NAME
    root.mkdir()
    generate_host(root, products=["sip-server"], days=0.05, seed=5, segment_kb=16)
    deep = "var/log/" + _deep_folder(root / "var" / "log")
    lca = root / "opt" / "genesys" / "LCA"
    lca.mkdir(parents=True)
    (lca / "lca.cfg").write_text(f"[general]\nlca_port = 4999\n\n[log]\nverbose = all\nall = /{deep}/LCA\n")
    assert len(deep) < 4000 < len(str(root)) + len(deep)
    yield root, deep
    shutil.rmtree(root.parent)


def test_a_log_folder_past_path_max_is_left_out_and_named_short(long_root, tmp_path: Path) -> None:
    root, deep = long_root
    out = tmp_path / "out"
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(tmp_path / "st"),
                        "--quiet", "--priority", "normal", "--workers", "1")
    err = proc.stderr.decode()
    assert proc.returncode == ExitCode.PARTIAL, err
    assert "internal error" not in err and "Traceback" not in err
    (line,) = err.splitlines()
    assert "WARNING" in line and "path too long" in line and "…" in line and len(line) < 600, line
    (bundle,) = out.glob("*.tar.gz")
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(next(n for n in names if n.endswith("/manifest.json"))).read())
    assert any("/SIPS_P/SIPS_P." in n for n in names)           # the rest is collected
    (entry,) = [s for s in manifest["skipped"] if s["path"] == deep + "/"]
    assert entry["reason"].startswith("unreadable folder: path too long"), entry
    assert entry["product"] == "lca"


def test_a_log_folder_past_path_max_in_dry_run_and_json(long_root, tmp_path: Path) -> None:
    root, deep = long_root
    dry = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "o"), "--state-dir",
                       str(tmp_path / "st"), "--dry-run", "--json")
    assert dry.returncode == ExitCode.OK, dry.stderr
    skipped = {s["path"]: s["reason"] for s in json.loads(dry.stdout)["skipped"]}
    assert skipped[deep + "/"].startswith("unreadable folder: path too long")
    as_json = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "o"), "--state-dir",
                           str(tmp_path / "st"), "--json", "--priority", "normal", "--workers", "1")
    assert as_json.returncode == ExitCode.PARTIAL, as_json.stderr
    report = json.loads(as_json.stdout)
    assert [n["path"] for n in report["not_read"]] == [deep + "/"] and report["permission_denied"] == []
