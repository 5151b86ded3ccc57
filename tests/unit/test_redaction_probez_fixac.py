"""Probe AA 3: a caller's PIN still shipped raw in shapes next to ones fixzb masked
(Pin Entered: 482921, <pin>4829-21</pin>, pin=482921):

- digits in groups after a label (Pin Entered: 4829-21, Pin Entered: 48 29 21, PIN: 4829 21);
- a camelCase label (PinEntered:), "pass code:", an arrow (PIN -> 482921);
- an XML element escaped as entities (&lt;pin&gt;..&lt;/pin&gt;) or with its digits on their own line;
- a URL-encoded equals sign (?acct=1&pin%3D482921);
- the <filled> text of a VoiceXML field named pin, as the GVP MCP prints it;
- configuration files: a JSON passcode (numeric or quoted), a properties line "pin 482921", a YAML
  value in quotes with a dash (pin: '4829-21').

All masked as REDACTED-DIGITS, never tokenised. Counters, lengths, retries, a PIN that was not
given, dates and times, spin, pinned and settings about a PIN (pin_length 4) stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

SIPS = "var/log/genesys/SIPS_P/SIPS_P.20261127_100000_000.log"
MCP = "var/log/genesys/MCP_1/MCP_1.20261127_100000_000.log"
AT = "10:00:00.000 Trc 04541 "
MCP_AT = "2026-11-27 10:00:00.000 DBUG 00000000-00000000 1234 "

# (id, kind, path, text, text that must be there afterwards)
LEAKS = [
    # digits in groups after a label
    ("label-dash-groups", "log", SIPS, AT + "Pin Entered: 4829-21\n", AT + "Pin Entered: REDACTED-DIGITS\n"),
    ("label-space-groups", "log", SIPS, AT + "Pin Entered: 48 29 21\n", AT + "Pin Entered: REDACTED-DIGITS\n"),
    ("colon-space-groups", "log", SIPS, AT + "PIN: 4829 21\n", AT + "PIN: REDACTED-DIGITS\n"),
    ("colon-dash-groups", "log", SIPS, AT + "PIN: 4829-21, retrying\n", AT + "PIN: REDACTED-DIGITS, retrying\n"),
    # label shapes
    ("camel-case-label", "log", SIPS, AT + "PinEntered: 482921\n", AT + "PinEntered: REDACTED-DIGITS\n"),
    ("camel-case-label-collected", "log", SIPS, AT + "pinCollected=482921 ok\n", AT + "pinCollected=REDACTED-DIGITS ok\n"),
    ("pass-code-two-words", "log", SIPS, AT + "pass code: 482921\n", AT + "pass code: REDACTED-DIGITS\n"),
    ("arrow", "log", SIPS, AT + "PIN -> 482921\n", AT + "PIN -> REDACTED-DIGITS\n"),
    ("fat-arrow", "log", SIPS, AT + "pin => '482921'\n", AT + "pin => 'REDACTED-DIGITS'\n"),
    # XML escaped as entities, digits on their own line
    ("xml-entities", "log", SIPS, AT + "&lt;pin&gt;482921&lt;/pin&gt;\n", AT + "&lt;pin&gt;REDACTED-DIGITS&lt;/pin&gt;\n"),
    ("xml-entities-attributes", "log", SIPS, AT + "&lt;ns2:PinCode type=\"digits\"&gt;4829-21&lt;/ns2:PinCode&gt;\n",
     "&gt;REDACTED-DIGITS&lt;/ns2:PinCode&gt;\n"),
    ("xml-next-line", "log", SIPS, AT + "<pin>\n482921\n</pin>\n", AT + "<pin>\nREDACTED-DIGITS\n</pin>\n"),
    ("xml-next-line-indented", "log", SIPS, AT + "<auth>\n  <passcode type=\"digits\">\n    4829 21\n  </passcode>\n</auth>\n",
     "  <passcode type=\"digits\">\n    REDACTED-DIGITS\n  </passcode>\n</auth>\n"),
    # URL-encoded equals sign
    ("url-encoded-equals", "log", SIPS, AT + "GET /ivr/verify?acct=1&pin%3D482921 HTTP/1.1\n",
     "&pin%3DREDACTED-DIGITS HTTP/1.1\n"),
    ("url-encoded-twice", "log", SIPS, AT + "fetch /app?q=acct%253D1%2526pinCode%253D482921&x=1\n",
     "pinCode%253DREDACTED-DIGITS&x=1\n"),
    # VoiceXML field's filled text (GVP MCP)
    ("vxml-field-filled-text", "log", MCP, MCP_AT + '<field name="pin"><filled>482921</filled></field>\n',
     '<field name="pin"><filled>REDACTED-DIGITS</filled></field>\n'),
    ("vxml-field-value", "log", MCP, MCP_AT + 'Page <field name="pin" type="digits"> value=482921\n',
     '<field name="pin" type="digits"> value=REDACTED-DIGITS\n'),
    # configuration files
    ("config-json-passcode-number", "config", "opt/genesys/app/app.json", '{"passcode": 482921}\n',
     '{"passcode": REDACTED-DIGITS}\n'),
    ("config-json-passcode-string", "config", "opt/genesys/app/app.json", '{"ivr": {"passcode": "482921"}}\n',
     '{"ivr": {"passcode": "REDACTED-DIGITS"}}\n'),
    ("config-json-pin-number", "config", "opt/genesys/app/app.json", '{"pin": 482921}\n', '{"pin": REDACTED-DIGITS}\n'),
    ("config-properties-space", "config", "opt/genesys/app/app.properties", "pin 482921\nivr.pin 4829-21\n",
     "pin REDACTED-DIGITS\nivr.pin REDACTED-DIGITS\n"),
    ("config-yaml-quoted-groups", "config", "opt/genesys/app/app.yaml", "agent:\n  pin: '4829-21'\n",
     "agent:\n  pin: 'REDACTED-DIGITS'\n"),
    ("config-yaml-number", "config", "opt/genesys/app/app.yaml", "agent:\n  pin: 482921\n", "agent:\n  pin: REDACTED-DIGITS\n"),
    ("config-ini", "config", "opt/genesys/app/app.ini", "[ivr]\ndefault_pin = 4829 21\n", "default_pin = REDACTED-DIGITS\n"),
]

KEPT_LOG = (
    AT + "pin_attempts=3 PIN length: 4 <pin_retries>3</pin_retries> Pin Entered: (none) PIN entered: 1 of 3\n"
    + AT + "spin=123456 pinned=2 PIN entered at 09:30:08, Pin Entered: 2024-03-05\n"
    + AT + "PIN -> verified, PIN => retry 2, PinLength: 6, PinRetries: 3, pass code length: 6\n"
    + AT + "&lt;pin_retries&gt;3&lt;/pin_retries&gt; &lt;spin&gt;123456&lt;/spin&gt; &lt;pin type=\"digits\"/&gt;\n"
    + AT + "GET /ivr?pin%3Dtrue&pinLength%3D6&spin%3D123456 HTTP/1.1\n"
    + AT + "<pin>\n</pin>\n<pin>\n  <length>6</length>\n</pin>\n<spin>\n123456\n</spin>\n"
    + "X-Genesys-PIN-Length: 6\r\nSupported: timer, pin\r\nX-Pin-Attempts: 3\r\n"
)
KEPT_MCP = (
    MCP_AT + '<field name="pin"><filled><assign name="x" expr="pin"/></filled></field>\n'
    + MCP_AT + '<field name="main_menu"><filled>2</filled></field> <field name="pin" type="digits"> value=lastresult\n'
)
KEPT_CONFIG = [
    ("opt/genesys/app/app.properties", "pin_length 4\npin_attempts 3\npin.timeout 5000\nspin 123456\npinned 2\npin 0\n"),
    ("opt/genesys/app/app.yaml", "ivr:\n  pin_length: 4\n  pin: 0\n  pinRetries: 3\n  passcodeExpiryDays: 90\n  pin: '2024-03-05'\n"),
    ("opt/genesys/app/app.json", '{"pinLength": 6, "passcodeExpiryDays": 90, "pin": true, "spin": 123456}\n'),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_aa_pin_shapes_are_masked_not_tokenised(rule_sets, case, fast) -> None:  # noqa: F811
    _, kind, path, text, kept = case
    secrets = [d for d in ("482921", "4829-21", "48 29 21", "4829 21", " 21\n", "4829", "USERDATA_") if d in text
               or d == "USERDATA_"]
    assert_redacted(rule_sets, text, secrets, [kept], kind=kind, path=path, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_aa_pin_neighbours_stay_in_logs(rule_sets, fast) -> None:  # noqa: F811
    assert_redacted(rule_sets, KEPT_LOG, [], KEPT_LOG.splitlines(keepends=True), path=SIPS, fast=fast)
    assert_redacted(rule_sets, KEPT_MCP, [], KEPT_MCP.splitlines(keepends=True), path=MCP, fast=fast)


@pytest.mark.parametrize("path,text", KEPT_CONFIG, ids=[p.rsplit(".", 1)[1] for p, _ in KEPT_CONFIG])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_aa_pin_settings_stay_in_configs(rule_sets, path, text, fast) -> None:  # noqa: F811
    assert_redacted(rule_sets, text, [], text.splitlines(keepends=True), kind="config", path=path, fast=fast)
