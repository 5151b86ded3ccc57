"""tarformat.header: the bytes tarfile writes in PAX_FORMAT, whichever path builds them."""

from __future__ import annotations

import random
import tarfile

import pytest

from collector.bundle import tarformat


def _tarfile_header(name: str, *, size: int, mtime: float, mode: int, directory: bool) -> bytes:
    info = tarfile.TarInfo(name + "/" if directory else name)
    info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    info.size = 0 if directory else size
    info.mtime = max(0, int(mtime))
    info.mode = mode & 0o777
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info.tobuf(tarfile.PAX_FORMAT, tarformat.ENCODING, tarformat.ERRORS)


NAMES = [
    "top/a.log",
    "top/" + "x" * 96,                                   # 100 characters: the longest ustar name
    "top/" + "x" * 97,                                   # 101: a PAX path record
    "top/opt/genesys/SIPS_P/logs/SIPS_P-768.20240305_091500_120.log",
    "top/C/Program Files/GCTI/SIP Server/SIPS_P.log",
    "top/caf\u00e9.log",                                 # not ASCII: a PAX path record
    "top/raw-\udcff.log",                                # a name that is not UTF-8 (surrogate escape)
    "top/tab\there",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("directory", [False, True])
def test_header_is_what_tarfile_writes(name: str, directory: bool) -> None:
    for size, mtime, mode in [(0, 0, 0o600), (1, 1.9, 0o644), (12_345_678, 1_700_000_000.5, 0o700),
                              (8 ** 11 - 1, 8 ** 11 - 1, 0o777), (8 ** 11, 1_700_000_000, 0o600),
                              (5, 8 ** 11, 0o600), (5, -3.0, 0o4755)]:
        got = tarformat.header(name, size=size, mtime=mtime, mode=mode, directory=directory)
        assert got == _tarfile_header(name, size=size, mtime=mtime, mode=mode, directory=directory), \
            (name, size, mtime, mode)


def test_random_names_match_tarfile_and_read_back() -> None:
    rng = random.Random(11)
    alphabet = "abcXYZ019_-. /+=@~"
    short = 0
    for _ in range(500):
        name = "top/" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 130))).strip("/ ") + "f"
        size, mtime = rng.randrange(0, 10 ** 9), rng.uniform(0, 4e9)
        got = tarformat.header(name, size=size, mtime=mtime, mode=0o640)
        assert got == _tarfile_header(name, size=size, mtime=mtime, mode=0o640, directory=False), name
        if len(got) == tarformat.BLOCK:                  # one ustar block: tarfile reads it back
            short += 1
            member = tarfile.TarInfo.frombuf(got, tarformat.ENCODING, tarformat.ERRORS)   # checks the checksum
            assert (member.name, member.size, member.mtime, member.mode) == (name, size, int(mtime), 0o640)
    assert short > 300
