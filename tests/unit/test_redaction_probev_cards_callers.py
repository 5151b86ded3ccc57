"""Probe V 2, 3, 6, 7, 8: a card number after '+', '00' or '011' (a caller field, a tel:/sip: URI,
a URL path) is masked as a card, never tokenised as a phone (its value would be stored on the
host); caller numbers in escaped JSON; JSON user data under the keys the KVList forms know;
caller numbers as URL path segments; DTMF digits in SIP INFO application/dtmf bodies."""

from __future__ import annotations

import re

import pytest

from collector.redaction.ruleset import RuleSet
from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

T = "15:02:00.000 Trc 04541 "


@pytest.mark.parametrize("text,pan", [
    ("\tAttributeANI\t'+4111111111111111'\n", "4111111111111111"),
    ("\tAttributeDNIS\t'005105105105105100'\n", "5105105105105100"),
    ("\tAttributeANI\t'0114111111111111111'\n", "4111111111111111"),
    ("\tAttributeUserData\t[88] 00 03 00 00..\n\t\t'CallbackNumber'\t'+4917610000000000003'\n", "4917610000000000003"),
    ("P-Asserted-Identity: <sip:+4111111111111111@192.0.2.20>\r\n", "4111111111111111"),
    ("To: <tel:+4111111111111111>;tag=1\r\n", "4111111111111111"),
    (T + "GET /api/v2/contacts/+4111111111111111/history HTTP/1.1\n", "4111111111111111"),
    (T + "callback to +4111111111111111 requested\n", "4111111111111111"),
    (T + '{"ani":"+4111111111111111","dnis":"005105105105105100"}\n', "105105105100"),
])
def test_a_card_after_a_dialling_prefix_is_masked_never_tokenised(rule_sets: list[RuleSet], text: str, pan: str) -> None:
    for fast in (True, False):
        out = assert_redacted(rule_sets, text, [pan], ["REDACTED-CARD"], fast=fast)
        assert "PHONE_" not in out, out


@pytest.mark.parametrize("text", [
    "\tAttributeANI\t'+15551230002'\n",          # E.164, starts with 1
    "\tAttributeANI\t'+4915112345679'\n",         # 13 digits, not Luhn-valid: a German mobile
    "\tAttributeANI\t'004915112345679'\n",
])
def test_an_international_phone_number_stays_a_phone_token(rule_sets: list[RuleSet], text: str) -> None:
    out = assert_redacted(rule_sets, text, ["5112345679", "5551230002"], ["PHONE_"])
    assert "REDACTED-CARD" not in out


@pytest.mark.parametrize("text", [
    "T 1.004111111111111111 ratio\n",             # a decimal, not a dialled number
    "\tAttributeConnID\t0064111111111111\n",
])
def test_decimals_and_ids_with_leading_zeros_stay(rule_sets: list[RuleSet], text: str) -> None:
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text


@pytest.mark.parametrize("line", [
    "GET /api/v2/contacts/+4111111111111111/history HTTP/1.1",
    "GET /api/v2/contacts/4111111111111111/history HTTP/1.1",
    "\t\t'Ref'\t'004111111111111111'",
])
def test_the_scanner_finds_a_card_in_a_url_path_or_after_00(line: str) -> None:
    scanner = LeakScanner("m")
    scanner.feed(line.encode() + b"\n")
    scanner.finish()
    assert [f.category for f in scanner.findings] == ["card-number"]


@pytest.mark.parametrize("text", [
    'payload={"event":"{\\"ani\\":\\"5551230002\\",\\"dnis\\":\\"8005550100\\",\\"callerId\\":\\"15551230007\\"}"}\n',
    'payload="{\\"ANI\\":\\"5551230002\\", \\"dnis\\": \\"8005550100\\", \\"callerId\\": 15551230007}"\n',
    'event={\\\\\\"ani\\\\\\":\\\\\\"5551230002\\\\\\",\\\\\\"dnis\\\\\\":\\\\\\"8005550100\\\\\\",\\\\\\"callerId\\\\\\":\\\\\\"15551230007\\\\\\"}\n',
])
def test_caller_numbers_in_escaped_json_get_the_plain_json_token(rule_sets: list[RuleSet], text: str) -> None:
    plain = redacted(rule_sets, T + '{"ani":"5551230002","dnis":"8005550100","callerId":"15551230007"}\n',
                     "log", "opt/genesys/x.log")
    out = assert_redacted(rule_sets, T + text, ["5551230002", "8005550100", "15551230007"], ["PHONE_"])
    for token in re.findall(r"PHONE_[a-z]{10}", plain):
        assert token in out, (plain, out)


def test_json_user_data_gets_the_tokens_and_masks_of_the_kvlist_form(rule_sets: list[RuleSet]) -> None:
    pairs = [("Customer Name", "Quokka Golf"), ("customer.name", "Quokka Hotel"), ("CLI", "5551238821"),
             ("Subject", "refund Quokka India"), ("Info", "caller at 5551238814 twice")]
    as_json = (T + 'body={"operationName":"UpdateUserData","userData":{'
               + ",".join(f'"{k}":"{v}"' for k, v in pairs) + ',"ServiceName":"Gold Support","Segment":"Gold"}}\n')
    as_kvlist = T + "event\n\tAttributeUserData [bstr] = KVList: \n" + "".join(f"\t\t'{k}' [str] = \"{v}\"\n" for k, v in pairs)
    gone = ["Quokka", "5551238821", "5551238814"]
    out_json = assert_redacted(rule_sets, as_json, gone, ['"ServiceName":"Gold Support","Segment":"Gold"}}',
                                                          '"Subject":"REDACTED-TEXT"', ' twice"'])
    out_kvlist = assert_redacted(rule_sets, as_kvlist, gone, [])
    tokens = re.findall(r"(?:USERDATA|PHONE)_[a-z]{10}", out_kvlist)
    assert len(tokens) == 4 and re.findall(r"(?:USERDATA|PHONE)_[a-z]{10}", out_json) == tokens, (out_json, out_kvlist)


@pytest.mark.parametrize("number", ["555-123-0107", "(555)123-0108", "+44%2020%207946%200109", "15551230102",
                                    "555.123.0110", "+1 555 123 0111"])
def test_a_caller_number_as_a_url_path_segment_gets_the_query_token(rule_sets: list[RuleSet], number: str) -> None:
    line = f'203.0.113.9 - - [27/Nov/2026:15:00:00 +0000] "GET /api/v2/contacts/{number}/history?ani={number} HTTP/1.1" 200 5\n'
    out = assert_redacted(rule_sets, line, [number], ['/history?ani=', ' HTTP/1.1" 200 5'])
    tokens = re.findall(r"PHONE_[a-z]{10}", out)
    assert len(tokens) == 2 and tokens[0] == tokens[1], out


@pytest.mark.parametrize("path", ["/api/v2/contacts/0001Ka8GQ5AX003N/history", "/api/v2/calls/15551230102/answer",
                                  "/api/v2/interactions/0001234567/x", "/api/v2/contacts/00001234/history",
                                  "/api/v2/contacts/2026-11-27/x", "/api/v2/users/1234567890/devices"])
def test_ids_in_url_paths_stay(rule_sets: list[RuleSet], path: str) -> None:
    line = f'203.0.113.9 - - [27/Nov/2026:15:00:00 +0000] "GET {path} HTTP/1.1" 200 5\n'
    assert redacted(rule_sets, line, "log", "var/log/jetty9/x.request.log") == line


def test_dtmf_digits_in_sip_info_application_dtmf_bodies_are_masked(rule_sets: list[RuleSet]) -> None:
    info = ("15:02:0{d}.000: SIPTR: Received [0,UDP] 380 bytes from 203.0.113.5:5060 <<<<<\r\n"
            "INFO sip:9000@192.0.2.20:5060 SIP/2.0\r\nCall-ID: 4f1c0e2a-demo-0001@203.0.113.5\r\nCSeq: 10{d} INFO\r\n"
            "Content-Type: application/dtmf\r\nContent-Length: 1\r\n\r\n{d}\r\n\r\n")
    text = "".join(info.format(d=d) for d in "4826") + "15:02:10.000 Std 05000 end\r\n"
    for fast in (True, False):
        out = assert_redacted(rule_sets, text, ["\r\n4\r\n", "\r\n8\r\n", "\r\n2\r\n", "\r\n6\r\n"],
                              ["Content-Length: 1\r\n\r\nREDACTED-DIGITS\r\n\r\n15:02:0", "CSeq: 108 INFO",
                               "15:02:10.000 Std 05000 end\r\n"], fast=fast)
        assert out.count("REDACTED-DIGITS") == 4, out


def test_a_16_digit_connid_that_starts_00_or_011_is_no_card_after_a_prefix(rule_sets: list[RuleSet]) -> None:
    """Probe M's trees after fixvb: 00 + a Luhn-valid 14-digit rest took the ConnID
    0067025123456789 for a dialled card, in every line that names the call (correlation lost).
    After a prefix a card needs 17 digits or more in all; the scanner agrees."""
    lines = (T + "Agent state of DN 7101 changed: Ready -> Talking (call 0067025123456789)\n"
             + T + "GET /urs/call/0113645678901009/map HTTP/1.1 404\n")
    out = assert_redacted(rule_sets, lines, [], ["0067025123456789", "0113645678901009"])
    assert out == lines
    scanner = LeakScanner("x.log")
    scanner.feed(lines.encode())
    scanner.finish()
    assert not scanner.findings
    carded = T + "DNIS 004111111111111111 and 0114111111111111111\n"
    assert_redacted(rule_sets, carded, ["4111111111111111"], [])
