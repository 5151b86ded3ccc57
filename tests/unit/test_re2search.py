"""span_search and set_matcher: straight from RE2, the same answers as google-re2's wrapper gives."""

from __future__ import annotations

import random
import re

import re2

from collector.re2search import set_matcher, span_search
from collector.redaction import load_rule_sets
from collector.redaction.engine import compiled_rules
from collector.scanner import _NET_PATTERN


def _texts() -> list[bytes]:
    rng = random.Random(7)
    pieces = [b"Caller: 4155550134\n", b"\tAttributeANI\t'5551234567'\n", b"To: <sip:+14155550100@x>\n",
              b"password=hunter2\n", b"mail a.b@example.com\n", b"card 4111 1111 1111 1111\n",
              b"plain text with nothing\n", b"\r\n", b"", b"x" * 300 + b"\n", b"\xff\xfe latin-1 \x80\n"]
    return [b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40))) for _ in range(300)]


def _every_hit(search, text: bytes) -> list[tuple[int, int]]:
    hits, pos = [], 0
    while pos <= len(text):
        hit = search(text, pos)
        if hit is None:
            break
        hits.append(tuple(hit))
        pos = hit[1] if hit[1] > hit[0] else hit[0] + 1
    return hits


def test_the_direct_call_finds_what_the_wrapper_finds() -> None:
    prefilter = compiled_rules(load_rule_sets(["common-secrets", "tlib", "sip", "pii"]), "log").prefilter
    options = re2.Options()
    options.never_capture = True
    scanner = re2.compile(b"(?m)" + _NET_PATTERN, options)
    for pattern in (prefilter, scanner, re2.compile(b"x*")):     # x*: empty matches too
        fast = span_search(pattern)
        assert fast.__name__ == "search", "this google-re2 takes the direct path"

        def wrapper(text: bytes, pos: int, pattern=pattern):
            hit = pattern.search(text, pos)
            return None if hit is None else hit.span()
        found = 0
        for text in _texts():
            expected = _every_hit(wrapper, text)
            assert _every_hit(fast, text) == expected
            found += len(expected)
        assert found > 100


def test_without_the_private_call_the_wrapper_answers() -> None:
    python_re = re.compile(rb"\d{4}")                  # no _regexp: the generic path
    search = span_search(python_re)
    assert search.__name__ == "wrapped"
    assert search(b"ab 12345", 0) == (3, 7) and search(b"ab 12345", 5) is None


def test_the_direct_set_call_finds_the_rules_the_wrapper_finds() -> None:
    line_set = compiled_rules(load_rule_sets(["common-secrets", "tlib", "sip", "pii"]), "log").line_set
    fast = set_matcher(line_set)
    assert fast is not line_set.Match and fast.__name__ == "Match", "this google-re2 takes the direct path"
    matched = 0
    for text in _texts():
        for line in text.split(b"\n"):
            expected = line_set.Match(line)
            found = fast(line)
            assert sorted(found or []) == sorted(expected or []), line
            assert bool(found) == bool(expected)
            matched += bool(expected)
    assert matched > 100


def test_without_the_private_set_call_the_wrapper_answers() -> None:
    class OtherRelease:                           # a Set wrapper without _set: the generic path
        def Match(self, text: bytes) -> list[int] | None:   # noqa: N802 - google-re2's name
            return [0] if b"x" in text else None
    other = OtherRelease()
    match = set_matcher(other)
    assert match == other.Match
    assert match(b"x") == [0] and match(b"y") is None


def _every_start(search, text: bytes) -> list[int]:
    starts, pos = [], 0
    while pos <= len(text):
        hit = search(text, pos)
        if hit is None:
            break
        starts.append(hit[0])
        pos = hit[0] + 1
    return starts


def test_leftmost_longest_finds_the_same_starts_as_leftmost_first(tmp_path) -> None:
    """The prefilter and the scanner search leftmost-longest (a faster DFA) and use only where a
    hit starts: that start must be the one leftmost-first gives, at every position."""
    from collector.re2search import latin1_options, re2_scan_text
    from collector.redaction.compiled import prefilter_options
    from collector.testhost import generate_host

    rules = compiled_rules(load_rule_sets(["common-secrets", "config-secrets", "tlib", "sip", "pii"]), "log")
    alternation = ("(?m)" + "|".join("(?:" + re2_scan_text(r.scan, chunk_level=True) + ")" for r in rules.rules)).encode()
    scanner = b"(?m)" + re2_scan_text(_NET_PATTERN.decode("ascii"), chunk_level=False).encode()
    assert prefilter_options().longest_match
    generate_host(tmp_path / "host", days=0.05, seed=5, target_bytes=1_500_000)
    texts = _texts() + [p.read_bytes() for p in sorted((tmp_path / "host").rglob("*.log"))]
    for pattern in (alternation, scanner):
        first = span_search(re2.compile(pattern, latin1_options(max_mem=64 << 20)))
        longest = span_search(re2.compile(pattern, latin1_options(max_mem=64 << 20, longest_match=True)))
        starts = 0
        for text in texts:
            expected = _every_start(first, text)
            assert _every_start(longest, text) == expected
            starts += len(expected)
        assert starts > 1000
