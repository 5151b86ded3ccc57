"""Probe Z: shapes next to ones already redacted.

- 1: a password under its key in another site language (Passwort=, Kennwort=, senha=,
  wachtwoord=, CONTRASEÑA:, mot_de_passe=, lösenord=, hasło=, salasana=, adgangskode=,
  passord= ...) as key=value / key: value / JSON / quoted in a log line and in INI, YAML,
  .properties and JSON configs; the case-text rules knew the words, the log and config rules
  did not. The same words in prose (Passwort abgelaufen) and longer words that only contain
  one (hasLogin, resenha) stay;
- 2: a card number after a double (or triple) URL-encoded plus or equals sign in a query
  string (?num=%252B4111..., %25252B, %253D): masked as after %2B; a 16-digit ConnID after it
  stays."""

from __future__ import annotations

import pytest

from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

STAMP = "09:30:08.000 Std 09900 "
NEXT = "09:30:09.000 Std 09900 next record\n"
LOG = "var/log/genesys/SIPS_A/SIPS_A.log"

# (id, kind, path, input, text that must be gone, text that must stay)
LEAKS = [
    # 1: logs
    ("log-passwort", "log", LOG, STAMP + "Passwort=Geheim77\n" + NEXT,
     ["Geheim77"], [STAMP + "Passwort=REDACTED\n", NEXT]),
    ("log-kennwort", "log", LOG, STAMP + "user=agent1 Kennwort=Geheim77 dn=7101\n",
     ["Geheim77"], ["user=agent1 Kennwort=REDACTED dn=7101\n"]),
    ("log-senha", "log", LOG, STAMP + "senha=Segredo77\n", ["Segredo77"], ["senha=REDACTED"]),
    ("log-wachtwoord", "log", LOG, STAMP + "wachtwoord=Geheim88\n", ["Geheim88"], ["wachtwoord=REDACTED"]),
    ("log-contrasena-upper-tilde", "log", LOG, STAMP + "CONTRASEÑA: Secreto77\n",
     ["Secreto77"], ["CONTRASEÑA: REDACTED"]),
    ("log-contrasena-tilde", "log", LOG, STAMP + "contraseña=Secreto76, host=db01\n",
     ["Secreto76"], ["contraseña=REDACTED, host=db01"]),
    ("log-contrasena", "log", LOG, STAMP + "contrasena=Secreto77\n", ["Secreto77"], ["contrasena=REDACTED"]),
    ("log-mot-de-passe", "log", LOG, STAMP + "mot_de_passe=Secret99 motdepasse=Secret98 MotDePasse: Secret97\n",
     ["Secret99", "Secret98", "Secret97"],
     ["mot_de_passe=REDACTED motdepasse=REDACTED MotDePasse: REDACTED"]),
    ("log-nordic-polish-finnish", "log", LOG,
     STAMP + "lösenord=Hemligt1 losenord=Hemligt2 LÖSENORD=Hemligt3 hasło=Tajne1 haslo=Tajne2 HASŁO=Tajne3\n"
     + STAMP + "salasana=Salainen1 adgangskode=Hemmelig1 passord=Hemmelig2 palavra-passe=Segredo5\n",
     ["Hemligt1", "Hemligt2", "Hemligt3", "Tajne1", "Tajne2", "Tajne3", "Salainen1", "Hemmelig1",
      "Hemmelig2", "Segredo5"],
     ["lösenord=REDACTED losenord=REDACTED LÖSENORD=REDACTED hasło=REDACTED haslo=REDACTED HASŁO=REDACTED\n",
      "salasana=REDACTED adgangskode=REDACTED passord=REDACTED palavra-passe=REDACTED\n"]),
    ("log-compound-keys", "log", LOG, STAMP + "db.Kennwort=Geheim71 userSenha=Segredo71 db_wachtwoord=Geheim72\n",
     ["Geheim71", "Segredo71", "Geheim72"],
     ["db.Kennwort=REDACTED userSenha=REDACTED db_wachtwoord=REDACTED"]),
    ("log-json-and-quoted", "log", LOG,
     STAMP + 'body {"user":"a","senha":"Segredo1","Passwort": "Geheim2","contraseña":"Clave3"}'
     " Kennwort=\"Geheim 4\" wachtwoord='Geheim5'\n",
     ["Segredo1", "Geheim2", "Clave3", "Geheim 4", "Geheim5"],
     ['{"user":"a","senha":"REDACTED","Passwort": "REDACTED","contraseña":"REDACTED"}',
      "Kennwort=\"REDACTED\" wachtwoord='REDACTED'"]),
    ("log-query-string", "log", LOG, "GET /ivr/auth?user=a&senha=Segredo9&lang=pt HTTP/1.1\n",
     ["Segredo9"], ["&senha=REDACTED&lang=pt HTTP/1.1"]),
    ("log-url-encoded", "log", LOG, "GET /ivr/auth?data=user%3Da%26senha%3DSegredo8%26lang%3Dpt HTTP/1.1\n",
     ["Segredo8"], ["senha%3DREDACTED%26lang%3Dpt HTTP/1.1"]),
    ("log-json-number", "log", LOG, STAMP + '{"user": "a", "Kennwort": 12345678, "port": 8080}\n',
     ["12345678"], ['"Kennwort": "REDACTED", "port": 8080}']),
    # 1: configs
    ("ini", "config", "opt/genesys/confserv/confserv.cfg",
     "[confserv]\nPasswort=Geheim 77 x\nKennwort = Geheim78\nport=2020\n",
     ["Geheim 77", "Geheim78"], ["[confserv]\nPasswort=REDACTED\nKennwort = REDACTED\nport=2020\n"]),
    ("yaml", "config", "opt/genesys/gws/config/application.yaml",
     "db:\n  senha: Segredo77\n  CONTRASEÑA: Secreto77\n  host: db01\n",
     ["Segredo77", "Secreto77"], ["  senha: REDACTED\n  CONTRASEÑA: REDACTED\n  host: db01\n"]),
    ("yaml-next-line", "config", "opt/genesys/gws/config/application.yaml",
     "db:\n  wachtwoord:\n    Geheim79\n  host: db01\n",
     ["Geheim79"], ["  wachtwoord:\n", "  host: db01\n"]),
    ("properties", "config", "opt/genesys/gax/conf/gax.properties",
     "db.mot_de_passe=Secret99\ndb.motdepasse: Secret98\ndb.lösenord=Hemligt4\ndb.url=jdbc:x\n",
     ["Secret99", "Secret98", "Hemligt4"],
     ["db.mot_de_passe=REDACTED\ndb.motdepasse: REDACTED\ndb.lösenord=REDACTED\ndb.url=jdbc:x\n"]),
    ("json", "config", "opt/genesys/gms/config/x.json",
     '{\n  "senha": "Segredo77",\n  "contraseña": "Secreto \\"77\\"",\n  "host": "db01"\n}\n',
     ["Segredo77", "Secreto"], ['  "senha": "REDACTED",\n', '  "host": "db01"\n']),
    # 2: cards after a double or triple URL-encoded plus (or equals, or space)
    ("card-after-double-encoded-plus", "log", LOG, "GET /x?num=%252B4111111111111111&y=1 HTTP/1.1\n",
     ["4111111111111111"], ["?num=%252BREDACTED-CARD&y=1 HTTP/1.1"]),
    ("card-after-triple-encoded-plus", "log", LOG, "GET /x?num=%25252b4111111111111111&y=1\n",
     ["4111111111111111"], ["?num=%25252bREDACTED-CARD&y=1"]),
    ("card-after-double-encoded-plus-00", "log", LOG, "GET /x?num=%252B005105105105105100&y=1\n",
     ["5105105105105100"], ["?num=%252B00REDACTED-CARD&y=1"]),
    ("card-after-double-encoded-plus-011", "log", LOG, "GET /x?num=%252B0114992739871645508&y=1\n",
     ["4992739871645508"], ["?num=%252B011REDACTED-CARD&y=1"]),
    ("card-after-double-encoded-equals-space", "log", LOG,
     "GET /x?q=num%253D4111111111111111%2526c%253D4111%25201111%25201111%25201111&y=1\n",
     ["4111111111111111", "4111%25201111"], ["?q=num%253DREDACTED-CARD%2526c%253D", "&y=1"]),
]

KEPT_LOG = (
    STAMP + "Passwort abgelaufen für Benutzer agent1, Kennwort falsch: agent2, senha expirada\n"
    + STAMP + "hasLogin=yes hasLocation=Berlin resenha=boa cacheSlot=5 password-policy=strong\n"
    + STAMP + "Passwort=${CS_PASSWORD} Kennwort=**** senha=REDACTED\n"
    + "GET /urs/call/%252B0067025123456789/map?x=%252B4111111111111112 HTTP/1.1\n"
)


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_z_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_z_neighbours_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT_LOG, [], [KEPT_LOG], kind="log", path=LOG, fast=fast)


SCANNER_FOUND = [
    STAMP + "Passwort=Geheim77",
    STAMP + "Kennwort: Geheim77",
    STAMP + "senha=Segredo77",
    STAMP + "wachtwoord=Geheim88",
    STAMP + "CONTRASEÑA: Secreto77",
    STAMP + "contrasena=Secreto77",
    STAMP + "mot_de_passe=Secret99",
    STAMP + "motdepasse=Secret99",
    STAMP + "lösenord=Hemligt1",
    STAMP + "hasło=Tajne1",
    STAMP + "salasana=Salainen1",
    STAMP + "adgangskode=Hemmelig1",
    STAMP + "passord=Hemmelig2",
    STAMP + '{"senha":"Segredo1"}',
]

SCANNER_CARDS = [
    "GET /x?num=%252B4111111111111111&y=1",
    "GET /x?num=%25252B4111111111111111&y=1",
    "GET /x?num=%252B005105105105105100&y=1",
    "GET /x?q=num%253D4111111111111111&y=1",
    "GET /x?q=c%253D4111%25201111%25201111%25201111&y=1",
]

SCANNER_CLEAN = [
    STAMP + "Passwort abgelaufen, Kennwort falsch: agent2",
    STAMP + "Passwort=REDACTED Kennwort=**** senha=${SENHA} hasLogin=agent1 resenha=boa",
    STAMP + "CONTRASEÑA: REDACTED, lösenord=REDACTED",
    "GET /x?num=%252BREDACTED-CARD&y=1 /urs/call/%252B0067025123456789/map",
    "GET /x?q=n%253D004111111111111111&id=%2520123456789012345678",
]


def _findings(line: str) -> list[tuple[int, str]]:
    scanner = LeakScanner("m")
    scanner.feed(b"first line\n" + line.encode() + b"\nlast\n")
    scanner.finish()
    return [(f.line, f.category) for f in scanner.findings]


@pytest.mark.parametrize("line", SCANNER_FOUND)
def test_scanner_finds_a_password_under_a_foreign_key(line) -> None:
    assert _findings(line) == [(2, "password")]


@pytest.mark.parametrize("line", SCANNER_CARDS)
def test_scanner_finds_a_card_after_a_multiply_encoded_sign(line) -> None:
    assert _findings(line) == [(2, "card-number")]


@pytest.mark.parametrize("line", SCANNER_CLEAN)
def test_scanner_leaves_foreign_words_and_masked_values(line) -> None:
    assert _findings(line) == []
