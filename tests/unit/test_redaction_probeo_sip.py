"""SIP shapes black-box probe O found shipped in clear: ISUP bodies (hex dump, SIP Server's
CgPN/CdPN trace, raw binary) that carry the calling and called numbers in BCD, SIP URIs
URL-encoded in embedded headers (Refer-To: <sip:...?P-Asserted-Identity=%3Csip%3A...>), folded
(continuation) header lines, a number inside a P-Charging-Vector icid-value and a caller's name
in a SIP Feature Server line. The RFC 3323 anonymous identity stays as it is."""

from __future__ import annotations

import re

import pytest

from collector.redaction import Redactor, Tokenizer
from tests.redacting import KEY, assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

SIPS = "var/log/genesys/SIPS_P/SIPS_P.log"

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    ("isup-multipart-hex-body",
     "14:05:01.000: SIPTR: Received [0,UDP] 900 bytes from 203.0.113.5:5060 <<<<<\r\n"
     "INVITE sip:9000@192.0.2.20:5060 SIP/2.0\r\n"
     "Call-ID: a84b4c76e66710@pbx.carrier.example.net\r\n"
     "Content-Type: multipart/mixed;boundary=b1\r\n"
     "Content-Length: 300\r\n\r\n"
     "--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n"
     "--b1\r\nContent-Type: application/isup; version=itu-t92+\r\nContent-Disposition: signal;handling=optional\r\n\r\n"
     "01 00 20 00 0a 03 02 0a 08 83 90 51 55 10 00 21 03 0a 08 03 13 51 55 10 00 54 06 00\r\n"
     "0a 08 03 13 51 55 10 00 88 18 00\r\n"
     "--b1--\r\n\r\n"
     "14:05:01.100 SIPTR(3): next record\r\n",
     ["51 55 10 00", "55 10 00 88"],
     ["Call-ID: a84b4c76e66710@pbx.carrier.example.net\r\n", "\r\nv=0\r\n--b1\r\n",
      "Content-Type: application/isup; version=itu-t92+\r\nContent-Disposition: signal;handling=optional\r\n\r\n"
      "REDACTED-ISUP\r\nREDACTED-ISUP\r\n--b1--\r\n\r\n14:05:01.100 SIPTR(3): next record\r\n"]),
    ("isup-single-part-body-before-call-id",
     "INVITE sip:9000@192.0.2.20:5060 SIP/2.0\n"
     "Content-Type: application/isup;version=nxv3;base=etsi121\n"
     "Call-ID: isup-1@203.0.113.5\nContent-Length: 28\n\n"
     "01 00 20 00 0a 03 02 0a 08 83 90 51 55 10 00 21 03\n\n"
     "@14:05:01.2201 [0] 8.1.103.95 distribute_event: message EventRinging\n",
     ["51 55 10 00"],
     ["Call-ID: isup-1@203.0.113.5\nContent-Length: 28\n\nREDACTED-ISUP\n\n@14:05:01.2201 [0]"]),
    ("isup-trace-party-numbers",
     "14:05:01.400 SIPTR: trunk gw_trunk_1 ISUP IAM CgPN 0a 08 03 13 51 55 10 00 88 18 00 CdPN 83 90 54 55 15 00 30 12\n"
     "14:05:01.401 SIPTR: ISUP ACM OCN=0x03 0x13 0x51 0x55 0x10 0x00 0x88 0x18, RGN: 8390545515003012 done\n",
     ["51 55 10 00", "54 55 15 00", "0x51", "8390545515003012"],
     ["trunk gw_trunk_1 ISUP IAM CgPN REDACTED-ISUP CdPN REDACTED-ISUP\n", "OCN=REDACTED-ISUP, RGN: REDACTED-ISUP done"]),
    ("refer-to-embedded-url-encoded-identity",
     "Refer-To: <sip:7001@gw.example.net?Replaces=abc%40gw%3Bto-tag%3D1"
     "&P-Asserted-Identity=%22Ingrid%20Falkenrath%22%20%3Csip%3A%2B5550100444%40gw.example.net%3E"
     "&Referred-By=%3Csip%3Ajane.doe%40example.net%3E&X-Tel=%3Ctel%3A%2B15550100777%3E>\n",
     ["5550100444", "Ingrid", "Falkenrath", "jane.doe", "15550100777"],
     ["Refer-To: <sip:7001@gw.example.net?Replaces=abc%40gw%3Bto-tag%3D1&P-Asserted-Identity=%22NAME_",
      "%22%20%3Csip%3A%2BPHONE_", "%40gw.example.net%3E&Referred-By=%3Csip%3AUSER_", "%40example.net%3E&X-Tel=%3Ctel%3A%2BPHONE_"]),
    ("folded-from-header",
     "From:\n  \"Ingrid Falkenrath\"\n  <sip:+15550100888@203.0.113.5>;tag=rp-1\n"
     "To: \"Dagmar Kowalczyk\"\n\t<sip:+15550100444@192.0.2.20>\n"
     "P-Asserted-Identity: <sip:+15550100888@203.0.113.5>,\n \"Zoe Marchbanks\" <tel:+15550100999>\n",
     ["Ingrid", "Falkenrath", "15550100888", "Dagmar", "Kowalczyk", "Zoe Marchbanks", "15550100999"],
     ["From:\n  \"NAME_", "@203.0.113.5>;tag=rp-1\nTo: \"NAME_", "\n \"NAME_"]),
    ("folded-subject",
     "Subject: Callback for\n Dagmar Kowalczyk 555-010-0444\n\tabout her card\nMax-Forwards: 70\nContent-Length: 0\n",
     ["Dagmar", "Kowalczyk", "0444", "her card"],
     ["\n REDACTED-TEXT\n\tREDACTED-TEXT\nMax-Forwards: 70\nContent-Length: 0\n"]),
    ("p-charging-vector-icid-number",
     "P-Charging-Vector: icid-value=pcv-15550100123-20261127;orig-ioi=carrier.example.net\n",
     ["15550100123"], ["P-Charging-Vector: icid-value=pcv-PHONE_", "-20261127;orig-ioi=carrier.example.net\n"]),
    ("sip-feature-server-caller-name",
     "2026-11-27 14:05:01,300 INFO  [sip-4] Voicemail deposit for caller +15550100123 name=\"Zoë Ångström-Müller\" mailbox 7001\n",
     ["15550100123", "Zoë", "Ångström"], ["[sip-4] Voicemail deposit for caller +PHONE_", " name=\"NAME_", "\" mailbox 7001\n"]),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_o_sip_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path=SIPS, fast=fast)


def _tokens(text: str, prefix: str) -> set[str]:
    return set(re.findall(prefix + r"_[a-z]{10}", text))


def test_an_encoded_number_gets_the_token_of_the_plain_one(rule_sets) -> None:
    out = redacted(rule_sets,
                   "From: <sip:+5550100444@gw.example.net>;tag=1\n"
                   "Refer-To: <sip:7001@gw.example.net?P-Asserted-Identity=%3Csip%3A%2B5550100444%40gw.example.net%3E>\n"
                   "P-Charging-Vector: icid-value=pcv-5550100444-20261127\n",
                   "log", SIPS)
    assert len(_tokens(out, "PHONE")) == 1, out


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_a_binary_isup_body_never_ships_its_bcd_bytes(rule_sets, fast) -> None:
    data = (b"14:05:02.000: SIPTR: Received [0,UDP] 300 bytes from 203.0.113.5:5060 <<<<<\n"
            b"INVITE sip:9000@192.0.2.20:5060 SIP/2.0\nCall-ID: bin-rp@203.0.113.5\n"
            b"Content-Type: application/isup; version=itu-t92+\nContent-Transfer-Encoding: binary\nContent-Length: 20\n\n"
            b"\x01\x00\x20\x00\x0a\x03\x02\x0a\x08\x83\x90\x51\x55\x10\x00\x88\x18\x00\n\n"
            b"14:05:02.100 Std 09900 after binary body\n")
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", SIPS, use_prefilter=fast)
    out = redactor.feed(data) + redactor.finish()
    assert b"QU" not in out and b"\x88\x18" not in out and b"\x83\x90" not in out, out
    assert out.endswith(b"Content-Length: 20\n\nREDACTED-ISUP\nREDACTED-ISUP\nREDACTED-ISUP\n\n"
                        b"14:05:02.100 Std 09900 after binary body\n"), out
    assert b"Call-ID: bin-rp@203.0.113.5\n" in out


STAY = [
    "From: Anonymous <sip:anonymous@anonymous.invalid>;tag=q1\n",
    "Content-Type: application/sdp\nContent-Length: 3\n\nv=0\n",
    "P-Charging-Vector: icid-value=AyretyU0dm+6O2IrT5tAFrbHLso=;icid-generated-at=192.0.2.20\n",
    "P-Charging-Vector: icid-value=1234bc9876e-20261127;orig-ioi=carrier.example.net\n",
    '{\n  "skills": [\n    "Sales",\n    "Billing"\n  ]\n}\n',
    "14:05:01.400 SIPTR: ISUP REL cause 16 (normal clearing)\n",
    "\t<param name=\"mode\" value=\"a\"/>\n",
    "2026-11-27 14:05:01,300 INFO  [sip-4] call connected to service name=\"voicemail\"\n",
]


@pytest.mark.parametrize("text", STAY)
def test_probe_o_sip_lines_that_stay(rule_sets, text) -> None:
    assert redacted(rule_sets, text, "log", SIPS) == text
