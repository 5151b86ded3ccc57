"""collector.verify: a fresh bundle passes; each kind of damage is named, never raised."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from collector.bundle import FORMATS, BundleWriter, PieceWriter, bundle_name
from collector.integrity import sha256_file, write_sidecar
from collector.verify import verify_bundle

WHEN = datetime(2024, 3, 5, 9, 15, 0, tzinfo=timezone.utc)
BIG = "opt/genesys/SIPS_P/logs/SIPS_P.20240305_091500_120.log"


def lines(n: int) -> bytes:
    return b"".join(b"09:15:%02d.%03d Trc 04541 RequestMakeCall received from [%d] seq=%d\n"
                    % (i // 1000 % 60, i % 1000, i % 97, i) for i in range(n))


def build(out: Path, fmt: str, files: dict[str, bytes], *, manifest_edit=None, keep_piece: str | None = None
          ) -> tuple[Path, bytes]:
    """Write a bundle; returns it and the stored bytes of the piece ``keep_piece`` (to find it later)."""
    pieces = out / "pieces"
    pieces.mkdir(exist_ok=True)
    name = bundle_name("h1", None, WHEN, fmt)
    kept = b""
    with BundleWriter(out, name, fmt, name[: -len(fmt) - 1]) as w:
        for member, data in files.items():
            pw = PieceWriter(pieces, fmt)
            pw.write(data)
            piece = pw.close()
            if member == keep_piece:
                kept = piece.path.read_bytes()
            w.add_piece(member, piece, mtime=WHEN.timestamp())
        w.add_bytes("system/uname.txt", b"Linux\n", mtime=0)
        listed = [{"path": m, "sha256": d, "note": "opaque"} for m, _s, d in w.members]
        if manifest_edit:
            manifest_edit(listed)
        w.add_bytes("manifest.json", json.dumps({"schema": "x", "files": listed}).encode(), mtime=0)
        info = w.close()
    return info.path, kept


FILES = {BIG: lines(200_000), "conf/app.cfg": b"[log]\nall=stdout\n", "empty.log": b""}


def problems(report) -> list[tuple[str | None, str]]:
    return [(p.member, p.problem) for p in report.problems]


@pytest.mark.parametrize("fmt", FORMATS)
def test_fresh_bundle_verifies(tmp_path: Path, fmt: str) -> None:
    bundle, _ = build(tmp_path, fmt, FILES)
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.members_checked == len(FILES) + 3   # + system/uname.txt, manifest.json, SHA256SUMS


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_byte_changed_in_member_data_is_named(tmp_path: Path, fmt: str) -> None:
    bundle, stored = build(tmp_path, fmt, FILES, keep_piece=BIG)
    raw = bytearray(bundle.read_bytes())
    at = raw.find(stored[:4096])
    assert at > 0 and raw.count(stored[:4096]) == 1
    raw[at + len(stored) // 2] ^= 0x55
    bundle.write_bytes(bytes(raw))
    report = verify_bundle(bundle, check_sidecar=False)
    assert not report.ok
    assert any(member == BIG for member, _ in problems(report)), report.problems
    full = verify_bundle(bundle)
    assert any(m is None and "differs from" in p and ".sha256" in p for m, p in problems(full))


@pytest.mark.parametrize("fmt", FORMATS)
def test_changed_sidecar_is_named(tmp_path: Path, fmt: str) -> None:
    bundle, _ = build(tmp_path, fmt, FILES)
    write_sidecar(bundle, "0" * 64)
    assert problems(verify_bundle(bundle)) == [(None, f"SHA-256 of the bundle differs from {bundle.name}.sha256")]
    assert verify_bundle(bundle, check_sidecar=False).ok
    bundle.with_name(bundle.name + ".sha256").write_text("garbage\n")
    assert "not a SHA-256 checksum file" in problems(verify_bundle(bundle))[0][1]
    bundle.with_name(bundle.name + ".sha256").unlink()
    assert problems(verify_bundle(bundle)) == [(None, f"checksum file {bundle.name}.sha256 missing")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_manifest_mismatches_are_named(tmp_path: Path, fmt: str) -> None:
    def edit(listed: list[dict]) -> None:
        listed[1]["sha256"] = "ab" * 32                       # conf/app.cfg: wrong hash
        listed.append({"path": "lost/file.log", "sha256": "cd" * 32})
        del listed[2]                                          # empty.log: not listed

    bundle, _ = build(tmp_path, fmt, FILES, manifest_edit=edit)
    report = verify_bundle(bundle)
    assert not report.ok
    assert sorted(problems(report), key=str) == sorted([
        ("conf/app.cfg", "SHA-256 differs from manifest.json"),
        ("lost/file.log", "listed in manifest.json but missing from the bundle"),
        ("empty.log", "not listed in manifest.json"),
    ], key=str)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("keep", [0.5, 0.999, -30])
def test_truncated_bundle_fails_without_raising(tmp_path: Path, fmt: str, keep: float) -> None:
    bundle, _ = build(tmp_path, fmt, FILES)
    raw = bundle.read_bytes()
    cut = int(len(raw) * keep) if keep > 0 else len(raw) + int(keep)
    bundle.write_bytes(raw[:cut])
    report = verify_bundle(bundle, check_sidecar=False)
    assert not report.ok and report.problems


@pytest.mark.parametrize("fmt", FORMATS)
def test_garbage_appended_is_named(tmp_path: Path, fmt: str) -> None:
    bundle, _ = build(tmp_path, fmt, FILES)
    with open(bundle, "ab") as f:
        f.write(b"\x01trailing garbage" * 10)
    report = verify_bundle(bundle, check_sidecar=False)
    assert not report.ok and report.problems


def _resealed(bundle: Path) -> None:
    """A new NAME.sha256 for the bundle as it is now (what one who changes it would write)."""
    write_sidecar(bundle, sha256_file(bundle))


@pytest.mark.parametrize("junk", [b"APPENDED JUNK\n", b"\0" * 4096])
def test_zip_with_bytes_after_its_end_record_fails_even_with_a_new_sidecar(tmp_path: Path, junk: bytes) -> None:
    """Probe AF F3: zipfile reads bytes appended to a zip as its comment; a gcollect zip ends at
    its end record, so they are named by offset (as for tar.gz), also when the sidecar was remade."""
    bundle, _ = build(tmp_path, "zip", FILES)
    size = bundle.stat().st_size
    with open(bundle, "ab") as f:
        f.write(junk)
    _resealed(bundle)
    report = verify_bundle(bundle)
    assert not report.ok
    assert (None, f"data after the end of the archive: bytes {size}..{size + len(junk)} of the file follow "
                  "its end of central directory record") in problems(report), problems(report)


def test_zip_whose_comment_was_changed_fails(tmp_path: Path) -> None:
    """Probe AF F3: gcollect writes no archive comment; one set afterwards (the length field and
    the text, a well-formed zip) is a problem."""
    import zipfile

    bundle, _ = build(tmp_path, "zip", FILES)
    with zipfile.ZipFile(bundle, "a") as zf:
        zf.comment = b"looks fine to me"
    _resealed(bundle)
    report = verify_bundle(bundle)
    assert not report.ok
    assert any("archive has a comment of 16 bytes" in p for _m, p in problems(report)), problems(report)


def test_a_regular_file_added_to_a_zip_is_named_as_not_listed(tmp_path: Path) -> None:
    """Probe AF F9: a file added with zipfile.writestr (a mode without a file type) is a file the
    manifest does not list, not a 'link, device or other special member'; a symlink is named so."""
    import stat
    import zipfile

    bundle, _ = build(tmp_path, "zip", FILES)
    top = bundle.name[:-4]
    with zipfile.ZipFile(bundle, "a") as zf:
        zf.writestr(f"{top}/evil.txt", b"not from gcollect\n")
        link = zipfile.ZipInfo(f"{top}/link")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, b"/etc/shadow")
    _resealed(bundle)
    found = problems(verify_bundle(bundle))
    evil = [p for m, p in found if m == "evil.txt"]
    assert evil and not any("special" in p or "link" in p for p in evil), found
    assert ("link", "symlink member: a gcollect bundle holds only regular files and folders") in found


def test_not_a_bundle(tmp_path: Path) -> None:
    p = tmp_path / "x.tar.gz"
    p.write_bytes(b"hello, not an archive")
    assert not verify_bundle(p, check_sidecar=False).ok
    assert not verify_bundle(tmp_path / "missing.tar.gz").ok


def _hand_made_tar(tmp_path: Path, add) -> Path:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tf:
        add(tf)
    path = tmp_path / "hand.tar.gz"
    path.write_bytes(buf.getvalue())
    write_sidecar(path, sha256_file(path))
    return path


def _file(tf: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tf.addfile(info, io.BytesIO(data))


def test_links_devices_and_unsafe_names_are_named(tmp_path: Path) -> None:
    def add(tf: tarfile.TarFile) -> None:
        _file(tf, "top/a.log", b"a")
        link = tarfile.TarInfo("top/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
        tf.addfile(link)
        dev = tarfile.TarInfo("top/dev")
        dev.type = tarfile.CHRTYPE
        tf.addfile(dev)
        _file(tf, "top/../../evil", b"x")
        _file(tf, "/abs/path", b"x")
        _file(tf, "other/file", b"x")

    report = verify_bundle(_hand_made_tar(tmp_path, add))
    found = problems(report)
    assert ("link", "link, device or other special member") in found
    assert ("dev", "link, device or other special member") in found
    assert any(m == "top/../../evil" and "unsafe member name" in p for m, p in found)
    assert any(m == "/abs/path" and "unsafe member name" in p for m, p in found)
    assert any(m == "other/file" and "outside the top folder" in p for m, p in found)
    assert ("manifest.json", "missing from the bundle") in found
    assert ("SHA256SUMS", "missing from the bundle") in found


def test_sha256sums_mismatch_is_named(tmp_path: Path) -> None:
    sums = b"\\" + b"0" * 64 + b"  odd\\nname\n" + b"1" * 64 + b"  a.log\nnot a line\n"
    manifest = json.dumps({"files": [{"path": "a.log", "sha256": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
                                     {"path": "odd\nname", "sha256": "0" * 64}]}).encode()

    def add(tf: tarfile.TarFile) -> None:
        _file(tf, "t/a.log", b"a")
        _file(tf, "t/odd\nname", b"")
        _file(tf, "t/manifest.json", manifest)
        _file(tf, "t/SHA256SUMS", sums)

    found = problems(verify_bundle(_hand_made_tar(tmp_path, add)))
    assert ("a.log", "SHA-256 differs from SHA256SUMS") in found
    assert ("odd\nname", "SHA-256 differs from SHA256SUMS") in found
    assert ("SHA256SUMS", "line 3 malformed") in found
    assert ("manifest.json", "not listed in SHA256SUMS") in found


def test_zst_cut_inside_last_frame_is_named(tmp_path: Path) -> None:
    """zstandard's stream reader ends quietly on a cut frame; the frame walker does not."""
    bundle, _ = build(tmp_path, "tar.zst", FILES)
    raw = bundle.read_bytes()
    bundle.write_bytes(raw[:-3])
    report = verify_bundle(bundle, check_sidecar=False)
    assert not report.ok, report


def test_verify_leaves_no_files_behind(tmp_path: Path) -> None:
    bundle, _ = build(tmp_path, "tar.gz", FILES)
    shutil.rmtree(tmp_path / "pieces")
    before = sorted(os.listdir(tmp_path))
    assert verify_bundle(bundle).ok
    assert sorted(os.listdir(tmp_path)) == before
