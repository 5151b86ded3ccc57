"""collector.verifylists: manifest.json and SHA256SUMS read in chunks of any size, any total size."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from collector.verifylists import VALUE_MAX, ManifestError, ManifestFiles, SumsLines

DOC = {"schema": "gcollect/manifest/v1", "count": 12345, "ok": True, "none": None, "files": [
    {"path": "a.log", "sha256": "AB" * 32, "size_in": 10, "log_stats": {"messages": [{"text": "x\\\"}]"}]}},
    {"path": os.fsdecode(b"caf\xe9.cfg"), "sha256": "cd" * 32},
    {"path": "s p a c e", "sha256": "ef" * 32, "mtime": 1.5e-3},
], "skipped": [{"path": "old.log", "reason": "outside"}], "totals": 987654321}
WANT = {"a.log": "ab" * 32, os.fsdecode(b"caf\xe9.cfg"): "cd" * 32, "s p a c e": "ef" * 32}


def read(data: bytes, chunk: int) -> dict[str, str]:
    reader = ManifestFiles()
    for i in range(0, len(data), chunk):
        reader.feed(data[i:i + chunk])
    return reader.close()


@pytest.mark.parametrize("indent", [None, 1])
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_every_split_reads_the_same_files(indent: int | None, chunk: int) -> None:
    assert read(json.dumps(DOC, indent=indent).encode(), chunk) == WANT


def test_a_number_cut_by_a_chunk_is_read_whole() -> None:
    reader = ManifestFiles()
    reader.feed(b'{"total": 12')
    reader.feed(b'34, "files": []}')
    assert reader.close() == {}


@pytest.mark.parametrize("text,problem", [
    (b'{"files": [{"path": "a"}]}', "without path and sha256"),
    (b'{"files": [1]}', "without path and sha256"),
    (b'{"schema": 1}', "no 'files' list"),
    (b'{"files": [], "files": []}', "two 'files' lists"),
    (b'{"files": []', "closing brace"),
    (b'{"files": []} x', "after the closing brace"),
    (b'[1, 2]', "expected"),
    (b'{"files": [}', "Expecting value"),
    (b'{"files": "\xff"}', "not UTF-8"),
])
def test_what_is_not_a_manifest_is_named(text: bytes, problem: str) -> None:
    with pytest.raises(ManifestError, match=problem):
        read(text, 5)


def test_a_manifest_larger_than_one_value_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("collector.verifylists.VALUE_MAX", 4096)
    files = [{"path": f"f{i}.log", "sha256": f"{i:064x}", "pad": "x" * 1000} for i in range(200)]
    data = json.dumps({"files": files}).encode()
    assert len(data) > 40 * 4096
    assert len(read(data, 1000)) == 200
    with pytest.raises(ManifestError, match="larger than"):
        read(json.dumps({"skipped": "y" * 10_000, "files": []}).encode(), 1000)
    assert VALUE_MAX == 64 << 20


def test_sha256sums_lines_split_anywhere() -> None:
    text = (f"{'a' * 64}  one.log\n\\{'b' * 64}  two\\nlines.log\nbad line\n{'c' * 64} *three\n").encode()
    for chunk in (1, 5, 100):
        reader = SumsLines()
        for i in range(0, len(text), chunk):
            reader.feed(text[i:i + chunk])
        assert reader.close() == {"one.log": "a" * 64, "two\nlines.log": "b" * 64, "three": "c" * 64}
        assert reader.malformed == [3]


def test_bundle_with_a_manifest_over_64_mib_verifies(tmp_path: Path) -> None:
    """What 100,000 tiny segments made: collect wrote it, verify said "larger than 64 MiB"."""
    from collector.bundle import BundleWriter
    from collector.verify import verify_bundle

    stats = {"messages": [{"text": "m" * 160, "id": f"{i:05d}"} for i in range(200)]}   # ~40 KB per file
    with BundleWriter(tmp_path, "big.tar.gz", "tar.gz", "big") as writer:
        for i in range(1800):
            writer.add_bytes(f"logs/s{i:05d}.log", b"%d\n" % i, mtime=0)
        files = [{"path": m, "sha256": d, "log_stats": stats} for m, _s, d in writer.members]
        manifest = json.dumps({"files": files}, indent=1).encode()
        writer.add_bytes("manifest.json", manifest, mtime=0)
        info = writer.close()
    assert len(manifest) > 64 << 20
    report = verify_bundle(info.path)
    assert report.ok, report.problems[:3]
    assert report.members_checked == 1802
