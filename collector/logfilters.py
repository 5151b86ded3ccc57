"""Log-filter awareness: which ``[log-filter]`` / ``[log-filter-data]`` options an application has.

Genesys applications can hide attached-data values themselves (GENESYS.md (c): ``hide``,
``hide-first,N``, ``skip``, ``tag(...)``...). Support needs to know what was already hidden at
the source, so the options visible in local configuration files go into the manifest. Values are
filter names, not data. Redaction leaves values the application hid (``****``, ``<#...#>``) as
they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from collector.appconfig import parse_ini
from collector.hostfiles import read_head
from collector.model import Installation

FILTER_SECTIONS = ("log-filter", "log-filter-data", "log-filter-x")
CONFIG_SUFFIXES = (".cfg", ".conf", ".ini")
MAX_CONFIG_BYTES = 1 << 20


def _configs(folder: Path) -> Iterable[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    # os.path: False on any error (a path too long for this system), where pathlib would raise
    return [p for p in entries if p.suffix.lower() in CONFIG_SUFFIXES and os.path.isfile(p) and not os.path.islink(p)]


def log_filters(root: Path, installations: Iterable[Installation]) -> dict[str, dict]:
    """{installation name: {config host path: {section: {option: value}}}} for apps that have any."""
    found: dict[str, dict] = {}
    for inst in installations:
        if not inst.app_dir:
            continue
        for path in _configs(root / inst.app_dir):
            try:
                if path.stat().st_size > MAX_CONFIG_BYTES:
                    continue
                text = read_head(path, MAX_CONFIG_BYTES).decode("utf-8", "replace")
            except OSError:
                continue
            sections = {name: options for name, options in parse_ini(text).items()
                        if name.strip().lower() in FILTER_SECTIONS}
            if sections:
                host_path = path.relative_to(root).as_posix()
                found.setdefault(f"{inst.product}:{inst.name}", {})[host_path] = sections
    return found
