"""Probe Z: a caller's PIN (IVR digits GVP/VoiceXML collected, an ORS/URS strategy's trace) left raw
in three shapes next to ones already masked (pin=482921, <pin>482921</pin>, PIN entered '482921'):

- an XML element with attributes (<pin type="digits">482921</pin>) and CDATA content
  (<pin><![CDATA[482921]]></pin>, also in <param name="pin"> and <key>PIN</key><value>);
- a label with a word before the colon (Pin Entered: 482921, PIN collected:, pin input =);
- the same shapes for the other PIN-like keys (passcode, CVV, one-time code), and passcode=482921.

All masked as REDACTED-DIGITS, never tokenised (a token's value stays in the host's tokens.db).
Counters, lengths, retries, a PIN that was not given (none, invalid), spin and pinned stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

MCP = "var/log/genesys/MCP_M/MCP_M.20261127_090000_000.log"
AT = "09:30:08.000 Std 09900 "

# (id, line, text that must be there afterwards)
LEAKS = [
    # 1: an element with attributes
    ("xml-element-attributes", AT + '<pin type="digits">482921</pin>\n', '<pin type="digits">REDACTED-DIGITS</pin>'),
    ("xml-element-attributes-ns", AT + "<ns2:Pin xmlns:ns2='urn:ivr' len=\"6\">482922</ns2:Pin>\n",
     "len=\"6\">REDACTED-DIGITS</ns2:Pin>"),
    ("xml-passcode-attributes", AT + '<passcode type="digits">482923</passcode>\n',
     '<passcode type="digits">REDACTED-DIGITS</passcode>'),
    ("xml-cvv-attributes", AT + '<cvv2 mode="dtmf">733</cvv2>\n', '<cvv2 mode="dtmf">REDACTED-DIGITS</cvv2>'),
    # 2: CDATA
    ("xml-cdata", AT + "<pin><![CDATA[482921]]></pin>\n", "<pin><![CDATA[REDACTED-DIGITS]]></pin>"),
    ("xml-cdata-attributes", AT + '<PIN type="digits"><![CDATA[ 482924 ]]></PIN>\n',
     '<PIN type="digits"><![CDATA[ REDACTED-DIGITS ]]></PIN>'),
    ("xml-cdata-param", AT + '<param name="pin"><![CDATA[482925]]></param>\n',
     '<param name="pin"><![CDATA[REDACTED-DIGITS]]></param>'),
    ("xml-cdata-key-value", AT + "<key>CustomerPIN</key><value><![CDATA[482926]]></value>\n",
     "<key>CustomerPIN</key><value><![CDATA[REDACTED-DIGITS]]></value>"),
    ("xml-cdata-security-code", AT + "<securityCode><![CDATA[4829]]></securityCode>\n",
     "<securityCode><![CDATA[REDACTED-DIGITS]]></securityCode>"),
    # 3: a label with a word before the colon
    ("label-pin-entered-title", AT + "Pin Entered: 482921\n", "Pin Entered: REDACTED-DIGITS"),
    ("label-pin-entered", AT + "PIN entered: 482921, validating\n", "PIN entered: REDACTED-DIGITS, validating"),
    ("label-pin-collected", AT + "PIN collected: 482921\n", "PIN collected: REDACTED-DIGITS"),
    ("label-pin-input-equals", AT + "pin input = 482921\n", "pin input = REDACTED-DIGITS"),
    ("label-entered-pin", AT + "Entered PIN: 482921\n", "Entered PIN: REDACTED-DIGITS"),
    ("label-pin-code-entered", AT + "PIN Code entered: 482921.\n", "PIN Code entered: REDACTED-DIGITS."),
    ("label-pin-number", AT + "PIN number: 482921\n", "PIN number: REDACTED-DIGITS"),
    ("label-pin-received-quoted", AT + "PIN received: '482921'\n", "PIN received: 'REDACTED-DIGITS'"),
    ("label-pin-underscore", AT + "PIN_entered: 482921\n", "PIN_entered: REDACTED-DIGITS"),
    ("label-passcode-entered", AT + "Passcode entered: 482921\n", "Passcode entered: REDACTED-DIGITS"),
    ("label-otp-entered", AT + "OTP entered: 482921\n", "OTP entered: REDACTED-DIGITS"),
    ("label-cvv-entered", AT + "CVV entered: 737, Security code collected: 4567\n",
     "CVV entered: REDACTED-DIGITS, Security code collected: REDACTED-DIGITS"),
    ("label-cvv-is", AT + "caller CVV is 738\n", "caller CVV is REDACTED-DIGITS"),
    # passcode as key=value, as pin=482921 is
    ("passcode-key-value", AT + "passcode=482921&lang=en passcode: 482928 pass_code = '482929'\n",
     "passcode=REDACTED-DIGITS&lang=en passcode: REDACTED-DIGITS pass_code = 'REDACTED"),
    ("passcode-bare", AT + "caller passcode 482921 accepted\n", "caller passcode REDACTED-DIGITS accepted"),
]

KEPT = (
    AT + "pin_attempts=3 PIN length: 4 <pin_retries>3</pin_retries> <PinLength type=\"int\">6</PinLength>\n"
    + AT + "Pin Entered: (none) PIN entered: invalid PIN entered: REDACTED-DIGITS\n"
    + AT + "spin=123456 pinned=2 <spin type=\"x\">123456</spin> <spin><![CDATA[123456]]></spin>\n"
    + AT + "PIN entered: 1 of 3 attempts, PIN length entered: 4, pin 2024-03-05, passcode-length=6\n"
    + AT + "PIN expiry days: 365, pin_entered_count: 2, PIN entered at 09:30:08\n"
    + AT + '<pin type="digits"/><pin expr="lastresult$.utterance"></pin><cvv_length mode="x">3</cvv_length>\n'
)


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_z_pin_shapes_are_masked_not_tokenised(rule_sets, case, fast) -> None:  # noqa: F811
    _, text, kept = case
    secrets = [d for d in ("482921", "482922", "482923", "482924", "482925", "482926", "482927", "482928",
                           "482929", "4829", "737", "4567", "738", "733") if d in text]
    assert_redacted(rule_sets, text, secrets + ["USERDATA_"], [kept], path=MCP, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_z_pin_neighbours_stay(rule_sets, fast) -> None:  # noqa: F811
    assert_redacted(rule_sets, KEPT, [], KEPT.splitlines(keepends=True), path=MCP, fast=fast)
