"""What the rule-set tests share: every packaged rule set once per test session, and one call
that redacts a text the way a worker does (one Redactor, a fixed site key, no token store)."""

from __future__ import annotations

import pytest

from collector.redaction import Redactor, Tokenizer, load_rule_sets
from collector.redaction.ruleset import RuleSet

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
