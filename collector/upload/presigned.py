"""PUT a bundle to a pre-signed URL (no AWS credentials here): streamed, rate limited, retried.

The URL's query string is the credential: it never appears in messages or the receipt. We send
``Expect: 100-continue`` so a refusal (expired, wrong signature) comes back before the body is
sent. Afterwards the ETag of a single PUT is the MD5 of the body (not under SSE-KMS), so we check
it against the MD5 computed while sending. A single PUT cannot resume: a retry sends it all again.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import select
import socket
import ssl
import time
from pathlib import Path
from urllib.parse import urlsplit

from collector.errors import UploadChecksumError, UploadNetworkError
from collector.upload.base import NOT_VERIFIED, UploadOptions, UploadReceipt, check_local_hash
from collector.upload.progress import ProgressReporter
from collector.upload.ratelimit import TokenBucket
from collector.upload.retry import Backoff, Failure
from collector.upload.s3codes import classify_s3_error, describe_network_error
from collector.upload.streams import MeteredReader
from collector.upload.urls import HttpTarget

BLOCK = 256 * 1024
_CODE = re.compile(rb"<Code>([^<]{1,100})</Code>")
_MESSAGE = re.compile(rb"<Message>([^<]{1,300})</Message>")


class HttpStatusError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}")
        self.status, self.code, self.message = status, code, message


def _connection(target: HttpTarget, timeout: float) -> http.client.HTTPConnection:
    p = urlsplit(target.url)
    if p.scheme == "https":
        return http.client.HTTPSConnection(p.hostname or "", p.port, timeout=timeout,
                                           context=ssl.create_default_context(), blocksize=BLOCK)
    return http.client.HTTPConnection(p.hostname or "", p.port, timeout=timeout, blocksize=BLOCK)


def _read_head(sock: socket.socket) -> tuple[int, dict[str, str]]:
    buf = b""
    while not buf.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        if not byte:
            raise ConnectionResetError("connection closed")
        buf += byte
        if len(buf) > 64 * 1024:
            raise http.client.HTTPException("response head too long")
    lines = buf.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
    return status, headers


def _await_continue(conn: http.client.HTTPConnection, wait_s: float) -> None:
    """Wait briefly for "100 Continue". A final answer instead (a refusal) is raised at once."""
    sock = conn.sock
    if sock is None or not select.select([sock], [], [], wait_s)[0]:
        return                                        # no interim answer: servers without 100-continue
    status, headers = _read_head(sock)
    if status == 100:
        return
    length = min(int(headers.get("content-length", "0") or 0), 64 * 1024)
    body = b""
    while len(body) < length and (more := sock.recv(length - len(body))):
        body += more
    raise _status_error(status, body)


def _status_error(status: int, answer: bytes) -> HttpStatusError:
    code = _CODE.search(answer)
    message = _MESSAGE.search(answer)
    return HttpStatusError(status, code.group(1).decode(errors="replace") if code else "",
                           message.group(1).decode(errors="replace") if message else "")


def upload_presigned(bundle: Path, target: HttpTarget, options: UploadOptions, reporter: ProgressReporter,
                     expected_sha256: str) -> UploadReceipt:
    started = time.monotonic()
    size = bundle.stat().st_size
    bucket = TokenBucket(options.limit_rate) if options.limit_rate else None
    path = urlsplit(target.url)._replace(scheme="", netloc="", fragment="").geturl() or "/"
    shown = target.display

    def classify(exc: BaseException) -> Failure | None:
        if isinstance(exc, HttpStatusError):
            return classify_s3_error(exc.code, exc.status, exc.message, shown)
        if isinstance(exc, (OSError, http.client.HTTPException)):
            return Failure(UploadNetworkError(target=shown, problem=describe_network_error(exc)), True)
        return None

    def attempt() -> tuple[str, str, str]:
        md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
        conn = _connection(target, options.timeout)
        with open(bundle, "rb") as f:
            body = MeteredReader(f, reporter=reporter, bucket=bucket, hashers=(md5, sha))
            try:
                conn.putrequest("PUT", path, skip_accept_encoding=True)
                conn.putheader("Content-Length", str(size))
                conn.putheader("Expect", "100-continue")
                conn.endheaders()
                _await_continue(conn, min(options.timeout, 3.0))
                while chunk := body.read(BLOCK):
                    conn.send(chunk)
                response = conn.getresponse()
                answer = response.read(64 * 1024)
                if response.status >= 300:
                    raise _status_error(response.status, answer)
                etag = (response.getheader("ETag") or "").strip('"')
            except BaseException:
                body.take_back()
                raise
            finally:
                conn.close()
        return etag, md5.hexdigest(), sha.hexdigest()

    reporter.start(size, 0)
    try:
        etag, md5_hex, sha_hex = Backoff(options.retries, options.retry_base_delay, options.retry_max_delay).call(
            attempt, classify, "PUT")
    finally:
        reporter.close()
    check_local_hash(bundle, expected_sha256, sha_hex)
    checksum, verified_by = None, NOT_VERIFIED
    if re.fullmatch(r"[0-9a-f]{32}", etag):
        if etag != md5_hex:
            raise UploadChecksumError(target=shown, problem=f"ETag {etag} is not the MD5 of what we sent")
        checksum, verified_by = f"md5:{etag}", "reply ETag (MD5)"
    return UploadReceipt(url=shown, size=size, sha256=expected_sha256, parts=1, seconds=time.monotonic() - started,
                         resumed_bytes=0, target_checksum=checksum, verified_by=verified_by)
