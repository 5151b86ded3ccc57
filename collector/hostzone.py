"""The zone a host's wall clock runs in, and where that was learned.

Log stamps without an offset (and logs without a ``Time zone:`` header) are wall-clock time in
the host's zone; so are ``--since``/``--until`` given without one. On the live host (root
``/``) that is this machine's zone, as the C library sees it (``TZ``, else ``/etc/localtime``).
For a copy of another host (``--root``) it is the copy's, read from the files under the root:

1. ``etc/localtime``: a symlink into a ``zoneinfo`` folder names the zone (the link is read, not
   followed: an absolute target points into this machine); a TZif file is used as it is, and
   named by finding the same bytes in this machine's zoneinfo database;
2. ``etc/timezone`` (Debian, Ubuntu): the zone name;
3. ``etc/sysconfig/clock`` (older Red Hat): ``ZONE="..."``.

When none of them tells (a Windows copy, a partial copy), the Genesys segment headers under the
root may: every Framework log header gives its application's UTC offset (``Local time`` against
``Start time (UTC)``, else ``Time zone:``). When the first ``MAX_HEADERS`` found (a bounded walk of
the usual log folders) all give one offset that this machine's zone does not give at their times,
that fixed offset is the host's (``offset_minutes``; daylight-saving changes are not followed), so the logs with no header of their own (GWS, GAX,
Pulse, WDE, URS HTTP) are read on the same clock as the SIP Server's (probe AH F5). Otherwise
this machine's zone is used, as before, and ``HostZone.kind`` is "unknown" so the run can say so.

Read-only and bounded: at most a few small files under the root, ``lstat`` and one listing of
this machine's zoneinfo folder (sizes compared before bytes) when an unnamed TZif file is found.
"""

from __future__ import annotations

import functools
import io
import os
import re
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from collector.hostfiles import real_in_root, read_head, resolve_regular

ZoneKind = Literal["root", "machine", "unknown"]

MAX_TZIF_BYTES = 256 * 1024          # a TZif file is a few KB
MAX_HEADERS = 20                     # Genesys segment headers read for their offset, at most
MAX_WALK_ENTRIES = 4000              # folder entries looked at to find them, at most
_LOG_TOPS = ("var/log", "opt", "home", "GCTI", "gcti", "Genesys", "genesys", "logs", "Logs", "data", "app", "apps",
             "u01", "srv", "Program Files/GCTI", "Program Files (x86)/GCTI")
_SEGMENT_NAME = re.compile(r"\.\d{8}_\d{6}_\d{3}\.log$")
_ZONE_KEY = re.compile(r"^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*$")
_SYSCONFIG_ZONE = re.compile(rb"""^\s*ZONE\s*=\s*["']?([^"'\s]+)""", re.M)
_SKIPPED_TREES = ("posix/", "right/")  # copies of the main tree (leap seconds for right/)


@dataclass(frozen=True)
class HostZone:
    """The host's zone: ``kind`` "root" (read from files under the root: ``name`` and/or
    ``tzif``), "machine" (the live host: this machine's zone, ``name`` only for display) or
    "unknown" (a copy that tells no zone: this machine's zone is used). ``source`` says where
    it was learned (a host path, or ``TZ``)."""

    name: str | None
    source: str
    kind: ZoneKind = "root"
    tzif: bytes = b""                   # the zone's TZif data when ``name`` is None
    offset_minutes: int | None = None   # a fixed offset (from Genesys log headers): ``name`` is its text

    @property
    def tzinfo(self) -> tzinfo | None:
        """The zone to read wall-clock times in; None = this machine's zone."""
        if self.kind != "root":
            return None
        if self.offset_minutes is not None:
            return timezone(timedelta(minutes=self.offset_minutes))
        return _zone(self.name, self.tzif)

    def describe(self) -> str:
        """One line for people: which zone, and how it was found."""
        if self.offset_minutes is not None:
            return (f"{self.name} (a fixed offset, from {self.source}; no etc/localtime, etc/timezone or "
                    "etc/sysconfig/clock under the root: daylight-saving changes are not followed)")
        if self.kind == "unknown":
            return (f"unknown: nothing under the root names the host's zone ({self.source}); "
                    f"read in this machine's zone ({machine_zone().name or 'local time'})")
        name = self.name or "an unnamed zone"
        where = "this machine's zone" if self.kind == "machine" else "the collected host's zone"
        return f"{name} ({where}, from {self.source})"

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "kind": self.kind, "source": self.source, "text": self.describe()}


class _TZifData(io.BytesIO):
    """Zone file bytes for ``ZoneInfo.from_file``: a read past the end raises. Python's loader
    reads a v2+ file's closing TZ string a byte at a time until a newline, so a copy cut short
    there (its last byte missing) would keep it reading empty bytes for ever."""

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if size is not None and size > 0 and not data:
            raise EOFError("zone file ends too early")
        return data


def _load_tzif(data: bytes) -> tzinfo:
    return ZoneInfo.from_file(_TZifData(data))


@functools.lru_cache(maxsize=16)
def _zone(name: str | None, tzif: bytes) -> tzinfo | None:
    if name:
        return ZoneInfo(name)
    return _load_tzif(tzif) if tzif else None


def _valid_key(text: str) -> str | None:
    """``text`` if it names a zone this machine knows, else None."""
    key = text.strip()
    if not key or len(key) > 80 or ".." in key or not _ZONE_KEY.match(key):
        return None
    try:
        ZoneInfo(key)
    except (ValueError, OSError, KeyError):          # ZoneInfoNotFoundError is a KeyError
        return None
    return key


def _key_of_link(target: str) -> str | None:
    """``../usr/share/zoneinfo/America/New_York`` -> ``America/New_York``."""
    marker = target.rfind("zoneinfo/")
    if marker < 0:
        return None
    key = target[marker + len("zoneinfo/"):]
    for tree in _SKIPPED_TREES:
        key = key.removeprefix(tree)
    return _valid_key(key)


def _is_tzif(data: bytes) -> bool:
    """A zone file Python can load (a truncated or damaged copy is not one: its loader may raise
    struct.error, EOFError, ValueError...)."""
    if not data.startswith(b"TZif"):
        return False
    try:
        _load_tzif(data)
    except Exception:  # noqa: BLE001 - any failure: not a usable zone file
        return False
    return True


@functools.lru_cache(maxsize=8)
def _name_by_content(data: bytes) -> str | None:
    """The name of this machine's zone file holding exactly ``data`` (Area/City names first), or
    None. Sizes are compared before bytes, so few files are read."""
    try:
        keys = sorted(available_timezones(), key=lambda k: ("/" not in k, k))
    except OSError:
        return None
    for base in TZPATH:
        for key in keys:
            path = os.path.join(base, key)
            try:
                if os.stat(path).st_size != len(data):
                    continue
                with open(path, "rb") as handle:
                    if handle.read(len(data) + 1) == data:
                        return key
            except OSError:
                continue
    return None


def _from_localtime(root: Path) -> HostZone | None:
    # etc itself may be a link in the copy: follow it inside the root, never to this machine's /etc
    root = Path(os.path.realpath(root))
    etc, _ = real_in_root(str(root), "etc")
    if etc is None:
        return None
    path = Path(etc) / "localtime"
    try:
        is_link = path.is_symlink()
    except OSError:
        return None
    if is_link:
        try:
            key = _key_of_link(os.readlink(path))
        except OSError:
            key = None
        if key is not None:
            return HostZone(key, "the etc/localtime symlink")
    real, _, _ = resolve_regular(root, path)         # a symlink only if it stays in the root
    if real is None:
        return None
    data = read_head(real, MAX_TZIF_BYTES + 1)
    if len(data) > MAX_TZIF_BYTES or not _is_tzif(data):
        return None
    named = _from_text(root, "etc/timezone")      # the name the host itself gives, if the same zone
    name = named.name if named is not None and _same_zone(named.name, data) else _name_by_content(data)
    return HostZone(name, "the etc/localtime zone file", tzif=b"" if name else data)


def _same_zone(name: str | None, data: bytes) -> bool:
    for base in TZPATH:
        try:
            with open(os.path.join(base, name or ""), "rb") as handle:
                return handle.read(len(data) + 1) == data
        except OSError:
            continue
    return False


def _from_text(root: Path, host_path: str, pattern: re.Pattern[bytes] | None = None) -> HostZone | None:
    real, _, _ = resolve_regular(root, root / host_path)
    if real is None:
        return None
    data = read_head(real, 4096)
    if pattern is not None:
        found = pattern.search(data)
        text = found.group(1) if found else b""
    else:
        text = data.split(b"\n", 1)[0]
    key = _valid_key(text.decode("ascii", "replace"))
    return HostZone(key, host_path) if key else None


def _is_live(root: Path) -> bool:
    try:
        return os.path.realpath(root) == os.path.realpath("/")
    except OSError:
        return False


@functools.lru_cache(maxsize=1)
def machine_zone() -> HostZone:
    """This machine's zone: ``TZ`` if set, else the ``/etc/localtime`` link (name for display)."""
    tz = os.environ.get("TZ")
    if tz:
        text = tz.lstrip(":")
        return HostZone(_key_of_link(text) or _valid_key(text) or text, "TZ", "machine")
    try:
        key = _key_of_link(os.readlink("/etc/localtime"))
    except OSError:
        key = None
    return HostZone(key, "/etc/localtime", "machine")


def host_zone(root: Path) -> HostZone:
    """The zone of the host at ``root`` (see the module docstring); never raises."""
    if _is_live(root):
        return machine_zone()
    readers = (lambda: _from_localtime(root), lambda: _from_text(root, "etc/timezone"),
               lambda: _from_text(root, "etc/sysconfig/clock", _SYSCONFIG_ZONE))
    for read in (*readers, lambda: _from_genesys_headers(root)):
        try:
            found = read()
        except Exception:  # noqa: BLE001 - a damaged file tells no zone: try the next source
            continue
        if found is not None:
            return found
    return HostZone(None, "no etc/localtime, etc/timezone or etc/sysconfig/clock", "unknown")


def _from_genesys_headers(root: Path) -> HostZone | None:
    """The one UTC offset the Genesys segment headers under the root give (see the module
    docstring), or None: none found, or they disagree (a daylight-saving change between them, or
    applications on other clocks)."""
    from collector.segheader import parse_header
    from collector.timeformats import header_zone

    root = Path(os.path.realpath(root))
    offsets: set[int] = set()
    machine_agrees = True               # this machine's zone gives each header's offset at its time
    headers, budget = 0, [MAX_WALK_ENTRIES]
    for path in _segment_files(root, budget):
        zone, offset = header_zone(parse_header(read_head(path, 8192)), None)   # as a segment is read
        if offset is None:
            continue
        offsets.add(int(offset.total_seconds()) // 60)
        machine_agrees = machine_agrees and zone is None          # None: this machine's zone agrees
        headers += 1
        if headers >= MAX_HEADERS or len(offsets) > 1:
            break
    if len(offsets) != 1 or machine_agrees:
        return None                     # as before: this machine's zone (it follows daylight saving)
    minutes = offsets.pop()
    sign = "-" if minutes < 0 else "+"
    text = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return HostZone(text, f"{headers} Genesys log header(s) under the root", offset_minutes=minutes)


def _segment_files(root: Path, budget: list[int]):
    """Genesys segment files (``<base>.<YYYYMMDD_HHMMSS_mmm>.log``) under the usual log folders
    of ``root``, breadth first, never leaving the root (a link below them is not followed; a
    top folder that is a link is resolved as the host would, inside the root), at most
    ``budget[0]`` folder entries looked at."""
    queue = []
    for top in _LOG_TOPS:                 # a linked top folder (var/log -> /data/log) resolved inside the root
        real, _ = real_in_root(str(root), top)
        if real is not None and os.path.isdir(real) and Path(real) not in queue:
            queue.append(Path(real))
    while queue and budget[0] > 0:
        folder = queue.pop(0)
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    budget[0] -= 1
                    if budget[0] <= 0:
                        return
                    if entry.is_dir(follow_symlinks=False):
                        queue.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False) and _SEGMENT_NAME.search(entry.name):
                        yield Path(entry.path)
        except OSError:
            continue
