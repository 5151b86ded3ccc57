"""Credentials, card data and structure in the shapes probeI found leaking or broken: pretty-printed
and escaped XML passwords, .NET settings, JSON containers under a password key, SIP URI userinfo,
session ids in URLs, an AWS secret after its key id, attached-data tokens and one-time codes,
card/PIN/CVV/expiry shapes, and the structure of SIP, e-mail, XML and JSON around masks."""

from __future__ import annotations

import pytest

from collector.redaction.ruleset import RuleSet
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture


def redact(rule_sets: list[RuleSet], text: str, kind: str = "log", path: str = "opt/genesys/x.log") -> str:
    once = redacted(rule_sets, text, kind, path)
    assert redacted(rule_sets, once, kind, path) == once      # idempotent
    return once


# (id, kind, path, input, texts that must be gone, texts that must stay)
CREDENTIALS = [
    ("xml-password-next-line", "config", "opt/genesys/gax/conf/db.xml",
     "<db>\n  <password>\n    XmlNextLinePw_93H\n  </password>\n  <user>gim</user>\n</db>\n",
     ["XmlNextLinePw_93H"], ["  <password>\n    REDACTED\n  </password>\n  <user>gim</user>\n"]),
    ("dotnet-setting", "config", "opt/genesys/wde/InteractionWorkspace.exe.config",
     '<setting name="DbPassword" serializeAs="String"><value>XmlSettingPw_88</value></setting>\n',
     ["XmlSettingPw_88"], ['<setting name="DbPassword" serializeAs="String"><value>REDACTED</value></setting>']),
    ("json-object", "config", "opt/genesys/gws/conf/app.json",
     '{"passwords": {"db": "JsonNestedPw_86"}, "port": 8080}\n',
     ["JsonNestedPw_86"], ['"passwords": {"db": "REDACTED"}, "port": 8080}']),
    ("json-list", "config", "opt/genesys/gws/conf/app.json",
     '{"credentials": ["user1", "CredListPw_1A"]}\n', ["CredListPw_1A"], ['"credentials": [']),
    ("xml-escaped", "log", "opt/genesys/x.log",
     "09:15:06.000 Trc 04541 body &lt;password&gt;XmlEscPw_19&lt;/password&gt;\n",
     ["XmlEscPw_19"], ["&lt;password&gt;REDACTED&lt;/password&gt;"]),
    ("sip-uri-userinfo", "log", "opt/genesys/x.log",
     "m: <sip:+15551234567:TrunkPw_ui@203.0.113.5:5060;transport=tcp>\r\n",
     ["TrunkPw_ui", "15551234567"], [":REDACTED@203.0.113.5:5060;transport=tcp>"]),
    ("query-session-id", "log", "opt/genesys/x.log",
     'GET /api/v2/ucs?lang=en&sessionid=SessQuery_0j HTTP/1.1\n', ["SessQuery_0j"], ["&sessionid=SESSION_"]),
    ("aws-secret-in-text", "log", "opt/genesys/x.log",
     "AWS creds AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
     ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI"], []),
    ("tlib-auth-token-otp", "log", "opt/genesys/x.log",
     "\t\t'AuthToken'\t'UdTok_abcdef'\n\t\t'otp'\t'482913'\n",
     ["UdTok_abcdef", "482913"], ["\t\t'AuthToken'\t'REDACTED'\n"]),
]


@pytest.mark.parametrize("case", CREDENTIALS, ids=[c[0] for c in CREDENTIALS])
def test_credentials_are_redacted(rule_sets, case):
    _, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path)


# Card data, PINs and SSNs are masked and never reach the token map (probeI finding 7); an IBAN is
# tokenised (docs/architecture.md), the same token under a key and in text.
NEVER_TOKENS = [
    ("cvv-in-url", "fetch GET http://198.51.100.80/ivr/verify.jsp?cardnumber=4111111111111111&cvv=739&pin=8642 HTTP/1.1\n",
     ["739", "8642"], ["&cvv=REDACTED-DIGITS&pin=REDACTED-DIGITS"]),
    ("cvv-in-json", '{"cvv": "739", "cvc2": 123, "securityCode": "4321"}\n', ["739", "123", "4321"], ['"cvv": "REDACTED-DIGITS"']),
    ("amex-in-attached-text", "\t\t'Info'\t'Amex 378282246310005 on file'\n", ["378282246310005"], ["'Amex REDACTED-CARD on file'"]),
    ("ssn-under-key", "\t\t'SSN'\t'078051120'\n\t\t'TaxID'\t'078-05-1120'\nGET /x?ssn=078051120&y=1\n",
     ["078051120", "078-05-1120"], ["\t\t'SSN'\t'REDACTED-SSN'\n", "ssn=REDACTED-SSN&y=1"]),
    ("expiry-under-key", "\t\t'exp_mmyy'\t'1127'\n\t\t'ExpDate'\t'2027-11'\nbody=lang=en&exp=1127\n", ["1127", "2027-11"], ["&exp=REDACTED-DIGITS"]),
    ("cvv-under-other-key", "\t\t'verification_code'\t'739'\n", ["739"], ["'REDACTED'"]),
    ("psdk-expiry-and-vxml-ssn", "\t\t'expiry' [str] = \"11/2027\"\n<assign name=\"ssn\" expr=\"'078051120'\"/>\n",
     ["11/2027", "078051120"], ["expr=\"'REDACTED-SSN'\""]),
]


@pytest.mark.parametrize("case", NEVER_TOKENS, ids=[c[0] for c in NEVER_TOKENS])
def test_card_data_pins_and_ssns_are_masks_not_tokens(rule_sets, case):
    _, text, gone, kept = case
    out = assert_redacted(rule_sets, text, gone, kept)
    assert "USERDATA_" not in out and "PHONE_" not in out, out


def test_iban_is_one_token_under_a_key_and_in_text(rule_sets):
    out = redact(rule_sets, "\t\t'IBAN'\t'DE89370400440532013000'\n\t\t'Ref'\t'pay DE89370400440532013000 now'\n")
    tokens = set(__import__("re").findall(r"USERDATA_[a-z]{10}", out))
    assert "DE89370400440532013000" not in out and len(tokens) == 1, out


# Card, PIN, DTMF and spoken-digit shapes (probeI finding 5)
CARD_SHAPES = [
    ("card-run-into-letters", "\t\t'LongValue'\t'REF4111111111111111X'\n", ["4111111111111111"], ["'REFREDACTED-CARDX'"]),
    ("pin-in-text", "2024-03-05 09:15:30.002 [IPServer] IVR collected pin 8642 card x\n"
                    "09:15:08.000 Std 09900 URS: strategy set PIN to 8642 for caller\n", ["8642"], ["pin REDACTED-DIGITS card x"]),
    ("dtmf-with-spaces", "LogID=1a2b3c VXML field 'pin' filled: utterance=\"8 6 4 2\" inputmode=dtmf\n", ["8 6 4 2"],
     ['utterance="REDACTED-DIGITS"']),
    ("dtmf-digit-per-line", "".join(f"2024-03-05T09:15:10.{i}00 Int 50052 LogID=1a2b3c dtmf digit received: {d}\n"
                                    for i, d in enumerate("4111")), ["received: 4", "received: 1"], ["received: REDACTED-DIGITS"]),
    ("spoken-digits", "LogID=1a2b3c ASR result: my social is oh seven eight oh five one one two oh\n",
     ["seven eight"], ["ASR result: my social is REDACTED-DIGITS"]),
    ("feature-code-dialled", "\tAttributeOtherDN\t'*67 555 123 4567'\n", ["555 123 4567"], ["\tAttributeOtherDN\t'PHONE_"]),
    ("expiry-in-text", "09:15:06.001 Dbg 50055 <log>exp 11/27</log> and <log>expiry 11/27</log>\n", ["11/27"],
     ["<log>exp REDACTED-DIGITS</log> and <log>expiry REDACTED-DIGITS</log>"]),
]


@pytest.mark.parametrize("case", CARD_SHAPES, ids=[c[0] for c in CARD_SHAPES])
def test_card_pin_and_digit_shapes_are_masked(rule_sets, case):
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept)


def test_correlation_values_stay_next_to_the_new_shapes(rule_sets):
    text = ("\tAttributeConnID\t007b02aa3c1f0011\n\tAttributeCallUUID\t'LC55AB5H91VX03KD4G0E7S0000012345'\n"
            "\tAttributeOtherDN\t'*7101'\n"
            "LogID=1a2b3c VXML field 'main_menu' filled: utterance=\"2\" ASR result: option one please\n"
            "Contact: <sip:7101@192.0.2.20:5060>;expires=3600\r\n"
            "fetch GET http://198.51.100.80/ivr/a.jsp?session.id=0000B2A6-10000DA5 HTTP/1.1\n")
    assert redact(rule_sets, text) == text


# Structure kept around masks (probeI finding 9)
def test_mime_header_lines_without_data_stay_in_sip_and_email(rule_sets):
    sip = ("09:15:04.990: SIPTR: Received [0,UDP] 400 bytes from 203.0.113.5:5060 <<<<<\r\n"
           "INVITE sip:9000@192.0.2.20:5060 SIP/2.0\r\nCall-ID: 4f1c0e2a-demo-0001@203.0.113.5\r\n"
           "Content-Type: multipart/mixed;boundary=unique-boundary-1\r\nContent-Length: 900\r\n\r\n"
           "--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--unique-boundary-1--\r\n")
    assert redact(rule_sets, sip) == sip
    mail = ("2024-03-05T09:16:00.000 Trc 00000 Received e-mail:\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n\nHello, my account 40017788.=0D=0A\n\n"
            "2024-03-05T09:16:00.100 Trc 00000 next\n")
    out = redact(rule_sets, mail)
    assert "Content-Transfer-Encoding: quoted-printable\n\nREDACTED-TEXT\n\n" in out and "40017788" not in out


def test_a_json_password_on_the_next_line_keeps_its_quotes_and_comma(rule_sets):
    text = '{\n  "password":\n    "JsonNextPw",\n  "user": "x"\n}\n'
    out = redact(rule_sets, text, "config", "opt/genesys/gws/conf/app.json")
    assert out == '{\n  "password":\n    "REDACTED",\n  "user": "x"\n}\n'
    __import__("json").loads(out)


def test_expiry_in_a_log_tag_keeps_the_tag(rule_sets):
    out = redact(rule_sets, "09:15:06.000 Dbg 50055 <log>caller cvv 739 exp 11/27</log>\n")
    assert out == "09:15:06.000 Dbg 50055 <log>caller cvv REDACTED-DIGITS exp REDACTED-DIGITS</log>\n"


def test_card_inside_long_letter_padding_and_a_presigned_url_signature(rule_sets):
    out = redact(rule_sets, "\t\t'LongValue'\t'AAAAAAAAAABBBBBBBBBBCCCCCCCCCC4111111111111111DDDDDDDDDD'\n"
                            "uri https://rec.example.net/r/7QK2.wav?X-Amz-Signature=0123456789abcdef0123456789abcdef01\n")
    assert "4111111111111111" not in out and "0123456789abcdef" not in out, out


def test_a_user_password_pair_under_an_auth_option(rule_sets):
    out = redact(rule_sets, "[TServer]\nsip-auth = trunkuser:CfgSipAuth_14\nauth-scheme = digest\n", "config",
                 "opt/genesys/ConfigServer/confserv.cfg")
    assert out == "[TServer]\nsip-auth = trunkuser:REDACTED\nauth-scheme = digest\n"
