"""Typed values of a loaded redaction rule set (plain data, no behaviour).

A rule says *what to find* (``regex`` with named ``secret`` groups, optionally an ``inner``
regex applied inside the ``scope`` group of each match, or a ``block`` of lines between a
begin and an end marker) and *what to do* (``token``, ``mask`` or ``drop-file``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Action = Literal["token", "mask", "drop-file"]
KINDS: tuple[str, ...] = ("log", "config", "text")


@dataclass(frozen=True)
class Example:
    line: str                                  # may hold several lines (block rules)
    must_not_contain: tuple[str, ...] = ()
    must_contain: tuple[str, ...] = ()
    unchanged: bool = False                    # the line must come out byte-identical
    kind: str | None = None                    # default: the first kind the rule applies to
    where: str = ""                            # file:line of the example, for messages


@dataclass(frozen=True)
class Rule:
    id: str
    category: str                              # token prefix / report group: phone, email, secret...
    action: Action
    regex: str | None = None                   # Python re; groups named secret / secret_<category>
    inner: str | None = None                   # applied inside group "scope" of each regex match
    scan: str | None = None                    # RE2 prefilter; necessary condition for a match on a line
    block_begin: str | None = None             # block form: every line after begin up to end is masked,
    block_end: str | None = None               # and the end line's text before the end marker
    block_until: str | None = None             # "dedent" (instead of end): the block ends before the
                                               # first line indented no deeper than the begin line
    block_keep: str | None = None              # a line inside an end block that matches it whole stays
                                               # (a MIME part's Content-Length: 900 header)
    unless: str | None = None                  # lines matching this are left to other rules
    yields_to: tuple[str, ...] = ()            # rule ids whose overlapping spans win over this rule's
                                               # (whichever rule comes first; see engine._Claims.claim)
    mask: str | None = None                    # fixed replacement for action mask
    validate: str | None = None                # "luhn" (card numbers), "iban" (mod 97)
    kinds: tuple[str, ...] = KINDS
    examples: tuple[Example, ...] = ()
    where: str = ""                            # file:line of the rule, for messages


@dataclass(frozen=True)
class RuleSet:
    name: str
    source: Path
    sha256: str                                # of the YAML bytes, for the manifest
    rules: tuple[Rule, ...]
    description: str = ""
