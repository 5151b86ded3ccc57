"""collector.integrity: streaming hashes, the sidecar, atomic writes, constant-time compare."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
from pathlib import Path

import pytest

from collector.errors import VerifyFailed
from collector.integrity import (HashingReader, atomic_write_bytes, digests_equal, read_sidecar, sha256_file,
                                 write_sidecar)

DATA = os.urandom(3 << 20) + b"tail"


def test_sha256_file(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(DATA)
    assert sha256_file(p) == hashlib.sha256(DATA).hexdigest()
    assert sha256_file(p, bufsize=7) == hashlib.sha256(DATA).hexdigest()
    (tmp_path / "e").write_bytes(b"")
    assert sha256_file(tmp_path / "e") == hashlib.sha256(b"").hexdigest()


def test_hashing_reader_hashes_what_passes_and_the_rest() -> None:
    seen: list[int] = []

    class Watch:
        def feed(self, data: bytes | memoryview) -> None:
            seen.append(len(data))

    r = HashingReader(io.BytesIO(DATA), observer=Watch())
    first = r.read(1000)
    buf = bytearray(5000)
    n = r.readinto(buf)
    assert first == DATA[:1000] and bytes(buf[:n]) == DATA[1000:1000 + n]
    assert r.hexdigest() == hashlib.sha256(DATA[:1000 + n]).hexdigest()
    assert r.drain() == len(DATA) - 1000 - n
    assert r.hexdigest() == hashlib.sha256(DATA).hexdigest() and r.bytes_read == len(DATA) == sum(seen)
    assert r.digest() == hashlib.sha256(DATA).digest()
    assert r.read(10) == b""


def test_sidecar_format_mode_and_sha256sum(tmp_path: Path) -> None:
    bundle = tmp_path / "gcollect-h-nocase-20240305T091500Z.tar.zst"
    bundle.write_bytes(DATA)
    digest = sha256_file(bundle)
    side = write_sidecar(bundle, digest.upper())
    assert side == tmp_path / (bundle.name + ".sha256")
    assert side.read_bytes() == f"{digest}  {bundle.name}\n".encode()
    assert stat.S_IMODE(side.stat().st_mode) == 0o600
    assert read_sidecar(side) == digest
    subprocess.run(["sha256sum", "-c", "--quiet", side.name], cwd=tmp_path, check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([bundle.name, side.name])  # no temp left


def test_sidecar_replaces_a_planted_symlink_without_following_it(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(b"x")
    (tmp_path / "b.zip.sha256").symlink_to(victim)
    write_sidecar(bundle, "a" * 64)
    assert victim.read_text() == "precious\n"
    side = tmp_path / "b.zip.sha256"
    assert not side.is_symlink() and read_sidecar(side) == "a" * 64


@pytest.mark.parametrize("content", [b"", b"nothex  name\n", b"abc  name\n", b"g" * 64 + b"  n\n"])
def test_read_sidecar_refuses_malformed(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "x.sha256"
    p.write_bytes(content)
    with pytest.raises(VerifyFailed):
        read_sidecar(p)
    with pytest.raises(VerifyFailed):
        read_sidecar(tmp_path / "missing.sha256")


def test_write_sidecar_refuses_bad_digest(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_sidecar(tmp_path / "b.zip", "xyz")


def test_digests_equal() -> None:
    h = hashlib.sha256(b"a").hexdigest()
    assert digests_equal(h, h.upper())
    assert not digests_equal(h, h[:-1] + ("0" if h[-1] != "0" else "1"))
    assert not digests_equal(h, "")
    assert digests_equal(b"\x01\x02", b"\x01\x02")


def test_atomic_write_bytes(tmp_path: Path) -> None:
    p = tmp_path / "state.json"
    atomic_write_bytes(p, b"one")
    atomic_write_bytes(p, b"two", mode=0o640)
    assert p.read_bytes() == b"two" and stat.S_IMODE(p.stat().st_mode) == 0o640
    assert [x.name for x in tmp_path.iterdir()] == ["state.json"]
