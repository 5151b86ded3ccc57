"""Which rules' scans match a line that holds random-looking text, with Hyperscan.

The redactor asks an ``re2.Set`` of every rule's scan which rules to try on a candidate line
(``compiled.py``). RE2 builds its DFA states lazily, one per new combination of the scans'
partial matches. Ordinary log text soon reuses them (1-4 us a line), but random text (a JWT, a
session token, a base64 attachment in a web service's DEBUG line) makes new states at nearly
every byte, each costing microseconds to build: 100 us for a line with a 24-character base64
token, 1.4 ms for a line with a 1 KB one, half a second for a 100 KB data URI. A web service log
with a bearer token on every tenth line went through the redactor at 0.5 MB/s.

Hyperscan compiles the same scans ahead of time into automata that handle counted repeats
(``[A-Za-z0-9+/]{60,}``) without multiplying states, and builds nothing while it scans: 9 us a
line on that log, with no memory growth. It costs 2-3 s to compile the packaged rules, so it is
built once per process, the first time such a line comes; ordinary lines stay with RE2, which is
faster on them once warm.

``line_matcher(patterns)`` returns a function with the ``re2.Set`` matcher's shape (the indexes
of the patterns that match a line, any order; falsy for none), or None where Hyperscan is not
installed, the CPU lacks what it needs, or a pattern does not compile or would be read differently
(a site's own rule set): the caller then keeps its ``re2.Set``. The patterns are the scans in RE2
syntax (``re2search.re2_scan_text``); both engines read them with ASCII classes and ``$`` at the
end of the line (which holds no newline). Hyperscan folds case in ASCII only, as Python's bytes
patterns do (the exact rules); RE2 also folds Latin-1 letters, so it can only name more rules.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from collector import forked, statecache

try:
    import fcntl
except ImportError:              # Windows: no lock, each process compiles its own
    fcntl = None  # type: ignore[assignment]

LineMatch = Callable[[bytes], "list[int]"]
# Classes the two engines read differently: RE2 gives \pN, \pL and their like their Unicode
# meaning on Latin-1 bytes (\xb2 is a number), Hyperscan without UCP does not; \C is any byte in
# RE2. A site rule set with one of them keeps the RE2 set.
_READ_DIFFERENTLY = re.compile(rb"(?<!\\)(?:\\\\)*\\[pPC]")
# Compiled databases kept between runs (``use_cache``): a later run, or the other worker, loads
# one in milliseconds instead of compiling for 2-3 s. A few are kept (rule sets and file kinds
# differ by product); the oldest go.
_CACHE_KEEP = 6
# A process that wants a database another is compiling waits for it (_compile_lock) at most
# this long, looking every _LOCK_POLL_SECONDS; the compile takes 2-3 s.
LOCK_WAIT_SECONDS = 30.0
_LOCK_POLL_SECONDS = 0.05
_cache_folder: Path | None = None


def use_cache(folder: Path | None) -> None:
    """Keep compiled databases in ``folder`` (made 0700 when first written; a subfolder of the
    state folder). Set before the workers fork, so they share it; None: no cache."""
    global _cache_folder
    _cache_folder = folder


def line_matcher(patterns: Sequence[bytes], *, compile: bool = True) -> LineMatch | None:
    """A matcher for ``patterns`` (index i is pattern i), or None if Hyperscan cannot serve;
    ``compile=False``: only from a database kept by an earlier process (``use_cache``).

    The compile runs in a forked child, which sends the compiled database back: compiling the
    packaged rules grows a process's heap by about 30 MB that stays after it (fragments), and a
    worker must stay small. Loading the 4 MB database costs a few milliseconds."""
    try:
        import hyperscan
    except ImportError:
        return None
    if any(_READ_DIFFERENTLY.search(pattern) for pattern in patterns):
        return None
    key = _cache_key(hyperscan, patterns)
    database = _load(hyperscan, _cached(key))
    if database is None and not compile:
        return None
    if database is None:
        with _compile_lock(key):
            database = _load(hyperscan, _cached(key))       # kept by the process we waited for
            if database is None:
                compiled = _compiled_in_child(patterns)
                database = _load(hyperscan, compiled)
                if database is None:
                    return None
                _keep(key, compiled)
    try:
        scratch = hyperscan.Scratch(database)
    except Exception:  # noqa: BLE001 - a CPU it does not run on: keep RE2
        return None
    scan = database.scan

    def match(line: bytes) -> list[int]:
        found: list[int] = []
        scan(line, match_event_handler=_collect, context=found, scratch=scratch)
        return found

    return match


def _collect(index: int, start: int, end: int, flags: int, found: list[int]) -> None:
    found.append(index)


def _flags(hyperscan: object) -> int:
    """Each pattern reported once a scan (the caller wants which rules, not where)."""
    return hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY      # type: ignore[attr-defined, no-any-return]


def _load(hyperscan: object, data: bytes | None) -> object | None:
    """The database in ``data``, or None (no data, damaged, or made for another CPU or release)."""
    if not data:
        return None
    try:
        return hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)        # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - compile it again
        return None


def _cache_key(hyperscan: object, patterns: Sequence[bytes]) -> str:
    digest = hashlib.sha256(b"hyperscan %s %d\0" % (str(getattr(hyperscan, "__version__", "?")).encode(), _flags(hyperscan)))
    for pattern in patterns:
        digest.update(hashlib.sha256(pattern).digest())
    return digest.hexdigest()[:32]


def _cached(key: str) -> bytes | None:
    """A database kept by an earlier process (a damaged file would name the wrong rules:
    ``statecache`` checks it)."""
    return statecache.read(_cache_folder / f"{key}.hsdb") if _cache_folder is not None else None


def _keep(key: str, data: bytes | None) -> None:
    """Save a compiled database for later runs, best effort; drop the oldest beyond ``_CACHE_KEEP``."""
    if _cache_folder is not None and data:
        statecache.keep(_cache_folder / f"{key}.hsdb", data, newest=_CACHE_KEEP)


@contextlib.contextmanager
def _compile_lock(key: str) -> Iterator[None]:
    """Held while this process compiles database ``key``; waits while another process holds it.

    On a host's first run both workers met random-looking lines within a second and each
    compiled the same database (2-3 s of CPU each). The second now waits for the first and
    loads what it kept. Going on with the RE2 set instead saved nothing: on the lines that call
    for Hyperscan the set spends as much CPU in those seconds as the compile. An exclusive
    ``flock`` on ``<key>.lock`` in the cache folder, let go when its process ends (and its
    compiling child). Without a folder, where no lock can be had (a read-only state folder, a
    file system without locks), or after ``LOCK_WAIT_SECONDS`` (a holder stopped or starved of
    CPU), this process compiles its own, as before."""
    fd = -1
    try:
        if _cache_folder is not None and fcntl is not None:
            try:
                _cache_folder.mkdir(mode=0o700, exist_ok=True)
                fd = os.open(_cache_folder / f"{key}.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_CLOEXEC", 0), 0o600)
                deadline = time.monotonic() + LOCK_WAIT_SECONDS
                while not _try_lock(fd) and time.monotonic() < deadline:
                    time.sleep(_LOCK_POLL_SECONDS)      # an interrupt while waiting goes up
            except OSError:
                pass
        yield
    finally:
        if fd >= 0:
            os.close(fd)


def _try_lock(fd: int) -> bool:
    """One try for the lock; False: another process holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _compile(patterns: Sequence[bytes]) -> bytes:
    import hyperscan

    database = hyperscan.Database()
    database.compile(expressions=list(patterns), ids=list(range(len(patterns))),
                     flags=[_flags(hyperscan)] * len(patterns))
    return bytes(hyperscan.dumpb(database))


def _compiled_in_child(patterns: Sequence[bytes]) -> bytes | None:
    """``_compile(patterns)`` in a forked child, read back through a pipe; None if it failed.

    Hyperscan only saves time, so nothing here may fail a file's redaction: where the system
    refuses a pipe or a process (EAGAIN, ENOMEM) the answer is None and RE2 goes on; where there
    is no fork (Windows) the compile runs here."""
    if not hasattr(os, "fork"):
        try:
            return _compile(patterns)
        except Exception:  # noqa: BLE001 - keep RE2
            return None
    return forked.output(lambda: _compile(patterns))
