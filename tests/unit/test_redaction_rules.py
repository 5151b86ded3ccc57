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


BLOCK_WITH_FLAG = """\
schema: gcollect/rules/v1
name: {name}
rules:
  - id: site-secret-block
    category: secret
    action: mask
    block:
      begin: '(?i)^begin secret$'
      end: '(?im)^end secret$'
    examples:
      - line: "BEGIN SECRET\\nhidden value\\nEnd Secret\\nkept\\n"
        must_not_contain: [hidden value]
        must_contain: [BEGIN SECRET, End Secret, kept]
"""


def test_a_block_rule_may_start_its_patterns_with_a_flag(tmp_path) -> None:
    """Block begin/end lines are kept apart from secret spans; a (?i) prefix on them once
    broke compiling the rules (a global flag inside one alternation of all markers)."""
    write(tmp_path, "site-block", BLOCK_WITH_FLAG.replace("{name}", "site-block"))
    (rule_set,) = load_rule_sets(["site-block"], extra_dirs=[tmp_path])
    from collector.redaction import Redactor, Tokenizer

    redactor = Redactor([rule_set], Tokenizer(b"k" * 32, None), "log", "x.log")
    out = redactor.feed(b"begin Secret\nline one\nEND SECRET\nline two\n") + redactor.finish()
    assert out == b"begin Secret\nREDACTED\nEND SECRET\nline two\n"


DEDENT_BLOCK = """\
schema: gcollect/rules/v1
name: {name}
rules:
  - id: site-dedent-block
    category: secret
    action: mask
    block:
      begin: '^\\s*vault:(?:[ \\t]*\\|)?$'
      until: dedent
    examples:
      - line: "  vault:\\n    key: abc\\n\\n\\t  - x\\n  next: 1\\n"
        must_not_contain: [abc]
        must_contain: ["  vault:\\n    key: REDACTED\\n\\n\\t  - REDACTED\\n  next: 1\\n"]
"""


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_a_block_until_dedent_masks_the_deeper_lines_whatever_the_chunking(tmp_path, size) -> None:
    write(tmp_path, "site-dedent", DEDENT_BLOCK.replace("{name}", "site-dedent"))
    (rule_set,) = load_rule_sets(["site-dedent"], extra_dirs=[tmp_path])
    from collector.redaction import Redactor, Tokenizer

    # a nested mapping or list keeps its keys and dashes (the file loads as the same shape), every
    # value masked; a block scalar's text (vault: |, cert: |) is masked whole, keys or not
    text = (b"top:\r\n  vault:\r\n      deep: s3cret\r\n    other: s3cret2\r\n    cert: |\r\n      k: v1\r\n"
            b"      - v2\r\n    - name: v3\r\n  after: kept\r\nvault:\r\n  last: s3\r\nvault: |\r\n  k: v4\r\n"
            b"  - v5\r\nend: kept\r\n")
    for fast in (True, False):
        redactor = Redactor([rule_set], Tokenizer(b"k" * 32, None), "config", "x.yaml", use_prefilter=fast)
        out = b"".join(redactor.feed(text[i:i + size]) for i in range(0, len(text), size)) + redactor.finish()
        assert out == (b"top:\r\n  vault:\r\n      deep: REDACTED\r\n    other: REDACTED\r\n    cert: |\r\n"
                       b"      REDACTED\r\n      REDACTED\r\n    - name: REDACTED\r\n  after: kept\r\n"
                       b"vault:\r\n  last: REDACTED\r\nvault: |\r\n  REDACTED\r\n  REDACTED\r\nend: kept\r\n")


@pytest.mark.parametrize("block", ["begin: 'x'", "begin: 'x'\n      end: 'y'\n      until: dedent",
                                   "begin: 'x'\n      until: outdent"])
def test_a_block_needs_exactly_one_of_end_and_until_dedent(tmp_path, block) -> None:
    body = DEDENT_BLOCK.replace("{name}", "bad-block").replace(
        "begin: '^\\s*vault:(?:[ \\t]*\\|)?$'\n      until: dedent", block)
    assert body != DEDENT_BLOCK.replace("{name}", "bad-block")
    write(tmp_path, "bad-block", body)
    with pytest.raises(BadRuleSet, match="block"):
        load_rule_sets(["bad-block"], extra_dirs=[tmp_path])


def test_packaged_sets_carry_hash_and_kinds() -> None:
    (tlib,) = load_rule_sets(["tlib"])
    assert len(tlib.sha256) == 64
    assert all(set(rule.kinds) <= {"log", "text"} for rule in tlib.rules)


# ---------------------------------------------------------------- remembered checks
@pytest.fixture
def fresh_loads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Empty the per-process cache of loaded sets and count the two checks a record may skip."""
    import collector.redaction.rules as rules_mod

    monkeypatch.setattr(rules_mod, "_LOADED", {})
    counts = {"schema": 0, "examples": 0}
    schema, examples = rules_mod._validate_schema, rules_mod._check_examples

    def counted_schema(data, where):
        counts["schema"] += 1
        return schema(data, where)

    def counted_examples(rule_set, set_examples):
        counts["examples"] += 1
        return examples(rule_set, set_examples)

    monkeypatch.setattr(rules_mod, "_validate_schema", counted_schema)
    monkeypatch.setattr(rules_mod, "_check_examples", counted_examples)
    return counts


def test_checked_rule_sets_are_remembered_and_give_the_same_rules(tmp_path, fresh_loads, monkeypatch) -> None:
    import collector.redaction.rules as rules_mod

    state = tmp_path / "state"
    state.mkdir()
    first = load_rule_sets(["common-secrets", "pii"], checked_in=state)
    record = state / rules_mod.CHECKED_FILE
    assert oct(record.stat().st_mode & 0o777) == "0o600"
    assert fresh_loads == {"schema": 2, "examples": 2}
    monkeypatch.setattr(rules_mod, "_LOADED", {})
    again = load_rule_sets(["common-secrets", "pii"], checked_in=state)
    assert fresh_loads == {"schema": 2, "examples": 2}          # nothing checked the second time
    assert [(r.name, r.sha256, r.rules) for r in again] == [(r.name, r.sha256, r.rules) for r in first]
    monkeypatch.setattr(rules_mod, "_LOADED", {})
    load_rule_sets(["pii"])                                     # no state folder: always checked
    assert fresh_loads == {"schema": 3, "examples": 3}


def test_an_edited_rule_set_is_checked_again(tmp_path, fresh_loads, monkeypatch) -> None:
    import collector.redaction.rules as rules_mod

    state = tmp_path / "state"
    state.mkdir()
    write(tmp_path, "site", GOOD.replace("{name}", "site").replace("{rid}", "pin"))
    load_rule_sets(["site"], [tmp_path], checked_in=state)
    write(tmp_path, "site", GOOD.replace("{name}", "site").replace("{rid}", "pin").replace("'pin=1234'", "'pin: 1234'"))
    for _ in range(2):                                          # a failed file is never remembered
        monkeypatch.setattr(rules_mod, "_LOADED", {})
        with pytest.raises(BadRuleSet, match="does not fire"):
            load_rule_sets(["site"], [tmp_path], checked_in=state)


@pytest.mark.parametrize("content", [b"", b"not json", b'{"key": "other", "clean": ["%s"]}', b"[1, 2]"])
def test_a_damaged_or_foreign_record_of_rule_sets_is_ignored(tmp_path, fresh_loads, content) -> None:
    import collector.redaction.rules as rules_mod

    state = tmp_path / "state"
    state.mkdir()
    path = write(tmp_path, "site", GOOD.replace("{name}", "site").replace("{rid}", "pin").replace("'pin=1234'", "'pin: 1234'"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (state / rules_mod.CHECKED_FILE).write_bytes(content.replace(b"%s", digest.encode()))
    with pytest.raises(BadRuleSet, match="does not fire"):
        load_rule_sets(["site"], [tmp_path], checked_in=state)


def test_a_record_under_the_right_key_skips_exactly_its_files(tmp_path, fresh_loads) -> None:
    """The record holds verdicts by content: a failing file whose digest is not in it is checked."""
    import json

    import collector.redaction.rules as rules_mod

    state = tmp_path / "state"
    state.mkdir()
    good = write(tmp_path, "good", GOOD.replace("{name}", "good").replace("{rid}", "pin"))
    write(tmp_path, "bad", GOOD.replace("{name}", "bad").replace("{rid}", "pin2").replace("'pin=1234'", "'pin: 1234'"))
    key = rules_mod.redaction_code_key()
    assert key is not None
    (state / rules_mod.CHECKED_FILE).write_text(json.dumps(
        {"key": key, "clean": [hashlib.sha256(good.read_bytes()).hexdigest()]}))
    load_rule_sets(["good"], [tmp_path], checked_in=state)
    assert fresh_loads == {"schema": 0, "examples": 0}
    with pytest.raises(BadRuleSet, match="does not fire"):
        load_rule_sets(["bad"], [tmp_path], checked_in=state)


def test_checking_examples_leaves_nothing_compiled_behind() -> None:
    """Each rule set's examples run on that set alone, compiled for it; the run never uses that
    compilation, and every worker forked after the check carried it (about 15 MB)."""
    from collector.redaction import engine
    from collector.redaction.rules import load_rule_sets

    engine._COMPILED.clear()
    load_rule_sets(["common-secrets", "config-secrets", "tlib", "sip", "pii"])
    assert engine._COMPILED == {}
