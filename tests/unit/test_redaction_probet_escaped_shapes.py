"""Probe T, findings 8, 9, 10, 11, 12, 14: escaped, re-ordered and vendor-specific neighbours of
fixed shapes.

- 8: Authorization Token/SSWS/Splunk schemes, SigV4 header Signature=, \\u0026 before
  X-Amz-Signature, \\u003d before a vendor token, more vendor token prefixes;
- 11: phone numbers in twice-escaped and &quot; JSON, single-quoted / reversed / two-line XML
  attributes, XML-escaped MSML, GMS _customer_number=(555)..., a dashed icid-value, a
  double-encoded Refer-To, SIP Feature Server contact names in &quot; and JSON;
- 12: e-mail with an IDN domain, a quoted local part, an address literal, %2E, \\u0040, &#64;;
- 14: case text: u:/p:, admin / X, Spanish, Portuguese, Dutch, Italian, Russian phrasings, API key,
  token, and names after Customer, Mrs., "the caller," and "call from"."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.freetext import text_redactor
from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

L = "2025-11-20 10:00:05,000 DEBUG [qtp-1] "
T = "10:00:05.000 Dbg 00000 "

# (id, input, text that must be gone, text that must stay)
LOG_LEAKS = [
    # 8
    ("auth-token", L + "Authorization: Token ZTt1aXy9\n", ["ZTt1aXy9"], ["Authorization: Token REDACTED"]),
    ("auth-ssws", L + "Authorization: SSWS 00ZTt2aXy9\n", ["ZTt2aXy9"], ["Authorization: SSWS REDACTED"]),
    ("auth-splunk", L + "Authorization: Splunk ZTt3aXy9\n", ["ZTt3aXy9"], ["Authorization: Splunk REDACTED"]),
    ("auth-sigv4", L + "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20251120/us-east-1/s3/"
     "aws4_request, SignedHeaders=host, Signature=ZTt4aXy9\n", ["ZTt4aXy9"], ["SignedHeaders=host, Signature=REDACTED"]),
    ("amz-sig-json", L + '{"url":"https://b.s3.amazonaws.com/k?X-Amz-Credential=x\\u0026X-Amz-Signature=ZTt5aXy9"}\n',
     ["ZTt5aXy9"], ['\\u0026X-Amz-Signature=REDACTED"}']),
    ("ghp-u003d", L + "token\\u003dghp_ZTt6aXy9abcdefghijklmnopqrstuvwxyz\n", ["ZTt6aXy9"], ["token\\u003dghp_REDACTED"]),
    ("vendor-prefixes", L + "glrt-ZTt7aXy9abcdefghij GOCSPX-ZTt7bXy9abcdefghij ya29.a0ZTt7cXy9abcdefghijk "
     "sk-proj-ZTt7dXy9abcdefghijklmnopqrst SG.ZTt7eXy9abcdefgh.ijklmnopqrstuvwxyz0123456789ABCDEFG "
     "hvs.ZTt7fXy9abcdefghijklmnopqrst npm_ZTt7gXy9abcdefghijklmnopqrstuvwxyz whsec_ZTt7hXy9abcdefghijklmnop\n",
     ["ZTt7", "ijklmnopqrstuvwxyz0123456789"], ["glrt-REDACTED", "SG.REDACTED", "whsec_REDACTED"]),
    # 11
    ("json-escaped-twice", T + 'body: "{\\\\\\"mobile\\\\\\":\\\\\\"15550710002\\\\\\"}"\n', ["0710002"], ['mobile\\\\\\":\\\\\\"PHONE_']),
    ("json-quot", T + "<data>{&quot;mobile&quot;:&quot;15550710003&quot;}</data>\n", ["0710003"], ["&quot;PHONE_"]),
    ("prop-single-quotes", T + "<property name='callerNumber' value='15550710005'/>\n", ["0710005"], ["value='PHONE_"]),
    ("prop-reversed", T + '<property value="15550710006" name="callerNumber"/>\n', ["0710006"], ['value="PHONE_']),
    ("prop-two-lines", T + '<property name="callerNumber"\n   value="15550710007"/>\n', ["0710007"],
     ['<property name="callerNumber"\n']),
    ("msml-escaped", T + "MSML body: &lt;dialogstart&gt;&lt;ani&gt;15550710008&lt;/ani&gt;&lt;/dialogstart&gt;\n",
     ["0710008"], ["&lt;ani&gt;PHONE_"]),
    ("gms-paren", L + "GET /genesys/1/service/callback?_customer_number=(555)%20071-0009&x=1\n", ["071-0009"],
     ["_customer_number=PHONE_", "&x=1"]),
    ("icid-dashed", "P-Charging-Vector: icid-value=1-555-071-0010\n", ["071-0010"], ["icid-value=PHONE_"]),
    ("refer-double-encoded", "Refer-To: <sip:7002@192.0.2.20?P-Asserted-Identity=%253Csip%253A%252B15550710011"
     "%2540carrier.example.net%253E>\n", ["0710011"], ["%2540carrier.example.net%253E>"]),
    # 9
    ("slack-workflow", L + "POST https://hooks.slack.com/workflows/T1/A1/1/ZTt9aXy9 -> 200\n", ["ZTt9aXy9"],
     ["https://hooks.slack.com/workflows/T1/A1/1/REDACTED -> 200"]),
    ("slack-trigger", L + "POST https://hooks.slack.com/triggers/T1/1/ZTt9bXy9 -> 200\n", ["ZTt9bXy9"], ["/1/REDACTED -> 200"]),
    ("pagerduty-v2", L + "POST https://events.pagerduty.com/v2/enqueue?routing_key=ZTt9cXy9 -> 200\n", ["ZTt9cXy9"],
     ["?routing_key=REDACTED -> 200"]),
    ("zapier-standard", L + "POST https://hooks.zapier.com/hooks/standard/123/ZTt9dXy9/ -> 200\n", ["ZTt9dXy9"],
     ["/hooks/standard/123/REDACTED/"]),
    ("mattermost", L + "POST https://mattermost.example.com/hooks/ZTt9eXy9 -> 200\n", ["ZTt9eXy9"], ["/hooks/REDACTED -> 200"]),
    ("wechat-work", L + "POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ZTt9fXy9 -> 200\n", ["ZTt9fXy9"],
     ["send?key=REDACTED -> 200"]),
    ("feishu", L + "POST https://open.feishu.cn/open-apis/bot/v2/hook/ZTt9gXy9 -> 200\n", ["ZTt9gXy9"], ["/hook/REDACTED -> 200"]),
    ("ifttt", L + "POST https://maker.ifttt.com/trigger/alert/with/key/ZTt9hXy9 -> 200\n", ["ZTt9hXy9"], ["/key/REDACTED -> 200"]),
    # 10
    ("jwk-repr", L + "loaded {'kty': 'RSA', 'n': '0vx7ag', 'e': 'AQAB', 'd': 'ZTtBaXy9d', 'p': 'ZTtBaXy9p', 'qi': 'ZTtBaXy9qi'}\n",
     ["ZTtBa"], ["'e': 'AQAB', 'd': 'REDACTED'"]),
    ("jwk-xml-escaped", L + "<jwks>{&quot;kty&quot;: &quot;RSA&quot;, &quot;d&quot;: &quot;ZTtBbXy9d&quot;}</jwks>\n",
     ["ZTtBb"], ["&quot;d&quot;: &quot;REDACTED&quot;}"]),
    ("jwk-yaml-flow", "jwk: {kty: RSA, n: 0vx7ag, e: AQAB, d: ZTtBcXy9dd, p: ZTtBcXy9pp}\n", ["ZTtBc"], ["e: AQAB, d: REDACTED"]),
    ("jwk-tostring", L + "RSAKey{kty=RSA, d=ZTtBdXy9d, p=ZTtBdXy9p}\n", ["ZTtBd"], ["RSAKey{kty=RSA, d=REDACTED, p=REDACTED}"]),
    ("jwk-url-encoded", L + "GET /cb?jwk=%7B%22kty%22%3A%20%22RSA%22%2C%20%22d%22%3A%20%22ZTtBeXy9d%22%7D\n", ["ZTtBe"],
     ["%22d%22%3A%20%22REDACTED%22%7D"]),
    ("jwk-base64", L + "jwk=eyJrdHkiOiAiUlNBIiwgIm4iOiAiMHZ4N2FnIiwgImQiOiAiSndrQjY0RCJ9 loaded\n",
     ["eyJrdHkiOiAiUlNBIiwgIm4iOiAiMHZ4N2FnIiwgImQiOiAiSndrQjY0RCJ9"], ["jwk=REDACTED loaded"]),
    # 12
    ("email-idn", L + "sending notification to jose.idnmail@ex\u00e4mple.de, ivanmail@m\u00fcnchen.de ok\n",
     ["idnmail", "ivanmail", "m\u00fcnchen"], ["sending notification to EMAIL_"]),
    ("email-quoted", L + 'sending notification to "jane quotmail"@example.com ok\n', ["quotmail"], ["to EMAIL_"]),
    ("email-ip-literal", L + "sending notification to jane.ipmail@[192.0.2.55] ok\n", ["ipmail"], ["to EMAIL_"]),
    ("email-pct2e", L + "sending notification to jane%2Epct2mail%40example.org ok\n", ["pct2mail"], ["to EMAIL_"]),
    ("email-json-at", L + "sending notification to jane.jsonmail\\u0040example.org ok\n", ["jsonmail"], ["to EMAIL_"]),
    ("email-xml-at", L + "sending notification to jane.entmail&#64;example.org ok\n", ["entmail"], ["to EMAIL_"]),
    ("sfs-quot-name", L + "contact name=&quot;Jane Sfsquotname&quot; dn=7001\n", ["Sfsquotname"], ["dn=7001"]),
    ("sfs-json-name", L + 'contact {"name":"Jane Sfsjsonname","dn":"7001"}\n', ["Sfsjsonname"], ['"dn":"7001"}']),
]

KEPT = (
    L + "WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"\n"
    + L + "see SG.Sales, hvs.short and npm_modules\n"
    + T + "<property name='dnis' value='7001'/><property value=\"15\" name=\"maxNumber\"/>\n"
    + T + "&lt;dnis&gt;7001&lt;/dnis&gt; {&quot;seqNumber&quot;:&quot;12345678&quot;}\n"
    + L + "GET https://gws.example.net/api/hooks/status/health 200; kty: RSA, d: 2024, p: 5\n"
    + T + "route 7001@[192.0.2.5]:5060 sip:alice@[192.0.2.6]\n"
    + L + "GET https://gws.example.net/api/hooks/status/health 200; kty: RSA, d: 2024, p: 5\n"
    + T + "route 7001@[192.0.2.5]:5060 sip:alice@[192.0.2.6]\n"
    + "P-Charging-Vector: icid-value=a4f0-123-456-7890-00ff;icid-generated-at=192.0.2.20\n"
)


@pytest.mark.parametrize("case", LOG_LEAKS, ids=[c[0] for c in LOG_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_t_log_shapes_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path="var/log/jetty9/gms.log", fast=fast)


def test_probe_t_neighbours_that_stay(rule_sets) -> None:
    assert_redacted(rule_sets, KEPT, [], KEPT.splitlines())


def test_probe_t_case_text_passwords_and_names(tmp_path: Path) -> None:
    describe = ("GAX login fails. u: admin p: ZTtAaXy9. admin / ZTtAbXy9. (admin/ZTtAcXy9). contraseña: ZTtAdXy9. "
                "la contraseña es ZTtAeXy9. senha: ZTtAfXy9. wachtwoord is ZTtAgXy9. password è ZTtAhXy9. "
                "пароль ZTtAiXy9. API key ZTtAjXy9. token ZTtAkXy9. log in to GAX as admin / ZTtAlXy9. "
                "Customer Jane Q Prosename called. customer Mrs. Ann Prosewell. the caller, Bob Prosetwo, hung up. "
                "call from Jane Steplastname")
    with text_redactor(tmp_path / "state") as redact:
        out = redact(describe)
        assert redact(out) == out
        kept = redact("token expired; API key rotation failed; see /opt/admin/logs and admin/config; "
                      "TCP/UDP; call from Sales Queue; caller Unknown")
    for marker in ("ZTtA", "Prosename", "Prosewell", "Prosetwo", "Steplastname"):
        assert marker not in out, out
    assert "password è REDACTED" in out and "the caller, NAME_" in out, out
    assert kept == ("token expired; API key rotation failed; see /opt/admin/logs and admin/config; "
                    "TCP/UDP; call from Sales Queue; caller Unknown")
