"""Black-box probe P, findings 7 and 9: credentials that Java logs (GWS, GAX, GMS, Pulse, GIR)
print in passing - the signature of a pre-signed URL, a bare AWS secret after its key id, the
Cassandra PlainTextAuthProvider password, GitHub and Slack tokens, Redis requirepass/masterauth
and AUTH - and a password told in prose in the case text ("the password is X", "pwd X",
"pass X"). Correlation data (request ids, trace ids, hosts, paths) and ordinary words
("pass the call to 7001", "password reset failed") stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.freetext import text_redactor
from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

# (id, input, text that must be gone, text that must stay)
LOG_LEAKS = [
    ("gcs-signed-url",
     "2025-11-20 10:00:07,016 DEBUG [qtp-1] rid=8f1c2d3e GET https://storage.googleapis.com/b/o"
     "?X-Goog-Signature=ZQ73googSig&X-Goog-Credential=svc%40p.iam.gserviceaccount.com%2F20251120\n",
     ["ZQ73googSig", "svc%40p.iam"], ["rid=8f1c2d3e GET https://storage.googleapis.com/b/o?X-Goog-Signature="]),
    ("s3-signed-url",
     "2025-11-20 10:00:07,017 DEBUG [qtp-1] PUT https://s3.amazonaws.com/b/k?X-Amz-Signature=ZQ74amzSig"
     "&X-Amz-Date=20251120T100000Z\n",
     ["ZQ74amzSig"], ["https://s3.amazonaws.com/b/k?X-Amz-Signature=", "&X-Amz-Date=20251120T100000Z"]),
    ("azure-sas-short-sig",
     "2025-11-20 10:00:07,018 DEBUG [qtp-1] GET https://example.blob.core.windows.net/c/b?sv=2020&sig=ZQ75sasSig\n"
     "2025-11-20 10:00:07,019 DEBUG [qtp-1] GET https://example.blob.core.windows.net/c/b?sig=ZQ76sas&se=2025-11-21&sp=r\n",
     ["ZQ75sasSig", "ZQ76sas"], ["https://example.blob.core.windows.net/c/b?sv=2020&sig=", "&se=2025-11-21&sp=r"]),
    ("aws-secret-after-key-id-42",
     "2025-11-20 10:00:07,015 DEBUG [qtp-1] aws credentials: AKIAZQ71ABCDEFGH0123 / "
     "ZQ72wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n",
     ["ZQ72wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY", "AKIAZQ71ABCDEFGH0123"], ["[qtp-1] aws credentials: "]),
    ("cassandra-plaintext-auth",
     "2025-11-20 10:00:07,010 DEBUG [qtp-1] connecting to Cassandra with PlainTextAuthProvider(gws, ZQ66authProv)\n"
     '    AuthProvider p = new PlainTextAuthProvider("gws", "ZQ67authProv");\n',
     ["ZQ66authProv", "ZQ67authProv"], ["PlainTextAuthProvider(gws, ", 'PlainTextAuthProvider("gws", "']),
    ("github-slack-tokens",
     "2025-11-20 10:00:07,010 INFO [p-1] token ghp_ZQ81abcdefghijklmnopqrstuvwxyz0123 used\n"
     "2025-11-20 10:00:07,010 INFO [p-1] pat github_pat_11ABCDEFG0ZQ83abcdefghijklmnop_qrstuvwxyz0123456789 used\n"
     "2025-11-20 10:00:07,010 INFO [p-1] slack xoxb-1234567890-0987654321-ZQ84abcdefghijklmn posted\n"
     "2025-11-20 10:00:07,010 INFO [p-1] slack xapp-1-A0123456789-1234567890-ZQ86abcdef0123456789 posted\n"
     "2025-11-20 10:00:07,010 INFO [p-1] hook https://hooks.slack.com/services/T0000/B0000/ZQ87slackhook ok\n",
     ["ZQ81", "ZQ83", "ZQ84", "ZQ86", "ZQ87"],
     ["token ghp_REDACTED used", "slack xoxb-REDACTED posted", "https://hooks.slack.com/services/T0000/B0000/"]),
    ("redis-passwords",
     "2025-11-20 10:00:07,010 INFO redis requirepass ZQ88reqpass\n"
     "2025-11-20 10:00:07,010 DEBUG redis01:6379> AUTH ZQ91redisAuth\n"
     '1700000000.107412 [0 192.0.2.8:60866] "AUTH" "gms" "ZQ92redisAuth"\n',
     ["ZQ88", "ZQ91", "ZQ92"], ["redis01:6379> AUTH ", '[0 192.0.2.8:60866] "AUTH" "gms" "']),
    ("prose-password-in-a-log",
     "2025-11-20 10:00:07,010 INFO temporary password for agent 7001 is ZQ95tmpPw (expires in 24h)\n",
     ["ZQ95tmpPw"], ["password for agent 7001 is REDACTED (expires in 24h)"]),
]

CONFIG_LEAKS = [
    ("redis-conf",
     "requirepass ZQ89reqpass\nmasterauth ZQ90mauth\nport 6379\n",
     ["ZQ89", "ZQ90"], ["port 6379", "requirepass REDACTED", "masterauth REDACTED"]),
    ("properties-requirepass", "redis.requirepass ZQ93requirepass\nredis.host=cache01\n",
     ["ZQ93"], ["redis.host=cache01"]),
]

KEPT = (
    "2025-11-20 10:00:07,010 DEBUG [qtp-1] requestId=8f1c2d3e-aaaa-bbbb-cccc-1234567890ab "
    "traceId=4bf92f3577b34da6a3ce929d0e0e4736 GET https://gws.example.net/api/v2/me?sig=short&lang=en\n"
    "2025-11-20 10:00:07,011 INFO [p-1] password is wrong for agent 7001; password reset failed\n"
    "2025-11-20 10:00:07,012 INFO [p-1] 250-AUTH LOGIN PLAIN, AUTH failed for agent 7001\n"
    "at com.datastax.driver.core.PlainTextAuthProvider$PlainTextAuthenticator.initialResponse(PlainTextAuthProvider.java:110)\n"
)


@pytest.mark.parametrize("case", LOG_LEAKS, ids=[c[0] for c in LOG_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_p_log_credentials_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path="var/log/jetty9/cloud.log", fast=fast)


@pytest.mark.parametrize("case", CONFIG_LEAKS, ids=[c[0] for c in CONFIG_LEAKS])
def test_probe_p_config_credentials_are_redacted(rule_sets, case) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind="config", path="etc/redis/redis.conf")


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_correlation_data_and_words_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT, [], KEPT.splitlines(), fast=fast)


def test_prose_passwords_in_case_text_are_redacted(tmp_path: Path) -> None:
    describe = ("since 10:00 CS rejects the DB login; the password is ZQE1isPw. new password: ZQE2colonPw, "
                "old pwd ZQE3pwd; password=ZQE4eqPw; DB user gen_cfg pass ZQE5passPw")
    with text_redactor(tmp_path / "state") as redact:
        out = redact(describe)
        assert redact(out) == out
        kept = redact("pass the call to 7001; password reset failed for agent 7001; the password is wrong")
    for marker in ("ZQE1", "ZQE2", "ZQE3", "ZQE4", "ZQE5"):
        assert marker not in out, out
    assert out.startswith("since 10:00 CS rejects the DB login; the password is REDACTED. new password: REDACTED")
    assert out.endswith("DB user gen_cfg pass REDACTED")
    assert kept == "pass the call to 7001; password reset failed for agent 7001; the password is wrong"
