"""Probe AD 11, 12, 13, the edges left after the first fix (test_redaction_probead2_pins.py):
- a URL encoded twice (a URL inside a URL's query): PIN%253D48%252029%252013 and
  PIN%253A%2520482913 shipped raw, and PIN%253D4829%252D13 left %252D13, with no scanner finding
  (%253D itself was known; the encoded blank and the group joins were only known once-encoded);
  groups joined by an encoded plus (pin%3D48%2B29%2B13) the same;
- a PIN after the NIP or Geheimzahl label in the prose of its own language: "Votre NIP est 4829",
  "Ihre Geheimzahl lautet 582047", "Ihre PIN ist 4830", "Su PIN es 4831", "O seu PIN é 4832"
  shipped raw (English "Your PIN is 4829" is masked), and "PIN set to 4833".
Settings about a PIN (pin%2520length%253D4), prose without the digits (le NIP est requis,
Geheimzahl ist falsch, Ihre PIN ist 4 Stellen lang) and a date stay."""

from __future__ import annotations

import pytest

from tests.redacting import (  # noqa: F401 - rule_sets is a fixture
    assert_redacted, assert_redacted_bytes, finding_categories, rule_sets,
)

STAMP = "09:11:20.000 Trc 04541 "
LOG = "var/log/genesys/GVP_MCP/MCP.20240305.log"
INI = "opt/genesys/GVP_MCP/config/mcp.ini"
D = "REDACTED-DIGITS"

# (id, kind, path, input, values that must be gone, text that must be there)
ENCODED = [
    ("twice-encoded-groups", "log", LOG,
     STAMP + "GET /login?next=%2Fivr%3FPIN%253D48%252029%252013 HTTP/1.1\n",
     ["%252013", "48%252029"], [f"%3FPIN%253D{D} HTTP/1.1\n"]),
    ("twice-encoded-blank", "log", LOG,
     STAMP + "GET /login?next=%2Fivr%3FPIN%253A%2520482913%2526a%253D1 HTTP/1.1\n",
     ["482913"], [f"%3FPIN%253A%2520{D}%2526a%253D1 HTTP/1.1\n"]),
    ("twice-encoded-dash", "log", LOG,
     STAMP + "GET /login?next=%2Fivr%3Fpin%253D4829%252D13 HTTP/1.1\n",
     ["4829", "%252D13"], [f"%3Fpin%253D{D} HTTP/1.1\n"]),
    ("encoded-plus", "log", LOG,
     STAMP + "GET /ivr?pin%3D48%2B29%2B13&b=pin%253D48%252B29%252B14 HTTP/1.1\n",
     ["%2B13", "%252B14"], [f"?pin%3D{D}&b=pin%253D{D} HTTP/1.1\n"]),
    ("twice-encoded-label", "log", LOG,
     STAMP + "GET /login?next=%2Fivr%3FPIN%2520code%253D482913%2526pin%2520number%253A%2520482914 HTTP/1.1\n",
     ["482913", "482914"], [f"%3FPIN%2520code%253D{D}%2526pin%2520number%253A%2520{D} HTTP/1.1\n"]),
    # the scanner counted the digits of %20 as PIN digits: 13 of them read as a card, not judged
    ("encoded-groups-13-digits", "log", LOG, STAMP + "GET /ivr?PIN%3D482%20913%20123 HTTP/1.1\n",
     ["482", "913%20123"], [f"?PIN%3D{D} HTTP/1.1\n"]),
    ("twice-encoded-config", "config", INI,
     "[ivr]\nreturn.url = /login?next=%2Fivr%3Fnip%253A%2520739164%2526pin%253D48%252029%252013\n",
     ["739164", "%252013"], [f"%3Fnip%253A%2520{D}%2526pin%253D{D}\n"]),
]

PROSE = [
    ("prose-log", "log", LOG,
     STAMP + "prompt Votre NIP est 4829, Ihre Geheimzahl lautet 582047, Ihre PIN ist 4830, Su PIN es 4831\n"
     + STAMP + "prompt O seu PIN é 4832, agent PIN set to 4833, Geheimzahl ist '4834'\n",
     ["4829", "582047", "4830", "4831", "4832", "4833", "4834"],
     [f"Votre NIP est {D}, Ihre Geheimzahl lautet {D}, Ihre PIN ist {D}, Su PIN es {D}\n",
      f"O seu PIN é {D}, agent PIN set to {D}, Geheimzahl ist '{D}'\n"]),
    ("prose-ini", "config", INI, "[ivr]\nprompt.text = Ihre Geheimzahl ist 582047\nprompt.fr = Votre NIP est 739164\n",
     ["582047", "739164"], [f"Ihre Geheimzahl ist {D}\nprompt.fr = Votre NIP est {D}\n"]),
]

KEPT_LOG = (STAMP + "GET /ivr?pin%2520length%253D4%2526nip%2520length%253D6&q=PIN%253A%2520abc HTTP/1.1\n"
            + STAMP + "le NIP est requis, NIP est invalide 3 fois, Geheimzahl ist falsch, Ihre PIN ist 4 Stellen lang\n"
            + STAMP + "PIN set to expire, PIN ist 2024-03-05, NIP est 10:00:00, la NIP es 12345678901\n"
            + STAMP + "GET /a?pin%253D1.2.3&pin%253D2024-03-05 HTTP/1.1\n")
KEPT_INI = "[ivr]\nprompt.text = Bitte Geheimzahl eingeben, die Geheimzahl ist 4 bis 6 Ziffern lang\nnip.length = 6\n"


@pytest.mark.parametrize("case", ENCODED + PROSE, ids=[c[0] for c in ENCODED + PROSE])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad_pin_edges_are_masked(rule_sets, case, fast) -> None:
    _, kind, path, text, gone, kept = case
    out = assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)
    assert finding_categories(path, out) == []


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_latin1_prose_pin_is_masked(rule_sets, fast) -> None:
    data = (STAMP + "prompt O seu PIN ").encode() + b"\xe9 4835\n"
    assert_redacted_bytes(rule_sets, data, [b"4835"], [b"PIN \xe9 " + D.encode() + b"\n"], "log", LOG, fast)


@pytest.mark.parametrize("case", ENCODED, ids=[c[0] for c in ENCODED])
def test_scanner_flags_the_raw_twice_encoded_pins(case) -> None:
    _, _, path, text, _, _ = case
    assert finding_categories(path, text) and set(finding_categories(path, text)) == {"pin"}


@pytest.mark.parametrize(("kind", "path", "text"), [("log", LOG, KEPT_LOG), ("config", INI, KEPT_INI)])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_pin_settings_prose_and_dates_stay(rule_sets, kind, path, text, fast) -> None:
    assert_redacted(rule_sets, text, [], [text], kind=kind, path=path, fast=fast)
    assert finding_categories(path, text) == []
