"""Uploads to a real S3 server (SeaweedFS weed mini, authentication on), through a real cutting proxy."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from collector.errors import (ExitCode, GcollectError, RemoteDenied, RemoteNotFound, UploadAuthError,
                              UploadNetworkError, VerifyFailed)
from collector.upload import CountingReporter, UploadOptions, abort_uploads, upload
from collector.upload.base import resume_path
from tests.bundles import make_bundle_of_size
from tests.services import CuttingProxy, S3Server

pytestmark = pytest.mark.integration
MiB = 1024 * 1024
PART = 5 * MiB
REPO = Path(__file__).resolve().parents[2]

BundleFactory = Callable[..., Path]


@pytest.fixture
def make_bundle(tmp_path: Path) -> BundleFactory:
    def make(size: int, name: str = "site-20240305.tar.zst", sidecar: bool = True) -> Path:
        return make_bundle_of_size(tmp_path, size, name, sidecar=sidecar)
    return make


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    return s3_server.create_bucket(f"case-{secrets.token_hex(4)}")


@pytest.fixture
def aws_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in s3_server.env().items():
        monkeypatch.setenv(k, v)


def options(endpoint: str, **kw: object) -> UploadOptions:
    base: dict[str, object] = dict(endpoint_url=endpoint, region="us-east-1", path_style=True, part_size=PART,
                                   multipart_threshold=PART, retries=1, retry_base_delay=0.01)
    base.update(kw)
    return UploadOptions(**base)  # type: ignore[arg-type]


def remote_sha256(s3: S3Server, bucket: str, key: str) -> str:
    body = s3.client().get_object(Bucket=bucket, Key=key)["Body"]
    h = hashlib.sha256()
    for chunk in iter(lambda: body.read(MiB), b""):
        h.update(chunk)
    return h.hexdigest()


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def resume_in_new_process(bundle: Path, url: str, opts: UploadOptions, env: dict[str, str]) -> dict[str, object]:
    """The second run is a fresh interpreter: it can only know what NAME.upload.json says."""
    code = ("import json,sys; from pathlib import Path; from collector.upload import upload, UploadOptions;"
            "o=UploadOptions(**json.loads(sys.argv[3])); r=upload(Path(sys.argv[1]), sys.argv[2], o);"
            "print(json.dumps(r.to_json()))")
    fields = {k: getattr(opts, k) for k in ("endpoint_url", "region", "path_style", "part_size",
                                            "multipart_threshold", "concurrency", "retries")}
    out = subprocess.run([sys.executable, "-c", code, str(bundle), url, json.dumps(fields)], cwd=REPO,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- happy paths
def test_multipart_upload_verified_with_sidecar(s3_server: S3Server, bucket: str, aws_env: None,
                                                make_bundle: BundleFactory) -> None:
    bundle = make_bundle(30 * MiB)
    progress = CountingReporter()
    receipt = upload(bundle, f"s3://{bucket}/CS-1/", options(s3_server.endpoint_url, concurrency=3), progress)
    assert receipt.parts == 6 and receipt.size == bundle.stat().st_size and receipt.resumed_bytes == 0
    assert receipt.sha256 == sha_of(bundle) == remote_sha256(s3_server, bucket, f"CS-1/{bundle.name}")
    assert receipt.target_checksum and receipt.target_checksum.endswith("-6")
    head = s3_server.client().head_object(Bucket=bucket, Key=f"CS-1/{bundle.name}")
    assert head["Metadata"]["sha256"] == receipt.sha256
    side = s3_server.client().get_object(Bucket=bucket, Key=f"CS-1/{bundle.name}.sha256")["Body"].read()
    assert side == f"{receipt.sha256}  {bundle.name}\n".encode()
    assert progress.sent == bundle.stat().st_size and not resume_path(bundle).exists()


def test_single_put_with_sse(s3_server: S3Server, bucket: str, aws_env: None, make_bundle: BundleFactory) -> None:
    bundle = make_bundle(300_000)
    receipt = upload(bundle, f"s3://{bucket}/x/", options(s3_server.endpoint_url, sse="AES256"))
    assert receipt.parts == 1 and receipt.sha256 == sha_of(bundle)
    head = s3_server.client().head_object(Bucket=bucket, Key=f"x/{bundle.name}")
    assert head.get("ServerSideEncryption") == "AES256"


def test_limit_rate_caps_bandwidth(s3_server: S3Server, bucket: str, aws_env: None,
                                   make_bundle: BundleFactory) -> None:
    bundle = make_bundle(3 * MiB)
    started = time.monotonic()
    upload(bundle, f"s3://{bucket}/r/", options(s3_server.endpoint_url, limit_rate=2 * MiB))
    assert time.monotonic() - started >= 1.2          # 3 MiB at 2 MiB/s, minus a small burst


def test_presigned_put(s3_server: S3Server, bucket: str, make_bundle: BundleFactory) -> None:
    from botocore.config import Config

    bundle = make_bundle(12 * MiB)
    client = s3_server.client()
    client2 = __import__("boto3").client(
        "s3", endpoint_url=s3_server.endpoint_url, region_name="us-east-1", aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key, config=Config(signature_version="s3v4",
                                                                 s3={"addressing_style": "path"}))
    url = client2.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "pre/" + bundle.name},
                                         ExpiresIn=600)
    receipt = upload(bundle, url, UploadOptions(retries=0))
    assert "X-Amz" not in receipt.url and "?" not in receipt.url
    assert receipt.target_checksum and receipt.target_checksum.startswith("md5:")
    assert remote_sha256(s3_server, bucket, "pre/" + bundle.name) == sha_of(bundle)
    bad = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    with pytest.raises(UploadAuthError) as err:
        upload(bundle, bad, UploadOptions(retries=0))
    assert "Signature" not in str(err.value) and err.value.exit_code == ExitCode.UPLOAD_AUTH
    assert client.list_objects_v2(Bucket=bucket, Prefix="pre/")["KeyCount"] == 1


# ---------------------------------------------------------------- resume
def cut_then_resume(s3_server: S3Server, bucket: str, bundle: Path, concurrency: int, cut_after: int) -> None:
    size = bundle.stat().st_size
    url = f"s3://{bucket}/cut{concurrency}/"
    with CuttingProxy(s3_server.port, cut_after=cut_after) as proxy:
        opts = options(f"http://127.0.0.1:{proxy.port}", concurrency=concurrency)
        with pytest.raises(UploadNetworkError) as err:
            upload(bundle, url, opts)
        assert err.value.exit_code == ExitCode.UPLOAD_NETWORK
        assert resume_path(bundle).exists()
        arrived = proxy.bytes_up
        proxy.heal()
        proxy.reset_counters()
        receipt = resume_in_new_process(bundle, url, opts, s3_server.env())
        second = proxy.bytes_up
    resumed = int(receipt["resumed_bytes"])  # type: ignore[call-overload]
    overhead = 64 * 1024                     # HTTP requests and headers
    assert resumed >= cut_after - concurrency * PART - overhead
    assert second <= size - resumed + overhead + 1024 * int(receipt["parts"])  # type: ignore[call-overload]
    resent_of_arrived = arrived + second - size
    assert resent_of_arrived <= concurrency * PART + overhead, resent_of_arrived  # the parts in flight at the cut
    print(f"\nconcurrency {concurrency}: arrived {arrived}, resumed {resumed}, resent {resent_of_arrived} bytes")
    assert receipt["sha256"] == sha_of(bundle) == remote_sha256(s3_server, bucket, f"cut{concurrency}/{bundle.name}")
    assert not resume_path(bundle).exists()


def test_resume_after_network_cut_resends_at_most_one_part(s3_server: S3Server, bucket: str, aws_env: None,
                                                           make_bundle: BundleFactory) -> None:
    cut_then_resume(s3_server, bucket, make_bundle(30 * MiB), concurrency=1, cut_after=13 * MiB)


def test_resume_after_network_cut_with_parallel_parts(s3_server: S3Server, bucket: str, aws_env: None,
                                                      make_bundle: BundleFactory) -> None:
    cut_then_resume(s3_server, bucket, make_bundle(30 * MiB), concurrency=3, cut_after=17 * MiB)


@pytest.mark.slow
def test_resume_200mb(s3_server: S3Server, bucket: str, aws_env: None, make_bundle: BundleFactory) -> None:
    cut_then_resume(s3_server, bucket, make_bundle(200 * MiB), concurrency=1, cut_after=120 * MiB)


def test_resume_after_kill_9(s3_server: S3Server, bucket: str, aws_env: None, make_bundle: BundleFactory) -> None:
    bundle = make_bundle(30 * MiB)
    url = f"s3://{bucket}/crash/"
    code = ("import sys; from pathlib import Path; from collector.upload import upload, UploadOptions;"
            f"upload(Path(sys.argv[1]), sys.argv[2], UploadOptions(endpoint_url={s3_server.endpoint_url!r},"
            f"region='us-east-1', path_style=True, part_size={PART}, concurrency=1, limit_rate={8 * MiB}))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(bundle), url], cwd=REPO,
                            env={**os.environ, **s3_server.env()})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            record = json.loads(resume_path(bundle).read_text()) if resume_path(bundle).exists() else {}
            if len(record.get("parts", {})) >= 2:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    receipt = upload(bundle, url, options(s3_server.endpoint_url))
    assert receipt.resumed_bytes >= 2 * PART
    assert remote_sha256(s3_server, bucket, f"crash/{bundle.name}") == sha_of(bundle)


def test_abort_uploads_removes_remote_parts_and_resume_file(s3_server: S3Server, bucket: str, aws_env: None,
                                                            make_bundle: BundleFactory) -> None:
    bundle = make_bundle(12 * MiB)
    with CuttingProxy(s3_server.port, cut_after=7 * MiB) as proxy:
        with pytest.raises(UploadNetworkError):
            upload(bundle, f"s3://{bucket}/ab/", options(f"http://127.0.0.1:{proxy.port}", concurrency=1))
    client = s3_server.client()
    assert client.list_multipart_uploads(Bucket=bucket, Prefix="ab/").get("Uploads")
    assert abort_uploads(f"s3://{bucket}/ab/", options(s3_server.endpoint_url), bundle) == 1
    assert not client.list_multipart_uploads(Bucket=bucket, Prefix="ab/").get("Uploads")
    assert not resume_path(bundle).exists()


def interrupt_multipart(s3_server: S3Server, bundle: Path, url: str) -> None:
    """Leave an unfinished multipart upload of ``bundle`` at ``url`` (recorded in NAME.upload.json)."""
    with CuttingProxy(s3_server.port, cut_after=7 * MiB) as proxy:
        with pytest.raises(UploadNetworkError):
            upload(bundle, url, options(f"http://127.0.0.1:{proxy.port}", concurrency=1))
    record = json.loads(resume_path(bundle).read_text())      # as if the connection broke on the way
    resume_path(bundle).write_text(json.dumps({**record, "endpoint": s3_server.endpoint_url}))


def unfinished(s3: S3Server, bucket: str, prefix: str) -> list[str]:
    return [u["Key"] for u in s3.client().list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", [])]


@pytest.mark.parametrize("rerun", ["other part size", "corrected prefix", "one PUT"])
def test_an_upload_not_resumed_is_aborted_not_left_on_the_server(s3_server: S3Server, bucket: str, aws_env: None,
                                                                 make_bundle: BundleFactory, rerun: str,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    bundle = make_bundle(12 * MiB)
    interrupt_multipart(s3_server, bundle, f"s3://{bucket}/first/")
    assert unfinished(s3_server, bucket, "first/")
    url, kw = {"other part size": (f"s3://{bucket}/first/", {"part_size": 6 * MiB, "multipart_threshold": 6 * MiB}),
               "corrected prefix": (f"s3://{bucket}/fixed/", {}),
               "one PUT": (f"s3://{bucket}/first/", {"multipart_threshold": 16 * MiB})}[rerun]
    with caplog.at_level("WARNING", logger="collector.upload.s3"):
        receipt = upload(bundle, url, options(s3_server.endpoint_url, **kw))
    assert receipt.sha256 == sha_of(bundle) and receipt.resumed_bytes == 0
    assert not unfinished(s3_server, bucket, "")
    assert "aborted the earlier unfinished upload to s3://" in caplog.text, caplog.text
    assert not resume_path(bundle).exists()


def test_write_only_credentials_restart_an_upload_they_cannot_list(s3_server: S3Server, bucket: str,
                                                                   make_bundle: BundleFactory,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """ListParts is refused to PutObject-only credentials: the recorded upload is aborted and the
    bundle sent again, instead of failing with "permission denied" on every run."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.writer_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.writer_secret)
    bundle = make_bundle(12 * MiB)
    interrupt_multipart(s3_server, bundle, f"s3://{bucket}/wr/")
    receipt = upload(bundle, f"s3://{bucket}/wr/", options(s3_server.endpoint_url))
    assert receipt.verified_by == "upload reply checksum"
    assert remote_sha256(s3_server, bucket, f"wr/{bundle.name}") == sha_of(bundle)
    assert not unfinished(s3_server, bucket, "")


def test_bundle_changed_while_uploading_aborts_the_multipart_upload(s3_server: S3Server, bucket: str,
                                                                    aws_env: None, make_bundle: BundleFactory) -> None:
    bundle = make_bundle(12 * MiB)

    class FlipOnce(CountingReporter):
        def advance(self, n: int) -> None:
            super().advance(n)
            if self.sent > MiB and not getattr(self, "flipped", False):
                self.flipped = True
                with open(bundle, "r+b") as f:              # a byte in the last part, not read yet
                    f.seek(11 * MiB)
                    byte = f.read(1)
                    f.seek(11 * MiB)
                    f.write(bytes([byte[0] ^ 0xFF]))

    with pytest.raises(VerifyFailed) as err:
        upload(bundle, f"s3://{bucket}/chg/", options(s3_server.endpoint_url, concurrency=1), FlipOnce())
    assert "not uploaded" in str(err.value)
    assert not unfinished(s3_server, bucket, "")
    assert s3_server.client().list_objects_v2(Bucket=bucket, Prefix="chg/")["KeyCount"] == 0
    assert not resume_path(bundle).exists()


# ---------------------------------------------------------------- refusals, each with its own code
def test_wrong_secret_is_auth_error(s3_server: S3Server, bucket: str, make_bundle: BundleFactory,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-" + s3_server.secret_key)
    bundle = make_bundle(100_000)
    with pytest.raises(UploadAuthError) as err:
        upload(bundle, f"s3://{bucket}/a/", options(s3_server.endpoint_url))
    assert err.value.exit_code == ExitCode.UPLOAD_AUTH
    assert s3_server.secret_key not in str(err.value)


def test_missing_bucket(s3_server: S3Server, aws_env: None, make_bundle: BundleFactory) -> None:
    for size in (100_000, 6 * MiB):                          # single PUT and multipart
        with pytest.raises(RemoteNotFound) as err:
            upload(make_bundle(size, name=f"b{size}.tar.zst"), "s3://no-such-bucket-here/x/",
                   options(s3_server.endpoint_url))
        assert err.value.exit_code == ExitCode.UPLOAD_NOT_FOUND


def test_permission_denied(s3_server: S3Server, bucket: str, make_bundle: BundleFactory,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.reader_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.reader_secret)
    with pytest.raises(RemoteDenied) as err:
        upload(make_bundle(100_000), f"s3://{bucket}/d/", options(s3_server.endpoint_url))
    assert err.value.exit_code == ExitCode.UPLOAD_DENIED


@pytest.mark.parametrize("size", [300_000, 12 * MiB], ids=["single PUT", "multipart"])
def test_write_only_credentials_verified_by_the_upload_reply(s3_server: S3Server, bucket: str, size: int,
                                                             make_bundle: BundleFactory,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A drop bucket (PutObject only): HEAD is refused, but the PUT / CompleteMultipartUpload reply
    confirms our SHA-256 (or the composite of our parts): verified, sidecar sent, resume file gone."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.writer_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.writer_secret)
    bundle = make_bundle(size)
    with pytest.raises(Exception):                            # these credentials really cannot read
        s3_server.client(s3_server.writer_key, s3_server.writer_secret).head_object(Bucket=bucket, Key="nope")
    receipt = upload(bundle, f"s3://{bucket}/wo/", options(s3_server.endpoint_url))
    assert receipt.verified_by == "upload reply checksum"
    assert "cannot read it back" in receipt.verified_text()
    assert receipt.parts == (1 if size < PART else 3)
    assert remote_sha256(s3_server, bucket, f"wo/{bundle.name}") == sha_of(bundle)
    side = s3_server.client().get_object(Bucket=bucket, Key=f"wo/{bundle.name}.sha256")["Body"].read()
    assert side == f"{sha_of(bundle)}  {bundle.name}\n".encode()
    assert not resume_path(bundle).exists()


def test_write_only_cli_says_how_it_was_verified(s3_server: S3Server, bucket: str, tmp_path: Path) -> None:
    from tests.cli.conftest import run_gcollect

    bundle = make_bundle_of_size(tmp_path, 200_000, "site-20240305.tar.gz")
    env = {**s3_server.env(), "AWS_ACCESS_KEY_ID": s3_server.writer_key,
           "AWS_SECRET_ACCESS_KEY": s3_server.writer_secret}
    proc = run_gcollect("upload", str(bundle), "--to", f"s3://{bucket}/wocli/", "--endpoint-url",
                        s3_server.endpoint_url, "--region", "us-east-1", "--path-style", env=env)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.count("\n") == 1 and out.rstrip().endswith(
        "verified by the server's checksum; these credentials cannot read it back"), out


def test_write_only_without_a_confirmed_checksum_stays_denied(make_bundle: BundleFactory) -> None:
    """No checksum in the upload's reply: nothing was verified, so it stays "permission denied"."""
    from collector.upload.s3 import S3Upload
    from collector.upload.urls import parse_target

    bundle = make_bundle(1000)
    target = parse_target("s3://b/x/", bundle.name)
    job = S3Upload(bundle, target, options("http://127.0.0.1:9"), CountingReporter(),  # type: ignore[arg-type]
                   sha_of(bundle), client=object())
    denied = RemoteDenied(target="s3://b/x/", problem="403: Forbidden")
    with pytest.raises(RemoteDenied) as err:
        job.confirmed_by_reply("abc=", {}, denied)
    assert "not verified" in str(err.value) and err.value.exit_code == ExitCode.UPLOAD_DENIED
    with pytest.raises(GcollectError):
        job.confirmed_by_reply("abc=", {"ChecksumSHA256": "xyz="}, denied)
    assert job.confirmed_by_reply("abc=-3", {"ChecksumSHA256": "abc=-3"}, denied) == "sha256:abc=-3"


def test_unreachable_endpoint(aws_env: None, make_bundle: BundleFactory) -> None:
    from tests.services import free_port

    with pytest.raises(UploadNetworkError) as err:
        upload(make_bundle(100_000), "s3://b/x/", options(f"http://127.0.0.1:{free_port()}", timeout=2))
    assert err.value.exit_code == ExitCode.UPLOAD_NETWORK


def test_bundle_not_matching_sidecar_is_not_uploaded(s3_server: S3Server, bucket: str, aws_env: None,
                                                     make_bundle: BundleFactory) -> None:
    bundle = make_bundle(100_000)
    bundle.with_name(bundle.name + ".sha256").write_text(f"{'0' * 64}  {bundle.name}\n")
    with pytest.raises(VerifyFailed):
        upload(bundle, f"s3://{bucket}/v/", options(s3_server.endpoint_url))
    assert s3_server.client().list_objects_v2(Bucket=bucket, Prefix="v/")["KeyCount"] == 0


# ---------------------------------------------------------------- bundles that do not verify: nothing is sent
def damage(bundle: Path, how: str) -> None:
    """The probe's cases: a SIGKILLed NAME.partial renamed to the final name (with or without a
    sidecar recomputed to match), a member that differs from its manifest with a sidecar that
    matches the file, and a complete bundle whose sidecar is gone."""
    side = bundle.with_name(bundle.name + ".sha256")
    if how.startswith("truncated"):
        data = bundle.read_bytes()
        bundle.write_bytes(data[: len(data) * 2 // 3])
        if how == "truncated, sidecar recomputed":
            side.write_text(f"{sha_of(bundle)}  {bundle.name}\n")
        else:
            side.unlink()
    elif how == "sidecar missing":
        side.unlink()


DAMAGE = ["truncated, no sidecar", "truncated, sidecar recomputed", "member edited, sidecar recomputed",
          "sidecar missing"]


@pytest.mark.parametrize("how", DAMAGE)
def test_bundle_that_does_not_verify_is_refused_before_sending(s3_server: S3Server, bucket: str, aws_env: None,
                                                               tmp_path: Path, how: str) -> None:
    edited = "0" * 64 if how.startswith("member edited") else None
    bundle = make_bundle_of_size(tmp_path, 6 * MiB, manifest_sha256=edited)
    damage(bundle, how)
    with pytest.raises(VerifyFailed) as err:
        upload(bundle, f"s3://{bucket}/bad/", options(s3_server.endpoint_url))
    assert err.value.exit_code == ExitCode.VERIFY_FAILED and "not uploaded" in str(err.value)
    client = s3_server.client()
    assert client.list_objects_v2(Bucket=bucket, Prefix="bad/")["KeyCount"] == 0
    assert not client.list_multipart_uploads(Bucket=bucket, Prefix="bad/").get("Uploads")
    assert not resume_path(bundle).exists()


def test_cli_refuses_a_truncated_bundle_with_one_line_and_exit_41(s3_server: S3Server, bucket: str,
                                                                   tmp_path: Path) -> None:
    from tests.cli.conftest import run_gcollect

    bundle = make_bundle_of_size(tmp_path, 200_000, "site-20240305.tar.gz")
    damage(bundle, "truncated, sidecar recomputed")
    proc = run_gcollect("upload", str(bundle), "--to", f"s3://{bucket}/cli41/", "--endpoint-url",
                        s3_server.endpoint_url, "--region", "us-east-1", "--path-style", "--retries", "0",
                        env=s3_server.env())
    err = proc.stderr.decode()
    assert proc.returncode == ExitCode.VERIFY_FAILED, err
    assert err.count("\n") == 1 and "does not verify" in err and "truncated" in err, err
    assert s3_server.client().list_objects_v2(Bucket=bucket, Prefix="cli41/")["KeyCount"] == 0


def test_cli_json_and_exit_codes(s3_server: S3Server, bucket: str, aws_env: None, make_bundle: BundleFactory) -> None:
    import click
    from click.testing import CliRunner

    from collector.cli.upload_cmd import upload_command

    @click.group()
    def cli() -> None:
        pass

    cli.add_command(upload_command)
    bundle = make_bundle(200_000)
    env = {"GCOLLECT_ENDPOINT_URL": s3_server.endpoint_url, "GCOLLECT_REGION": "us-east-1",
           "GCOLLECT_PATH_STYLE": "1", "GCOLLECT_UPLOAD_URL": f"s3://{bucket}/cli/"}
    ok = CliRunner().invoke(cli, ["upload", str(bundle), "--json"], env=env)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["sha256"] == sha_of(bundle)
    env["GCOLLECT_UPLOAD_URL"] = "s3://missing-bucket-zz/cli/"
    bad = CliRunner().invoke(cli, ["upload", str(bundle), "--retries", "0"], env=env)
    assert isinstance(bad.exception, GcollectError)
    assert bad.exception.exit_code == ExitCode.UPLOAD_NOT_FOUND


def test_cli_on_a_terminal_says_it_verifies_before_the_progress_bar(s3_server: S3Server, bucket: str,
                                                                     tmp_path: Path) -> None:
    """On a terminal, verifying a large bundle takes seconds before the bar moves: one line says
    why. The error that follows stays one line; off a terminal (cron, --json) nothing is added."""
    import os
    import pty
    import subprocess
    import sys

    bundle = make_bundle_of_size(tmp_path, 200_000, "site-20240305.tar.gz")
    damage(bundle, "truncated, sidecar recomputed")
    primary, secondary = pty.openpty()
    env = {**os.environ, **s3_server.env()}
    env.pop("GCOLLECT_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "collector", "upload", str(bundle), "--to", f"s3://{bucket}/tty/",
                           "--endpoint-url", s3_server.endpoint_url, "--region", "us-east-1", "--path-style",
                           "--retries", "0"], stdout=subprocess.PIPE, stderr=secondary, env=env, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    os.close(secondary)
    err = b""
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:                      # EIO: the child closed the terminal
            break
        if not data:
            break
        err += data
    os.close(primary)
    text = err.decode().replace("\r\n", "\n")
    assert proc.returncode == ExitCode.VERIFY_FAILED, text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == f"verifying {bundle.name} before sending it ...", text
    assert len(lines) == 2 and "does not verify" in lines[1], text


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, ExitCode.SIGINT), (signal.SIGTERM, ExitCode.SIGTERM)],
                         ids=["SIGINT", "SIGTERM"])
def test_interrupted_upload_says_run_it_again_to_resume(s3_server: S3Server, bucket: str, tmp_path: Path,
                                                        sig: signal.Signals, code: ExitCode) -> None:
    """The bundle is intact and the upload resumable: not "no bundle written"."""
    bundle = make_bundle_of_size(tmp_path, 12 * MiB, "site-20240305.tar.gz")
    args = [sys.executable, "-m", "collector", "upload", str(bundle), "--to", f"s3://{bucket}/int/",
            "--endpoint-url", s3_server.endpoint_url, "--region", "us-east-1", "--path-style", "--part-size", "5",
            "--concurrency", "1", "--limit-rate", "4M"]
    env = {**os.environ, **s3_server.env()}
    env.pop("GCOLLECT_DEBUG", None)
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not json.loads(
                resume_path(bundle).read_text() if resume_path(bundle).exists() else "{}").get("parts"):
            time.sleep(0.05)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] == (f"gcollect: upload interrupted by {sig.name}; the bundle is intact; "
                                            "run the same command again to resume"), err
    assert "no bundle written" not in err
    again = subprocess.run(args[:-2], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "resumed after" in again.stdout, again.stderr


def test_cli_on_a_terminal_shows_the_upload_progress(s3_server: S3Server, bucket: str, tmp_path: Path) -> None:
    """A progress bar on stderr, also on a terminal that reports no size (`script` without a real
    terminal: tqdm's dynamic width would draw an empty line)."""
    import pty

    bundle = make_bundle_of_size(tmp_path, 600_000, "site-20240305.tar.gz")
    primary, secondary = pty.openpty()                        # a new pty reports 0 columns
    env = {**os.environ, **s3_server.env()}
    env.pop("GCOLLECT_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "collector", "upload", str(bundle), "--to", f"s3://{bucket}/bar/",
                           "--endpoint-url", s3_server.endpoint_url, "--region", "us-east-1", "--path-style",
                           "--limit-rate", "400K"], stdout=subprocess.PIPE, stderr=secondary, env=env,
                          timeout=120, cwd=REPO)
    os.close(secondary)
    err = b""
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:
            break
        if not data:
            break
        err += data
    os.close(primary)
    text = err.decode()
    assert proc.returncode == 0, text
    assert f"{bundle.name}: 100%" in text and "B/s" in text, text


@pytest.mark.parametrize("size", [100_000, 6 * MiB])                # single PUT and multipart
def test_the_sidecar_is_there_before_the_bundle_appears(s3_server: S3Server, bucket: str, aws_env: None,
                                                        make_bundle: BundleFactory, size: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The bucket never holds NAME without NAME.sha256: the sidecar goes first, the bundle's PUT or
    CompleteMultipartUpload (atomic) last."""
    from collector.upload.s3 import S3Upload

    bundle = make_bundle(size)
    keys_when_sidecar_sent: list[set[str]] = []
    put_sidecar = S3Upload.put_sidecar

    def watching(self: S3Upload) -> None:
        listed = s3_server.client().list_objects_v2(Bucket=bucket, Prefix="order/").get("Contents", [])
        keys_when_sidecar_sent.append({o["Key"] for o in listed})
        put_sidecar(self)

    monkeypatch.setattr(S3Upload, "put_sidecar", watching)
    upload(bundle, f"s3://{bucket}/order/", options(s3_server.endpoint_url))
    assert keys_when_sidecar_sent == [set()]
    listed = s3_server.client().list_objects_v2(Bucket=bucket, Prefix="order/")["Contents"]
    assert {o["Key"] for o in listed} == {f"order/{bundle.name}", f"order/{bundle.name}.sha256"}


def cli_upload(bundle: Path, *args: str, env: dict[str, str]) -> tuple[int, str]:
    from tests.cli.conftest import run_gcollect

    base = {"AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
            "GCOLLECT_RETRIES": "0"}
    proc = run_gcollect("upload", str(bundle), *args, env={**base, **env}, timeout=60)
    return proc.returncode, proc.stderr.decode()


def test_s3_setup_mistakes_are_one_line_with_their_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistake in the S3 settings or the AWS files: one line naming it, exit 2 (an option) or 50
    (the credentials and their files), never "internal error", and nothing sent (the endpoint is dead)."""
    from tests.services import free_port

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    bundle = make_bundle_of_size(tmp_path, 100_000, "site-20240305.tar.gz")
    dead = f"http://127.0.0.1:{free_port()}"
    garbled = tmp_path / "garbled"
    garbled.write_text("[default]\naws_access_key_id\n garbage[[[\n")
    keys = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-example"}
    cases = [
        (("--to", "s3://b/p/", "--endpoint-url", "notaurl"), keys, ExitCode.USAGE, "--endpoint-url"),
        (("--to", "s3://b/p/", "--endpoint-url", dead, "--region", "bad region!"), keys, ExitCode.USAGE, "--region"),
        (("--to", "s3://b/p/", "--endpoint-url", dead), {"AWS_SHARED_CREDENTIALS_FILE": str(garbled)},
         ExitCode.UPLOAD_AUTH, f"cannot parse the AWS configuration file {garbled}"),
        (("--to", "s3://b/p/", "--endpoint-url", dead, "--aws-profile", "x"), {"AWS_CONFIG_FILE": str(garbled)},
         ExitCode.UPLOAD_AUTH, f"cannot parse the AWS configuration file {garbled}"),
        (("--to", "s3://b/p/", "--endpoint-url", dead), {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"},
         ExitCode.UPLOAD_AUTH, "AWS_SECRET_ACCESS_KEY is missing"),
        (("--to", "s3://b/p/", "--endpoint-url", dead, "--aws-profile", "nosuchprofile"), {},
         ExitCode.UPLOAD_AUTH, "no such AWS profile: 'nosuchprofile'"),
        (("--to", "s3://Bad_Bucket!/p/", "--endpoint-url", dead, "--path-style"), keys, ExitCode.USAGE,
         "invalid bucket name 'Bad_Bucket!'"),
    ]
    for args, env, code, words in cases:
        got, err = cli_upload(bundle, *args, env=env)
        assert got == code, (args, env, err)
        assert words in err and "internal error" not in err and "Traceback" not in err, err
        assert "secret-example" not in err
        if code != ExitCode.USAGE or "Error:" not in err:             # click's usage lines aside: one line
            assert err.count("\n") == 1, err


def test_unknown_endpoint_host_is_named(aws_env: None, make_bundle: BundleFactory) -> None:
    with pytest.raises(UploadNetworkError) as err:
        upload(make_bundle(100_000), "s3://b/x/", options("http://no-such-host.invalid:8333", retries=3, timeout=5))
    assert str(err.value).endswith("host name not found: no-such-host.invalid")
