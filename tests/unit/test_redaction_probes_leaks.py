"""Leaks black-box probe S found in secondary channels: DTMF keypresses logged one per line
(GVP MCP), values inside nested or double URL-encoded URLs, and Netty hex dumps of payloads.
Correlation values on the same lines (session IDs, protocol names, offsets) stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

MCP = "17:05:11.100 Dbg 32001 [0A1B2C3D-0000-1111-2222-333344445555] "

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    ("dtmf-digit-before-received",
     MCP + "DTMF 4 received (RFC2833, duration 120)\n" + MCP + "DTMF # received (RFC2833, duration 80)\n",
     ["DTMF 4", "DTMF #", "RFCREDACTED"],
     ["DTMF REDACTED-DIGITS received (RFC2833, duration 120)", "[0A1B2C3D-0000-1111-2222-333344445555]"]),
    ("dtmf-digit-quoted-detected",
     MCP + "DTMF digit '5' detected\n",
     ["'5'"], ["DTMF digit 'REDACTED-DIGITS' detected"]),
    ("ngi-event-dtmf",
     MCP + "NGI: event dtmf=4\n",
     ["dtmf=4"], ["NGI: event dtmf=REDACTED-DIGITS"]),
    ("received-digit",
     MCP + "received digit 9\n",
     ["digit 9"], ["received digit REDACTED-DIGITS"]),
    ("netty-hex-dump",
     "2026-11-27 17:05:12.400 DEBUG [cluster1-nio-worker-2] io.netty.handler.logging.LoggingHandler - "
     "[id: 0x1a2b3c4d, L:/192.0.2.20:41234 - R:/192.0.2.30:9042] WRITE: 52B\n"
     "         +-------------------------------------------------+\n"
     "         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |\n"
     "+--------+-------------------------------------------------+----------------+\n"
     '|00000000| 7b 22 61 6e 69 22 3a 22 2b 31 35 35 35 38 36 37 |{"ani":"+1555867|\n'
     '|00000010| 35 33 30 39 22 2c 22 63 61 72 64 22 3a 22 33 35 |5309","card":"35|\n'
     '|00000020| 33 30 31 31 31 33 33 33 33 30 30 30 30 30 22 7d |30111333300000"}|\n'
     "+--------+-------------------------------------------------+----------------+\n",
     ["1555867", "5309", "30111333300000", "2b 31 35", "33 30 31 31"],
     ["[id: 0x1a2b3c4d, L:/192.0.2.20:41234 - R:/192.0.2.30:9042] WRITE: 52B\n",
      "|00000000| REDACTED-PAYLOAD\n|00000010| REDACTED-PAYLOAD\n|00000020| REDACTED-PAYLOAD\n+--------+"]),
    ("rm-invite-voicexml-url",
     "17:05:10.000 Trc 33008 Request received: INVITE sip:4155550123@192.0.2.20:5060;gvp.rm.datanodes=1;"
     "voicexml=http://apps.example.local/ivr/start.vxml%3Fani%3D%2B15558675309%26email%3Djane.doe%40example.org SIP/2.0\n",
     ["15558675309", "jane.doe"], ["start.vxml%3Fani%3D%2BPHONE_", "%26email%3DEMAIL_", " SIP/2.0\n"]),
    ("encoded-filter-ssn",
     '192.0.2.51 - - [27/Nov/2026:17:05:19 +0000] "GET /api/v2/contacts?filter=lastName%3DRossi%26ssn%3D219099999 HTTP/1.1" 200 10\n',
     ["219099999"], ["%26ssn%3DREDACTED-SSN HTTP/1.1\" 200 10"]),
    ("double-encoded-phone-email",
     '"GET /api/v2/search?q=%252B16025550171&e=p.nowak%2540example.pl HTTP/1.1" 200 10\n',
     ["16025550171", "p.nowak"], ["?q=%252BPHONE_", "&e=EMAIL_"]),
    ("encoded-json",
     '"GET /api/v2/search?data=%7B%22phone%22%3A%20%225035550163%22%2C%20%22email%22%3A%20%22jane.doe%2Bivr%40example.org%22%7D HTTP/1.1"\n',
     ["5035550163", "jane.doe", "ivr"], ["%22phone%22%3A%20%22PHONE_", "%22email%22%3A%20%22EMAIL_", "%22%7D HTTP/1.1"]),
    ("phone-path-segment",
     '"GET /api/v2/contacts/7135550142/history HTTP/1.1" 200 512\n',
     ["7135550142"], ["/api/v2/contacts/PHONE_", "/history HTTP/1.1"]),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_s_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path="opt/genesys/gvp/MCP/logs/MCP_P.log", fast=fast)


STAY = [
    MCP + "RFC2833 payload type 101 negotiated\n",
    MCP + "DTMF received (RFC2833, duration 120)\n",
    MCP + "DTMF mode set to 2 (inband)\n",
    '"GET /api/v2/contacts/00001234/history HTTP/1.1" 200 512\n',
    '"GET /api/v2/calls/006c02462a161006/record HTTP/1.1" 200 512\n',
    '"GET /api/v2/interactions/7135550142/notes HTTP/1.1" 200 512\n',
    '"GET /api/v2/contacts/0A1B2C3D-0000-1111-2222-333344445555 HTTP/1.1" 200 512\n',
    "fetch start.vxml?next=%2Fmenu.vxml%3Fanimation%3D1%26cli_timeout%3D30000%26session%3D0A1B2C3D\n",
]


@pytest.mark.parametrize("line", STAY)
def test_probe_s_correlation_lines_stay(rule_sets, line) -> None:
    assert_redacted(rule_sets, line, [], [line])


def _tokens(out: str, prefix: str) -> list[str]:
    return [prefix + part[:10] for part in out.split(prefix)[1:]]


@pytest.mark.parametrize("encoded, plain, prefix", [
    ("voicexml=http://a/start.vxml%3Fani%3D%2B15558675309%26x%3D1\n", "ani=+15558675309\n", "PHONE_"),
    ("voicexml=http://a/start.vxml%3Femail%3Djane.doe%40example.org\n", "email jane.doe@example.org\n", "EMAIL_"),
    ("GET /search?e=p.nowak%2540example.pl HTTP/1.1\n", "email p.nowak@example.pl\n", "EMAIL_"),
    ("GET /search?q=%252B16025550171 HTTP/1.1\n", "ani=+16025550171\n", "PHONE_"),
    ("GET /search?data=%7B%22phone%22%3A%20%225035550163%22%7D HTTP/1.1\n", "phone=5035550163\n", "PHONE_"),
    ("GET /api/v2/contacts/7135550142/history HTTP/1.1\n", "phone=7135550142\n", "PHONE_"),
])
def test_encoded_values_get_the_token_of_the_plain_value(rule_sets, encoded, plain, prefix) -> None:
    seen = _tokens(redacted(rule_sets, encoded, "log", "x.log"), prefix)
    want = _tokens(redacted(rule_sets, plain, "log", "x.log"), prefix)
    assert seen and seen == want
