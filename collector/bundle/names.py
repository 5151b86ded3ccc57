"""Bundle file names and member-name rules."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from collector.errors import BundleWriteError

FORMATS: tuple[str, ...] = ("tar.gz", "tar.zst", "zip")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnsafeMemberName(BundleWriteError):
    """unsafe member name {name!r}: {problem}"""


def _sanitise(text: str, fallback: str, limit: int = 64) -> str:
    text = _UNSAFE.sub("_", text).strip("._-")[:limit].strip("._-")
    return text or fallback


def case_name_part(case: str | None) -> str:
    """A case number as a file names hold it: ``[A-Za-z0-9._-]`` only (``12/../x`` -> ``12_.._x``),
    ``nocase`` when empty."""
    return _sanitise(case, "nocase") if case else "nocase"


def host_name_part(host: str) -> str:
    """A host name as bundle names hold it (``[A-Za-z0-9._-]`` only)."""
    return _sanitise(host, "unknown-host")


def bundle_stem(name: str) -> str | None:
    """A bundle file name without its format extension (the top folder it should hold), or
    None when the name ends in none of FORMATS."""
    for fmt in FORMATS:
        if name.endswith("." + fmt) and len(name) > len(fmt) + 1:
            return name[: -len(fmt) - 1]
    return None


def bundle_name(host: str, case: str | None, when: datetime, fmt: str) -> str:
    """``gcollect-<host>-<case|nocase>-<YYYYMMDDTHHMMSSZ>.<ext>``.

    ``host`` and ``case`` keep only ``[A-Za-z0-9._-]`` (other runs become ``_``; leading and
    trailing dots, dashes and underscores are dropped, so the name never starts with a dot).
    An aware ``when`` is converted to UTC; a naive one is taken as UTC.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown bundle format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    case_part = case_name_part(case)
    return f"gcollect-{host_name_part(host)}-{case_part}-{stamp}.{fmt}"


FREE_SECOND_TRIES = 5


def free_second(folder: Path, host: str, case: str | None, fmt: str, *,
                sleep: Callable[[float], None] = time.sleep) -> datetime:
    """Now, to the second, once no bundle (or partial bundle) in ``folder`` has this second's
    name: bundle names have one-second resolution, and a second run that starts in the second
    of the last one (a script, cron and a hand run together) waits for the next second instead
    of finding the name taken. After ``FREE_SECOND_TRIES`` taken seconds, now: the writer then
    refuses the name in one line and overwrites nothing."""
    for _ in range(FREE_SECOND_TRIES):
        now = datetime.now(timezone.utc)
        name = bundle_name(host, case, now, fmt)
        if not any(os.path.lexists(folder / taken) for taken in (name, name + ".partial")):
            return now.replace(microsecond=0)
        sleep(1.0 - now.microsecond / 1e6 + 0.01)
    return datetime.now(timezone.utc).replace(microsecond=0)


def check_component(name: str) -> None:
    """The top folder: one safe path component."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise UnsafeMemberName(name=name, problem="top folder must be one plain path component")


def check_member(member: str) -> None:
    """A member path relative to the top folder: POSIX, relative, no ``.``/``..``/empty parts, no NUL."""
    if not member:
        raise UnsafeMemberName(name=member, problem="empty name")
    if "\0" in member:
        raise UnsafeMemberName(name=member, problem="NUL in name")
    if member.startswith("/"):
        raise UnsafeMemberName(name=member, problem="absolute path")
    for part in member.split("/"):
        if part == "":
            raise UnsafeMemberName(name=member, problem="empty path component")
        if part in (".", ".."):
            raise UnsafeMemberName(name=member, problem=f"'{part}' path component")


def name_bytes(name: str) -> bytes:
    """The raw bytes of a name (a ``str`` from os.fsdecode may carry surrogate escapes)."""
    return name.encode("utf-8", "surrogateescape")


def sha256sums_line(hexdigest: str, member: str) -> bytes:
    """One GNU ``sha256sum`` line; names with ``\\``, newline or CR use its escaped form."""
    raw = name_bytes(member)
    if b"\\" in raw or b"\n" in raw or b"\r" in raw:
        raw = raw.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
        return b"\\" + hexdigest.encode("ascii") + b"  " + raw + b"\n"
    return hexdigest.encode("ascii") + b"  " + raw + b"\n"
