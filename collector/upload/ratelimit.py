"""A token bucket shared by every connection of one upload (``--limit-rate``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """``take(n)`` blocks until ``n`` bytes may go out at ``rate`` bytes/s.

    Tokens may go negative (debt): a caller takes what it needs at once and sleeps off the debt,
    so large and small reads from many threads share the rate fairly and the long-run rate is
    exact. ``burst`` bounds how much unused allowance builds up while idle.
    """

    def __init__(self, rate: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(rate / 10, 16 * 1024))
        self._clock, self._sleep = clock, sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()

    def take(self, n: int) -> None:
        if n <= 0:
            return
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= n
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)


def parse_rate(text: str) -> int:
    """``500K``, ``5M``, ``1.5G`` (1024-based, like curl's --limit-rate) or plain bytes per second."""
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    s = text.strip().upper().removesuffix("/S").removesuffix("B").removesuffix("I")
    unit = s[-1] if s and s[-1] in "KMG" else ""
    number = s[: len(s) - len(unit)]
    try:
        value = float(number) * units[unit]
    except ValueError:
        raise ValueError(f"not a rate: {text!r} (examples: 800K, 5M, 1G)") from None
    if value < 1:
        raise ValueError(f"rate must be at least 1 byte/s: {text!r}")
    return int(value)
