"""The hosts of a multi-host run: ``--hosts FILE`` or ``--hosts h1,h2,...``.

A hosts file holds one host per line, ``#`` starts a comment::

    sip01.example.com
    admin@urs01.example.com:2222   name=urs01
    10.0.0.7   root=/mnt/genesys-copy  state-dir=/srv/gcollect  gcollect=/opt/gcollect/bin/gcollect

``[user@]host[:port]`` (IPv6 as ``[::1]:2222``) then optional ``key=value`` settings:
``name`` (label in the case bundle; default host or host_port), ``user``, ``port``,
``gcollect`` (path of an installed gcollect on that host), ``python`` (the Python that runs the
pushed zipapp, default ``python3``), ``root`` and ``state-dir`` (passed to that host's
``gcollect collect`` as ``--root`` / ``--state-dir``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from collector.errors import BadInput

KEYS = ("name", "user", "port", "gcollect", "python", "root", "state-dir")
_LABEL = re.compile(r"[^A-Za-z0-9._-]+")
_HOSTPORT = re.compile(r"^(?:(?P<user>[^@\s]+)@)?(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\s\[\]]+))(?::(?P<port>\d+))?$")


@dataclass(frozen=True)
class HostSpec:
    host: str
    port: int = 22
    user: str | None = None
    name: str = ""
    gcollect: str | None = None          # installed gcollect on the host (else PATH, else the zipapp)
    python: str | None = None            # python for the zipapp (default python3 on the host's PATH)
    root: str | None = None
    state_dir: str | None = None

    @property
    def label(self) -> str:
        return self.name or safe_label(self.host if self.port == 22 else f"{self.host}_{self.port}")

    @property
    def display(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        who = f"{self.user}@" if self.user else ""
        return f"{who}{host}" + ("" if self.port == 22 else f":{self.port}")


def safe_label(text: str) -> str:
    return _LABEL.sub("_", text).strip("._-")[:64] or "host"


def parse_host(text: str, *, where: str = "--hosts", default_user: str | None = None,
               default_port: int = 22) -> HostSpec:
    fields = text.split()
    if not fields:
        raise BadInput(what=where, problem="empty host")
    m = _HOSTPORT.match(fields[0])
    if not m:
        raise BadInput(what=where, problem=f"not [user@]host[:port]: {fields[0]!r}")
    values: dict[str, str] = {}
    for item in fields[1:]:
        key, sep, value = item.partition("=")
        if not sep or key not in KEYS or not value:
            raise BadInput(what=where, problem=f"unknown setting {item!r} (known: {', '.join(KEYS)}, as key=value)")
        values[key] = value
    port_text = values.get("port") or m.group("port")
    try:
        port = int(port_text) if port_text else default_port
    except ValueError:
        raise BadInput(what=where, problem=f"port must be a number: {port_text!r}") from None
    if not 0 < port < 65536:
        raise BadInput(what=where, problem=f"port out of range: {port}")
    name = values.get("name", "")
    if name and safe_label(name) != name:
        raise BadInput(what=where, problem=f"name may hold only letters, digits, '.', '_', '-': {name!r}")
    return HostSpec(host=m.group("v6") or m.group("host"), port=port,
                    user=values.get("user") or m.group("user") or default_user, name=name,
                    gcollect=values.get("gcollect"), python=values.get("python"), root=values.get("root"),
                    state_dir=values.get("state-dir"))


def parse_hosts(value: str, *, default_user: str | None = None, default_port: int = 22) -> list[HostSpec]:
    """``value`` is a hosts file (if such a file exists) or a comma-separated list of hosts."""
    path = Path(value)
    lines: list[tuple[str, str]] = []
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise BadInput(what=str(path), problem=f"cannot read hosts file: {e}") from None
        for n, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if line:
                lines.append((line, f"{path}:{n}"))
    elif "/" in value and "," not in value and not any(c.isspace() for c in value):
        raise BadInput(what=value, problem="no such hosts file")
    else:
        lines = [(item.strip(), "--hosts") for item in value.split(",") if item.strip()]
    if not lines:
        raise BadInput(what=value, problem="no hosts given")
    hosts = [parse_host(text, where=where, default_user=default_user, default_port=default_port)
             for text, where in lines]
    seen: dict[str, HostSpec] = {}
    for spec in hosts:
        if spec.label in seen:
            raise BadInput(what=value, problem=f"two hosts share the name {spec.label!r}; give one name=...")
        seen[spec.label] = spec
    return hosts
