"""Probe Q 4, 11, 12: numbers in SIP Server ISUP and routing trace lines in every quoting and
delimiter, a URL-encoded '+' in a tel: URI with visual separators; a DN-length DNIS kept like
OtherDN/ThisDN; the epoch suffix of a P-Charging-Vector ICID kept."""

from __future__ import annotations

import re

import pytest

from collector.redaction.ruleset import RuleSet
from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

T = "10:00:03.000 Int 04543 "


@pytest.mark.parametrize("line", [
    "isup iam cgpn: 15550900021",
    "ISUP IAM CgPN '15550900021'",
    'ISUP IAM CgPN "15550900021"',
    "ISUP IAM CallingPartyNumber 15550900021",
    "ISUP IAM RedirectingNumber 15550900021",
    "ISUP IAM GenericNumber 15550900021",
    "ISUP IAM calling_party_number=[15550900021]",
])
def test_isup_trace_party_number_in_any_case_and_quoting(rule_sets: list[RuleSet], line: str) -> None:
    assert_redacted(rule_sets, T + line + "\n", ["15550900021", "0900021"], [T])


@pytest.mark.parametrize("line, kept", [
    ("Number 15550900026 translated to 15550900027", ["Number PHONE_", " translated to PHONE_"]),
    ("RequestRouteCall to 15550900028", ["RequestRouteCall to PHONE_"]),
    ("target '15550900029@SIPS_P'", ["target 'PHONE_", "@SIPS_P'"]),
    ("new_dest:15550900030", ["new_dest:PHONE_"]),
    ('Redirect to "15550900031"', ['Redirect to "PHONE_']),
    ("forward to 15550900032 (type Dest)", ["forward to PHONE_", " (type Dest)"]),
    ("Routing to <15550900033>", ["Routing to <PHONE_"]),
    ("Routing to (15550900034)", ["Routing to (PHONE_"]),
    ("Routing to 011 15550900035", ["Routing to PHONE_"]),
    ("Routing to 00-15550900036", ["Routing to PHONE_"]),
    ("Numbers: +<7001> -<15550900037> -<15550900038>", ["Numbers: +<7001> -<PHONE_", "> -<PHONE_"]),
    ("DialPlan: rule 3 gives 00-15550900039 and 011 15550900040", ["DialPlan: rule 3 gives PHONE_", " and PHONE_"]),
])
def test_routing_trace_number_in_any_delimiter(rule_sets: list[RuleSet], line: str, kept: list[str]) -> None:
    gone = [n[-7:] for n in re.findall(r"1555\d{7}", line)]
    assert gone
    assert_redacted(rule_sets, T + line + "\n", gone, kept)


def test_prefixed_routing_number_shares_the_callers_token(rule_sets: list[RuleSet]) -> None:
    out = redacted(rule_sets, T + "Routing to 011 15550900035\n\tAttributeANI\t'+15550900035'\n",
                   "log", "opt/genesys/x.log")
    tokens = re.findall(r"PHONE_[a-z]{10}", out)
    assert len(tokens) == 2 and tokens[0] == tokens[1], out


def test_routing_lines_keep_dns_and_correlation_values(rule_sets: list[RuleSet]) -> None:
    text = (T + "RequestRouteCall to 9000, target '7001@SIPS_P', new_dest:7002, forward to 7003\n"
            + T + "Routing to <7004> (Numbers: +<7001> -<7002> -<none>) at 1732096800123\n"
            + T + "ISUP REL cause 16 (normal clearing), called number 7001 is a DN\n")
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text


def test_refer_to_tel_uri_with_encoded_plus_and_separators(rule_sets: list[RuleSet]) -> None:
    text = ("10:00:02.100: SIPTR: Received [0,UDP] 611 bytes from 203.0.113.5:5060 <<<<<\n"
            "REFER sip:7001@192.0.2.20 SIP/2.0\nCall-ID: r1@h\n"
            "Refer-To: tel:%2B1-555-090-0039\nReferred-By: <tel:%2B1%20(555)%20090-0040>\nContent-Length: 0\n")
    out = assert_redacted(rule_sets, text, ["090-0039", "0900039", "090-0040"],
                          ["Refer-To: tel:%2BPHONE_", "Referred-By: <tel:%2BPHONE_", "Call-ID: r1@h"])
    plain = redacted(rule_sets, "Refer-To: tel:+1-555-090-0039\n", "log", "opt/genesys/x.log")
    assert re.findall(r"PHONE_[a-z]{10}", out)[0] == re.findall(r"PHONE_[a-z]{10}", plain)[0]


@pytest.mark.parametrize("text", [
    "@10:00:04.1000 [0] 8.1.103.95 distribute_event: message EventRinging\n"
    "\tAttributeDNIS\t'7001'\n\tAttributeOtherDN\t'7002'\n\tAttributeThisDN\t'7001'\n",
    "\tAttributeDNIS\t7001\n",
    '\tAttributeDNIS [str] = "7004"\n',
    '26-11-25 09:15:05.123 [   14] DEBUG ESDK             - AttributeDNIS [str] = "7004"\n',
    "10:00:03.000 Dbg 00000 Request sent: GET http://192.0.2.40/app/start.vxml?dnis=7005 HTTP/1.1\n",
    '10:00:03.000 Dbg 00000 <msml><dialogstart target="conn:1" dnis="7006"/></msml>\n',
    '10:00:03.000 Dbg 00000 <gvp:param name="dnis">7006</gvp:param><dnis>7007</dnis>'
    "<param name='dnis' value='7008'/><var name=\"dnis\" expr=\"'7009'\"/>\n",
    "Trc 25001 DNIS [7008] DNIS \"7009\" dnis: 7010 dnis='7011' \"dnis\": \"7012\"\n",
])
def test_dn_length_dnis_stays(rule_sets: list[RuleSet], text: str) -> None:
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text


def test_phone_length_dnis_is_still_tokenised(rule_sets: list[RuleSet]) -> None:
    text = ("\tAttributeDNIS\t'8005550100'\n\tAttributeDNIS\t'+7001'\n"
            '\tAttributeDNIS [str] = "8005550101"\n'
            "GET /start.vxml?ani=15551300003&dnis=8005550102 HTTP/1.1\n"
            '<dialogstart dnis="8005550103"/><gvp:param name="dnis">8005550104</gvp:param>\n'
            "Trc 25001 DNIS [8005550105] dnis: 8005550106\n")
    assert_redacted(rule_sets, text, ["8005550100", "+7001", "8005550101", "8005550102", "8005550103",
                                      "8005550104", "8005550105", "8005550106"], ["dnis=PHONE_"])


def test_icid_epoch_suffix_stays(rule_sets: list[RuleSet]) -> None:
    text = 'P-Charging-Vector: icid-value="15550900041-1732096800";orig-ioi=x\n'
    assert_redacted(rule_sets, text, ["15550900041"], ['-1732096800";orig-ioi=x', 'icid-value="PHONE_'])


def test_scanner_does_not_flag_kept_dns_and_tokenised_trace_lines(rule_sets: list[RuleSet]) -> None:
    text = ("\tAttributeDNIS\t'7001'\n" + T + "isup iam cgpn: 15550900021\n"
            + T + "Routing to 011 15550900035\nRefer-To: tel:%2B1-555-090-0039\n")
    scanner = LeakScanner("x.log")
    scanner.feed(redacted(rule_sets, text, "log", "opt/genesys/x.log").encode())
    scanner.finish()
    assert scanner.findings == []
