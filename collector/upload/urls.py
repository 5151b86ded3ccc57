"""Upload targets parsed from a URL, and how to show them without credentials.

    s3://bucket/prefix/            -> object prefix/NAME (a key not ending in "/" is the full key)
    sftp://user@host[:port]/dir/   -> absolute /dir/NAME; sftp://host/~/dir/ is relative to the home
    https://host/path?X-Amz-...    -> a pre-signed PUT URL (http only for tests on loopback)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from collector.errors import BadInput


@dataclass(frozen=True)
class S3Target:
    bucket: str
    key: str                       # full object key of the bundle

    @property
    def display(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class SftpTarget:
    user: str | None
    host: str
    port: int
    path: str                      # remote path of the bundle ("~/" prefix = home-relative)

    @property
    def display(self) -> str:
        who = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"sftp://{who}{host}:{self.port}{'' if self.path.startswith('/') else '/~/'}{self.path}"

    @property
    def known_hosts_name(self) -> str:
        return self.host if self.port == 22 else f"[{self.host}]:{self.port}"


@dataclass(frozen=True)
class HttpTarget:
    url: str                       # full URL including the signature: a secret, never shown

    @property
    def display(self) -> str:
        return redact_url(self.url)


Target = S3Target | SftpTarget | HttpTarget


def redact_url(url: str) -> str:
    """scheme://host/path: no user info, password, query string or fragment."""
    try:
        p = urlsplit(url)
        host = p.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{p.port}" if p.port else ""
        user = f"{p.username}@" if p.username and p.scheme in ("s3", "sftp") else ""
        return f"{p.scheme}://{user}{host}{port}{p.path}"
    except ValueError:
        return "<unparsable url>"


# What botocore itself sends (anything else it refuses before the request, as ParamValidationError).
# AWS's own rule is stricter (3-63 lower-case letters, digits, '.', '-'), but older buckets and
# S3-compatible servers allow upper case and '_', so only what can never work is refused here.
_BUCKET = re.compile(r"[A-Za-z0-9._-]{1,255}")


def check_bucket_name(bucket: str) -> None:
    """BadInput naming the bucket when no S3 request could carry it."""
    if not _BUCKET.fullmatch(bucket):
        raise BadInput(what="upload URL", problem=f"invalid bucket name {bucket!r}: a bucket name has only letters, "
                                                  "digits, '.', '-' and '_' (AWS: 3-63 lower-case letters, digits, "
                                                  "'.' and '-')")


def _object_name(path: str, bundle_name: str) -> str:
    return path + bundle_name if path == "" or path.endswith("/") else path


def parse_target(url: str, bundle_name: str) -> Target:
    try:
        p = urlsplit(url)
        port = p.port
    except ValueError as e:
        raise BadInput(what="upload URL", problem=f"{redact_url(url)}: {e}") from None
    scheme = p.scheme.lower()
    if scheme == "s3":
        if not p.hostname:
            raise BadInput(what="upload URL", problem="s3://BUCKET/PREFIX/ needs a bucket")
        check_bucket_name(p.netloc)
        return S3Target(bucket=p.netloc, key=_object_name(unquote(p.path).lstrip("/"), bundle_name))
    if scheme == "sftp":
        if p.password is not None:
            raise BadInput(what="upload URL", problem="no password in the URL (it would show in the process "
                                                      "list); use GCOLLECT_SFTP_PASSWORD or --ask-password")
        if not p.hostname:
            raise BadInput(what="upload URL", problem="sftp://USER@HOST[:PORT]/PATH/ needs a host")
        path = unquote(p.path) or "/"
        if path.startswith("/~/") or path == "/~":
            path = path[3:]                       # relative to the login folder
        return SftpTarget(user=unquote(p.username) if p.username else None, host=p.hostname,
                          port=port or 22, path=_object_name(path, bundle_name))
    if scheme in ("https", "http"):
        if not p.hostname:
            raise BadInput(what="upload URL", problem=f"{redact_url(url)} has no host")
        return HttpTarget(url=url)
    raise BadInput(what="upload URL", problem=f"{redact_url(url)}: use s3://, sftp:// or a pre-signed https:// URL")
