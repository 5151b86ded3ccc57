"""The start guard in front of a rule's Python regex: the same matches, found faster."""

from __future__ import annotations

import random
import re

import pytest

from collector.redaction import load_rule_sets
from collector.redaction.compiled import compile_rule
from collector.redaction.rules import available_rule_sets
from collector.redaction.startguard import ALL_BYTES, compile_guarded, guarded_text, start_bytes


@pytest.mark.parametrize(("pattern", "expected"), [
    (rb"(?i)\buser", b"uU"),
    (rb"a?b", b"ab"),
    (rb"(?<![\w.-])(?:x|y)z", b"xy"),
    (rb"(?i:ab)|\[C", b"aA["),
    (rb"\d{3}-", b"0123456789"),
    (rb"(?:a|)c", b"ac"),
    (rb"(?=q)[q-s]", b"qrs"),
])
def test_start_bytes_of_small_patterns(pattern: bytes, expected: bytes) -> None:
    assert start_bytes(re.compile(pattern)) == frozenset(expected)


@pytest.mark.parametrize("pattern", [rb"x*", rb"(?:a|)", rb"\b", rb"(?=a)"])
def test_a_pattern_that_can_match_empty_has_no_start_bytes(pattern: bytes) -> None:
    assert start_bytes(re.compile(pattern)) is None
    assert guarded_text(pattern) is None and compile_guarded(pattern).pattern == pattern


@pytest.mark.parametrize("pattern", [rb".x", rb"[^a]b", rb"(?P<q>['\"]?)(?P=q)x"])
def test_any_byte_starts_what_the_scan_cannot_bound(pattern: bytes) -> None:
    first = start_bytes(re.compile(pattern))
    assert first is not None and first >= ALL_BYTES - frozenset(b"a")


def test_a_negated_class_under_ignore_case_still_allows_the_other_case() -> None:
    # a superset is always safe; re itself excludes both cases here
    assert frozenset(b"A") <= start_bytes(re.compile(rb"(?i)[^a]b"))


def test_a_locale_pattern_is_left_as_it_is() -> None:
    assert guarded_text(rb"(?L)\buser|\[C") is None


def test_the_config_server_user_rule_is_guarded() -> None:
    """cs-user-name opens with \\b and an alternation: the rule that cost most per line."""
    rules = {rule.id: rule for rule_set in load_rule_sets(["pii"]) for rule in rule_set.rules}
    compiled = compile_rule(rules["cs-user-name"])
    assert compiled.pattern.pattern.startswith(b"(?i)(?=[")
    assert compiled.pattern.pattern != rules["cs-user-name"].regex.encode()


def _lines() -> list[bytes]:
    rnd = random.Random(7)
    alphabet = (b"abcdeuserNAMEpassword[]'\"=:;,. \t0123456789+@<>/-_%#&\\xyzUSERcfgpersonCfgPerson"
                b"sip:tel:PIN\xc3\xb1")
    lines = [bytes(rnd.choice(alphabet) for _ in range(rnd.randint(0, 140))) for _ in range(1500)]
    for rule_set in load_rule_sets(list(available_rule_sets())):
        for rule in rule_set.rules:
            for example in rule.examples:
                lines.extend(example.line.encode("utf-8").split(b"\n"))
    return lines


def _matches(pattern: re.Pattern[bytes], line: bytes) -> list[tuple[tuple[int, int], ...]]:
    return [match.regs for match in pattern.finditer(line)]


def test_every_guarded_rule_pattern_matches_where_its_own_text_does() -> None:
    """Every packaged rule's regex, inner and unless pattern, guarded or not, against the rules'
    own examples and random lines of the bytes the rules look for: same spans, same groups."""
    lines = _lines()
    guarded = 0
    for rule_set in load_rule_sets(list(available_rule_sets())):
        for rule in rule_set.rules:
            compiled = compile_rule(rule)
            pairs = [(rule.inner, compiled.inner), (rule.unless, compiled.unless)]
            if rule.block_begin is None:
                pairs.append((rule.regex, compiled.pattern))
            for text, pattern in pairs:
                if text is None or pattern is None:
                    continue
                plain = re.compile(text.encode("utf-8"))
                if plain.pattern == pattern.pattern:
                    continue
                guarded += 1
                assert pattern.groupindex == plain.groupindex, rule.id
                for line in lines:
                    assert _matches(pattern, line) == _matches(plain, line), (rule.id, line)
    assert guarded > 100
