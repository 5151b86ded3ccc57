"""Probe AA 2: the password keys of the site languages in the other shapes the English key has.

Branch fixza taught key=value, key: value and JSON forms the foreign words (Passwort, Kennwort,
senha, wachtwoord, contraseña, mot de passe, palavra-passe, lösenord, hasło, salasana,
adgangskode, passord); these still shipped raw and unflagged:
- a .properties line with a blank separator (Kennwort Zq9xK2mw, mot_de_passe<TAB>X, Mot de passe X);
- an XML element (<Passwort>X</Passwort>, also in a log record, split over lines, with value=,
  XML-escaped) and a name/value pair (<option name="wachtwoord" value="X"/>, <param-name>);
- a command-line option (--Kennwort X, -hasło X);
- Genesys attached data ('senha'<TAB>'X', 'hasło' [str] = "X", KVList: 'senha' 'X') and the
  upper-case accented keys (CONTRASEÑA, LÖSENORD, HASŁO).
Prose and longer words stay: a log's 'Kennwort abgelaufen', resenha, hasLogin, a key that goes
on past the word (Kennwort-Datei, passwortMinLength, 'SenhaVerified')."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, framed_findings, rule_sets  # noqa: F401 - rule_sets is a fixture

STAMP = "10:00:00.000 Std 04541 "
NEXT = "10:00:01.000 Std 04541 next record\n"
LOG = "var/log/genesys/SIPS_P/SIPS_P.log"
PROPS = "opt/genesys/app/app.properties"
XML = "opt/genesys/app/app.xml"
S = "Zq9xK2mw"

KEYS = ["Passwort", "Kennwort", "senha", "wachtwoord", "contraseña", "CONTRASEÑA", "mot_de_passe",
        "lösenord", "LÖSENORD", "hasło", "HASŁO", "salasana", "adgangskode", "passord", "palavra-passe",
        "db_kennwort", "adminPasswort"]

# (id, kind, path, input, text that must be gone, text that must stay)
LEAKS = [
    # .properties with a blank separator
    *[(f"properties-space-{k}", "config", PROPS, f"{k} {S}\nhost db01\n", [S], [f"{k} REDACTED\nhost db01\n"])
      for k in KEYS],
    ("properties-tab", "config", PROPS, f"mot_de_passe\t{S}\ndb.senha\t\t{S}x\n", [S],
     ["mot_de_passe\tREDACTED\ndb.senha\t\tREDACTED\n"]),
    ("properties-spaced-key", "config", PROPS, f"Mot de passe {S}\npalavra passe {S}x\n", [S],
     ["Mot de passe REDACTED\npalavra passe REDACTED\n"]),
    # XML elements
    *[(f"xml-element-{k}", "config", XML, f"<db><{k}>{S}</{k}></db>\n", [S], [f"<db><{k}>REDACTED</{k}></db>\n"])
      for k in KEYS],
    ("xml-element-log", "log", LOG, STAMP + f"<senha>{S}</senha> <hasło>{S}1</hasło>\n" + NEXT, [S],
     [STAMP + "<senha>REDACTED</senha> <hasło>REDACTED</hasło>\n", NEXT]),
    ("xml-element-attr-cdata", "config", XML,
     f'<Kennwort type="plain">{S}</Kennwort><wachtwoord><![CDATA[{S}1]]></wachtwoord>\n', [S],
     ['<Kennwort type="plain">REDACTED</Kennwort><wachtwoord><![CDATA[REDACTED]]></wachtwoord>\n']),
    ("xml-element-value-attr", "config", XML, f'<Kennwort value="{S}"/>\n', [S], ['<Kennwort value="REDACTED"/>\n']),
    ("xml-element-split", "log", LOG, STAMP + f"<senha>{S}\n</senha>\n" + NEXT, [S],
     [STAMP + "<senha>REDACTED\n</senha>\n", NEXT]),
    ("xml-element-next-line", "config", XML, f"<db>\n  <wachtwoord>\n    {S}\n  </wachtwoord>\n  <user>gim</user>\n",
     [S], ["  <wachtwoord>\n    REDACTED\n  </wachtwoord>\n  <user>gim</user>\n"]),
    ("xml-element-next-line-log", "log", LOG, STAMP + f"body <login><user>a</user><contraseña>\n    {S}\n</contraseña>\n" + NEXT,
     [S], ["<contraseña>\n    REDACTED\n</contraseña>\n", NEXT]),
    ("xml-escaped-element", "log", LOG, STAMP + f"req &lt;auth&gt;&lt;Passwort&gt;{S}&lt;/Passwort&gt;&lt;/auth&gt;\n",
     [S], ["&lt;Passwort&gt;REDACTED&lt;/Passwort&gt;&lt;/auth&gt;\n"]),
    # XML name/value pairs
    *[(f"xml-named-{k}", "config", XML, f'<option name="{k}" value="{S}"/>\n', [S],
       [f'<option name="{k}" value="REDACTED"/>\n']) for k in KEYS],
    ("xml-named-forms", "config", XML,
     f'<property name="db.senha" value="{S}"/>\n<entry key="Mot de passe">{S}1</entry>\n'
     f'<str_pair value="{S}2" key="hasło"/>\n',
     [S], ['<property name="db.senha" value="REDACTED"/>\n', '<entry key="Mot de passe">REDACTED</entry>\n',
           '<str_pair value="REDACTED" key="hasło"/>\n']),
    ("xml-named-log", "log", LOG, STAMP + f'<option name="wachtwoord" value="{S}"/>\n', [S], ['value="REDACTED"/>']),
    ("xml-name-value-elements", "config", XML,
     f"<context-param><param-name>db.kennwort</param-name><param-value>{S}</param-value></context-param>\n",
     [S], ["<param-value>REDACTED</param-value></context-param>\n"]),
    ("xml-name-value-next-line", "config", XML,
     f"    <param-name>cme.senha</param-name>\n    <param-value>{S}</param-value>\n  </context-param>\n",
     [S], ["    <param-value>REDACTED</param-value>\n"]),
    ("xml-name-value-next-line-log", "log", LOG, STAMP + f'Config dump: <option name="salasana">\n    {S}\n</option>\n' + NEXT,
     [S], ['<option name="salasana">\n    REDACTED\n</option>\n', NEXT]),
    ("xml-named-next-line", "config", XML, f'  <str_pair key="adgangskode"\n            value="{S}"/>\n  <str_pair key="user" value="gim"/>\n',
     [S], ['  <str_pair key="user" value="gim"/>\n']),
    # command-line options
    *[(f"cli-{k}", "log", LOG, STAMP + f"Command line: ./app --{k} {S} -host x\n", [S],
       [f"--{k} REDACTED -host x\n"]) for k in KEYS],
    ("cli-single-dash-quoted", "log", LOG, STAMP + f'Command line: ./app -hasło {S} -wachtwoord "{S} x" -port 2020\n',
     [S], ['-hasło REDACTED -wachtwoord "REDACTED" -port 2020\n']),
    # Genesys attached data
    *[(f"kv-tab-{k}", "log", LOG, STAMP + f"EventAttachedDataChanged\n\tAttributeUserData\t[44] 00 01 00 00..\n\t\t'{k}'\t'{S}'\n" + NEXT,
       [S], [f"\t\t'{k}'\t'REDACTED'\n", NEXT]) for k in KEYS],
    *[(f"kv-str-{k}", "log", LOG, STAMP + f"m\n\t\t'{k}' [str] = \"{S}\"\n" + NEXT, [S],
       [f"\t\t'{k}' [str] = \"REDACTED\"\n", NEXT]) for k in KEYS],
    ("kvlist-inline", "log", LOG,
     STAMP + f"KVList: 'senha' '{S}' 'HASŁO' [str] = \"{S}1\" 'RStrategyName' 'Main'\n",
     [S], ["KVList: 'senha' 'REDACTED' 'HASŁO' [str] = \"REDACTED\" 'RStrategyName' 'Main'\n"]),
]

KEPT_LOG = (
    STAMP + "Kennwort abgelaufen für agent1, Passwort falsch\n"
    + "Kennwort abgelaufen\nsenha expirada\n"
    + STAMP + "Command line: ./app --Kennwort-Datei /opt/pw.txt -resenha boa - senha errada\n"
    + STAMP + "<resenha>boa</resenha><hasLogin>yes</hasLogin><passwortMinLength>8</passwortMinLength>\n"
    + STAMP + '<option name="senha-expiry-days" value="90"/><option name="resenha" value="boa"/>\n'
    + STAMP + "m\n\t\t'resenha'\t'boa'\n\t\t'hasLogin'\t'agent1'\n\t\t'SenhaVerified'\t'Y'\n\t\t'KennwortAttempts'\t2\n"
    + STAMP + "KVList: 'resenha' 'boa' 'WachtwoordReset' 'requested'\n"
)

KEPT_CONFIG = (
    "Kennwortlaenge 12\nresenha boa\nhasLogin yes\n# Passwort setzen\npasswort.expiry 90\n"
)


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_aa_foreign_password_keys_are_redacted(rule_sets, case, fast) -> None:
    _, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_aa_neighbours_stay_in_a_log(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT_LOG, [], [KEPT_LOG], kind="log", path=LOG, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_aa_neighbours_stay_in_properties(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT_CONFIG, [], [KEPT_CONFIG], kind="config", path=PROPS, fast=fast)


SCANNER_FOUND = [
    ("m.log", STAMP + f"<senha>{S}</senha>"),
    ("m.xml", f"<db><Passwort>{S}</Passwort></db>"),
    ("m.xml", f"<db><password>{S}</password></db>"),
    ("m.xml", f"  <db_kennwort>{S}"),
    ("m.xml", f'<ns:contraseña type="plain"><![CDATA[{S}]]></ns:contraseña>'),
    ("m.xml", f"<dbPassword>{S}</dbPassword>"),
    ("m.log", f"\t\t'senha'\t'{S}'"),
    ("m.log", f"\t\t'hasło' [str] = \"{S}\""),
    ("m.log", f"\t\t'password' [str] = \"{S}\""),
    ("opt/genesys/app/app.properties", f"Kennwort {S}"),
    ("opt/genesys/app/app.properties", f"db.mot_de_passe\t{S}"),
    ("opt/genesys/app/app.properties", f"Mot de passe {S}"),
    ("opt/genesys/app/app.properties", f"db.password {S}"),
]

SCANNER_CLEAN = [
    ("m.log", STAMP + "<senha>REDACTED</senha><Passwort><![CDATA[REDACTED]]></Passwort><password/>"),
    ("m.log", STAMP + "<passwordPolicy>strong</passwordPolicy><resenha>boa</resenha><hasLogin>yes</hasLogin>"),
    ("m.log", STAMP + "<password>\n"),
    ("m.log", "\t\t'senha'\t'REDACTED'\n\t\t'hasło' [str] = \"REDACTED\"\n\t\t'resenha'\t'boa'"),
    ("m.log", "Kennwort abgelaufen"),
    ("opt/genesys/app/app.properties", "Kennwort REDACTED\n# Passwort setzen\nKennwortlaenge 12\npassword-expiration 90"),
    ("opt/genesys/app/app.properties", "password=REDACTED\nKennwort: REDACTED\nMot de passe REDACTED"),
]



@pytest.mark.parametrize(("member", "line"), SCANNER_FOUND)
def test_scanner_finds_a_password_element_kv_pair_or_properties_line(member, line) -> None:
    assert framed_findings(member, line) == [(2, "password")]


@pytest.mark.parametrize(("member", "text"), SCANNER_CLEAN)
def test_scanner_leaves_masked_values_and_words(member, text) -> None:
    assert framed_findings(member, text) == []
