"""Probe AC 4: PIN shapes in configuration files that the leak scanner flags but no config rule masked.

An IVR configuration with a prompt or default-PIN text (mcp.ini `conference.welcome = PIN code: 4829`)
failed the whole run (exit 30): pin-word-text and pin-value apply to logs only and pin-config-value
knew only `pin[_.-]?code` with `=` or `:`. The same for a label word (PIN number =, pin value:, Pin
Entered:, PinEntered=, PIN no:), an arrow or hash (PIN -> , PIN#), a URL-encoded equals sign
(pin%3D, PIN code%253D), and a VoiceXML field's <filled> value with no closing tag on the line
(<field name="pin" ...><filled>4829), which was unmasked in a log too, as was any element named
pin with the digits and no closing tag (<pin>4829, <param name="pin">4829) or an element the rule
did not list (<foo name="pin">4829</foo>).
Settings about a PIN (pin-length=4, pin-timeout = 3000, max-pin-retries=3, PinRetries=3,
pin.length=4) and prose (PIN length: 4, PIN#1 extension 4021, Pin Chen: 4412) stay."""

from __future__ import annotations

import pytest

from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, framed_findings, rule_sets  # noqa: F401 - rule_sets is a fixture

STAMP = "10:00:00.000 Std 04541 "
NEXT = "10:00:01.000 Std 04541 next record\n"
LOG = "var/log/genesys/GVP_MCP/MCP.20240305.log"
INI = "opt/genesys/GVP_MCP/config/mcp.ini"
XML = "opt/genesys/GVP_MCP/config/app.vxml"
D = "REDACTED-DIGITS"

CONFIG_LINES = [
    "PIN code: 4829", "PIN number = 4829", "pin value: 4829", "PIN -> 4829", "PIN => 4829", "PIN#4829",
    "pin%3D4829", "pin%253D4829", "PIN code%3D4829", "&pin%3D4829", "passcode%3D4829", "Pin Entered: 4829",
    "PinEntered=4829", "PIN no: 4829", "passcode -> 4829", "PIN: 48 29", "pin number: '4829'",
]

# (id, kind, path, input, text that must be gone, text that must stay)
LEAKS = [
    ("mcp-ini-welcome", "config", INI, "[ivr]\n; conference bridge\nconference.welcome = PIN code: 4829\n", ["4829"],
     [f"[ivr]\n; conference bridge\nconference.welcome = PIN code: {D}\n"]),
    *[(f"config-{line}", "config", INI, f"[ivr]\nprompt.text = {line}\n", ["4829", "48 29"],
       [f"prompt.text = {line.replace(chr(39) + '4829', chr(39) + D).replace('48 29', D).replace('4829', D)}\n"])
      for line in CONFIG_LINES],
    ("config-line-start", "config", INI, "PIN number = 4829\nPinEntered=4830\nPIN -> 4831\n", ["4829", "4830", "4831"],
     [f"PIN number = {D}\nPinEntered={D}\nPIN -> {D}\n"]),
    ("url-encoded-after-amp", "config", INI, "url = https://ivr.example/v?lang=en%26pin%3D4829&x=1\n", ["4829"],
     [f"%26pin%3D{D}&x=1\n"]),
    ("url-encoded-label-log", "log", LOG, STAMP + "GET /ivr?q=PIN code%3D4829 HTTP/1.1\n" + NEXT, ["4829"],
     [f"PIN code%3D{D} HTTP/1.1\n", NEXT]),
    # a VoiceXML field's <filled> value with no closing tag on the line
    *[(f"vxml-filled-{kind}", kind, path, pre + '<field name="pin" type="digits?length=4"><filled>4829\n' + post,
       ["4829"], [f'<field name="pin" type="digits?length=4"><filled>{D}\n' + post])
      for kind, path, pre, post in [("config", XML, "", "</filled></field>\n"), ("log", LOG, STAMP, NEXT)]],
    ("vxml-filled-spaced", "config", XML, '<field name="PIN_code"><filled> 4829-21 \n', ["4829", "-21"],
     [f'<field name="PIN_code"><filled> {D} \n']),
    # an element named for a PIN with its digits and no closing tag, or one the rule did not list
    ("xml-open-elements", "config", XML,
     '<pin>4829\n<pin type="digits">4830\n<ns2:PinCode>4831\n<param name="pin">4832\n'
     '<param name="pin"><![CDATA[4833\n<customerPin>4834\n',
     ["4829", "4830", "4831", "4832", "4833", "4834"],
     [f'<pin>{D}\n<pin type="digits">{D}\n<ns2:PinCode>{D}\n<param name="pin">{D}\n'
      f'<param name="pin"><![CDATA[{D}\n<customerPin>{D}\n']),
    ("xml-other-element", "config", XML, '<foo name="pin">4829</foo>\n<input name="pin" size="4">4830\n',
     ["4829", "4830"], [f'<foo name="pin">{D}</foo>\n<input name="pin" size="4">{D}\n']),
    ("xml-open-elements-log", "log", LOG,
     STAMP + '&lt;pin&gt;4829\n' + STAMP + '<pin> 48 29 \n' + STAMP + '<foo key="pin">4830</foo>\n' + NEXT,
     ["4829", "48 29", "4830"], [f"&lt;pin&gt;{D}\n", f"<pin> {D} \n", f'<foo key="pin">{D}</foo>\n', NEXT]),
]

KEPT_CONFIG = (
    "[ivr]\npin-length=4\npin_length=6\npin-timeout = 3000\nkpl-pin-timeout=3000\nmax-pin-retries=3\n"
    "PinRetries=3\npin.length=4\npin.max.retries = 3\notp_digits = 6\notp-length: 6\npin_digits = 4\n"
    "prompt.1 = PIN length: 4\nprompt.2 = PIN attempts: 3\nprompt.3 = PIN (4 digits): 1234\n"
    "prompt.4 = PIN timeout: 5000 ms\nprompt.5 = PIN status: 0200\nprompt.6 = PINs: 1234\n"
    "prompt.7 = PIN#1 extension 4021\nprompt.8 = GPIO pin 17 set high\nprompt.9 = pin 17 -> 1\n"
    "prompt.10 = PIN version: 8.5.100\nprompt.11 = Pin Chen: 4412\nprompt.12 = Agent Pin Chen (4412)\n"
    "prompt.13 = agent=Pin Chen, DN=4412\nprompt.14 = PIN entered: 1 of 3\nprompt.15 = PIN -> verified\n"
    "prompt.16 = pin%3Dtrue&pinLength%3D6\nprompt.17 = Please enter your PIN#\n"
)

KEPT_VXML = (
    '<field name="pin" type="digits?length=4">\n<field name="pin" type="digits?length=4"><filled>\n'
    '<field name="pin" type="digits?length=4"><filled>\n  <prompt>Please enter your PIN</prompt>\n'
    '<field name="pin"><grammar src="builtin:dtmf/digits?length=4"/>\n'
    '<field name="pin">Please enter 4829\n<pin>12\n<pin>4829.5\n<pin>2024-03-05\n<pin/>4829\n'
    '<pin_retries>3\n<spin>123456\n<PinLength>6\n<field name="main_menu"><filled>2\n'
    'prompt "Please enter your 4 digit PIN" 1234.wav\n'
)


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_pin_shapes_are_masked_in_config_files(rule_sets, case, fast) -> None:
    _, kind, path, text, gone, kept = case
    out = assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)
    scanner = LeakScanner(path)
    scanner.feed(out.encode())
    scanner.finish()
    assert [(f.line, f.category) for f in scanner.findings] == []


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_pin_settings_and_prose_stay_in_config(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT_CONFIG, [], [KEPT_CONFIG], kind="config", path=INI, fast=fast)


@pytest.mark.parametrize(("kind", "path", "stamp"), [("config", XML, ""), ("log", LOG, STAMP)])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_vxml_without_a_pin_value_stays(rule_sets, kind, path, stamp, fast) -> None:
    text = "".join(stamp + line + "\n" for line in KEPT_VXML.splitlines())
    assert_redacted(rule_sets, text, [], [text], kind=kind, path=path, fast=fast)


# the leak scanner judges the same shapes in a configuration file (so a future rule gap fails
# closed), now also after a URL-encoded & or ? (q=a%26pin%3D482921); the masked forms, settings
# about a PIN and prose stay clean
SCANNER_FOUND = [
    *[(INI, f"prompt.text = {line}") for line in CONFIG_LINES],
    (INI, "url = https://ivr.example/v?lang=en%26pin%3D482921&x=1"),
    (INI, "url = https://ivr.example/v%3Fpin%3D482921"),
    (INI, "q=%2526pinCode%253D482921"),
    (XML, '<field name="pin" type="digits?length=4"><filled>4829'),
    (XML, '<foo name="pin">4829</foo>'),
    (XML, "<pin>4829"),
    (LOG, STAMP + "GET /ivr?q=a%26pin%3D482921 HTTP/1.1"),
    (LOG, STAMP + "GET /ivr?q=a%26amp%3Bpin%3D482911 HTTP/1.1"),      # an escaped &amp; URL-encoded
    (INI, "q=a%2526amp%253Bpin%253D482911"),
]

SCANNER_CLEAN = [
    (INI, f"conference.welcome = PIN code: {D}\nprompt.1 = PIN number = {D}\nprompt.2 = PinEntered={D}\n"
          f"url = https://ivr.example/v?lang=en%26pin%3D{D}&x=1"),
    (INI, KEPT_CONFIG),
    (XML, f'<field name="pin" type="digits?length=4"><filled>{D}\n<foo name="pin">{D}</foo>\n<pin>{D}'),
    (XML, KEPT_VXML),
    (INI, "x%26spin%3D482921\nq=a%26pin%3Dtrue\nq=a%26pinLength%3D6"),
    (INI, "x%3Bspin%3D482921\nq=a%3Bpin%3Dtrue\nq=a%26amp%3BpinLength%3D6"),
]



@pytest.mark.parametrize(("member", "line"), SCANNER_FOUND)
def test_scanner_finds_a_pin_in_a_config_file(member, line) -> None:
    assert framed_findings(member, line) == [(2, "pin")]


@pytest.mark.parametrize(("member", "text"), SCANNER_CLEAN)
def test_scanner_leaves_masked_pins_and_settings(member, text) -> None:
    assert framed_findings(member, text) == []
