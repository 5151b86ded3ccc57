"""Probe AC 1, 8 and 7: the site languages' password keys as Java tooling writes them, settings
named after those words, and .properties continuation lines.

1. A .properties key with a non-ASCII letter written as a Java escape (db.l\\u00f6senord=X,
   db.contrase\\u00f1a=X, db.has\\u0142o=X: native2ascii, Jackson/json.dumps escape the same way),
   as ISO-8859-1 bytes (the .properties default: db.contrase\\xf1a=X) or with escaped blanks
   (Mot\\ de\\ passe X) shipped raw, and the scanner did not flag it. Now masked wherever the
   unescaped key is (key=value, key: value, key value, JSON), and flagged raw.
8. A key that goes on past a site-language password word (senha.expiracao.dias=90,
   kennwort-richtlinie: stark) was masked while the English one (password.min.length=8,
   password-policy: strong) stays: the setting words of the site languages now count like the
   English ones. A key that goes on with any other word is still masked (senha.nova=X), as the
   English one is (password.new=X).
7. A .properties continuation line (the line before ends in an odd number of backslashes) is
   value text of the previous key: the scanner no longer reads '    Passwort vergessen haben' as
   a key and its value. The redactor still masks it (its line rules do not see the previous line;
   fail closed)."""

from __future__ import annotations

import pytest

from tests.redacting import (  # noqa: F401 - rule_sets is a fixture
    assert_redacted, assert_redacted_bytes, framed_findings, rule_sets,
)

STAMP = "10:00:00.000 Std 04541 "
NEXT = "10:00:01.000 Std 04541 next record\n"
LOG = "var/log/genesys/GAX/gax.log"
PROPS = "opt/genesys/GAX/conf/db.properties"
BS = "\\"






# ------------------------------------------------------------------ 1: escaped and Latin-1 keys
ESCAPED_KEYS = ["db.l\\u00f6senord", "db.contrase\\u00f1a", "db.has\\u0142o", "db.CONTRASE\\u00D1A",
                "db.contrase\\u00D1a", "L\\u00D6SENORD", "HAS\\u0141O", "admin.l\\u00F6senord"]
SEPARATORS = ["=", ": ", " = ", " ", "\t"]

ESCAPED_LEAKS = [
    *[(f"props-{k}-{sep!r}", "config", PROPS, f"{k}{sep}Hemligt1\nhost=db01\n", ["Hemligt1"],
       [f"{k}{sep}REDACTED\nhost=db01\n"]) for k in ESCAPED_KEYS for sep in SEPARATORS],
    ("props-escaped-blanks", "config", PROPS,
     f"Mot{BS} de{BS} passe Secret98\nMot{BS} de{BS} passe=Secret97\nmot{BS} de{BS} passe : Secret96\n"
     f"palavra{BS} passe Segredo1\nmy{BS} mot{BS} de{BS} passe Secret95\n",
     ["Secret98", "Secret97", "Secret96", "Segredo1", "Secret95"],
     [f"Mot{BS} de{BS} passe REDACTED\nMot{BS} de{BS} passe=REDACTED\nmot{BS} de{BS} passe : REDACTED\n"]),
    ("log-key-value", "log", LOG, STAMP + "Config: db.l\\u00f6senord=Hemligt1, db.user=gim\n" + NEXT,
     ["Hemligt1"], ["db.l\\u00f6senord=REDACTED, db.user=gim\n", NEXT]),
    ("log-json-escaped", "log", LOG, STAMP + '{"user": "a", "contrase\\u00f1a": "Secreto1", "has\\u0142o": 12345678}\n',
     ["Secreto1", "12345678"], ['"contrase\\u00f1a": "REDACTED"', '"user": "a"']),
    ("config-json-escaped", "config", "opt/genesys/GAX/conf/app.json",
     '{\n  "l\\u00f6senord": "Hemligt3",\n  "user": "gim"\n}\n', ["Hemligt3"], ['  "user": "gim"\n']),
    ("log-escaped-blanks", "log", LOG, STAMP + f"props: Mot{BS} de{BS} passe=Secret94\n", ["Secret94"], []),
]

LATIN1_LEAKS = [
    ("props-latin1-eq", "config", PROPS, b"db.contrase\xf1a=Secreto1\nhost=db01\n", [b"Secreto1"],
     [b"db.contrase\xf1a=REDACTED\nhost=db01\n"]),
    ("props-latin1-space", "config", PROPS, b"db.l\xf6senord Hemligt1\n", [b"Hemligt1"], [b"db.l\xf6senord REDACTED\n"]),
    ("props-latin1-upper", "config", PROPS, b"CONTRASE\xd1A: Secreto2\nL\xd6SENORD\tHemligt2\n",
     [b"Secreto2", b"Hemligt2"], [b"CONTRASE\xd1A: REDACTED\nL\xd6SENORD\tREDACTED\n"]),
    ("props-latin2-haslo", "config", PROPS, b"db.has\xb3o=Tajne1\n", [b"Tajne1"], [b"db.has\xb3o=REDACTED\n"]),
    ("log-latin1", "log", LOG, b"10:00:00.000 Std 04541 login contrase\xf1a=Secreto3 user=a\n", [b"Secreto3"],
     [b"contrase\xf1a=REDACTED user=a\n"]),
]

ESCAPED_KEPT_CONFIG = (
    "mensaje=Contrase\\u00f1a incorrecta\nlogin.forgot=\\u00bfOlvid\\u00f3 su contrase\\u00f1a?\n"
    "db.contrase\\u00f1a.longitud=8\nl\\u00f6senord.giltighet.dagar=90\nresenha=boa\n"
    f"# Mot{BS} de{BS} passe Secret\n"
)
LATIN1_KEPT_CONFIG = b"mensaje=Contrase\xf1a incorrecta\ndb.contrase\xf1a.longitud=8\n"


@pytest.mark.parametrize("case", ESCAPED_LEAKS, ids=[c[0] for c in ESCAPED_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac1_escaped_site_language_keys_are_masked(rule_sets, case, fast) -> None:
    _, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


@pytest.mark.parametrize("case", LATIN1_LEAKS, ids=[c[0] for c in LATIN1_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac1_latin1_site_language_keys_are_masked(rule_sets, case, fast) -> None:
    _, kind, path, data, gone, kept = case
    assert_redacted_bytes(rule_sets, data, gone, kept, kind, path, fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac1_escaped_neighbours_stay(rule_sets, fast) -> None:
    # the escaped word in a value, a key that goes on past it with a setting word, a comment
    assert_redacted(rule_sets, ESCAPED_KEPT_CONFIG, [], [ESCAPED_KEPT_CONFIG], kind="config", path=PROPS, fast=fast)
    assert_redacted_bytes(rule_sets, LATIN1_KEPT_CONFIG, [], [LATIN1_KEPT_CONFIG], "config", PROPS, fast)


# ------------------------------------------------------------------ 8: settings named after the word
SETTINGS = (
    "senha.expiracao.dias=90\nkennwort-richtlinie: stark\npasswort.laenge=8\nkennwort.mindestlaenge = 10\n"
    "wachtwoord.lengte=8\ncontrase\u00f1a.longitud=8\nmot_de_passe.longueur=8\nl\u00f6senord.giltighet.dagar=90\n"
    "has\u0142o.historia=5\nsenha.tentativas=3\npasswort-versuche: 3\nsenha.validade.dias = 60\n"
    "kennwort.ablauf.tage=30\nsenha.politica=forte\ncontrasena.complejidad=alta\nsalasana.pituus=8\n"
    "password.min.length=8\npassword-policy: strong\n"
)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac8_site_language_settings_stay_in_config(rule_sets, fast) -> None:
    assert_redacted(rule_sets, SETTINGS, [], [SETTINGS], kind="config", path="opt/genesys/GAX/conf/gax.properties",
                    fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac8_site_language_settings_stay_in_a_log(rule_sets, fast) -> None:
    text = STAMP + "GAX settings: senha.expiracao.dias=90 kennwort-richtlinie: stark wachtwoord.lengte=8\n" + NEXT
    assert_redacted(rule_sets, text, [], [text], kind="log", path=LOG, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac8_secrets_next_to_the_settings_are_still_masked(rule_sets, fast) -> None:
    text = ("senha.expiracao.dias=90\nsenha=Segredo9\nsenha.nova=Segredo8\nkennwort-richtlinie: stark\n"
            "db.kennwort: Geheim77\nkennwort.admin=Geheim78\npassword.new=EngNew1\n"
            "kennwort.dias.extra=Geheim79\n")
    assert_redacted(rule_sets, text, ["Segredo9", "Segredo8", "Geheim77", "Geheim78", "EngNew1", "Geheim79"],
                    ["senha.expiracao.dias=90\n", "kennwort-richtlinie: stark\n"],
                    kind="config", path="opt/genesys/GAX/conf/gax.properties", fast=fast)
    log = STAMP + "settings senha.expiracao.dias=90 senha=Segredo7 kennwort-richtlinie: stark\n"
    assert_redacted(rule_sets, log, ["Segredo7"], ["senha.expiracao.dias=90", "kennwort-richtlinie: stark"],
                    kind="log", path=LOG, fast=fast)


# ------------------------------------------------------------------ scanner


SCANNER_FOUND = [
    (PROPS, b"db.l\\u00f6senord=Hemligt1"),
    (PROPS, b"db.contrase\\u00f1a=Secreto1"),
    (PROPS, b"db.has\\u0142o=Tajne1"),
    (PROPS, b"db.CONTRASE\\u00D1A: Secreto1"),
    (PROPS, b"db.contrase\xf1a=Secreto1"),
    (PROPS, b"CONTRASE\xd1A=Secreto1"),
    (PROPS, b"db.l\xf6senord Hemligt1"),
    (PROPS, b"db.l\\u00f6senord Hemligt1"),
    (PROPS, b"db.has\\u0141o\tTajne1"),
    (PROPS, b"Mot\\ de\\ passe Secret98"),
    (PROPS, b"Mot\\ de\\ passe=Secret98"),
    (PROPS, b"palavra\\ passe Segredo1"),
    (LOG, b"x contrase\\u00f1a=Secreto1"),
    (LOG, b'{"l\\u00f6senord": "Hemligt1"}'),
    (LOG, b"x contrase\xf1a=Secreto1"),
]

SCANNER_CLEAN = [
    (PROPS, b"db.l\\u00f6senord=REDACTED\ndb.contrase\xf1a=REDACTED\nMot\\ de\\ passe REDACTED\n"
            b"mensaje=Contrase\\u00f1a incorrecta\nresenha boa"),
    (LOG, b'x contrase\\u00f1a=REDACTED {"l\\u00f6senord": "REDACTED"} Contrase\\u00f1a incorrecta'),
]


@pytest.mark.parametrize(("member", "line"), SCANNER_FOUND)
def test_probe_ac1_scanner_flags_escaped_and_latin1_keys(member, line) -> None:
    assert framed_findings(member, line) == [(2, "password")]


@pytest.mark.parametrize(("member", "text"), SCANNER_CLEAN)
def test_probe_ac1_scanner_leaves_masked_escaped_keys(member, text) -> None:
    assert framed_findings(member, text) == []


MESSAGES = "opt/genesys/GAX/conf/messages_de.properties"
CONTINUED = (b"login.help=Wenn Sie Ihr \\\n    Passwort vergessen haben, wenden Sie sich an den Administrator.\n"
             b"error.msg=Konto gesperrt. \\\n    Secret questions are disabled\n"
             b"multi=eins \\\n  zwei \\\n  Kennwort drei Zeilen\n"
             b"crlf=eins \\\r\n    Passwort vergessen\r\n")


@pytest.mark.parametrize("chunk", [0, 1, 7, 40])
def test_probe_ac7_scanner_reads_a_continuation_line_as_value_text(chunk) -> None:
    assert framed_findings(MESSAGES, CONTINUED, chunk) == []


@pytest.mark.parametrize("chunk", [0, 1, 7, 40])
def test_probe_ac7_scanner_still_flags_a_key_line_after_a_value_that_ended(chunk) -> None:
    # an even number of backslashes is an escaped backslash: the next line is a key line
    text = (b"path=C:\\\\\nKennwort Geheim77\n"
            b"a=eins \\\n  zwei\nPasswort Geheim78\n"
            b"b=eins \\\\\\\n  Passwort drei\nc=1\n"
            b"  Kennwort Geheim79\n"
            # a comment line is not continued by its backslash
            b"# Kommentar \\\nKennwort Geheim80\n")
    assert framed_findings(MESSAGES, text, chunk) == [(3, "password"), (6, "password"), (10, "password"), (12, "password")]
