"""Load and validate product profiles (``profiles/*.yaml``) into ``collector.model.Profile``.

A profile is data, never code (STYLE.md 1, 7): it declares how a product is detected, where its
application folders live and which files to collect; discovery and selection execute it.

Validation has two layers, and every problem names FILE:LINE and a KEY PATH
(``profiles/sip-server.yaml:12: collect[0].globs: expected a list of strings``):

* the JSON schema ``profiles/schema/profile.schema.json`` (Draft 2020-12), checked against the
  composed YAML node tree so each error maps back to the line of the key or item at fault;
* semantic checks the schema cannot say: placeholders in globs, glob shape (relative POSIX host
  paths), duplicate spec ids, consent needed by binary logs, at least one detect signal.

Folders are searched in order (built-in, ``/etc/gcollect/profiles.d``, ``$GCOLLECT_PROFILE_DIR``,
``extra_dirs``); a later profile with the same ``product`` replaces an earlier one.

Runs (``load_profiles(..., checked_in=state_dir)``) remember in the state folder the SHA-256 of
each profile file that passed every check (``profiles-checked.json``, bound to this module's
source, the schema and the version), and skip the checks for exactly those bytes next time:
the checks are a pure function of them. The profile itself is always built from the file;
``gcollect profiles check`` and ``load_profile_file`` always check.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

import collector
from collector.checkcache import CheckedDigests, checks_key, installed_module_stamp
from collector.errors import BadProfile
from collector.model import CollectSpec, Detect, Profile

if TYPE_CHECKING:
    import jsonschema

SCHEMA_ID = "gcollect/profile/v1"
SITE_DIR = Path("/etc/gcollect/profiles.d")
ENV_VAR = "GCOLLECT_PROFILE_DIR"
PLACEHOLDERS = ("app_dir", "log_base", "log_dir", "name", "home")
LEADING_PLACEHOLDERS = frozenset({"app_dir", "log_base", "log_dir", "home"})  # host paths: start a glob
MAX_PROFILE_BYTES = 1024 * 1024
CHECKED_FILE = "profiles-checked.json"

_PACKAGE_DIR = Path(collector.__file__).resolve().parent
_BRACES = re.compile(r"\{([^{}]*)\}")
_KEY_TYPES = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false",
              int: "a number", float: "a number", type(None): "nothing (empty value)"}
_SCHEMA_TYPES = {"object": "a mapping", "array": "a list", "string": "a string",
                 "number": "a number", "integer": "a whole number", "boolean": "true or false",
                 "null": "empty"}

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    line: int                # 1-based
    key: str                 # key path, e.g. collect[0].globs ("" = the whole file)
    text: str


# ---------------------------------------------------------------- folders
def builtin_dir() -> Path:
    """The profiles shipped with gcollect (wheel: ``collector/_data/profiles``; source tree: ``profiles``)."""
    packaged = _PACKAGE_DIR / "_data" / "profiles"
    return packaged if packaged.is_dir() else _PACKAGE_DIR.parent / "profiles"


def profile_dirs(extra_dirs: Sequence[Path] = ()) -> list[Path]:
    """Folders searched for ``*.yaml`` profiles, lowest priority first.

    The built-in and site folders are listed only if they exist; folders named in
    ``$GCOLLECT_PROFILE_DIR`` (``os.pathsep``-separated) and ``extra_dirs`` are always listed,
    so that ``load_profiles`` can report one that is missing.
    """
    dirs: list[Path] = [d for d in (builtin_dir(), SITE_DIR) if d.is_dir()]
    dirs += [Path(p) for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in extra_dirs]
    return list(dict.fromkeys(dirs))


def _profile_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise BadProfile(where=str(folder), problem="profile folder does not exist or is not a folder")
    files = [p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")]
    return sorted(p for p in files if p.is_file())


def load_profiles(extra_dirs: Sequence[Path] = (), *, checked_in: Path | None = None) -> dict[str, Profile]:
    """Every profile by product id; later folders override earlier ones. Raises BadProfile.

    ``checked_in``: a state folder remembering which profile files passed the checks (see the
    module docstring); None checks every file."""
    checked = _checked(checked_in) if checked_in is not None else None
    profiles: dict[str, Profile] = {}
    for folder in profile_dirs(extra_dirs):
        here: dict[str, Profile] = {}
        for path in _profile_files(folder):
            profile = _load_or_raise(path, checked)
            if profile.product in here:
                raise BadProfile(where=_display(path), problem=(
                    f"product: '{profile.product}' is also defined by {_display(Path(here[profile.product].source))}"))
            here[profile.product] = profile
        profiles.update(here)
    if checked is not None:
        checked.save()
    return dict(sorted(profiles.items()))


def load_profile_file(path: Path) -> Profile:
    """Load one profile file; the first problem (by line) becomes a BadProfile."""
    return _load_or_raise(Path(path), None)


def _load_or_raise(path: Path, checked: CheckedDigests | None) -> Profile:
    profile, problems = _load(path, checked)
    if problems or profile is None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more; run: gcollect profiles check {_display(Path(path))})" \
            if len(problems) > 1 else ""
        raise BadProfile(where=_where(Path(path), first), problem=_problem(first) + more)
    return profile


def check_profile_file(path: Path) -> list[str]:
    """All problems of one profile file as ``FILE:LINE: KEY: problem`` lines; empty when fine."""
    _, problems = _load(Path(path))
    return [f"{_where(Path(path), p)}: {_problem(p)}" for p in problems]


# ---------------------------------------------------------------- loading
def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _where(path: Path, problem: Problem) -> str:
    return f"{_display(path)}:{problem.line}" if problem.line else _display(path)


def _problem(problem: Problem) -> str:
    return f"{problem.key}: {problem.text}" if problem.key else problem.text


def _load(path: Path, checked: CheckedDigests | None = None) -> tuple[Profile | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(0, "", f"cannot read: {exc.strerror or exc}")]
    if len(raw) > MAX_PROFILE_BYTES:
        return None, [Problem(0, "", f"file is larger than {MAX_PROFILE_BYTES // 1024} KB")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(raw[:exc.start].count(b"\n") + 1, "", "not UTF-8 text")]
    try:
        data, lines, problems = _parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc)]
    except (yaml.YAMLError, RecursionError) as exc:     # unmarked parser errors; absurd nesting
        return None, [Problem(0, "", f"YAML error: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(1, "", f"expected a mapping of profile keys, got {_kind_of(data)}")]
    digest = hashlib.sha256(raw).hexdigest()
    if checked is None or digest not in checked:
        problems += _schema_problems(data, lines)
        problems += _semantic_problems(data, lines)
    problems = sorted(set(problems))
    if problems:
        return None, problems
    if checked is not None:
        checked.passed(digest)
    return _build(data, path, digest), []


def _checked(state_dir: Path) -> CheckedDigests:
    """The profile files that passed every check, remembered in ``<state>/profiles-checked.json``."""
    return CheckedDigests(Path(state_dir) / CHECKED_FILE, _checks_key())


@lru_cache(maxsize=1)
def _checks_key() -> str | None:
    """What a profile's checks depend on besides its bytes: gcollect's version, this module's
    source, the schema, the YAML parser and the installed jsonschema (its file, size and
    time: a new release replaces it). None (nothing remembered) if one cannot be read."""
    try:
        parts = [collector.__version__.encode(), Path(__file__).read_bytes(), schema_path().read_bytes(),
                 f"{yaml.__version__} {_SAFE_LOADER.__name__}".encode(), installed_module_stamp("jsonschema")]
    except (OSError, BadProfile):
        return None
    return checks_key(parts)


def _yaml_problem(exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    detail = " ".join(s for s in (exc.context, exc.problem) if s)
    if mark is None:
        return Problem(0, "", f"YAML syntax error: {detail}")
    started = exc.context_mark
    if started is not None and started.line != mark.line:
        detail += f" (opened at line {started.line + 1}, column {started.column + 1})"
    return Problem(mark.line + 1, "", f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {detail}")


# libyaml's parser (same node tree and marks, several times faster) where PyYAML was built with it
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str) -> tuple[Any, dict[tuple[str, ...], int], list[Problem]]:
    """Data (safe YAML), line of every key/item by path, and duplicate-key problems."""
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        lines: dict[tuple[str, ...], int] = {(): node.start_mark.line + 1}
        problems: list[Problem] = []
        _walk(node, (), lines, problems)          # before construction: merge keys are flattened there
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, lines, problems


def _walk(node: yaml.Node, path: tuple[str, ...], lines: dict[tuple[str, ...], int],
          problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(key_node.start_mark.line + 1, _keypath(path), "keys must be plain words"))
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                problems.append(Problem(line, _keypath(path + (key,)), "duplicate key"))
            seen.add(key)
            lines.setdefault(path + (key,), line)
            _walk(value_node, path + (key,), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault(path + (str(index),), item.start_mark.line + 1)
            _walk(item, path + (str(index),), lines, problems)


def _keypath(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _line(lines: dict[tuple[str, ...], int], path: Sequence[str | int]) -> int:
    key = tuple(str(p) for p in path)
    while key not in lines and key:
        key = key[:-1]
    return lines.get(key, 1)


def _kind_of(value: object) -> str:
    return _KEY_TYPES.get(type(value), type(value).__name__)


# ---------------------------------------------------------------- schema
def schema_path() -> Path:
    """``profile.schema.json``, shipped beside the built-in profiles (not overridable by a site)."""
    for base in (_PACKAGE_DIR / "_data" / "profiles", _PACKAGE_DIR.parent / "profiles"):
        if (base / "schema" / "profile.schema.json").is_file():
            return base / "schema" / "profile.schema.json"
    raise BadProfile(where=str(_PACKAGE_DIR), problem="profile schema missing: broken gcollect installation")


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema             # here: a run whose profiles are all known to pass never needs it

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _expected(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if kind == "array":
        item = (schema.get("items") or {}).get("type")
        return {"string": "a list of strings", "object": "a list of mappings"}.get(str(item), "a list")
    if isinstance(kind, list):
        return " or ".join(_SCHEMA_TYPES.get(k, k) for k in kind)
    return _SCHEMA_TYPES.get(str(kind), str(kind))


def _schema_problems(data: dict[str, Any], lines: dict[tuple[str, ...], int]) -> list[Problem]:
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        path: PathKey = tuple(error.absolute_path)
        schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
        value = error.instance
        where = _line(lines, path)
        kind = error.validator
        if kind == "additionalProperties":
            allowed = list(schema.get("properties", {}))
            for key in value:
                if key not in allowed:
                    import difflib

                    near = difflib.get_close_matches(str(key), allowed, n=1)
                    hint = f"did you mean '{near[0]}'?" if near else f"allowed: {', '.join(allowed)}"
                    problems.append(Problem(_line(lines, path + (key,)), _keypath(path + (key,)),
                                            f"unknown key ({hint})"))
            continue
        if kind == "required":
            for key in error.validator_value:
                if key not in value:
                    problems.append(Problem(where, _keypath(path + (key,)), "missing (required)"))
            continue
        if kind == "type":
            text = f"expected {_expected(schema)}, got {_kind_of(value)}"
        elif kind == "const":
            text = f"must be '{error.validator_value}' (got {value!r})"
        elif kind == "enum":
            text = f"{value!r} is not one of: {', '.join(map(str, error.validator_value))}"
        elif kind == "pattern":
            text = f"{value!r}: {schema.get('x-problem', 'does not match ' + str(error.validator_value))}"
        elif kind in ("minItems", "minLength"):
            text = "must not be empty"
        elif kind == "uniqueItems":
            text = "has duplicate entries"
        elif kind == "exclusiveMinimum":
            text = f"must be greater than {error.validator_value} (got {value!r})"
        else:
            text = error.message
        problems.append(Problem(where, _keypath(path), text))
    return problems


# ---------------------------------------------------------------- semantics
def _strings(value: object) -> Iterator[tuple[int, str]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield index, item


def _glob_problems(glob: str, *, placeholders: bool, base: str) -> list[str]:
    """What is wrong with one glob (empty list: fine)."""
    found: list[str] = []
    if glob.startswith("/"):
        found.append(f"'{glob}': {base} paths are relative, without a leading '/'")
    if "\\" in glob or re.match(r"^[A-Za-z]:", glob):
        found.append(f"'{glob}': use '/' separators and write 'C:\\' as 'C/'")
    parts = glob.split("/")
    if ".." in parts:
        found.append(f"'{glob}': '..' is not allowed")
    if any(p == "" for p in parts[1:-1]) or glob.endswith("/"):
        found.append(f"'{glob}': empty path segment")
    if any("**" in p and p != "**" for p in parts):
        found.append(f"'{glob}': '**' must be a whole path segment")
    names = _BRACES.findall(glob)
    if _BRACES.sub("", glob).count("{") or _BRACES.sub("", glob).count("}"):
        found.append(f"'{glob}': unbalanced '{{' or '}}'")
    for name in names:
        if "," in name:
            found.append(f"'{glob}': {{{name}}}: brace alternatives are not supported, list each glob")
        elif not placeholders:
            found.append(f"'{glob}': placeholders are not allowed here")
            break
        elif name not in PLACEHOLDERS:
            found.append(f"'{glob}': unknown placeholder {{{name}}} "
                         f"(known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)})")
        elif name in LEADING_PLACEHOLDERS and not glob.startswith("{" + name + "}"):
            found.append(f"'{glob}': {{{name}}} is a host path and must start the glob")
    return found


def _semantic_problems(data: dict[str, Any], lines: dict[tuple[str, ...], int]) -> list[Problem]:
    problems: list[Problem] = []

    def check(path: PathKey, value: object, *, placeholders: bool, base: str) -> None:
        for index, glob in _strings(value):
            for text in _glob_problems(glob, placeholders=placeholders, base=base):
                problems.append(Problem(_line(lines, path + (index,)), _keypath(path + (index,)), text))

    detect = data.get("detect")
    if isinstance(detect, dict):
        if not any(isinstance(v, list) and v for v in detect.values()):
            problems.append(Problem(_line(lines, ("detect",)), "detect",
                                    "needs at least one signal, else the product is never found"))
        check(("detect", "files"), detect.get("files"), placeholders=False, base="app-folder")
        check(("detect", "paths"), detect.get("paths"), placeholders=False, base="host")
        for index, name in _strings(detect.get("processes")):
            if "/" in name or "\\" in name:
                problems.append(Problem(_line(lines, ("detect", "processes", index)),
                                        _keypath(("detect", "processes", index)),
                                        f"'{name}': a process is an executable base name, not a path"))
    check(("roots",), data.get("roots"), placeholders=False, base="host")
    check(("forbid",), data.get("forbid"), placeholders=False, base="host")

    seen: dict[str, int] = {}
    collect = data.get("collect")
    for index, spec in enumerate(collect if isinstance(collect, list) else []):
        if not isinstance(spec, dict):
            continue
        path: PathKey = ("collect", index)
        check(path + ("globs",), spec.get("globs"), placeholders=True, base="host")
        spec_id = spec.get("id")
        if isinstance(spec_id, str):
            if spec_id in seen:
                problems.append(Problem(_line(lines, path + ("id",)), _keypath(path + ("id",)),
                                        f"duplicate spec id '{spec_id}' (first at collect[{seen[spec_id]}])"))
            seen.setdefault(spec_id, index)
        if spec.get("kind") == "binary-log" and "consent" not in spec:
            problems.append(Problem(_line(lines, path + ("kind",)), _keypath(path + ("kind",)),
                                    "binary-log cannot be redacted: add 'consent: unredacted-binary'"))
        if spec.get("always_in_window") is True and spec.get("window") == "ignore":
            problems.append(Problem(_line(lines, path + ("always_in_window",)),
                                    _keypath(path + ("always_in_window",)),
                                    "has no effect with 'window: ignore' (already always taken)"))
    return problems


# ---------------------------------------------------------------- build
def _build(data: dict[str, Any], path: Path, sha256: str) -> Profile:
    detect = data.get("detect") or {}
    specs = []
    for spec in data["collect"]:
        kind = spec["kind"]
        default_window = "ignore" if kind == "config" else "segment"
        cap = spec.get("cap_mb")
        specs.append(CollectSpec(
            id=spec["id"], kind=kind, globs=tuple(spec["globs"]),
            window=spec.get("window", default_window),
            cap_mb=float(cap) if cap is not None else None,
            always_in_window=bool(spec.get("always_in_window", False)),
            consent=spec.get("consent"),
        ))
    return Profile(
        product=data["product"],
        title=data["title"],
        source=str(path),
        sha256=sha256,
        detect=Detect(**{key: tuple(detect.get(key) or ()) for key in
                         ("processes", "app_types", "banners", "command_lines", "files", "paths")}),
        collect=tuple(specs),
        forbid=tuple(data.get("forbid") or ()),
        redaction=tuple(data.get("redaction") or ()),
        roots=tuple(data.get("roots") or ()),
    )
