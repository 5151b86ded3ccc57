"""Shared pieces of every upload: options, receipt, the bundle's expected hash, resume records.

One config object (``UploadOptions``) holds every tunable with its default, after s3transfer's
``TransferConfig``. Secrets (``password``) are excluded from ``repr`` so they cannot leak into
logs or tracebacks.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from collector.errors import BadInput, UploadSettingError, VerifyFailed
from collector.model import VerifyReport

MiB = 1024 * 1024
HASH_CHUNK = 4 * MiB


@dataclass(frozen=True)
class UploadOptions:
    """How to upload. Every field has a working default; the CLI fills them from flags and env."""

    # S3
    endpoint_url: str | None = None          # e.g. http://127.0.0.1:8333 for S3-compatible servers
    region: str | None = None                # AWS region; boto3's own chain when None
    profile: str | None = None               # AWS profile name (~/.aws/config)
    path_style: bool = False                 # path-style addressing (most S3-compatible servers)
    sse: str | None = None                   # "AES256" | "aws:kms" | None
    sse_kms_key_id: str | None = None        # KMS key for sse="aws:kms"
    multipart_threshold: int = 16 * MiB      # single PUT below this size
    part_size: int = 16 * MiB                # multipart part size (raised to stay <= 10000 parts)
    concurrency: int = 4                     # parts in flight at once
    # SFTP
    known_hosts: Path | None = None          # default ~/.ssh/known_hosts
    accept_new_host_key: bool = False        # record an UNKNOWN host key (a changed one is always refused)
    identity: Path | None = None             # private key file; else ssh-agent and ~/.ssh/id_*
    password: str | None = field(default=None, repr=False)  # never from the command line
    # all
    limit_rate: int | None = None            # bytes per second for the whole upload, all parts together
    retries: int = 5                         # retries per request after a transient error
    retry_base_delay: float = 0.5            # first backoff in seconds (doubles, full jitter)
    retry_max_delay: float = 20.0            # cap on one backoff
    timeout: float = 60.0                    # connect / read timeout in seconds

    def __post_init__(self) -> None:
        if self.sse not in (None, "AES256", "aws:kms"):
            raise BadInput(what="sse", problem=f"must be AES256 or aws:kms, not {self.sse!r}")
        if self.part_size < 5 * MiB:
            raise BadInput(what="part_size", problem="S3 parts must be at least 5 MiB")
        if self.concurrency < 1 or self.retries < 0:
            raise BadInput(what="concurrency/retries", problem="concurrency >= 1 and retries >= 0")
        if self.limit_rate is not None and self.limit_rate <= 0:
            raise BadInput(what="limit_rate", problem="must be a positive number of bytes per second")
        check_endpoint_url(self.endpoint_url)
        check_region(self.region)

    def known_hosts_path(self) -> Path:
        return self.known_hosts or Path.home() / ".ssh" / "known_hosts"


ENDPOINT_SETTING = "--endpoint-url (GCOLLECT_ENDPOINT_URL)"
REGION_SETTING = "--region (GCOLLECT_REGION)"
# botocore's rule for a region (a DNS label, not all digits); it raises InvalidRegionError otherwise
_REGION = re.compile(r"(?![0-9]+$)(?!-)[a-zA-Z0-9-]{0,63}(?<!-)")


def check_endpoint_url(url: str | None) -> None:
    """UploadSettingError (exit 2) unless ``url`` is None or an http(s):// URL with a host, as boto3
    needs it (it raises a bare ValueError for "notaurl", and takes ftp:// only to fail later)."""
    if url is None:
        return
    from collector.upload.urls import redact_url

    problem = f"{redact_url(url) if '://' in url else repr(url)} is not an http:// or https:// URL with a host " \
              "(e.g. https://s3.example.com or http://127.0.0.1:8333)"
    if any(c in url for c in "\t\r\n ") or "://" not in url:
        raise UploadSettingError(setting=ENDPOINT_SETTING, problem=problem)
    try:
        parts = urlsplit(url)
        parts.port                                         # noqa: B018 - raises for a bad port
    except ValueError as e:
        raise UploadSettingError(setting=ENDPOINT_SETTING, problem=f"{redact_url(url)}: {e}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UploadSettingError(setting=ENDPOINT_SETTING, problem=problem)


def check_region(region: str | None) -> None:
    """UploadSettingError (exit 2) for a region name no AWS client accepts (e.g. "bad region!")."""
    if region is not None and not _REGION.fullmatch(region):
        raise UploadSettingError(setting=REGION_SETTING, problem=f"{region!r} is not a region name (letters, "
                                                                  "digits and '-', e.g. eu-west-1)")


@dataclass(frozen=True)
class UploadReceipt:
    """What arrived where. ``url`` never carries credentials or signatures."""

    url: str
    size: int
    sha256: str                              # hex SHA-256 of the bundle (what the remote holds)
    parts: int                               # S3 parts (1 for a single PUT); SFTP/HTTP: 1
    seconds: float
    resumed_bytes: int                       # bytes already on the remote from an earlier attempt
    target_checksum: str | None              # what the remote reported, e.g. "sha256:..." or "s3-composite:...-N"
    verified_by: str = "read back"           # how the remote copy was checked (see VERIFIED_BY_UPLOAD_REPLY)

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "size": self.size, "sha256": self.sha256, "parts": self.parts,
                "seconds": round(self.seconds, 3), "resumed_bytes": self.resumed_bytes,
                "target_checksum": self.target_checksum, "verified_by": self.verified_by}

    def verified_text(self) -> str:
        """How the success line ends: "verified", or how it was verified when it was not read back."""
        if self.verified_by == VERIFIED_BY_UPLOAD_REPLY:
            return "verified by the server's checksum; these credentials cannot read it back"
        if self.verified_by == NOT_VERIFIED:
            return "sent, but NOT verified: the server's reply carried no checksum to compare"
        return "verified"


# Write-only credentials (PutObject without GetObject, the usual drop-bucket policy): the PUT /
# CompleteMultipartUpload reply confirmed the SHA-256 we sent, but HEAD is refused.
VERIFIED_BY_UPLOAD_REPLY = "upload reply checksum"
NOT_VERIFIED = "not verified"               # a pre-signed PUT whose ETag is not an MD5 (SSE-KMS)


def sidecar_path(bundle: Path) -> Path:
    return bundle.with_name(bundle.name + ".sha256")


def resume_path(bundle: Path) -> Path:
    return bundle.with_name(bundle.name + ".upload.json")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sidecar_text(bundle: Path, sha256: str) -> bytes:
    return f"{sha256}  {bundle.name}\n".encode()


def verified_sha256(bundle: Path) -> str:
    """The bundle's SHA-256 once it has passed the full check of ``gcollect verify`` (its
    ``NAME.sha256`` sidecar, manifest.json, SHA256SUMS and every member's SHA-256), in one
    streaming pass. The uploaders hash what they send and compare it with this digest, so a file
    that changes after this check is not uploaded either.

    Raises VerifyFailed (exit 41) naming the first problem; nothing has been sent yet."""
    from collector.verify import verify_bundle

    from collector.bundlereader import not_a_bundle_file

    problem = not_a_bundle_file(bundle, "upload")
    if problem is not None:
        raise BadInput(what=str(bundle), problem=problem)
    report = verify_bundle(bundle)
    if not report.ok or report.sha256 is None:
        raise VerifyFailed(path=str(bundle), problem=f"does not verify: {_first_problem(report)}; not uploaded")
    return report.sha256


def _first_problem(report: VerifyReport) -> str:
    if not report.problems:
        return "unreadable"
    first = report.problems[0]
    text = f"{first.member}: {first.problem}" if first.member else first.problem
    more = len(report.problems) - 1
    return text + (f" (and {more} more; `gcollect verify` lists each)" if more else "")


def check_local_hash(bundle: Path, expected: str, actual: str) -> None:
    if actual != expected:
        raise VerifyFailed(path=str(bundle), problem=f"content SHA-256 {actual[:16]}... differs from its "
                                                     f".sha256 sidecar {expected[:16]}...; not uploaded")


class ResumeRecord:
    """``NAME.upload.json`` next to the bundle: what a later process needs to resume.

    Written atomically (temp file in the same folder, fsync, rename) after every change, so a
    crash leaves either the old or the new record. Thread-safe: parts finish on worker threads.
    """

    def __init__(self, bundle: Path, data: dict[str, Any]) -> None:
        self.path = resume_path(bundle)
        self.data = data
        self._lock = threading.Lock()

    @classmethod
    def load(cls, bundle: Path) -> "ResumeRecord | None":
        path = resume_path(bundle)
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return cls(bundle, data) if isinstance(data, dict) else None

    def update(self, **changes: Any) -> None:
        with self._lock:
            self.data.update(changes)
            self._write()

    def add_part(self, number: int, info: dict[str, Any]) -> None:
        with self._lock:
            self.data.setdefault("parts", {})[str(number)] = info
            self._write()

    def _write(self) -> None:
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(self.data, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def bundle_identity(bundle: Path, sha256: str) -> dict[str, Any]:
    st = bundle.stat()
    return {"bundle": bundle.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}
