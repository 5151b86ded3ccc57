"""Credentials black-box probes Q and R found shipped raw next to forms already masked: a secret
key followed by =>, ->, := or == (the rule took only the '>' as the value, so the line looked
redacted), a setter call setPassword("X"), .NET connection-string passwords in XML-escaped quotes
(&quot;...&quot;) or holding &amp;, and JSON Web Key private members pretty-printed, in YAML or
JSON-escaped inside a string. Keys, public key members, other connection-string parts and the
query parameters after an escaped & stay."""

from __future__ import annotations

import json

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

L = "2025-11-20 10:00:05,000 DEBUG [main] "

# (id, kind, path, input, text that must be gone, text that must stay)
LEAKS = [
    ("fat-arrow", "log", "opt/genesys/gms/logs/gms.log",
     L + "password => ArrowPw_01\n", ["ArrowPw_01", "=REDACTED"], [L + "password => REDACTED\n"]),
    ("fat-arrow-quoted", "log", "opt/genesys/gms/logs/gms.log",
     L + "{'password' => 'ArrowPw_02', 'user' => 'gms'}\n", ["ArrowPw_02"],
     ["'password' => 'REDACTED', 'user' => 'gms'}"]),
    ("fat-arrow-sip-log", "log", "opt/genesys/sip/logs/SIPS.log",
     "10:00:05.000 Dbg 00000 client_secret => ArrowPw_03\n", ["ArrowPw_03"], ["client_secret => REDACTED"]),
    ("thin-arrow", "log", "opt/genesys/gms/logs/gms.log",
     L + "password -> ArrowPw_04\n", ["ArrowPw_04"], ["password -> REDACTED\n"]),
    ("walrus", "log", "opt/genesys/gms/logs/gms.log",
     L + "api_key := ArrowPw_05\n", ["ArrowPw_05"], ["api_key := REDACTED\n"]),
    ("double-equals", "log", "opt/genesys/gms/logs/gms.log",
     L + 'password=="ArrowPw_06"\n', ["ArrowPw_06"], ['password=="REDACTED"\n']),
    ("setter-call", "log", "opt/genesys/gms/logs/gms.log",
     L + 'setPassword("CallPw_07") builder.clientSecret(\'CallPw_08\').build()\n',
     ["CallPw_07", "CallPw_08"], ['setPassword("REDACTED")', ".build()"]),
    ("cfg-fat-arrow", "config", "opt/genesys/sip/SIPS_P.cfg",
     "'password' => 'ArrowPw_09'\napi_key => ArrowPw_10\npsk -> ArrowPw_11\n",
     ["ArrowPw_09", "ArrowPw_10", "ArrowPw_11"],
     ["'password' => 'REDACTED'\n", "api_key => REDACTED\n", "psk -> REDACTED\n"]),
    ("dotnet-quot-password", "config", "C/Program Files (x86)/GCTI/WDE/InteractionWorkspace.exe.config",
     '<add name="A" connectionString="Data Source=SQL01;User ID=u;Password=&quot;CsQuot;ed_01&quot;;" />\n'
     '<add name="C" connectionString="Data Source=SQL01;User ID=u;Pwd=&quot;CsPwd_03&quot;" />\n'
     '<add name="D" connectionString="Data Source=SQL01;User ID=u;Password=&quot;Cs &quot;&quot;No Semi_04&quot;;Encrypt=true" />\n'
     '<add name="E" connectionString="Server=SQL01;Uid=u;Pwd=&apos;CsApos;05&apos;" />\n',
     ["CsQuot", "ed_01", "CsPwd_03", "Cs ", "No Semi_04", "CsApos", "05&apos;"],
     ['User ID=u;Password=&quot;REDACTED&quot;;" />', 'Pwd=&quot;REDACTED&quot;" />',
      'Password=&quot;REDACTED&quot;;Encrypt=true" />', "Pwd=&apos;REDACTED&apos;\" />"]),
    ("dotnet-amp-password", "config", "D/I3/IC/Server/ICWebApp.exe.config",
     '<add name="F" connectionString="Data Source=SQL01;User ID=u;Password=Cs&amp;Amp_06;" />\n'
     '<url>https://gws01/x?password=UrlPw_07&amp;lang=en</url>\n',
     ["Cs&amp;", "Amp_06", "UrlPw_07"],
     ['User ID=u;Password=REDACTED;" />', "?password=REDACTED&amp;lang=en</url>"]),
]


def _jwk(tag: str) -> dict[str, str]:
    return {"kty": "RSA", "kid": "gms1", "n": "pubModN", "e": "AQAB", "d": f"Jwk{tag}d9Priv",
            "p": f"Jwk{tag}p9Priv", "q": f"Jwk{tag}q9Priv", "dp": f"Jwk{tag}dp9Priv",
            "dq": f"Jwk{tag}dq9Priv", "qi": f"Jwk{tag}qi9Priv"}


def _private(tag: str) -> list[str]:
    return [v for k, v in _jwk(tag).items() if k in ("d", "p", "q", "dp", "dq", "qi")]


LEAKS += [
    ("jwk-pretty-json", "log", "opt/genesys/gms/logs/gms.log",
     L + "loaded key\n" + json.dumps(_jwk("B"), indent=2) + "\n", _private("B"),
     ['  "kid": "gms1",\n  "n": "pubModN",\n  "e": "AQAB",\n  "d": "REDACTED",\n', '  "qi": "REDACTED"\n}\n']),
    ("jwk-yaml", "config", "opt/genesys/gws/config/application.yaml",
     "jwk:\n" + "".join(f"  {k}: {v}\n" for k, v in _jwk("C").items()) + "jwks:\n  - d: 'JwkDq9Priv'\n",
     _private("C") + ["JwkDq9Priv"], ["  kid: gms1\n  n: pubModN\n  e: AQAB\n  d: REDACTED\n", "  - d: 'REDACTED'\n"]),
    ("jwk-escaped-json", "log", "opt/genesys/gms/logs/gms.log",
     L + "jwks=" + json.dumps(json.dumps({"keys": [_jwk("E")]})) + "\n", _private("E"),
     ['\\"n\\": \\"pubModN\\", \\"e\\": \\"AQAB\\", \\"d\\": \\"REDACTED\\"']),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_q_r_credential_is_masked(rule_sets, case, fast: bool) -> None:  # noqa: F811
    _id, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


KEPT = [
    ("arrow-not-a-secret-key", "log", L + "state RUNNING => STOPPED, password-policy -> strong, token-ttl => 3600\n"),
    ("getter-argument", "log", L + 'props.getPassword("db.primary") at c.g.Foo.setPassword(Foo.java:42)\n'),
    ("jwk-like-plain-json", "config", '{\n  "d": "2024-01-01",\n  "p": "primary",\n  "k": "v",\n  "q": 12345678\n}\n'),
    ("jwk-like-plain-yaml", "config", "d: 2024-01-01\np: 8080\nk: value\n"),
]


@pytest.mark.parametrize("case", KEPT, ids=[c[0] for c in KEPT])
def test_probe_q_r_neighbours_stay(rule_sets, case) -> None:  # noqa: F811
    _id, kind, text = case
    assert_redacted(rule_sets, text, [], [text], kind=kind,
                    path="opt/genesys/x.yaml" if kind == "config" else "opt/genesys/gms/logs/gms.log")


# Probe Q 9: key names and layouts next to forms already masked
NEIGHBOURS = [
    ("properties-blank-separator", "config", "opt/genesys/gms/config/gms.properties",
     "secret-key KeyNbPw_01\nkeystore.pass KeyNbPw_02\nprivate_key KeyNbPw_03\nbypass mode on\nkey-alias gms\n",
     ["KeyNbPw_01", "KeyNbPw_02", "KeyNbPw_03"],
     ["secret-key REDACTED\nkeystore.pass REDACTED\nprivate_key REDACTED\nbypass mode on\nkey-alias gms\n"]),
    ("short-key-names", "config", "opt/genesys/sip/SIPS_P.cfg",
     "dbpw = KeyNbPw_04\nsas = KeyNbPw_05\nconnection-string = KeyNbPw_06\nsas-url-enabled = true\n",
     ["KeyNbPw_04", "KeyNbPw_05", "KeyNbPw_06"],
     ["dbpw = REDACTED\nsas = REDACTED\nconnection-string = REDACTED\nsas-url-enabled = true\n"]),
    ("yaml-bearer", "config", "opt/genesys/gws/config/application.yaml",
     "auth:\n  bearer: KeyNbPw_07\n  type: bearer\n", ["KeyNbPw_07"], ["  bearer: REDACTED\n  type: bearer\n"]),
    ("xml-close-next-line", "log", "opt/genesys/gms/logs/gms.log",
     L + "<password>KeyNbPw_08\n</password>\n", ["KeyNbPw_08"], ["<password>REDACTED\n</password>\n"]),
    ("xml-cdata-lines-log", "log", "opt/genesys/gms/logs/gms.log",
     L + "<password><![CDATA[\nKeyNbPw_09\n]]></password>\n" + L + "next\n", ["KeyNbPw_09"],
     ["<password><![CDATA[\nREDACTED\n]]></password>\n" + L + "next\n"]),
    ("xml-cdata-lines-config", "config", "opt/genesys/gms/config/x.xml",
     "  <password><![CDATA[\n    KeyNbPw_10\n  ]]></password>\n  <user>gim</user>\n", ["KeyNbPw_10"],
     ["  <password><![CDATA[\n    REDACTED\n  ]]></password>\n  <user>gim</user>\n"]),
    ("xml-open-tag-split", "config", "opt/genesys/gms/config/x.xml",
     "<password\n>KeyNbPw_11</password>\n", ["KeyNbPw_11"], ["<password\n>REDACTED</password>\n"]),
    ("ini-value-next-line", "config", "opt/genesys/sip/SIPS_P.cfg",
     "[db]\npassword =\nKeyNbPw_12\nuser = gim\n", ["KeyNbPw_12"], ["[db]\npassword =\nREDACTED\nuser = gim\n"]),
    ("log-value-next-line", "log", "opt/genesys/gms/logs/gms.log",
     L + "password:\n  KeyNbPw_13\n" + L + "next\n", ["KeyNbPw_13"], ["password:\n  REDACTED\n" + L + "next\n"]),
    ("ldapsearch-and-sudo", "config", "opt/genesys/scripts/run.sh",
     "ldapsearch -x -D cn=admin,dc=corp -w KeyNbPw_14 -H ldap://ldap01\necho KeyNbPw_15 | sudo -S systemctl restart gms\n",
     ["KeyNbPw_14", "KeyNbPw_15"],
     ["-w REDACTED -H ldap://ldap01\n", "echo REDACTED | sudo -S systemctl restart gms\n"]),
]


@pytest.mark.parametrize("case", NEIGHBOURS, ids=[c[0] for c in NEIGHBOURS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_q_key_and_layout_neighbours_are_masked(rule_sets, case, fast: bool) -> None:  # noqa: F811
    _id, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


NEXT_LINE_KEPT = [
    "password =\nuser = gim\n[next]\ntoken=\n# comment\n\nhost = cs01\n",
    "password =\n<user>gim</user>\n",
]


@pytest.mark.parametrize("text", NEXT_LINE_KEPT)
def test_an_empty_password_does_not_take_the_next_key(rule_sets, text: str) -> None:  # noqa: F811
    assert_redacted(rule_sets, text, [], [text], kind="config", path="opt/genesys/sip/SIPS_P.cfg")


def test_probe_r_dotnet_setting_value_keeps_its_tags_and_parses(rule_sets) -> None:  # noqa: F811
    """Probe R 9: <value> on its own line under a password <setting> lost its opening tag."""
    from xml.dom import minidom

    text = ('<?xml version="1.0" encoding="utf-8"?>\r\n<configuration>\r\n  <applicationSettings>\r\n'
            '    <ININ.ICWebApp.Properties.Settings>\r\n'
            '      <setting name="ProxyPassword" serializeAs="String">\r\n'
            '        <value>SettingsPw_61</value>\r\n      </setting>\r\n'
            '      <setting name="ProxyUser" serializeAs="String">\r\n        <value>proxy01</value>\r\n'
            '      </setting>\r\n    </ININ.ICWebApp.Properties.Settings>\r\n'
            '  </applicationSettings>\r\n</configuration>\r\n')
    out = assert_redacted(rule_sets, text, ["SettingsPw_61"],
                          ['serializeAs="String">\r\n        <value>REDACTED</value>\r\n      </setting>\r\n',
                           "<value>proxy01</value>"],
                          kind="config", path="D/I3/IC/Server/ICWebApp.exe.config")
    minidom.parseString(out.encode())
