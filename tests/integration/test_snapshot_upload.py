"""`gcollect snapshot --upload` against the real S3 server: queue on failure, drain, state after upload."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.integration.test_snapshot import LiveHost

pytestmark = pytest.mark.integration


def _with_env(env: dict[str, str]):
    class _Env:
        def __enter__(self):
            self.saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)

        def __exit__(self, *exc):
            for key, value in self.saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return _Env()


def test_snapshots_upload_to_s3_and_a_failed_one_is_retried(s3_server, tmp_path: Path) -> None:
    host = LiveHost(tmp_path)
    bucket = s3_server.create_bucket("snapshots")
    url = f"s3://{bucket}/site-a/"
    good = {**s3_server.env(), "GCOLLECT_ENDPOINT_URL": s3_server.endpoint_url, "GCOLLECT_PATH_STYLE": "1",
            "GCOLLECT_RETRIES": "0"}
    try:
        with _with_env({**good, "AWS_SECRET_ACCESS_KEY": "wrong"}):
            code, first = host.snapshot("--upload", url, "--accept-findings")
        assert code == 50, first                               # auth refused: bundle queued, state held
        assert first["bundle"]
        queued_record = Path(first["bundle"] + ".state.json")
        assert "delta" in json.loads(queued_record.read_bytes())   # queued: its delta is still needed
        host.append(n=2)
        with _with_env(good):
            code, second = host.snapshot("--upload", url, "--accept-findings")
        assert code in (0, 1), second
        keys = {o["Key"] for o in s3_server.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
        bundles = host.bundles()
        assert len(bundles) == 2
        for bundle in bundles:                                 # both, oldest first, byte for byte
            assert f"site-a/{bundle.name}" in keys
            body = s3_server.client().get_object(Bucket=bucket, Key=f"site-a/{bundle.name}")["Body"].read()
            assert hashlib.sha256(body).hexdigest() == hashlib.sha256(bundle.read_bytes()).hexdigest()
        for bundle in bundles:                                 # committed: deltas dropped from the records
            assert "delta" not in json.loads(bundle.with_name(bundle.name + ".state.json").read_bytes())
        host.assert_union_exact()
        host.assert_no_leftovers()
    finally:
        host.kill_all()


def test_snapshot_with_write_only_credentials_is_uploaded_once(s3_server, tmp_path: Path) -> None:
    """A drop bucket (PutObject only): the bundle is verified by the PUT reply's checksum and marked
    uploaded, so the next run does not send it again."""
    host = LiveHost(tmp_path)
    bucket = s3_server.create_bucket("drop")
    url = f"s3://{bucket}/site-w/"
    writer = {**s3_server.env(), "AWS_ACCESS_KEY_ID": s3_server.writer_key,
              "AWS_SECRET_ACCESS_KEY": s3_server.writer_secret, "GCOLLECT_ENDPOINT_URL": s3_server.endpoint_url,
              "GCOLLECT_PATH_STYLE": "1", "GCOLLECT_RETRIES": "0"}
    try:
        with _with_env(writer):
            code, first = host.snapshot("--upload", url, "--accept-findings")
        assert code in (0, 1), first
        bundle = Path(first["bundle"])
        assert first["uploaded"] == [bundle.name] and first["queued"] == 0 and not first["upload_error"], first
        assert "delta" not in json.loads(bundle.with_name(bundle.name + ".state.json").read_bytes())
        keys = {o["Key"] for o in s3_server.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
        assert keys == {f"site-w/{bundle.name}", f"site-w/{bundle.name}.sha256"}
        host.append(n=2)
        with _with_env(writer):
            code, second = host.snapshot("--upload", url, "--accept-findings")
        assert code in (0, 1), second
        assert bundle.name not in second["uploaded"] and second["queued"] == 0, second   # not sent again
    finally:
        host.kill_all()
