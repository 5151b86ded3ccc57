"""`gcollect verify` cross-checks a bundle's file name, top folder, manifest and sidecar name;
trailing bytes are named as such; a folder gets a clear message; `unmask` finds +PHONE_ tokens
without their +. Real bundles collected from small generated trees (two hosts)."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest

from tests.cli.conftest import run_gcollect

HEADER = ("Genesys SIP Server, version 8.1.104.37\nApplication name:  SIPS_A\nApplication type:  TServer\n"
          "Host name:  {host}\nLocal time:  2026-11-25T09:00:00.000\nStart time (UTC):  2026-11-25T14:00:00.000\n"
          "Time zone:  18000\nFile:  (0000000007) SIPS_A.20261125_090000_000.log\n"
          "Command line:  ./sip_server -host cfghost -port 2020 -app SIPS_A\n")
RECORDS = ("@09:15:05.8712 [0] 8.1.104.37 distribute_event: message EventRinging\n"
           "\tAttributeANI\t'5550103456'\n\tAttributeConnID\t007b02aa3c1f0011\n"
           "09:15:06.000 Std 09900 P-Asserted-Identity: <sip:+15555550142@carrier.example.net>\n")


def host_tree(root: Path, host: str) -> Path:
    def put(rel: str, data: str) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(data)

    put("opt/genesys/SIPS_A/sip_server", "\x7fELF")
    put("opt/genesys/SIPS_A/run.sh", "#!/bin/sh\ncd /opt/genesys/SIPS_A\n./sip_server -host cfghost -port 2020"
                                     " -app SIPS_A \"$@\"\n")
    put("var/log/genesys/SIPS_A/SIPS_A.20261125_090000_000.log", HEADER.format(host=host) + RECORDS)
    return root


def collect(tmp: Path, host: str, fmt: str = "tar.gz") -> Path:
    root = host_tree(tmp / f"root-{host}", host)
    out = tmp / f"out-{host}"
    out.mkdir()
    done = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(tmp / f"st-{host}"),
                        "--all-logs", "--quiet", "--priority", "normal", "--format", fmt, "--host-name", host)
    assert done.returncode == 0, done.stderr.decode()
    (bundle,) = [p for p in out.iterdir() if p.name.endswith("." + fmt)]
    return bundle


@pytest.fixture(scope="module")
def two_hosts(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("hosts")
    return collect(tmp, "gen01"), collect(tmp, "gen02")


def sidecar(bundle: Path, name: str | None = None) -> None:
    from collector.integrity import sha256_file
    bundle.with_name(bundle.name + ".sha256").write_text(f"{sha256_file(bundle)}  {name or bundle.name}\n")


def verify(bundle: Path, *args: str):
    done = run_gcollect("verify", *args, str(bundle))
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def test_another_hosts_bundle_under_this_hosts_name_fails(two_hosts, tmp_path: Path) -> None:
    a, b = two_hosts
    assert verify(a)[0] == 0
    swapped = tmp_path / a.name                    # gen02's bundle, gen01's name, fresh sidecar
    shutil.copy(b, swapped)
    sidecar(swapped)
    rc, out, _ = verify(swapped)
    assert rc == 41, out
    assert "names another host" in out and "host gen02" in out and "do not analyse it under this name" in out


def test_renamed_bundle_verifies_with_warnings(two_hosts, tmp_path: Path) -> None:
    a, _ = two_hosts
    renamed = tmp_path / "case0123-sip-primary.tar.gz"
    shutil.copy(a, renamed)
    shutil.copy(a.with_name(a.name + ".sha256"), renamed.with_name(renamed.name + ".sha256"))  # names the old file
    rc, out, _ = verify(renamed)
    assert rc == 0, out
    assert f"WARNING case0123-sip-primary.tar.gz.sha256 records the file name '{a.name}'" in out
    assert "sha256sum -c" in out
    top = a.name[: -len(".tar.gz")]
    assert f"WARNING file name 'case0123-sip-primary.tar.gz' is not the bundle's own name: it holds '{top}'" in out
    assert "host gen01" in out and "2 warning(s)" in out
    rc, out, _ = verify(renamed, "--json")
    report = json.loads(out)
    assert report["ok"] and len(report["warnings"]) == 2


def test_top_folder_not_the_manifests_bundle_fails(two_hosts, tmp_path: Path) -> None:
    a, b = two_hosts                               # gen02's content repacked under gen01's top folder
    top_a, top_b = a.name[:-7], b.name[:-7]
    moved = tmp_path / a.name
    with tarfile.open(b) as src, tarfile.open(moved, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info) if info.isreg() else None
            info.name = top_a + info.name[len(top_b):]
            dst.addfile(info, data)
    sidecar(moved)
    rc, out, _ = verify(moved)
    assert rc == 41, out
    assert f"top folder '{top_a}' is not the bundle manifest.json describes (host gen02" in out


@pytest.mark.parametrize("fmt", ["tar.gz", "tar.zst"])
def test_trailing_bytes_are_not_blamed_on_a_member(tmp_path: Path, fmt: str) -> None:
    bundle = collect(tmp_path, "gen01", fmt)
    size = bundle.stat().st_size
    with open(bundle, "ab") as f:
        f.write(b"GARBAGE" * 10)
    sidecar(bundle)
    rc, out, _ = verify(bundle)
    assert rc == 41
    assert "manifest.json" not in out and "corrupt or truncated" not in out, out
    where = f"bytes {size}..{size + 70} of the file are not"
    if fmt == "tar.gz":
        assert f"FAILED data after the end of the archive: {where} gzip data\n" == out
    else:                                          # zstandard raises before tar reaches its end
        assert f"FAILED {where} zstd data: appended after the archive, or a damaged zstd header\n" == out


def test_verify_of_a_folder_says_it_needs_the_bundle_file(tmp_path: Path) -> None:
    rc, _, err = verify(tmp_path)
    assert rc == 12
    assert "is a folder; verify checks the bundle file" in err and "no such bundle file" not in err


def test_manifest_totals_must_match_its_entries(two_hosts, tmp_path: Path) -> None:
    import hashlib
    a, _ = two_hosts
    top = a.name[:-7]
    edited = tmp_path / a.name
    with tarfile.open(a) as src:
        members = [(i, src.extractfile(i).read() if i.isreg() else None) for i in src.getmembers()]
    out = []
    man = json.loads(next(d for i, d in members if i.name == f"{top}/manifest.json"))
    rule = next(iter(man["redactions"]))
    man["redactions"][rule] += 1
    new = json.dumps(man).encode()
    for info, data in members:
        if info.name == f"{top}/manifest.json":
            data = new
        elif info.name == f"{top}/SHA256SUMS":
            data = b"".join(line if not line.endswith(b"  manifest.json\n") else
                            hashlib.sha256(new).hexdigest().encode() + b"  manifest.json\n"
                            for line in data.splitlines(keepends=True))
        if data is not None:
            info.size = len(data)
        out.append((info, data))
    import io
    with tarfile.open(edited, "w:gz") as dst:
        for info, data in out:
            dst.addfile(info, io.BytesIO(data) if data is not None else None)
    sidecar(edited)
    rc, text, _ = verify(edited)
    assert rc == 41
    assert f"FAILED manifest.json: 'redactions' disagrees with its 'files' entries: {rule} " in text


def test_unmask_finds_a_plus_phone_token_without_its_plus(two_hosts) -> None:
    a, _ = two_hosts
    state = a.parent.parent / "st-gen01"
    with tarfile.open(a) as t:
        log = next(t.extractfile(i).read() for i in t.getmembers() if i.name.endswith("_000.log"))
    import re
    token = re.search(rb"\+PHONE_[a-z]+", log).group().decode()
    done = run_gcollect("unmask", "--state-dir", str(state), token[1:], token)
    out = done.stdout.decode()
    assert done.returncode == 0, out
    assert f"{token[1:]}\tphone\t+15555550142\t(found as {token})" in out
    assert f"{token}\tphone\t+15555550142\n" in out
