"""Probe AD 11, 12, 13: PINs that shipped raw with no scanner finding: under a NIP (French,
Spanish) or Geheimzahl (German) label outside attached data (NIP: 739164 in a log, Geheimzahl:
582047 in an .ini, <nip> in VoiceXML); after a URL-encoded colon (PIN%3A482913, PIN%3a%20482913);
in digit groups joined by an encoded blank, + or dash (pin%3D48%2029%2013, pin%3D48+29+13,
pin%3D4829%2D13 left %2D13). Settings about a PIN and prose stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, finding_categories, rule_sets  # noqa: F401 - rule_sets is a fixture

STAMP = "09:11:20.000 Trc 04541 "
LOG = "var/log/genesys/GVP_MCP/MCP.20240305.log"
INI = "opt/genesys/GVP_MCP/config/mcp.ini"
VXML = "opt/genesys/GVP_MCP/config/app.vxml"
D = "REDACTED-DIGITS"

# (id, kind, path, input, values that must be gone, text that must be there)
LEAKS = [
    ("nip-log", "log", LOG, STAMP + "prompt NIP: 739164, nip 739165\n", ["739164", "739165"],
     [f"prompt NIP: {D}, nip {D}\n"]),
    ("geheimzahl-ini", "config", INI, "[ivr]\nprompt.text = Geheimzahl: 582047\n", ["582047"],
     [f"prompt.text = Geheimzahl: {D}\n"]),
    ("nip-config-line", "config", INI, "nip = 739164\n", ["739164"], [f"nip = {D}\n"]),
    ("nip-vxml", "config", VXML, '<nip>739164</nip>\n<Geheimzahl>582047\n<field name="nip"><filled>4829\n',
     ["739164", "582047", "4829"], [f"<nip>{D}</nip>\n<Geheimzahl>{D}\n", f'<field name="nip"><filled>{D}\n']),
    ("nip-xml-log", "log", LOG, STAMP + "<nip>739164</nip> &lt;geheimzahl&gt;582047\n", ["739164", "582047"],
     [f"<nip>{D}</nip> &lt;geheimzahl&gt;{D}\n"]),
    ("encoded-colon", "log", LOG, STAMP + "GET /ivr?PIN%3A482913&a=PIN%3a%20482914&b=pin%3A+482915 HTTP/1.1\n",
     ["482913", "482914", "482915"], [f"?PIN%3A{D}&a=PIN%3a%20{D}&b=pin%3A+{D} HTTP/1.1\n"]),
    ("encoded-groups", "log", LOG,
     STAMP + "GET /ivr?pin%3D48%2029%2013&a=pin%3D48+29+14&b=pin%3D4829%2D15&c=PIN%3A%2048%2029%2016 HTTP/1.1\n",
     ["48%2029%2013", "%2013", "48+29+14", "+14", "%2D15", "%2016"],
     [f"?pin%3D{D}&a=pin%3D{D}&b=pin%3D{D}&c=PIN%3A%20{D} HTTP/1.1\n"]),
    ("encoded-config", "config", INI, "url = https://ivr.example/v?pin%3A482913%26n%3D1&p=PIN%3D48%2029%2013\n",
     ["482913", "%2013"], [f"?pin%3A{D}%26n%3D1&p=PIN%3D{D}\n"]),
]

KEPT_LOG = (STAMP + "NIP length: 6, pin%20length%3D4, nip 1 of 3, NIPs: 3, PIN%3A%20abc, Nipper: 123456, snip: 1234\n"
            + STAMP + "Geheimzahl falsch, Geheimzahl-Laenge: 4, pin%3Dtrue, PIN%3A 2024-03-05\n")
KEPT_INI = "[ivr]\nnip-length = 6\ngeheimzahl.max.retries = 3\nnip_timeout=3000\n"


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad_pin_shapes_are_masked(rule_sets, case, fast) -> None:
    _, kind, path, text, gone, kept = case
    out = assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)
    assert finding_categories(path, out) == []


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
def test_scanner_flags_the_raw_pins(case) -> None:
    _, _, path, text, _, _ = case
    assert finding_categories(path, text) and set(finding_categories(path, text)) == {"pin"}


@pytest.mark.parametrize(("kind", "path", "text"), [("log", LOG, KEPT_LOG), ("config", INI, KEPT_INI)])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_pin_settings_and_prose_stay(rule_sets, kind, path, text, fast) -> None:
    assert_redacted(rule_sets, text, [], [text], kind=kind, path=path, fast=fast)
    assert finding_categories(path, text) == []
