"""Rule patterns run on the host's own Python 3.11 (the single-file build, --hosts): Python
3.11.0 to 3.11.4 mis-match possessive quantifiers and atomic groups (a JWK rule that used them
matched nothing under Debian 12's 3.11.2, so every collection there stopped at the rule-set
check). The packaged rules must use neither."""

from __future__ import annotations

import re._constants as sre_constants
import re._parser as sre_parse

import pytest

from collector.redaction import load_rule_sets

FIELDS = ("regex", "inner", "unless", "block_begin", "block_end", "block_keep")
NEWER_SYNTAX = {sre_constants.POSSESSIVE_REPEAT, sre_constants.ATOMIC_GROUP}


def _uses_newer_syntax(parsed) -> bool:
    for op, argument in parsed:
        if op in NEWER_SYNTAX:
            return True
        for part in argument if isinstance(argument, (tuple, list)) else ():
            if isinstance(part, sre_parse.SubPattern) and _uses_newer_syntax(part):
                return True
            if isinstance(part, (tuple, list)):
                if any(isinstance(p, sre_parse.SubPattern) and _uses_newer_syntax(p) for p in part):
                    return True
    return False


def test_the_check_sees_possessive_quantifiers_and_atomic_groups() -> None:
    assert _uses_newer_syntax(sre_parse.parse(r"\{(?:[^{}]++|x)*+\}"))
    assert _uses_newer_syntax(sre_parse.parse(r"a(?:b|(?>cd))"))
    assert not _uses_newer_syntax(sre_parse.parse(r"\{(?:[^{}]|x)*\}(?=a+)(?P<s>\++)"))


@pytest.mark.parametrize("name", ["common-secrets", "config-secrets", "tlib", "sip", "pii", "case-text"])
def test_no_packaged_rule_uses_syntax_older_python_311_mis_matches(name: str) -> None:
    (rule_set,) = load_rule_sets([name])
    found = [f"{rule.id}.{field}" for rule in rule_set.rules for field in FIELDS
             if getattr(rule, field, None) and _uses_newer_syntax(sre_parse.parse(getattr(rule, field)))]
    assert not found, f"possessive quantifier or atomic group (broken before Python 3.11.5): {found}"
