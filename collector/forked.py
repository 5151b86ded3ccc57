"""Work done in a forked child process, so that the memory it takes goes when it ends.

A process that compiles and drops hundreds of patterns keeps the freed heap in its RSS
(fragments that ``malloc_trim`` does not give back), and so does every worker forked from it.
The main process's first-run rule-set checks (``pipeline``) and a worker's Hyperscan compile
(``redaction.hsmatch``) run in a child for that reason.

``start(work)`` forks and returns the child's pid; the child runs ``work`` and ends with
``os._exit`` (never back into the caller's code). ``wait(pid)`` reaps it; interrupted (a
signal, Ctrl-C), it ends the child first: a child is never left running on after its caller.
``output(work)`` runs ``work`` in a child and reads the bytes it returns through a pipe.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable


def start(work: Callable[[], object]) -> int:
    """Fork a child that runs ``work`` (exit 0, or 1 if it raised); its pid. OSError (EAGAIN,
    ENOMEM) if the system refuses a process."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:                                   # the child: never back into the caller's code
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return pid


def wait(pid: int) -> int | None:
    """Reap a child of ``start``: its wait status, None if it was reaped already. Interrupted
    (a signal, Ctrl-C): the child is ended (``end``) and the interruption goes on up."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:                      # reaped already: its pid may be another's now
        return None
    except BaseException:
        end(pid)
        raise


def end(pid: int) -> None:
    """End a child of ``start`` now and reap it. SIGKILL: a SIGTERM that reaches a fresh child
    before Python has set up its signal handling after the fork is dropped (such a child ran on
    for 60 s in a test). A child's output is written atomically or read through a pipe, so
    nothing half-done stays behind."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def output(work: Callable[[], bytes]) -> bytes | None:
    """The bytes ``work()`` returns, computed in a child and read back through a pipe; None if
    the system refuses a pipe or a process, or the child fails."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None

    def child() -> None:
        os.close(read_end)
        data = work()
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(len(data).to_bytes(8, "big") + data)

    try:
        pid = start(child)
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            received = pipe.read()
    except BaseException:
        end(pid)
        raise
    status = wait(pid)
    if status != 0 or len(received) < 8 or int.from_bytes(received[:8], "big") != len(received) - 8:
        return None
    return received[8:]
