"""Load and check redaction rule sets: ``profiles/redaction/<name>.yaml`` -> ``RuleSet``.

A rule set is data. Loading checks it three ways and stops at the first problem with
``BadRuleSet(where="file:line", problem="key: what is wrong")``:

1. the JSON schema (``schema.py``), with the YAML line of the offending key;
2. semantics: ids unique, file name == ``name``, regexes compile in Python ``re``, scans in
   RE2, a ``secret`` group exists, kinds overlap;
3. every example runs through the real engine (fast path == exact path, idempotent, the
   rule itself fires, ``must_not_contain`` gone, ``must_contain`` kept).

A run (``load_rule_sets(..., checked_in=state_dir)``) remembers in the state folder the SHA-256
of each rule-set file that passed 1 and 3 (``rule-sets-checked.json``, bound to the redaction
code, the schema, the parser and the installed jsonschema and google-re2; see
``collector.checkcache``) and skips those two checks for exactly those bytes next time. That
spares every run 0.2 s and the import of jsonschema (6 MB in the main process and, through
the fork, in every worker). Check 2 always runs: it builds the rules. ``gcollect rules check``
and callers without a state folder always check everything.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import collector
from collector.checkcache import CheckedDigests, checks_key, installed_module_stamp
from collector.errors import BadRuleSet, Interrupted, RedactionFailed
from collector.redaction.compiled import RuleCompileError, compile_rule
from collector.redaction.ruleset import KINDS, Example, Rule, RuleSet
from collector.redaction.schema import RULE_SET_SCHEMA

_Path = tuple[str | int, ...]
_EXAMPLE_KEY = b"gcollect-rule-set-example-key-32"
CHECKED_FILE = "rule-sets-checked.json"


def packaged_rule_dir() -> Path:
    packaged = Path(collector.__file__).parent / "_data/profiles/redaction"
    if packaged.is_dir():
        return packaged
    return Path(collector.__file__).resolve().parent.parent / "profiles" / "redaction"


def rule_dirs(extra_dirs: Sequence[Path] = ()) -> list[Path]:
    return [*map(Path, extra_dirs), packaged_rule_dir()]


def available_rule_sets(extra_dirs: Sequence[Path] = ()) -> dict[str, Path]:
    """name -> file (``*.yaml`` or ``*.yml``, as profiles); site folders (``extra_dirs``) come
    first and override packaged sets. Raises BadRuleSet for a site folder that is not there: a
    mistyped ``--rules-dir`` once ran without the site's rules, and without a word."""
    found: dict[str, Path] = {}
    for folder in rule_dirs(extra_dirs):
        if not folder.is_dir():
            raise BadRuleSet(where=str(folder), problem="rule-set folder does not exist or is not a folder")
        try:
            names = os.listdir(folder)        # glob would take a folder it may not list for an empty one
        except OSError as exc:
            raise BadRuleSet(where=str(folder), problem=f"cannot list the rule-set folder: {exc.strerror}") from None
        files = [folder / n for n in names if n.endswith((".yaml", ".yml")) and not n.startswith(".")]
        for path in sorted(files):
            found.setdefault(path.stem, path)
    return found


def site_rule_sets(extra_dirs: Sequence[Path]) -> tuple[str, ...]:
    """Names of the rule sets in site folders that override no packaged set: a site's own rules,
    which every product's files go through besides the sets its profile names."""
    packaged = {path.stem for path in packaged_rule_dir().glob("*.yaml")}
    return tuple(name for name in available_rule_sets(extra_dirs) if name not in packaged)


def load_rule_sets(names: Iterable[str], extra_dirs: Sequence[Path] = (), *,
                   checked_in: Path | None = None) -> list[RuleSet]:
    """The named rule sets, checked (see the module docstring). Raises BadRuleSet.

    ``checked_in``: a state folder remembering which rule-set files passed the checks; None
    checks every file."""
    checked = CheckedDigests(Path(checked_in) / CHECKED_FILE, redaction_code_key()) if checked_in is not None else None
    available = available_rule_sets(extra_dirs)
    loaded: list[RuleSet] = []
    seen_ids: dict[str, str] = {}
    for name in names:
        path = available.get(name)
        if path is None:
            searched = ", ".join(str(d) for d in rule_dirs(extra_dirs))
            raise BadRuleSet(where=f"rule set {name!r}", problem=f"unknown rule set (searched {searched}; "
                             f"available: {', '.join(sorted(available)) or 'none'})")
        rule_set = load_rule_set_file(path, checked)
        for rule in rule_set.rules:
            if rule.id in seen_ids:
                raise BadRuleSet(where=rule.where, problem=f"id: {rule.id!r} also defined in {seen_ids[rule.id]}")
            seen_ids[rule.id] = rule.where
        loaded.append(rule_set)
    if checked is not None:
        checked.save()
    return loaded


def compile_unchecked(names: Iterable[str], extra_dirs: Sequence[Path] = ()) -> None:
    """Compile the rules of the named rule sets (``compile_rule``'s cache) without checking
    them or remembering them as loaded: a later ``load_rule_sets`` still checks every set that
    is not on record, and finds its rules compiled. For a process that compiles while another
    runs the checks. Raises only ``Interrupted`` (SIGTERM): a broken set is for the checked
    load to report."""
    try:
        available = available_rule_sets(extra_dirs)
    except Interrupted:
        raise
    except Exception:  # noqa: BLE001 - only a cache: the checked load says what is wrong
        return
    for name in names:
        path = available.get(name)
        if path is None:
            continue
        try:
            _load_rule_set(path, path.read_bytes(), check=False)
        except Interrupted:
            raise
        except Exception:  # noqa: BLE001 - only a cache: the checked load says what is wrong
            continue


def all_checked(names: Iterable[str], extra_dirs: Sequence[Path], checked_in: Path) -> bool:
    """Have the named rule sets, as their files are now, passed the checks before (their
    digests are in the state folder's record)? Reads and hashes the files; runs no check. An
    unknown or unreadable set counts as not checked (the load then says what is wrong)."""
    checked = CheckedDigests(Path(checked_in) / CHECKED_FILE, redaction_code_key())
    available = available_rule_sets(extra_dirs)
    for name in names:
        path = available.get(name)
        try:
            if path is None or hashlib.sha256(path.read_bytes()).hexdigest() not in checked:
                return False
        except OSError:
            return False
    return True


@lru_cache(maxsize=1)
def redaction_code_key() -> str | None:
    """What the rule-set checks (and the compiled patterns kept by ``patterncache``) depend on
    besides a file's bytes: gcollect's version, the redaction code (the examples run through
    the engine), the YAML parser, and the installed jsonschema and google-re2. None (nothing
    remembered) if one cannot be read."""
    here = Path(__file__).resolve().parent
    try:
        code = [p.read_bytes() for p in sorted(here.glob("*.py"))]
        code.append((here.parent / "re2search.py").read_bytes())
    except OSError:
        return None
    return checks_key([collector.__version__.encode(), *code, f"{yaml.__version__} {_YAML_LOADER.__name__}".encode(),
                       installed_module_stamp("jsonschema"), installed_module_stamp("re2._re2")])


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when present: ~10x faster
_LOADED: dict[tuple[str, str], RuleSet] = {}


def load_rule_set_file(path: Path, checked: CheckedDigests | None = None) -> RuleSet:
    """Load, check and return one rule set; cached per process by path and content hash
    (a worker process loads and checks each set once, however many files it redacts).
    ``checked``: the digests that passed before (their schema and example checks are skipped)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadRuleSet(where=str(path), problem=f"cannot read the rule set: {exc.strerror}") from None
    digest = hashlib.sha256(raw).hexdigest()
    key = (str(path), digest)
    found = _LOADED.get(key)
    if found is None:
        known = checked is not None and digest in checked
        found = _LOADED[key] = _load_rule_set(path, raw, check=not known)
        if checked is not None and not known:
            checked.passed(digest)
    return found


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """One parse: the node tree (for line numbers) and the data built from it."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def _load_rule_set(path: Path, raw: bytes, *, check: bool = True) -> RuleSet:
    try:
        text = raw.decode("utf-8")
        node, data = _parse_yaml(text)
    except UnicodeDecodeError as exc:
        raise BadRuleSet(where=f"{path}:1", problem=f"not UTF-8: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise BadRuleSet(where=f"{path}:{line}", problem=f"YAML: {exc.problem}") from None
    lines: dict[_Path, int] = {}
    if node is not None:
        _record_lines(path, node, (), lines)
    where = _Locator(path, lines)
    if check:
        _validate_schema(data, where)
    if data["name"] != path.stem:
        raise BadRuleSet(where=where(("name",)), problem=f"name: {data['name']!r} differs from file name {path.stem!r}")
    rule_set = RuleSet(
        name=data["name"], source=path, sha256=hashlib.sha256(raw).hexdigest(),
        rules=_build_rules(data, where), description=data.get("description", ""),
    )
    set_examples = tuple(_example(e, where, ("examples", i)) for i, e in enumerate(data.get("examples", [])))
    if check:
        _check_examples(rule_set, set_examples)
    return rule_set


class _Locator:
    """Turns a key path into ``file:line`` (the nearest key the YAML shows)."""

    def __init__(self, path: Path, lines: dict[_Path, int]) -> None:
        self.path, self.lines = path, lines

    def __call__(self, key_path: _Path) -> str:
        for end in range(len(key_path), -1, -1):
            if key_path[:end] in self.lines:
                return f"{self.path}:{self.lines[key_path[:end]]}"
        return f"{self.path}:1"


def key_name(key_path: _Path) -> str:
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"


def _record_lines(path: Path, node: yaml.Node, at: _Path, lines: dict[_Path, int]) -> None:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in keys:
                raise BadRuleSet(where=f"{path}:{key_node.start_mark.line + 1}",
                                 problem=f"{key_name((*at, key))}: duplicate key")
            keys.add(key)
            _record_lines(path, value_node, (*at, key), lines)
            lines[(*at, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(path, item, (*at, index), lines)


def _validate_schema(data: Any, where: _Locator) -> None:
    import jsonschema          # here: a run whose rule sets are all known to pass never needs it

    validator = jsonschema.Draft202012Validator(RULE_SET_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = max(errors, key=lambda e: len(e.absolute_path))
        key_path = tuple(error.absolute_path)
        raise BadRuleSet(where=where(key_path), problem=f"{key_name(key_path)}: {error.message}")


def _kinds(value: dict[str, Any] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if not value or "kinds" not in value:
        return default
    return tuple(value["kinds"])


def _build_rules(data: dict[str, Any], where: _Locator) -> tuple[Rule, ...]:
    set_kinds = _kinds(data.get("applies_to"), KINDS)
    rules: list[Rule] = []
    ids: set[str] = set()
    for index, item in enumerate(data["rules"]):
        at: _Path = ("rules", index)
        if item["id"] in ids:
            raise BadRuleSet(where=where((*at, "id")), problem=f"{key_name((*at, 'id'))}: duplicate id {item['id']!r}")
        ids.add(item["id"])
        rule_kinds = _kinds(item.get("applies_to"), set_kinds)
        kinds = tuple(k for k in rule_kinds if k in set_kinds)
        if not kinds:
            raise BadRuleSet(where=where((*at, "applies_to")),
                             problem=f"{key_name((*at, 'applies_to'))}: no kind left after the rule set's kinds {list(set_kinds)}")
        block = item.get("block") or {}
        rule = Rule(
            id=item["id"], category=item["category"], action=item["action"],
            regex=item.get("regex"), inner=item.get("inner"), scan=item.get("scan"),
            block_begin=block.get("begin"), block_end=block.get("end"), block_until=block.get("until"),
            block_keep=block.get("keep"),
            unless=item.get("unless"),
            yields_to=tuple(item.get("yields_to", ())),
            mask=item.get("mask"), validate=item.get("validate"), kinds=kinds,
            examples=tuple(_example(e, where, (*at, "examples", i)) for i, e in enumerate(item.get("examples", []))),
            where=where(at),
        )
        try:
            compile_rule(rule)
        except RuleCompileError as exc:
            key_path = (*at, *exc.field.split("."))
            raise BadRuleSet(where=where(key_path), problem=f"{key_name(key_path)}: {exc.problem}") from None
        rules.append(rule)
    return tuple(rules)


def _example(item: dict[str, Any], where: _Locator, at: _Path) -> Example:
    return Example(
        line=item["line"], must_not_contain=tuple(item.get("must_not_contain", ())),
        must_contain=tuple(item.get("must_contain", ())), unchanged=bool(item.get("unchanged", False)),
        kind=item.get("kind"), where=where(at),
    )


def run_example(rule_sets: Sequence[RuleSet], kind: str, text: bytes, *, use_prefilter: bool = True) -> tuple[bytes, dict[str, int]]:
    """Redact ``text`` as one whole file with throwaway tokens (for examples and tests)."""
    from collector.redaction.engine import Redactor
    from collector.redaction.tokens import Tokenizer

    redactor = Redactor(rule_sets, Tokenizer(_EXAMPLE_KEY, None), kind, "<example>", use_prefilter=use_prefilter)
    out = redactor.feed(text) + redactor.finish()
    return out, redactor.stats


def example_problem(rule_set: RuleSet, rule: Rule | None, example: Example) -> str | None:
    """Why an example fails, or None when it passes."""
    kind = example.kind or (rule.kinds[0] if rule else "log")
    if rule is not None and kind not in rule.kinds:
        return f"example kind {kind!r} is not one the rule applies to"
    text = example.line.encode("utf-8")
    try:
        fast, stats = run_example([rule_set], kind, text)
        exact, _ = run_example([rule_set], kind, text, use_prefilter=False)
        again, _ = run_example([rule_set], kind, fast)
    except RedactionFailed as exc:
        if rule is not None and rule.action == "drop-file" and "must not be collected" in exc.message:
            return None
        return f"example fails: {exc.message}"
    shown = fast.decode("utf-8", "backslashreplace")
    if fast != exact:
        return f"prefilter misses this line: fast path gave {shown!r}, exact path {exact.decode('utf-8', 'backslashreplace')!r}"
    if again != fast:
        return f"not idempotent: second pass gave {again.decode('utf-8', 'backslashreplace')!r}"
    if example.unchanged and fast != text:
        return f"example should stay unchanged but became {shown!r}"
    if not example.unchanged and rule is not None and rule.id not in stats:
        return f"rule {rule.id} does not fire on its example (output {shown!r})"
    if rule is not None and rule.action == "drop-file" and not example.unchanged:
        return "drop-file rule did not drop its example"
    for needle in example.must_not_contain:
        if needle.encode("utf-8") in fast:
            return f"{needle!r} survives redaction: {shown!r}"
    for needle in example.must_contain:
        if needle.encode("utf-8") not in fast:
            return f"{needle!r} missing after redaction: {shown!r}"
    if fast.count(b"\n") != text.count(b"\n"):
        return "line count changed"
    return None


def _check_examples(rule_set: RuleSet, set_examples: tuple[Example, ...]) -> None:
    checks: list[tuple[Rule | None, Example]] = [(r, e) for r in rule_set.rules for e in r.examples]
    checks += [(None, e) for e in set_examples]
    from collector.hostguard import return_freed_memory
    from collector.redaction.engine import forget_compiled

    try:
        for rule, example in checks:
            problem = example_problem(rule_set, rule, example)
            if problem is not None:
                label = f"rule {rule.id}: " if rule else ""
                raise BadRuleSet(where=example.where, problem=f"{label}{problem}")
    finally:
        # the rule set alone, compiled for its examples, is never used by a run: every worker
        # forked after the check would carry it (about 15 MB for the packaged sets)
        forget_compiled([rule_set])
        return_freed_memory()
