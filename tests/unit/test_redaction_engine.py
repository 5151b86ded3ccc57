"""Table-driven tests of the redaction engine on real Genesys line shapes (both print styles)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from collector.errors import RedactionFailed
from collector.redaction import Redactor, Tokenizer, load_rule_sets
from collector.redaction.engine import compiled_rules
from collector.redaction.ruleset import Rule, RuleSet

ALL_SETS = ["common-secrets", "config-secrets", "tlib", "sip", "pii"]
KEY = b"unit-test-site-key-0123456789abc"


@pytest.fixture(scope="module")
def rule_sets() -> list[RuleSet]:
    return load_rule_sets(ALL_SETS)


def redact(rule_sets: list[RuleSet], text: bytes, kind: str = "log", key: bytes = KEY) -> tuple[bytes, dict[str, int]]:
    redactor = Redactor(rule_sets, Tokenizer(key, None), kind, "opt/genesys/x.log")
    out = redactor.feed(text) + redactor.finish()
    return out, redactor.stats


TOKEN = r"\+?[A-Z_]+_[a-z]{10}"

# (id, kind, input line, secrets that must be gone, text that must stay, expected stats)
CASES = [
    # ---- T-Lib caller numbers, T-Server style and PSDK style
    # ---- a password before an @host is masked, and the host is no e-mail address
    ("oracle-ezconnect", "config", "url=jdbc:oracle:thin:gim_etl/GimP4ss@db01.example.net:1521/GIM", ["GimP4ss"],
     ["gim_etl/REDACTED@db01.example.net:1521/GIM"], {"url-password-user-slash": 1}),
    ("url-password-with-at", "log", "hosts: https://elastic:El@st1cPw@es01.example.net:9200", ["st1cPw", "El@"],
     ["https://USER_", ":REDACTED@es01.example.net:9200"], {"url-password": 1, "url-user": 1}),
    ("password-like-email", "config", "smtp.password=jane@example.com", ["jane@"], ["smtp.password=REDACTED"],
     {"secret-key-value": 1}),
    ("tserver-ani", "log", "\tAttributeANI\t'5555550142'", ["5555550142"], ["\tAttributeANI\t'PHONE_"], {"tlib-caller-number": 1}),
    ("psdk-ani", "log", '\tAttributeANI [str] = "5555550142"', ["5555550142"], ['AttributeANI [str] = "PHONE_'], {"psdk-caller-number": 1}),
    ("tserver-dnis", "log", "\tAttributeDNIS\t'8005550100'", ["8005550100"], ["AttributeDNIS"], {"tlib-caller-number": 1}),
    ("psdk-dnis", "log", 'AttributeDNIS [str] = "8005550100"', ["8005550100"], ["AttributeDNIS"], {"psdk-caller-number": 1}),
    ("tserver-otherdn", "log", "\tAttributeOtherDN\t'5555550143'", ["5555550143"], ["AttributeOtherDN\t'PHONE_"],
     {"tlib-caller-number": 1}),
    ("tserver-number", "log", "\tAttributeCallingNumber\t'+15555550142'", ["15555550142"], ["'+PHONE_"], {"tlib-caller-number": 1}),
    ("psdk-number", "log", '\tAttributeDialedNumber [str] = "0015555550142"', ["0015555550142"], ['"PHONE_'], {"psdk-caller-number": 1}),
    # ---- IVR digits: masked, not tokenised
    ("tserver-digits", "log", "\tAttributeCollectedDigits\t'4111222233334444'", ["4111222233334444"], ["'REDACTED-DIGITS'"], {"tlib-digits": 1}),
    ("psdk-digits", "log", '\tAttributeCollectedDigits [str] = "1234"', ['"1234"'], ['"REDACTED-DIGITS"'], {"psdk-digits": 1}),
    ("tserver-lastdigit", "log", "\tAttributeLastDigit\t'9'", ["'9'"], ["REDACTED-DIGITS"], {"tlib-digits": 1}),
    ("tserver-dtmf", "log", "\tAttributeDTMFDigits\t'0042#'", ["0042#"], ["REDACTED-DIGITS"], {"tlib-digits": 1}),
    ("tserver-treatment", "log", "\tAttributeTreatmentParms\t'PIN=4321'", ["4321"], ["REDACTED-DIGITS"], {"tlib-digits": 1}),
    ("psdk-dtmf", "log", '\tAttributeDTMFDigits [str] = "55"', ['"55"'], ["REDACTED-DIGITS"], {"psdk-digits": 1}),
    # ---- attached data
    ("tserver-kv-account", "log", "\t\t'AccountNumber'\t'40001234'", ["40001234"], ["'AccountNumber'\t'USERDATA_"], {"tlib-kv-sensitive-key": 1}),
    ("psdk-kv-account", "log", "\t\t'AccountNumber' [str] = \"40001234\"", ["40001234"], ["'AccountNumber' [str] = \"USERDATA_"], {"psdk-kv-sensitive-key": 1}),
    ("tserver-kv-name", "log", "\t\t'CustomerName'\t'Jane Example'", ["Jane"], ["'CustomerName'"], {"tlib-kv-sensitive-key": 1}),
    ("psdk-kv-name", "log", "\t\t'CustomerName' [str] = \"Jane Example\"", ["Jane"], ["'CustomerName'"], {"psdk-kv-sensitive-key": 1}),
    ("tserver-kv-int", "log", "\t\t'CustomerAcct'\t4321", ["4321"], ["'CustomerAcct'\tUSERDATA_"],
     {"tlib-kv-sensitive-key": 1}),
    ("psdk-kv-int", "log", "\t\t'AccountNumber' [int] = 40001234", ["40001234"], ["[int] = USERDATA_"],
     {"psdk-kv-sensitive-key": 1}),
    # a PIN, a password, a CVV or collected digits is masked, not tokenised (GENESYS.md: full mask)
    ("tserver-kv-pin", "log", "\t\t'CustomerPIN'\t4321", ["4321"], ["'CustomerPIN'\tREDACTED"], {"tlib-kv-secret-key": 1}),
    ("psdk-kv-pin", "log", "\t\t'CustomerPIN' [int] = 4321", ["4321"], ["[int] = REDACTED"], {"psdk-kv-secret-key": 1}),
    ("tserver-kv-phone", "log", "\t\t'CB_Target'\t'5555550177'", ["5555550177"], ["'PHONE_"], {"tlib-kv-phone-value": 1}),
    ("psdk-kv-phone", "log", "\t\t'CB_Target' [str] = \"5555550177\"", ["5555550177"], ['"PHONE_'], {"psdk-kv-phone-value": 1}),
    ("tserver-kv-email", "log", "\t\t'Contact'\t'jane@example.com'", ["jane@"], ["'EMAIL_"], {"tlib-kv-email-value": 1}),
    ("psdk-kv-email", "log", "\t\t'Contact' [str] = \"jane@example.com\"", ["jane@"], ['"EMAIL_'], {"psdk-kv-email-value": 1}),
    ("tserver-kv-card", "log", "\t\t'Info'\t'paid 4111 1111 1111 1111'", ["1111 1111"], ["REDACTED-CARD"], {"card-number": 1}),
    ("psdk-kv-card", "log", "\t\t'Info' [str] = \"paid 4111111111111111\"", ["4111111111111111"], ["REDACTED-CARD"], {"card-number": 1}),
    ("tserver-kv-tag", "log", "\t\t'AccountNumber'\t'<#40001234#>'", ["40001234"], ["'<#USERDATA_", "#>'"], {"tlib-kv-sensitive-key": 1}),
    # ---- SIP identities
    ("sip-ruri", "log", "INVITE sip:8005550100@192.0.2.20:5060 SIP/2.0\r\n", ["8005550100"], ["@192.0.2.20:5060 SIP/2.0\r\n"], {"sip-request-uri": 1}),
    ("sip-from", "log", 'From: "Jane Example" <sip:5555550142@203.0.113.5>;tag=demo-tag-01', ["Jane", "5555550142"], ["@203.0.113.5>;tag=demo-tag-01"], {"sip-identity-header": 2}),
    ("sip-compact-f", "log", "f: <sip:5555550142@203.0.113.5>;tag=x", ["5555550142"], [";tag=x"], {"sip-identity-header": 1}),
    ("sip-compact-t", "log", "t: <sip:8005550100@192.0.2.20>", ["8005550100"], ["@192.0.2.20>"], {"sip-identity-header": 1}),
    ("sip-compact-m", "log", "m: <sip:5555550142@203.0.113.5:5060;transport=udp>", ["5555550142"], [":5060;transport=udp>"], {"sip-identity-header": 1}),
    ("sip-pai", "log", "P-Asserted-Identity: <sip:+15555550142@carrier.example.net>", ["15555550142"], ["<sip:+PHONE_"], {"sip-identity-header": 1}),
    ("sip-ppi", "log", "P-Preferred-Identity: <tel:+15555550142>", ["15555550142"], ["<tel:+PHONE_"], {"sip-identity-header": 1}),
    ("sip-rpid", "log", 'Remote-Party-ID: "Bob" <sip:5555550111@h>;party=calling', ["Bob", "5555550111"], [";party=calling"], {"sip-identity-header": 2}),
    ("sip-diversion", "log", "Diversion: <sip:8005550100@192.0.2.20>;reason=user-busy", ["8005550100"], [";reason=user-busy"], {"sip-identity-header": 1}),
    ("sip-history", "log", "History-Info: <sip:8005550100@192.0.2.20?Reason=SIP%3Bcause%3D302>;index=1", ["8005550100"], [";index=1"], {"sip-identity-header": 1}),
    ("sip-refer-to", "log", "Refer-To: <sip:5555550123@192.0.2.20>", ["5555550123"], ["@192.0.2.20>"], {"sip-identity-header": 1}),
    ("sip-referred-by", "log", "Referred-By: <sip:5555550124@192.0.2.20>", ["5555550124"], ["@192.0.2.20>"],
     {"sip-identity-header": 1}),
    ("sip-auth", "log", 'Authorization: Digest username="7101", realm="r", nonce="abc123", response="deadbeef"', ["\"7101\"", "abc123", "deadbeef"], ['realm="r"'], {"auth-header": 3}),
    # ---- credentials in config shapes
    ("silent-ini", "config", "Password=Cfg$ecret 1", ["Cfg$ecret"], ["Password=REDACTED"], {"ini-password-line": 1}),
    ("confserv-cfg", "config", "password = dbpass99\r\n", ["dbpass99"], ["password = REDACTED\r\n"], {"secret-key-value": 1}),
    ("app-yaml", "config", "  password: yamlSecret", ["yamlSecret"], ["  password: REDACTED"], {"secret-key-value": 1}),
    ("json", "config", '{"password": "jsonSecret"}', ["jsonSecret"], ['"password": "REDACTED"'], {"secret-key-value": 1}),
    ("xml-element", "config", "<password>xmlSecret</password>", ["xmlSecret"], ["<password>REDACTED</password>"], {"xml-password-element": 1}),
    ("xml-property", "config", '<property name="password" value="propSecret"/>', ["propSecret"], ['value="REDACTED"'], {"xml-named-password": 1}),
    ("url-creds", "log", "connect mongodb://gim:urlSecret@db.example.net:27017/x", ["urlSecret", "gim:"], ["@db.example.net:27017/x"], {"url-password": 1, "url-user": 1}),
    ("jdbc", "log", "jdbc:sqlserver://db:1433;user=sa;password=jdbcSecret;encrypt=true", ["jdbcSecret"], [";encrypt=true"], {"secret-key-value": 1}),
    ("query", "log", "GET /x?user=a&password=qSecret&b=1", ["qSecret"], ["&b=1"], {"secret-key-value": 1}),
    ("basic", "log", "Authorization: Basic dXNlcjpwYXNzd29yZA==", ["dXNlcjpwYXNzd29yZA"], ["Authorization: Basic REDACTED"], {"auth-header": 1}),
    ("bearer", "log", "Proxy-Authorization: Bearer abc.def.ghi", ["abc.def.ghi"], ["Bearer REDACTED"], {"auth-header": 1}),
    ("jwt", "log", "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig-sig_sig", ["eyJzdWIi"], ["REDACTED"], {"jwt": 1}),
    ("aws-id", "config", "aws_access_key_id=AKIAIOSFODNN7EXAMPLE", ["AKIAIOSFODNN7EXAMPLE"], [], {"aws-access-key-id": 1}),
    ("aws-secret", "log", "aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", [], [], {}),
    # ---- free-text PII
    ("email", "text", "mail from jane.doe@example.com today", ["jane.doe"], ["mail from EMAIL_", " today"], {"email": 1}),
    ("card", "text", "pan 4111-1111-1111-1111 exp", ["4111-1111"], ["pan REDACTED-CARD exp"], {"card-number": 1}),
    ("ssn", "text", "ssn 123-45-6789.", ["123-45-6789"], ["ssn REDACTED-SSN."], {"us-ssn": 1}),
    ("e164", "log", "09:15:05.871 Std 12345 dial +442079460958 now", ["442079460958"], ["dial +PHONE_"], {"e164-phone": 1}),
    # ---- shapes found by running the whole tool on generated hosts (every product, Linux and Windows)
    ("urs-assign-name", "log", "06:15:36.447 _I_I_00874f09e855862a [01:0c] ASSIGN: CustomerName(LOCAL) <- STRING 'Ahmed Mock'",
     ["Ahmed Mock"], ["_I_I_00874f09e855862a [01:0c] ASSIGN: CustomerName(LOCAL) <- STRING 'USERDATA_"], {"urs-strategy-value": 1}),
    ("urs-assign-int", "log", "06:15:36.447 _I_I_00874f09e855862a [01:0c] ASSIGN: AccountNum(SCRIPT) <- INTEGER 40001234",
     ["40001234"], ["<- INTEGER USERDATA_"], {"urs-strategy-value": 1}),
    ("urs-assign-phone", "log", "06:15:36.447 _I_I_00874f09e855862a [01:0c] ASSIGN: cb(LOCAL) <- STRING '5555550142'",
     ["5555550142"], ["<- STRING 'PHONE_"], {"urs-strategy-value": 1}),
    ("urs-setdata", "log", "06:15:36.447 _I_I_00874f09e855862a [07:2d] SETDATA 'CustomerPhone' = 'x5555550142'",
     ["x5555550142"], ["SETDATA 'CustomerPhone' = 'USERDATA_"], {"urs-strategy-value": 1}),
    ("urs-http-query", "log", "11/25/26@06:09:39.864: HTTP GET /urs/call/00ac023a692ac8df/lvq?tenant=Resources&ani=5555550151 from 198.51.100.7:53422",
     ["5555550151"], ["GET /urs/call/00ac023a692ac8df/lvq?tenant=Resources&ani=PHONE_", " from 198.51.100.7:53422"], {"kv-phone": 1}),
    ("query-many", "log", "GET /ivr?dnis=8005550100&caller=5555550142&customer=C-77812&email=jane@example.com&lang=en HTTP/1.1",
     ["8005550100", "5555550142", "C-77812", "jane@"], ["&lang=en HTTP/1.1"], {"kv-phone": 2, "email": 1, "kv-personal": 1}),
    ("msml-param", "log", '<gvp:params><gvp:param name="ani">5555550140</gvp:param><gvp:param name="dnis">8005550131</gvp:param>'
     '<gvp:param name="agentId">agent7101</gvp:param><gvp:param name="connId">0090148f4958379f</gvp:param></gvp:params>',
     ["5555550140", "8005550131", "agent7101"], ['<gvp:param name="connId">0090148f4958379f</gvp:param>'], {"sip-body-identity": 3}),
    ("msml-element", "log", "<gvp:ani>5555550140</gvp:ani><dnis>8005550131</dnis>", ["5555550140", "8005550131"], ["<gvp:ani>PHONE_"],
     {"sip-body-identity": 2}),
    ("gvp-request-inline", "log", "21:35:08.872 Int 50010 Request sent: INFO sip:5555556905@203.0.113.61 SIP/2.0",
     ["5555556905"], ["Request sent: INFO sip:PHONE_", "@203.0.113.61 SIP/2.0"], {"sip-request-uri": 1}),
    ("vxml-input", "log", "\tLogID=00e508af66471597 vxml input: '78097009' dnis=8005550155", ["78097009", "8005550155"],
     ["LogID=00e508af66471597", "'REDACTED-DIGITS'"], {"ivr-input": 1, "kv-phone": 1}),
    ("ocs-record", "log", "11/23/2026 20:54:53.975 Int 04544 Record 50 chain 51: contact_info='5555550647' GSW_CUSTOMER_NAME='Olga Sample' GSW_ACCOUNT='194079186'",
     ["5555550647", "Olga Sample", "194079186"], ["Record 50 chain 51: contact_info='PHONE_"], {"kv-phone": 1, "kv-personal": 2}),
    ("gms-callback", "log", "2026-11-23T21:01:13.752 INFO [qtp88-6] c.g.m.s.CallbackService - Callback scheduled _customer_number=5555555119 _desired_time=now connid=00c0d8a6163dbaaa",
     ["5555555119"], ["_desired_time=now connid=00c0d8a6163dbaaa"], {"kv-phone": 1}),
    ("ucs-contact", "log", "2026-11-23T22:25:25.140 INFO [esp-2] c.g.u.ContactService - Contact found: EmailAddress=jane@example.com FirstName+LastName='Grace Sample' PhoneNumber=5555559008",
     ["jane@", "Grace Sample", "5555559008"], ["Contact found: EmailAddress=EMAIL_"], {"email": 1, "kv-personal": 1, "kv-phone": 1}),
    ("mail-from", "log", '2026-11-23T22:19:18.604 Std 04500 Incoming mail From: "Sam Testperson" <sam@example.com> To: support@example.com Subject: account 4005008156',
     ["Sam Testperson", "sam@", "4005008156"], ['From: "NAME_', "Subject: account USERDATA_"], {"quoted-display-name": 1, "email": 2, "account-number-text": 1}),
    ("json-members", "log", '{"phoneNumber": "5555550142", "customerName": "Jane Example", "callId": "a1"}', ["5555550142", "Jane Example"],
     ['"callId": "a1"'], {"kv-phone": 1, "kv-personal": 1}),
    ("tserver-agentid", "log", "\tAttributeAgentID\t'jdoe7101'", ["jdoe7101"], ["\tAttributeAgentID\t'USER_"], {"tlib-agent-id": 1}),
    ("glued-emails", "log", "jane@example.comjane@example.com", ["@"], ["EMAIL_"], {"email": 1}),
]


@pytest.mark.parametrize("case_id,kind,line,gone,kept,stats", CASES, ids=[c[0] for c in CASES])
def test_redacts(rule_sets, case_id, kind, line, gone, kept, stats) -> None:
    text = line.encode()
    out, got_stats = redact(rule_sets, text, kind)
    for secret in gone:
        assert secret.encode() not in out, out
    for keep in kept:
        assert keep.encode() in out, out
    assert got_stats == stats
    assert out.count(b"\n") == text.count(b"\n")
    assert redact(rule_sets, out, kind)[0] == out          # idempotent


def test_products_without_tlib_still_redact_platform_sdk_prints() -> None:
    """GAX, Pulse, GIM, Workbench and GVP Reporting list no tlib set, yet print PSDK events."""
    sets = load_rule_sets(["common-secrets", "config-secrets", "pii"])
    text = (b'\tAttributeANI [str] = "5555551393"\r\n\tAttributeDNIS [str] = "8005550152"\r\n'
            b'\t\t\'AccountNumber\' [str] = "2181409990"\r\n\t\t\'SSN\' [str] = "983-20-3532"\r\n'
            b'\t\t\'CustomerName\' [str] = "Chen Template"\r\n\tAttributeConnID [long] = 007e9832283e6d6f\r\n')
    out, stats = redact(sets, text)
    for secret in (b"5555551393", b"8005550152", b"2181409990", b"983-20-3532", b"Chen Template"):
        assert secret not in out
    assert b"007e9832283e6d6f" in out and out.count(b"\r\n") == 6
    assert b"'SSN' [str] = \"REDACTED-SSN\"" in out        # masked under its key, never tokenised
    assert stats == {"psdk-caller-number": 2, "psdk-kv-phone-value": 1, "psdk-kv-sensitive-key": 1, "ssn-key-value": 1}


def test_aws_secret_key_value_is_masked(rule_sets) -> None:
    out, stats = redact(rule_sets, b"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "config")
    assert b"wJalrXUtnFEMI" not in out
    assert sum(stats.values()) == 1


KEPT = [
    "09:15:02.004 Std 09900 Connected to Configuration Server 'cs_demo' at 192.0.2.10:2020",
    "09:15:02.311 Trc 04541 RequestRegisterAddress received from [612] (0000002a WDE_Demo 198.51.100.23:50412)",
    "@09:15:05.8712 [0] 8.1.199.01 distribute_event: message EventRinging",
    "message RequestRegisterAddress",
    "\tAttributeThisDN\t'7101'",
    'AttributeThisDN [str] = "2214"',
    "\tAttributeConnID\t006c02462a161006",
    "AttributeConnID [long] = 00890",
    "\tAttributeCallUUID\t'7QK2M0D4AB5H91VX03KD4G0E7S000001'",
    "\tAttributeReferenceID\t4",
    "\tAttributeEventSequenceNumber\t0000000000001a2b",
    "\tAttributeTimeinSecs\t1709648105 (09:15:05)",
    "\tAttributeUserData\t[88] 00 03 00 00..",
    "\t\t'IVR_Lang'\t'EN'",
    "09:15:04.990: SIPTR: Received [0,UDP] 611 bytes from 203.0.113.5:5060 <<<<<",
    "09:15:04.991: Sending  [0,UDP] 467 bytes to 192.0.2.20:5060 >>>>>",
    "Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKdemo0001",
    "Call-ID: 4f1c0e2a-demo-0001@203.0.113.5",
    "CSeq: 101 INVITE",
    "Content-Length: 96",
    "o=- 1709648104 1 IN IP4 203.0.113.5",
    "File:               (0000000007) SIPS_DEMO_P.20240305_091500_120.log",
    "2016-08-11T09:01:46.060 Std 50132 Campaign Group 'cg1' started",
    "Thu 11 Aug 2016 09:01:46 AM CDT.060 Int 04543 ok",
    "09:15:05.870 Int 04543 Interaction message \"EventRouteRequest\" received from 65200 (\"SIPS_DEMO_P@9000\")",
    "time 1709648104123 ms, seq 12345678901234",
    "SIP/2.0 200 OK",
    "04:56:41.564 CID:CUUID>f978d9a5-4918-fecd4786@203.0.113.10:I1E4TLRIUBCH8PJJXG1NW70AJ0GGEY8B:0076d93db67b0f15",
    "06:15:36.447 _I_I_00874f09e855862a [09:04] strategy: **Main_Inbound** is attached to the call",
    "06:15:36.447 _I_E_00874f09e855862a [14:32] eval: Stat(StatServer_P, CurrNumberWaitingCalls) = 3",
    "11/25/26@06:09:40.001: [http] 198.51.100.7:50012 GET /urs/stat/12 -> 200 (311 bytes)",
    "Application name:   SIPS_DEMO_P",
    "Host name:          demo-gen01",
    "<gvp:param name=\"connId\">0090148f4958379f</gvp:param><gvp:param name=\"callUuid\">8GBFMHPBBT81KX3XV5T1ITR104BYGVLS</gvp:param>",
    "Contact: <sip:192.0.2.20:5060>;expires=3600",
    "Referred-By: <sip:7101@192.0.2.20>",    # an agent extension in SIP stays, as in T-Lib
    'To: "SIPS_CHI_P" <sip:9000@192.0.2.20:5060>;tag=1A2B',
    "a=crypto-suite-list: none",
    "\tAttributeOtherDN\t'9000'",            # a party DN of fewer than 7 digits: a route point, an agent
    "\tAttributeThirdPartyDN\t'VQ_Sales@StatServer'",
    "\tAttributeANI\t'Restricted'",
    "    password-policy: none",          # a key that goes on past the password word names a setting
    "    token-ttl: 3600",
    "tokenUrl=https://auth.example.net/oauth/token",
    '{"passwordRequired": false, "tokenExpirySeconds": 300}',
    "license-file=7260@genlic01",
    "./confserv -host cfg01 -p 2020 -app confserv; ssh -p 2222 ops@jump; mysql -h db -P 3306 -u x -p cfgdb",
]


@pytest.mark.parametrize("line", KEPT)
def test_keeps_non_secret_lines_byte_identical(rule_sets, line) -> None:
    text = (line + "\n").encode()
    out, stats = redact(rule_sets, text, "log")
    assert out == text
    assert stats == {}


SIP_INVITE = (
    b"09:15:04.990: SIPTR: Received [0,UDP] 611 bytes from 203.0.113.5:5060 <<<<<\n"
    b"INVITE sip:8005550100@192.0.2.20:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKdemo0001\r\n"
    b'From: "Jane Example" <sip:5555550142@203.0.113.5>;tag=demo-tag-01\r\n'
    b"To: <sip:8005550100@192.0.2.20>\r\n"
    b"Call-ID: 4f1c0e2a-demo-0001@203.0.113.5\r\n"
    b"CSeq: 101 INVITE\r\n"
    b"Contact: <sip:5555550142@203.0.113.5:5060>\r\n"
    b"P-Asserted-Identity: <sip:+15555550142@carrier.example.net>\r\n"
    b"Content-Length: 96\r\n"
    b"\r\n"
    b"v=0\r\n"
)

TLIB_EVENT = (
    b"@09:15:05.8712 [0] 8.1.199.01 distribute_event: message EventRinging\n"
    b"\tAttributeUserData\t[88] 00 03 00 00..\n"
    b"\t\t'AccountNumber'\t'40001234'\n"
    b"\t\t'CustomerName'\t'Jane Example'\n"
    b"\t\t'IVR_Lang'\t'EN'\n"
    b"\tAttributeCallUUID\t'7QK2M0D4AB5H91VX03KD4G0E7S000001'\n"
    b"\tAttributeConnID\t007b02aa3c1f0011\n"
    b"\tAttributeANI\t'5555550142'\n"
    b"\tAttributeDNIS\t'8005550100'\n"
    b"\tAttributeThisDN\t'7101'\n"
)


def test_sip_dump_keeps_structure_and_correlates_with_tlib(rule_sets) -> None:
    sip_out, sip_stats = redact(rule_sets, SIP_INVITE)
    tlib_out, _ = redact(rule_sets, TLIB_EVENT)
    assert sip_out.count(b"\r\n") == SIP_INVITE.count(b"\r\n")
    for kept in (b"branch=z9hG4bKdemo0001", b"Call-ID: 4f1c0e2a-demo-0001@203.0.113.5", b"CSeq: 101 INVITE",
                 b"611 bytes", b"[0,UDP]", b"203.0.113.5:5060", b"tag=demo-tag-01", b"Content-Length: 96"):
        assert kept in sip_out
    assert sip_stats == {"sip-request-uri": 1, "sip-identity-header": 5}
    caller = re.search(rb"From: \"NAME_[a-z]{10}\" <sip:(PHONE_[a-z]{10})@", sip_out)
    assert caller is not None
    assert b"\tAttributeANI\t'" + caller.group(1) + b"'" in tlib_out      # same caller, same token
    dialled = re.search(rb"INVITE sip:(PHONE_[a-z]{10})@", sip_out)
    assert dialled is not None and b"AttributeDNIS\t'" + dialled.group(1) in tlib_out
    assert b"\tAttributeThisDN\t'7101'\n" in tlib_out


def test_repeated_lines_come_from_the_cache_with_their_counts(rule_sets) -> None:
    text = TLIB_EVENT * 5 + SIP_INVITE * 3
    out, stats = redact(rule_sets, text)
    one_tlib, tlib_stats = redact(rule_sets, TLIB_EVENT)
    one_sip, sip_stats = redact(rule_sets, SIP_INVITE)
    assert out == one_tlib * 5 + one_sip * 3
    expected = {k: 5 * tlib_stats.get(k, 0) + 3 * sip_stats.get(k, 0) for k in {*tlib_stats, *sip_stats}}
    assert stats == expected
    exact = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log", use_prefilter=False)
    assert exact.feed(text) + exact.finish() == out and exact.stats == stats


def test_files_of_one_run_share_the_line_cache_but_count_their_own(rule_sets) -> None:
    tokenizer = Tokenizer(KEY, None)
    first = Redactor(rule_sets, tokenizer, "log", "a.log")
    out_a = first.feed(TLIB_EVENT * 2) + first.finish()
    second = Redactor(rule_sets, tokenizer, "log", "b.log")
    second._redact_line = None      # type: ignore[assignment,method-assign]  every line must come from the cache
    out_b = second.feed(TLIB_EVENT) + second.finish()
    assert out_b * 2 == out_a
    assert {k: 2 * v for k, v in second.stats.items()} == first.stats
    other = Redactor(rule_sets, Tokenizer(b"another-site-key-0123456789abcdef", None), "log", "c.log")
    assert other.feed(TLIB_EVENT) + other.finish() != out_b        # another key, another cache


def test_a_full_line_cache_drops_its_least_recently_used_line(rule_sets, monkeypatch) -> None:
    from collector.redaction import engine

    monkeypatch.setattr(engine, "_LINE_CACHE_ENTRIES", 3)
    a, b, c, d = (b"\tAttributeANI\t'555555%04d'\n" % n for n in range(4))
    tokenizer = Tokenizer(KEY, None)
    redactor = Redactor(rule_sets, tokenizer, "log", "a.log")
    gap = b"09:15:00.123 Trc 04541 RequestRegisterAddress received from [%d]\n"
    text = b"".join((a, b, c, gap % 1, a, gap % 2, d, gap % 3, gap % 1, gap % 4))
    out = redactor.feed(text) + redactor.finish()
    cache = engine._line_cache(tokenizer, engine._rules_key(rule_sets, "log"))
    assert list(cache) == [c, a, d]                   # b was the least recently used: a was seen again
    again = Redactor(rule_sets, tokenizer, "log", "b.log")
    again._redact_line = None       # type: ignore[assignment,method-assign]  a, c, d must come from the cache
    assert again.feed(c + a + d) + again.finish() == b"".join(out.splitlines(keepends=True)[i] for i in (2, 4, 6))
    assert again.stats == {"tlib-caller-number": 3}


@pytest.mark.parametrize("stamp", ["2026-11-24 04:38:17.878", "18:41:22.344", "11/24/26@09:12:35.671:",
                                   "Wed 25 Nov 2026 01:43:50 PM CDT.726", "@18:41:22.3440"])
def test_a_line_that_starts_with_a_time_stamp_is_not_kept_in_the_line_cache(rule_sets, stamp) -> None:
    from collector.redaction import engine

    tokenizer = Tokenizer(KEY, None)
    redactor = Redactor(rule_sets, tokenizer, "log", "a.log")
    stamped = stamp.encode() + b" Int 04543 Interaction message EventRinging ani=5555553817\n"
    attribute = b"\tAttributeANI\t'5555553817'\n"
    out = redactor.feed(stamped + attribute) + redactor.finish()
    assert b"5555553817" not in out
    cache = engine._line_cache(tokenizer, engine._rules_key(rule_sets, "log"))
    assert list(cache) == [attribute]                # it never comes back: it would only push lines out


def test_walk_over_clusters_and_gaps_matches_the_reference_path(rule_sets) -> None:
    ordinary = [b"09:15:%02d.123 Trc 04541 RequestRegisterAddress received from [612]\n" % i for i in range(12)]
    pieces = []
    for gap in (0, 1, 3, 4, 5, 9, 0, 2):
        pieces += ordinary[:gap] + [TLIB_EVENT, SIP_INVITE, b"\tAttributeCallType\t2\n" * gap]
    text = b"".join(pieces) * 3
    fast = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log")
    exact = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log", use_prefilter=False)
    assert fast.feed(text) + fast.finish() == exact.feed(text) + exact.finish()
    assert fast.stats == exact.stats


def test_block_opening_lines_are_not_cached(rule_sets) -> None:
    text = b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n" * 2
    out, stats = redact(rule_sets, text, "config")
    assert b"AAAA" not in out and out.count(b"REDACTED-KEY-MATERIAL") == 2
    assert stats == {"pem-key-block": 2}


def test_other_key_gives_other_tokens(rule_sets) -> None:
    one, _ = redact(rule_sets, b"\tAttributeANI\t'5555550142'\n", key=KEY)
    two, _ = redact(rule_sets, b"\tAttributeANI\t'5555550142'\n", key=b"another-site-key-0123456789abcdef")
    assert one != two


@pytest.mark.parametrize("size", [1, 2, 7, 64, 4096])
def test_any_chunking_gives_same_output(rule_sets, size) -> None:
    text = SIP_INVITE + TLIB_EVENT + b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nBgkqhkiG9w0B\n-----END PRIVATE KEY-----\nlast"
    whole, whole_stats = redact(rule_sets, text)
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log")
    pieces = [redactor.feed(text[i:i + size]) for i in range(0, len(text), size)]
    pieces.append(redactor.finish())
    assert b"".join(pieces) == whole
    assert redactor.stats == whole_stats
    assert b"MIIEvQIBADAN" not in whole and whole.endswith(b"last")


def test_pem_block_masks_every_line_and_keeps_count(rule_sets) -> None:
    text = (b"key follows\n-----BEGIN ENCRYPTED PRIVATE KEY-----\r\nAAAA\r\n\r\nBBBB\r\n"
            b"-----END ENCRYPTED PRIVATE KEY-----\r\nafter 5555\n")
    out, stats = redact(rule_sets, text, "config")
    assert out == (b"key follows\n-----BEGIN ENCRYPTED PRIVATE KEY-----\r\nREDACTED-KEY-MATERIAL\r\n\r\n"
                   b"REDACTED-KEY-MATERIAL\r\n-----END ENCRYPTED PRIVATE KEY-----\r\nafter 5555\n")
    assert stats == {"pem-key-block": 1}


def test_unterminated_pem_block_masks_to_end_of_file(rule_sets) -> None:
    out, _ = redact(rule_sets, b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\nBBBB\n", "config")
    assert b"AAAA" not in out and b"BBBB" not in out and out.count(b"\n") == 3


def test_key_material_run_into_the_end_marker_is_masked(rule_sets) -> None:
    text = b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\nBBBB-----END RSA PRIVATE KEY----- password=Sekr3t\nnext\n"
    for fast in (True, False):
        redactor = Redactor(rule_sets, Tokenizer(KEY, None), "config", "x.cfg", use_prefilter=fast)
        out = redactor.feed(text) + redactor.finish()
        assert out == (b"-----BEGIN RSA PRIVATE KEY-----\nREDACTED-KEY-MATERIAL\n"
                       b"REDACTED-KEY-MATERIAL-----END RSA PRIVATE KEY----- password=REDACTED\nnext\n")
        assert redact(rule_sets, out, "config")[0] == out


# A chat message or e-mail body printed over several lines (UCS, Interaction Server, Chat Server)
MULTILINE_BODIES = (
    b"09:15:05.870 Int 04543 Interaction message \"EventMessage\" received\n"
    b"<message userId=\"00048aE4C8E6A9C4\"><msgText>Hello,\r\n"
    b"\r\n"
    b"I moved to 12 Oak Street, my card is 4111 1111 1111 1111\r\n"
    b"  Jane Example</msgText></message>\r\n"
    b"09:15:05.871 Trc 04542 EventMessage sent to [612]\n"
    b"\t\t'StructuredText' [str] = \"<html><body><p>Dear support,</p>\n"
    b"<p>call John Example back</p></body></html>\"\n"
    b"\t\t'Subject' [str] = \"Re: order 77\"\n"
    b"\tAttributeConnID [long] = 00890\n"
    b"\tText [str] = \"the logger cut this one short\n"
    b"\tAttributeThisDN [str] = \"7101\"\n"
    b"09:15:06.002 Std 04500 next record\n"
)


def test_multi_line_customer_text_is_masked_to_its_end(rule_sets) -> None:
    out, stats = redact(rule_sets, MULTILINE_BODIES)
    for secret in (b"Hello", b"Oak Street", b"4111", b"Jane", b"Dear support", b"John", b"cut this one short"):
        assert secret not in out
    assert out.count(b"\n") == MULTILINE_BODIES.count(b"\n") and out.count(b"\r\n") == 4
    assert (b"<msgText>REDACTED-TEXT\r\n\r\nREDACTED-TEXT\r\n  REDACTED-TEXT</msgText></message>\r\n"
            b"09:15:05.871 Trc 04542 EventMessage sent to [612]\n") in out
    assert (b"'StructuredText' [str] = \"REDACTED-TEXT<body>REDACTED-TEXT\nREDACTED-TEXT\"\n"
            b"\t\t'Subject' [str] = \"REDACTED-TEXT\"\n") in out     # a begin marker stays; the subject is subject-value's
    assert b"\tAttributeConnID [long] = 00890\n\tText [str] = \"REDACTED-TEXT\n" in out
    # an unclosed quote runs to the next line that ends in one, and never past its own record
    assert out.endswith(b"\tText [str] = \"REDACTED-TEXT\n\tREDACTED-TEXT\"\n09:15:06.002 Std 04500 next record\n")
    assert stats["customer-text-block-quoted"] == 2
    assert redact(rule_sets, out)[0] == out


def test_a_masked_yaml_block_keeps_its_indentation_and_still_parses(rule_sets) -> None:
    import yaml

    text = (b"auth:\n  pwd: >-\n    FoldedYamlPw6\n    second part\n\n  user: svc\n"
            b"tls:\n  key: |\n    -----BEGIN PRIVATE KEY-----\n    MIIEvQIBADAN\n    -----END PRIVATE KEY-----\n")
    out, _ = redact(rule_sets, text, "config")
    assert b"FoldedYamlPw6" not in out and b"MIIEvQIBADAN" not in out
    assert b"  pwd: >-\n    REDACTED\n    REDACTED\n\n  user: svc\n" in out
    assert b"\n    REDACTED-KEY-MATERIAL\n" in out
    parsed = yaml.safe_load(out)
    assert parsed["auth"] == {"pwd": "REDACTED REDACTED", "user": "svc"}


def test_a_closing_quote_is_not_a_block_marker_for_other_rules(rule_sets) -> None:
    # the quoted text block ends before a line's last quote; were that quote a marker, it would
    # be cut out of every quoted secret at a line's end ('password = REDACTED"'); a quoted
    # value is masked inside its quotes
    assert redact(rule_sets, b'\tpassword = "CfgOptP4ss"\n')[0] == b'\tpassword = "REDACTED"\n'


def test_block_markers_are_tagged_with_their_rule_and_empty_ends_left_out() -> None:
    rule_set = RuleSet(name="blocks", source=Path("blocks.yaml"), sha256="b" * 64, rules=(
        Rule(id="quoted", category="text", action="mask", scan='(?i)text = "',
             block_begin='(?i)text = "(?=[^"]*$)', block_end='(?m)(?="\\r?$)|^(?=\\d\\d:\\d\\d)'),
        Rule(id="key", category="key", action="mask", block_begin="-----BEGIN", block_end="-----END"),
    ))
    compiled = compiled_rules([rule_set], "log")
    assert [(index, p.pattern) for index, p in compiled.markers] == [
        (0, b'(?i)text = "(?=[^"]*$)'), (1, b"-----BEGIN"), (None, b"-----END")]
    # a begin marker only counts on a line its rule's scan matched: the same output either way
    text = b'note text = "Hello\nJane"\n-----BEGIN\nAAAA\n-----END pw\n'
    outs = []
    for fast in (True, False):
        redactor = Redactor([rule_set], Tokenizer(KEY, None), "log", "x.log", use_prefilter=fast)
        outs.append(redactor.feed(text) + redactor.finish())
    assert outs[0] == outs[1] == b'note text = "Hello\nREDACTED"\n-----BEGIN\nREDACTED\n-----END pw\n'


@pytest.mark.parametrize("size", [1, 5, 33])
def test_multi_line_customer_text_is_masked_whatever_the_chunking(rule_sets, size) -> None:
    whole, _ = redact(rule_sets, MULTILINE_BODIES)
    for fast in (True, False):
        redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log", use_prefilter=fast)
        pieces = [redactor.feed(MULTILINE_BODIES[i:i + size]) for i in range(0, len(MULTILINE_BODIES), size)]
        assert b"".join(pieces) + redactor.finish() == whole


def test_already_hidden_values_are_left_alone(rule_sets) -> None:
    text = (b"\tAttributeANI\t'****'\n\t\t'AccountNumber'\t'<REDACTED>'\npassword=********\n"
            b"\tAttributeCollectedDigits\t**** (length:4)\n")
    out, stats = redact(rule_sets, text, "log")
    assert out == text and stats == {}


def test_a_failed_redactor_stays_failed(rule_sets) -> None:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "a/b.log")
    with pytest.raises(RedactionFailed, match="a/b.log"):
        redactor.feed(b"ok line\n" + b"bad\x00line\n" * 65)
    with pytest.raises(RedactionFailed):
        redactor.feed(b"more\n")                                       # stays failed


def test_binary_content_fails_closed(rule_sets) -> None:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.ininlog")
    with pytest.raises(RedactionFailed, match="binary"):
        redactor.feed(bytes(range(1, 32)) * 100 + b"\n")


NUL_TAIL_LOG = b"09:15:05.000 Std 09900 ok\n\tAttributeANI\t'5555550142'\n09:15:06.000 Std 09900 last, cut"


@pytest.mark.parametrize("size", [1, 5, 4096, 1 << 20])
def test_a_nul_run_ending_the_file_is_dropped_and_counted_whatever_the_chunking(rule_sets, size) -> None:
    """A segment preallocated, or cut by a crash, ends in NULs: the text is redacted, the run dropped."""
    data = NUL_TAIL_LOG + b"\0" * 4096
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.snapshot.log")
    out = b"".join(redactor.feed(data[i:i + size]) for i in range(0, len(data), size)) + redactor.finish()
    assert out == redact(rule_sets, NUL_TAIL_LOG)[0] and b"5555550142" not in out and b"\0" not in out
    assert out.endswith(b"last, cut") and redactor.nuls_dropped == 4096
    assert redactor.stats == {"tlib-caller-number": 1}


def test_a_huge_nul_tail_is_counted_not_held(rule_sets) -> None:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log", max_line_bytes=1000)
    assert redactor.feed(b"line\n" + b"\0" * 700) == b"line\n"
    for _ in range(64):                                    # 64 MiB of NULs: no line too long, no buffer
        assert redactor.feed(bytes(1 << 20)) == b""
    assert redactor.finish() == b"" and redactor.nuls_dropped == 700 + (64 << 20)


def test_a_file_of_only_nuls_is_empty_text(rule_sets) -> None:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log")
    assert redactor.feed(bytes(10)) + redactor.feed(bytes(3)) + redactor.finish() == b""
    assert redactor.nuls_dropped == 13


@pytest.mark.parametrize("pieces, text, nuls, runs", [
    ([b"09:15:05.000 Std 09900 ok\x00\n09:15:06.000 Std 09900 ANI '5550103250'\n"],      # inside a line (T2)
     b"09:15:05.000 Std 09900 ok\n09:15:06.000 Std 09900 ANI '5550103250'\n", 1, 1),
    ([b"ok\nhalf\x00\x00", b"\x00rest of the line\n"], b"ok\nhalfrest of the line\n", 3, 1),   # a run across chunks
    ([b"ok\n" + bytes(4096), bytes(10), b"appended after the padding\n"],                  # a crash's block, then
     b"ok\nappended after the padding\n", 4106, 1),                                    # the segment goes on
    ([b"ok\n" + bytes(100), b"\n"], b"ok\n\n", 100, 1),                                 # a NUL line, then more
    ([b"pass\x00word=Secret1\n"], b"password=Secret1\n", 1, 1),                         # a NUL splitting a key
    ([b"card 4111\x001111\x0011\x0011 1111\n"], b"card 411111111111 1111\n", 3, 3),     # ... or a card number
], ids=["inside-a-line", "split-run", "text-after-padding", "newline-after", "split-key", "split-card"])
def test_nul_runs_inside_the_text_are_removed_counted_and_the_rest_redacted(rule_sets, pieces, text, nuls, runs) -> None:
    """A crash leaves a block of NULs where unflushed text was, and the segment goes on after it:
    the log is still text. The runs are removed (never split: the text around a run is joined,
    so a secret a NUL split is whole again for the rules), counted, and the rest is redacted
    exactly as the same text without them."""
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log")
    out = b"".join(redactor.feed(piece) for piece in pieces) + redactor.finish()
    assert b"\0" not in out
    assert out == redact(rule_sets, text)[0]
    assert (redactor.nuls_removed, redactor.nul_runs, redactor.nuls_dropped) == (nuls, runs, 0)
    assert b"Secret1" not in out and b"5550103250" not in out and b"4111" not in out


@pytest.mark.parametrize("data", [
    b"".join(b"%-12s\0\0\0\0%-10s\0\0" % (b"Ann Smith", b"5550103250") for _ in range(40)),  # padded records
    "password=Secret1\n".encode("utf-16-le") * 8,                                     # UTF-16 without a BOM
], ids=["nul-padded-records", "utf16-without-bom"])
def test_nuls_in_many_places_are_a_binary_format_and_fail_closed(rule_sets, data) -> None:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log")
    with pytest.raises(RedactionFailed, match="NUL bytes in more than 64 places"):
        for i in range(0, len(data), 100):
            redactor.feed(data[i:i + 100])
        redactor.finish()


def test_overlong_line_fails_without_buffering_it(rule_sets) -> None:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log", max_line_bytes=1000)
    assert redactor.feed(b"short\n" + b"a" * 600) == b"short\n"
    with pytest.raises(RedactionFailed, match="longer than 1000"):
        redactor.feed(b"a" * 600)                                      # fails as soon as > cap


def test_overlong_complete_line_inside_one_chunk_fails(rule_sets) -> None:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log", max_line_bytes=1000)
    with pytest.raises(RedactionFailed):
        redactor.feed(b"x\n" * 600 + b"b" * 1001 + b"\n" + b"y\n" * 600)


def test_line_exactly_at_the_cap_passes(rule_sets) -> None:
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log", max_line_bytes=1000)
    text = b"x\n" * 600 + b"b" * 1000 + b"\n" + b"y\n" * 600
    assert redactor.feed(text) + redactor.finish() == text


def test_drop_file_rule_fails_the_file(tmp_path) -> None:
    (tmp_path / "site-drop.yaml").write_text(
        "schema: gcollect/rules/v1\nname: site-drop\nrules:\n"
        "  - id: customer-db-dump\n    category: secret\n    action: drop-file\n"
        "    regex: '^(?P<secret>COPY public\\.customers)'\n"
        "    examples:\n      - line: 'COPY public.customers (id, name) FROM stdin;'\n"
    )
    sets = load_rule_sets(["site-drop"], extra_dirs=[tmp_path])
    redactor = Redactor(sets, Tokenizer(KEY, None), "text", "dump.sql")
    assert redactor.feed(b"-- header\n") == b"-- header\n"
    with pytest.raises(RedactionFailed, match="customer-db-dump"):
        redactor.feed(b"COPY public.customers (id, name) FROM stdin;\n")


def test_kinds_limit_rules(rule_sets) -> None:
    line = b"\tAttributeANI\t'5555550142'\n"
    assert redact(rule_sets, line, "config")[0] == line               # tlib applies to log/text only
    assert b"5555550142" not in redact(rule_sets, line, "text")[0]


def test_internal_error_fails_closed(rule_sets) -> None:
    class Broken(Tokenizer):
        def token(self, category: str, value: bytes) -> bytes:
            raise KeyError("boom")

    redactor = Redactor(rule_sets, Broken(KEY, None), "log", "x.log")
    with pytest.raises(RedactionFailed, match="internal error"):
        redactor.feed(b"\tAttributeANI\t'5555550142'\n")


def test_stats_never_hold_values(rule_sets) -> None:
    _, stats = redact(rule_sets, TLIB_EVENT + SIP_INVITE)
    assert all(isinstance(v, int) for v in stats.values())
    assert not any(b"555" in k.encode() for k in stats)


def test_empty_and_finish_only() -> None:
    redactor = Redactor([], Tokenizer(KEY, None), "log", "x.log")
    assert redactor.feed(b"") == b""
    assert redactor.feed(b"no newline") == b""
    assert redactor.finish() == b"no newline"


def test_rule_cache_is_keyed_by_content() -> None:
    from collector.redaction.engine import compiled_rules

    rule = Rule(id="r", category="secret", action="mask", regex="x(?P<secret>y)")
    a = RuleSet(name="s", source=__import__("pathlib").Path("s.yaml"), sha256="1", rules=(rule,))
    b = RuleSet(name="s", source=a.source, sha256="2", rules=(rule,))
    assert compiled_rules([a], "log") is compiled_rules([a], "log")
    assert compiled_rules([a], "log") is not compiled_rules([b], "log")


def test_chunk_level_scans_stay_inside_one_line() -> None:
    from collector.redaction.compiled import re2_scan_text

    chunk = re2_scan_text(r"(?i)^\s+'[^']*name[^']*'\s+a\Db\Wc$", chunk_level=True)
    assert chunk == r"(?i)^[\t\x0b\x0c\r ]+'[^'\n]*name[^'\n]*'[\t\x0b\x0c\r ]+a[^0-9\n]b[^0-9A-Za-z_\n]c(?:\r?$)"
    line = re2_scan_text(r"(?i)^\s+'[^']*name[^']*'\s+", chunk_level=False)
    assert line == r"(?i)^[\t\n\x0b\x0c\r ]+'[^']*name[^']*'[\t\n\x0b\x0c\r ]+"
    # a class that ends with '-': the newline goes before it (after it, '_-\n' was a range RE2 refused)
    assert re2_scan_text(r"(?:^|[^A-Za-z0-9_-])gn", chunk_level=True) == r"(?:^|[^A-Za-z0-9_\n-])gn"
    assert re2_scan_text(r"[^-\t]x", chunk_level=True) == r"[^-\t\n]x"


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")     # [[:digit:]], on purpose
def test_scans_lose_named_groups_and_laziness_but_not_their_matches() -> None:
    import re

    import re2

    from collector.redaction.compiled import re2_scan_text

    cases = {
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?P<secret>.+?)-----END":
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:.+)-----END",
        r"a*?b+?c??d{2,3}?e{2}?(?:x)??": r"a*b+c?d{2,3}e{2}(?:x)?",
        r"\*?\(?P<y>[*?(]+?a{x}?": r"\*?\(?P<y>[*?(]+a{x}?",       # escaped and literal: kept
        r"pin=\d{,6}x{,}": r"pin=\d{0,6}x{0,}",          # Python's {,n}; RE2 reads it as text
        r"id=[[:digit:]]+": r"id=[\[:digit:]]+",         # a [ in a class; RE2 sees a POSIX class
    }
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    for pattern, expected in cases.items():
        assert re2_scan_text(pattern, chunk_level=False) == expected
        compiled = re2.compile(expected.encode(), options)
        for text in ("-----BEGIN RSA PRIVATE KEY-----MIIE-----END", "aabccdde", "aabbcddeexx", "*(P<y>(a{x}",
                     "pin=123456xx", "id=d]", "id=5"):
            found = re.search(pattern.encode(), text.encode()) is not None
            assert found == (re.search(expected.encode(), text.encode()) is not None)
            assert found <= (compiled.search(text.encode()) is not None), (pattern, text)    # RE2: at least


def test_re2_finds_hits_without_capturing_anything(rule_sets) -> None:
    """RE2 keeps named groups capturing under never_capture; a capture in the prefilter or the
    scanner's pattern makes every hit pay for a submatch search."""
    from collector import scanner
    from collector.redaction.engine import compiled_rules

    assert compiled_rules(rule_sets, "log").prefilter._regexp.NumberOfCapturingGroups() == 0
    assert compiled_rules(rule_sets, "config").prefilter._regexp.NumberOfCapturingGroups() == 0
    assert scanner._NET_RE2._regexp.NumberOfCapturingGroups() == 0


def test_a_secret_split_over_two_lines_is_judged_per_line_as_the_reference_does(rule_sets) -> None:
    # the key on one line, its value on the next: neither line alone is a T-Lib key-value pair
    text = b"\t\t'CustomerName\n'\t'Jane Example'\n\tAttributeANI\n\t'5555550142'\n" + TLIB_EVENT
    fast = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log")
    exact = Redactor(rule_sets, Tokenizer(KEY, None), "log", "x.log", use_prefilter=False)
    assert fast.feed(text) + fast.finish() == exact.feed(text) + exact.finish()


LAUNCH_AND_PROPERTIES = (
    b"#!/bin/sh\r\n"
    b"mysql -h db01 -P 3306 -u genesys -pMyS3cretPw cfgdb < purge.sql\r\n"
    b"keytool -importkeystore -srcstorepass SrcKsPw -deststorepass DstKsPw -alias gws\r\n"
    b"java -Dorg.eclipse.jetty.ssl.password=OBF:1v2j1uum1xtv1zej1zer1xtn1uvk1v1v -jar gax.jar -password ArgPw7\r\n"
    b"ssh -p 2222 ops@jump; ./confserv -host cfg01 -p 2020 -app confserv\r\n"
    b"db.password=FirstHalf\\\r\n"
    b"    SecondHalf\\\r\n"
    b"    ThirdHalf\r\n"
    b"db.user=gim\r\n"
    b"literal.password=ends\\\\\r\n"
    b"db.url=jdbc:oracle:thin:@db01:1521:gim\r\n"
    b"keystore.password KsSpacePw\r\n"
)


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_launch_scripts_and_properties_continuations_whatever_the_chunking(rule_sets, size) -> None:
    outs = []
    for fast in (True, False):
        redactor = Redactor(rule_sets, Tokenizer(KEY, None), "config", "x.sh", use_prefilter=fast)
        pieces = [redactor.feed(LAUNCH_AND_PROPERTIES[i:i + size]) for i in range(0, len(LAUNCH_AND_PROPERTIES), size)]
        outs.append(b"".join(pieces) + redactor.finish())
    out = outs[0]
    assert outs[1] == out
    for secret in (b"MyS3cretPw", b"SrcKsPw", b"DstKsPw", b"1v2j1uum", b"ArgPw7", b"FirstHalf", b"SecondHalf",
                   b"ThirdHalf", b"ends", b"KsSpacePw"):
        assert secret not in out
    assert out.count(b"\r\n") == LAUNCH_AND_PROPERTIES.count(b"\r\n")
    assert b"-P 3306 -u genesys -pREDACTED cfgdb < purge.sql\r\n" in out
    assert b"ssh -p 2222 ops@jump; ./confserv -host cfg01 -p 2020 -app confserv\r\n" in out
    # the continuation lines are masked up to the first line that does not end in a backslash;
    # an escaped backslash (\\) ends the value, so the next line is an ordinary one
    assert (b"db.password=REDACTED\r\n    REDACTED\r\n    REDACTED\r\ndb.user=gim\r\nliteral.password=REDACTED\r\n"
            b"db.url=jdbc:oracle:thin:@db01:1521:gim\r\n") in out
    assert redact(rule_sets, out, "config")[0] == out


def test_a_prefilter_hit_the_line_set_does_not_confirm_runs_every_rule(monkeypatch) -> None:
    """Fail closed if RE2's per-line set answers 'no rule' for a line the prefilter found (its
    DFA gives up on memory that way): the line goes through every rule, never out raw."""
    from collector.redaction import Redactor, Tokenizer, load_rule_sets
    from collector.redaction.engine import compiled_rules

    rule_sets = load_rule_sets(["common-secrets", "config-secrets", "tlib", "sip", "pii"])
    rules = compiled_rules(rule_sets, "log")
    monkeypatch.setattr(rules, "line_match", lambda content: [])
    text = b"09:15:01.000 Std 04500 ok\n\tAttributeANI\t'5555550142'\ndb.password=Hunter22x\nplain\n"
    redactor = Redactor(rule_sets, Tokenizer(b"k" * 32, None), "log", "x.log")
    out = redactor.feed(text) + redactor.finish()
    assert b"5555550142" not in out and b"Hunter22x" not in out
    assert out.count(b"\n") == text.count(b"\n") and b"plain\n" in out


def test_the_first_look_for_our_own_tokens_and_masks_never_changes_is_hidden(rule_sets) -> None:
    """``is_hidden`` asks RE2 first and ``ours`` (Python, with its look-arounds) only where RE2
    found something: the answers are those of ``ours`` alone, for the packaged rules and for a
    site's masks with regex characters and letters outside ASCII."""
    site = RuleSet(name="site", source=Path("site.yaml"), sha256="c" * 64, rules=(
        Rule(id="site-a", category="site-ref", action="mask", regex="ref=(?P<secret>\\w+)", mask="[x]*.+?"),
        Rule(id="site-b", category="secret", action="mask", regex="k=(?P<secret>\\w+)", mask="ÉCARTÉ"),
    ))
    rnd = random.Random(5)
    for sets in (rule_sets, [*rule_sets, site]):
        rules = compiled_rules(sets, "log")
        pieces = [b"REDACTED", b"REDACTED-CARD", b'"REDACTED"', b"PHONE_", b"+PHONE_", b"SITE_REF_", b"SECRET_",
                  b"[x]*.+?", "ÉCARTÉ".encode(), b"abcdefghij", b"abcdefghijk", b"Q", b"9", b"a", b"/", b"-", b" ", b"%"]
        values = [b"".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6))) for _ in range(20000)]
        values += [b"eyJ" + bytes(rnd.choice(b"ABCxyz019_-") for _ in range(800)) for _ in range(50)]
        differ = [v for v in values if rules.is_hidden(v) != (rules.hidden.fullmatch(v) is not None
                                                              or rules.ours.search(v) is not None)]
        assert not differ, differ[:5]
        assert sum(1 for v in values if rules.ours.search(v)) > 1000       # the values do hold ours
