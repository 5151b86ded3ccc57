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
