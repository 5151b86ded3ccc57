"""Ctrl-C and SIGTERM around the moment a bundle becomes complete.

A bundle is complete when ``NAME`` and its ``NAME.sha256`` are both in place. ``held_signals``
holds SIGINT and SIGTERM back while that happens (the rename and the sidecar), so an interrupt
never leaves a bundle without its checksum; ``after_bundle`` turns an interrupt that comes once
the bundle is complete into ``InterruptedAfterBundle``, whose line names the bundle instead of
saying "no bundle written".
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from collector.errors import Interrupted

_NAMES = {signal.SIGINT: "SIGINT"}
if hasattr(signal, "SIGTERM"):
    _NAMES[signal.SIGTERM] = "SIGTERM"


class InterruptedAfterBundle(Interrupted):
    """interrupted by {signal} after the bundle was complete: {bundle} (and its .sha256) is kept{rest}"""


class Held:
    """What ``held_signals`` caught: the name of the first signal, or None."""

    def __init__(self) -> None:
        self.signal: str | None = None


@contextmanager
def held_signals() -> Iterator[Held]:
    """SIGINT and SIGTERM recorded, not acted on, inside the block (main thread only; elsewhere
    signals are not delivered to the thread anyway). The caller decides what a caught one means."""
    held = Held()
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def record(signum, frame) -> None:
        if held.signal is None:
            held.signal = _NAMES.get(signum, "SIGTERM")

    previous = {signum: signal.signal(signum, record) for signum in _NAMES}
    try:
        yield held
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def signal_name(exc: BaseException) -> str:
    """The signal behind ``exc``: KeyboardInterrupt is Ctrl-C (SIGINT)."""
    return exc.fields.get("signal", "SIGTERM") if isinstance(exc, Interrupted) else "SIGINT"


def after_bundle(exc: BaseException | str, bundle: Path | str, rest: str = "") -> InterruptedAfterBundle:
    """The error for an interrupt (``exc``, or the signal's name) that came after ``bundle`` was
    complete; ``rest``: what was not done (", the summary was not printed")."""
    name = exc if isinstance(exc, str) else signal_name(exc)
    return InterruptedAfterBundle(signal=name, bundle=str(bundle), rest=rest)
