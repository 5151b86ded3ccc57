"""Redaction: rule sets as data, keyed tokens, and the fail-closed stream stage.

``rules.load_rule_sets`` -> ``RuleSet``; ``tokens.Tokenizer`` / ``TokenStore`` /
``load_or_create_site_key``; ``engine.Redactor`` (stage with ``feed``/``finish``/``stats``).
"""

from collector.redaction.engine import Redactor
from collector.redaction.rules import available_rule_sets, load_rule_sets
from collector.redaction.ruleset import Rule, RuleSet
from collector.redaction.tokens import Tokenizer, TokenStore, load_or_create_site_key

__all__ = [
    "Redactor",
    "Rule",
    "RuleSet",
    "TokenStore",
    "Tokenizer",
    "available_rule_sets",
    "load_or_create_site_key",
    "load_rule_sets",
]
