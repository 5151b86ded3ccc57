"""Running processes as discovery sees them (psutil), and which product each one is.

``list_processes`` is the only function that touches psutil; tests replace it. A process is a
product when its executable base name (case-insensitive, ``.exe`` optional) matches that
profile's ``Detect.processes``; for interpreters (``java``, ``javaw``, ``node``, ``python``) the
joined command line (without the ``-host`` value: ``logheads.without_host_values``) must
contain one of ``Detect.command_lines`` instead (GAX, GWS, GMS are
``java -jar ...``). When several profiles match, the one with more matching signals wins, then
the product id (stable).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from collector.appconfig import script_app_name
from collector.logheads import process_matches, without_host_values
from collector.model import Profile

INTERPRETERS = frozenset({"java", "javaw", "node", "python", "python3"})


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    exe_name: str                  # executable base name, e.g. "sip_server", "java"
    cmdline: tuple[str, ...]
    cwd: str | None                # absolute path on this machine, None if not readable

    @property
    def app(self) -> str | None:
        """The ``-app NAME`` argument, if any."""
        return script_app_name(" ".join(self.cmdline))


def list_processes() -> list[ProcessInfo]:
    """Processes we may inspect; ones that vanish or deny access are left out."""
    import psutil  # imported here so that discovery of a mounted tree never needs it

    found: list[ProcessInfo] = []
    for proc in psutil.process_iter(["pid", "name", "exe", "cmdline"]):
        try:
            info = proc.info
            cmdline = tuple(info.get("cmdline") or ())
            exe = info.get("exe") or (cmdline[0] if cmdline else "") or info.get("name") or ""
            name = exe.replace("\\", "/").rsplit("/", 1)[-1]
            try:
                cwd: str | None = proc.cwd()
            except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
                cwd = None
            found.append(ProcessInfo(int(info["pid"]), name, cmdline, cwd))
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def match_product(proc: ProcessInfo, profiles: Mapping[str, Profile]) -> str | None:
    exe = proc.exe_name.lower().removesuffix(".exe")
    joined = without_host_values(" ".join(proc.cmdline)).lower()     # not '-host confserv01'
    best: tuple[int, str] | None = None
    for product in sorted(profiles):
        detect = profiles[product].detect
        if exe in INTERPRETERS:
            score = sum(1 for s in detect.command_lines if s and s.lower() in joined)
        else:
            score = 2 * process_matches(exe, detect.processes)
            if score:
                score += sum(1 for s in detect.command_lines if s and s.lower() in joined)
        if score and (best is None or score > best[0]):
            best = (score, product)
    return best[1] if best else None
