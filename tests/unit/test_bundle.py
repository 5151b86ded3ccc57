"""collector.bundle: names, PieceWriter, BundleWriter; bundles opened with the system tools."""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import pickle
import shutil
import stat
import subprocess
import tarfile
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import zstandard

from collector.bundle import FORMATS, BundleWriter, Piece, PieceWriter, UnsafeMemberName, bundle_name
from collector.errors import BundleWriteError, DiskFull
from collector.integrity import read_sidecar, sha256_file
from collector.verify import verify_bundle

WHEN = datetime(2024, 3, 5, 9, 15, 0, tzinfo=timezone.utc)
BAD_UTF8 = os.fsdecode(b"SIPS_P.\xff\xfe.log")
DEEP = "opt/genesys/" + "/".join(f"level{i:02d}_with_a_longer_name" for i in range(8)) + "/SIP_Server.20240305.log"
ODD = "C/Program Files/GCTI/odd\\name\nwith newline.log"


def log_text(size: int) -> bytes:
    """Genesys-like log lines, roughly ``size`` bytes, compressible like the real thing."""
    words = [b"TEvent", b"EventRinging", b"AttributeConnID", b"0071026b8d3a4c21", b"sip:+15551234567@10.0.0.5",
             b"TServer", b"RequestAnswerCall", b"AttributeThisDN", b"7001", b"Trunk_SIP_1"]
    lines = []
    n = 0
    i = 0
    while n < size:
        line = b"%02d:%02d:%02d.%03d Int 04543 %s %s %s seq=%d\n" % (
            (i // 3600000) % 24, (i // 60000) % 60, (i // 1000) % 60, i % 1000,
            words[i % 10], words[(i * 7) % 10], words[(i * 3) % 10], i)
        lines.append(line)
        n += len(line)
        i += 1
    return b"".join(lines)[:size]


@pytest.fixture(scope="module")
def big() -> bytes:
    return log_text(50 * 1024 * 1024)


def make_piece(tmp_dir: Path, fmt: str, data: bytes, chunk: int = 1 << 20, inline_max: int = 0) -> Piece:
    pw = PieceWriter(tmp_dir, fmt, inline_max=inline_max)
    for i in range(0, len(data), chunk):
        pw.write(data[i:i + chunk])
    return pw.close()


def build(out: Path, fmt: str, files: dict[str, bytes], *, manifest: bool = True,
          inline_max: int = 0) -> tuple[Path, str]:
    """A bundle with ``files`` (+ manifest.json, SHA256SUMS); returns (bundle, top)."""
    pieces = out / "pieces"
    pieces.mkdir(exist_ok=True)
    name = bundle_name("sip-host-01", "CS-0001234", WHEN, fmt)
    top = name[: -len(fmt) - 1]
    with BundleWriter(out, name, fmt, top) as w:
        for member, data in files.items():
            w.add_piece(member, make_piece(pieces, fmt, data, inline_max=inline_max), mtime=WHEN.timestamp())
        w.add_bytes("system/facts.json", b'{"os": "linux"}', mtime=WHEN.timestamp())
        if manifest:
            listed = [{"path": m, "sha256": d, "size": s} for m, s, d in w.members]
            w.add_bytes("manifest.json", json.dumps({"files": listed}).encode(), mtime=WHEN.timestamp())
        info = w.close()
    assert info.path == out / name and info.top == top and info.format == fmt
    return info.path, top


def extract(bundle: Path, fmt: str, dest: Path) -> None:
    dest.mkdir()
    if fmt == "tar.gz":
        subprocess.run(["tar", "-xzf", str(bundle), "-C", str(dest)], check=True, capture_output=True)
    elif fmt == "tar.zst":
        subprocess.run(["tar", "--zstd", "-xf", str(bundle), "-C", str(dest)], check=True, capture_output=True)
    else:
        # Info-ZIP unzip drops bytes of names that are not UTF-8; zipfile gives back the raw bytes.
        subprocess.run(["unzip", "-tq", str(bundle)], check=True, capture_output=True)
        with zipfile.ZipFile(bundle) as zf:
            for info in zf.infolist():
                raw = info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
                target = os.path.join(os.fsencode(dest), raw)
                if info.is_dir():
                    os.makedirs(target, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)


# ------------------------------------------------------------------------------- names
def test_bundle_name_format_and_sanitising() -> None:
    assert bundle_name("sip01", "CS-42", WHEN, "tar.zst") == "gcollect-sip01-CS-42-20240305T091500Z.tar.zst"
    assert bundle_name("sip01", None, WHEN, "zip") == "gcollect-sip01-nocase-20240305T091500Z.zip"
    odd = bundle_name("../evil host/x", "case #7;rm -rf", WHEN, "tar.gz")
    assert odd == "gcollect-evil_host_x-case_7_rm_-rf-20240305T091500Z.tar.gz"
    cest = WHEN.astimezone(timezone(timedelta(hours=2)))
    assert bundle_name("h", "", cest, "tar.gz").endswith("-nocase-20240305T091500Z.tar.gz")
    assert bundle_name("h", None, WHEN.replace(tzinfo=None), "zip").endswith("20240305T091500Z.zip")
    with pytest.raises(ValueError):
        bundle_name("h", None, WHEN, "rar")


# ------------------------------------------------------------------------------- pieces
@pytest.mark.parametrize("fmt", FORMATS)
def test_piece_writer_describes_its_bytes(tmp_path: Path, fmt: str) -> None:
    data = log_text(3_000_000)
    piece = make_piece(tmp_path, fmt, data, chunk=65536)
    assert piece.size == len(data)
    assert piece.sha256 == hashlib.sha256(data).hexdigest()
    assert piece.crc32 == zlib.crc32(data)
    assert piece.stored_size == piece.path.stat().st_size < len(data) // 3
    assert stat.S_IMODE(piece.path.stat().st_mode) == 0o600 and piece.path.parent == tmp_path
    stored = piece.path.read_bytes()
    if fmt == "tar.gz":
        assert gzip.decompress(stored) == data
    elif fmt == "tar.zst":
        assert zstandard.ZstdDecompressor().decompressobj().decompress(stored) == data
    else:
        assert zlib.decompress(stored, -15) == data
    assert pickle.loads(pickle.dumps(piece)) == piece


@pytest.mark.parametrize("fmt", FORMATS)
def test_piece_writer_empty_and_abort(tmp_path: Path, fmt: str) -> None:
    empty = PieceWriter(tmp_path, fmt).close()
    assert empty.size == 0 and empty.sha256 == hashlib.sha256(b"").hexdigest() and empty.stored_size > 0
    pw = PieceWriter(tmp_path, fmt)
    pw.write(b"secret-ish partial output\n")
    pw.abort()
    assert sorted(tmp_path.iterdir()) == [empty.path]
    with pytest.raises(RuntimeError), PieceWriter(tmp_path, fmt) as pw2:
        pw2.write(b"x")
        raise RuntimeError("worker failed")
    assert sorted(tmp_path.iterdir()) == [empty.path]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_small_piece_stays_in_memory(tmp_path: Path, fmt: str) -> None:
    """Within inline_max the compressed bytes travel with the piece and no temp file is made;
    past it they spill into a temp file holding the same bytes a file piece would."""
    small = log_text(20_000)
    piece = make_piece(tmp_path, fmt, small, chunk=4096, inline_max=32 << 10)
    assert piece.path is None and not list(tmp_path.iterdir())
    assert piece.data is not None and piece.stored_size == len(piece.data) < len(small)
    assert piece.size == len(small) and piece.sha256 == hashlib.sha256(small).hexdigest()
    assert piece.crc32 == zlib.crc32(small)
    assert pickle.loads(pickle.dumps(piece)) == piece
    as_file = make_piece(tmp_path, fmt, small, chunk=4096)
    assert as_file.path.read_bytes() == piece.data

    large = os.urandom(100_000)                      # incompressible: spills past 32 KB
    spilled = make_piece(tmp_path, fmt, large, chunk=8192, inline_max=32 << 10)
    assert spilled.data is None and stat.S_IMODE(spilled.path.stat().st_mode) == 0o600
    assert spilled.path.read_bytes() == make_piece(tmp_path, fmt, large, chunk=8192).path.read_bytes()
    assert spilled.stored_size == spilled.path.stat().st_size > 32 << 10

    before = set(tmp_path.iterdir())
    writer = PieceWriter(tmp_path, fmt, inline_max=1024)
    for _ in range(4):                               # compressors hold back some output: 4 MB
        writer.write(os.urandom(1 << 20))            # surely spills
    assert writer.path is not None and writer.path.exists()
    writer.abort()
    assert set(tmp_path.iterdir()) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_pieces_in_memory_make_the_same_bundle(tmp_path: Path, fmt: str, monkeypatch) -> None:
    monkeypatch.setattr("collector.bundle.writer.time.time", lambda: WHEN.timestamp())   # folder, SHA256SUMS
    files = {f"logs/small{i}.log": log_text(300 + 1000 * i) for i in range(5)}
    files["logs/empty.log"] = b""
    files["logs/random.bin"] = os.urandom(60_000)     # spills
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    on_disk, _ = build(tmp_path / "a", fmt, files)
    in_memory, top = build(tmp_path / "b", fmt, files, inline_max=32 << 10)
    assert on_disk.read_bytes() == in_memory.read_bytes()
    assert verify_bundle(in_memory).ok
    extract(in_memory, fmt, tmp_path / "x")
    for member, data in files.items():
        assert (tmp_path / "x" / top / member).read_bytes() == data
    assert not list((tmp_path / "b" / "pieces").iterdir())


def test_a_wrong_piece_in_memory_is_refused(tmp_path: Path) -> None:
    good = make_piece(tmp_path, "tar.gz", b"x" * 100, inline_max=1024)
    short = Piece(None, good.size, good.sha256, good.crc32, good.stored_size + 1, good.data)
    other = make_piece(tmp_path, "tar.zst", b"x" * 100, inline_max=1024)
    with BundleWriter(tmp_path, "b.tar.gz", "tar.gz", "b") as w:
        with pytest.raises(BundleWriteError, match="piece holds"):
            w.add_piece("x", short, mtime=0)
        with pytest.raises(BundleWriteError, match="not a tar.gz piece"):
            w.add_piece("y", other, mtime=0)
        w.add_piece("z", good, mtime=0)           # the writer is still usable
        w.close()


# ------------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_with_system_tools(tmp_path: Path, fmt: str, big: bytes) -> None:
    files = {
        "opt/genesys/SIPS_P/logs/SIPS_P.20240305_091500_120.log": big,
        "opt/genesys/SIPS_P/logs/empty.log": b"",
        f"opt/genesys/SIPS_P/logs/{BAD_UTF8}": b"bytes under a non-UTF-8 name\n",
        DEEP: b"deep\n" * 1000,
        ODD: b"odd name\n",
        "opt/genesys/caf\u00e9/conf.cfg": b"[log]\nverbose=all\n",
    }
    assert len(DEEP) > 100
    bundle, top = build(tmp_path, fmt, files)
    assert not list(tmp_path.glob("*.partial")) and not list((tmp_path / "pieces").iterdir())
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    side = bundle.with_name(bundle.name + ".sha256")
    assert stat.S_IMODE(side.stat().st_mode) == 0o600
    assert read_sidecar(side) == sha256_file(bundle)
    subprocess.run(["sha256sum", "-c", "--quiet", side.name], cwd=tmp_path, check=True)

    # listing with the system tools
    if fmt == "tar.gz":
        listing = subprocess.run(["tar", "-tzf", str(bundle)], check=True, capture_output=True).stdout
    elif fmt == "tar.zst":
        listing = subprocess.run(f"zstd -dc '{bundle}' | tar -tf -", shell=True, check=True,
                                 capture_output=True).stdout
    else:
        listing = subprocess.run(["unzip", "-l", str(bundle)], check=True, capture_output=True).stdout
    assert f"{top}/manifest.json".encode() in listing and f"{top}/SHA256SUMS".encode() in listing

    # Python's own readers, names byte for byte
    expected = {f"{top}/{m}" for m in files} | {f"{top}/system/facts.json", f"{top}/manifest.json",
                                                   f"{top}/SHA256SUMS"}
    if fmt == "zip":
        with zipfile.ZipFile(bundle) as zf:
            names = {i.filename if i.flag_bits & 0x800 else
                     i.filename.encode("cp437").decode("utf-8", "surrogateescape") for i in zf.infolist()}
            assert zf.testzip() is None
    else:
        if fmt == "tar.gz":  # gzip.GzipFile reads concatenated members
            tf = tarfile.open(bundle, "r:gz", encoding="utf-8", errors="surrogateescape")
        else:
            zsrc = zstandard.ZstdDecompressor().stream_reader(open(bundle, "rb"), read_across_frames=True,
                                                              closefd=True)
            tf = tarfile.open(fileobj=zsrc, mode="r|", encoding="utf-8", errors="surrogateescape")
        with tf:
            infos = list(tf)
            names = {i.name.rstrip("/") for i in infos}
            assert all(i.isreg() or i.isdir() for i in infos)
            assert all(stat.S_IMODE(i.mode) == (0o700 if i.isdir() else 0o600) for i in infos)
    assert {n.rstrip("/") for n in names} == expected | {top}

    # extract and check every member with sha256sum
    extract(bundle, fmt, tmp_path / "x")
    root = tmp_path / "x" / top
    subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=root, check=True)
    sums = (root / "SHA256SUMS").read_bytes()
    for member in [*files, "system/facts.json", "manifest.json"]:
        assert b"  " + member.replace("\\", "\\\\").replace("\n", "\\n").encode("utf-8", "surrogateescape") in sums
    assert (root / "opt/genesys/SIPS_P/logs/SIPS_P.20240305_091500_120.log").read_bytes() == big
    assert os.path.exists(os.path.join(os.fsencode(root), b"opt/genesys/SIPS_P/logs/SIPS_P.\xff\xfe.log"))
    assert verify_bundle(bundle).ok


@pytest.mark.parametrize("fmt", FORMATS)
def test_members_lists_name_size_hash(tmp_path: Path, fmt: str) -> None:
    with BundleWriter(tmp_path, "b." + fmt, fmt, "b") as w:
        w.add_bytes("a.txt", b"abc", mtime=0)
        w.add_piece("d/e.log", make_piece(tmp_path, fmt, b"hello"), mtime=1e9, mode=0o644)
        assert w.members == [("a.txt", 3, hashlib.sha256(b"abc").hexdigest()),
                             ("d/e.log", 5, hashlib.sha256(b"hello").hexdigest())]
        info = w.close(sha256sums=False)
    assert info.size == info.path.stat().st_size and info.sha256 == sha256_file(info.path)


# ------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../x", "a/../../b", "a//b", "a/", "./a", "a/./b",
                                 "a\0b", ".."])
def test_unsafe_member_names_refused(tmp_path: Path, bad: str) -> None:
    with BundleWriter(tmp_path, "b.tar.gz", "tar.gz", "b") as w:
        with pytest.raises(UnsafeMemberName):
            w.add_bytes(bad, b"x", mtime=0)
        piece = make_piece(tmp_path, "tar.gz", b"x")
        with pytest.raises(UnsafeMemberName):
            w.add_piece(bad, piece, mtime=0)
        w.add_piece("fine", piece, mtime=0)       # the writer is still usable
        with pytest.raises(UnsafeMemberName):
            w.add_bytes("fine", b"again", mtime=0)  # duplicate
        w.close()


@pytest.mark.parametrize("top", ["", ".", "..", "a/b", "a\0"])
def test_unsafe_top_refused(tmp_path: Path, top: str) -> None:
    with pytest.raises(BundleWriteError):
        BundleWriter(tmp_path, "b.zip", "zip", top)
    assert not list(tmp_path.iterdir())


def test_piece_of_another_format_refused(tmp_path: Path) -> None:
    with BundleWriter(tmp_path, "b.tar.zst", "tar.zst", "b") as w:
        with pytest.raises(BundleWriteError, match="not a tar.zst piece"):
            w.add_piece("x", make_piece(tmp_path, "tar.gz", b"x" * 100), mtime=0)
        w.close()


def test_existing_bundle_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "b.zip").write_bytes(b"theirs")
    with pytest.raises(BundleWriteError, match="exists"):
        BundleWriter(tmp_path, "b.zip", "zip", "b")
    (tmp_path / "b.zip").unlink()
    w = BundleWriter(tmp_path, "b.zip", "zip", "b")
    w.add_bytes("x", b"x", mtime=0)
    (tmp_path / "b.zip").write_bytes(b"appeared meanwhile")
    with pytest.raises(BundleWriteError, match="exists"):
        w.close()
    assert (tmp_path / "b.zip").read_bytes() == b"appeared meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip"]


# ------------------------------------------------------------------------------- failures
@pytest.mark.parametrize("fmt", FORMATS)
def test_abort_and_exception_remove_partial(tmp_path: Path, fmt: str) -> None:
    w = BundleWriter(tmp_path, "b." + fmt, fmt, "b")
    w.add_bytes("x", b"x", mtime=0)
    assert stat.S_IMODE((tmp_path / f"b.{fmt}.partial").stat().st_mode) == 0o600
    w.abort()
    w.abort()
    assert not list(tmp_path.iterdir())
    with pytest.raises(KeyError), BundleWriter(tmp_path, "c." + fmt, fmt, "c") as w2:
        w2.add_bytes("x", b"x", mtime=0)
        raise KeyError("boom")
    assert not list(tmp_path.iterdir())
    with pytest.raises(BundleWriteError):
        w2.add_bytes("y", b"y", mtime=0)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_disk_full_simulated(tmp_path: Path, fmt: str, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    piece = make_piece(tmp_path, fmt, log_text(4 << 20))
    real_write = os.write
    budget = [piece.stored_size // 2]

    def write(fd: int, data: bytes) -> int:
        if budget[0] <= 0:
            raise OSError(code, os.strerror(code))
        budget[0] -= len(data)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    w = BundleWriter(out, "b." + fmt, fmt, "b")
    with pytest.raises(DiskFull) as caught:
        w.add_piece("big.log", piece, mtime=0)
        w.add_bytes("manifest.json", b"{}", mtime=0)
        w.close()
    assert caught.value.fields["where"] == str(out)
    assert not list(out.iterdir()) and not piece.path.exists()


def test_disk_full_on_a_real_small_tmpfs(tmp_path: Path) -> None:
    from tests.hostfs import small_tmpfs

    with small_tmpfs(tmp_path / "small", "2m") as mnt:
        piece = make_piece(tmp_path, "tar.zst", os.urandom(3 << 20))  # incompressible: 3 MiB > 2 MiB
        w = BundleWriter(mnt, "b.tar.zst", "tar.zst", "b")
        with pytest.raises(DiskFull):
            w.add_piece("random.bin", piece, mtime=0)
        assert not list(mnt.iterdir())


def test_zip64_records_parse(tmp_path: Path) -> None:
    """Sizes and offsets past 4 GiB get ZIP64 fields that zipfile reads (records only, no data)."""
    from collector.bundle import zipformat as zf

    big_entry = zf.Entry(b"t/huge.log", 0, 8, 0, 5 << 30, 6 << 30, 5 << 30, 1e9, zf.external_attr(0o600, False))
    small = zf.Entry(b"t/a", 0, 8, 0, 2, 0, 0, 1e9, zf.external_attr(0o600, False))
    assert b"\x01\x00\x10\x00" in zf.local_header(big_entry)
    cd = zf.central_record(small) + zf.central_record(big_entry)
    fake = tmp_path / "fake.zip"
    # zipfile reads only the central directory here; place it at its claimed offset via a sparse file
    cd_offset = 12 << 30
    with open(fake, "wb") as f:
        f.seek(cd_offset)
        f.write(cd + zf.end_records(2, cd_offset, len(cd)))
    with zipfile.ZipFile(fake) as z:
        info = z.getinfo("t/huge.log")
        assert (info.file_size, info.compress_size, info.header_offset) == (6 << 30, 5 << 30, 5 << 30)
