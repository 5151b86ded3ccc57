"""Read an application's local configuration file (``*.cfg``, ``*.conf``, ``*.ini``).

Only what discovery needs: the ``[log]`` output options that name log files (GENESYS.md (b):
``all, standard, trace, interaction, debug, alarm`` = comma lists of ``stdout, stderr, network,
memory, <filename>``) mapped to host paths, whether ``[log] keep-startup-file`` keeps the
startup segment (``true`` or a size: anything but ``false``), and the application name the
file implies.

Path mapping of a ``<filename>`` (the log *base*, Genesys appends ``.<timestamp>.log``):
  * relative (``SIPS_P``, ``./logs/gax.log``, ``logs\\x``): relative to the app dir (working dir);
  * absolute POSIX (``/var/log/genesys/SIPS_P``): the same path under the root;
  * absolute Windows (``D:\\logs\\SIPS``): ``D/logs/SIPS``, using the spelling of the drive folder
    that exists under the root (``D``, ``d``, ``D:``, ``d:``), ``D`` if none does;
  * UNC (``\\\\server\\share\\x``) and names escaping the root: not mapped (``None``).

Pure text functions plus bounded reads (``MAX_CONFIG_BYTES``); ``examine_app_dir`` lists one
app folder (and its ``config``/``conf``/``etc``/``resources`` sub-folders) for configs,
launch scripts (``-app NAME``) and ``Detect.files`` markers (also in its ``bin``, ``webapp``
and ``webapps`` folders).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from collector.hostfiles import GlobSet, WalkBudget, escape, expand_glob, glob_match, glob_set, \
    read_head, source_of
from collector.model import Profile

MAX_CONFIG_BYTES = 32 * 1024      # a local .cfg is a few KB; [log] may come after DB sections
MAX_SCRIPT_BYTES = 8 * 1024
CONFIG_PATTERNS = ("*.cfg", "*.conf", "*.ini")
JAVA_LOG_CONFIG_PATTERNS = ("logback*.xml", "log4j2*.xml", "log4j*.xml")
CONFIG_SUBDIRS = ("config", "conf", "etc", "resources")   # also searched for config files
# also searched for marker files (MCP_8.5/bin/pwproxy, gax/webapp/gax.war): part of the app's folder
BINARY_SUBDIRS = ("bin", "webapp", "webapps")
SCRIPT_PATTERNS = ("run.sh", "*.sh", "*.bat", "*.cmd")
LOG_OUTPUT_OPTIONS = ("all", "standard", "trace", "interaction", "debug", "alarm")
NON_FILE_OUTPUTS = frozenset({"", "stdout", "stderr", "network", "memory", "syslog", "false"})
GENERIC_SECTIONS = frozenset({
    "log", "hca", "general", "log-filter", "log-filter-data", "log-extended", "security",
    "backup", "lca", "ads", "sml", "snmp", "ha", "annex", "transport", "options", "default",
})

_SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_OPTION = re.compile(r"^\s*([^=:#;\s][^=:]*?)\s*[=:]\s*(.*?)\s*$")
_APP_ARG = re.compile(r"(?:^|\s)-app\s+(\"[^\"]+\"|'[^']+'|\S+)")
_WIN_ABSOLUTE = re.compile(r"^([A-Za-z]):[\\/](.*)$")
_JAVA_LOG_FILE = re.compile(r"<file>\s*([^<]+?)\s*</file>|\bfileName\s*=\s*\"([^\"]+)\"", re.I)


@dataclass(frozen=True)
class LogOutput:
    option: str                 # "all", "standard", ...
    value: str                  # the file name as written
    host_base: str | None       # mapped host path of the log base, None if not mappable


@dataclass(frozen=True)
class AppConfig:
    host_path: str              # of the config file
    sections: tuple[str, ...]
    app_name: str | None        # from the file's own sections, None if it does not say
    log_outputs: tuple[LogOutput, ...]
    style: str = "ini"          # "ini" ([log] options) or "java" (logback/log4j <file>)
    keep_startup_file: bool = False     # [log] keep-startup-file: the first segment is kept

    def evidence(self) -> list[str]:
        if self.style == "java":
            return [f"config {self.host_path} <file>"] if self.log_outputs else []
        options = sorted({o.option for o in self.log_outputs})
        return [f"config {self.host_path} [log] {o}" for o in options] or [f"config {self.host_path}"]


def parse_ini(text: str) -> dict[str, dict[str, str]]:
    """Tolerant INI: ``[section]`` then ``key = value`` / ``key: value``; ``#``/``;`` comments.

    Section names keep their spelling, keys are lower-cased; the first value of a key wins.
    Lines before the first section go to section ``""``.
    """
    sections: dict[str, dict[str, str]] = {}
    current = sections.setdefault("", {})
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        section = _SECTION.match(line)
        if section:
            current = sections.setdefault(section.group(1), {})
            continue
        option = _OPTION.match(line)
        if option:
            current.setdefault(option.group(1).strip().lower(), option.group(2))
    if not sections[""]:
        del sections[""]
    return sections


def _drive_folder(root: Path | None, letter: str) -> str:
    if root is not None:
        for spelling in (letter.upper(), letter.lower(), letter.upper() + ":", letter.lower() + ":"):
            if os.path.isdir(os.path.join(root, spelling)):
                return spelling
    return letter.upper()


def map_log_path(value: str, app_dir: str | None, root: Path | None = None) -> str | None:
    """Map a ``[log]`` file name to a host path (see the module docstring)."""
    value = value.strip().strip("\"'").strip()
    if not value or value.startswith(("\\\\", "//")):
        return None
    windows = _WIN_ABSOLUTE.match(value)
    if windows:
        rest = windows.group(2).replace("\\", "/")
        mapped = posixpath.normpath(f"{_drive_folder(root, windows.group(1))}/{rest}")
    elif value.startswith("/"):
        mapped = posixpath.normpath(value).lstrip("/")
    else:
        if app_dir is None:
            return None
        mapped = posixpath.normpath(posixpath.join(app_dir, value.replace("\\", "/")))
    if mapped in ("", ".") or mapped.startswith("../") or mapped == "..":
        return None
    return mapped


def log_outputs(sections: dict[str, dict[str, str]], app_dir: str | None,
                root: Path | None = None) -> tuple[LogOutput, ...]:
    """File outputs of the ``[log]`` section, in option order, duplicates removed."""
    log = next((opts for name, opts in sections.items() if name.lower() == "log"), {})
    found: list[LogOutput] = []
    seen: set[tuple[str, str]] = set()
    for option in LOG_OUTPUT_OPTIONS:
        for item in log.get(option, "").split(","):
            item = item.strip()
            if item.lower() in NON_FILE_OUTPUTS or (option, item) in seen:
                continue
            seen.add((option, item))
            found.append(LogOutput(option, item, map_log_path(item, app_dir, root)))
    return tuple(found)


def keeps_startup_file(sections: dict[str, dict[str, str]]) -> bool:
    """``[log] keep-startup-file`` set: ``true`` or a size (``5 MB``); ``false`` (the default),
    ``0`` or nothing is not."""
    log = next((opts for name, opts in sections.items() if name.lower() == "log"), {})
    value = log.get("keep-startup-file", "").strip().strip("\"'").strip().lower()
    return value not in ("", "false", "no", "off", "0")


def app_name_from_sections(sections: dict[str, dict[str, str]]) -> str | None:
    """The application section of a local config file, if it names one.

    Configuration Server style: ``[confserv] server = dbserver`` with a ``[dbserver]`` section:
    the section pointing at another section is the application (its name is the app name).
    Otherwise the single non-generic section that has a ``port`` option and names no other
    server: ``[pop-client] server = imap.example.com`` (E-mail Server) is a connection to
    another server, its port that server's.
    """
    names = {name.lower(): name for name in sections if name}
    for name, options in sections.items():
        target = options.get("server", "").strip().lower()
        if name and target and target in names and target != name.lower():
            return name

    def names_a_remote_server(options: dict[str, str]) -> bool:
        return any(options.get(key, "").strip().lower() not in ("", *names)
                   for key in ("server", "host"))

    with_port = [n for n, o in sections.items()
                 if n and n.lower() not in GENERIC_SECTIONS and "port" in o
                 and not names_a_remote_server(o)]
    return with_port[0] if len(with_port) == 1 else None


def script_app_name(text: str) -> str | None:
    """``-app NAME`` from a launch script (``run.sh``, ``*.bat``) or a command line."""
    found = _APP_ARG.search(text)
    return found.group(1).strip("\"'") if found else None


def read_app_config(root: Path, host_path: str, app_dir: str | None) -> AppConfig | None:
    """Parse one local config file; None if it is unreadable or has no sections."""
    raw = read_head(source_of(root, host_path), MAX_CONFIG_BYTES)
    if not raw or b"\0" in raw[:1024]:
        return None
    sections = parse_ini(raw.decode("utf-8", "replace"))
    if not sections:
        return None
    return AppConfig(
        host_path=host_path,
        sections=tuple(name for name in sections if name),
        app_name=app_name_from_sections(sections),
        log_outputs=log_outputs(sections, app_dir, root),
        keep_startup_file=keeps_startup_file(sections),
    )


def read_java_log_config(root: Path, host_path: str, app_dir: str | None) -> AppConfig | None:
    """logback / log4j XML: each ``<file>`` / ``fileName=`` is a log file; its base drops ``.log``.

    Values with unresolved variables (``${LOG_DIR}/x.log``) are not mapped."""
    raw = read_head(source_of(root, host_path), MAX_CONFIG_BYTES)
    outputs: list[LogOutput] = []
    for found in _JAVA_LOG_FILE.finditer(raw.decode("utf-8", "replace")):
        value = (found.group(1) or found.group(2)).strip()
        if "${" in value or "%" in value or any(o.value == value for o in outputs):
            continue
        base = value[:-4] if value.lower().endswith(".log") else value
        outputs.append(LogOutput("file", value, map_log_path(base, app_dir, root)))
    if not outputs:
        return None
    return AppConfig(host_path, (), None, tuple(outputs), style="java")


def read_script_app_name(root: Path, host_path: str) -> str | None:
    raw = read_head(source_of(root, host_path), MAX_SCRIPT_BYTES)
    if not raw or b"\0" in raw[:1024]:
        return None
    return script_app_name(raw.decode("utf-8", "replace"))


# ------------------------------------------------------------------ app folders
def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


@dataclass
class AppDir:
    """What one application folder says about itself (filled by ``examine_app_dir``)."""

    host: str
    configs: list[AppConfig] = field(default_factory=list)
    script_name: str | None = None
    hints: dict[str, list[str]] = field(default_factory=dict)     # product -> evidence
    markers: dict[str, set[str]] = field(default_factory=dict)    # marker file -> its products
    process_name: str | None = None
    evidence: list[str] = field(default_factory=list)
    rank: int = 0                  # how sure discovery is this is the app's folder

    @property
    def config_bases(self) -> list[str]:
        return [o.host_base for c in self.configs for o in c.log_outputs if o.host_base]

    @property
    def startup_bases(self) -> list[str]:
        """The config bases whose config sets ``keep-startup-file``."""
        return [o.host_base for c in self.configs if c.keep_startup_file
                for o in c.log_outputs if o.host_base]

    def name(self) -> tuple[str, str]:
        """(application name, where it came from: process, script, config or folder)."""
        if self.process_name:
            return self.process_name, "process"
        if self.script_name:
            return self.script_name, "script"
        for config in self.configs:
            if config.app_name:
                return config.app_name, "config"
        return posixpath.basename(self.host) or "host", "folder"


def _files(root: Path, host: str) -> list[str]:
    try:
        with os.scandir(source_of(root, host)) as entries:
            return sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
    except OSError:
        return []


_CONFIG_SET = GlobSet(CONFIG_PATTERNS)
_JAVA_LOG_CONFIG_SET = GlobSet(JAVA_LOG_CONFIG_PATTERNS)
_SCRIPT_SET = GlobSet(SCRIPT_PATTERNS)


def _read_configs(root: Path, app: AppDir, folder: str, files: list[str]) -> None:
    for name in files:
        config = None
        if _CONFIG_SET.match_name(name):
            config = read_app_config(root, _join(folder, name), app.host)
        elif _JAVA_LOG_CONFIG_SET.match_name(name):
            config = read_java_log_config(root, _join(folder, name), app.host)
        if config is not None:
            app.configs.append(config)
            app.evidence += config.evidence()


def examine_app_dir(root: Path, app: AppDir, profiles: Mapping[str, Profile]) -> None:
    """Fill an app dir's configs (also in ``config``/``conf``/... sub-folders), launch-script
    name and marker hints."""
    files = _files(root, app.host)
    names = set(files)
    wildcard = _wildcard_markers(profiles)
    # only the few files some config, script or wildcard marker glob matches need a look
    interesting = _interesting(wildcard.patterns)
    files = [n for n in files if interesting.match_name(n)]
    _read_configs(root, app, app.host, files)
    for sub in CONFIG_SUBDIRS:
        folder = _join(app.host, sub)
        if os.path.isdir(source_of(root, folder)) and not os.path.islink(source_of(root, folder)):
            _read_configs(root, app, folder, _files(root, folder))
    for name in files:
        if app.script_name is None and _SCRIPT_SET.match_name(name):
            host = _join(app.host, name)
            app.script_name = read_script_app_name(root, host)
            if app.script_name:
                app.evidence.append(f"script {host} -app {app.script_name}")
    def marked(listed: list[str]) -> list[str]:
        return [n for n in listed if wildcard.match_name(n)] if wildcard.patterns else []

    # the application's binaries may sit in its bin/ folder: their markers are its own
    folders = [(app.host, names, marked(files))]
    for sub in BINARY_SUBDIRS:
        folder = _join(app.host, sub)
        if os.path.isdir(source_of(root, folder)) and not os.path.islink(source_of(root, folder)):
            in_bin = _files(root, folder)
            folders.append((folder, set(in_bin), marked(in_bin)))
    for product, profile in profiles.items():
        for pattern in profile.detect.files:
            if "/" in pattern:
                hits = expand_glob(root, f"{escape(app.host)}/{pattern}", budget=WalkBudget(200))
            elif not any(c in pattern for c in "*?[{"):       # a plain name: one set lookup
                hits = [_join(folder, pattern) for folder, present, _ in folders
                        if pattern in present]
            else:
                hits = [_join(folder, n) for folder, _, wild in folders for n in wild
                        if glob_match(n, pattern)]
            for hit in hits:
                evidence = app.hints.setdefault(product, [])
                if f"marker {hit}" not in evidence:
                    evidence.append(f"marker {hit}")
                app.markers.setdefault(hit, set()).add(product)


def _interesting(wildcard_markers: tuple[str, ...]) -> GlobSet:
    return glob_set(CONFIG_PATTERNS + JAVA_LOG_CONFIG_PATTERNS + SCRIPT_PATTERNS + wildcard_markers)


def _wildcard_markers(profiles: Mapping[str, Profile]) -> GlobSet:
    """One ``GlobSet`` of every profile's ``Detect.files`` globs matched by base name."""
    return glob_set(tuple(sorted({p for profile in profiles.values() for p in profile.detect.files
                                  if "/" not in p and any(c in p for c in "*?[{")})))
