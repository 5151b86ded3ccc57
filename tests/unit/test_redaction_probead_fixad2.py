"""Probe AC 3, 5, 9, 10: attached data outside the T-Lib print, and three over-maskings.

- Probe AC 3 (leak): a secret attached-data pair printed mid-line with a space between key and
  value (URS: UserData: 'senha' 'Secret99'; also 'PIN' '1234', 'AuthToken' 'x', 'Kennwort' 'x', ...)
  shipped raw, with no scanner finding; only the English password words were masked.
- Probe AC 5 (exit 30): the same pair not indented with tabs ('senha'<TAB>'X' at a line's start,
  UserData: 'senha'<TAB>'X', 'senha' [str] = "X" mid-line): the scanner flagged it, no rule masked it.
- Probe AC 10: PWD=/opt/genesys/gax (an environment dump's working directory) was masked as a
  password; an ODBC PWD=Secret1 stays masked.
- Probe AC 9: attached-data keys that go on past the secret word ('PinLength' '4', 'password-policy',
  'PasswordResetRequested' 'yes'), XML flags (<useSecret>yes</useSecret>, <resetPassword>enabled) and
  a blank <password>   </password> were masked."""

from __future__ import annotations

import pytest

from collector.scanner import LeakScanner
from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

URS = "var/log/genesys/URS_P/URS_P.20261127_190205_668.log"
SIPS = "var/log/genesys/SIPS_P/SIPS_P.20261127_171405_947.log"
GAX = "var/log/genesys/GAX/gax.20261127_220938_128.log"
XML = "opt/genesys/GAX/conf/gax.xml"
STAMP = "10:00:00.000 Trc 04541 "
NEXT = "10:00:01.000 Trc 04541 next record\n"
S = "Secret99"

SITE_KEYS = ["senha", "Passwort", "Kennwort", "wachtwoord", "contraseña", "CONTRASEÑA", "mot_de_passe",
             "lösenord", "LÖSENORD", "hasło", "HASŁO", "salasana", "adgangskode", "passord", "palavra-passe"]

# (id, path, input, text that must be gone, text that must stay)
LEAKS = [
    # probe AC 3: mid-line, a space between key and value
    *[(f"space-{k}", URS, STAMP + f"UserData: '{k}' '{S}'\n" + NEXT, [S], [f"UserData: '{k}' 'REDACTED'\n", NEXT])
      for k in SITE_KEYS],
    *[(f"space-{k}", URS, STAMP + f"UserData: '{k}' '{v}'\n" + NEXT, [v], [f"UserData: '{k}' '", NEXT])
      for k, v in [("password", S), ("Password", S), ("secret", "Sx99abcd"), ("PIN", "482913"),
                   ("CustomerPIN", "4321"), ("PassCode", "9911"), ("AuthToken", "UdTok_abcdef"),
                   ("otp", "482913"), ("DIGITS", "918275"), ("NIP", "448812"), ("Geheimzahl", "663017"),
                   ("ExpDate", "2027-11"), ("verification_code", "7391"), ("PasswordHint", "Fluffy")]],
    ("space-among-pairs", URS, STAMP + f"UserData: 'RStrategyName' 'Main' 'senha' '{S}' 'lang' 'pt'\n",
     [S], [f"UserData: 'RStrategyName' 'Main' 'senha' 'REDACTED' 'lang' 'pt'\n"]),
    ("space-str-type", URS, STAMP + f"UserData: 'senha' [str] = \"{S}\", 'PIN' [int] = 482913\n",
     [S, "482913"], ["UserData: 'senha' [str] = \"REDACTED\", 'PIN' [int] = REDACTED"]),
    # probe AC 5: not indented with tabs
    ("tab-line-start", URS, f"'senha'\t'{S}'\n'PIN'\t'482913'\n'Kennwort'\t'{S}1'\n" + NEXT, [S, "482913"],
     ["'senha'\t'REDACTED'\n'PIN'\t'REDACTED'\n'Kennwort'\t'REDACTED'\n", NEXT]),
    ("tab-mid-line", URS, STAMP + f"UserData: 'senha'\t'{S}'\n" + NEXT, [S], ["UserData: 'senha'\t'REDACTED'\n", NEXT]),
    ("tab-bare-value", URS, STAMP + f"UserData: 'password'\t{S}\n" + STAMP + "UserData: 'CustomerPIN'\t4321\n", [S, "4321"],
     ["UserData: 'password'\tREDACTED\n", "UserData: 'CustomerPIN'\tREDACTED\n"]),
]

KEPT_LOG = (
    STAMP + "UserData: 'resenha' 'boa' 'SenhaVerified' 'Y' 'PINVerified' 'Y' 'PinAttempts' '2' 'TokenCount' '3'\n"
    + STAMP + "UserData: 'PasswordReset' 'requested' 'PassCheck' 'OK' 'Export' 'yes please' 'Snippet' 'abc'\n"
    + STAMP + "UserData: 'senha' 'yes' 'PIN' '' 'Turnip' 'veg' 'Nipper' 'dog'\n"
    + STAMP + "Field 'password' is required; 'PIN' entered twice\n"
    + "'RStrategyName'\t'Main_Inbound'\n'Queue'\t'VQ_Sales'\n"
)

# probe AC 10: a working directory is no password; an ODBC password is
PWD_KEPT = "PWD=/opt/genesys/gax\ncwd=/opt/genesys pwd=/opt/genesys\nOLDPWD=/root\nPWD=/\n"
PWD_LEAKS = [
    ("odbc", "DSN=gim;UID=gim;PWD=Secret1;Server=db01\n", ["Secret1"], ["PWD=REDACTED;Server=db01"]),
    ("plain", "PWD=Secret1\n", ["Secret1"], ["PWD=REDACTED\n"]),
    ("db-pwd-path", "DB_PWD=/Sx9k2\n", ["Sx9k2"], ["DB_PWD=REDACTED\n"]),
    ("slash-in-odbc", "UID=gim;PWD=/Sx9k2;\n", ["Sx9k2"], ["PWD=REDACTED;"]),
]

# probe AC 9: keys that go on past the word, flags, blanks; the secret next to each
KV_KEPT = "\t\t'PinLength'\t'4'\n\t\t'password-policy'\t'strong'\n\t\t'PasswordResetRequested'\t'yes'\n"
KV_SECRETS = ("\t\t'Password'\t'x9Kq2'\n\t\t'PIN'\t'1234'\n\t\t'PasswordHint'\t'Fluffy'\n"
              "\t\t'PinCode'\t'5678'\n\t\t'PasswordNew'\t'NewPw77'\n")
XML_KEPT = ("<useSecret>yes</useSecret>\n<resetPassword>enabled</resetPassword>\n<password>   </password>\n"
            "<requirePassword>true</requirePassword>\n<password></password>\n")
XML_SECRETS = ("<password>x9Kq2</password>\n<resetPassword>Rp77x</resetPassword>\n<useSecret>Us88y</useSecret>\n"
               "<password> x9Kq3 </password>\n<password>enabled</password>\n")


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_attached_data_secret_outside_the_tlib_print_is_masked(rule_sets, case, fast) -> None:
    _, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind="log", path=path, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_attached_data_neighbours_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT_LOG, [], [KEPT_LOG], kind="log", path=URS, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_working_directory_stays(rule_sets, fast) -> None:
    assert_redacted(rule_sets, PWD_KEPT, [], [PWD_KEPT], kind="log", path=GAX, fast=fast)


@pytest.mark.parametrize("case", PWD_LEAKS, ids=[c[0] for c in PWD_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_odbc_pwd_stays_masked(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind="log", path=GAX, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_kv_settings_after_a_secret_word_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KV_KEPT, [], [KV_KEPT], kind="log", path=SIPS, fast=fast)
    assert_redacted(rule_sets, KV_SECRETS, ["x9Kq2", "1234", "Fluffy", "5678", "NewPw77"],
                    ["\t\t'Password'\t'REDACTED'\n", "\t\t'PIN'\t'REDACTED'\n"], kind="log", path=SIPS, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ac_xml_flags_and_blank_password_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, XML_KEPT, [], [XML_KEPT], kind="config", path=XML, fast=fast)
    assert_redacted(rule_sets, XML_SECRETS, ["x9Kq2", "Rp77x", "Us88y", "x9Kq3", ">enabled<"],
                    ["<password>REDACTED</password>\n", "<resetPassword>REDACTED</resetPassword>\n"],
                    kind="config", path=XML, fast=fast)


def _findings(member: str, text: str) -> list[tuple[int, str]]:
    scanner = LeakScanner(member)
    scanner.feed(b"first line\n" + text.encode() + b"\nlast\n")
    scanner.finish()
    return [(f.line, f.category) for f in scanner.findings]


SCANNER_FOUND = [
    (URS, f"UserData: 'senha' '{S}'", "password"),
    (URS, f"UserData: 'password' '{S}'", "password"),
    (URS, f"UserData: 'Kennwort'  \"{S}\"", "password"),
    (URS, f"'senha'\t'{S}'", "password"),
    (URS, "UserData: 'PIN' '482913'", "pin"),
    (URS, "'PIN'\t'482913'", "pin"),
    (GAX, "PWD=Secret1", "password"),
    (GAX, "DSN=gim;UID=gim;PWD=/Sx9k2;Server=db01", "password"),
    (XML, "<resetPassword>Rp77x</resetPassword>", "password"),
]

SCANNER_CLEAN = [
    (URS, "UserData: 'senha' 'REDACTED' 'password' 'REDACTED' 'PIN' 'REDACTED'"),
    (URS, "Field 'password' is required; 'senha' expirada"),
    (URS, "UserData: 'senha' 'yes' 'PIN' '' 'PinAttempts' '2'"),
    (GAX, "PWD=/opt/genesys/gax\ncwd=/opt/genesys pwd=/opt/genesys\nPWD=/"),
    (XML, "<useSecret>yes</useSecret>\n<resetPassword>enabled</resetPassword>\n<password>   </password>"),
]


@pytest.mark.parametrize(("member", "line", "category"), SCANNER_FOUND)
def test_probe_ac_scanner_finds(member, line, category) -> None:
    assert _findings(member, line) == [(2, category)]


@pytest.mark.parametrize(("member", "text"), SCANNER_CLEAN)
def test_probe_ac_scanner_leaves(member, text) -> None:
    assert _findings(member, text) == []
