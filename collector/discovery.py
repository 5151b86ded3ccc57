"""Find the Genesys applications installed under a root: ``discover(root, profiles) -> [Installation]``.

Read-only and bounded. Signals, merged into one Installation per (product, application name,
application folder) (two folders that give one name are two installations, named by folder):

1. processes (psutil, only when the root is ``/`` unless asked): executable base name vs
   ``Detect.processes``; ``-app NAME``; the process cwd is its app dir (scanned like any other);
2. ``Detect.paths`` globs (the ``host`` profile's ``etc/os-release`` ...): the match (a folder)
   or its parent (a file) is an app dir of that product;
3. app dirs: the children and grandchildren of the standard containers (``STANDARD_CONTAINERS``,
   Windows drive spellings ``C``/``c``/``C:`` included) and every folder matching a profile's
   ``roots``; in each: local configs (``*.cfg *.conf *.ini``: ``[log]`` outputs -> log bases,
   app section -> name), launch scripts (``-app NAME``), marker files (``Detect.files``, also
   in its ``bin``/``webapp``/``webapps`` folder; ``[log] keep-startup-file`` marks the config's
   log bases as keeping their startup segment); such a sub-folder (``gax/webapp`` with
   ``gax.war``) or a config sub-folder is part of its parent's app dir, a
   marker that several products claim (a shared binary) goes to the one with a signal of its
   own there;
4. segment headers (``logheads.py``): ``*.log`` streams in app dirs and their ``logs``/``log``
   folders, in the folders of configured log bases, below the containers (``CONTAINER_DEPTH``
   folders) and anywhere under the root up to ``ROOT_SCAN_DEPTH`` folders deep outside
   ``SYSTEM_DIRS``; at most ``MAX_SCAN_DIRS`` folders and ``logheads.MAX_HEADS`` heads per run.
   A stream whose Genesys header no profile claims is no installation; its files are given
   to the caller (``unprofiled``) to be listed.

Which product an app dir is: the products of the log streams linked to it (a stream whose base
a config names, that lies in the dir or its ``logs`` folder, or whose header app name is the app
dir's name) if any, plus products of running processes there; with no linked header, its
hints (process, marker, path). A linked stream with Genesys name stamps but no header in any
segment read is a log base of the app dir's product when no stream with a header is linked to
it and its hints name only one. Names, best first: header ``Application name``, process
``-app``, launch script ``-app`` or config app section, folder name. App dir, best first:
process cwd, app dir with config/marker/script, ``Detect.paths`` match, the folder a header was
found in.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from collector.appconfig import BINARY_SUBDIRS, CONFIG_SUBDIRS, AppDir, examine_app_dir
from collector.hostfiles import UNREADABLE_FOLDER, WalkBudget, expand_glob, host_path_of, is_inside, \
    is_log_or_rotation_name, is_real_folder, list_folder, probe, source_of
from collector.logheads import HeadBudget, Stream, process_matches, scan_streams
from collector.model import Installation, Profile, unprofiled_reason

STANDARD_CONTAINERS = (
    "opt/genesys", "var/log/genesys", "home/genesys", "GCTI", "*/GCTI", "*/*/GCTI",
    "C/GCTI", "C/Program Files/GCTI", "C/Program Files (x86)/GCTI",
    "Program Files/GCTI", "Program Files (x86)/GCTI",
)
SYSTEM_DIRS = frozenset({
    "proc", "sys", "dev", "usr", "lib", "lib32", "lib64", "libx32", "bin", "sbin", "boot", "run",
    "tmp", "var/lib", "var/cache", "var/tmp", "snap", "lost+found",
})
WINDOWS_SYSTEM_NAMES = frozenset({"windows", "$recycle.bin", "system volume information"})
LOG_DIR_NAMES = frozenset({"logs", "log", "trace", "traces"})
ROOT_SCAN_DEPTH = 5                # folders below the root searched for log headers
CONTAINER_DEPTH = 5                # folders below a standard container searched for log headers
ROOTS_GLOB_DEPTH = 8               # deepest folder a profile ``roots`` / ``paths`` glob reaches
MAX_SCAN_DIRS = 20_000

NAME_FOLDER, NAME_CONFIG, NAME_PROCESS, NAME_HEADER = 1, 2, 3, 4
DIR_HEADER, DIR_PATH, DIR_APP, DIR_PROCESS = 0, 1, 2, 3


@dataclass
class _Draft:
    product: str
    name: str
    name_rank: int
    app_dir: str | None
    dir_rank: int
    log_bases: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    app_type: str | None = None
    version: str | None = None
    startup_bases: list[str] = field(default_factory=list)    # [log] keep-startup-file set


def _folder(draft: _Draft) -> str | None:
    """The application folder that makes a draft an installation of its own: one with a
    config, marker or launch script, or a process's working folder."""
    return draft.app_dir if draft.dir_rank >= DIR_APP else None


class _Drafts:
    """Installations being assembled, keyed by (product, name, application folder).

    Drafts of one product and name join, except two of different application folders: two
    folders are two installations even when their configs give one name (a copy of an app
    folder); ``installations`` then names them by folder."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str, str | None], _Draft] = {}

    def add(self, draft: _Draft) -> None:
        folder = _folder(draft)
        key = (draft.product, draft.name, folder)
        old = self.by_key.get(key)
        if old is None and folder is not None and (draft.product, draft.name, None) in self.by_key:
            # a header or process draft without a folder takes this one's
            old = self.by_key.pop((draft.product, draft.name, None))
            self.by_key[key] = old
        elif old is None and folder is None:
            old = next((d for k, d in sorted(self.by_key.items(), key=lambda kv: kv[0][2] or "")
                        if k[:2] == key[:2]), None)
        if old is None:
            self.by_key[key] = draft
            return
        if draft.app_dir and (old.app_dir is None or draft.dir_rank > old.dir_rank):
            old.app_dir, old.dir_rank = draft.app_dir, draft.dir_rank
        old.log_bases += [b for b in draft.log_bases if b not in old.log_bases]
        old.startup_bases += [b for b in draft.startup_bases if b not in old.startup_bases]
        old.evidence += [e for e in draft.evidence if e not in old.evidence]
        old.app_type = old.app_type or draft.app_type
        old.version = old.version or draft.version

    def fold_path_only(self) -> None:
        """A draft known only by a ``Detect.paths`` match (``var/log/jetty9/cloud.log``) joins
        a draft of the same product whose app dir or a log base lies in or below that folder."""
        for key, draft in list(self.by_key.items()):
            if not draft.app_dir or not all(e.startswith("path ") for e in draft.evidence):
                continue
            folder = draft.app_dir
            for other_key, other in self.by_key.items():
                if other_key == key or other.product != draft.product:
                    continue
                places = [other.app_dir or ""] + [posixpath.dirname(b) for b in other.log_bases]
                if any(p == folder or p.startswith(folder + "/") for p in places):
                    other.evidence += [e for e in draft.evidence if e not in other.evidence]
                    del self.by_key[key]
                    break

    def installations(self, only: Collection[str]) -> list[Installation]:
        names = _distinct_names(list(self.by_key.values()))
        return sorted((
            Installation(product=d.product, name=names[id(d)], app_dir=d.app_dir,
                         log_bases=tuple(sorted(set(d.log_bases))), evidence=tuple(d.evidence),
                         startup_bases=tuple(sorted(set(d.startup_bases) & set(d.log_bases))),
                         app_type=d.app_type, version=d.version)
            for d in self.by_key.values()
            if not only or d.product in only or d.product == "host"),
            key=lambda i: (i.product, i.name))


def _distinct_names(drafts: list[_Draft]) -> dict[int, str]:
    """id(draft) -> its installation name: the application name, or, where folders of one
    product give the same one, each folder's name (its host path if those clash too)."""
    by_name: dict[tuple[str, str], list[_Draft]] = {}
    for draft in drafts:
        by_name.setdefault((draft.product, draft.name), []).append(draft)
    names = {id(d): d.name for d in drafts}
    for (product, name), same in by_name.items():
        if len(same) < 2:
            continue
        taken = {d.name for d in drafts if d.product == product and d.name != name}
        folders = [posixpath.basename(d.app_dir or "") for d in same]
        for draft, folder in zip(same, folders):
            unique = folder and folders.count(folder) == 1 and folder not in taken
            names[id(draft)] = folder if unique else (draft.app_dir or draft.name)
    return names


# ------------------------------------------------------------------ app dirs
def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def _subdirs(root: Path, host: str, problems: dict[str, str] | None = None) -> list[str]:
    """The real sub-folders of a host folder; one that cannot be listed goes to ``problems``."""
    entries, why = list_folder(source_of(root, host))
    if why is not None:
        _note(problems, host, why)
    return [_join(host, e.name) for e in entries if _is_real_dir(e)]


def _note(problems: dict[str, str] | None, host: str, why: str) -> None:
    """A folder discovery needed and could not list, unless it is hidden (``home/genesys/.ssh``
    in a container: no Genesys application keeps its files there)."""
    if problems is not None and not posixpath.basename(host).startswith("."):
        problems.setdefault(host, why)


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _candidate_app_dirs(root: Path, profiles: Mapping[str, Profile], budget: WalkBudget,
                        problems: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(containers, candidate app dirs) from the standard containers and profile roots; a
    container or child of one that cannot be listed goes to ``problems``."""
    containers: list[str] = []
    for pattern in STANDARD_CONTAINERS:
        for host in expand_glob(root, pattern, max_depth=3, budget=budget, skip_dirs=SYSTEM_DIRS):
            if is_real_folder(source_of(root, host)):
                containers.append(host)
    candidates: list[str] = []
    for container in dict.fromkeys(containers):
        for child in _subdirs(root, container, problems):
            candidates.append(child)
            candidates += _subdirs(root, child, problems)
    walked: dict[str, int] = {}            # root glob -> folders its expansion listed
    for profile in profiles.values():
        for pattern in profile.roots:
            cost = walked.get(pattern)
            if cost is not None and budget.dirs_left >= cost:
                # a glob another profile has too (401 roots, 42 distinct): the same folders,
                # already in candidates; charged to the budget as if walked again
                budget.dirs_left -= cost
                continue
            before = budget.dirs_left
            for host in expand_glob(root, pattern, max_depth=ROOTS_GLOB_DEPTH, budget=budget,
                                    skip_dirs=SYSTEM_DIRS):
                if is_real_folder(source_of(root, host)):
                    candidates.append(host)
            walked[pattern] = before - budget.dirs_left
    containers = list(dict.fromkeys(containers))
    usable = (_app_folder(c, containers) for c in dict.fromkeys(candidates)
              if posixpath.basename(c).lower() not in LOG_DIR_NAMES)
    return containers, list(dict.fromkeys(c for c in usable if c))


def _app_folder(host: str, containers: Collection[str] = ()) -> str | None:
    """The application folder ``host`` is part of: itself, or the parent of a ``bin``,
    ``webapp(s)`` or config sub-folder (``MCP_8.5/bin``, ``gax/webapp``, ``jetty9/resources``);
    None when that parent is the root or a container."""
    if posixpath.basename(host).lower() not in (*BINARY_SUBDIRS, *CONFIG_SUBDIRS):
        return host
    parent = posixpath.dirname(host)
    return parent if parent and parent not in containers else None


def _app(apps: dict[str, AppDir], host: str, rank: int = DIR_APP) -> AppDir:
    app = apps.setdefault(host, AppDir(host, rank=rank))
    app.rank = max(app.rank, rank)
    return app


def _app_name(app: AppDir) -> tuple[str, int]:
    name, source = app.name()
    return name, {"process": NAME_PROCESS, "script": NAME_CONFIG, "config": NAME_CONFIG}.get(
        source, NAME_FOLDER)


# ------------------------------------------------------------------ signals
def _process_signals(root: Path, profiles: Mapping[str, Profile], apps: dict[str, AppDir],
                     drafts: _Drafts) -> None:
    from collector import processes as process_source     # psutil: only when processes are looked at

    root_real = os.path.realpath(root)
    for proc in process_source.list_processes():
        product = process_source.match_product(proc, profiles)
        if product is None:
            continue
        evidence = f"process {proc.pid} {proc.exe_name}" + (f" -app {proc.app}" if proc.app else "")
        cwd_real = os.path.realpath(proc.cwd) if proc.cwd else None
        if cwd_real and is_inside(root_real, cwd_real) and cwd_real != root_real:
            app = _app(apps, host_path_of(Path(root_real), cwd_real), DIR_PROCESS)
            app.hints.setdefault(product, []).append(evidence)
            app.process_name = app.process_name or proc.app
        else:
            drafts.add(_Draft(product, proc.app or proc.exe_name, NAME_PROCESS if proc.app else
                              NAME_FOLDER, None, DIR_HEADER, evidence=[evidence]))


def _path_signals(root: Path, profiles: Mapping[str, Profile], apps: dict[str, AppDir],
                  drafts: _Drafts, budget: WalkBudget) -> None:
    for product, profile in sorted(profiles.items()):
        for pattern in profile.detect.paths:
            for host in expand_glob(root, pattern, max_depth=ROOTS_GLOB_DEPTH, budget=budget,
                                    skip_dirs=SYSTEM_DIRS if "**" in pattern else frozenset()):
                if product == "host":
                    drafts.add(_Draft("host", "host", NAME_FOLDER, None, DIR_HEADER,
                                      evidence=[f"path {host}"]))
                    continue
                app_dir = _app_folder(host if is_real_folder(source_of(root, host))
                                      else posixpath.dirname(host))
                if app_dir:
                    _app(apps, app_dir, DIR_PATH).hints.setdefault(product, []).append(f"path {host}")


def _settle_shared_markers(app: AppDir, profiles: Mapping[str, Profile]) -> None:
    """Drop a product whose only signals here are markers another product here claims too.

    Two products may share a binary (Configuration Server and its proxy both run
    ``confserv``): a marker then means any of the products that list the file as a marker or
    its name as their process. When one of them has a signal of its own in the folder
    (``csproxy.conf``), the shared marker is that one's; alone, it stays with the products
    that list it as a marker."""
    def claimants(marker: str) -> set[str]:
        exe = posixpath.basename(marker)
        return app.markers.get(marker, set()) | {
            p for p, profile in profiles.items() if process_matches(exe, profile.detect.processes)}

    shared: dict[str, set[str]] = {}     # product -> the other products its shared markers mean
    own: set[str] = set()                # products with a signal only they give
    for product, evidence in app.hints.items():
        for item in evidence:
            others = claimants(item.removeprefix("marker ")) - {product} \
                if item.startswith("marker ") else set()
            if others:
                shared.setdefault(product, set()).update(others)
            else:
                own.add(product)
    for product, others in shared.items():
        if product not in own and others & own:
            del app.hints[product]


def _log_dirs(root: Path, containers: list[str], apps: dict[str, AppDir],
              budget: WalkBudget, problems: dict[str, str] | None = None) -> list[str]:
    """Folders holding ``*.log`` files worth a header look (see the module docstring). Of the
    folders the run needs (app dirs and their log folders, the folders of configured log
    bases), one that cannot be listed goes to ``problems``; one the walks below the containers
    and the root meet does not (no Genesys folder as far as anyone knows: a user's folder)."""
    wanted: dict[str, None] = {}
    for app in apps.values():
        wanted[app.host] = None
        for sub in _subdirs(root, app.host, problems):
            if posixpath.basename(sub).lower() in LOG_DIR_NAMES:
                wanted[sub] = None
        for base in app.config_bases:
            wanted[posixpath.dirname(base)] = None

    walked: dict[str, str | None] = {}       # folder -> why it could not be listed (None: listed)

    def walk(start: str, depth_left: int) -> None:
        stack = [(start, depth_left)]
        while stack:
            host, left = stack.pop()
            if not budget.take():
                return
            listing, why = list_folder(source_of(root, host))
            walked[host] = why
            if why is not None:
                if host in wanted:
                    _note(problems, host, why)
                continue
            if any(is_log_or_rotation_name(e.name) for e in listing):
                wanted[host] = None
            if left <= 0:
                continue
            for entry in listing:
                if not entry.is_dir(follow_symlinks=False):
                    continue
                child = _join(host, entry.name)
                if child not in SYSTEM_DIRS and entry.name.lower() not in WINDOWS_SYSTEM_NAMES:
                    stack.append((child, left - 1))

    for container in containers:
        walk(container, CONTAINER_DEPTH)
    walk("", ROOT_SCAN_DEPTH)
    usable = []
    for folder in wanted:
        source = source_of(root, folder)
        info, why = probe(source, follow=True)     # a log folder may be a symlink (logs -> /data/...)
        if why is not None:
            _note(problems, folder, UNREADABLE_FOLDER + why)
        elif info is not None and stat.S_ISDIR(info.st_mode):
            if problems is None:
                why = None
            elif folder in walked:                # a walk listed it already: not again
                why = walked[folder]
            else:
                why = list_folder(source)[1]
            if why is not None:
                _note(problems, folder, why)
            else:
                usable.append(folder)
    return usable


def _link(stream: Stream, apps: dict[str, AppDir], by_base: dict[str, str],
          by_name: dict[str, str]) -> AppDir | None:
    """The app dir a stream belongs to: the config naming its base, the folder it is in (or
    that folder's ``logs``), else the one app dir whose name is the header's app name."""
    if stream.base_path in by_base:
        return apps[by_base[stream.base_path]]
    if stream.directory in apps:
        return apps[stream.directory]
    parent = posixpath.dirname(stream.directory)
    if posixpath.basename(stream.directory).lower() in LOG_DIR_NAMES and parent in apps:
        return apps[parent]
    name = stream.header.app_name or stream.base
    return apps[by_name[name]] if name in by_name else None


def _names(apps: dict[str, AppDir]) -> dict[str, str]:
    """App name -> app dir, for names that only one app dir has."""
    seen: dict[str, list[str]] = {}
    for host, app in apps.items():
        seen.setdefault(app.name()[0], []).append(host)
    return {name: hosts[0] for name, hosts in seen.items() if len(hosts) == 1}


def _stream_draft(stream: Stream, app_dir: str | None, dir_rank: int, name: str,
                  name_rank: int) -> _Draft:
    assert stream.product is not None
    return _Draft(stream.product, name, name_rank, app_dir, dir_rank, [stream.base_path],
                  [f"header {stream.newest}"], stream.header.app_type, stream.header.version)


def _header_home(directory: str) -> str | None:
    """Best guess of an app dir from a log folder found by header alone."""
    if posixpath.basename(directory).lower() in LOG_DIR_NAMES:
        return posixpath.dirname(directory) or None
    if directory == "var/log" or directory.startswith("var/log/"):
        return None
    return directory or None


def _assemble(apps: dict[str, AppDir], streams: list[Stream], drafts: _Drafts) -> None:
    by_base = {base: host for host, app in apps.items() for base in app.config_bases}
    by_name = _names(apps)
    linked: dict[str, list[Stream]] = {}
    headerless: dict[str, list[str]] = {}      # app dir -> bases of its streams without a header
    for stream in streams:
        if stream.headerless:
            app = _link(stream, apps, by_base, by_name)
            if app is not None:
                headerless.setdefault(app.host, []).append(stream.base_path)
            continue
        if stream.product is None:
            continue
        app = _link(stream, apps, by_base, by_name)
        if app is None:
            name = stream.header.app_name or stream.base
            rank = NAME_HEADER if stream.header.app_name else NAME_FOLDER
            drafts.add(_stream_draft(stream, _header_home(stream.directory), DIR_HEADER, name, rank))
        else:
            linked.setdefault(app.host, []).append(stream)
    for host, app in sorted(apps.items()):
        app_streams = linked.get(host, [])
        fallback_name, fallback_rank = _app_name(app)
        groups: dict[tuple[str, str], list[Stream]] = {}
        for stream in app_streams:
            name = stream.header.app_name or fallback_name
            groups.setdefault((stream.product or "", name), []).append(stream)
        products_seen = set()
        app_drafts: list[_Draft] = []
        for (product, name), group in sorted(groups.items()):
            products_seen.add(product)
            rank = NAME_HEADER if group[0].header.app_name else fallback_rank
            bases = app.config_bases if len(groups) == 1 else \
                [b for b in app.config_bases if any(s.base_path == b for s in group)]
            for stream in group:
                draft = _stream_draft(stream, app.host, app.rank, name, rank)
                draft.log_bases += bases
                draft.evidence = app.evidence + app.hints.get(product, []) + draft.evidence
                app_drafts.append(draft)
        for product, hint_evidence in sorted(app.hints.items()):
            if product in products_seen:
                continue
            if products_seen and not any(e.startswith("process ") for e in hint_evidence):
                continue        # its own headers name the product; a marker or path says less
            app_drafts.append(_Draft(product, fallback_name, fallback_rank, app.host, app.rank,
                                     list(app.config_bases), app.evidence + hint_evidence))
        # segments no header names (every one starts mid-record) belong to the app dir's
        # product when only markers, configs or processes name it, and name one product; next
        # to streams with headers, or with several products, which one wrote them is a guess
        if not app_streams and len({d.product for d in app_drafts}) == 1:
            for draft in app_drafts:
                draft.log_bases += [b for b in headerless.get(host, []) if b not in draft.log_bases]
        for draft in app_drafts:
            draft.startup_bases = [b for b in app.startup_bases if b in draft.log_bases]
            drafts.add(draft)


# ------------------------------------------------------------------ entry point
def discover(root: Path, profiles: Mapping[str, Profile], *, use_processes: bool | None = None,
             only: Collection[str] = (), problems: dict[str, str] | None = None,
             unprofiled: dict[str, str] | None = None) -> list[Installation]:
    """Installations found under ``root`` (see the module docstring), sorted by product, name.

    ``use_processes=None`` looks at running processes only when ``root`` is ``/``. ``only``
    limits the result to those products (the ``host`` installation is always returned when a
    ``host`` profile is given). Detection always uses every profile, so that the most specific
    one wins.

    ``problems`` (host folder -> why, ``hostfiles.UNREADABLE_FOLDER`` ...) gets the folders
    discovery needed and could not list: a container (``var/log/genesys``) or a folder in one,
    a folder a profile's ``roots`` names, an app dir, the folder of a log base a config names.
    Their logs cannot be found, so the caller lists them rather than losing them silently.

    ``unprofiled`` (host path -> why) gets every file of the log streams whose Genesys header
    no profile claims (``logheads.Stream.unprofiled``: GRE, ``Application type:
    CFGBusinessRulesExecutionServer``), among the heads discovery reads anyway: the caller lists
    them, so that an admin knows a site profile would collect them.
    """
    root = Path(root)
    if use_processes is None:
        use_processes = os.path.realpath(root) == os.path.realpath(os.sep)
    budget = WalkBudget(MAX_SCAN_DIRS)
    drafts = _Drafts()
    apps: dict[str, AppDir] = {}
    if "host" in profiles:
        drafts.add(_Draft("host", "host", NAME_FOLDER, None, DIR_HEADER, evidence=["always"]))
    if use_processes:
        _process_signals(root, profiles, apps, drafts)
    _path_signals(root, profiles, apps, drafts, budget)
    containers, candidates = _candidate_app_dirs(root, profiles, budget, problems)
    for host in candidates:
        _app(apps, host)
    for app in apps.values():
        examine_app_dir(root, app, profiles)
        _settle_shared_markers(app, profiles)
    unused = [h for h, a in apps.items() if not (a.configs or a.hints or a.script_name)]
    if problems is not None:
        for host in unused:                # nothing found in it: was it looked at at all?
            why = list_folder(source_of(root, host))[1]
            if why is not None:
                _note(problems, host, why)
    apps = {h: a for h, a in apps.items() if h not in unused}
    heads = HeadBudget()
    streams = [s for d in _log_dirs(root, containers, apps, budget, problems)
               for s in scan_streams(root, d, profiles, heads)]
    _assemble(apps, streams, drafts)
    if unprofiled is not None:
        for stream in streams:
            if stream.unprofiled:
                why = unprofiled_reason(stream.header.app_type, stream.header.banner, stream.header.app_name)
                unprofiled.update((host, why) for host in stream.files)
    drafts.fold_path_only()
    host = drafts.by_key.get(("host", "host", None))
    if host is not None and len(host.evidence) > 1:
        host.evidence.remove("always")
    return drafts.installations(only)
