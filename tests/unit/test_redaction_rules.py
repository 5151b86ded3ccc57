"""Rule-set loading: schema and semantic errors name file, key and line; site folders override."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from collector.errors import BadRuleSet, ExitCode
from collector.redaction import available_rule_sets, load_rule_sets

GOOD = """\
schema: gcollect/rules/v1
name: {name}
rules:
  - id: {rid}
    category: secret
    action: mask
    regex: 'pin=(?P<secret>\\d+)'
    examples:
      - line: 'pin=1234'
        must_not_contain: ['1234']
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


BAD = [
    # (name, yaml body, expected line, text in the problem)
    ("yaml-syntax", "schema: gcollect/rules/v1\nname: x\nrules: [\n", 4, "YAML"),
    ("unknown-key", GOOD.replace("    action: mask\n", "    action: mask\n    colour: red\n"), 4, "colour"),
    ("bad-action", GOOD.replace("action: mask", "action: shred"), 6, "rules[0].action"),
    ("bad-regex", GOOD.replace("'pin=(?P<secret>\\d+)'", "'pin=(?P<secret>\\d+'"), 7, "rules[0].regex: bad regex"),
    ("no-secret-group", GOOD.replace("(?P<secret>\\d+)", "(\\d+)"), 7, "secret"),
    ("needs-scan", GOOD.replace("'pin=(?P<secret>\\d+)'", "'(?<=pin=)(?P<secret>\\d+)'"), 7, "give a 'scan'"),
    ("empty-scan", GOOD.replace("    action: mask\n", "    action: mask\n    scan: 'x*'\n"), 7, "empty string"),
    ("failing-example", GOOD.replace("'pin=1234'", "'pin: 1234'"), 9, "does not fire"),
    ("surviving-secret", GOOD.replace("must_not_contain: ['1234']", "must_not_contain: ['pin']"), 9, "survives"),
    ("duplicate-key", GOOD.replace("    category: secret\n", "    category: secret\n    category: card\n"), 6, "duplicate key"),
    ("wrong-name", GOOD.replace("name: {name}", "name: other"), 2, "differs from file name"),
    ("bad-schema-version", GOOD.replace("gcollect/rules/v1", "gcollect/rules/v9"), 1, "schema"),
    ("newline-in-mask", GOOD.replace("    action: mask\n", "    action: mask\n    mask: \"A\\nB\"\n"), 7, "mask"),
]


@pytest.mark.parametrize("name,body,line,problem", BAD, ids=[b[0] for b in BAD])
def test_bad_rule_sets_name_file_key_and_line(tmp_path, name, body, line, problem) -> None:
    path = write(tmp_path, name, body.replace("{name}", name).replace("{rid}", "r1"))
    with pytest.raises(BadRuleSet) as caught:
        load_rule_sets([name], extra_dirs=[tmp_path])
    assert caught.value.fields["where"] == f"{path}:{line}"
    assert problem in caught.value.fields["problem"]
    assert caught.value.exit_code == ExitCode.BAD_PROFILE


def test_unknown_name(tmp_path) -> None:
    with pytest.raises(BadRuleSet, match="unknown rule set"):
        load_rule_sets(["no-such-set"], extra_dirs=[tmp_path])


def test_duplicate_rule_id_across_sets(tmp_path) -> None:
    write(tmp_path, "one", GOOD.replace("{name}", "one").replace("{rid}", "same"))
    write(tmp_path, "two", GOOD.replace("{name}", "two").replace("{rid}", "same"))
    with pytest.raises(BadRuleSet, match="also defined"):
        load_rule_sets(["one", "two"], extra_dirs=[tmp_path])


def test_site_folder_overrides_and_adds(tmp_path) -> None:
    body = GOOD.replace("{name}", "pii").replace("{rid}", "site-pin")
    path = write(tmp_path, "pii", body)
    write(tmp_path, "site-extra", GOOD.replace("{name}", "site-extra").replace("{rid}", "extra-pin"))
    found = available_rule_sets([tmp_path])
    assert found["pii"] == path and "site-extra" in found and "tlib" in found
    (rule_set,) = load_rule_sets(["pii"], extra_dirs=[tmp_path])
    assert [r.id for r in rule_set.rules] == ["site-pin"]
    assert rule_set.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rule_set.source == path


def test_packaged_sets_carry_hash_and_kinds() -> None:
    (tlib,) = load_rule_sets(["tlib"])
    assert len(tlib.sha256) == 64
    assert all(set(rule.kinds) <= {"log", "text"} for rule in tlib.rules)
