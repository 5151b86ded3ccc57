"""hostfiles.open_read_only: the one way a source file is opened."""

from __future__ import annotations

import errno
import os

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
