"""Segment headers: the Framework block of GENESYS.md example 1 and the Java apps' own shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HeaderFacts:
    """What a header states about one segment."""

    style: str                       # framework | gws | gms | wde | java | none
    banner: str
    app_name: str
    app_type: str | None
    host_name: str
    local_start: datetime            # naive wall-clock time of the segment start
    utc_start: datetime              # the same moment in UTC (naive)
    tz_west_s: int
    seq: int
    file_name: str
    command_line: str
    ha_role: str | None = None
    version: str = "8.5.100.01"
    pid: int = 4242


def _ms(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _label(label: str, value: str) -> str:
    return f"{label + ':':<20}{value}\n"


def framework_header(f: HeaderFacts) -> str:
    lines = [f"{f.banner}, version {f.version}\n"]
    lines.append(_label("Application name", f.app_name))
    if f.app_type:
        lines.append(_label("Application type", f.app_type))
    lines += [
        _label("Host name", f.host_name),
        _label("Local time", _ms(f.local_start)),
        _label("Start time (UTC)", _ms(f.utc_start)),
        _label("Time zone", str(f.tz_west_s)),
        _label("File", f"({f.seq:010d}) {f.file_name}"),
        _label("Command line", f.command_line),
    ]
    if f.ha_role:
        lines.append(_label("HA Role", f.ha_role))
    return "".join(lines)


def gws_header(f: HeaderFacts) -> str:
    return (f"{f.banner} {f.version}\n"
            f"PID@host: [{f.pid}@{f.host_name}]\n"
            f"Start time: [{f.local_start:%Y-%m-%d %H:%M:%S}.{f.local_start.microsecond // 1000:03d}]\n"
            f"Command line: {f.command_line}\n"
            + "+" * 72 + "\n")


def gms_header(f: HeaderFacts) -> str:
    return (f"{f.banner} {f.version}\n"
            f"FILE: ({f.seq:010d}) {f.file_name}\n"
            f"APPLICATION NAME: {f.app_name}\n"
            f"APPLICATION HOST: {f.host_name}\n"
            f"UTC START TIME: {_ms(f.utc_start)}\n"
            f"LOCAL TIME: {_ms(f.local_start)}\n"
            f"TIME ZONE: {f.tz_west_s}\n"
            f"COMMAND LINE: {f.command_line}\n"
            + "-" * 72 + "\n")


def wde_header(f: HeaderFacts) -> str:
    return (f"InteractionWorkspace - Version: {f.version}\n"
            f"MachineName: {f.host_name}\n"
            f"Application name: {f.app_name}\n"
            f"Local time: {_ms(f.local_start)}\n"
            f"Time zone: {f.tz_west_s}\n"
            f"OSVersion: Microsoft Windows NT 10.0.19045.0\n"
            f"CLR Version: 4.0.30319.42000\n"
            + "=" * 72 + "\n")


def java_header(f: HeaderFacts) -> str:
    """GAX, UCS, GIM, Pulse and other Java servers: banner, a few labels and a rule."""
    return (f"{f.banner} {f.version}\n"
            + _label("Application name", f.app_name)
            + (_label("Application type", f.app_type) if f.app_type else "")
            + _label("Host name", f.host_name)
            + _label("Local time", _ms(f.local_start))
            + _label("Start time (UTC)", _ms(f.utc_start))
            + _label("Time zone", str(f.tz_west_s))
            + _label("File", f"({f.seq:010d}) {f.file_name}")
            + _label("Command line", f.command_line)
            + _label("Java version", "1.8.0_402")
            + "=" * 72 + "\n")


HEADERS = {"framework": framework_header, "gws": gws_header, "gms": gms_header, "wde": wde_header,
           "java": java_header, "none": lambda f: ""}


def render_header(f: HeaderFacts) -> str:
    return HEADERS[f.style](f)
