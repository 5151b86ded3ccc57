"""Password keys and PIN labels written URL-encoded in a query string (left open by probe AC's
fixers): a site-language key with its accented letter as UTF-8 percent escapes
(contrase%C3%B1a=, l%c3%b6senord=, has%C5%82o=), a key with its blanks encoded (mot+de+passe=,
mot%20de%20passe=, palavra%20passe=) and a PIN label with an encoded blank (PIN%20code%3D4829,
pin+code=, pass%20code%3D) shipped raw with no scanner finding. Prose with the same words, a
longer word (spin%20code%3D) and settings about a PIN (pin%20length%3D4) stay."""

from __future__ import annotations

import pytest

from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

STAMP = "10:00:00.000 Std 04541 "
LOG = "var/log/genesys/GVP_MCP/MCP.20240305.log"
INI = "opt/genesys/GVP_MCP/config/mcp.ini"
R, D = "REDACTED", "REDACTED-DIGITS"

PASSWORD_KEYS = ["contrase%C3%B1a", "CONTRASE%C3%91A", "l%c3%b6senord", "has%C5%82o", "mot+de+passe",
                 "mot%20de%20passe", "palavra%20passe", "palavra+passe"]
PIN_LABELS = ["PIN%20code%3D", "pin+code=", "pass%20code%3D", "pin%20entered%3D", "Pin+Number%3D"]


@pytest.mark.parametrize("key", PASSWORD_KEYS)
@pytest.mark.parametrize(("kind", "path", "stamp"), [("log", LOG, STAMP + "fetch "), ("config", INI, "url = ")])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_url_encoded_password_key_is_masked(rule_sets, key, kind, path, stamp, fast) -> None:
    text = f"{stamp}https://ivr.example/p?user=a&{key}=Secreto77&x=1\n"
    out = assert_redacted(rule_sets, text, ["Secreto77"], [f"&{key}={R}&x=1\n"], kind=kind, path=path, fast=fast)
    assert _findings(path, out) == []
    assert _findings(path, text) == [(1, "password")]


@pytest.mark.parametrize("label", PIN_LABELS)
@pytest.mark.parametrize(("kind", "path", "stamp"), [("log", LOG, STAMP + "fetch "), ("config", INI, "url = ")])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_url_encoded_pin_label_is_masked(rule_sets, label, kind, path, stamp, fast) -> None:
    text = f"{stamp}https://ivr.example/v?q=a%26{label}482921%26b=1\n"
    out = assert_redacted(rule_sets, text, ["482921"], [f"%26{label}{D}%26b=1\n"], kind=kind, path=path, fast=fast)
    assert _findings(path, out) == []
    assert _findings(path, text) == [(1, "pin")]


KEPT = (STAMP + "body mot de passe oublié, la contraseña es incorrecta, mot+de+passe est requis\n"
        + STAMP + "fetch https://ivr.example/v?pin%20length%3D4&spin%20code%3D4829&pin+count=3&pin%20code%3Dtrue\n")


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_url_encoded_neighbours_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT, [], [KEPT], kind="log", path=LOG, fast=fast)
    assert _findings(LOG, KEPT) == []


def _findings(member: str, text: str) -> list[tuple[int, str]]:
    scanner = LeakScanner(member)
    scanner.feed(text.encode())
    scanner.finish()
    return [(f.line, f.category) for f in scanner.findings]
