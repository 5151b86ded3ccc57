"""Every packaged rule set loads, every rule has examples that pass, and the prefilter
catches every example line that an exact rule changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from collector.redaction import available_rule_sets, load_rule_sets
from collector.redaction.engine import compiled_rules
from collector.redaction.rules import example_problem, run_example

PACKAGED = sorted(available_rule_sets())
REPO = Path(__file__).resolve().parents[2]


def test_the_five_core_sets_exist() -> None:
    assert {"common-secrets", "config-secrets", "tlib", "sip", "pii"} <= set(PACKAGED)


@pytest.mark.parametrize("name", PACKAGED)
def test_rule_set_loads_and_every_rule_has_a_positive_example(name: str) -> None:
    (rule_set,) = load_rule_sets([name])
    assert rule_set.rules
    for rule in rule_set.rules:
        assert any(not e.unchanged for e in rule.examples), f"{rule.id} has no example it redacts"
        for example in rule.examples:
            assert example_problem(rule_set, rule, example) is None


@pytest.mark.parametrize("name", PACKAGED)
def test_prefilter_catches_every_example_line(name: str) -> None:
    (rule_set,) = load_rule_sets([name])
    for rule in rule_set.rules:
        for kind in rule.kinds:
            compiled = compiled_rules([rule_set], kind)
            index = next(i for i, r in enumerate(compiled.rules) if r.id == rule.id)
            for example in rule.examples:
                if example.unchanged:
                    continue
                first = example.line.encode().splitlines()[0]
                assert 0 <= compiled.next_candidate(first + b"\n", 0) <= len(first), (rule.id, first)
                assert index in compiled.rules_for_line(first), (rule.id, first)


def test_all_sets_together_keep_examples_passing() -> None:
    sets = load_rule_sets(PACKAGED)
    for rule_set in sets:
        for rule in rule_set.rules:
            for example in rule.examples:
                if example.unchanged:
                    continue
                kind = example.kind or rule.kinds[0]
                out, _ = run_example(sets, kind, example.line.encode())
                exact, _ = run_example(sets, kind, example.line.encode(), use_prefilter=False)
                assert out == exact, rule.id
                for needle in example.must_not_contain:
                    assert needle.encode() not in out, (rule.id, needle, out)


def test_rule_ids_are_unique_across_packaged_sets() -> None:
    ids = [r.id for rs in load_rule_sets(PACKAGED) for r in rs.rules]
    assert len(ids) == len(set(ids))


def test_profiles_name_only_existing_rule_sets() -> None:
    names = set(PACKAGED)
    for path in sorted((REPO / "profiles").glob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        for name in data.get("redaction", []) or []:
            assert name in names, f"{path.name} names unknown rule set {name}"


def test_block_examples_give_the_same_bytes_however_the_text_is_cut() -> None:
    """A block's end often needs the line after it (``^(?!<a body line>)``): seen at the very end
    of a chunk, such an end is an empty match there, and the block must stay open for the next
    chunk. It once closed, and the rest of a base64 body or a PuTTY key in the next chunk went to
    the line rules (review of 2026-11-29). Every block rule's examples, cut in two at every byte,
    give the bytes they give whole."""
    from collector.redaction import Redactor, Tokenizer

    sets = load_rule_sets(PACKAGED)

    def redact(pieces: list[bytes], kind: str) -> bytes:
        redactor = Redactor(sets, Tokenizer(b"conformance-site-key-0123456789ab", None), kind, "x.log")
        return b"".join(redactor.feed(piece) for piece in pieces) + redactor.finish()

    checked = 0
    for rule_set in sets:
        for rule in rule_set.rules:
            if rule.block_begin is None:
                continue
            for example in rule.examples:
                kind = example.kind or rule.kinds[0]
                data = example.line.encode()
                whole = redact([data], kind)
                for cut in range(1, len(data)):
                    assert redact([data[:cut], data[cut:]], kind) == whole, (rule.id, data[:cut][-40:])
                    checked += 1
    assert checked > 5000
