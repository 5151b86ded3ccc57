"""Probe W 1: a PIN the IVR collects must be masked, never shipped raw nor tokenised (a token's
value is kept in the host's tokens.db). GVP MCP prints the recognition result as a shadow
variable (lastresult$.utterance / interpretation) and VoiceXML/SCXML/XML name the PIN in an
attribute (<assign name="customerPIN" expr="'4821'"/>, <param name="PIN" value="4821"/>).
A menu choice (agent, billing, 2) and settings named after the PIN (pinLength) stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

MCP = "var/log/genesys/MCP_M/MCP_M.20261127_090000_000.log"
HEAD = "2026-11-27 09:15:12.000 DBUG 00DE020E-1000A3B1 4188 50010 vxmli: "

PIN_LINES = [
    ("field-filled-utterance",
     HEAD + "<field name=\"pin\"> filled: application.lastresult$.utterance = '4 8 2 1', inputmode = 'dtmf', confidence = 1.0\n",
     "'4 8 2 1'",
     "<field name=\"pin\"> filled: application.lastresult$.utterance = 'REDACTED-DIGITS', inputmode = 'dtmf', confidence = 1.0"),
    ("field-filled-short-value",
     HEAD + "<field name=\"customer_pin\"> filled: application.lastresult$.utterance = '48'\n",
     "'48'", "utterance = 'REDACTED-DIGITS'"),
    ("lastresult-utterance",
     HEAD + "application.lastresult$.utterance = '4821'\n", "4821",
     "application.lastresult$.utterance = 'REDACTED-DIGITS'"),
    ("lastresult-interpretation",
     HEAD + "lastresult$[0].interpretation = '4821'\n", "4821",
     "lastresult$[0].interpretation = 'REDACTED-DIGITS'"),
    ("shadow-variable-of-pin-field",
     HEAD + "pin$.utterance = 'four eight'\n", "four eight", "pin$.utterance = 'REDACTED-DIGITS'"),
    ("assign-name-customer-pin",
     HEAD + "assign name=\"customerPIN\" expr=\"'4821'\"\n", "4821",
     "assign name=\"customerPIN\" expr=\"'REDACTED-DIGITS'\""),
    ("param-name-pin", HEAD + "<param name=\"PIN\" value=\"4821\"/>\n", "4821",
     "<param name=\"PIN\" value=\"REDACTED-DIGITS\"/>"),
    ("var-name-pin", HEAD + "<var name=\"pin\" expr=\"'4821'\"/>\n", "4821",
     "<var name=\"pin\" expr=\"'REDACTED-DIGITS'\"/>"),
    ("scxml-location-pin", "  <assign location=\"_data.pin\" expr=\"'1122'\"/>\n", "1122",
     "<assign location=\"_data.pin\" expr=\"'REDACTED-DIGITS'\"/>"),
    ("param-element-passcode", "<param name=\"passcode\">483921</param><item key=\"cvv2\">734</item>\n", "483921",
     "<param name=\"passcode\">REDACTED-DIGITS</param><item key=\"cvv2\">REDACTED-DIGITS</item>"),
    ("key-value-elements", "<kvitem><key>CustomerPIN</key><value>4825</value></kvitem>\n", "4825",
     "<key>CustomerPIN</key><value>REDACTED-DIGITS</value>"),
]


@pytest.mark.parametrize("text,gone,kept", [p[1:] for p in PIN_LINES], ids=[p[0] for p in PIN_LINES])
def test_collected_pin_is_masked_not_tokenised(rule_sets, text, gone, kept):  # noqa: F811
    out = assert_redacted(rule_sets, text, [gone, "USERDATA_"], [kept], path=MCP)
    assert "DBUG 00DE020E-1000A3B1 4188" in out or not text.startswith(HEAD)


def test_menu_choices_stay(rule_sets):  # noqa: F811
    text = (HEAD + "<field name=\"main_menu\"> filled: application.lastresult$.utterance = 'billing', inputmode = 'voice'\n"
            + HEAD + "application.lastresult$.utterance = 'agent', lastresult$[0].interpretation = 'billing', main_menu$.utterance = '2'\n")
    assert_redacted(rule_sets, text, [], [text], path=MCP)


def test_pin_settings_are_not_masked(rule_sets):  # noqa: F811
    text = ('<var name="pinLength" expr="4"/><var name="maxPinRetries" expr="3"/><var name="spin" expr="\'1234\'"/>'
            '<var name="pin" expr="lastresult$.utterance"/><property name="pinned" value="1234"/>\n')
    out = assert_redacted(rule_sets, text, [], ['<var name="pinLength" expr="', '<var name="pin" expr="'], path=MCP)
    assert "REDACTED-DIGITS" not in out


@pytest.mark.parametrize("text,gone,kept", [
    ("09:15:02.004 Std 09900 pin=****4821 customerPIN=**4822\n", "482",
     "pin=REDACTED-DIGITS customerPIN=REDACTED-DIGITS"),
    ("09:15:02.004 Std 09900 card_cvv=734 cardCvv: 735 customer_security_code=7361 cvv=****737\n", "73",
     "card_cvv=REDACTED-DIGITS cardCvv: REDACTED-DIGITS customer_security_code=REDACTED-DIGITS cvv=REDACTED-DIGITS"),
], ids=["partly-hidden-pin", "cvv-under-longer-key"])
def test_pin_and_cvv_keys_are_masked_not_tokenised(rule_sets, text, gone, kept):  # noqa: F811
    assert_redacted(rule_sets, text, [gone, "USERDATA_"], [kept])
