"""Find Genesys log streams in folders and say which product wrote each (by segment header).

A *stream* is the files of one ``<dir>/<base>[-NNN]`` (GENESYS.md (b)); the head (``HEAD_BYTES``)
of its newest non-empty segment is read, and of older ones while a head has no Genesys header
(``_stream_head``), at most ``MAX_HEADS`` heads per run. A product is chosen
by ``classify_header``: most specific match wins.

Score of a profile against a header, compared as a tuple (higher wins, then product id):
  1. strong signals matched: ``Detect.processes`` vs the base name of the header's
     ``Command line:`` program (never an argument), ``Detect.command_lines`` substrings of
     ``Command line:`` without the values of ``-host``/``-backup_host`` (``HOST_OPTIONS``),
     ``Detect.banners`` substrings of the banner line;
  2. ``Detect.app_types`` equal to ``Application type:`` (weak: T-Server and SIP Server share
     ``TServer``);
  3. fewer contradictions: a signal class the profile declares and the header carries, with no
     match (a SIP Server profile declaring banner "SIP Server" against a "T-Server" banner).
"""

from __future__ import annotations

import fnmatch
import itertools
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from collector.hostfiles import is_log_or_rotation_name, log_name_parts, read_head, resolve_regular, segment_name, \
    source_of
from collector.model import Profile
from collector.segheader import SegmentHeader, parse_header
from collector.textsource import text_head

HEAD_BYTES = 8 * 1024
MAX_HEADS = 5000
HEADS_PER_STREAM = 3               # heads read, newest first, to find a stream's header
FILES_PER_STREAM = 16              # newest files looked at for them (empty ones are not read)


@dataclass(frozen=True)
class Stream:
    directory: str                 # host path of the folder
    base: str                      # log base name (no thread suffix, timestamp, extension)
    newest: str                    # host path of the segment whose head was read
    header: SegmentHeader
    product: str | None
    files: tuple[str, ...] = ()    # of a stream with a Genesys header no profile claims: all its files

    @property
    def base_path(self) -> str:
        return f"{self.directory}/{self.base}" if self.directory else self.base

    @property
    def headerless(self) -> bool:
        """No head read was a Genesys header: only the name stamps say it is a Genesys stream."""
        return self.product is None and not self.header.is_genesys

    @property
    def unprofiled(self) -> bool:
        """A Genesys common-format header (an ``Application type:``, a Genesys banner, or an
        application name with a command line or start time) that no profile claims: a Genesys
        product without a profile here (GRE, ``CFGBusinessRulesExecutionServer``)."""
        header = self.header
        return self.product is None and bool(
            header.app_type or ("genesys" in header.banner.lower() and header.is_genesys)
            or (header.app_name and (header.command_line or header.start_time_utc)))


# an unquoted Windows program path with spaces: C:\Program Files\GCTI\...\confserv.exe -host ...
_WINDOWS_PROGRAM = re.compile(r"[A-Za-z]:[\\/](?:(?! -)[^\"])*?\.(?:exe|com|bat|cmd)(?=\s|$)", re.I)
# options whose value is a host name (the Config Server's: ``-host confserv01``), never what the
# program is: left out of the text ``Detect.command_lines`` are looked for in
HOST_OPTIONS = ("-host", "-backup_host")
_HOST_OPTION_VALUE = re.compile(
    r"(?<!\S)(?:%s)(?:\s+|=)(?:\"[^\"]*\"|'[^']*'|\S+)" % "|".join(re.escape(o) for o in HOST_OPTIONS), re.I)


def _program(command_line: str | None) -> str:
    """The program's base name, lower case, without ``.exe``: ``./confserv``,
    ``/opt/genesys/ConfigServer/confserv``, ``"C:\\Program Files\\GCTI\\...\\confserv.exe"`` (quoted
    or not) are all ``confserv``."""
    text = (command_line or "").strip()
    if not text:
        return ""
    if text[0] in "\"'":
        end = text.find(text[0], 1)
        first = text[1:end] if end > 0 else text[1:]
    else:
        windows = _WINDOWS_PROGRAM.match(text)
        first = windows.group(0) if windows else text.split()[0]
    name = first.strip().replace("\\", "/").rsplit("/", 1)[-1].strip("\"'").lower()
    return name[:-4] if name.endswith(".exe") else name


def without_host_values(command_line: str | None) -> str:
    """The command line without the values of ``HOST_OPTIONS``: ``-host confserv01`` names the
    Config Server's host (every Genesys application is started with it), not the program, so a
    host called ``confserv01``, ``statserver01`` or ``dbserver01`` must not make a UCS log a
    Config Server, T-Server or DB Server one."""
    return _HOST_OPTION_VALUE.sub(lambda m: m.group(0).split()[0].split("=")[0], command_line or "")


def process_matches(program: str, patterns: tuple[str, ...]) -> bool:
    """Executable base name (case-insensitive, ``.exe`` optional) against Detect.processes."""
    program = program.lower().removesuffix(".exe")
    return bool(program) and any(
        fnmatch.fnmatchcase(program, p.lower().removesuffix(".exe")) for p in patterns)


def _contains_any(text: str | None, needles: tuple[str, ...]) -> bool:
    lowered = (text or "").lower()
    return any(n.lower() in lowered for n in needles if n)


def header_score(header: SegmentHeader, profile: Profile) -> tuple[int, int, int]:
    detect = profile.detect
    program = _program(header.command_line)
    checks = (
        (program, process_matches(program, detect.processes), bool(detect.processes)),
        (header.command_line, _contains_any(without_host_values(header.command_line), detect.command_lines),
         bool(detect.command_lines)),
        (header.banner, _contains_any(header.banner, detect.banners), bool(detect.banners)),
    )
    strong = sum(1 for _, hit, _ in checks if hit)
    contradictions = sum(1 for value, hit, declared in checks if value and declared and not hit)
    typed = int(bool(header.app_type) and any(
        t.lower() == (header.app_type or "").lower() for t in detect.app_types))
    return strong, typed, -contradictions


def classify_header(header: SegmentHeader, profiles: Mapping[str, Profile]) -> str | None:
    """The product whose profile matches the header best, None if none matches at all."""
    best: tuple[tuple[int, int, int], str] | None = None
    for product in sorted(profiles):
        score = header_score(header, profiles[product])
        if score[0] == 0 and score[1] == 0:
            continue
        if best is None or score > best[0]:
            best = (score, product)
    return best[1] if best else None


@dataclass
class HeadBudget:
    left: int = MAX_HEADS


def _newest_first(files: list[tuple[str, os.DirEntry[str]]]
                  ) -> Iterator[tuple[os.DirEntry[str], os.stat_result]]:
    """A stream's files with their ``lstat``, newest first: highest name stamp, then mtime,
    then name. Files are ``lstat``-ed one stamp at a time, as they are reached; one that
    cannot be is left out."""
    files.sort(key=lambda f: f[0], reverse=True)
    for _stamp, tied in itertools.groupby(files, key=lambda f: f[0]):
        timed = []
        for _, entry in tied:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            timed.append((info.st_mtime, entry.name, entry, info))
        timed.sort(key=lambda t: t[:2], reverse=True)
        for _mtime, _name, entry, info in timed:
            yield entry, info


def _stream_head(root: Path, directory: str, files: list[tuple[str, os.DirEntry[str]]],
                 profiles: Mapping[str, Profile], budget: HeadBudget
                 ) -> tuple[str, SegmentHeader, str | None] | None:
    """(host path, header, product) of the newest segment of a stream with a Genesys header,
    or None. An empty file (just rotated, or still buffered) is passed over unread, and a
    segment without a header (it starts mid-record) is followed by the one before it: the
    newest file alone must not hide the stream. At most ``HEADS_PER_STREAM`` heads are read
    among the newest ``FILES_PER_STREAM`` files."""
    reads = 0
    for entry, info in itertools.islice(_newest_first(files), FILES_PER_STREAM):
        if stat.S_ISREG(info.st_mode) and info.st_size == 0:
            continue
        if reads == HEADS_PER_STREAM or budget.left <= 0:
            return None
        host = f"{directory}/{entry.name}" if directory else entry.name
        real, _info, _why = resolve_regular(root, source_of(root, host))
        if real is None:
            continue
        budget.left -= 1
        reads += 1
        head = read_head(real, HEAD_BYTES)
        if entry.name.endswith(".gz"):      # a compressed rotation: the header is in its text
            head = text_head(head, host, HEAD_BYTES) or b""
        header = parse_header(head)
        product = classify_header(header, profiles)
        if product is not None or header.is_genesys:
            return host, header, product
    return None


def scan_streams(root: Path, directory: str, profiles: Mapping[str, Profile],
                 budget: HeadBudget) -> list[Stream]:
    """Streams of log files (``hostfiles.is_log_or_rotation_name``: ``.log.gz`` rotations too,
    their text's head read) directly in one folder, one head read
    per stream (a few when the newest segments are empty or have no header: ``_stream_head``).
    A stream with Genesys name stamps and no header found is returned ``headerless``, without
    a product: discovery gives it to the one product of its app dir, if there is one."""
    folder = source_of(root, directory)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    named: dict[tuple[str, str | None, str | None], list[tuple[str, os.DirEntry[str]]]] = {}
    for entry in entries:
        if not is_log_or_rotation_name(entry.name):
            continue
        base, thread, stamp, companion = log_name_parts(segment_name(entry.name))   # parse_log_name's fields
        named.setdefault((base, thread, companion), []).append((stamp or "", entry))
    streams: list[Stream] = []
    for (base, _thread, companion), files in sorted(named.items(), key=lambda kv: str(kv[0])):
        if companion and (base, None, None) in named:
            continue                       # a snapshot/memory file next to its stream adds nothing
        if budget.left <= 0:
            break
        found = _stream_head(root, directory, files, profiles, budget)
        if found is not None:
            host, header, product = found
            stream = Stream(directory, base, host, header, product)
            if stream.unprofiled:          # listed by name, so that the run can say it saw them
                names = [entry.name for _, entry in files]
                if _thread is None and companion is None:
                    names += [e.name for (b, t, c), more in named.items() if b == base and t is None and c
                              for _, e in more]
                stream = Stream(directory, base, host, header, product,
                                tuple(sorted(f"{directory}/{n}" if directory else n for n in names)))
            streams.append(stream)
        elif companion is None and any(stamp for stamp, _ in files):
            newest = max(files, key=lambda f: (f[0], f[1].name))[1].name
            host = f"{directory}/{newest}" if directory else newest
            streams.append(Stream(directory, base, host, SegmentHeader(), None))
    return streams
