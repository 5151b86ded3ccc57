"""Checks remembered between runs: which data files (profiles, rule sets) already passed.

A profile or rule set is checked (schema, semantics, examples) before a run uses it. The checks
are a pure function of the file's bytes and of the code that checks them, so a run may remember
the SHA-256 of each file that passed, in a small JSON file in the state folder, under a key of
what the checks depend on (``checks_key``), and skip the checks for exactly those bytes next time.

It never holds a profile or a rule, only a verdict: what a run uses always comes from the file
itself. A missing, foreign or damaged record is the empty set; a file that failed is never
remembered; saving is best effort, atomic, 0600, and only when something new passed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

MAX_DIGESTS = 1024                 # digests remembered per record
_DIGEST = re.compile(r"[0-9a-f]{64}")


def checks_key(parts: Iterable[bytes | None]) -> str | None:
    """One key for everything the checks depend on; None (remember nothing) if a part is
    unknown."""
    digests = []
    for part in parts:
        if part is None:
            return None
        digests.append(hashlib.sha256(part).digest())
    return hashlib.sha256(b"\0".join(digests)).hexdigest()


def installed_module_stamp(name: str) -> bytes | None:
    """An installed module's file, size and time (a new release replaces the file), or None."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin is None:
            return None
        info = os.stat(origin)
    except (OSError, ValueError, ImportError):
        return None
    return f"{origin} {info.st_size} {info.st_mtime_ns}".encode()


class CheckedDigests:
    """The SHA-256 of the files that passed, in ``path``, valid under ``key`` only."""

    def __init__(self, path: Path, key: str | None) -> None:
        self.path = Path(path)
        self.key = key
        self.clean: frozenset[str] = self._read() if key else frozenset()
        self.seen: list[str] = []

    def __contains__(self, digest: str) -> bool:
        return digest in self.clean

    def passed(self, digest: str) -> None:
        self.seen.append(digest)

    def _read(self) -> frozenset[str]:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return frozenset()
        try:
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return frozenset()
                data = json.loads(handle.read(MAX_DIGESTS * 80 + 4096))
        except (OSError, ValueError):
            return frozenset()
        digests = data.get("clean") if isinstance(data, dict) and data.get("key") == self.key else None
        if not isinstance(digests, list):
            return frozenset()
        return frozenset(d for d in digests if isinstance(d, str) and _DIGEST.fullmatch(d))

    def save(self) -> None:
        if not self.key or set(self.seen) <= self.clean:
            return
        from collector.integrity import atomic_write_bytes

        keep = list(dict.fromkeys(self.seen + sorted(self.clean)))[:MAX_DIGESTS]
        try:
            # a host's first run loads its profiles before anything else makes the state folder
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write_bytes(self.path, json.dumps({"key": self.key, "clean": sorted(keep)},
                                                     indent=0).encode() + b"\n")
        except OSError:
            pass
