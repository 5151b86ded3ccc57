"""Credentials, session ids and message ids in the shapes probeL (findings 4, 6, 8a) and probeI
(finding 8) found leaking or mangled: an ORS strategy assigning a password, a session id in
JSON or an X-Session-Id header, an OAuth authorization code, a session cookie in a Java map
dump, Message-IDs, and SIP user parts that are encoded or punctuated phone numbers."""

from __future__ import annotations

import re

import pytest

from collector.redaction.ruleset import RuleSet
from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

TOKEN = re.compile(r"\+?[A-Z]+_[a-z]{10}")


def redact(rule_sets: list[RuleSet], text: str, kind: str = "log", path: str = "opt/genesys/x.log") -> str:
    once = redacted(rule_sets, text, kind, path)
    assert redacted(rule_sets, once, kind, path) == once      # idempotent
    return once


def findings(text: str) -> list[str]:
    scanner = LeakScanner("opt/genesys/x.log")
    scanner.feed(text.encode())
    scanner.finish()
    return [f.category for f in scanner.findings]


# (id, input line, texts that must be gone, texts that must stay)
CREDENTIALS = [
    ("ors-assign-password",
     "2024-03-05 09:15:10.100 METRIC <assign sid='00TBGH0LCC9N71O1SG4U7OARLI000001' location='App_Password' expr='\"OrsPw_14\"' />\n",
     ["OrsPw_14"], ["location='App_Password' expr='\"REDACTED\"' />", "00TBGH0LCC9N71O1SG4U7OARLI000001"]),
    ("ors-assign-password-escaped",
     "2024-03-05 09:15:10.101 METRIC <assign sid='00TBGH0LCC9N71O1SG4U7OARLI000001' location='dbPassword' expr='&apos;OrsPw2_78&apos;' />\n",
     ["OrsPw2_78"], ["expr='&apos;REDACTED&apos;' />"]),
    ("jetty-referer-jsessionid",
     '203.0.113.77 - - [05/Mar/2024:09:15:11 +0000] "GET /api/v2/me HTTP/1.1" 200 120 '
     '"https://gws.example.local/ui/ad/v1/index.html?JSESSIONID=8F3A1C2B9D4E5F60718293A4B5C6D7E8" "Mozilla/5.0" 3\n',
     ["8F3A1C2B9D4E5F60718293A4B5C6D7E8"], ["index.html?JSESSIONID=SESSION_", '" "Mozilla/5.0" 3']),
    ("json-session-id",
     '2024-03-05 09:15:09,430 DEBUG [qtp-1] Body: {"Password" : "JsonPw_1", "sessionId": "sess-Ux7Vy9Wz1"}\n',
     ["JsonPw_1", "sess-Ux7Vy9Wz1"], ['"sessionId": "SESSION_']),
    ("x-session-id-header",
     "2024-03-05 09:15:09,431 DEBUG [qtp-1] headers: X-Session-Id: xsess-Uu77Ii88\n",
     ["xsess-Uu77Ii88"], ["X-Session-Id: SESSION_"]),
    ("oauth-code",
     "2024-03-05 09:15:11,000 DEBUG [qtp-2] GET /auth/v3/oauth/authorize/callback?code=ac-Tq2Wr4Ey6Ui8&state=xyz\n",
     ["ac-Tq2Wr4Ey6Ui8"], ["callback?code=REDACTED&state=xyz"]),
]


@pytest.mark.parametrize("case", CREDENTIALS, ids=[c[0] for c in CREDENTIALS])
def test_credentials_and_session_ids_are_hidden(rule_sets, case):
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept)


def test_correlation_ids_under_a_session_key_stay(rule_sets):
    text = ('2024-03-05 09:15:09,433 INFO  ors {"sessionId":"00TBGH0LCC9N71O1SG4U7OARLI000001"}\n'
            '2024-03-05 09:15:09,434 INFO  chat {"sessionId": "0001Ka9Bc3DeF4Gh"}\n'
            '<chatTranscript startAt="2024-03-05T09:15:00Z" sessionId="0001AaBbCcDd1234">\n')
    assert redact(rule_sets, text) == text


def test_session_cookie_in_a_java_map_dump_keeps_its_comma_and_token(rule_sets):
    out = redact(rule_sets,
                 "2024-03-05 09:15:09,456 DEBUG [qtp-12] Request headers: {Host=pulse01:8080, "
                 "Cookie=PULSE_SESSION=pulseTok9f8e7d6c5b4a, X-Requested-With=XMLHttpRequest}\n"
                 "2024-03-05 09:15:09,500 DEBUG [qtp-12] Response 200: Set-Cookie: "
                 "PULSE_SESSION=pulseTok9f8e7d6c5b4a; Path=/; HttpOnly\n"
                 "2024-03-05 09:15:09,501 DEBUG [qtp-12] Request headers: {Host=pulse01:8080, "
                 "Cookie=PULSE_SESSION=pulseTok9f8e7d6c5b4a}\n")
    assert "pulseTok9f8e7d6c5b4a" not in out
    tokens = re.findall(r"PULSE_SESSION=(SESSION_[a-z]{10})", out)
    assert len(tokens) == 3 and len(set(tokens)) == 1, out
    assert ", X-Requested-With=XMLHttpRequest}" in out
    assert out.splitlines()[2].endswith(tokens[0] + "}")


MESSAGE_IDS = (
    "2024-03-05 09:15:12.040 Dbg 21001 Fetched message <CAF4x9=abc123@mail.example.org> from imap01\n"
    "Message-ID: <CAF4x9=abc123@mail.example.org>\n"
    "2024-03-05 09:15:12.041 Dbg 21001 Message-ID: <20240305091512.4711@mail.example.org>\n"
    "\t'Header_Message-ID'\t[str] = \"<CAF4x9=abc123@mail.example.org>\"\n"
    "In-Reply-To: <1a2b.3c@mx.example.org>\n"
    "References: <a1@mx.example.org> <b2.x@mx.example.org>, <c3$y@mx.example.org>\n"
)


def test_message_ids_stay_readable_and_pass_the_scanner(rule_sets):
    assert redact(rule_sets, MESSAGE_IDS) == MESSAGE_IDS
    assert findings(MESSAGE_IDS) == []


@pytest.mark.parametrize("line", [
    "Message-ID: <jane.doe@example.org>\n",
    "2024-03-05 09:15:12.042 Dbg 21001 Fetched message <jane.doe@example.org>\n",
    "2024-03-05 09:15:12.043 Dbg 21001 mail to <bob7@example.org> and x=<bob8@example.org>\n",
    "References: <jane.doe@example.org> <b2.x@mx.example.org>\n",
])
def test_a_plain_address_in_angle_brackets_is_still_an_address(rule_sets, line):
    assert findings(line)                                # the scanner stays strict for raw addresses
    out = redact(rule_sets, line)
    assert "@example.org" not in out and "EMAIL_" in out, out
    assert findings(out) == []


def test_sip_numbers_in_encoded_and_parameter_forms_get_the_phone_token(rule_sets):
    """probeI finding 8: one caller number, one token; the key and the host stay."""
    out = redact(rule_sets,
                 "P-Asserted-Identity: <sip:+15551234567@carrier.example.net>\r\n"
                 "X-Caller-Info: ani=+15551234567;cli=restricted\r\n"
                 "From: <sip:%2B15551234567@192.0.2.20>;tag=1\r\n"
                 "INVITE sip:%2B15551234567@192.0.2.20 SIP/2.0\r\n"
                 "\tAttributeANI\t'5551234567'\n"
                 "Referred-By: <sip:(555)%20123-4567@carrier.example.net>\r\n")
    assert "555" not in out, out
    lines = out.splitlines()
    e164 = re.search(r"sip:\+(PHONE_[a-z]{10})@", lines[0]).group(1)
    national = re.search(r"'(PHONE_[a-z]{10})'", lines[4]).group(1)
    assert lines[1] == f"X-Caller-Info: ani=+{e164};cli=restricted"
    assert lines[2] == f"From: <sip:%2B{e164}@192.0.2.20>;tag=1"
    assert lines[3] == f"INVITE sip:%2B{e164}@192.0.2.20 SIP/2.0"
    assert lines[5] == f"Referred-By: <sip:{national}@carrier.example.net>"


def test_a_key_inside_a_phone_keyed_value_stays_outside_the_token(rule_sets):
    out = redact(rule_sets, "2024-03-05 09:15:00,000 INFO caller: num=5551234567\n")
    assert "caller: num=PHONE_" in out and "5551234567" not in out, out
