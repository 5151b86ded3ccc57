"""Run settings: one frozen object holding every tunable of a collection, with defaults.

Built by the CLI from options, environment variables and (later) a config file; read by the
pipeline. Nothing here reads files except to find defaults (state dir, host name).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from collector.hostfiles import read_head

DEFAULT_FORMAT = "tar.gz"
DEFAULT_CHUNK = 1 << 20           # bytes read from a source per step


def default_state_dir() -> Path:
    """Where the site key and the token map live (never bundled)."""
    env = os.environ.get("GCOLLECT_STATE_DIR")
    if env:
        return Path(env)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/gcollect")
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "gcollect"


def host_name_for(root: Path) -> str:
    """The collected host's name: this machine's for `/`, else the copy's etc/hostname."""
    if root.resolve() == Path("/"):
        import socket

        return socket.gethostname().split(".")[0] or "host"
    for candidate in ("etc/hostname", "C/Windows/System32/drivers/etc/hostname"):
        text = read_head(root / candidate, 4096, follow_symlinks=True).decode("utf-8", "replace").strip()
        if text:
            return text.splitlines()[0].strip().split(".")[0]
    return root.resolve().name or "host"


def usable_cores() -> int:
    """The cores this process may run on (``taskset``, a cgroup cpuset, systemd's CPUAffinity=),
    not the machine's: an admin who pins gcollect to one core gets one worker."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class RunSettings:
    output_dir: Path
    state_dir: Path
    host_name: str
    fmt: str = DEFAULT_FORMAT
    case: str | None = None
    level: int | None = None                  # compression level; None = format default
    workers: int = field(default_factory=usable_cores)
    chunk_size: int = DEFAULT_CHUNK
    max_bundle_bytes: int | None = None       # --max-size
    reserve_bytes: int | None = None          # --reserve; None = min(10% of fs, 2 GiB)
    rule_dirs: tuple[Path, ...] = ()          # site rule-set folders
    command_line: str = ""
    low_priority: bool = True                 # nice + idle IO class
    extra: dict[str, str] = field(default_factory=dict)   # free-form facts for the manifest
