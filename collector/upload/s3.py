"""Upload a bundle to S3 (or an S3-compatible server) with boto3; resumable across processes.

Below ``multipart_threshold``: one PUT. Above: multipart, parts read in order by the calling thread
(hashing the whole file on the way) and sent by a small thread pool, at most ``concurrency`` parts
in memory. Every part carries its SHA-256 (``ChecksumAlgorithm=SHA256``), which the server checks.
The UploadId and finished parts go to ``NAME.upload.json`` after each part, so a new process calls
``list_parts`` and sends only what is missing. At the end ``head_object`` must show our size, our
``x-amz-meta-sha256`` and the composite checksum we recompute from our own part hashes.

``NAME.sha256`` is sent first, before the single PUT or the multipart upload: the bundle's key only
appears (the PUT / CompleteMultipartUpload is atomic) once its sidecar is there, so a bucket never
holds a bundle without its ``.sha256``. An upload that fails may leave the small sidecar alone,
which the next run sends again; one whose bundle changed while it was read removes it.

Write-only credentials (PutObject only, the usual drop-bucket policy) cannot HEAD the object. Then
the PUT / CompleteMultipartUpload reply is the verification: the server computed the SHA-256 (of the
object, or the composite of the part checksums we sent) and echoes it; when it equals ours the
upload counts as verified and the receipt says how. A reply without a checksum is no verification:
that stays a "permission denied" error.

A multipart upload that will not be resumed is aborted, never left behind (its parts are stored and
billed but invisible to ordinary listing): the one recorded in ``NAME.upload.json`` when a new run
has another destination, part size or bundle content, or cannot list its parts; and ours when the
bundle turns out to have changed while it was read.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from collector.errors import (GcollectError, HostNotFound, RemoteDenied, RemoteNotFound, UploadAuthError,
                              UploadChecksumError, UploadConfigError, UploadError, UploadNetworkError,
                              UploadSettingError, VerifyFailed)
from collector.upload.base import (ENDPOINT_SETTING, REGION_SETTING, VERIFIED_BY_UPLOAD_REPLY, MiB, ResumeRecord,
                                   UploadOptions, UploadReceipt, bundle_identity, check_local_hash, sidecar_text)
from collector.upload.progress import ProgressReporter
from collector.upload.ratelimit import TokenBucket
from collector.upload.retry import Backoff, Failure
from collector.upload.s3codes import classify_s3_error, describe_network_error, name_not_found
from collector.upload.streams import MeteredReader, UploadCancelled
from collector.upload.urls import S3Target

log = logging.getLogger(__name__)
MAX_PARTS = 10_000


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def make_client(options: UploadOptions) -> Any:
    """A boto3 S3 client; sends nothing. A mistake in the settings or in the AWS configuration
    files (no such profile, a file that does not parse, half a key pair, a bad endpoint or region)
    is one UploadSettingError (exit 2) or UploadConfigError (exit 50) naming it."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    config = Config(
        s3={"addressing_style": "path" if options.path_style else "auto"},
        retries={"total_max_attempts": 1, "mode": "standard"},        # our own Backoff retries
        connect_timeout=options.timeout, read_timeout=options.timeout,
        max_pool_connections=options.concurrency + 2, signature_version="s3v4",
        request_checksum_calculation="when_required", response_checksum_validation="when_required")
    try:
        session = boto3.session.Session(profile_name=options.profile, region_name=options.region)
        client = session.client("s3", endpoint_url=options.endpoint_url, config=config)
    except (BotoCoreError, ValueError) as e:
        problem = setup_problem(e, options)
        if problem is None:
            raise
        raise problem from None
    events = client.meta.events
    events.register_first("request-created.s3", MeteredReader.pause_accounting, unique_id="gcollect-pause")
    events.register_last("request-created.s3", MeteredReader.resume_accounting, unique_id="gcollect-resume")
    return client


def _aws_files() -> str:
    config = os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    credentials = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    return f"{config} or {credentials}"


def setup_problem(exc: BaseException, options: UploadOptions) -> UploadError | None:
    """The one-line error for a mistake in the S3 settings or the AWS configuration (``exc`` from
    boto3 while it makes the client or signs a request); None when ``exc`` is no such mistake."""
    from botocore.exceptions import (ConfigNotFound, ConfigParseError, CredentialRetrievalError, InvalidConfigError,
                                     InvalidRegionError, NoRegionError, ParamValidationError, PartialCredentialsError,
                                     ProfileNotFound, UnknownCredentialError)

    kw = getattr(exc, "kwargs", {})
    if isinstance(exc, ProfileNotFound):
        given = "--aws-profile or GCOLLECT_AWS_PROFILE" if options.profile else "AWS_PROFILE"
        return UploadConfigError(problem=f"no such AWS profile: {kw.get('profile')!r} (from {given}); "
                                         f"profiles are read from {_aws_files()}")
    if isinstance(exc, ConfigParseError):
        return UploadConfigError(problem=f"cannot parse the AWS configuration file {kw.get('path')}; "
                                         "fix it, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere")
    if isinstance(exc, ConfigNotFound):
        return UploadConfigError(problem=f"no such AWS configuration file: {kw.get('path')}")
    if isinstance(exc, PartialCredentialsError):
        return UploadConfigError(problem=f"incomplete AWS credentials in {kw.get('provider')}: "
                                         f"{kw.get('cred_var')} is missing")
    if isinstance(exc, CredentialRetrievalError):
        return UploadConfigError(problem=f"cannot get AWS credentials from {kw.get('provider')}: "
                                         f"{kw.get('error_msg')}")
    if isinstance(exc, (InvalidConfigError, UnknownCredentialError)):
        return UploadConfigError(problem=f"AWS configuration: {exc}")
    if isinstance(exc, InvalidRegionError):
        return UploadSettingError(setting=REGION_SETTING, problem=f"{kw.get('region_name')!r} is not a region name")
    if isinstance(exc, NoRegionError):
        return UploadSettingError(setting=REGION_SETTING, problem="no AWS region is configured; give one")
    if isinstance(exc, ParamValidationError):
        report = " ".join(str(kw.get("report", exc)).split())
        return UploadSettingError(setting="S3 request", problem=report)
    if isinstance(exc, ValueError) and str(exc).startswith("Invalid endpoint"):
        return UploadSettingError(setting=ENDPOINT_SETTING, problem=f"{options.endpoint_url!r} is not a URL")
    return None


def classify(exc: BaseException, target: str, options: UploadOptions | None = None) -> Failure | None:
    from botocore.exceptions import (BotoCoreError, ClientError, ConnectionError, HTTPClientError,
                                     NoCredentialsError)

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return classify_s3_error(str(err.get("Code", "")), status, str(err.get("Message", "")), target)
    problem = setup_problem(exc, options or UploadOptions())
    if problem is not None:
        return Failure(problem, False)
    if isinstance(exc, NoCredentialsError):
        return Failure(UploadAuthError(f"no usable AWS credentials for {target}", target=target), False)
    if isinstance(exc, (ConnectionError, HTTPClientError, OSError)):
        if name_not_found(exc):
            host = urlsplit(options.endpoint_url).hostname if options and options.endpoint_url else "the S3 endpoint"
            return Failure(HostNotFound(target=target, host=host), False)
        return Failure(UploadNetworkError(target=target, problem=describe_network_error(exc)), True)
    if isinstance(exc, BotoCoreError):
        return Failure(UploadNetworkError(target=target, problem=type(exc).__name__), True)
    return None


class S3Upload:
    def __init__(self, bundle: Path, target: S3Target, options: UploadOptions, reporter: ProgressReporter,
                 expected_sha256: str, client: Any | None = None) -> None:
        self.bundle, self.target, self.options, self.reporter = bundle, target, options, reporter
        self.expected = expected_sha256
        self.client = client or make_client(options)
        self.size = bundle.stat().st_size
        self.cancelled = threading.Event()
        self.bucket = TokenBucket(options.limit_rate) if options.limit_rate else None
        self.backoff = Backoff(options.retries, options.retry_base_delay, options.retry_max_delay,
                               cancelled=self.cancelled)
        self.display = target.display

    def call(self, what: str, fn: Any, /, **kwargs: Any) -> Any:
        return self.backoff.call(lambda: fn(**kwargs), lambda e: classify(e, self.display, self.options), what)

    def extra_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"Metadata": {"sha256": self.expected}}
        if self.options.sse:
            args["ServerSideEncryption"] = self.options.sse
        if self.options.sse_kms_key_id:
            args["SSEKMSKeyId"] = self.options.sse_kms_key_id
        return args

    def send_body(self, what: str, data: bytes, fn: Any, **kwargs: Any) -> Any:
        """One PUT/UploadPart of ``data``, retried; a failed try takes its progress back."""
        def attempt() -> Any:
            body = MeteredReader(io.BytesIO(data), reporter=self.reporter, bucket=self.bucket,
                                 cancelled=self.cancelled)
            try:
                return fn(Body=body, ContentLength=len(data), **kwargs)
            except BaseException:
                body.take_back()
                raise

        return self.backoff.call(attempt, lambda e: classify(e, self.display, self.options), what)

    # ---------------------------------------------------------------- single PUT
    def put_single(self, started: float) -> UploadReceipt:
        data = self.bundle.read_bytes()
        digest = hashlib.sha256(data).digest()
        check_local_hash(self.bundle, self.expected, digest.hex())
        self.put_sidecar()                     # first: the bundle's key never appears without it
        self.reporter.start(self.size, 0)
        reply = self.send_body("PUT", data, fn=self.client.put_object, Bucket=self.target.bucket,
                               Key=self.target.key, ChecksumAlgorithm="SHA256", ChecksumSHA256=b64(digest),
                               **self.extra_args())
        checksum, verified_by = self.verify_remote(b64(digest), reply)
        return UploadReceipt(url=self.display, size=self.size, sha256=self.expected, parts=1,
                             seconds=time.monotonic() - started, resumed_bytes=0, target_checksum=checksum,
                             verified_by=verified_by)

    def put_sidecar(self) -> None:
        """``NAME.sha256``, sent before the bundle: a bundle object never appears without it (a failed
        upload may leave the small sidecar alone, which the next run replaces)."""
        text = sidecar_text(self.bundle, self.expected)
        self.call("PUT sidecar", self.client.put_object, Bucket=self.target.bucket, Key=self.target.key + ".sha256",
                  Body=text, ChecksumAlgorithm="SHA256", ChecksumSHA256=b64(hashlib.sha256(text).digest()),
                  **({"ServerSideEncryption": self.options.sse} if self.options.sse else {}),
                  **({"SSEKMSKeyId": self.options.sse_kms_key_id} if self.options.sse_kms_key_id else {}))

    def remove_sidecar(self) -> None:
        """Remove the ``NAME.sha256`` this run sent (best effort: one line when refused)."""
        try:
            self.call("DELETE sidecar", self.client.delete_object, Bucket=self.target.bucket,
                      Key=self.target.key + ".sha256")
        except GcollectError as e:
            log.warning("could not remove %s.sha256: %s", self.display, e.message)

    def verify_remote(self, expected_checksum: str, reply: dict[str, Any] | None) -> tuple[str | None, str]:
        """Check the stored object with HEAD; when these credentials may not read it, accept the
        checksum the upload's own ``reply`` confirmed (if it equals ours). Returns the remote
        checksum and how it was verified."""
        try:
            head = self.call("HEAD", self.client.head_object, Bucket=self.target.bucket, Key=self.target.key,
                             ChecksumMode="ENABLED")
        except RemoteDenied as e:
            return self.confirmed_by_reply(expected_checksum, reply or {}, e), VERIFIED_BY_UPLOAD_REPLY
        problems = []
        if int(head.get("ContentLength", -1)) != self.size:
            problems.append(f"size {head.get('ContentLength')} != {self.size}")
        meta = head.get("Metadata", {}).get("sha256")
        if meta is not None and meta != self.expected:
            problems.append(f"x-amz-meta-sha256 {meta[:16]}... != {self.expected[:16]}...")
        remote = head.get("ChecksumSHA256")
        if remote is not None and remote != expected_checksum:
            problems.append(f"checksum {remote} != {expected_checksum}")
        if problems:
            raise UploadChecksumError(target=self.display, problem="; ".join(problems))
        if remote is None:
            log.warning("%s returned no SHA-256 checksum; relying on the per-part checks", self.display)
        return (f"sha256:{remote}" if remote else None), "HEAD"

    def confirmed_by_reply(self, expected_checksum: str, reply: dict[str, Any], denied: RemoteDenied) -> str:
        confirmed = reply.get("ChecksumSHA256")
        if not confirmed:
            why = denied.fields.get("problem")
            raise RemoteDenied(target=self.display,
                               problem=f"uploaded, but these credentials cannot read it back ({why}) and the "
                                       "server's reply confirmed no checksum, so it is not verified; check it "
                                       "with credentials that may read it") from None
        # a multipart reply is the composite "BASE64-N"; some servers leave out the "-N"
        if confirmed != expected_checksum and confirmed.split("-")[0] != expected_checksum.split("-")[0]:
            raise UploadChecksumError(target=self.display,
                                      problem=f"server confirmed checksum {confirmed} != {expected_checksum}")
        return f"sha256:{confirmed}"

    # ---------------------------------------------------------------- multipart
    def part_size(self) -> int:
        needed = -(-self.size // MAX_PARTS)
        return max(self.options.part_size, -(-needed // MiB) * MiB)

    def identity(self, part_size: int | None) -> dict[str, Any]:
        return {"kind": "s3", "endpoint": self.options.endpoint_url, "bucket": self.target.bucket,
                "key": self.target.key, "part_size": part_size, **bundle_identity(self.bundle, self.expected)}

    def open_record(self, part_size: int) -> tuple[ResumeRecord, dict[int, dict[str, Any]]]:
        """Resume the recorded upload if it is ours and still exists; else abort it and start a new one."""
        identity = self.identity(part_size)
        old = ResumeRecord.load(self.bundle)
        if old is not None and old.data.get("kind") == "s3" and old.data.get("upload_id"):
            if {k: old.data.get(k) for k in identity} != identity:
                self.abort_recorded(old, changed_from(old.data, identity))
            else:
                try:
                    return old, self.list_parts(old.data["upload_id"])
                except RemoteNotFound as e:
                    if "NoSuchUpload" not in e.message:
                        raise
                    log.info("recorded upload is gone on the server; starting again")
                except RemoteDenied:
                    self.abort_recorded(old, "these credentials may not list the parts already sent, "
                                             "so it is sent again")
        created = self.call("CreateMultipartUpload", self.client.create_multipart_upload,
                            Bucket=self.target.bucket, Key=self.target.key, ChecksumAlgorithm="SHA256",
                            **self.extra_args())
        record = ResumeRecord(self.bundle, {**identity, "upload_id": created["UploadId"], "parts": {}})
        record.update()
        return record, {}

    def abort_recorded(self, old: ResumeRecord, why: str) -> None:
        """Abort the multipart upload ``old`` records (it will not be resumed), with one line saying so;
        when that is impossible, one line saying what stays on the server and how to remove it."""
        data = old.data
        shown = f"s3://{data.get('bucket')}/{data.get('key')}"
        folder = shown.rsplit("/", 1)[0] + "/"
        if data.get("endpoint") != self.options.endpoint_url:
            log.warning("an earlier unfinished upload of %s to %s at %s (upload id %s) stays on that server; "
                        "`gcollect upload %s --to %s --endpoint-url %s --abort` removes it", self.bundle.name,
                        shown, data.get("endpoint"), data.get("upload_id"), self.bundle, folder, data.get("endpoint"))
        elif self.abort_upload(str(data.get("bucket")), str(data.get("key")), str(data.get("upload_id")), folder):
            log.warning("aborted the earlier unfinished upload to %s (%s)", shown, why)
        old.remove()

    def abort_upload(self, bucket: str, key: str, upload_id: str, folder: str) -> bool:
        """Abort one multipart upload; False (after one line on what stays behind) when refused."""
        try:
            self.call("AbortMultipartUpload", self.client.abort_multipart_upload, Bucket=bucket, Key=key,
                      UploadId=upload_id)
        except RemoteNotFound:
            return True                                 # already gone: nothing stays behind
        except GcollectError as e:
            log.warning("could not abort the unfinished upload to s3://%s/%s (upload id %s): %s; its parts stay "
                        "on the server until `gcollect upload %s --to %s --abort` or a lifecycle rule removes "
                        "them", bucket, key, upload_id, e.message, self.bundle, folder)
            return False
        return True

    def list_parts(self, upload_id: str) -> dict[int, dict[str, Any]]:
        parts: dict[int, dict[str, Any]] = {}
        marker = 0
        while True:
            page = self.call("ListParts", self.client.list_parts, Bucket=self.target.bucket, Key=self.target.key,
                             UploadId=upload_id, PartNumberMarker=marker)
            for p in page.get("Parts", []):
                parts[int(p["PartNumber"])] = p
            if not page.get("IsTruncated"):
                return parts
            marker = int(page["NextPartNumberMarker"])

    def put_multipart(self, started: float) -> UploadReceipt:
        part_size = self.part_size()
        count = max(1, -(-self.size // part_size))
        self.put_sidecar()                     # first: CompleteMultipartUpload makes the bundle appear
        record, on_server = self.open_record(part_size)
        upload_id = record.data["upload_id"]
        recorded: dict[str, Any] = record.data.get("parts", {})
        digests: dict[int, bytes] = {}
        etags: dict[int, str] = {}
        resumed = sum(int(p["Size"]) for n, p in on_server.items() if str(n) in recorded)
        self.reporter.start(self.size, resumed)
        whole = hashlib.sha256()
        slots = threading.Semaphore(self.options.concurrency)
        futures: list[Future[None]] = []

        def send(n: int, data: bytes, digest: bytes) -> None:
            try:
                result = self.send_body(f"part {n}/{count}", data, fn=self.client.upload_part,
                                        Bucket=self.target.bucket, Key=self.target.key, UploadId=upload_id,
                                        PartNumber=n, ChecksumAlgorithm="SHA256", ChecksumSHA256=b64(digest))
                etags[n] = result["ETag"]
                record.add_part(n, {"etag": result["ETag"], "sha256": b64(digest), "size": len(data)})
            except BaseException:
                self.cancelled.set()
                raise
            finally:
                slots.release()

        pool = ThreadPoolExecutor(self.options.concurrency, thread_name_prefix="s3-part")
        try:
            with open(self.bundle, "rb") as f:
                for n in range(1, count + 1):
                    slots.acquire()
                    if self.cancelled.is_set():
                        slots.release()
                        break
                    data = f.read(part_size)
                    whole.update(data)
                    digest = hashlib.sha256(data).digest()
                    digests[n] = digest
                    if self.already_there(n, data, digest, on_server.get(n), recorded.get(str(n))):
                        etags[n] = on_server[n]["ETag"]
                        if str(n) not in recorded:     # found by its MD5 ETag: counts as resumed too
                            resumed += len(data)
                            self.reporter.advance(len(data))
                        slots.release()
                        continue
                    futures.append(pool.submit(send, n, data, digest))
            wait(futures)                       # the others stop at their next read once cancelled
            errors = [f.exception() for f in futures if f.exception() is not None]
            if errors:                          # the first real error, not the "cancelled" echoes
                raise next((e for e in errors if not isinstance(e, UploadCancelled)), errors[0])  # type: ignore[misc]
        except BaseException:
            self.cancelled.set()
            pool.shutdown(wait=True, cancel_futures=True)
            self.reporter.close()
            raise
        pool.shutdown(wait=True)
        try:
            check_local_hash(self.bundle, self.expected, whole.hexdigest())
        except VerifyFailed:                    # the bundle changed while it was read: its parts are useless
            folder = self.display.rsplit("/", 1)[0] + "/"
            self.abort_upload(self.target.bucket, self.target.key, upload_id, folder)
            record.remove()
            self.remove_sidecar()               # it names content that was not sent
            raise
        reply = self.complete(upload_id, count, digests, etags)
        composite = b64(hashlib.sha256(b"".join(digests[n] for n in range(1, count + 1))).digest()) + f"-{count}"
        checksum, verified_by = self.verify_remote(composite, reply)
        record.remove()
        return UploadReceipt(url=self.display, size=self.size, sha256=self.expected, parts=count,
                             seconds=time.monotonic() - started, resumed_bytes=resumed, target_checksum=checksum,
                             verified_by=verified_by)

    @staticmethod
    def already_there(n: int, data: bytes, digest: bytes, remote: dict[str, Any] | None,
                      recorded: dict[str, Any] | None) -> bool:
        if remote is None or int(remote.get("Size", -1)) != len(data):
            return False
        if recorded is not None:
            return bool(recorded.get("sha256") == b64(digest) and recorded.get("etag") == remote.get("ETag"))
        # finished on the server but not recorded (crash right after): its ETag is the part's MD5
        return bool(str(remote.get("ETag", "")).strip('"') == hashlib.md5(data, usedforsecurity=False).hexdigest())

    def complete(self, upload_id: str, count: int, digests: dict[int, bytes],
                 etags: dict[int, str]) -> dict[str, Any]:
        """CompleteMultipartUpload; returns its reply ({} when a retried Complete found it done)."""
        parts = [{"PartNumber": n, "ETag": etags[n], "ChecksumSHA256": b64(digests[n])} for n in range(1, count + 1)]
        reply: dict[str, Any] = {}
        try:
            reply = self.call("CompleteMultipartUpload", self.client.complete_multipart_upload,
                              Bucket=self.target.bucket, Key=self.target.key, UploadId=upload_id,
                              MultipartUpload={"Parts": parts})
        except RemoteNotFound as e:
            # a retried Complete whose first try went through finds no upload: the HEAD check decides
            if "NoSuchUpload" not in e.message:
                raise
        self.reporter.close()
        return reply


def changed_from(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Why a recorded upload is not resumed, in a few words."""
    if any(old.get(k) != new.get(k) for k in ("endpoint", "bucket", "key")):
        return "this run sends the bundle to another place"
    if any(old.get(k) != new.get(k) for k in ("bundle", "size", "mtime_ns", "sha256")):
        return "the bundle has changed since"
    if new.get("part_size") is None:
        return "this run sends the bundle in one PUT"
    return f"this run uses another part size ({new.get('part_size')} bytes, not {old.get('part_size')})"


def upload_s3(bundle: Path, target: S3Target, options: UploadOptions, reporter: ProgressReporter,
              expected_sha256: str, client: Any | None = None) -> UploadReceipt:
    started = time.monotonic()
    job = S3Upload(bundle, target, options, reporter, expected_sha256, client=client)
    try:
        if job.size < options.multipart_threshold:
            old = ResumeRecord.load(bundle)
            if old is not None and old.data.get("kind") == "s3" and old.data.get("upload_id"):
                job.abort_recorded(old, changed_from(old.data, job.identity(None)))
            return job.put_single(started)
        return job.put_multipart(started)
    except UploadCancelled:
        raise UploadNetworkError(target=target.display, problem="cancelled") from None
    finally:
        reporter.close()


def abort_s3(bucket: str, prefix: str, options: UploadOptions) -> int:
    """Abort every unfinished multipart upload under ``prefix``; returns how many."""
    client = make_client(options)
    target = f"s3://{bucket}/{prefix}"
    backoff = Backoff(options.retries, options.retry_base_delay, options.retry_max_delay)
    aborted = 0
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = backoff.call(lambda: client.list_multipart_uploads(**kwargs), lambda e: classify(e, target, options), "list")
        for up in page.get("Uploads", []):
            backoff.call(lambda up=up: client.abort_multipart_upload(Bucket=bucket, Key=up["Key"],
                                                                     UploadId=up["UploadId"]),
                         lambda e: classify(e, target, options), "abort")
            aborted += 1
        if not page.get("IsTruncated"):
            return aborted
        kwargs.update(KeyMarker=page.get("NextKeyMarker"), UploadIdMarker=page.get("NextUploadIdMarker"))
