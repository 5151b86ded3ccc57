"""Root-confined file helpers shared by discovery and selection.

* host paths <-> source paths (``root`` joined with the host path, POSIX separators);
* glob matching and expansion with ``*``, ``?``, ``[...]`` and ``**`` (any number of folders),
  bounded in depth and folders visited, never descending into a symlinked folder;
  a leading one-letter segment (``C/...``) also matches the other spellings of a Windows
  drive copied under the root (``c/``, ``C:/``, ``c:/``);
* a safe ``resolve_regular`` that follows a symlink only when its target stays inside the root
  (an absolute target is resolved in the root, as on the host it is a copy of);
* the Genesys log file name grammar ``<base>[-NNN].<YYYYMMDD_HHMMSS_mmm>[.snapshot|.memory].log``
  (and Java ``<base>.<yyyy-MM-dd>[.<i>].log``, GAX ``gax.log.<YYYYMMDD_HHMMSS_mmm>[-N]``).

Read-only: ``lstat``/``scandir``/``realpath``, and ``open_read_only``, the one way gcollect opens
a source file (``read_head``/``read_tail`` here, ``hostguard.open_source`` for members): never
blocking on a FIFO, not following a final symlink unless asked, and with ``O_NOATIME`` where the
kernel allows it, so reading leaves the host's access times alone.
"""

from __future__ import annotations

import bisect
import errno
import functools
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

from collector.pagecache import read_leaving_cache

MAX_GLOB_DEPTH = 32                # folders below the root a pattern may reach (``**`` is bounded by it)
MAX_GLOB_DIRS = 50_000             # folders one expansion may list
DEPTH_STOP = f"folder more than {MAX_GLOB_DEPTH} levels below the root: not searched (a pattern's depth limit)"
BUDGET_STOP = (f"folder limit reached ({MAX_GLOB_DIRS:,} folders listed): this folder and the ones after it "
               f"were not searched")
_MAGIC = re.compile(r"[*?\[]")
_DRIVE = re.compile(r"^[A-Za-z]$")


# ------------------------------------------------------------------ OS errors on host paths
# errors that mean "not there" (a glob's literal part the host does not have, a file gone since
# its folder was listed): nothing to report
ABSENT_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR})
UNREADABLE_FILE = "unreadable: "            # a skip's reason: a file the run wanted and could not look at
UNREADABLE_FOLDER = "unreadable folder: "   # a folder the run needed and could not list or enter


def os_problem(error: OSError) -> str:
    """Why an OS call on a host path failed, short and lower case, for a skip's reason:
    "permission denied", "path too long for this system, 4,176 characters", "symlink loop"...
    The one wording for discovery, selection and reading."""
    code = error.errno
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied" if code == errno.EACCES else "operation not permitted"
    if code == errno.ENAMETOOLONG:
        name = error.filename
        length = f", {len(os.fsencode(name)):,} characters" if isinstance(name, (str, bytes, os.PathLike)) else ""
        return f"path too long for this system{length}"
    if code == errno.ELOOP:
        return "symlink loop"
    if code == errno.ENOTDIR:
        return "a part of the path is not a folder"
    return (error.strerror or type(error).__name__).lower()


def probe(path: Path | str, *, follow: bool = False) -> tuple[os.stat_result | None, str | None]:
    """``lstat`` of a host path (``stat`` with ``follow``: a symlink's target) that never raises:
    (stat, None); (None, None) when it is not there (``ABSENT_ERRNOS``); (None, why) when it is
    there or may be but cannot be looked at (``os_problem``: permission denied on a folder above
    it, a path too long, a loop)."""
    try:
        return (os.stat(path) if follow else os.lstat(path)), None
    except OSError as error:
        if error.errno in ABSENT_ERRNOS:
            return None, None
        return None, os_problem(error)
    except ValueError:                      # an embedded NUL: no such path on any host
        return None, None


def is_real_folder(path: Path | str) -> bool:
    """A folder, not a symlink to one; False on any error (``probe``)."""
    info, _ = probe(path)
    return info is not None and stat.S_ISDIR(info.st_mode)


def list_folder(path: Path | str) -> tuple[list[os.DirEntry[str]], str | None]:
    """(the entries of a folder, sorted by name; None), or ([], why) when it cannot be listed
    (``UNREADABLE_FOLDER`` + ``os_problem``); ([], None) when it is not there."""
    try:
        with os.scandir(path) as entries:
            return sorted(entries, key=lambda e: e.name), None
    except OSError as error:
        if error.errno in ABSENT_ERRNOS:
            return [], None
        return [], UNREADABLE_FOLDER + os_problem(error)
    except ValueError:
        return [], None


class Unlisted(list):          # type: ignore[type-arg]
    """An empty folder listing that stands for a folder that could not be listed; ``why`` says
    why (cached in ``Listings`` like any listing, so every expansion that meets it knows)."""

    def __init__(self, why: str) -> None:
        super().__init__()
        self.why = why


def unlisted_reason(entries: list[os.DirEntry[str]]) -> str | None:
    """Why a listing from ``folder_entries`` is empty because the folder could not be listed."""
    return entries.why if isinstance(entries, Unlisted) else None


# ------------------------------------------------------------------ paths
def host_path_of(root: Path, source: Path | str) -> str:
    """``/r/opt/genesys/x`` under root ``/r`` -> ``opt/genesys/x`` (POSIX, no leading slash)."""
    relative = os.path.relpath(os.fspath(source), os.fspath(root))
    return "" if relative == "." else relative.replace(os.sep, "/")


def source_of(root: Path, host_path: str) -> Path:
    return Path(root, *[part for part in host_path.split("/") if part])


def is_inside(root_real: str, path_real: str) -> bool:
    return path_real == root_real or path_real.startswith(root_real.rstrip(os.sep) + os.sep)


def escape(literal: str) -> str:
    """Make a literal path safe to embed in a glob pattern."""
    return re.sub(r"([*?\[])", r"[\1]", literal)


# ------------------------------------------------------------------ matching
def _segment_regex(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            first = i + 2 if segment[i + 1 : i + 2] == "!" else i + 1
            if segment[first : first + 1] == "]":
                first += 1                 # a "]" first in the set is a member (also after "!")
            end = segment.find("]", first)
            if end == -1:
                out.append(re.escape(char))
            else:
                out.append(_set_regex(segment[i + 1 : end]))
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _set_regex(body: str) -> str:
    """A glob set ``[body]`` as a regex: ``!`` (or, as the regex reads it, ``^``) first negates;
    a reversed range (``z-a``) is dropped, as fnmatch does (a regex refuses it); a set left
    empty matches nothing, a negated one left empty any one character but ``/``."""
    negation = "^" if body[:1] in ("!", "^") else ""
    if negation:
        body = body[1:]
    if "-" in body:
        kept: list[str] = []
        k = 0
        while k < len(body):
            if k + 2 < len(body) and body[k + 1] == "-":
                if body[k] <= body[k + 2]:
                    kept.append(body[k : k + 3])
                k += 3
            else:
                kept.append(body[k])
                k += 1
        body = "".join(kept)
    if not body:
        return "[^/]" if negation else "(?!)"
    # a "[" inside a set is a member ("SIPS_B[2]" escaped is "SIPS_B[[]2]"); bare, re warns of nested sets
    body = body.replace("\\", "\\\\").replace("[", "\\[")
    if not negation and body[0] == "^":
        body = "\\" + body               # first after a dropped range: a member, not a negation
    return "[" + negation + body + "]"


def _drive_regex(letter: str) -> str:
    return f"(?:{letter.upper()}|{letter.lower()}):?"


@functools.lru_cache(maxsize=8192)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Compile a host-path glob; ``**`` matches zero or more whole folders."""
    segments = [s for s in pattern.strip("/").split("/") if s not in ("", ".")]
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append("(?:.*)" if last else "(?:[^/]+/)*")
            continue
        body = _drive_regex(segment) if index == 0 and _DRIVE.match(segment) else _segment_regex(segment)
        parts.append(body if last else body + "/")
    return re.compile("".join(parts) + r"\Z", re.S)


def glob_match(host_path: str, pattern: str) -> bool:
    """True if ``host_path`` matches ``pattern``; a pattern without ``/`` matches the base name."""
    if "/" not in pattern.strip("/"):
        return compile_glob(pattern).match(posixpath.basename(host_path)) is not None
    return compile_glob(pattern).match(host_path.strip("/")) is not None


def _union(regexes: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{r})" for r in regexes), re.S) if regexes else None


def _segments(pattern: str) -> list[str]:
    return [s for s in pattern.strip("/").split("/") if s not in ("", ".")]


class _NameGlobs:
    """Segment globs against one name (no ``/``), as their regexes would answer: a literal
    name by set lookup, ``*<literal>`` by ``endswith``, ``<literal>*`` by ``startswith``, the
    rest by one alternation. ``[^/]*`` before a literal tail made the regex retry the tail at
    every position of the name, once per glob of that shape."""

    def __init__(self, items: list[tuple[str | None, str]]) -> None:
        exact: set[str] = set()
        suffixes: list[str] = []
        prefixes: list[str] = []
        rest: list[str] = []
        for segment, regex in items:           # segment None: use the regex
            if segment is None:
                rest.append(regex)
            elif not _MAGIC.search(segment):
                exact.add(segment)
            elif len(segment) > 1 and segment[0] == "*" and not _MAGIC.search(segment[1:]):
                suffixes.append(segment[1:])
            elif len(segment) > 1 and segment[-1] == "*" and not _MAGIC.search(segment[:-1]):
                prefixes.append(segment[:-1])
            else:
                rest.append(regex)
        self.exact = frozenset(exact)
        self.suffixes = tuple(suffixes)
        self.prefixes = tuple(prefixes)
        self.rest = _union(rest)
        self.empty = not items

    def match(self, name: str) -> bool:
        return (name in self.exact or name.endswith(self.suffixes) or name.startswith(self.prefixes)
                or (self.rest is not None and self.rest.match(name) is not None))


class GlobSet:
    """Several globs matched at once, with ``glob_match``'s meaning; ``first`` names the first
    glob, in the given order, that matches.

    One regex (an alternation) per kind of glob: globs without ``/`` against the base name;
    ``**/<segment>`` globs against the last segment (the same thing when the path has no empty
    segment); the others against the whole host path."""

    def __init__(self, patterns: tuple[str, ...] | list[str]) -> None:
        self.patterns = tuple(patterns)
        names, deep, paths = [], [], []
        leaf: list[tuple[str | None, str]] = []     # (segment glob if plain, its regex)
        for pattern in self.patterns:
            segments = _segments(pattern)
            if "/" not in pattern.strip("/"):
                names.append(compile_glob(pattern).pattern)
                plain = len(segments) == 1 and not _DRIVE.match(segments[0])   # "C": a drive
                leaf.append((segments[0] if plain else None, names[-1]))
            elif len(segments) == 2 and segments[0] == "**" and segments[1] != "**":
                deep.append(_segment_regex(segments[1]) + r"\Z")
                leaf.append((segments[1], deep[-1]))
            else:
                paths.append(compile_glob(pattern).pattern)
        self._names = _union(names)
        self._deep = _union(deep)
        self._paths = _union(paths)
        self._all_paths = _union([compile_glob(p).pattern for p in self.patterns
                                  if "/" in p.strip("/")])
        # the common cases: a base name (every kind of glob), and the last segment of a path
        # without empty segments (base-name and ``**/`` globs)
        self._any_name = _union(names + deep + paths)
        self._leaf = _NameGlobs(leaf)

    def match_name(self, name: str) -> bool:
        """``match`` for a base name (no ``/``)."""
        if "/" in name:
            return self._any_name is not None and self._any_name.match(name) is not None
        return self._leaf.match(name) or (self._paths is not None and self._paths.match(name) is not None)

    def match(self, host_path: str) -> bool:
        if "//" not in host_path and not host_path.endswith("/"):
            stripped = host_path.lstrip("/")
            if self._leaf.match(stripped.rpartition("/")[2]):
                return True
            return self._paths is not None and self._paths.match(stripped) is not None
        if self._names is not None and self._names.match(posixpath.basename(host_path)):
            return True
        stripped = host_path.strip("/")
        if "//" in stripped:
            return self._all_paths is not None and self._all_paths.match(stripped) is not None
        if self._deep is not None and self._deep.match(stripped.rpartition("/")[2]):
            return True
        return self._paths is not None and self._paths.match(stripped) is not None

    def first(self, host_path: str) -> str | None:
        if not self.match(host_path):
            return None
        return next(p for p in self.patterns if glob_match(host_path, p))


@functools.lru_cache(maxsize=1024)
def glob_set(patterns: tuple[str, ...]) -> GlobSet:
    """A cached ``GlobSet`` for a tuple of globs."""
    return GlobSet(patterns)


# ------------------------------------------------------------------ expansion
@dataclass
class WalkBudget:
    """Shared counter so several expansions in one run stay bounded."""

    dirs_left: int = MAX_GLOB_DIRS

    def take(self) -> bool:
        self.dirs_left -= 1
        return self.dirs_left >= 0


Listings = dict[str, list[os.DirEntry[str]]]


def _scandir(path: str, budget: WalkBudget, listings: Listings | None = None
             ) -> list[os.DirEntry[str]]:
    if not budget.take():
        return []
    if listings is not None and path in listings:
        return listings[path]
    found, why = list_folder(path)
    if why is not None:
        found = Unlisted(why)
    if listings is not None:
        listings[path] = found
    return found


def folder_entries(root: Path, folder: str, budget: WalkBudget, listings: Listings | None = None
                   ) -> list[os.DirEntry[str]]:
    """The sorted entries of the host folder ``folder`` (``var/log/jetty9``), from ``listings``
    when a glob expansion of the same run has listed it already."""
    return _scandir(os.path.join(os.fspath(root), *folder.split("/")), budget, listings)


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def expand_glob(
    root: Path,
    pattern: str,
    *,
    max_depth: int = MAX_GLOB_DEPTH,
    budget: WalkBudget | None = None,
    skip_dirs: frozenset[str] = frozenset(),
) -> list[str]:
    """Host paths under ``root`` matching ``pattern`` (files, folders, symlinks, anything).

    Symlinked folders are listed but never entered. ``skip_dirs`` are host paths not entered by
    ``**`` or ``*`` (system folders); a literal segment still reaches them.
    """
    return list(expand_glob_entries(root, pattern, max_depth=max_depth, budget=budget,
                                    skip_dirs=skip_dirs))


def _literal_suffix(segment: str) -> str:
    """Text every name matching the (magic) segment ends with: what follows its last ``*``,
    ``?`` or ``]`` ("" if that holds a ``[``), checked before the regex."""
    cut = max(segment.rfind("*"), segment.rfind("?"), segment.rfind("]"))
    tail = segment[cut + 1:]
    return "" if "[" in tail else tail


def expand_glob_entries(
    root: Path,
    pattern: str,
    *,
    max_depth: int = MAX_GLOB_DEPTH,
    budget: WalkBudget | None = None,
    skip_dirs: frozenset[str] = frozenset(),
    listings: Listings | None = None,
    stopped: dict[str, str] | None = None,
) -> dict[str, os.DirEntry[str] | None]:
    """``expand_glob`` with, for each host path, the folder entry it was found by (its
    ``is_dir``/``is_symlink``/``stat`` answers are cached), or None when a literal segment
    reached it. ``listings`` (folder -> sorted entries) lets several expansions in one run list
    each folder once; the budget is charged as if each listed it again.

    ``stopped`` (host folder -> why) gets the folders the walk would have searched but did not:
    deeper than ``max_depth`` (each such folder), or once the folder budget ran out (the first
    folder refused), so a caller can list them instead of losing their files silently."""
    budget = budget or WalkBudget()
    segments = [s for s in pattern.strip("/").split("/") if s not in ("", ".")]
    found: dict[str, os.DirEntry[str] | None] = {}
    root_text = os.fspath(root)
    last = len(segments) - 1

    def listed(host: str, base: str, wild: bool) -> list[os.DirEntry[str]]:
        entries = _scandir(base, budget, listings)
        if budget.dirs_left < 0 and stopped is not None and not refused:
            refused.append(host)
            stopped.setdefault(host or ".", BUDGET_STOP)
        why = unlisted_reason(entries)
        if why is not None and stopped is not None and not wild:
            stopped.setdefault(host or ".", why)
        return entries

    def unreachable(host: str, index: int, why: str, wild: bool) -> None:
        """A literal part of the pattern that cannot be looked at: the folder the pattern's
        literal start names (the folder a config points at, when the path is too long), or,
        when permission is denied, the folder it is in (the one that cannot be searched)."""
        if stopped is None or wild:
            return
        if why.startswith("path too long"):
            for segment in segments[index:last]:
                if _MAGIC.search(segment) or segment == "**":
                    break
                host = f"{host}/{segment}" if host else segment
        stopped.setdefault(host or ".", UNREADABLE_FOLDER + why)

    refused: list[str] = []

    # wild: the folder was reached through a wildcard (opt/oracle/*/network/...): one that
    # cannot be listed there is a folder nobody asked for (oraInventory, mode 0770), not a
    # folder the pattern needs, so it is passed over as absent, not reported
    def walk(host: str, index: int, depth: int, wild: bool = False) -> None:
        if index == len(segments):
            if host:
                found.setdefault(host, None)
            return
        if depth > max_depth:
            if stopped is not None:
                stopped.setdefault(host, DEPTH_STOP if max_depth == MAX_GLOB_DEPTH else
                                   f"folder more than {max_depth} levels below the root: not searched")
            return
        segment = segments[index]
        base = os.path.join(root_text, *host.split("/")) if host else root_text
        if segment == "**":
            walk(host, index + 1, depth, wild)     # zero folders
            for entry in listed(host, base, wild):
                child = f"{host}/{entry.name}" if host else entry.name
                if _is_real_dir(entry) and child not in skip_dirs:
                    walk(child, index, depth + 1, True)
            return
        if index == 0 and _DRIVE.match(segment):
            regex = re.compile(_drive_regex(segment) + r"\Z")
        elif _MAGIC.search(segment):
            regex = re.compile(_segment_regex(segment) + r"\Z", re.S)
        else:
            child = f"{host}/{segment}" if host else segment
            path = os.path.join(base, segment)
            info, why = probe(path)
            if why is not None:
                unreachable(host, index, why, wild)
            elif info is None:
                pass
            elif index == last:
                found.setdefault(child, None)
            elif stat.S_ISDIR(info.st_mode):
                walk(child, index + 1, depth + 1, wild)
            return
        match = regex.match
        entries = listed(host, base, wild)
        drive = index == 0 and _DRIVE.match(segment)
        prefix = "" if drive else _MAGIC.split(segment, 1)[0]
        suffix = "" if drive else _literal_suffix(segment)
        start = bisect.bisect_left(entries, prefix, key=_entry_name) if prefix else 0
        for position in range(start, len(entries)):
            entry = entries[position]
            name = entry.name
            if prefix and not name.startswith(prefix):
                break                      # sorted: the names with this prefix are together
            if suffix and not name.endswith(suffix) or not match(name):
                continue
            child = f"{host}/{name}" if host else name
            if child in skip_dirs:
                continue
            if index == last:
                found.setdefault(child, entry)
            elif _is_real_dir(entry):
                walk(child, index + 1, depth + 1, True)

    if segments:
        walk("", 0, 0)
    return found


# ------------------------------------------------------------------ safe files
def file_type_name(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "symlink"
    return "regular" if stat.S_ISREG(mode) else "special file"


MAX_SYMLINKS = 40                  # links followed to resolve one path (Linux's limit)


def real_in_root(root_real: str, relative: str) -> tuple[str | None, str]:
    """(real path, "") of ``relative`` (a path under the root), every symlink on it resolved as
    the host the root is a copy of would resolve it: an absolute target means ROOT/target, and
    ``..`` stops at the root, as ``/..`` is ``/``. So the answer is always inside the root.
    Else (None, why): "symlink loop", "dangling symlink" (a part missing, or not a folder), or
    why a part cannot be looked at. Only ``lstat`` and ``readlink`` of paths inside the root."""
    todo = [part for part in reversed(relative.split(os.sep)) if part not in ("", ".")]
    current = root_real
    links = 0
    while todo:
        part = todo.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if current != root_real:
                current = os.path.dirname(current)
            continue
        path = os.path.join(current, part)
        try:
            info = os.lstat(path)
            if not stat.S_ISLNK(info.st_mode):
                current = path
                continue
            links += 1
            if links > MAX_SYMLINKS:
                return None, "symlink loop"
            target = os.readlink(path)
        except OSError as error:
            if error.errno in (errno.ENOENT, errno.ENOTDIR):
                return None, "dangling symlink"
            return None, f"cannot stat symlink target: {error.strerror or error}"
        if os.path.isabs(target):
            current = root_real
        todo.extend(part for part in reversed(target.split(os.sep)) if part not in ("", "."))
    return current, ""


def own_location(path: Path | str) -> str:
    """Where ``path`` itself is, a symlink not followed: its folder's real path and its name.
    What tells apart skipped links that share a target (each is listed)."""
    folder, name = os.path.split(os.fspath(path))
    return os.path.join(os.path.realpath(folder), name)


def resolve_regular(root: Path, source: Path) -> tuple[Path | None, os.stat_result | None, str]:
    """(real path, stat, "") for a regular file inside the root, else (None, None, why not).

    A symlink is resolved as on the host the root is a copy of (``--root /mnt/copy``: a link to
    ``/etc/genesys/run.sh`` is ``/mnt/copy/etc/genesys/run.sh``), and so is a folder on the path;
    a target the copy does not have is looked up as this system sees it (a link holding the
    root's own path), and taken only if that is inside the root. Nothing outside it is read.
    """
    try:
        info = os.lstat(source)
    except OSError as error:
        if error.errno in ABSENT_ERRNOS:
            return None, None, f"cannot stat: {error.strerror or error}"
        return None, None, UNREADABLE_FILE + os_problem(error)
    root_real = os.path.realpath(root)
    if not stat.S_ISLNK(info.st_mode):
        kind = file_type_name(info.st_mode)
        if kind != "regular":
            return None, None, f"not a regular file ({kind})"
        real = os.path.realpath(source)
        if is_inside(root_real, real):
            return Path(real), info, ""
    relative = os.path.relpath(source, root)
    real, why = (None, "symlink leaves the root") if relative.split(os.sep)[0] == ".." else \
        real_in_root(root_real, relative)
    if real is None and why != "symlink loop":
        try:
            real = os.path.realpath(source, strict=True)
        except OSError as error:
            return None, None, "symlink loop" if error.errno == errno.ELOOP else why
        if not is_inside(root_real, real):
            return None, None, "symlink leaves the root"
    if real is None:
        return None, None, why
    try:
        info = os.stat(real)
    except OSError as error:
        return None, None, f"cannot stat symlink target: {error.strerror or error}"
    kind = file_type_name(info.st_mode)
    if kind != "regular":
        return None, None, f"symlink target is not a regular file ({kind})"
    return Path(real), info, ""


_READ_ONLY = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NOATIME = getattr(os, "O_NOATIME", 0)


def open_read_only(path: Path | str, *, follow_symlinks: bool = False) -> int:
    """A file descriptor for reading a source file: read-only, close-on-exec, non-blocking (a
    FIFO does not block the open; callers check the type with ``fstat``), ``O_NOFOLLOW`` unless
    ``follow_symlinks``, and ``O_NOATIME`` where the kernel allows it: Linux allows it to the
    file's owner and to root (CAP_FOWNER) and refuses it to others with EPERM, then the file is
    opened without it (its access time may change, as for any reader)."""
    flags = _READ_ONLY if follow_symlinks else _READ_ONLY | _NOFOLLOW
    if _NOATIME:
        try:
            return os.open(path, flags | _NOATIME)
        except PermissionError as error:
            if error.errno != errno.EPERM:
                raise
    return os.open(path, flags)


def read_head(path: Path, limit: int, *, follow_symlinks: bool = False) -> bytes:
    """First ``limit`` bytes of a regular file (``open_read_only``; b"" on any error), the page
    cache left as it was (``pagecache``)."""
    try:
        fd = open_read_only(path, follow_symlinks=follow_symlinks)
    except OSError:
        return b""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return b""
        if not info.st_size:       # /proc, /sys: no size, no page cache to leave alone
            return os.read(fd, limit)
        return read_leaving_cache(fd, info.st_size, 0, limit)
    except OSError:
        return b""
    finally:
        os.close(fd)


def read_tail(path: Path, limit: int) -> bytes:
    """Last ``limit`` bytes of a regular file (``read_head``'s rules; b"" on any error)."""
    try:
        fd = open_read_only(path)
    except OSError:
        return b""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return b""
        start = max(0, info.st_size - limit)
        return read_leaving_cache(fd, info.st_size, start, info.st_size - start)
    except OSError:
        return b""
    finally:
        os.close(fd)


# ------------------------------------------------------------------ log names
_LOG_NAME = re.compile(
    r"^(?P<base>.+?)(?:-(?P<thread>\d{3,4}))?\.(?P<ts>\d{8}_\d{6}_\d{3})"
    r"(?P<companion>\.snapshot|\.memory)?\.(?P<ext>log|qsp)$"
)


@dataclass(frozen=True)
class LogName:
    base: str                      # file name without thread suffix, timestamp and extension
    thread: str | None             # "001", "768" ... (SIP Server multi-threaded streams)
    stamp: str | None              # "20240305_091500_120" as in the name
    companion: str | None          # "snapshot" | "memory" | "qsp" | None (plain segment)

    @property
    def stream(self) -> tuple[str, str | None, str | None]:
        return (self.base, self.thread, self.companion)

    @property
    def stamp_time(self) -> datetime | None:
        if not self.stamp:
            return None
        try:
            return datetime.strptime(self.stamp + "000", "%Y%m%d_%H%M%S_%f")
        except ValueError:
            return None


_ROLLED_AFTER_LOG = re.compile(r"^(?P<base>.+?\.log)\.(?P<ts>\d{8}_\d{6}_\d{3})(?:-\d{1,4})?$")
_LOG_LIKE = re.compile(r"\.log(?:\.\d{8}_\d{6}_\d{3}(?:-\d{1,4})?)?$")
_JAVA_ROLLED = re.compile(r"^(?P<base>.+?)\.(?P<date>\d{4}-\d{2}-\d{2}(?:[._-]\d{1,4})*)\.log$")


def is_log_name(file_name: str) -> bool:
    """``*.log`` or a log rolled after its extension (``gax.log.<YYYYMMDD_HHMMSS_mmm>[-N]``)."""
    return _LOG_LIKE.search(file_name) is not None


def segment_name(file_name: str) -> str:
    """The file name of the segment a file holds: a compressed rotation (``SIPS_P.<ts>.log.gz``)
    is a segment of its stream like the plain file it was."""
    return file_name[:-3] if file_name.endswith(".gz") else file_name


def is_log_or_rotation_name(file_name: str) -> bool:
    """``is_log_name``, or a compressed rotation of one (``SIPS_P.<ts>.log.gz``): a stopped
    application whose segments a site job has all gzipped still has its stream there."""
    return is_log_name(segment_name(file_name))


def parse_log_name(file_name: str) -> LogName:
    """Split a Genesys log file name; a name without a timestamp is its own stream.

    Java apps (logback/log4j) roll ``cloud.log`` into ``cloud.<yyyy-MM-dd>[.<i>].log``: same
    stream as ``cloud.log`` (stamp = the date part, not a Genesys stamp).
    """
    return LogName(*log_name_parts(file_name))


def log_name_parts(file_name: str) -> tuple[str, str | None, str | None, str | None]:
    """``parse_log_name`` as a plain tuple (base, thread, stamp, companion), for loops over
    whole folders."""
    after = ".log." in file_name and _ROLLED_AFTER_LOG.match(file_name)  # GAX: gax.log.<ts>[-1]
    if after:
        return after.group("base"), None, after.group("ts"), None
    java = "-" in file_name and _JAVA_ROLLED.match(file_name)
    if java:
        return java.group("base"), None, None, None
    found = _LOG_NAME.match(file_name)
    if found:
        base, thread, stamp, companion, ext = found.group("base", "thread", "ts", "companion", "ext")
        if ext == "qsp":
            companion = ".qsp"
        return base, thread, stamp, companion.lstrip(".") if companion else None
    base = file_name[:-4] if file_name.endswith(".log") else file_name
    return base, None, None, None


def iter_files(directory: Path) -> Iterator[os.DirEntry[str]]:
    """Entries of one folder, sorted, symlinks included (callers check them)."""
    try:
        with os.scandir(directory) as entries:
            yield from sorted(entries, key=lambda e: e.name)
    except OSError:
        return
