"""S3 error codes -> our error classes (shared by the boto3 path and the pre-signed PUT path)."""

from __future__ import annotations

import socket

from collector.errors import (RemoteDenied, RemoteFull, RemoteNotFound, UploadAuthError, UploadChecksumError,
                              UploadError, UploadNetworkError)
from collector.upload.retry import Failure

AUTH_CODES = frozenset({"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
                        "TokenRefreshRequired", "InvalidClientTokenId", "AuthorizationHeaderMalformed",
                        "AuthorizationQueryParametersError", "MissingSecurityHeader", "UnrecognizedClientException"})
DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "AccountProblem", "InvalidObjectState",
                          "MethodNotAllowed"})
NOT_FOUND_CODES = frozenset({"NoSuchBucket", "NoSuchUpload", "NoSuchKey", "404", "NotFound"})
FULL_CODES = frozenset({"QuotaExceeded", "XMinioStorageFull", "InsufficientStorage", "StorageFull",
                        "ServiceQuotaExceeded"})
DIGEST_CODES = frozenset({"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "InvalidChecksum"})
TRANSIENT_CODES = frozenset({"SlowDown", "Throttling", "ThrottlingException", "RequestThrottled",
                             "RequestLimitExceeded", "TooManyRequestsException", "RequestTimeout",
                             "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "OperationAborted",
                             "PriorRequestNotComplete", "503", "500", "502", "504"})


def classify_s3_error(code: str, status: int, message: str, target: str) -> Failure:
    problem = f"{code}: {message}" if message and message != code else (code or f"HTTP {status}")
    if code in AUTH_CODES:
        return Failure(UploadAuthError(target=target), transient=False)
    if code in NOT_FOUND_CODES or status == 404:
        return Failure(RemoteNotFound(target=target, problem=problem), transient=False)
    if code in FULL_CODES or status == 507:
        return Failure(RemoteFull(target=target, problem=problem), transient=False)
    if code in DENIED_CODES or status == 403:
        return Failure(RemoteDenied(target=target, problem=problem), transient=False)
    if code in DIGEST_CODES:                  # damaged on the way: sending again may well work
        return Failure(UploadChecksumError(target=target, problem=problem), transient=True)
    if code in TRANSIENT_CODES or status >= 500 or status == 429:
        return Failure(UploadNetworkError(target=target, problem=problem), transient=True)
    return Failure(UploadError(problem=f"{target}: {problem}"), transient=False)


def describe_network_error(exc: BaseException) -> str:
    """A short description without URLs (a pre-signed URL in a message would leak its signature)."""
    name = type(exc).__name__
    words = {
        "EndpointConnectionError": "connection refused or host unreachable",
        "ConnectTimeoutError": "connect timed out", "ReadTimeoutError": "read timed out",
        "ConnectionClosedError": "connection closed by the remote side",
        "ConnectionResetError": "connection reset", "BrokenPipeError": "connection broken",
        "ConnectionRefusedError": "connection refused", "TimeoutError": "timed out",
        "socket.timeout": "timed out", "RemoteDisconnected": "connection closed by the remote side",
        "ProxyConnectionError": "proxy unreachable", "SSLError": "TLS handshake failed",
    }
    return words.get(name, name)


def name_not_found(exc: BaseException) -> bool:
    """True when a name lookup somewhere in ``exc``'s chain found no such host (not a temporary
    DNS failure, which is worth another try)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return current.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))
        current = current.__cause__ or current.__context__
    return False
