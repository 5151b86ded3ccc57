"""What the rule-set tests share: every packaged rule set once per test session, and one call
that redacts a text the way a worker does (one Redactor, a fixed site key, no token store)."""

from __future__ import annotations

import pytest

from collector.redaction import Redactor, Tokenizer, load_rule_sets
from collector.redaction.ruleset import RuleSet
from collector.scanner import LeakScanner

ALL_SETS = ["common-secrets", "config-secrets", "tlib", "sip", "pii"]
KEY = b"unit-test-site-key-0123456789abc"


@pytest.fixture(scope="session")
def rule_sets() -> list[RuleSet]:
    return load_rule_sets(ALL_SETS)


def redacted(rule_sets: list[RuleSet], text: str, kind: str, path: str, *, fast: bool = True) -> str:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), kind, path, use_prefilter=fast)
    return (redactor.feed(text.encode()) + redactor.finish()).decode()


def assert_redacted(rule_sets: list[RuleSet], text: str, gone: list[str], kept: list[str], *,
                    kind: str = "log", path: str = "opt/genesys/x.log", fast: bool = True) -> str:
    """Redact ``text``; every string of ``gone`` must be gone, every one of ``kept`` there, and a
    second pass must change nothing (idempotent). Returns the redacted text."""
    out = redacted(rule_sets, text, kind, path, fast=fast)
    for value in gone:
        assert value not in out, f"{value!r} left in {out!r}"
    for value in kept:
        assert value in out, f"{value!r} missing from {out!r}"
    assert redacted(rule_sets, out, kind, path, fast=fast) == out, "not idempotent"
    return out


def redacted_bytes(rule_sets: list[RuleSet], data: bytes, kind: str, path: str, fast: bool = True) -> bytes:
    """``redacted`` for bytes that need not be UTF-8 (Latin-1 keys, escapes)."""
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), kind, path, use_prefilter=fast)
    return redactor.feed(data) + redactor.finish()


def assert_redacted_bytes(rule_sets: list[RuleSet], data: bytes, gone: list[bytes], kept: list[bytes], kind: str,
                          path: str, fast: bool = True) -> bytes:
    """``assert_redacted`` for bytes: every ``gone`` value gone, every ``kept`` one there, idempotent."""
    out = redacted_bytes(rule_sets, data, kind, path, fast)
    for value in gone:
        assert value not in out, f"{value!r} left in {out!r}"
    for value in kept:
        assert value in out, f"{value!r} missing from {out!r}"
    assert redacted_bytes(rule_sets, out, kind, path, fast) == out, "not idempotent"
    return out


def framed_findings(member: str, data: bytes | str, chunk: int = 0) -> list[tuple[int, str]]:
    """What the leak scanner finds in ``data`` between a first and a last line (so ``data`` starts
    on line 2 and touches neither end of the file), fed whole or in pieces of ``chunk`` bytes."""
    scanner = LeakScanner(member)
    data = b"first line\n" + (data.encode() if isinstance(data, str) else data) + b"\nlast\n"
    for at in range(0, len(data), chunk or len(data)):
        scanner.feed(data[at:at + (chunk or len(data))])
    scanner.finish()
    return [(f.line, f.category) for f in scanner.findings]


def finding_categories(member: str, text: str | bytes) -> list[str]:
    """The categories of what the leak scanner finds in ``text`` as the whole file ``member``."""
    scanner = LeakScanner(member)
    scanner.feed(text.encode() if isinstance(text, str) else text)
    scanner.finish()
    return [f.category for f in scanner.findings]
