"""A readable body that meters what goes out: rate limit, progress, hashes, cancellation.

botocore reads a body once to sign it (over http) and again to send it; like s3transfer's
``ReadFileChunk`` we switch accounting off around signing (``request-created`` handlers in s3.py),
so progress and the rate limit only see bytes on the wire.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, BinaryIO, Protocol

from collector.upload.progress import ProgressReporter
from collector.upload.ratelimit import TokenBucket


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


class UploadCancelled(Exception):
    """Another part failed or the user pressed Ctrl-C: stop sending."""


class MeteredReader:
    def __init__(self, raw: BinaryIO, *, reporter: ProgressReporter, bucket: TokenBucket | None = None,
                 cancelled: threading.Event | None = None, hashers: Sequence[Hasher] = ()) -> None:
        self._raw = raw
        self._reporter = reporter
        self._bucket = bucket
        self._cancelled = cancelled
        self._hashers = hashers
        self.accounting = True
        self.reported = 0                  # bytes counted as progress (taken back on failure)

    def read(self, n: int = -1) -> bytes:
        if self._cancelled is not None and self._cancelled.is_set():
            raise UploadCancelled("upload cancelled")
        if self.accounting and self._bucket is not None and n and n > 0:
            self._bucket.take(n)
        data = self._raw.read(n)
        if self.accounting and data:
            for h in self._hashers:
                h.update(data)
            self.reported += len(data)
            self._reporter.advance(len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def take_back(self) -> None:
        """The request failed: its bytes did not count."""
        if self.reported:
            self._reporter.advance(-self.reported)
            self.reported = 0

    # botocore event handlers (registered first / last on request-created)
    @staticmethod
    def pause_accounting(request: Any, **_: Any) -> None:
        if isinstance(getattr(request, "body", None), MeteredReader):
            request.body.accounting = False

    @staticmethod
    def resume_accounting(request: Any, **_: Any) -> None:
        if isinstance(getattr(request, "body", None), MeteredReader):
            request.body.accounting = True
