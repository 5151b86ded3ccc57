"""Telephony shapes a black-box probe found leaking (ICON/Stat Server labels, dial strings,
inline T-Lib/PSDK prints, DTMF relay, PureConnect call lines, PINs), and the correlation values
next to them that must stay."""

from __future__ import annotations

import re

import pytest

from collector.redaction.ruleset import RuleSet
from collector.scanner import LeakScanner
from tests.redacting import redacted, rule_sets  # noqa: F401 - rule_sets is a fixture


def redact(rule_sets: list[RuleSet], text: str, kind: str = "log") -> str:
    return redacted(rule_sets, text, kind, "var/log/genesys/x.log")


def phone_token(rule_sets: list[RuleSet], number: str) -> str:
    """The token the T-Lib AttributeANI of a number gets."""
    out = redact(rule_sets, f"\tAttributeANI\t'{number}'\n")
    found = re.search(r"PHONE_[a-z]{10}", out)
    assert found, out
    return found.group(0)


# (id, input line, values that must be gone, text that must stay)
CASES = [
    # L1: ICON / Stat Server labels in free text; the ConnID, CallUUID and agent DN stay
    ("icon-ani-dnis-brackets",
     "11/25/2026 09:15:05.123 Trc 25001 Call [007b02aa3c1f0011] CallUUID [7QK2M0D4AB5H91VX03KD4G0E7S000001] ANI [5550103456] DNIS [8005550111] stored",
     ["5550103456", "8005550111"],
     ["Call [007b02aa3c1f0011] CallUUID [7QK2M0D4AB5H91VX03KD4G0E7S000001] ANI [PHONE_", "] DNIS [PHONE_", "] stored"]),
    ("icon-party-numbers",
     "11/25/2026 09:15:05.123 Trc 25001 Party: CallingNumber [5550103174], DialedNumber [1-800-555-0199], OtherDN [5550103174]",
     ["5550103174", "555-0199"], ["Party: CallingNumber [PHONE_", "DialedNumber [PHONE_", "OtherDN [PHONE_"]),
    ("statserver-otherdn-quoted",
     "2026-11-25 09:15:05.123 Status: DN 7101@SIPS_B: CallRinging ConnID 007b02aa3c1f0011 ANI '5550103173' OtherDN '5550103173'",
     ["5550103173"], ["DN 7101@SIPS_B: CallRinging ConnID 007b02aa3c1f0011 ANI 'PHONE_", "OtherDN 'PHONE_"]),
    ("statserver-short-otherdn-stays", "2026-11-25 09:15:05.123 Status: DN 7101@SIPS_B: OtherDN '7102' OtherDN [7103]",
     [], ["OtherDN '7102' OtherDN [7103]"]),
    ("icon-reference-id-stays", "11/25/2026 09:15:05.123 Trc 25001 ReferenceID [2125550123] ConnID [0070020012345678]",
     [], ["ReferenceID [2125550123] ConnID [0070020012345678]"]),
    # L2: dial strings with an access code, a pause, spaces; 00 international prefix
    ("otherdn-pause", "\tAttributeOtherDN\t'9,15550103234'", ["15550103234"], ["\tAttributeOtherDN\t'PHONE_"]),
    ("otherdn-spaces", "\tAttributeOtherDN\t'9 1 555 010 3235'", ["555 010 3235"], ["\tAttributeOtherDN\t'PHONE_"]),
    ("psdk-otherdn-pause", '\tAttributeOtherDN [str] = "9,15550103236"', ["15550103236"], ['AttributeOtherDN [str] = "PHONE_']),
    ("intl-00-prefix", "09:15:06.000 Std 09900 ... intl +44 20 7946 0958 and 0044 20 7946 0959",
     ["7946 0958", "7946 0959"], ["intl +PHONE_", " and PHONE_"]),
    # L4: attributes printed inline, not at the start of a line
    ("psdk-kvlist-one-line",
     '2026-11-25T09:15:05.742 Trc 04541 AttributeUserData [bstr] = KVList: \'CustomerName\' [str] = "Barnaby Wrigglesworth", \'Phone\' [str] = "5550103172", \'RStrategyName\' [str] = "Main_Inbound"',
     ["Barnaby", "Wrigglesworth", "5550103172"],
     ["'CustomerName' [str] = \"USERDATA_", "'Phone' [str] = \"PHONE_", "'RStrategyName' [str] = \"Main_Inbound\""]),
    ("wde-inline-psdk-ani", '26-11-25 09:15:05.123 [   14] DEBUG ESDK             - AttributeANI [str] = "5550103240"\r\n',
     ["5550103240"], ['- AttributeANI [str] = "PHONE_', '"\r\n']),
    ("inline-tlib-ani", "09:15:07.000 Std 09900 free text: AttributeANI '5550103233' printed inline",
     ["5550103233"], ["free text: AttributeANI 'PHONE_", "' printed inline"]),
    ("inline-tlib-this-dn-stays", "09:15:07.000 Std 09900 message EventRinging AttributeThisDN '7101' AttributeOtherDN '7102'",
     [], ["AttributeThisDN '7101' AttributeOtherDN '7102'"]),
    ("inline-digits", "09:15:07.000 Std 09900 message EventDigits AttributeCollectedDigits '4321'",
     ["4321"], ["AttributeCollectedDigits 'REDACTED-DIGITS'"]),
    # L6: a free-text value with an apostrophe still has its phone number tokenised
    ("kv-value-apostrophe", "\t\t'Info'\t'O'Brien called from 5550103159'", ["5550103159"], ["\t\t'Info'\t'O'Brien called from PHONE_"]),
    ("kv-value-ip-stays", "\t\t'Info'\t'endpoint 192.168.100.101 at 2026-11-25 09:15:05'", [],
     ["'endpoint 192.168.100.101 at 2026-11-25 09:15:05'"]),
    # L7: DTMF relayed in SIP INFO bodies is masked, its duration stays
    ("sip-info-dtmf-relay", "Content-Type: application/dtmf-relay\r\n\r\nSignal=7\r\nDuration=160\r\n",
     ["Signal=7"], ["Signal=REDACTED-DIGITS\r\nDuration=160\r\n"]),
    ("sip-info-dtmf-relay-hash", "Signal= #\r\n", ["#"], ["Signal= REDACTED-DIGITS\r\n"]),
    # L8: caller labels with a bare number
    ("cli-label", "09:15:01.000 Trc 04541 short: 'K'\t'x', CLI=5550103211", ["5550103211"], ["CLI=PHONE_"]),
    ("calling-label", "09:15:01.000 Trc 04541 route cli=5550103212 calling=5550103213 called: 8005550112",
     ["5550103212", "5550103213", "8005550112"], ["cli=PHONE_", "calling=PHONE_", "called: PHONE_"]),
    ("bare-number-in-prose-stays", "Wed Nov 25 09:25:05 2026.000 Std 20000 after window 5550103456", [], ["after window 5550103456"]),
    # O1: a numeric, Luhn-valid SIP Call-ID is no card number
    ("call-id-luhn", "Call-ID: 4539578763621486@192.0.2.20\r\n", [], ["Call-ID: 4539578763621486@192.0.2.20\r\n"]),
    ("call-id-compact-luhn", "i: 4539578763621486@192.0.2.20\r\n", [], ["i: 4539578763621486@192.0.2.20\r\n"]),
    # F3 (probe B): PureConnect call lines
    ("pureconnect-call-from-to", '2025-01-15 10:00:04.000 Call from 3175550123 ("Winifred Ashcombe") to 3175550100\r\n',
     ["3175550123", "Winifred", "Ashcombe", "3175550100"], ['Call from PHONE_', ' ("NAME_', '") to PHONE_']),
    ("from-to-without-call-stays", "2025-01-15 10:00:04.000 Copied 12 files from 3175550123 to 3175550100", [],
     ["from 3175550123 to 3175550100"]),
    ("call-from-date-stays", "2025-01-15 10:00:04.000 Call statistics from 2025-01-14 to 2025-01-15", [],
     ["from 2025-01-14 to 2025-01-15"]),
    # T4: PINs are masked, not tokenised
    ("gvp-field-pin", "2026-11-25T09:15:07.000 Int 50035 LogID=0003 field pin filled: pin = 97531",
     ["97531"], ["pin = REDACTED-DIGITS"]),
    ("url-pin", "2026-11-25T09:15:07.100 Int 50036 LogID=0004 VXML fetch http://ivr.example/app.vxml?ani=5550103456&card=4111111111111111&pin=2468013",
     ["5550103456", "4111111111111111", "2468013"], ["&pin=REDACTED-DIGITS"]),
    ("pin-options-stay", "09:15:02.004 Std 09900 pin-length=4, spinning=1, pinned=2", [], ["pin-length=4, spinning=1, pinned=2"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_telephony_shapes(rule_sets, case) -> None:
    _, line, gone, kept = case
    out = redact(rule_sets, line)
    for value in gone:
        assert value not in out, out
    for text in kept:
        assert text in out, out
    assert "USERDATA_" not in out or "USERDATA_" in "".join(kept), out
    assert redact(rule_sets, out) == out                 # idempotent


def test_free_text_labels_get_the_tlib_token(rule_sets) -> None:
    token = phone_token(rule_sets, "5550103456")
    out = redact(rule_sets, "11/25/2026 09:15:05.123 Trc 25001 ANI [5550103456] OtherDN '5550103456' CLI=5550103456\n")
    assert out.count(token) == 3, out


def test_dial_string_and_pureconnect_numbers_get_phone_tokens(rule_sets) -> None:
    out = redact(rule_sets, '2025-01-15 10:00:04.000 Call from 3175550123 ("Winifred Ashcombe") to 3175550100\n')
    assert phone_token(rule_sets, "3175550123") in out and phone_token(rule_sets, "3175550100") in out


@pytest.mark.parametrize("line", [
    "11/25/2026 09:15:05.123 Trc 25001 ANI [5550103456] DNIS [8005550111] stored",
    "Party: CallingNumber [5550103174], DialedNumber [1-800-555-0199]",
    "2026-11-25 09:15:05.123 Status: OtherDN '5550103173'",
    "09:15:01.000 Trc 04541 short: CLI=5550103211",
    "09:15:07.000 Std 09900 free text: AttributeANI '5550103233' printed inline",
    "\tAttributeOtherDN\t'9,15550103234'",
    "OtherDN: 5550103174",
])
def test_scanner_finds_caller_numbers_under_free_text_labels(line) -> None:
    scanner = LeakScanner("x.log")
    scanner.feed(line.encode() + b"\n")
    scanner.finish()
    assert scanner.findings and {f.category for f in scanner.findings} == {"caller-number"}


@pytest.mark.parametrize("line", [
    "11/25/2026 09:15:05.123 Trc 25001 ANI [PHONE_abcdefghij] DNIS [+PHONE_abcdefghij] OtherDN '7101'",
    "2026-11-25 09:15:05.123 Status: DN 7101@SIPS_B: OtherDN '7102' ANI '****' CLI=REDACTED",
    "Call-ID: 4539578763621486@192.0.2.20\r",
    "i: 4539578763621486@192.0.2.20\r",
    "prefix-for-ani = +1, ani-length = 10, ANI: unknown",
    "ThisDN: 5550101999 ReferenceID [2125550123]",
])
def test_scanner_leaves_redacted_and_kept_values_alone(line) -> None:
    scanner = LeakScanner("x.log")
    scanner.feed(line.encode() + b"\n")
    scanner.finish()
    assert scanner.findings == []
