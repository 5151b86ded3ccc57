"""Probe U, findings 3 and 4: secrets and customer data on a continuation line.

- 3: a folded (RFC 3261 7.3.1) Authorization / Proxy-Authorization header keeps the Digest
  nonce, response and username on its continuation lines; also when a snapshot resumes after
  the header's first line (the continuation line alone);
- 4: a Platform SDK user-data string with a newline inside, a pretty-printed JSON member whose
  value is on the next line, a display name folded inside its quotes."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

SIPTR = "13:31:00.003: SIPTR: Received [0,UDP] 611 bytes from 203.0.113.5:5060 <<<<<\n"
NEXT = "13:32:00.000 Std 09900 later record\n"

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    # 3
    ("auth-folded-lf", SIPTR + "REGISTER sip:192.0.2.20 SIP/2.0\nProxy-Authorization: Digest username=\"7101\", "
     "realm=\"genesys\",\n nonce=\"NonceUf01\", uri=\"sip:192.0.2.20\",\n response=\"RespUf02\", algorithm=MD5\n"
     "Call-ID: fold-1@203.0.113.5\nCSeq: 2 REGISTER\n\n" + NEXT,
     ["NonceUf01", "RespUf02"], [' nonce="REDACTED", uri="sip:192.0.2.20",', ' response="REDACTED", algorithm=MD5',
                                 "Call-ID: fold-1@203.0.113.5", NEXT]),
    ("auth-folded-crlf-tab", SIPTR + "INVITE sip:7001@192.0.2.20 SIP/2.0\r\nAuthorization: Digest username=\"7101\",\r\n"
     "\trealm=\"genesys\", nonce=\"NonceUf03\",\r\n\tresponse=\"RespUf04\"\r\n"
     "Authorization: Digest\r\n username=\"UserUf05\", realm=\"genesys\", nonce=\"NonceUf06\", uri=\"sip:x\", "
     "response=\"RespUf07\"\r\nCall-ID: x@y\r\n\r\n" + NEXT,
     ["NonceUf03", "RespUf04", "UserUf05", "NonceUf06", "RespUf07"], ['\trealm="genesys", nonce="REDACTED",\r\n']),
    ("auth-continuation-alone", " nonce=\"NonceUf08\", uri=\"sip:192.0.2.20\",\n response=\"RespUf09\", algorithm=MD5\n"
     "Call-ID: fold-1@203.0.113.5\n" + NEXT,
     ["NonceUf08", "RespUf09"], ['uri="sip:192.0.2.20",', "algorithm=MD5"]),
    ("www-authenticate-folded", "WWW-Authenticate: Digest realm=\"genesys\",\n nonce=\"NonceUf10\", opaque=\"OpaqueUf11\", "
     "qop=\"auth\"\n", ["NonceUf10", "OpaqueUf11"], ['qop="auth"']),
    # 4
    ("psdk-comment-newline", "13:31:00.008 Dbg 09999 EventRinging\n\tAttributeUserData [bstr] = KVList:\n"
     "\t\t'Comment' [str] = \"call back tomorrow\nMrs Quinterrazc, 12 Elm Street, DOB 1971-03-14\"\n"
     "\t\t'IVR_Lang' [str] = \"EN\"\n\tAttributeConnID [long] = 006e02aa3c1f0011\n" + NEXT,
     ["call back", "Quinterrazc", "Elm Street", "1971-03-14"],
     ["\t\t'IVR_Lang' [str] = \"EN\"\n", "AttributeConnID [long] = 006e02aa3c1f0011", NEXT]),
    ("psdk-name-newline", "13:31:00.008 Dbg 09999 EventRinging\n\tAttributeUserData [bstr] = KVList:\n"
     "\t\t'CustomerName' [str] = \"Quinterrazd\nOlafsdottir\"\n" + NEXT,
     ["Quinterrazd", "Olafsdottir"], ["'CustomerName' [str] = \"REDACTED-TEXT\nREDACTED-TEXT\"\n" + NEXT]),
    ("psdk-value-starts-on-next-line", "\t\t'Notes' [str] = \"\nMrs Quinterraze\nof 12 Elm Street\"\n" + NEXT,
     ["Quinterraze", "Elm Street"], [NEXT]),
    ("json-value-next-line", "13:31:00.009 Dbg 09999 GMS request body: {\n  \"customer\": {\n    \"firstName\":\n"
     "      \"Bertha\",\n    \"lastName\":\n      \"Jsonsplite\",\n    \"email\":\n      \"bertha.jsonsplit@example.org\",\n"
     "    \"dob\":\n      \"1971-03-14\",\n    \"billing_address\":\n      \"12 Elm Street\"\n  },\n"
     "  \"connId\":\n    \"006e02aa3c1f0011\"\n}\n" + NEXT,
     ["Bertha", "Jsonsplite", "bertha.jsonsplit", "1971-03-14", "Elm Street"], ['"006e02aa3c1f0011"', NEXT]),
    ("json-customer-name-next-line", "Content-Type: application/json\n\n{\n  \"customer\": {\"name\":\n"
     "    \"Bertha Jsonsplit\"}\n}\n", ["Jsonsplit"], ['  "customer": {"name":\n']),
    ("display-name-folded-in-quotes", SIPTR + "INVITE sip:8005550100@192.0.2.20 SIP/2.0\r\n"
     "P-Asserted-Identity: \"Carl\r\n Foldperson\" <tel:+15555550402>\r\n"
     "From: \"Jane\r\n\tQ. Foldwoman\" <sip:5555550403@203.0.113.5>;tag=ab12\r\nCall-ID: a@b\r\n\r\n" + NEXT,
     ["Carl", "Foldperson", "5555550402", "Jane", "Foldwoman", "5555550403"],
     ["@203.0.113.5>;tag=ab12\r\n", "Call-ID: a@b\r\n"]),
    ("attribute-ani-next-line", "@13:31:00.0020 [0] 8.1.103.55 distribute_event: message EventRinging\n\tAttributeANI\n"
     "\t\t'5555550407'\n\tAttributeThisDN\t'7101'\n\tAttributeOtherDN\n\t\t'7102'\n" + NEXT,
     ["5555550407"], ["\tAttributeThisDN\t'7101'\n\tAttributeOtherDN\n\t\t'7102'\n"]),
    ("display-name-rest-alone", " Foldperson\" <sip:5555550404@203.0.113.5>;tag=x\r\nCall-ID: a@b\r\n",
     ["Foldperson", "5555550404"], ["@203.0.113.5>;tag=x\r\n"]),
]

KEPT = (
    "  <connection\n    username=\"cfgadmin\"\n    uri=\"http://192.0.2.5:8080/\"/>\n"
    "Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKdemo0001\n"
    " ;received=203.0.113.5\n"
    "\t\t'RStrategyName' [str] = \"Main_Inbound\"\n\t\t'Info' [str] = \"short\" (truncated)\n"
    "\tAttributeThisDN [str] = \"7101\"\n"
    "{\n  \"address\":\n    \"192.0.2.5\",\n  \"skillName\":\n    \"Sales\",\n  \"timestamp\":\n    \"2025-11-19T13:31:00\"\n}\n"
    "From: \"Anonymous\r\n\" <sip:anonymous@anonymous.invalid>;tag=1\r\n"
)


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_u_continuation_lines_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path="var/log/genesys/SIPS_P/SIPS_P.log", fast=fast)


def test_probe_u_continuation_neighbours_that_stay(rule_sets) -> None:
    # the login in username="cfgadmin" is tokenised (login-name-value), the line's shape stays
    lines = [line for line in KEPT.splitlines() if "cfgadmin" not in line]
    out = assert_redacted(rule_sets, KEPT, ["cfgadmin"], lines)
    assert '\n    username="USER_' in out
