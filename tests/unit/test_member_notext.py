"""Compressed data, archives and key stores are never shipped as text (probeP finding 1): a log
rotation zipped in place (``gax.log.2025-11-13.zip``), a ``.gz`` whose text is gzip again, a
small compressed file with too few control bytes for the redactor's check, a JKS. Real files on
disk through ``process_member``; text in UTF-8, Latin-1 or cp1251 with a few stray control bytes
is still collected."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import random
import zipfile
import zlib

import pytest

from collector import notext
from tests.unit.test_member_text import _candidate, _process

LOGIN = b'2025-11-18 10:00:00,000 DEBUG POST /gax/api/session/login body={"username":"admin","password":"ZipPw_77"}\n'


def _left_out(tmp_path, outcome, stored, what: str) -> None:
    assert outcome.result is None and stored is None, outcome.result
    assert outcome.excluded.reason == f"cannot be redacted: {what} cannot be redacted"
    assert os.listdir(tmp_path / "pieces") == []


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2])
def test_a_log_rotation_zipped_in_place_is_left_out(tmp_path, method) -> None:
    path = tmp_path / "gax.log.2025-11-13.zip"
    path.write_bytes(_zip({"gax.log.2025-11-13": LOGIN * 50}, method))
    assert path.stat().st_size < 1024 or method == zipfile.ZIP_STORED
    outcome, stored = _process(tmp_path, _candidate(path))
    _left_out(tmp_path, outcome, stored, "compressed data (zip)")


def test_a_capped_zip_is_left_out_too(tmp_path) -> None:
    """The size cap reads the tail of the file: what the file is comes from its first bytes."""
    path = tmp_path / "gax.log.2025-11-13.zip"
    path.write_bytes(_zip({"gax.log": b"".join(LOGIN.replace(b"ZipPw_77", b"Pw%05d" % i) for i in range(3000))}))
    outcome, stored = _process(tmp_path, _candidate(path, tail_bytes=2000), chunk=512)
    _left_out(tmp_path, outcome, stored, "compressed data (zip)")


def test_a_gzip_inside_a_gzip_is_left_out(tmp_path) -> None:
    path = tmp_path / "gax.log.2025-11-16.gz"
    path.write_bytes(gzip.compress(gzip.compress(LOGIN * 20)))
    outcome, stored = _process(tmp_path, _candidate(path))
    _left_out(tmp_path, outcome, stored, "compressed data (gzip)")


@pytest.mark.parametrize("data,what", [
    (bz2.compress(LOGIN), "compressed data (bzip2)"),
    (lzma.compress(LOGIN), "compressed data (xz)"),
    (lzma.compress(LOGIN, format=lzma.FORMAT_ALONE), "compressed data (lzma)"),
    (b"\x28\xb5\x2f\xfd" + zlib.compress(LOGIN)[2:], "compressed data (zstd)"),
    (b"\x04\x22\x4d\x18" + zlib.compress(LOGIN)[2:], "compressed data (lz4)"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04" + zlib.compress(LOGIN), "compressed data (7z)"),
    (b"Rar!\x1a\x07\x01\x00" + zlib.compress(LOGIN), "compressed data (rar)"),
    (b"PK\x05\x06" + bytes(18), "compressed data (zip)"),
])
def test_small_compressed_files_are_left_out_by_their_magic(tmp_path, data, what) -> None:
    path = tmp_path / "app.log.1"
    path.write_bytes(data)
    outcome, stored = _process(tmp_path, _candidate(path))
    _left_out(tmp_path, outcome, stored, what)


def test_a_gzip_of_a_small_zip_is_left_out(tmp_path) -> None:
    path = tmp_path / "app.log.2.gz"
    path.write_bytes(gzip.compress(_zip({"app.log.2": LOGIN})))
    outcome, stored = _process(tmp_path, _candidate(path))
    _left_out(tmp_path, outcome, stored, "compressed data (zip)")


@pytest.mark.parametrize("size", [40, 80, 200, 1000, 2500])
def test_compressed_bytes_without_magic_are_left_out_at_any_size(tmp_path, size) -> None:
    """Raw deflate (no header) of a log with a password, and random bytes: no magic, few
    control bytes in a small file; the byte statistics leave them out whatever the size."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    text = b"".join(LOGIN.replace(b"ZipPw_77", b"%08x" % random.Random(i).getrandbits(32)) for i in range(400))
    raw = (deflater.compress(text) + deflater.flush())[:size]
    assert len(raw) == size and raw[:4] != b"PK\x03\x04"
    for data in (raw, random.Random(size).randbytes(size)):
        path = tmp_path / "app.log.3"
        path.write_bytes(data)
        outcome, stored = _process(tmp_path, _candidate(path))
        assert outcome.result is None and stored is None, data
        assert "binary content" in outcome.excluded.reason and "not UTF-8" in outcome.excluded.reason


def test_a_key_store_named_like_a_config_is_left_out(tmp_path) -> None:
    path = tmp_path / "keystore.properties"
    jks = (b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x01\x00\x05mykey\x00\x00\x01\x8b"
           + random.Random(5).randbytes(40) + b"\x00\x05X.509" + b"0\x82\x01\x0a" + b"StorePass_1" * 3)
    path.write_bytes(jks)
    outcome, stored = _process(tmp_path, _candidate(path, kind="config"))
    _left_out(tmp_path, outcome, stored, "a Java key store (JKS)")
    path.write_bytes(b"0\x82\x0a\x1d\x02\x01\x030\x82\x09\xe3\x06\x09*\x86H\x86\xf7\r\x01\x07\x01" + b"a" * 200)
    outcome, stored = _process(tmp_path, _candidate(path, kind="config"))
    _left_out(tmp_path, outcome, stored, "DER data (PKCS#12, a key or a certificate)")


ACCENTS = "09:15:{s:02d}.000 Std 09900 Agent M\u00fcller \u00e9t\u00e9 \u00e0 S\u00e3o Paulo, 21\u00b0C\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "cp1252"])
def test_a_log_with_accents_and_a_few_stray_control_bytes_is_collected(tmp_path, encoding) -> None:
    text = "".join(ACCENTS.format(s=s) for s in range(30)).encode(encoding)
    text = text.replace(b"Std 09900 Agent", b"Std 09900 \x07Agent", 3).replace(b"Paulo", b"Pa\x1bulo\x01", 2)
    text += b"\tAttributeANI\t'5550103456'\r\n"
    path = tmp_path / "x.log"
    path.write_bytes(text)
    outcome, stored = _process(tmp_path, _candidate(path))
    assert outcome.excluded is None, outcome.excluded
    assert stored.startswith(ACCENTS.format(s=0).encode(encoding)[:10]) and b"5550103456" not in stored


@pytest.mark.parametrize("text", [
    "21\u00b0C \u00b1 1\u00b0\n".encode("latin-1"),                          # degree signs: bytes 0xB0, 0xB1
    b"ok\x07\n",                                                              # one stray BEL in a tiny file
    "09:15:00.000 \u041e\u0448\u0438\u0431\u043a\u0430 \u0431\u0430\u0437\u044b \u0434\u0430\u043d\u043d\u044b\u0445 "
    "\u2116 5 \u00ab\u0442\u0435\u0441\u0442\u00bb\n".encode("cp1251") * 40,  # Russian in cp1251
    bytes(3000) + b"09:20:00.000 Std 04500 started again\n",                  # a crash block of NULs first
    "09:15:00.000 \u2554\u2550\u2550\u2557 \u65e5\u672c\u8a9e\n".encode("utf-8") * 50,
])
def test_short_and_8bit_texts_are_text(tmp_path, text) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(text)
    outcome, stored = _process(tmp_path, _candidate(path))
    assert outcome.excluded is None, outcome.excluded


def test_the_statistics_do_not_depend_on_the_size() -> None:
    rng = random.Random(7)
    for size in (24, 64, 300, 4096, 65536):
        assert notext.statistics_problem(rng.randbytes(size)), size
    assert notext.statistics_problem(b"plain text line\n" * 2) is None
    assert notext.not_text_problem(b"\xff\xfe" + "\u041e\u0448".encode("utf-16-le"), "\u041e\u0448".encode()) is None
