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
