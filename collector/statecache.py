"""Files one run keeps in the state folder for the next, each checked on the way back.

A kept file is the SHA-256 of its content followed by the content (``keep``). ``read`` returns
the content only where the digest matches, so a damaged file is made again, never used: these
caches hold what decides which rules run on a line (a Hyperscan database, the rules' compiled
patterns), and a wrong answer there would be a leak. Both sides are best effort: a state folder
that cannot be read or written costs the time a cache saves, nothing else.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_DIGEST = 32


def read(path: Path) -> bytes | None:
    """The content kept at ``path``, or None (no file, unreadable, or damaged)."""
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    data = stored[_DIGEST:]
    return data if len(stored) > _DIGEST and hashlib.sha256(data).digest() == stored[:_DIGEST] else None


def keep(path: Path, data: bytes, *, newest: int | None = None) -> None:
    """Keep ``data`` at ``path`` (written atomically, 0600; the folder made 0700). ``newest``:
    then keep only that many files with ``path``'s suffix in its folder, the last written."""
    from collector.integrity import atomic_write_bytes

    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        atomic_write_bytes(path, hashlib.sha256(data).digest() + data)
        if newest is not None:
            kept = sorted(path.parent.glob("*" + path.suffix), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in kept[newest:]:
                old.unlink(missing_ok=True)
    except OSError:
        pass


__all__ = ["read", "keep"]
