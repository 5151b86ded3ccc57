"""Progress reporting: a tiny protocol with a tqdm bar for terminals and silence otherwise."""

from __future__ import annotations

import sys
from typing import Protocol


class Reporter(Protocol):
    def start(self, total: int, resumed: int = 0) -> None: ...
    def advance(self, n: int) -> None: ...
    def note(self, text: str) -> None: ...
    def close(self) -> None: ...


class SilentReporter:
    def start(self, total: int, resumed: int = 0) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


class TqdmReporter:
    """Bytes, rate and ETA on stderr."""

    def __init__(self, description: str = "collect") -> None:
        self._description = description
        self._bar = None

    def start(self, total: int, resumed: int = 0) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, initial=resumed, unit="B", unit_scale=True,
                         unit_divisor=1024, desc=self._description, file=sys.stderr, leave=False)

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def note(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def reporter_for(stream=None, *, quiet: bool = False, description: str = "collect") -> Reporter:
    stream = stream or sys.stderr
    if quiet or not getattr(stream, "isatty", lambda: False)():
        return SilentReporter()
    return TqdmReporter(description)
