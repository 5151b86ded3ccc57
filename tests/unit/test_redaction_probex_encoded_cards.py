"""Probe X 1 and 7: a card number after a URL-encoded plus (%2B, %2b, then 00 or 011) or a JSON
\\u002B is masked as a card, as after a literal '+', '00' or '011' (never tokenised as a phone:
the token store would hold the PAN), and the leak scanner finds one that slips through; a
caller number in JSON whose quotes are \\u0022 gets the token of the same number in plain JSON.
After a prefix a card still needs 17 digits in all, so 16-digit ConnIDs stay."""

from __future__ import annotations

import re

import pytest

from collector.redaction.ruleset import RuleSet
from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

T = "09:30:00.000 Trc 31004 "
ENCODED_CARDS = [
    ("fetch http://ivr.example.com/pay/%2B005522046501789011/confirm", "5522046501789011"),
    ("fetch http://ivr.example.com/pay/%2B4571739284651027/ok", "4571739284651027"),
    ("fetch http://ivr.example.com/pay/%2b004217654321098761/ok", "4217654321098761"),
    ("fetch http://ivr.example.com/pay?num=%2B004024007173942813&x=1", "4024007173942813"),
    ("fetch http://ivr.example.com/pay/%2B0114992739871645508/ok", "4992739871645508"),
    ('{"dest":"\\u002B004147209384756105"}', "4147209384756105"),
    ('{"dest":"\\u002b4111111111111111"}', "4111111111111111"),
    ("Request sent: INVITE tel:%2B006011000990139424 SIP/2.0", "6011000990139424"),
    ("INVITE sip:%2B4111111111111111@192.0.2.20 SIP/2.0", "4111111111111111"),
]


@pytest.mark.parametrize("text,pan", ENCODED_CARDS)
def test_a_card_after_an_encoded_plus_is_masked_never_tokenised(rule_sets: list[RuleSet], text: str, pan: str) -> None:
    for fast in (True, False):
        out = assert_redacted(rule_sets, T + text + "\n", [pan], ["REDACTED-CARD"], fast=fast)
        assert "PHONE_" not in out and "USER_" not in out, out


@pytest.mark.parametrize("text,pan", ENCODED_CARDS)
def test_the_scanner_finds_a_card_after_an_encoded_plus(text: str, pan: str) -> None:
    scanner = LeakScanner("m")
    scanner.feed((T + text + "\n").encode())
    scanner.finish()
    assert [f.category for f in scanner.findings] == ["card-number"], text


@pytest.mark.parametrize("text", [
    "GET /urs/call/%2B0067025123456789/map HTTP/1.1 404",        # 16-digit ConnIDs: 00/011 + a Luhn-valid rest
    "GET /urs/call/%2B0113645678901009/map HTTP/1.1 404",
    '{"connid":"\\u002B0067025123456789"}',
    "fetch http://ivr.example.com/x?ConnID=%2B007b02aa3c1f0011&LogID=%2B01A2B3C4-D5E6F708",
    "dial %2B15551230002 and %2B4915112345679",                  # phone numbers, not Luhn-valid cards
])
def test_ids_and_phones_after_an_encoded_plus_are_no_cards(rule_sets: list[RuleSet], text: str) -> None:
    out = redacted(rule_sets, T + text + "\n", "log", "opt/genesys/x.log")
    assert "REDACTED-CARD" not in out, out
    scanner = LeakScanner("m")
    scanner.feed(out.encode())
    scanner.finish()
    assert not scanner.findings, out


def test_correctly_masked_encoded_cards_are_no_finding(rule_sets: list[RuleSet]) -> None:
    text = "".join(T + line + "\n" for line, _ in ENCODED_CARDS)
    out = redacted(rule_sets, text, "log", "opt/genesys/x.log")
    scanner = LeakScanner("m")
    scanner.feed(out.encode())
    scanner.finish()
    assert not scanner.findings, out


def test_a_caller_in_json_with_u0022_quotes_gets_the_plain_json_token(rule_sets: list[RuleSet]) -> None:
    plain = redacted(rule_sets, T + 'payload {"ani":"5555550192"}\n', "log", "opt/genesys/x.log")
    for fast in (True, False):
        out = assert_redacted(rule_sets, T + "payload {\\u0022ani\\u0022:\\u00225555550192\\u0022}\n",
                              ["5555550192"], ["\\u0022ani\\u0022:\\u0022PHONE_"], fast=fast)
        assert re.findall(r"PHONE_[a-z]{10}", out) == re.findall(r"PHONE_[a-z]{10}", plain), (plain, out)


def test_u0022_json_keys_that_are_no_callers_stay(rule_sets: list[RuleSet]) -> None:
    line = T + "payload {\\u0022seqNumber\\u0022:\\u002212345678\\u0022,\\u0022connid\\u0022:\\u0022007b02aa3c1f0011\\u0022}\n"
    assert redacted(rule_sets, line, "log", "opt/genesys/x.log") == line
