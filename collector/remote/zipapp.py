"""The single-file gcollect (shiv zipapp from ``packaging/zipapp/build.sh``) for hosts without gcollect:
find or build it, and say whether a host's Python and platform can run it."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from collector import __version__
from collector.errors import BadInput

BUILD_SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "zipapp" / "build.sh"


@dataclass(frozen=True)
class Zipapp:
    path: Path
    python: tuple[str, ...]        # CPython versions it carries wheels for, "3.11"
    machine: str                   # x86_64, aarch64
    glibc: tuple[int, int]         # lowest glibc its wheels accept
    unpacked: int                  # bytes once shiv has extracted it

    def unsupported(self, facts: dict[str, str]) -> str | None:
        """Why a host (probe facts) cannot run this file, or None."""
        system = facts.get("uname", "").split()
        if system and system[0] != "Linux":
            return f"{system[0]} host; the gcollect zipapp serves Linux only"
        if not facts.get("python"):
            return "no Python on the host (python3 not found; set python=... in the hosts file)"
        version = facts.get("pyver", "")
        if not version:
            return f"{facts['python']} does not run"
        try:
            major, minor = (int(x) for x in version.split("."))
        except ValueError:
            return f"unknown Python version {version!r}"
        if (major, minor) < (3, 11):
            return f"Python {version} on the host; gcollect needs 3.11 or newer"
        if version not in self.python:
            return (f"Python {version} on the host; this zipapp carries wheels for {', '.join(self.python)} "
                    f"(rebuild with GCOLLECT_PY_VERSIONS='{' '.join((*self.python, version))}')")
        machine = facts.get("machine") or (system[1] if len(system) > 1 else "")
        if machine != self.machine:
            return f"{machine or 'unknown'} machine; this zipapp carries {self.machine} wheels"
        libc = facts.get("libc", "").split()
        if not libc or libc[0] != "glibc":
            return "no glibc found (musl or another libc); the manylinux wheels need glibc"
        try:
            have = tuple(int(x) for x in libc[1].split(".")[:2])
        except (IndexError, ValueError):
            return f"unknown glibc version {' '.join(libc)!r}"
        if have < self.glibc:
            return f"glibc {libc[1]} on the host; the wheels need {self.glibc[0]}.{self.glibc[1]} or newer"
        return None


def load_zipapp(path: Path) -> Zipapp:
    meta_path = Path(str(path) + ".json")
    if not path.is_file():
        raise BadInput(what=str(path), problem="zipapp not found (build it: packaging/zipapp/build.sh)")
    try:
        meta = json.loads(meta_path.read_text())
        glibc = tuple(int(x) for x in str(meta.get("glibc", "2.17")).split("."))[:2]
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
        return Zipapp(path=path, python=tuple(meta["python"]), machine=str(meta["machine"]),
                      glibc=(glibc[0], glibc[1]), unpacked=unpacked)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise BadInput(what=str(meta_path), problem=f"missing or unreadable zipapp description ({e}); "
                                                    "rebuild with packaging/zipapp/build.sh") from None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gcollect" / "zipapp"


def find_or_build(given: Path | None) -> Zipapp:
    """``--zipapp FILE``, else the cached build of this version, else build it now (needs the source
    tree with packaging/zipapp/build.sh, shiv and a package index)."""
    if given is not None:
        return load_zipapp(given)
    cached = cache_dir() / f"gcollect-{__version__}.pyz"
    if cached.is_file() and Path(str(cached) + ".json").is_file():
        return load_zipapp(cached)
    if not BUILD_SCRIPT.is_file():
        raise BadInput(what="--zipapp", problem="a host needs the single-file gcollect and this installation "
                                                "cannot build it; give --zipapp FILE (packaging/zipapp/build.sh)")
    cached.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([str(BUILD_SCRIPT), str(cached)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise BadInput(what=str(BUILD_SCRIPT), problem=f"zipapp build failed: {tail}")
    return load_zipapp(cached)
