"""Probe O: callers' numbers in SIP Server / T-Server routing and dial-plan trace lines (written
without '+', with 0 / 00 / 011 / 9 prefixes), Call-IDs that look like e-mail addresses, and one
token per number whichever way it is written."""

from __future__ import annotations

import re

from collector.redaction.ruleset import RuleSet
from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

SIPS_TRACE = (
    "14:05:01.100 SIPTR(3): Routing to 15550100123 via Trunk_CarrierA\n"
    "14:05:01.101 SIP Server: digit map 'dm_us' matched '+15550100123' -> '15550100123' (dial plan rule 4)\n"
    "14:05:01.102 DialPlan: result destination 011495550100654 for dialed 05550100321\n"
    "14:05:01.103 +15550100123 translated to 915550100123 by dial-plan 'US_outbound'\n"
    "14:05:01.104 Trc 04541 RequestMakeCall received from [612] (0000002a WDE_7001 198.51.100.23:50412) dest '05550100321'\n"
    "14:05:01.105 DialPlan: 'dp_intl' rule '00*=>+$1' matched 00445550100321 -> +445550100321\n"
    "14:05:01.106 +++ CIFace::Request +++\n"
    "  -- new invoke\n"
    "  Parsed: RequestMakeCall\n"
    "  Numbers: +<7001> -<15550100888>\n"
)


def _tokens(text: str) -> list[str]:
    return re.findall(r"PHONE_[a-z]{10}", text)


def test_routing_and_dial_plan_numbers_are_tokenised(rule_sets: list[RuleSet]) -> None:
    out = assert_redacted(
        rule_sets, SIPS_TRACE,
        ["15550100123", "011495550100654", "5550100654", "915550100123", "05550100321", "5550100321",
         "00445550100321", "15550100888"],
        ["Routing to PHONE_", " via Trunk_CarrierA", "digit map 'dm_us' matched '+PHONE_", "' -> 'PHONE_",
         "result destination PHONE_", "translated to PHONE_", "by dial-plan 'US_outbound'",
         "(0000002a WDE_7001 198.51.100.23:50412) dest 'PHONE_", "matched PHONE_", "Numbers: +<7001> -<PHONE_",
         "14:05:01.104 Trc 04541 RequestMakeCall"])
    # the bare number of the routing line is the caller of AttributeANI: one token
    ani = _tokens(redacted(rule_sets, "\tAttributeANI\t'15550100123'\n", "log", "x.log"))[0]
    routed = re.search(r"Routing to (PHONE_[a-z]{10})", out)
    assert routed and routed.group(1) == ani


def test_dns_ports_times_and_counts_on_routing_lines_stay(rule_sets: list[RuleSet]) -> None:
    text = ("14:05:01.100 SIPTR(3): Routing to 9000 via Trunk_CarrierA, dest '7001', matched 12 of 40 rules\n"
            "  Numbers: +<SIP to RM> -<none>\n"
            "  Numbers: +<7001> -<9000>\n"
            "14:05:01.100 Routing to 192.168.10.20:5060, destination 10.0.0.1, dest port 5060\n"
            "_T_I_007b02aa3c1f0011 [10:13] FUNC: TimeStamp() -> 1709630105, size 1048576 -> 2097152 bytes\n"
            "14:05:01.102 DialPlan: call 006c02462a161006 DN 7001 rule 12 at 1709648104123 on 20261127 "
            "from 192.168.100.10:5060, 1048576 bytes\n")
    assert redacted(rule_sets, text, "log", "x.log") == text


CALL_ID_LINES = (
    "14:05:01.107 CID:CUUID>a84b4c76e66710@pbx.carrier.example.net:UJ4KB9G3SH1A1BQ6MDQ3C1RQAC000001\n"
    "Referred-By: <sip:7001@gw.example.net>;cid=\"<ref-1@example.net>\"\n"
)


def test_call_ids_that_look_like_addresses_stay_and_the_scanner_agrees(rule_sets: list[RuleSet]) -> None:
    assert redacted(rule_sets, CALL_ID_LINES, "log", "x.log") == CALL_ID_LINES
    scanner = LeakScanner("x.log")
    scanner.feed(CALL_ID_LINES.encode())
    scanner.finish()
    assert scanner.findings == []
    # an address elsewhere on such a line is still one
    out = redacted(rule_sets, "14:05:01.108 CID:CUUID>a1@pbx.example.net:UJ4K note jane.doe@example.org\n", "log", "x.log")
    assert "jane.doe" not in out and "CID:CUUID>a1@pbx.example.net:UJ4K" in out


def test_one_caller_one_token_with_00_or_011_prefix(rule_sets: list[RuleSet]) -> None:
    text = ("\tAttributeANI\t'+15550100123'\n"
            "\tAttributeOtherDN\t'0015550100123'\n"
            "From: <sip:0015550100123@203.0.113.5>;tag=a1\n"
            "14:05:01.102 DialPlan: result destination 01115550100123 for dialed 7001\n")
    out = assert_redacted(rule_sets, text, ["5550100123"], ["for dialed 7001", "@203.0.113.5>;tag=a1"])
    assert len({t[-10:] for t in _tokens(out)}) == 1, out
