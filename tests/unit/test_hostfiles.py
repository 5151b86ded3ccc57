"""hostfiles.open_read_only: the one way a source file is opened."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from collector import hostfiles

NOATIME = getattr(os, "O_NOATIME", 0)


@pytest.mark.skipif(not NOATIME, reason="no O_NOATIME on this system")
def test_o_noatime_is_asked_for_and_dropped_only_when_the_kernel_refuses_it(tmp_path, monkeypatch) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"line\n")
    real_open = os.open
    flags_seen: list[int] = []

    def not_the_owner(target, flags, *args):       # what Linux answers a reader who is neither
        flags_seen.append(flags)                   # the owner nor root
        if flags & NOATIME:
            raise PermissionError(errno.EPERM, "Operation not permitted")
        return real_open(target, flags, *args)

    monkeypatch.setattr(os, "open", not_the_owner)
    fd = hostfiles.open_read_only(path)
    os.close(fd)
    assert [bool(f & NOATIME) for f in flags_seen] == [True, False]
    assert all(f & os.O_NOFOLLOW and f & os.O_NONBLOCK for f in flags_seen)
    assert hostfiles.read_head(path, 100) == b"line\n"


@pytest.mark.skipif(not NOATIME, reason="no O_NOATIME on this system")
def test_access_denied_is_not_retried_without_o_noatime(tmp_path, monkeypatch) -> None:
    calls: list[int] = []

    def denied(target, flags, *args):
        calls.append(flags)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(PermissionError):
        hostfiles.open_read_only(tmp_path / "x.log")
    assert len(calls) == 1


def test_a_final_symlink_is_refused_unless_followed(tmp_path) -> None:
    (tmp_path / "target.log").write_bytes(b"inside\n")
    (tmp_path / "link.log").symlink_to("target.log")
    with pytest.raises(OSError):
        hostfiles.open_read_only(tmp_path / "link.log")
    assert hostfiles.read_head(tmp_path / "link.log", 100) == b""
    assert hostfiles.read_head(tmp_path / "link.log", 100, follow_symlinks=True) == b"inside\n"


def test_a_folder_name_with_brackets_is_matched_literally_and_quietly(tmp_path) -> None:
    """An application folder such as SIPS_B[2] is embedded escaped ([[]): matched as itself,
    not as a set, and without re's "possible nested set" FutureWarning (cron mails stderr)."""
    import warnings

    (tmp_path / "opt" / "SIPS_B[2]").mkdir(parents=True)
    (tmp_path / "opt" / "SIPS_B[2]" / "SIPS_B.20251119_130000_120.log").write_text("x\n")
    (tmp_path / "opt" / "SIPS_B2").mkdir()
    (tmp_path / "opt" / "SIPS_B2" / "SIPS_B.20251119_130000_120.log").write_text("x\n")
    pattern = "opt/" + hostfiles.escape("SIPS_B[2]") + "/SIPS_B.*.log"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = hostfiles.expand_glob(tmp_path, pattern)
        assert hostfiles.glob_match("opt/SIPS_B[2]/SIPS_B.1.log", pattern)
    assert [str(p) for p in found] == ["opt/SIPS_B[2]/SIPS_B.20251119_130000_120.log"]
    assert not hostfiles.glob_match("opt/SIPS_B2/SIPS_B.1.log", pattern)


# ------------------------------------------------------------------ symlinks in a copied host
def _copy_of_a_host(tmp_path):
    """A root (a copy of a host, as ``--root /mnt/copy`` reads one) and a folder beside it."""
    import uuid

    root = tmp_path / "copy"
    top = f"gcollect-test-{uuid.uuid4().hex}"        # a folder this system does not have
    assert not os.path.lexists(f"/{top}")
    (root / top / "genesys").mkdir(parents=True)
    (root / top / "genesys" / "run.sh").write_bytes(b"./sip_server -app SIPS_P\n")
    (root / "etc").mkdir()
    (root / "etc" / "hostname").write_bytes(b"copied-host\n")
    app = root / "opt" / "genesys" / "SIPS_P"
    app.mkdir(parents=True)
    (tmp_path / "outside.cfg").write_bytes(b"password=outside\n")
    return root, top, app


def test_an_absolute_file_symlink_in_a_copied_host_is_resolved_inside_the_copy(tmp_path) -> None:
    """Was: resolved against this system's /, "dangling symlink" (or, where this system has
    the same path, "symlink leaves the root"), while the file is in the copy."""
    root, top, app = _copy_of_a_host(tmp_path)
    os.symlink(f"/{top}/genesys/run.sh", app / "run.sh")
    os.symlink("/etc/hostname", app / "host.cfg")                    # this system has one too
    os.symlink(f"/{top}/genesys/via.sh", app / "chain.sh")          # a link to a link, both absolute
    os.symlink(f"/{top}/genesys/run.sh", root / top / "genesys" / "via.sh")
    os.symlink(f"/{top}/genesys/../../etc/../../../etc/hostname", app / "dots.cfg")   # /.. is /
    for name, target in (("run.sh", root / top / "genesys" / "run.sh"), ("host.cfg", root / "etc" / "hostname"),
                         ("chain.sh", root / top / "genesys" / "run.sh"), ("dots.cfg", root / "etc" / "hostname")):
        real, info, why = hostfiles.resolve_regular(root, app / name)
        assert (real, why) == (Path(os.path.realpath(target)), ""), name
        assert info is not None and info.st_ino == os.stat(target).st_ino


def test_a_symlink_the_copy_cannot_resolve_inside_it_is_still_skipped(tmp_path) -> None:
    root, top, app = _copy_of_a_host(tmp_path)
    os.symlink(tmp_path / "outside.cfg", app / "escape.cfg")         # absolute, not in the copy
    os.symlink("../../../../outside.cfg", app / "climb.cfg")          # relative, out of the root
    os.symlink(f"/{top}/missing.cfg", app / "dangling.cfg")
    os.symlink("/loop_b.cfg", root / "loop_a.cfg")
    os.symlink("/loop_a.cfg", root / "loop_b.cfg")
    os.symlink("/loop_a.cfg", app / "loop.cfg")
    os.symlink(f"/{top}/genesys", app / "folder.cfg")                 # a folder in the copy
    os.symlink(os.path.realpath(root / top / "genesys" / "run.sh"), app / "own-path.sh")   # the root's own path
    expected = {"escape.cfg": "symlink leaves the root", "climb.cfg": "symlink leaves the root",
                "dangling.cfg": "dangling symlink", "loop.cfg": "symlink loop",
                "folder.cfg": "symlink target is not a regular file (directory)"}
    for name, reason in expected.items():
        assert hostfiles.resolve_regular(root, app / name) == (None, None, reason), name
    real, _info, why = hostfiles.resolve_regular(root, app / "own-path.sh")
    assert (real, why) == (Path(os.path.realpath(root / top / "genesys" / "run.sh")), "")


def test_a_folder_a_wildcard_passes_through_that_cannot_be_listed_is_absent_not_reported(tmp_path, monkeypatch):
    """host.yaml's opt/oracle/*/network/admin/tnsnames.ora meets opt/oracle/oraInventory (0770
    oracle:oinstall) on a non-root run: nothing the pattern wants is there, so it is passed over
    as absent; a folder the pattern names literally that cannot be listed is still reported."""
    for folder in ("opt/oracle/oraInventory", "opt/oracle/product/network/admin", "opt/genesys/SIPS_P/logs"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "opt/oracle/product/network/admin/tnsnames.ora").write_text("x\n")
    closed = {str(tmp_path / "opt/oracle/oraInventory"), str(tmp_path / "opt/genesys/SIPS_P/logs")}
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) in closed:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):               # a path inside a folder one may not search
        if os.path.dirname(os.fspath(path)) in closed:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(hostfiles.os, "scandir", scandir)
    monkeypatch.setattr(hostfiles.os, "lstat", lstat)
    stopped: dict[str, str] = {}
    found = hostfiles.expand_glob_entries(tmp_path, "opt/oracle/*/network/admin/tnsnames.ora", stopped=stopped)
    assert list(found) == ["opt/oracle/product/network/admin/tnsnames.ora"] and stopped == {}
    hostfiles.expand_glob_entries(tmp_path, "opt/genesys/SIPS_P/logs/*.log", stopped=stopped)
    assert list(stopped) == ["opt/genesys/SIPS_P/logs"] and "permission denied" in stopped["opt/genesys/SIPS_P/logs"]
