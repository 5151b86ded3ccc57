"""The generated host: folder conventions per layout, static files, and what was planted.

Linux:   apps in ``opt/genesys/<Folder>/``, logs in ``var/log/genesys/<AppName>/``.
Windows: apps in ``C/Program Files/GCTI/<Product>/<AppName>/``, logs in the app's ``logs``
         folder or in ``D/logs/<AppName>/`` (named by ``[log] all = D:\\logs\\...``).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .blocks import Acc, BlockPool
from .fakes import Call, Fakes
from .ledger import PlantedInstallation, PlantedSecret
from .streams import Clock, StreamSpec

Layout = Literal["linux", "windows"]
CFG_HOST = "cfghost"
CFG_PORT = 2020


@dataclass
class AppPlan:
    """One installation: its record in the ledger, its log streams and companion files."""

    installation: PlantedInstallation
    streams: list[StreamSpec] = field(default_factory=list)
    companions: list[tuple[int, str]] = field(default_factory=list)   # (stream index, ".snapshot.log")


@dataclass
class Site:
    root: Path
    layout: Layout
    host_name: str
    clock: Clock
    fakes: Fakes
    calls: list[Call]
    seed: int
    host_ip: str = "192.0.2.20"
    secrets: list[PlantedSecret] = field(default_factory=list)
    keeps: dict[str, set[str]] = field(default_factory=dict)
    file_kinds: dict[str, str] = field(default_factory=dict)
    never_collect: list[str] = field(default_factory=list)
    static_mtime: float = 0.0
    extra_windows: dict[str, tuple[str, str]] = field(default_factory=dict)   # logs written outside streams

    @property
    def windows(self) -> bool:
        return self.layout == "windows"

    def rng(self, *names: str) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(names))

    # ------------------------------------------------------------ conventions
    def app_dir(self, linux_folder: str, windows_product: str, app_name: str) -> str:
        if self.windows:
            return f"C/Program Files/GCTI/{windows_product}/{app_name}"
        return f"opt/genesys/{linux_folder}"

    def log_dir(self, app_name: str, app_dir: str, in_app_dir: bool = False, d_drive: bool = False) -> str:
        if in_app_dir:
            return f"{app_dir}/logs"
        if self.windows:
            return f"D/logs/{app_name}" if d_drive else f"{app_dir}/logs"
        return f"var/log/genesys/{app_name}"

    def log_option(self, log_dir: str, base: str, app_dir: str) -> str:
        """The ``[log] all =`` value that names ``log_dir/base`` as the host sees it."""
        if log_dir.startswith(app_dir + "/"):
            rel = log_dir[len(app_dir) + 1:]
            return f".\\{rel}\\{base}" if self.windows else f"./{rel}/{base}"
        if self.windows:
            drive, _, rest = log_dir.partition("/")
            return f"{drive}:\\" + rest.replace("/", "\\") + "\\" + base
        return f"/{log_dir}/{base}"

    def eol(self, text: str) -> str:
        return text.replace("\n", "\r\n") if self.windows else text

    # ------------------------------------------------------------ files
    def put(self, host_path: str, content: str | bytes, kind: str, inst: PlantedInstallation | None = None,
            secrets: list[tuple[str, str]] | Acc = (), forbidden: bool = False, mode: int | None = None) -> str:
        data = content if isinstance(content, bytes) else self.eol(content).encode("utf-8")
        pairs = secrets.secrets if isinstance(secrets, Acc) else list(secrets)
        if isinstance(secrets, Acc):
            for category, value in secrets.keeps:
                self.keeps.setdefault(category, set()).add(value)
        path = self.root / host_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if mode is not None:
            path.chmod(mode)
        os.utime(path, (self.static_mtime, self.static_mtime))
        for category, value in dict.fromkeys(pairs):
            if value.encode("utf-8") not in data:
                raise AssertionError(f"planted {category} value missing from {host_path}")
            self.secrets.append(PlantedSecret(category, value, host_path))
        self.file_kinds[host_path] = "forbidden" if forbidden else kind
        if forbidden:
            self.never_collect.append(host_path)
        if inst is not None:
            inst.files.append(host_path)
        return host_path

    def marker(self, app_dir: str, binary: str, inst: PlantedInstallation) -> None:
        if self.windows:
            self.put(f"{app_dir}/{binary}.exe", b"MZ\x90\x00\x03\x00\x00\x00 synthetic marker\x00", "text", inst)
        else:
            self.put(f"{app_dir}/{binary}", b"\x7fELF\x02\x01\x01\x00 synthetic marker\x00", "text", inst,
                     mode=0o755)

    def command_line(self, binary: str, app_name: str) -> str:
        if self.windows:
            return f"{binary}.exe -host {CFG_HOST} -port {CFG_PORT} -app {app_name}"
        return f"./{binary} -host {CFG_HOST} -port {CFG_PORT} -app {app_name}"

    def launcher(self, app_dir: str, binary: str, app_name: str, inst: PlantedInstallation) -> str:
        cmd = self.command_line(binary, app_name)
        if self.windows:
            text = f"@echo off\ncd /d \"{app_dir.replace('/', chr(92))}\"\n{cmd}\n"
            return self.put(f"{app_dir}/startServer.bat", text, "config", inst)
        text = f"#!/bin/sh\n# Genesys start script\ncd /{app_dir}\n{cmd} \"$@\"\n"
        return self.put(f"{app_dir}/run.sh", text, "config", inst, mode=0o755)

    def framework_app(self, product: str, linux_folder: str, windows_product: str, app_name: str,
                      binary: str, pool: BlockPool, weight: int, *, stamp: str = "time",
                      banner: str = "", app_type: str | None = None, in_app_dir: bool = False,
                      d_drive: bool = False, version: str = "8.5.100.01", header: str = "framework",
                      launcher: bool = True) -> AppPlan:
        """App dir with marker + launcher, and one main log stream."""
        app_dir = self.app_dir(linux_folder, windows_product, app_name)
        log_dir = self.log_dir(app_name, app_dir, in_app_dir, d_drive)
        inst = PlantedInstallation(product, app_name, app_dir, [f"{log_dir}/{app_name}"])
        self.marker(app_dir, binary, inst)
        if launcher:
            self.launcher(app_dir, binary, app_name, inst)
        stream = StreamSpec(product=product, app_name=app_name, dir=log_dir, base=app_name, pool=pool,
                            weight_bytes=weight, stamp_style=stamp, header_style=header,
                            banner=banner or f"Genesys {product}", app_type=app_type,
                            command_line=self.command_line(binary, app_name), version=version,
                            eol_crlf=self.windows)
        return AppPlan(inst, [stream])
