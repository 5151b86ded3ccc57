"""Parse the header block that starts every Genesys log segment.

Framework-style (C++) servers print a banner line and ``Label: value`` lines before the first
timestamped record (GENESYS.md (b)); Java apps print their own shapes (GWS ``PID@host:``,
GMS ``APPLICATION HOST``, WDE ``InteractionWorkspace - Version:``). Labels are matched
tolerantly (any spacing, any order, case-insensitive); parsing stops at the first line that
starts with a timestamp or after ``MAX_HEADER_LINES`` lines.

Pure function of the first few KB of a file; used by discovery (what app is this?) and by
timewindow (what date do time-only records have?).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_HEADER_BYTES = 16 * 1024
MAX_HEADER_LINES = 80

# greedy, unlike the lazy form it replaces: both groups are stripped where they are used, and
# lazy repeats retried the rest of the pattern at every length (~2 us a line)
_LABEL = re.compile(rb"^\s*([A-Za-z][A-Za-z ()/_-]{1,40})\s*:\s*(.*)$")
_LINE_END = re.compile(rb"\r\n|[\r\n]")
_TIMESTAMP_START = re.compile(
    rb"^(?:@?\d{1,2}:\d{2}:\d{2}[.,]\d+"                       # 09:01:46.060 / @16:45:24.5939
    rb"|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}"               # ISO 8601 / Stat Server
    rb"|\d{2}/\d{2}/\d{2,4}[ @]\d{2}:\d{2}:\d{2}"             # 08/11/2016 09:01:46 / URS HTTP
    rb"|\d{2}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"                  # 16-08-11 09:01:46 (WDE)
    rb"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) "                     # locale forms
    rb"|(?:[0-9][0-9A-Fa-f.:]* [^ \n]+ [^ \n]+ )?\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:)"   # NCSA request log
)
_VERSION = re.compile(rb"\b(\d+\.\d+\.\d{3}\.\d{2})\b|\bversion:?\s*([0-9][0-9A-Za-z._-]*)", re.I)
_FILE_LABEL = re.compile(r"^\((\d+)\)\s*(.*)$")

_KNOWN = {
    b"application name": "app_name",
    b"application type": "app_type",
    b"host name": "host_name",
    b"local time": "local_time",
    b"start time (utc)": "start_time_utc",
    b"time zone": "time_zone",
    b"file": "file",
    b"command line": "command_line",
    b"ha role": "ha_role",
    b"utc start time": "start_time_utc",      # GMS
    b"application host": "host_name",         # GMS
    b"start time": "local_time",              # GWS "Start time: [...]"
}


_KNOWN_LABELS = {label: label.decode() for label in _KNOWN}


@dataclass(frozen=True)
class SegmentHeader:
    banner: str = ""
    app_name: str | None = None
    app_type: str | None = None
    host_name: str | None = None
    local_time: str | None = None          # as printed, e.g. 2024-03-05T09:15:00.120
    start_time_utc: str | None = None
    time_zone_s: int | None = None          # as printed ("Time zone: 18000")
    file_seq: int | None = None
    file_name: str | None = None
    command_line: str | None = None
    ha_role: str | None = None
    version: str | None = None
    header_end: int = 0                     # byte offset of the first record (0 = no header)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def is_genesys(self) -> bool:
        return bool(self.app_name or self.app_type or self.command_line or "genesys" in self.banner.lower())


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace").strip().strip("[]").strip()


def _header_lines(head: bytes):
    """The whole lines of ``head``, each with its ending (CRLF, LF or CR); a last line without
    one is not given. Found from the line ends: a pattern that matched a line and its ending
    tried every start again where no ending came (16 KB with no newline, a long JSON line,
    took a quarter of a second, in each stage that reads a file's header)."""
    start = 0
    for end in _LINE_END.finditer(head):
        yield head[start:end.end()]
        start = end.end()


def parse_header(head: bytes) -> SegmentHeader:
    """Parse the header at the start of ``head`` (the first KB of a segment)."""
    head = head[:MAX_HEADER_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
        bom = 3
    else:
        bom = 0
    fields: dict[str, str] = {}
    labels: dict[str, str] = {}
    banner = ""
    offset = 0
    header_end = 0
    version = None
    for index, raw in enumerate(_header_lines(head)):      # lazily: the header is short
        if index >= MAX_HEADER_LINES:
            break
        line = raw.rstrip(b"\r\n")
        if _TIMESTAMP_START.match(line):
            header_end = offset
            break
        offset += len(raw)
        header_end = offset
        if not line.strip().translate(None, b"+-=*#"):             # blank or a rule (----, ====)
            continue
        match = _LABEL.match(line) if b":" in line else None
        label = match.group(1).strip().lower() if match else b""
        key = _KNOWN.get(label) if match else None
        if key is not None:
            value = _text(match.group(2))
            fields.setdefault(key, value)
            labels[_KNOWN_LABELS[label]] = value
            continue
        if match and len(label) <= 30:
            labels[label.decode("utf-8", "replace")] = _text(match.group(2))
        if not banner:
            banner = _text(line)
        if version is None:
            found = _VERSION.search(line)
            if found:
                version = (found.group(1) or found.group(2)).decode("ascii", "replace")
    else:
        header_end = offset if offset < len(head) else offset

    time_zone = None
    if "time_zone" in fields:
        found_tz = re.match(r"^[+-]?\d+", fields["time_zone"])
        time_zone = int(found_tz.group(0)) if found_tz else None
    file_seq = file_name = None
    if "file" in fields:
        found_file = _FILE_LABEL.match(fields["file"])
        if found_file:
            file_seq, file_name = int(found_file.group(1)), found_file.group(2).strip() or None
        else:
            file_name = fields["file"] or None
    if not (fields or banner):
        header_end = 0
    return SegmentHeader(
        banner=banner,
        app_name=fields.get("app_name") or None,
        app_type=fields.get("app_type") or None,
        host_name=fields.get("host_name") or None,
        local_time=fields.get("local_time") or None,
        start_time_utc=fields.get("start_time_utc") or None,
        time_zone_s=time_zone,
        file_seq=file_seq,
        file_name=file_name,
        command_line=fields.get("command_line") or None,
        ha_role=fields.get("ha_role") or None,
        version=version,
        header_end=header_end + bom if header_end else 0,
        labels=labels,
    )
