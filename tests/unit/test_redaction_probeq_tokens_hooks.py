"""Probe Q, findings 6, 7, 8, 12 (scanner), 13: neighbours of fixed credential shapes.

- signed URLs: GCS V2 / S3 SigV2 / CloudFront ``Signature=``, Azure ``SIG=`` and ``sig=...&amp;``
  in XML, ``X-Amz-Signature%3D`` inside another (URL-encoded) URL;
- vendor tokens after ``%3D`` (GitHub, Slack, JWT, AKIA) and GitLab / Stripe / Google API keys;
- Redis: a bare ``AUTH X`` line (redis-cli heredoc), ACL ``user name on >X``, ``sentinel auth-pass``;
  PagerDuty, Telegram and Zapier webhook URLs under any key;
- case text: ``login: admin / X``, arrows, German/French password phrases, a customer's name;
- a base64 blob that encodes a password (payload=<base64 of user=..&password=X>), found by the
  fixed base64 characters of "password" at its three offsets, no decoding;
- the scanner does not flag ``Password = REDACTED\\r\\n`` (escapes printed as text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.freetext import text_redactor
from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

L = "2025-11-20 10:00:05,000 DEBUG [qtp-1] "
GH = "ghp_ZQq7aQ8JZpDE0iGXlD6gNCFbaEPFjbD0kH8Oo"
SLACK = "xoxb-1234567890-1234567890123-ZQq7bUsIMd0F7JJh5kHN"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6cTEifQ.ZQq7cTleuR34qxq0BVLF7QMCcj4OWBezyGF5480Wb"

# (id, input, text that must be gone, text that must stay)
LOG_LEAKS = [
    ("gcs-v2", L + "PUT https://storage.googleapis.com/b/o?GoogleAccessId=svc&Expires=1763636400&Signature=ZQq6aXy7\n",
     ["ZQq6aXy7"], ["&Expires=1763636400&Signature=REDACTED"]),
    ("s3-v2", L + "PUT https://b.s3.amazonaws.com/k?AWSAccessKeyId=x&Expires=1763636400&Signature=ZQq6b%2BXy7%3D\n",
     ["ZQq6b"], ["&Expires=1763636400&Signature=REDACTED\n"]),
    ("cloudfront", L + "GET https://cdn.example.net/x?Policy=abc&Signature=ZQq6cXy7&Key-Pair-Id=K1\n",
     ["ZQq6cXy7"], ["&Signature=REDACTED&Key-Pair-Id=K1"]),
    ("azure-upper", L + "GET https://a.blob.core.windows.net/c/b?SIG=ZQq6dXy7\n",
     ["ZQq6dXy7"], ["https://a.blob.core.windows.net/c/b?SIG=REDACTED"]),
    ("azure-xml-amp", L + "<url>https://a.example.net/c/b?sig=ZQq6eXy7&amp;sv=2020</url>\n",
     ["ZQq6eXy7"], ["?sig=REDACTED&amp;sv=2020</url>"]),
    ("amz-encoded", L + "redirect=https%3A%2F%2Fb.s3.amazonaws.com%2Fk%3FX-Amz-Signature%3DZQq6fXy7%26X-Amz-Date%3D2025\n",
     ["ZQq6fXy7"], ["X-Amz-Signature%3DREDACTED%26X-Amz-Date%3D2025"]),
    ("gh-urlenc", L + "GET /cb?state=x&t%3D" + GH + "\n", [GH[4:]], ["t%3Dghp_REDACTED"]),
    ("slack-urlenc", L + "body=token%3D" + SLACK + "%26channel%3DC1\n", ["ZQq7b"], ["%26channel%3DC1"]),
    ("jwt-urlenc", L + "redirect=%2Fcb%3Fid_token%3D" + JWT + "\n", ["ZQq7c", "eyJzdWIiOiJ6cTEifQ"], ["%3Fid_token%3D"]),
    ("akia-urlenc", L + "q=key%3DAKIAIOSFODNN7EXAMPLE%26x\n", ["AKIAIOSFODNN7EXAMPLE"], ["%26x"]),
    ("glpat", L + "token glpat-ZQq7dE31m6kvcsUUgmKE\n", ["ZQq7dE31m6kvcsUUgmKE"], ["token glpat-REDACTED"]),
    ("stripe", L + "charge with sk_live_ZQq7eI4BxWv65dagOcIN43Mt and rk_live_ZQq7eI4BxWv65dagOcIN43Mu\n",
     ["ZQq7eI4BxWv65dagOcIN43M"], ["sk_live_REDACTED", "rk_live_REDACTED"]),
    ("google-api-key", L + '{"t":"AIzaZQq7fBKROvGiTxMMH1IenVpnCJgbu5Jab"}\n',
     ["ZQq7fBKROvGiTxMMH1IenVpnCJgbu5Jab"], ['{"t":"AIzaREDACTED"}']),
    ("telegram", L + "POST https://api.telegram.org/bot123456:ZQq8gXy7AbCd/sendMessage -> 200\n",
     ["ZQq8gXy7AbCd"], ["https://api.telegram.org/bot123456:REDACTED/sendMessage -> 200"]),
    ("base64-payload", L + "login payload=dXNlcj1hZG1pbiZwYXNzd29yZD1acTE0YVh5Nw== rid=8f1c2d3e\n",
     ["dXNlcj1hZG1pbiZwYXNzd29yZD1acTE0YVh5Nw"], ["login payload=REDACTED rid=8f1c2d3e"]),
    ("redis-acl-setuser", L + "redis> ACL SETUSER gms on >ZQq8sXy7 ~* +@all\n", ["ZQq8sXy7"], ["~* +@all"]),
]

CONFIG_LEAKS = [
    ("redis-bare-auth", "redis-cli -h redis01 <<EOF\nAUTH ZQq8aXy7\nauth default ZQq8bXy7\nINFO\nEOF\n",
     ["ZQq8aXy7", "ZQq8bXy7"], ["AUTH REDACTED\n", "auth default REDACTED\n", "INFO\nEOF"]),
    ("redis-acl-file", "user default on >ZQq8dXy7 ~* +@all\nuser gms on nopass ~gms:* >ZQq8dXy8 +get\n",
     ["ZQq8dXy7", "ZQq8dXy8"], ["user default on >REDACTED ~* +@all", "user gms on nopass ~gms:*"]),
    ("sentinel", "sentinel monitor mymaster 192.0.2.5 6379 2\nsentinel auth-pass mymaster ZQq8eXy7\n",
     ["ZQq8eXy7"], ["sentinel monitor mymaster 192.0.2.5 6379 2", "sentinel auth-pass mymaster REDACTED"]),
    ("pagerduty", "notify.url=https://events.pagerduty.com/integration/ZQq8fXy7/enqueue\n",
     ["ZQq8fXy7"], ["https://events.pagerduty.com/integration/REDACTED/enqueue"]),
    ("zapier", "notify.url=https://hooks.zapier.com/hooks/catch/123/ZQq8hXy7/\n",
     ["ZQq8hXy7"], ["https://hooks.zapier.com/hooks/catch/123/REDACTED/"]),
    ("generic-hook-path", "alert.target=https://chat.example.net/hooks/ZQq8i7k3m9xwq2p4rt5y6a\n",
     ["ZQq8i7k3m9xwq2p4rt5y6a"], ["https://chat.example.net/hooks/REDACTED"]),
]

KEPT = (
    "2025-11-20 10:00:07,011 INFO [p-1] GET https://gws.example.net/api/v2/me?sig=short&lang=en\n"
    "250-AUTH LOGIN PLAIN\n"
    "AUTH LOGIN\n"
    "user 7001 logged in -> ready\n"
    "sentinel monitor mymaster 192.0.2.5 6379 2\n"
    "GET https://gws.example.net/hooks/status/health 200\n"
    "see ghp_short, sk_live_ and AIza in the docs\n"
)


@pytest.mark.parametrize("case", LOG_LEAKS, ids=[c[0] for c in LOG_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_q_log_credentials_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path="var/log/jetty9/gms.log", fast=fast)


@pytest.mark.parametrize("case", CONFIG_LEAKS, ids=[c[0] for c in CONFIG_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_q_config_credentials_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind="config", path="opt/genesys/run.sh", fast=fast)


@pytest.mark.parametrize("kind", ["log", "config"])
def test_probe_q_neighbours_that_stay(rule_sets, kind) -> None:
    assert_redacted(rule_sets, KEPT, [], KEPT.splitlines(), kind=kind)


def test_probe_q_case_text_passwords_and_names(tmp_path: Path) -> None:
    describe = ("GAX login fails. login: admin / ZQqAbXy7, password => ZQqAcXy7, password -> ZQqAdXy7, "
                "pw => ZQqAgXy7, Passwort ist ZQqAeXy7, Kennwort: ZQqAhXy7, mot de passe: ZQqAfXy7, "
                "le mot de passe est ZQqAiXy7, mdp ZQqAj9xy. customer Harriet Ostrowski called twice.")
    with text_redactor(tmp_path / "state") as redact:
        out = redact(describe)
        assert redact(out) == out
        kept = redact("Passwort abgelaufen; customer service queue VQ_Sales; login page /gax/login.html for /opt; "
                      "Customer Care Group called back")
    for marker in ("ZQqAb", "ZQqAc", "ZQqAd", "ZQqAe", "ZQqAf", "ZQqAg", "ZQqAh", "ZQqAi", "ZQqAj",
                   "Harriet", "Ostrowski"):
        assert marker not in out, out
    assert out.startswith("GAX login fails. login: admin / REDACTED"), out
    assert "customer NAME_" in out and " called twice." in out, out
    assert kept == ("Passwort abgelaufen; customer service queue VQ_Sales; login page /gax/login.html for /opt; "
                    "Customer Care Group called back")


SCANNER_FOUND = [
    ("GET /cb?state=x&t%3D" + GH, "vendor-token"),
    ("token glpat-ZQq7dE31m6kvcsUUgmKE", "vendor-token"),
    ("x=sk_live_ZQq7eI4BxWv65dagOcIN43Mt", "vendor-token"),
    ('{"t":"AIzaZQq7fBKROvGiTxMMH1IenVpnCJgbu5Jab"}', "vendor-token"),
    ("redirect=%2Fcb%3Fid_token%3D" + JWT, "jwt"),
    (r"Password = Zf11aXy7\r\n", "password"),
    ("q=key%3DAKIAIOSFODNN7EXAMPLE%26x", "aws-key"),
    ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab", "aws-key"),
]
SCANNER_CLEAN = [
    r"2025-11-20 10:00:05,000 DEBUG [main] Password = REDACTED\r\n",
    r'body {"password": "REDACTED\r\n"}',
    "t%3Dghp_REDACTED glpat-REDACTED sk_live_REDACTED AIzaREDACTED",
    "word xghp_ZQq7aQ8JZpDE0iGXlD6gNCFbaEPFjbD0kH8Oo stays",
]


@pytest.mark.parametrize("line,category", SCANNER_FOUND)
def test_scanner_finds_probe_q_shapes(line, category) -> None:
    scanner = LeakScanner("m")
    scanner.feed(b"first line\n" + line.encode() + b"\nlast\n")
    scanner.finish()
    assert [(f.line, f.category) for f in scanner.findings] == [(2, category)]


@pytest.mark.parametrize("line", SCANNER_CLEAN)
def test_scanner_quiet_on_redacted_probe_q_shapes(line) -> None:
    scanner = LeakScanner("m")
    scanner.feed(line.encode() + b"\n")
    scanner.finish()
    assert scanner.findings == []
