"""System facts for the bundle's ``system/`` folder, from psutil and the standard library.

Facts describe the machine gcollect runs on. When ``--root`` points at a mounted copy of a
host, the process and port lists describe this machine, not the copy, so they are left out
and ``system/host.json`` says so. Command lines pass through the redactor (``redact_line``):
Genesys processes are started with ``-host/-port/-app`` and sometimes passwords.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from collector.hostfiles import read_head
from collector.model import Installation

GENESYS_PROCESS_HINTS = (
    "genesys", "gcti", "confserv", "sip_server", "sipserver", "urs", "router", "orchestration",
    "statserver", "stat_server", "lca", "scs", "messageserver", "message_server", "dbserver",
    "interaction_server", "ixnserver", "ucs", "chatserver", "ocs", "outbound", "icon", "gvp",
    "mcp", "resourcemgr", "sipproxy", "jetty", "gax", "gms", "tserver", "t_server",
)


def _json(obj: object) -> bytes:
    return (json.dumps(obj, indent=1, sort_keys=True, default=str) + "\n").encode()


def _os_release(root: Path) -> dict[str, str]:
    for name in ("etc/os-release", "usr/lib/os-release"):
        raw = read_head(root / name, 1 << 20, follow_symlinks=True)
        if not raw:
            continue
        text = raw.decode("utf-8", "replace")
        facts = {}
        for line in text.splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                facts[key.strip()] = value.strip().strip('"')
        return facts
    return {}


def _looks_genesys(name: str, cmdline: Iterable[str]) -> bool:
    text = (name + " " + " ".join(cmdline)).lower()
    return any(hint in text for hint in GENESYS_PROCESS_HINTS) or " -app " in f" {text} "


def _processes(redact_line: Callable[[bytes], bytes]) -> list[dict]:
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "name", "cmdline", "cwd", "create_time", "username"]):
        try:
            info = proc.info
            cmdline = info.get("cmdline") or []
            if not _looks_genesys(info.get("name") or "", cmdline):
                continue
            line = " ".join(cmdline).encode("utf-8", "replace")
            found.append({
                "pid": info["pid"],
                "name": info.get("name"),
                "cmdline": redact_line(line).decode("utf-8", "replace"),
                "cwd": info.get("cwd"),
                "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(info.get("create_time") or 0)),
                "user": info.get("username"),
            })
        except (psutil.Error, OSError):
            continue
    return found


def _listening_ports() -> list[dict] | str:
    import psutil

    try:
        connections = psutil.net_connections(kind="inet")
    except (psutil.AccessDenied, OSError) as exc:
        return f"not available: {type(exc).__name__}"
    ports = set()
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr:
            ports.add((conn.laddr.ip, conn.laddr.port, conn.pid))
    return [{"address": ip, "port": port, "pid": pid} for ip, port, pid in sorted(ports, key=lambda p: (p[1], p[0]))]


def system_facts(root: Path, installations: Iterable[Installation],
                 redact_line: Callable[[bytes], bytes]) -> dict[str, bytes]:
    """Files for ``system/``: host.json, resources.json, and (live host only) processes, ports."""
    import psutil

    live = root.resolve() == Path("/")
    uname = platform.uname()
    host = {
        "collected_from": "live host" if live else f"copy of a host mounted at {root}",
        "collector_host": socket.gethostname(),
        "collector_os": {"system": uname.system, "release": uname.release, "version": uname.version,
                         "machine": uname.machine},
        "os_release": _os_release(root),
        "python": platform.python_version(),
        "boot_time": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(psutil.boot_time())) if live else None,
        "timezone": time.strftime("%Z %z"),
        "installations": [
            {"product": i.product, "name": i.name, "app_dir": i.app_dir, "version": i.version,
             "app_type": i.app_type}
            for i in installations
        ],
    }
    memory = psutil.virtual_memory()
    disks = []
    for part in psutil.disk_partitions(all=False):
        try:
            usage = psutil.disk_usage(part.mountpoint)
        except OSError:
            continue
        disks.append({"mount": part.mountpoint, "fstype": part.fstype, "total": usage.total,
                      "used": usage.used, "free": usage.free})
    resources = {
        "cpu_count": os.cpu_count(),
        "cpu_percent": psutil.cpu_percent(interval=None),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "memory": {"total": memory.total, "available": memory.available, "percent": memory.percent},
        "disks": disks,
    }
    facts = {"system/host.json": _json(host), "system/resources.json": _json(resources)}
    if live:
        facts["system/processes.json"] = _json(_processes(redact_line))
        facts["system/listening-ports.json"] = _json(_listening_ports())
    return facts
