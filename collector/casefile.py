"""case.json: what Genesys Customer Care asks for with a case, and the environment, filled in.

Customer Care's checklist: product, component and release; what was done; how to reproduce;
the relevant logs and configs with personal data removed. ``CaseInfo`` holds what the person
types (``gcollect collect --case/--describe/...`` or a case file written by ``gcollect case
new``); ``environment`` reads the rest from the host tree (``root``) and the installations
discovery found:

* OS and version: ``etc/os-release`` under the root (or ``usr/lib/os-release``); a Windows copy
  (``C/Windows`` or ``Windows`` under the root) is reported as Windows, with name and version
  from a saved ``Windows/System32/systeminfo.txt`` when there is one; the live ``/`` falls back
  to ``platform``;
* every Genesys component with its version: ``Installation.version`` (segment header), else the
  newest segment header of its log bases, else the installer's ``genesys_install_result.log``
  or ``ip_description.xml`` in its folder;
* DBMS type, server, database name and version where a config file names them (``dbengine``,
  ``dbserver``/``host``, ``dbname``, ``dbms-version``) in ``confserv.cfg``/``.conf`` and other
  ``*.cfg``/``*.conf``/``*.ini`` files of the app folders (passwords are never read out);
* host names: the collected host, the ``Host name:`` of segment headers, DB servers.

``strict=True`` replaces host names by keyed tokens (``HOST_abcdefghij``, the same token the
redaction map would give; the map stays on the host).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from collector.errors import BadInput
from collector.hostfiles import read_head
from collector.model import Installation
from collector.printable import json_escaped
from collector.segheader import parse_header

CASE_SCHEMA = "gcollect/case/v1"
TEXT_FIELDS = ("site", "summary", "actions_taken", "product")   # free text, redacted as the logs (+ steps)
SEVERITIES = ("1-critical", "2-high", "3-medium", "4-low")
MAX_HEADS = 200
HEAD_BYTES = 8192
_CONFIG_NAMES = ("confserv.cfg", "confserv.conf", "*.cfg", "*.conf", "*.ini")
_INSTALL_VERSION = re.compile(r"(?i)\b(?:version|release)\b[\s:=\"']*([0-9]+(?:\.[0-9A-Za-z_-]+){1,4})")
_XML_VERSION = re.compile(r"(?i)<(?:version|ip_version|productversion)>\s*([^<\s]+)\s*<|"
                          r"\b(?:version|ProductVersion)\s*=\s*\"([^\"]+)\"")
_SEVERITY_ALIASES = {"1": "1-critical", "critical": "1-critical", "2": "2-high", "high": "2-high",
                     "3": "3-medium", "medium": "3-medium", "4": "4-low", "low": "4-low"}


def normalise_severity(value: str | None) -> str | None:
    """``1``..``4`` or ``critical/high/medium/low`` (any case) -> ``1-critical`` ...; None stays None."""
    if value is None or not str(value).strip():
        return None
    key = str(value).strip().lower()
    if key in SEVERITIES:
        return key
    if key in _SEVERITY_ALIASES:
        return _SEVERITY_ALIASES[key]
    raise BadInput(what=f"severity {value!r}", problem="use 1-4 or critical, high, medium, low")


@dataclass
class CaseInfo:
    """What the customer tells Customer Care about the problem."""

    case: str | None = None                 # Customer Care case number
    site: str | None = None                 # site / company name
    contact: str | None = None              # the customer's own admin (name, e-mail, phone): kept as typed
    summary: str | None = None              # problem summary (--describe)
    severity: str | None = None
    steps: list[str] = field(default_factory=list)        # reproduction steps
    actions_taken: str | None = None        # what was done already
    product: str | None = None              # affected product/component as the customer names it

    def merged(self, **overrides: Any) -> CaseInfo:
        """A copy with every non-empty override applied (command-line options over a case file)."""
        data = asdict(self)
        for key, value in overrides.items():
            if key not in data:
                raise TypeError(f"unknown case field {key}")
            if value not in (None, "", (), []):
                data[key] = list(value) if key == "steps" else value
        data["severity"] = normalise_severity(data.get("severity"))
        return CaseInfo(**data)

    def redacted(self, redact: Callable[[str], str]) -> CaseInfo:
        """A copy whose free text (``TEXT_FIELDS`` and the steps) went through ``redact``; the
        contact (the customer's own admin), case number and severity stay as they are."""
        data = asdict(self)
        for key in TEXT_FIELDS:
            if data[key]:
                data[key] = redact(data[key])
        data["steps"] = [redact(step) for step in self.steps]
        return CaseInfo(**data)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def load_case_file(path: Path) -> CaseInfo:
    """Read a case file written by ``gcollect case new`` (JSON; a full case.json also works)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(what=str(path), problem="no such case file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(what=str(path), problem=f"not a readable case file ({exc})") from None
    if not isinstance(data, dict):
        raise BadInput(what=str(path), problem="not a case file (expected a JSON object)")
    data = data.get("case", data) if isinstance(data.get("case"), dict) else data
    known = {f.name for f in fields(CaseInfo)}
    values = {k: v for k, v in data.items() if k in known}
    steps = values.get("steps") or []
    values["steps"] = [str(s) for s in steps] if isinstance(steps, list) else [str(steps)]
    for key in known - {"steps"}:
        if values.get(key) is not None:
            values[key] = str(values[key])
    values["severity"] = normalise_severity(values.get("severity"))
    return CaseInfo(**values)


def save_case_file(info: CaseInfo, path: Path) -> Path:
    """Write the case file 0600 (it holds the contact's details)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps({"schema": CASE_SCHEMA, **asdict(info)}, indent=1) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)
    return path


# ------------------------------------------------------------------ environment
def _read_text(path: Path, limit: int = 1 << 20) -> str:
    return read_head(path, limit, follow_symlinks=True).decode("utf-8", "replace")


def os_facts(root: Path) -> dict[str, Any]:
    """OS name and version of the host tree under ``root``."""
    for name in ("etc/os-release", "usr/lib/os-release"):
        text = _read_text(root / name)
        if not text:
            continue
        facts: dict[str, str] = {}
        for line in text.splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                facts[key.strip()] = value.strip().strip('"')
        return {"family": "linux", "name": facts.get("NAME"), "version": facts.get("VERSION_ID"),
                "pretty": facts.get("PRETTY_NAME"), "source": name}
    for win in ("C/Windows", "Windows"):
        if (root / win).is_dir():
            out: dict[str, Any] = {"family": "windows", "name": "Windows", "version": None, "source": win}
            info = _read_text(root / win / "System32" / "systeminfo.txt")
            found = re.search(r"(?m)^OS Name:\s*(.+)$", info)
            version = re.search(r"(?m)^OS Version:\s*(.+)$", info)
            if found:
                out["name"] = found.group(1).strip()
            if version:
                out["version"] = version.group(1).strip()
            return out
    if str(root.resolve()) == "/":
        import platform

        return {"family": platform.system().lower(), "name": platform.system(), "version": platform.release(),
                "source": "platform"}
    return {"family": None, "name": None, "version": None, "source": None}


def _dir_of(root: Path, host_path: str | None) -> Path | None:
    if not host_path:
        return None
    return Path(root, *[p for p in host_path.split("/") if p])


def _heads(root: Path, installation: Installation, budget: list[int]) -> Iterable[tuple[str, bytes]]:
    """(host path, head) of the newest file of each log base, newest first."""
    for base in installation.log_bases:
        folder = _dir_of(root, base.rsplit("/", 1)[0] if "/" in base else "")
        stem = base.rsplit("/", 1)[-1]
        if folder is None or not os.path.isdir(folder):      # os.path: False on any error (a path too long)
            continue
        try:
            files = [(info.st_mtime, p) for p in folder.iterdir() if p.name.startswith(stem)
                     for info in [_stat(p)] if info is not None and stat.S_ISREG(info.st_mode)]
        except OSError:
            continue
        for _, path in sorted(files, key=lambda f: f[0], reverse=True)[:2]:
            if budget[0] <= 0:
                return
            budget[0] -= 1
            head = read_head(path, HEAD_BYTES, follow_symlinks=True)
            if head:
                yield f"{base.rsplit('/', 1)[0]}/{path.name}", head


def _stat(path: Path) -> os.stat_result | None:
    """``stat`` (a symlink followed), None on any error: a path too long, a permission."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def installer_version(app_dir: Path | None) -> tuple[str | None, str | None]:
    """(version, source file) from the IP installer's files in an app folder."""
    if app_dir is None:
        return None, None
    for name in ("ip_description.xml", "genesys_install_result.log", "ip_description.txt"):
        text = _read_text(app_dir / name, 1 << 18)
        if not text:
            continue
        found = _XML_VERSION.search(text) if name.endswith(".xml") else None
        if found:
            return (found.group(1) or found.group(2)), name
        found = _INSTALL_VERSION.search(text)
        if found:
            return found.group(1), name
    return None, None


def _ini(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None, allow_no_value=True)
    try:
        parser.read_string(text)
    except configparser.Error:
        pass
    return parser


def dbms_facts(app_dir: Path | None) -> list[dict[str, Any]]:
    """DBMS named by config files in an app folder (engine, server, database, version)."""
    if app_dir is None or not os.path.isdir(app_dir):
        return []
    found: list[dict[str, Any]] = []
    seen: set[Path] = set()
    for pattern in _CONFIG_NAMES:
        try:
            paths = sorted(app_dir.glob(pattern))[:20]
        except OSError:                 # pathlib's glob passes over PermissionError only
            continue
        for path in paths:
            if path in seen or not os.path.isfile(path):
                continue
            seen.add(path)
            text = _read_text(path, 1 << 18)
            if "dbengine" not in text.lower():
                continue
            parser = _ini(text)
            for section in parser.sections():
                items = {k.lower(): (v or "").strip() for k, v in parser.items(section)}
                if "dbengine" not in items:
                    continue
                found.append({
                    "engine": items.get("dbengine") or None,
                    "server": items.get("dbserver") or items.get("host") or None,
                    "database": items.get("dbname") or None,
                    "version": items.get("dbms-version") or items.get("dbms_version") or items.get("version") or None,
                    "source": f"{path.name} [{section}]",
                })
    return found


Tokenize = Callable[[str], str]


def environment(root: Path, installations: Sequence[Installation], host_name: str, *,
                tokenize: Tokenize | None = None) -> dict[str, Any]:
    """The environment part of case.json, read from the host tree."""
    hide = tokenize or (lambda name: name)
    budget = [MAX_HEADS]
    components: list[dict[str, Any]] = []
    hosts: set[str] = {host_name} if host_name else set()
    dbms: list[dict[str, Any]] = []
    for inst in installations:
        if inst.product == "host":
            continue
        version, source = inst.version, "segment header" if inst.version else None
        app_type = inst.app_type
        for host_path, head in _heads(root, inst, budget):
            header = parse_header(head)
            if header.host_name:
                hosts.add(header.host_name)
            if version is None and header.version:
                version, source = header.version, f"segment header {host_path}"
            app_type = app_type or header.app_type
            if version:
                break
        app_dir = _dir_of(root, inst.app_dir)
        if version is None:
            version, file_name = installer_version(app_dir)
            source = f"{inst.app_dir}/{file_name}" if file_name else None
        components.append({"product": inst.product, "name": inst.name, "app_type": app_type,
                           "version": version, "version_source": source, "app_dir": inst.app_dir})
        for db in dbms_facts(app_dir):
            db["application"] = inst.name
            if db.get("server"):
                db["server"] = hide(db["server"])
            dbms.append(db)
    return {
        "os": os_facts(root),
        "host": hide(host_name) if host_name else None,
        "hosts": sorted({hide(h) for h in hosts}),
        "components": sorted(components, key=lambda c: (c["product"], c["name"])),
        "dbms": dbms,
    }


def host_tokenizer(state_dir: Path) -> Tokenize:
    """Host names -> keyed tokens (the redaction key of this site; the map stays local)."""
    from collector.redaction.tokens import Tokenizer, TokenStore, load_or_create_site_key

    key = load_or_create_site_key(state_dir)
    store = TokenStore(state_dir / "tokens.db")
    tokenizer = Tokenizer(key, store)

    def tokenize(name: str) -> str:
        token = tokenizer.token("host", name.encode("utf-8")).decode("ascii")
        store.flush()
        return token

    return tokenize


def build_case(info: CaseInfo, root: Path, installations: Sequence[Installation], host_name: str, *,
               strict: bool = False, state_dir: Path | None = None, created: datetime | None = None,
               tokenize: Tokenize | None = None) -> dict[str, Any]:
    """The whole case.json document."""
    if strict and tokenize is None:
        if state_dir is None:
            raise ValueError("strict case data needs state_dir (for the host-name tokens)")
        tokenize = host_tokenizer(state_dir)
    info = info.merged()                                        # normalises the severity
    moment = (created or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    return {
        "schema": CASE_SCHEMA,
        "created_utc": moment.isoformat(),
        "case": asdict(info),
        "environment": environment(root, installations, host_name, tokenize=tokenize if strict else None),
        "strict": strict,
    }


def to_bytes(case: Mapping[str, Any]) -> bytes:
    return (json_escaped(json.dumps(case, indent=1, ensure_ascii=False)) + "\n").encode("utf-8")


def manifest_annotation(case: Mapping[str, Any]) -> dict[str, Any]:
    """The short form merged into manifest.json under "case_info" (the report reads it)."""
    info = case.get("case", {})
    env = case.get("environment", {})
    return {
        **({"host": env.get("host")} if case.get("strict") else {}),     # the report shows the token
        "number": info.get("case"), "site": info.get("site"), "contact": info.get("contact"),
        "summary": info.get("summary"), "severity": info.get("severity"), "steps": info.get("steps") or [],
        "os": (env.get("os") or {}).get("pretty") or (env.get("os") or {}).get("name"),
        "components": [{k: c.get(k) for k in ("product", "name", "version")} for c in env.get("components", [])],
        "dbms": [{k: d.get(k) for k in ("engine", "version")} for d in env.get("dbms", [])],
    }


def case_bundle_parts(info: CaseInfo, root: Path, installations: Sequence[Installation], host_name: str, *,
                      strict: bool = False, state_dir: Path | None = None,
                      redact: Callable[[str], str] | None = None) -> tuple[dict[str, bytes], dict[str, Any]]:
    """(static_files, annotations) for ``CollectRequest``: ``{"case.json": ...}``, ``{"case_info": ...}``.

    The free text goes through ``redact`` (``collector.freetext.text_redactor``), or through the
    log rules with the token map of ``state_dir`` when no ``redact`` is given; with neither,
    ValueError: case text is never written unredacted."""
    if redact is None:
        if state_dir is None:
            raise ValueError("case text needs a redactor or state_dir (it is redacted as the logs)")
        from collector.freetext import text_redactor

        with text_redactor(state_dir) as redact_text:
            info = info.redacted(redact_text)
    else:
        info = info.redacted(redact)
    case = build_case(info, root, installations, host_name, strict=strict, state_dir=state_dir)
    return {"case.json": to_bytes(case)}, {"case_info": manifest_annotation(case)}
