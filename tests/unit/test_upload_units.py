"""Unit tests for the upload helpers: rates, backoff, URLs, sidecars, resume records, error tables."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from collector.errors import (BadInput, RemoteDenied, RemoteFull, RemoteNotFound, UploadAuthError,
                              UploadChecksumError, UploadError, UploadNetworkError, VerifyFailed)
from collector.upload import UploadOptions, redact_url
from collector.upload.base import ResumeRecord, resume_path, verified_sha256
from collector.upload.progress import CountingReporter
from collector.upload.ratelimit import TokenBucket, parse_rate
from collector.upload.retry import Backoff, Failure
from collector.upload.s3codes import classify_s3_error
from collector.upload.urls import HttpTarget, S3Target, SftpTarget, parse_target
from tests.bundles import make_bundle_of_size


@pytest.mark.parametrize("text,value", [("500", 500), ("800K", 819200), ("5M", 5 * 1024**2), ("1.5g", 1536 * 1024**2),
                                        ("5MiB", 5 * 1024**2), ("2MB/s", 2 * 1024**2)])
def test_parse_rate(text: str, value: int) -> None:
    assert parse_rate(text) == value


@pytest.mark.parametrize("text", ["", "fast", "0", "-1M"])
def test_parse_rate_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(text)


def test_token_bucket_long_run_rate_is_exact() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    bucket = TokenBucket(1000, burst=100, clock=lambda: now[0], sleep=sleep)
    for _ in range(100):
        bucket.take(50)
    assert now[0] == pytest.approx((100 * 50 - 100) / 1000)


def test_backoff_retries_transient_then_raises_classified() -> None:
    calls: list[int] = []
    pauses: list[float] = []

    def fn() -> None:
        calls.append(1)
        raise ConnectionResetError()

    def classify(e: BaseException) -> Failure:
        return Failure(UploadNetworkError(target="t", problem="reset"), transient=True)

    b = Backoff(retries=3, base_delay=1, max_delay=3, rng=random.Random(1), sleep=pauses.append)
    with pytest.raises(UploadNetworkError):
        b.call(fn, classify)
    assert len(calls) == 4 and len(pauses) == 3
    assert all(0 <= p <= c for p, c in zip(pauses, (1, 2, 3)))


def test_backoff_does_not_retry_final_errors_and_passes_unknown() -> None:
    calls: list[int] = []

    def fn() -> None:
        calls.append(1)
        raise PermissionError()

    b = Backoff(retries=5, sleep=lambda s: None)
    with pytest.raises(RemoteDenied):
        b.call(fn, lambda e: Failure(RemoteDenied(target="t", problem="p"), False))
    assert len(calls) == 1
    with pytest.raises(PermissionError):
        b.call(fn, lambda e: None)


def test_backoff_success_after_retry() -> None:
    seq = iter([TimeoutError(), TimeoutError(), "ok"])

    def fn() -> str:
        v = next(seq)
        if isinstance(v, Exception):
            raise v
        return v

    b = Backoff(retries=2, sleep=lambda s: None)
    assert b.call(fn, lambda e: Failure(UploadNetworkError(target="t", problem="p"), True)) == "ok"


def test_parse_targets() -> None:
    assert parse_target("s3://b/p/q/", "x.tar") == S3Target("b", "p/q/x.tar")
    assert parse_target("s3://b", "x.tar") == S3Target("b", "x.tar")
    assert parse_target("s3://b/key.tar", "x.tar") == S3Target("b", "key.tar")
    t = parse_target("sftp://drop@h.example:2222/in/", "x.tar")
    assert t == SftpTarget("drop", "h.example", 2222, "/in/x.tar") and t.known_hosts_name == "[h.example]:2222"
    home = parse_target("sftp://h/~/in/", "x.tar")
    assert isinstance(home, SftpTarget) and home.path == "in/x.tar" and home.known_hosts_name == "h"
    assert home.display == "sftp://h:22/~/in/x.tar"
    assert isinstance(parse_target("https://h/b/k?X-Amz-Signature=abc", "x"), HttpTarget)
    with pytest.raises(BadInput):
        parse_target("sftp://u:secret@h/in/", "x")
    with pytest.raises(BadInput):
        parse_target("ftp://h/in/", "x")


def test_redact_url_drops_every_credential() -> None:
    shown = redact_url("https://user:pw@bucket.s3.amazonaws.com/k/x.tar?X-Amz-Signature=abc&X-Amz-Credential=AKIA")
    assert shown == "https://bucket.s3.amazonaws.com/k/x.tar"
    assert redact_url("sftp://drop:pw@h:2222/in/") == "sftp://drop@h:2222/in/"


def test_verified_sha256_is_the_verified_bundle_hash_or_refuses(tmp_path: Path) -> None:
    bundle = make_bundle_of_size(tmp_path, 50_000, "b.tar.zst")
    assert verified_sha256(bundle) == hashlib.sha256(bundle.read_bytes()).hexdigest()
    (tmp_path / "b.tar.zst.sha256").write_text("garbage\n")
    with pytest.raises(VerifyFailed) as err:
        verified_sha256(bundle)
    assert err.value.exit_code == 41 and "not uploaded" in str(err.value)
    (tmp_path / "b.tar.zst.sha256").unlink()
    with pytest.raises(VerifyFailed, match="b.tar.zst.sha256 missing"):
        verified_sha256(bundle)
    with pytest.raises(BadInput):
        verified_sha256(tmp_path / "missing")


def test_resume_record_is_atomic_json(tmp_path: Path) -> None:
    b = tmp_path / "b.tar"
    b.write_bytes(b"x")
    rec = ResumeRecord(b, {"upload_id": "u"})
    rec.update()
    rec.add_part(2, {"etag": "e"})
    assert json.loads(resume_path(b).read_text()) == {"upload_id": "u", "parts": {"2": {"etag": "e"}}}
    assert ResumeRecord.load(b) is not None and [p.name for p in tmp_path.iterdir()] == ["b.tar", "b.tar.upload.json"]
    rec.remove()
    assert ResumeRecord.load(b) is None


@pytest.mark.parametrize("code,status,cls,transient", [
    ("SignatureDoesNotMatch", 403, UploadAuthError, False),
    ("InvalidAccessKeyId", 403, UploadAuthError, False),
    ("AccessDenied", 403, RemoteDenied, False),
    ("NoSuchBucket", 404, RemoteNotFound, False),
    ("", 404, RemoteNotFound, False),
    ("QuotaExceeded", 403, RemoteFull, False),
    ("", 507, RemoteFull, False),
    ("BadDigest", 400, UploadChecksumError, True),
    ("SlowDown", 503, UploadNetworkError, True),
    ("InternalError", 500, UploadNetworkError, True),
    ("", 502, UploadNetworkError, True),
    ("InvalidArgument", 400, UploadError, False),
])
def test_s3_error_table(code: str, status: int, cls: type, transient: bool) -> None:
    f = classify_s3_error(code, status, "msg", "s3://b/k")
    assert type(f.error) is cls and f.transient is transient


def test_options_validate_and_hide_password() -> None:
    assert "hunter2" not in repr(UploadOptions(password="hunter2"))
    with pytest.raises(BadInput):
        UploadOptions(sse="rot13")
    with pytest.raises(BadInput):
        UploadOptions(part_size=1024)


def test_counting_reporter_takes_back() -> None:
    r = CountingReporter()
    r.start(100, 10)
    r.advance(50)
    r.advance(-20)
    assert (r.sent, r.taken_back, r.resumed) == (30, 20, 10)


@pytest.mark.parametrize("url", ["s3://Bad_Bucket!/p/", "s3://a b/p/", "s3://bucket:9000/p/", "s3://u@bucket/p/",
                                 "s3://" + "b" * 256 + "/p/"])
def test_a_bucket_name_no_request_could_carry_is_refused(url: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_target(url, "x.tar")
    assert "invalid bucket name" in str(err.value)


@pytest.mark.parametrize("bucket", ["cases", "my.bucket-01", "Legacy_Bucket", "a" * 63])
def test_bucket_names_s3_servers_take_are_kept(bucket: str) -> None:
    assert parse_target(f"s3://{bucket}/p/", "x.tar") == S3Target(bucket, "p/x.tar")


@pytest.mark.parametrize("endpoint", ["notaurl", "ftp://s3.example.com", "http://", "http://host:99999",
                                      "http://bad host", "127.0.0.1:8333"])
def test_an_endpoint_that_is_no_url_is_a_usage_error(endpoint: str) -> None:
    from collector.errors import ExitCode, UploadSettingError

    with pytest.raises(UploadSettingError) as err:
        UploadOptions(endpoint_url=endpoint)
    assert err.value.exit_code == ExitCode.USAGE and "--endpoint-url" in str(err.value)


@pytest.mark.parametrize("region", ["bad region!", "-eu", "eu-", "123", "x" * 64])
def test_a_region_no_client_accepts_is_a_usage_error(region: str) -> None:
    from collector.errors import ExitCode, UploadSettingError

    with pytest.raises(UploadSettingError) as err:
        UploadOptions(region=region)
    assert err.value.exit_code == ExitCode.USAGE and "--region" in str(err.value)


def test_good_endpoints_and_regions_pass() -> None:
    for endpoint in ("http://127.0.0.1:8333", "https://s3.eu-west-1.amazonaws.com", "http://[::1]:9000/"):
        UploadOptions(endpoint_url=endpoint, region="eu-west-1")
    UploadOptions(region="us-gov-west-1")


def test_s3_setup_mistakes_are_final_with_their_code() -> None:
    from botocore.exceptions import (ConfigParseError, EndpointConnectionError, ParamValidationError,
                                     PartialCredentialsError, ProfileNotFound)

    from collector.errors import ExitCode
    from collector.upload.s3 import classify

    for exc, code in ((ProfileNotFound(profile="p"), ExitCode.UPLOAD_AUTH),
                      (ConfigParseError(path="/x/config"), ExitCode.UPLOAD_AUTH),
                      (PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"), ExitCode.UPLOAD_AUTH),
                      (ParamValidationError(report="Invalid bucket name\n  \"B!\""), ExitCode.USAGE)):
        failure = classify(exc, "s3://b/k")
        assert failure is not None and not failure.transient and failure.error.exit_code == code, exc
        assert "\n" not in failure.error.message
    refused = classify(EndpointConnectionError(endpoint_url="http://h"), "s3://b/k")
    assert refused is not None and refused.transient and refused.error.exit_code == ExitCode.UPLOAD_NETWORK


def test_a_failed_name_lookup_is_told_apart_from_other_network_errors() -> None:
    import socket

    from collector.upload.s3codes import name_not_found

    def chained(inner: BaseException) -> BaseException:
        try:
            try:
                raise inner
            except OSError as e:
                raise ConnectionError("wrapped") from e
        except ConnectionError as outer:
            return outer

    assert name_not_found(chained(socket.gaierror(socket.EAI_NONAME, "Name or service not known")))
    assert not name_not_found(chained(socket.gaierror(socket.EAI_AGAIN, "Temporary failure")))
    assert not name_not_found(chained(ConnectionRefusedError()))
