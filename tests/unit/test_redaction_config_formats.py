"""Configuration-file shapes from black-box probe B (findings F4, F5, F9-F11, F14-F16, F18):
only the secret value changes, the rest of the line (and the file's syntax) stays."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from collector.redaction import Redactor, Tokenizer
from collector.redaction.ruleset import RuleSet
from tests.redacting import KEY, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture


def run(rule_sets: list[RuleSet], text: str, kind: str, *, fast: bool = True) -> str:
    return redacted(rule_sets, text, kind, "opt/genesys/x", fast=fast)


def redact(rule_sets: list[RuleSet], text: str, kind: str = "config") -> str:
    """Redacted text; also checks the prefilter path equals the reference path and that a
    second pass changes nothing."""
    out = run(rule_sets, text, kind)
    assert run(rule_sets, text, kind, fast=False) == out
    assert run(rule_sets, out, kind) == out, "not idempotent"
    return out


# (id, kind, input, expected output)
EXACT = [
    # F14: a Tomcat attribute on a continuation line: only the quoted value is masked
    ("f14-continuation-attr", "config",
     '  <Connector port="8443"\n     keystorePass="V2Attr_01" connectionTimeout="20000"/>\n',
     '  <Connector port="8443"\n     keystorePass="REDACTED" connectionTimeout="20000"/>\n'),
    ("f14-single-quotes", "config",
     "  <Connector port='8443'\n     keystorePass='V2Attr_02' connectionTimeout='20000'/>\n",
     "  <Connector port='8443'\n     keystorePass='REDACTED' connectionTimeout='20000'/>\n"),
    ("f14-several-secrets", "config",
     '  <Connector port="8443"\n     keystorePass="V2Attr_03" truststorePass="V2Attr_04" sslProtocol="TLS">\n',
     '  <Connector port="8443"\n     keystorePass="REDACTED" truststorePass="REDACTED" sslProtocol="TLS">\n'),
    ("f14-secret-not-first", "config",
     '  <Connector port="8443"\n     maxThreads="150" keystorePass="V2Attr_05" clientAuth="false"\n     />\n',
     '  <Connector port="8443"\n     maxThreads="150" keystorePass="REDACTED" clientAuth="false"\n     />\n'),
    ("f14-crlf", "config",
     '<Connector\r\n  keystorePass="V2Attr_06" connectionTimeout="20000"/>\r\n',
     '<Connector\r\n  keystorePass="REDACTED" connectionTimeout="20000"/>\r\n'),
    # an INI value with quotes inside is still masked whole
    ("f14-ini-quoted-then-more", "config",
     'password = "Part One" and more\n', 'password = REDACTED\n'),
    # F15: key=value as an element's text: the closing tag stays
    ("f15-element-text", "config",
     "<producerConfig>ssl.keystore.password=MinElemText_14</producerConfig>\n",
     "<producerConfig>ssl.keystore.password=REDACTED</producerConfig>\n"),
    # F16: a JSON number becomes a JSON string
    ("f16-json-number", "config", '{\n  "password": 12345678\n}\n', '{\n  "password": "REDACTED"\n}\n'),
    ("f16-json-number-inline", "log", '{"user": "a", "pin_password":1234, "port": 8080}\n',
     '{"user": "a", "pin_password":"REDACTED", "port": 8080}\n'),
    ("f16-json-number-kept", "config", '{"passwordExpiryDays": 90, "tokenTtl": 300}\n',
     '{"passwordExpiryDays": 90, "tokenTtl": 300}\n'),
    # F4: CDATA
    ("f4-cdata-named", "config", '<Set name="TrustStorePassword"><![CDATA[MinCdata_11]]></Set>\n',
     '<Set name="TrustStorePassword"><![CDATA[REDACTED]]></Set>\n'),
    ("f4-cdata-element", "config", "<password><![CDATA[Cd&a<ta]]></password>\n",
     "<password><![CDATA[REDACTED]]></password>\n"),
    ("f4-cdata-entry-key", "config", "<entry key=\"db.password\"><![CDATA[Cd]x]]></entry>\n",
     "<entry key=\"db.password\"><![CDATA[REDACTED]]></entry>\n"),
    # F5: a child <value> element; signing and other keys named in key=/name=
    ("f5-child-value", "config",
     '<parameter name="trustStorePassword"><value>MinNested_12</value></parameter>\n',
     '<parameter name="trustStorePassword"><value>REDACTED</value></parameter>\n'),
    ("f5-child-value-next-line", "config",
     '<parameter name="trustStorePassword">\n  <value>MinNested_13</value>\n</parameter>\n'
     '<parameter name="host">\n  <value>gms01</value>\n</parameter>\n',
     '<parameter name="trustStorePassword">\n  <value>REDACTED</value>\n</parameter>\n'
     '<parameter name="host">\n  <value>gms01</value>\n</parameter>\n'),
    ("f5-jetty-call-arg", "config",
     '<Call name="setTrustStorePassword"><Arg>JettyArgPw1</Arg></Call>\n<Call name="setPort"><Arg>8443</Arg></Call>\n',
     '<Call name="setTrustStorePassword"><Arg>REDACTED</Arg></Call>\n<Call name="setPort"><Arg>8443</Arg></Call>\n'),
    ("f5-signing-key", "config", '<entry key="signingKey">V2SignKey_05</entry>\n',
     '<entry key="signingKey">REDACTED</entry>\n'),
    ("f5-other-keys", "config",
     '<property name="encryptionKey" value="EncK1"/>\n<property name="privateKey" value="PrivK1"/>\n'
     '<entry key="secretKey">SecK1</entry>\n<entry key="apiKey">ApiK1</entry>\n'
     '<entry key="publicKey">PubK1</entry>\n',
     '<property name="encryptionKey" value="REDACTED"/>\n<property name="privateKey" value="REDACTED"/>\n'
     '<entry key="secretKey">REDACTED</entry>\n<entry key="apiKey">REDACTED</entry>\n'
     '<entry key="publicKey">PubK1</entry>\n'),
    # F18: non-secret look-alikes stay in XML and log forms, as in INI
    ("f18-xml-expiry-attr", "config", '<option name="password-expiry-days" value="90"/>\n',
     '<option name="password-expiry-days" value="90"/>\n'),
    ("f18-xml-lifetime", "config", "<property name='tokenLifetime' value='3600'/>\n",
     "<property name='tokenLifetime' value='3600'/>\n"),
    ("f18-xml-element", "config", "<passwordMinLength>8</passwordMinLength>\n",
     "<passwordMinLength>8</passwordMinLength>\n"),
    ("f18-xml-name-value", "config",
     "<param-name>password.expiry.days</param-name><param-value>90</param-value>\n",
     "<param-name>password.expiry.days</param-name><param-value>90</param-value>\n"),
    ("f18-xml-expiry", "config", '<entry key="password-expiry-days">90</entry>\n',
     '<entry key="password-expiry-days">90</entry>\n'),
    ("f18-log-expiry", "log", "10:00:05.000 Std 21-20007 Option 'password-expiry-days' value '90'\n",
     "10:00:05.000 Std 21-20007 Option 'password-expiry-days' value '90'\n"),
    ("f18-log-password-still", "log", "10:00:05.000 Std 21-20007 Option 'db-password' value 'LogOptPw1'\n",
     "10:00:05.000 Std 21-20007 Option 'db-password' value 'REDACTED'\n"),
    ("f18-xml-password-still", "config", '<option name="password" value="XmlOptPw1"/>\n',
     '<option name="password" value="REDACTED"/>\n'),
    # F9: a .properties key with an escaped space
    ("f9-escaped-space", "config", "secret\\ key = MinEscKey_17\n", "secret\\ key = REDACTED\n"),
    ("f9-escaped-space-before", "config", "db\\ password=MinEscKey_18\n", "db\\ password=REDACTED\n"),
    # F10: URL-encoded = in a form body or query string
    # (a username= value is a login name, tokenised by login-name-value: not part of this check)
    ("f10-form-body", "log", "2025-01-15 10:00:01.000 POST body: lang=en&password%3DV2UrlEnc_24\n",
     "2025-01-15 10:00:01.000 POST body: lang=en&password%3DREDACTED\n"),
    ("f10-encoded-amp", "log", "GET /login?data=user%3Djdoe%26password%3DV2Url%21Enc%26lang%3Den HTTP/1.1\n",
     "GET /login?data=user%3Djdoe%26password%3DREDACTED%26lang%3Den HTTP/1.1\n"),
    ("f10-lowercase", "log", "q=password%3dV2UrlEnc_25&x=1\n", "q=password%3dREDACTED&x=1\n"),
    ("f10-policy-kept", "log", "q=password-policy%3Dstrong&x=1\n", "q=password-policy%3Dstrong&x=1\n"),
]


def test_password_policy_in_xml_is_no_secret(rule_sets) -> None:
    """F18: no secret rule masks a password policy; (pii's xml-keyed-value still tokenizes a
    value named *policy*, as an insurance policy number, which keeps it consistent)."""
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "config", "opt/genesys/x")
    out = redactor.feed(b'<option name="password-policy" value="complexity"/>\n') + redactor.finish()
    assert b"REDACTED" not in out
    assert not {"xml-named-password", "secret-key-value", "ini-password-line"} & set(redactor.stats)


@pytest.mark.parametrize("case_id,kind,text,expected", EXACT, ids=[c[0] for c in EXACT])
def test_only_the_secret_value_changes(rule_sets, case_id, kind, text, expected) -> None:
    assert redact(rule_sets, text, kind) == expected


TOMCAT_SERVER_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<Server port="8005" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol"
       keystoreFile="conf/keystore.jks"
       keystorePass="Srv&amp;Pass_1" connectionTimeout="20000"/>
    <Connector port="8444"
       keystorePass='Srv2' truststorePass="Trust2" sslProtocol="TLS"
       />
    <Connector port="8445" keystorePass="Srv3" connectionTimeout="20000"/>
  </Service>
</Server>
"""

LOGBACK_XML = """\
<configuration>
  <appender name="KAFKA" class="com.github.danielwegener.logback.kafka.KafkaAppender">
    <producerConfig>bootstrap.servers=kafka01:9093</producerConfig>
    <producerConfig>ssl.keystore.password=MinElemText_14</producerConfig>
    <producerConfig>ssl.truststore.password=MinElemText_15</producerConfig>
  </appender>
  <Set name="TrustStorePassword"><![CDATA[MinCd&ta_11]]></Set>
  <parameter name="trustStorePassword"><value>MinNested_12</value></parameter>
</configuration>
"""


def test_redacted_tomcat_server_xml_still_parses(rule_sets) -> None:
    out = redact(rule_sets, TOMCAT_SERVER_XML)
    root = ET.fromstring(out)
    connectors = root.findall("./Service/Connector")
    assert [c.get("keystorePass") for c in connectors] == ["REDACTED"] * 3
    assert connectors[1].get("truststorePass") == "REDACTED"
    assert [c.get("connectionTimeout") for c in connectors] == ["20000", None, "20000"]
    assert connectors[1].get("sslProtocol") == "TLS"
    assert out.count("\n") == TOMCAT_SERVER_XML.count("\n")


def test_redacted_logback_xml_still_parses(rule_sets) -> None:
    out = redact(rule_sets, LOGBACK_XML)
    root = ET.fromstring(out)
    assert [p.text for p in root.iter("producerConfig")] == [
        "bootstrap.servers=kafka01:9093", "ssl.keystore.password=REDACTED", "ssl.truststore.password=REDACTED"]
    assert root.find("Set").text == "REDACTED"
    assert root.find("parameter/value").text == "REDACTED"


def test_redacted_json_with_numeric_secrets_still_parses(rule_sets) -> None:
    text = ('{\n  "password": 12345678,\n  "pin": {"secret": -42, "retries": 3},\n'
            '  "list": [{"apiKey": 1.5e3}],\n  "passwordExpiryDays": 90\n}\n')
    out = redact(rule_sets, text)
    data = json.loads(out)
    assert data == {"password": "REDACTED", "pin": {"secret": "REDACTED", "retries": 3},
                    "list": [{"apiKey": "REDACTED"}], "passwordExpiryDays": 90}


PPK = """\
keys.owner=ops
PuTTY-User-Key-File-2: ssh-rsa
Encryption: none
Comment: rsa-key-20250115
Public-Lines: 2
AAAAB3NzaC1yc2EAAAABJQAAAQEAPublicLine1
PublicLine2QQ==
Private-Lines: 3
AAABAQCPuttyPrivLine1XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
AAAAgQDPuttyPrivLine2YYYYYYYYYYYYYYYY+/YYYYYYYYYYYYYYYYYY
PuttyPrivLine3ZZZ=
Private-MAC: 5d3c1bd2a4f0e8a9b7c6d5e4f3a2b1c0d9e8f7a6
keys.next=1
"""


@pytest.mark.parametrize("kind", ["config", "text", "log"])
def test_putty_private_key_lines_and_mac_are_masked(rule_sets, kind) -> None:
    out = redact(rule_sets, PPK, kind)
    for secret in ("PuttyPrivLine1", "PuttyPrivLine2", "PuttyPrivLine3", "5d3c1bd2a4f0e8a9b7c6d5e4f3a2b1c0d9e8f7a6"):
        assert secret not in out
    assert out.count("\n") == PPK.count("\n")
    lines = out.splitlines()
    assert lines[7] == "Private-Lines: 3"
    assert lines[8:11] == ["REDACTED-KEY-MATERIAL"] * 3
    assert lines[11] == "Private-MAC: REDACTED-KEY-MATERIAL"
    assert lines[12] == "keys.next=1"
    assert "AAAAB3NzaC1yc2EAAAABJQAAAQEAPublicLine1" in out      # the public half stays


def test_putty_block_stops_at_the_first_line_that_is_not_base64(rule_sets) -> None:
    text = "Private-Lines: 1\nAAAAPrivOnly1\nnext.setting=kept value\n"
    assert redact(rule_sets, text) == "Private-Lines: 1\nREDACTED-KEY-MATERIAL\nnext.setting=kept value\n"


def test_putty_version_3_hash_and_crlf(rule_sets) -> None:
    text = ("PuTTY-User-Key-File-3: ssh-ed25519\r\nPrivate-Lines: 1\r\nAAAAIPrivEd25519Line\r\n"
            "Private-MAC: 0123456789abcdef0123456789abcdef\r\n")
    out = redact(rule_sets, text)
    assert out == ("PuTTY-User-Key-File-3: ssh-ed25519\r\nPrivate-Lines: 1\r\nREDACTED-KEY-MATERIAL\r\n"
                   "Private-MAC: REDACTED-KEY-MATERIAL\r\n")


def test_element_text_password_redacted_is_no_scanner_finding(rule_sets) -> None:
    from collector.scanner import LeakScanner

    scanner = LeakScanner("logback.xml")
    scanner.feed(redact(rule_sets, LOGBACK_XML).encode())
    scanner.finish()
    assert scanner.findings == []
