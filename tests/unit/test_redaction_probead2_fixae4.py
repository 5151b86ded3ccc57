"""Probe AD 4 and 17: a JSON object or list under a password key.

4. A JSON object pretty-printed under a site-language password key ("senha": { / "valor": "X" / })
   shipped raw; the one-line form ({"senha": {"valor": "X"}}) stayed raw and failed the run
   (exit 30). json-password-container, json-password-container-block and
   json-password-list-continued knew only the English words; they now take the site-language keys
   json-password takes (also escaped and in Latin-1), and spare the same setting keys
   ("senhaPolitica": {...}).
17. A harmless one-line settings object under a password key ({"senha": {"politica": "forte"}},
   {"password": {"policy": "strong"}}, {"password": {"expiry": 90}}) failed the run: the scanner
   read '{"policy":' as the password. The container rule now keeps the value of a member whose
   name is a setting (policy, politica, minLength, expiry, history ...: the names json-password
   spares after a password word) and masks every other member's value ("value", "valor", "db",
   "secret"...). The scanner judges the members of a one-line object the same way; an object it
   cannot read on its line (nested, not closed) is still a finding unless hidden."""

from __future__ import annotations

import pytest

from collector.scanner import LeakScanner
from tests.redacting import (  # noqa: F401 - rule_sets is a fixture
    assert_redacted, framed_findings, redacted_bytes, rule_sets,
)

JSON = "opt/genesys/GAX/conf/app.json"
LOG = "var/log/genesys/GAX/gax.log"
STAMP = "09:11:20.000 Trc 04541 "
NEXT = "09:11:21.000 Trc 04541 next record\n"
S = "PtNest2x"

SITE_KEYS = ["senha", "Kennwort", "contraseña", "CONTRASEÑA", "lösenord", "hasło", "wachtwoord", "mot_de_passe",
             "palavra-passe", "salasana", "adgangskode", "passord", "Passwort", "db_senha", "adminKennwort",
             "senhas", "l\\u00f6senord", "contrase\\u00f1a", "has\\u0142o"]






# ------------------------------------------------------------------ 4: site-language keys
@pytest.mark.parametrize("key", SITE_KEYS)
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad4_object_block_under_site_language_key_is_masked(rule_sets, key, fast) -> None:
    text = f'{{\n  "{key}": {{\n    "valor": "{S}",\n    "db": "{S}1"\n  }},\n  "port": 5432\n}}\n'
    out = assert_redacted(rule_sets, text, [S], [f'  "{key}": {{\n    "valor": "REDACTED",\n    "db": "REDACTED"\n',
                                                 '  },\n  "port": 5432\n}\n'], kind="config", path=JSON, fast=fast)
    assert framed_findings(JSON, out.encode()) == []


@pytest.mark.parametrize("key", SITE_KEYS)
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad4_one_line_object_under_site_language_key_is_masked(rule_sets, key, fast) -> None:
    text = f'{{"{key}": {{"valor": "{S}", "cache": 48213377}}, "port": 5432}}\n'
    out = assert_redacted(rule_sets, text, [S, "48213377"],
                          [f'{{"{key}": {{"valor": "REDACTED", "cache": REDACTED}}, "port": 5432}}\n'],
                          kind="config", path=JSON, fast=fast)
    assert framed_findings(JSON, out.encode()) == []


@pytest.mark.parametrize("key", ["senha", "contraseña", "l\\u00f6senord"])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad4_lists_under_site_language_key_are_masked(rule_sets, key, fast) -> None:
    text = (f'{{"{key}": ["{S}a", "{S}b"]}}\n'
            f'  "{key}": [\n    "{S}c",\n    "{S}d"\n  ],\n  "hosts": ["db01"]\n')
    assert_redacted(rule_sets, text, [S], [f'{{"{key}": ["REDACTED", "REDACTED"]}}\n', '  "hosts": ["db01"]\n'],
                    kind="config", path=JSON, fast=fast)
    logged = STAMP + f'{{"{key}": ["{S}e",\n"{S}f"]}}\n' + NEXT
    assert_redacted(rule_sets, logged, [S], [NEXT], kind="log", path=LOG, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad4_latin1_keys_are_masked(rule_sets, fast) -> None:
    for key in (b"contrase\xf1a", b"l\xf6senord", b"has\xb3o"):
        data = b'{"' + key + b'": {"valor": "Lat1Nest"}}\n  "' + key + b'": {\n    "valor": "Lat1Nest2"\n  }\n'
        out = redacted_bytes(rule_sets, data, "config", JSON, fast)
        assert b"Lat1Nest" not in out, out


# ------------------------------------------------------------------ 17: setting names stay
KEPT = (
    '{"senha": {"politica": "forte"}}\n'
    '{"password": {"policy": "strong"}}\n'
    '{"password": {"expiryDays": 90}}\n'
    '{"password": {"minLength": 8, "maxAge": 90, "history": 5, "complexity": "high"}}\n'
    '{"Kennwort": {"Richtlinie": "stark", "Laenge": 12}}\n'
    '{"contraseña": {"longitud": 10, "caducidad": 90}}\n'
    '{"senhaPolitica": {"minimo": 8}}\n'
    '{"kennwortRichtlinie": {"zeichen": 12}}\n'
    '{"resenha": {"nota": "boa"}}\n'
    '{"passwordPolicy": {"minLength": 8, "history": 5}, "tokenTypes": ["bearer"]}\n'
)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad17_setting_objects_under_password_keys_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT, [], [KEPT], kind="config", path=JSON, fast=fast)
    assert framed_findings(JSON, KEPT.encode()) == []


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad17_bare_expiry_under_password_does_not_fail_the_run(rule_sets, fast) -> None:
    # kv-personal tokenises a bare "expiry" anywhere (a card's expiry date): left as it is; the
    # password rule no longer masks it and the run no longer fails
    out = redacted_bytes(rule_sets, b'{"password": {"expiry": 90}}\n', "config", JSON, fast)
    assert b"REDACTED" not in out and framed_findings(JSON, out) == []


# a secret next to the settings is still masked, whatever the setting names around it
MIXED = [
    ('{"password": {"policy": "strong", "value": "MixPw_01"}}\n', '{"password": {"policy": "strong", "value": "REDACTED"}}\n'),
    ('{"senha": {"politica": "forte", "valor": "MixPw_02"}}\n', '{"senha": {"politica": "forte", "valor": "REDACTED"}}\n'),
    ('{"password": {"secret": "MixPw_03", "expiryDays": 90}}\n', '{"password": {"secret": "REDACTED", "expiryDays": 90}}\n'),
    ('{"passwords": {"db": "MixPw_04", "length": 8}}\n', '{"passwords": {"db": "REDACTED", "length": 8}}\n'),
    ('{"password": {"storedValue": "MixPw_05"}}\n', '{"password": {"storedValue": "REDACTED"}}\n'),
    ('{"password": {"policyValue": "MixPw_06"}}\n', '{"password": {"policyValue": "REDACTED"}}\n'),
    ('{"senha": {"valor": "MixPw_07", "politica": "forte"}}\n', '{"senha": {"valor": "REDACTED", "politica": "forte"}}\n'),
    ('{"credentials": ["user1", "MixPw_08"]}\n', '{"credentials": ["REDACTED", "REDACTED"]}\n'),
    ('{"password": {"text": "MixPw_09"}}\n', '{"password": {"text": "REDACTED"}}\n'),
]


@pytest.mark.parametrize(("text", "want"), MIXED, ids=[w[:30] for _, w in MIXED])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad17_secret_next_to_settings_is_masked(rule_sets, text, want, fast) -> None:
    out = assert_redacted(rule_sets, text, ["MixPw_"], [want], kind="config", path=JSON, fast=fast)
    assert framed_findings(JSON, out.encode()) == []


# ------------------------------------------------------------------ scanner
SCANNER_FOUND = [
    b'{"senha": {"valor": "Pw77xa"}}',
    b'{"password": {"policy": "strong", "value": "Pw77xa"}}',
    b'{"password": {"db": "Pw77xa"}}',
    b'{"password": {"db": 48213377}}',
    b'{"Kennwort": {"Richtlinie": "stark", "wert": "Pw77xa"}}',
    b'{"password": {"policyValue": "Pw77xa"}}',
    b'{"password": {"value": {"v": "Pw77xa"}}}',           # nested: not read, a finding
    b'{"password": {"policy": "strong", "db": "Pw77xa",',   # not closed on its line
    b'{"contrase\\u00f1a": {"valor": "Pw77xa"}}',
]
SCANNER_CLEAN = [
    b'{"senha": {"politica": "forte"}}',
    b'{"password": {"policy": "strong"}}',
    b'{"password": {"expiry": 90}}',
    b'{"password": {"policy": "strong", "value": "REDACTED"}}',
    b'{"senha": {"valor": "REDACTED", "politica": "forte"}}',
    b'{"password": {"minLength": 8, "maxAge": 90, "history": 5}}',
    b'{"password": {}}',
]


@pytest.mark.parametrize("line", SCANNER_FOUND)
def test_probe_ad4_ad17_scanner_finds_a_secret_in_a_password_object(line) -> None:
    assert framed_findings(JSON, line) == [(2, "password")]


@pytest.mark.parametrize("line", SCANNER_CLEAN)
def test_probe_ad17_scanner_spares_settings_and_masked_values(line) -> None:
    assert framed_findings(JSON, line) == []


# the object or list pretty-printed over the next lines: each line judged up to the key's dedent
BLOCK_FOUND = [
    (b'{\n  "senha": {\n    "valor": "PtNest2"\n  }\n}', 4),
    (b'{\n  "password": {\n    "policy": "strong",\n    "db": "PtNest2"\n  }\n}', 5),
    (b'  "senha": [\n    "PtNest2",\n    "REDACTED"\n  ]', 3),
    (b'  "Kennwort": {\n    "Richtlinie": "stark",\n    "nested": {\n      "wert": "PtNest2"\n    }\n  }', 5),
]
BLOCK_CLEAN = [
    b'{\n  "senha": {\n    "valor": "REDACTED",\n    "politica": "forte"\n  },\n  "host": "db01"\n}',
    b'{\n  "password": {\n    "policy": "strong",\n    "minLength": 8\n  },\n  "user": "gim"\n}',
    b'  "senhas": [\n    "REDACTED",\n    "REDACTED"\n  ],\n  "hosts": [\n    "db01"\n  ]',
]


@pytest.mark.parametrize(("text", "line"), BLOCK_FOUND)
def test_probe_ad4_scanner_finds_a_secret_in_a_password_object_block(text, line) -> None:
    assert framed_findings(JSON, text) == [(line, "password")]


@pytest.mark.parametrize("text", BLOCK_CLEAN)
def test_probe_ad4_scanner_spares_a_masked_password_object_block(text) -> None:
    assert framed_findings(JSON, text) == []


def test_probe_ad4_scanner_follows_a_password_object_block_into_the_next_chunk() -> None:
    scanner = LeakScanner(JSON)
    scanner.feed(b'{\n  "senha": {\n')
    scanner.feed(b'    "politica": "forte",\n    "valor": "PtNest2"\n  },\n  "host": "db01"\n}\n')
    scanner.finish()
    assert [(f.line, f.category) for f in scanner.findings] == [(4, "password")]
