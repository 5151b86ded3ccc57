"""A look-ahead that a rule's regex opens with only to fail fast must be implied by the rest of
the regex: it may never turn a match away. secret-key-value's guard (right after its word-start
look-behind) and json-password's (right after the key's opening quote) are checked against the
same regex without them, for every spelling of every key the regex names, in every context the
regex allows around a key."""

from __future__ import annotations

import itertools
import random
import re
import re._constants as C
import re._parser as P

from collector.redaction import Redactor, Tokenizer, load_rule_sets

SECRET_KEY_VALUE_AT = r"(?i)(?<![\w-])(?="
JSON_PASSWORD_AT = r'(?i)"(?='
# what may stand around a key: before it in its word, after it, a quote, blanks, the separator
BEFORE = (b"", b"db_", b"x.", b"A-", b"1")
AFTER = (b"", b"_1", b".x", b"-b", b"S")
QUOTES = (b"", b'"', b"'", b'\\"', b"\\\\'", b"&quot;")
BLANKS = (b"", b" ", b" \t ")
SEPARATORS = (b"=", b":", b"::=", b"=>", b":=", b"->", b"<-", b"==")


def _rule_regex(rule_id: str, set_name: str = "common-secrets") -> str:
    (rule_set,) = load_rule_sets([set_name])
    return next(rule for rule in rule_set.rules if rule.id == rule_id).regex


def _without_guard(regex: str, guard_at: str = SECRET_KEY_VALUE_AT) -> str:
    """``regex`` without the look-ahead that ends ``guard_at``, its opening."""
    assert regex.startswith(guard_at)
    depth, i = 1, len(guard_at)
    while depth:
        if regex[i] == "\\":
            i += 2
            continue
        if regex[i] == "[":                        # a class: its brackets and parentheses are text
            i = regex.index("]", i + 2) + 1
            continue
        depth += {"(": 1, ")": -1}.get(regex[i], 0)
        i += 1
    return guard_at[:-3] + regex[i:]


def _spellings(parsed, rnd: random.Random, limit: int = 64) -> list[bytes]:
    """Texts that the parsed pattern matches (look-arounds ignored), at most ``limit`` (a random
    sample beyond): each branch, each option taken or not, each byte a class names and both ends
    of its ranges."""
    texts = [b""]
    for op, av in parsed:
        if op is C.LITERAL:
            choices = [bytes([av])]
        elif op is C.IN:
            members: list[int] = []
            for item, value in av:
                if item is C.LITERAL:
                    members.append(value)
                elif item is C.RANGE:
                    members += [value[0], value[1]]
                elif item is C.CATEGORY and value is C.CATEGORY_DIGIT:
                    members.append(ord("7"))
                elif item is C.CATEGORY and value is C.CATEGORY_WORD:
                    members.append(ord("q"))
                else:
                    raise AssertionError(f"class item {item} {value} not understood")
            choices = [bytes([m]) for m in members]
        elif op is C.SUBPATTERN:
            choices = _spellings(av[-1], rnd, limit)
        elif op is C.BRANCH:
            choices = [text for branch in av[1] for text in _spellings(branch, rnd, limit)]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, body = av
            inner = _spellings(body, rnd, limit)
            choices = ([b""] if low == 0 else []) + [text * max(low, 1) for text in inner]
            if high > 1 and high > low:
                choices.append(inner[0] * (max(low, 1) + 1))
        elif op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            continue
        else:
            raise AssertionError(f"{op} not understood")
        texts = [a + b for a, b in itertools.product(texts, choices)]
        if len(texts) > limit:
            texts = rnd.sample(texts, limit)
    return texts


def _keys(regex: str, guard_at: str = SECRET_KEY_VALUE_AT) -> list[bytes]:
    """Every spelling of the keys: the alternation after the run that leads the key."""
    parsed = list(P.parse(_without_guard(regex, guard_at).encode()))
    at = next(i for i, (op, av) in enumerate(parsed) if op is C.BRANCH)
    assert parsed[at - 1][0] is C.MAX_REPEAT               # [\w.-]* or [^"]* before the keys
    rnd = random.Random(3)
    return [spelling for branch in parsed[at][1][1] for spelling in _spellings(branch, rnd, limit=400)]


def _cased(keys: list[bytes]) -> list[bytes]:
    """Each key as the regex names it, in upper case and capitalised (in a fixed order, so the
    seeded contexts are the same in every run: a set's order follows the hash seed)."""
    return list(dict.fromkeys(spelling for key in keys for spelling in (key, key.upper(), key.capitalize())))


def _assert_same_matches(guarded: re.Pattern[bytes], plain: re.Pattern[bytes], lines: list[bytes]) -> None:
    """Every line has the same matches (spans and groups) with and without the guard, and most
    lines hold a key the rule takes."""
    matched = 0
    for line in lines:
        want = [(m.span(), m.groups()) for m in plain.finditer(line)]
        assert [(m.span(), m.groups()) for m in guarded.finditer(line)] == want, line
        matched += bool(want)
    assert matched > len(lines) // 2


def test_secret_key_value_guard_turns_no_match_away() -> None:
    regex = _rule_regex("secret-key-value")
    guarded, plain = re.compile(regex.encode()), re.compile(_without_guard(regex).encode())
    assert guarded.pattern != plain.pattern
    keys = _keys(regex)
    assert len(keys) > 250 and b"mot de passe" in keys and "CONTRASEÑA".lower().encode() in {k.lower() for k in keys}
    rnd = random.Random(11)
    lines = [b"x " + rnd.choice(BEFORE) + spelling + rnd.choice(AFTER) + rnd.choice(QUOTES) + rnd.choice(BLANKS)
             + rnd.choice(SEPARATORS) + rnd.choice(BLANKS) + b"v4lue9 end" for spelling in _cased(keys) for _ in range(6)]
    _assert_same_matches(guarded, plain, lines)


def test_secret_key_value_still_masks_a_token_among_base64() -> None:
    rule_sets = load_rule_sets(["common-secrets"])
    line = (b"2026-11-26 10:00:01,005 DEBUG [qtp1-3] session token=n5hXIt1n/eBDspJdHMTyGN/dLwn72s4i9K2wf+tx0jDe"
            b" saml=Q79qx6EFbKBbEPDajw0QT/Ytj0GsQrd+qBpcFe1YUh== x-api-key: Abc123/def+456 mot+de+passe=Ab9x\n")
    redactor = Redactor(rule_sets, Tokenizer(b"k" * 32, None), "log", "gws/gws.log")
    out = redactor.feed(line) + redactor.finish()
    assert b"n5hXIt1n" not in out and b"Abc123" not in out and b"Ab9x" not in out
    assert b"token=REDACTED" in out


def test_json_password_guard_turns_no_match_away() -> None:
    regex = _rule_regex("json-password", "config-secrets")
    guarded = re.compile(regex.encode())
    plain = re.compile(_without_guard(regex, JSON_PASSWORD_AT).encode())
    assert guarded.pattern != plain.pattern
    keys = _keys(regex, JSON_PASSWORD_AT)
    assert len(keys) > 200 and not any(b'"' in key for key in keys)     # the next quote closes the key
    rnd = random.Random(12)
    values = (b'"S3cr3t!"', b'{"value": "S3cr3t!"}', b'"eyJhbGciOi.eyJzdWIi.c2ln"', b"12")
    lines = [b'{"user": "a1", "' + rnd.choice(BEFORE) + spelling + rnd.choice(AFTER) + b'"' + rnd.choice(BLANKS) + b":"
             + rnd.choice(BLANKS) + rnd.choice(values) + b', "' + rnd.choice(keys) + b'": "x"}'
             for spelling in _cased(keys) for _ in range(4)]
    _assert_same_matches(guarded, plain, lines)
