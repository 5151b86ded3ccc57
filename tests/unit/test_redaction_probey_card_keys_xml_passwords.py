"""Probe Y 4 and 5. A card-shaped number under a key that names a card ('CardNumber',
'CreditCardNumber', 'PAN', CardNo=, card_number:, PSDK 'CardNumber' [str] = "...") is masked as
a card even when it fails the Luhn check (a caller's typo): tokenising it kept the card number in
clear in the host's token map. Long numbers under other keys (ConnID, CallUUID, Call-ID, an
account key, a phone key) keep their rules. And an XML password whose value is on the line(s)
after its name="password" tag is masked in a log as in a config file."""

from __future__ import annotations

import pytest

from collector.redaction.ruleset import RuleSet
from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

T = "09:15:06.001 Int 04543 "
CARDS_UNDER_CARD_KEYS = [
    ("\t\t'CardNumber'\t'4539578763621487'\n", "4539578763621487"),
    ("\t\t'CreditCardNumber'\t'378282246310006'\n", "378282246310006"),
    ("\t\t'PAN'\t'5425233430109904'\n", "5425233430109904"),
    ("\t\t'CardNumber' [str] = \"4111111111111112\"\n", "4111111111111112"),
    ("\t\t'card_number' [str] = \"4111 1111 1111 1112\"\n", "4111 1111 1111 1112"),
    (T + "GET /pay?CardNo=4111-1111-1111-1112&x=1\n", "4111-1111-1111-1112"),
    (T + "card_number: 5425233430109905 ok\n", "5425233430109905"),
    (T + '{"cardNumber":"5425233430109905","amount":"10"}\n', "5425233430109905"),
    (T + '{"key":"CreditCardNumber","value":"378282246310005"}\n', "378282246310005"),
    (T + "<CardNumber>4539578763621487</CardNumber>\n", "4539578763621487"),
]


@pytest.mark.parametrize("text,pan", CARDS_UNDER_CARD_KEYS)
def test_a_number_under_a_card_key_is_masked_even_when_it_fails_luhn(rule_sets: list[RuleSet], text: str, pan: str) -> None:
    for fast in (True, False):
        out = assert_redacted(rule_sets, text, [pan], ["REDACTED-CARD"], fast=fast)
        assert "USERDATA_" not in out and "PHONE_" not in out and "USER_" not in out, out


def test_the_masked_card_lines_raise_no_scanner_finding(rule_sets: list[RuleSet]) -> None:
    out = redacted(rule_sets, "".join(text for text, _ in CARDS_UNDER_CARD_KEYS), "log", "opt/genesys/x.log")
    scanner = LeakScanner("m")
    scanner.feed(out.encode())
    scanner.finish()
    assert scanner.findings == []


KEPT = [
    "\tAttributeConnID\t0067025123456789\n",
    "\tAttributeCallUUID\t'LC55AB5H91VX03KD4G0E7S0000012345'\n",
    "Call-ID: 4539578763621487@192.0.2.20\r\n",
    T + "span 1709648104123 ms, company 2024030500012345\n",
]


@pytest.mark.parametrize("text", KEPT)
def test_ids_and_other_keys_are_no_card(rule_sets: list[RuleSet], text: str) -> None:
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text


def test_an_account_or_phone_key_keeps_its_token(rule_sets: list[RuleSet]) -> None:
    out = redacted(rule_sets, "\t\t'AccountNumber'\t'4539578763621487'\n\t\t'CardHolderPhone'\t'447911123456'\n"
                   "\t\t'CardType'\t'VISA'\n\t\t'CardLast4'\t'1112'\n", "log", "opt/genesys/x.log")
    assert "'AccountNumber'\t'USERDATA_" in out and "'CardHolderPhone'\t'PHONE_" in out, out
    assert "REDACTED-CARD" not in out and "'CardType'\t'VISA'" in out, out


XML_PASSWORDS_IN_A_LOG = [
    ("<option name=\"password\">\n    PwAAA111xx\n</option>\n", "PwAAA111xx"),
    ("<param name=\"password\">PwGGG777xx\n</param>\n", "PwGGG777xx"),
    ("<property name=\"password\">\n    <value>PwIII999xx</value>\n</property>\n", "PwIII999xx"),
    ("<Set name=\"password\">\n    PwJJJ000xx\n</Set>\n", "PwJJJ000xx"),
    ("<parameter name=\"trustStorePassword\">\n  <value>PwKKK111xx</value>\n</parameter>\n", "PwKKK111xx"),
]


@pytest.mark.parametrize("xml,secret", XML_PASSWORDS_IN_A_LOG)
def test_an_xml_password_on_the_next_line_is_masked_in_a_log(rule_sets: list[RuleSet], xml: str, secret: str) -> None:
    text = "09:00:01.000 Dbg 09903 Config dump:\n" + xml + "09:00:01.005 Std 00000 end\n"
    for fast in (True, False):
        assert_redacted(rule_sets, text, [secret], ["REDACTED", "09:00:01.005 Std 00000 end\n"], fast=fast)


@pytest.mark.parametrize("xml,secret", XML_PASSWORDS_IN_A_LOG)
def test_an_xml_password_on_the_next_line_is_masked_in_a_config(rule_sets: list[RuleSet], xml: str, secret: str) -> None:
    assert_redacted(rule_sets, xml, [secret], ["REDACTED"], kind="config", path="opt/genesys/x.xml")


def test_a_password_tag_without_its_value_lets_the_next_record_be(rule_sets: list[RuleSet]) -> None:
    text = ("09:00:01.000 Dbg 09903 <option name=\"password\">\n09:00:01.001 Std 00000 ConnID 0067025123456789\n"
            "<Set name=\"host\">\n  gms01\n</Set>\n<option name=\"password-policy\">\n  <value>strong</value>\n</option>\n")
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text
