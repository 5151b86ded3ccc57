"""Upload a finished bundle (and its ``NAME.sha256``) to S3, SFTP or a pre-signed HTTPS URL.

    from collector.upload import UploadOptions, upload
    receipt = upload(Path("site-20240305.tar.zst"), "s3://cases/12345/", UploadOptions(region="eu-west-1"))

The bundle is verified first, exactly as ``gcollect verify`` does (sidecar, manifest, every member's
SHA-256); one that does not verify, or has no ``NAME.sha256``, is refused before any byte is sent.

Errors are ``collector.errors`` classes with their exit codes: UploadAuthError, UploadNetworkError,
UploadChecksumError, HostKeyError, RemoteNotFound, RemoteDenied, RemoteFull (and BadInput /
VerifyFailed for a bad URL or a bundle that does not verify).
"""

from __future__ import annotations

from pathlib import Path

from collector.upload.base import UploadOptions, UploadReceipt, resume_path, verified_sha256
from collector.upload.progress import (CountingReporter, ProgressReporter, SilentReporter, TqdmReporter,
                                       reporter_for_terminal)
from collector.upload.urls import HttpTarget, S3Target, SftpTarget, parse_target, redact_url

__all__ = ["CountingReporter", "check_setup", "ProgressReporter", "SilentReporter", "TqdmReporter", "UploadOptions",
           "UploadReceipt", "abort_uploads", "redact_url", "reporter_for_terminal", "upload"]


def upload(bundle: Path, url: str, options: UploadOptions | None = None,
           reporter: ProgressReporter | None = None) -> UploadReceipt:
    """Verify ``bundle`` (as ``gcollect verify``), then send it to ``url``; resume an earlier
    interrupted upload of the same bundle."""
    options = options or UploadOptions()
    reporter = reporter or SilentReporter()
    bundle = Path(bundle)
    target = parse_target(url, bundle.name)
    client = check_setup(url, options, bundle.name)     # a settings mistake: before the bundle's check
    expected = verified_sha256(bundle)
    if isinstance(target, S3Target):
        from collector.upload.s3 import upload_s3

        return upload_s3(bundle, target, options, reporter, expected, client=client)
    if isinstance(target, SftpTarget):
        from collector.upload.sftp import upload_sftp

        return upload_sftp(bundle, target, options, reporter, expected)
    from collector.upload.presigned import upload_presigned

    return upload_presigned(bundle, target, options, reporter, expected)


def check_setup(url: str, options: UploadOptions, bundle_name: str = "gcollect-check.tar.gz") -> object | None:
    """Everything about ``url`` and ``options`` that can be checked before the upload: the URL
    (BadInput), and for S3 the client boto3 makes from the settings and the AWS configuration
    files (UploadSettingError, exit 2, or UploadConfigError, exit 50). Returns that S3 client.
    Nothing is sent to the target; but making the client resolves credentials, and on a host
    with none in the environment or files boto3 asks the instance-metadata service (about a
    second when there is none)."""
    target = parse_target(url, bundle_name)
    if isinstance(target, S3Target):
        from collector.upload.s3 import make_client

        return make_client(options)
    return None


def abort_uploads(url: str, options: UploadOptions | None = None, bundle: Path | None = None) -> int:
    """Give up unfinished uploads: S3 multipart uploads under the URL's prefix (all of them), or
    the bundle's ``NAME.part`` on an SFTP server; and the bundle's local resume file. Returns how
    many remote leftovers were removed."""
    options = options or UploadOptions()
    name = bundle.name if bundle is not None else ""
    target = parse_target(url, name)
    removed = 0
    if isinstance(target, S3Target):
        from collector.upload.s3 import abort_s3

        prefix = target.key[: len(target.key) - len(name)] if name and target.key.endswith(name) else target.key
        removed = abort_s3(target.bucket, prefix, options)
    elif isinstance(target, SftpTarget):
        if bundle is None:
            raise_bad("abort over SFTP needs the bundle, to know which NAME.part to remove")
        from collector.upload.sftp import abort_sftp

        removed = abort_sftp(name, target, options)
    elif isinstance(target, HttpTarget):
        pass                                   # a single PUT leaves nothing behind
    if bundle is not None:
        resume_path(bundle).unlink(missing_ok=True)
    return removed


def raise_bad(problem: str) -> None:
    from collector.errors import BadInput

    raise BadInput(what="--abort", problem=problem)
