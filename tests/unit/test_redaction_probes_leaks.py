"""Leaks black-box probe S found in secondary channels: DTMF keypresses logged one per line
(GVP MCP), values inside nested or double URL-encoded URLs, and Netty hex dumps of payloads.
Correlation values on the same lines (session IDs, protocol names, offsets) stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

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
]


@pytest.mark.parametrize("line", STAY)
def test_probe_s_correlation_lines_stay(rule_sets, line) -> None:
    assert_redacted(rule_sets, line, [], [line])
