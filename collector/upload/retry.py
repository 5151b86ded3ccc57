"""Retries with exponential backoff and full jitter, for transient errors only.

Each transport classifies its own exceptions into a final ``UploadError`` and says whether the
failure is worth another try (connection reset, timeout, 5xx, throttling). Anything else, and the
last transient failure once retries run out, is raised as the classified error.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from collector.errors import UploadError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    error: UploadError
    transient: bool


Classifier = Callable[[BaseException], Failure | None]   # None: not ours, re-raise as is


@dataclass
class Backoff:
    retries: int
    base_delay: float = 0.5
    max_delay: float = 20.0
    rng: random.Random | None = None
    sleep: Callable[[float], None] = time.sleep
    cancelled: threading.Event | None = None

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)] (attempt 0 = first retry)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        return (self.rng or random).uniform(0, ceiling)

    def call(self, fn: Callable[[], T], classify: Classifier, what: str = "request",
             on_retry: Callable[[Failure], None] | None = None) -> T:
        attempt = 0
        while True:
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 - classified below
                failure = classify(exc)
                if failure is None:
                    raise
                if not failure.transient or attempt >= self.retries or (self.cancelled and self.cancelled.is_set()):
                    raise failure.error from exc
                pause = self.delay(attempt)
                log.info("%s failed (%s); retry %d/%d in %.1fs", what, failure.error.message, attempt + 1,
                         self.retries, pause)
                if on_retry is not None:
                    on_retry(failure)
                self.sleep(pause)
                attempt += 1
