"""Probe T 1, 2, 3, 16, 17: caller numbers in PureConnect (CIC) attributes in every separator,
letter case and wrapping; SIP Server routing and ISUP trace lines with dashes, split prefixes,
other verbs and labelled parameters; T-Lib/PSDK user data with other list and type tags; one
token for one caller across number formats; words after a number label stay."""

from __future__ import annotations

import re

import pytest

from collector.redaction.ruleset import RuleSet
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

PC = "11/20/2025 10:00:05 AM ; IP ; Interaction 1001234567 "


@pytest.mark.parametrize("value", [
    "Eic_RemoteTn=/15550710002", "Eic_RemoteTn='/15550710002'", "Eic_RemoteTn: /15550710002",
    "Eic_RemoteTn\t15550710002", "EIC_REMOTETN=15550710002", "Eic_RemoteTN=15550710002",
    "eic_remotetn=15550710002", "Eic_RemoteId=/15550710002", "Eic_LocalTn=/15550710002",
    "RemoteNumber=/15550710002", "Remote ID: /15550710002", "Eic_ANI\t15550710002",
    "<Eic_RemoteTn>15550710002</Eic_RemoteTn>", '{"Eic_RemoteTn":"15550710002"}',
])
def test_pureconnect_number_in_any_separator_case_and_wrapping(rule_sets: list[RuleSet], value: str) -> None:
    assert_redacted(rule_sets, PC + value + "\n", ["0710002"], [PC, "PHONE_"])


T = "10:00:03.000 Int 04543 "


@pytest.mark.parametrize("line", [
    "Routing to 1-555-071-0002", "Routing to 00 1 555 071 0002", "Routing to 011-1-555-071-0002",
    "Number 7001 translated to 1-555-071-0002", "Rerouting to 15550710002", "MakeCall to 15550710002",
    "ISUP IAM CgPN 1-555-071-0002", "ISUP IAM CgPN(NAI=3,NPI=1) 15550710002",
    "ISUP IAM CgPN (nai=national) 15550710002", "ISUP IAM CgPN=+ 15550710002", "ISUP IAM CgPN addrSig= 15550710002",
])
def test_routing_and_isup_number_with_dashes_prefixes_verbs_and_parameters(rule_sets: list[RuleSet], line: str) -> None:
    assert_redacted(rule_sets, T + line + "\n", ["071-0002", "071 0002", "0710002"], [T, "PHONE_"])


def test_dashed_and_prefixed_routing_numbers_share_the_callers_token(rule_sets: list[RuleSet]) -> None:
    out = redacted(rule_sets, T + "Routing to 011-1-555-071-0002\n" + T + "Routing to 00 1 555 071 0002\n"
                   + T + "ISUP IAM CgPN 1-555-071-0002\n\tAttributeANI\t'+15550710002'\n", "log", "opt/genesys/x.log")
    tokens = re.findall(r"PHONE_[a-z]{10}", out)
    assert len(tokens) == 4 and len(set(tokens)) == 1, out


@pytest.mark.parametrize("block", [
    "ISUP IAM decoded:\n\tCgPN:\n\t\t15550710002\n",
    "ISUP IAM decoded:\n\tCalling Party Number\n\t\tNature of address: national\n\t\tAddress signals: 15550710002\n",
])
def test_decoded_isup_block_number_on_its_own_line(rule_sets: list[RuleSet], block: str) -> None:
    assert_redacted(rule_sets, T + block + T + "next\n", ["0710002"], [T + "next\n", "ISUP IAM decoded:\n"])


def test_routing_lines_keep_dns_dates_and_addresses(rule_sets: list[RuleSet]) -> None:
    text = T + "Routing to 7001 7002 7003, dest 2026-11-27 10:00:00, Routing to 10.0.0.1, destination 192.168.10.20:5060\n"
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text


@pytest.mark.parametrize("line", [
    "\t\t'Customer'\t(kvlist)\t'Phone'\t'15550710002'",
    "\t\t\"Customer\"\t(list)\t\"Phone\"\t\"15550710002\"",
    "\t\t'PhoneNumber'\t[unsigned] 15550710002", "\t\t'PhoneNumber'\t[wstr] 15550710002",
    "\t\t'PhoneNumber'\t[utf8] 15550710002", "\t\t'PhoneNumber'\t[int64] 15550710002",
    "\t\t'PhoneNumber'\t[ulong] 15550710002", "\t\t'PhoneNumber'\t[float] 15550710002",
    "\t\t'PhoneNumber' [str] = '15550710002'", "\t\t'PhoneNumber'[str]=\"15550710002\"",
])
def test_user_data_number_under_any_list_quote_or_type_tag(rule_sets: list[RuleSet], line: str) -> None:
    assert_redacted(rule_sets, line + "\n", ["0710002"], ["PHONE_"])


@pytest.mark.parametrize("text", [
    "\t\t'X'\t[BIN] 31 35 35 35 30 37 31 30 30 31 34\n",
    "\t\t'X'\t[binary] 3135353530373130303134\n",
    "\t\t'X'\t[bin:11] 31 35 35 35 30 37 31 30 30 31 34\n",
    "\t\t'X'\t[bin] 31 35 35 35 30 37\n\t\t\t31 30 30 31 34\n",
])
def test_binary_user_data_in_any_tag_spelling_and_wrapped(rule_sets: list[RuleSet], text: str) -> None:
    text = "\tAttributeUserData\t[120] 00 04 00 00..\n" + text + "\tAttributeConnID\t007b02aa3c1f0012\n"
    assert_redacted(rule_sets, text, ["31 35 35", "313535", "31 30 30 31 34"],
                    ["'X'\t[", "REDACTED-BINARY", "\tAttributeConnID\t007b02aa3c1f0012\n"])


def test_user_data_keeps_times_counts_and_ports(rule_sets: list[RuleSet]) -> None:
    text = "\t\t'GSW_DATE_TIME'\t[int64] 1709648104\n\t\t'Attempts'\t[unsigned] 2\n\t\t'PortNumber'\t[uint] 5060\n"
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text


def _letters(token: bytes) -> bytes:
    return token.rsplit(b"_", 1)[1]


@pytest.mark.parametrize("forms", [
    ["5552719876", "+15552719876", "15552719876", "0115552719876", "(555) 271-9876", "+1 555 271 9876"],
    ["+442079460958", "+44 (0)20 7946 0958", "0044 (0)20 7946 0958", "00442079460958"],
])
def test_one_caller_one_token_across_nanp_and_trunk_forms(forms: list[str]) -> None:
    from collector.redaction.tokens import Tokenizer
    tokenizer = Tokenizer(b"unit-test-site-key-0123456789abc", None)
    assert len({_letters(tokenizer.token("phone", f.encode())) for f in forms}) == 1, forms


def test_ten_digits_outside_the_nanp_shape_keep_their_own_token() -> None:
    from collector.redaction.tokens import Tokenizer
    tokenizer = Tokenizer(b"unit-test-site-key-0123456789abc", None)
    assert _letters(tokenizer.token("phone", b"5550719876")) != _letters(tokenizer.token("phone", b"+15550719876"))
    assert _letters(tokenizer.token("phone", b"1001234567")) != _letters(tokenizer.token("phone", b"+11001234567"))


def test_tel_uri_in_user_data_has_the_callers_letters(rule_sets: list[RuleSet]) -> None:
    out = redacted(rule_sets, "\t\t'CustomerPhone'\t'tel:+15552719876'\n\tAttributeANI\t'+15552719876'\n"
                   + T + "ISUP IAM CgPN 15552719876\n", "log", "opt/genesys/x.log")
    letters = re.findall(r"(?:USERDATA|PHONE)_([a-z]{10})", out)
    assert len(letters) == 3 and len(set(letters)) == 1, out
    assert "REDACTED-ISUP" not in out


def test_url_encoded_plus_stays_encoded(rule_sets: list[RuleSet]) -> None:
    out = redacted(rule_sets, "GET /cb?_customer_number=%2B15550100123&x=1\nGET /cb?_customer_number=+15550100123\n",
                   "log", "opt/genesys/x.log")
    assert re.search(r"_customer_number=%2BPHONE_([a-z]{10})&x=1\n", out), out
    assert len(set(re.findall(r"PHONE_([a-z]{10})", out))) == 1, out


def test_placeholder_words_after_a_number_key_stay(rule_sets: list[RuleSet]) -> None:
    text = T + "ISUP IAM CallingPartyNumber= unknown (restricted), ani=anonymous, CalledNumber=private\n"
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text


def test_caller_name_gets_a_name_token_not_a_phone_token(rule_sets: list[RuleSet]) -> None:
    out = redacted(rule_sets, '2025-11-20 10:00:01,000 INFO contact callerName="Jane Callername" dn=7001\n'
                   "2025-11-20 10:00:01,000 INFO callerIdName=+15552719876 callerName=\"+15552719876\"\n",
                   "log", "opt/genesys/x.log")
    assert "Jane" not in out and "2719876" not in out and 'callerName="PHONE_' not in out, out
    assert re.search(r'callerName="(?:USERDATA|NAME)_[a-z]{10}" dn=7001', out), out
