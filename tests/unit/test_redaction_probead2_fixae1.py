"""Probe AD 1, 3, 9, 10 and 18.

1. An ODBC/JDBC password that starts with / at the end of a connection string
   (Driver=...;UID=sa;PWD=/Odbc7Leak) was spared as a working directory (the PWD=/path fix of
   probe AC 10) and shipped raw. A PWD=/path is now spared only where it reads as an environment
   dump: no ;KEY= pair on the line, PWD= not right after a ;, and the path starts at a usual
   top-level directory (/opt, /home, /root, /tmp, /var ...); anything else is masked. The scanner
   spares the same shape only.
3. A .properties password continued with a backslash under a site-language key (db.senha=\\,
   db.l\\u00f6senord=X\\, ISO-8859-1 db.contrase\\xf1a=X\\, Mot\\ de\\ passe=X\\): the first line was
   masked, the continuation lines shipped raw. They are masked like the English key's.
9. A command-line option whose name goes on past the password word with a space before the value
   (--password_db X, --senha_bd X, --kennwort-db X, -password_db X) shipped raw. Masked now; an
   option that goes on with a setting word (--password-file PATH, --token-ttl 300,
   --password-stdin) stays.
10. A command-line option whose key is in ISO-8859-1, a Java escape, %-encoded or +-spaced
   (--l\\xf6senord X, --l\\u00f6senord X, --contrase%C3%B1a X, --mot+de+passe X) shipped raw.
18. Cosmetic: GET /login?user=a HTTP/1.1 became HTTP/REDACTED (login-user-slash-password read
   HTTP/1.1 as user/password). A protocol and its version are no user/password."""

from __future__ import annotations

import pytest

from tests.redacting import (  # noqa: F401 - rule_sets is a fixture
    assert_redacted, assert_redacted_bytes, framed_findings, rule_sets,
)

STAMP = "09:11:20.000 Trc 04541 "
NEXT = "09:11:21.000 Trc 04541 next record\n"
LOG = "var/log/genesys/SIPS_P/SIPS_P.20261128_220938_128.log"
GAX = "var/log/genesys/GAX/gax.log"
INI = "opt/genesys/GAX/conf/gax.ini"
ODBC = "etc/odbc.ini"
PROPS = "opt/genesys/GAX/conf/db.properties"
BS = "\\"






# ------------------------------------------------------------------ 1: PWD=/x in a connection string
PWD_LEAKS = [
    ("odbc-end", "log", LOG, STAMP + "ODBC: Driver={SQL Server};Server=db01;UID=sa;PWD=/Odbc7Leak\n" + NEXT,
     ["Odbc7Leak"], [";UID=sa;PWD=REDACTED\n", NEXT]),
    ("dsn-end", "log", LOG, "DSN=x;UID=sa;PWD=/Odbc7Leak\n", ["Odbc7Leak"], ["DSN=x;UID=sa;PWD=REDACTED\n"]),
    ("trailing-slash-config", "config", INI, "[db]\nUID=sa;PWD=/Sx9k2/\n", ["Sx9k2"], ["UID=sa;PWD=REDACTED\n"]),
    ("trailing-slash-log", "log", LOG, STAMP + "UID=sa;PWD=/Sx9k2/\n", ["Sx9k2"], ["UID=sa;PWD=REDACTED\n"]),
    ("jdbc", "log", LOG, STAMP + "url jdbc:sqlserver://db01;user=sa;PWD=/Sx9k2\n", ["Sx9k2"],
     ["jdbc:sqlserver://db01;user=sa;PWD=REDACTED\n"]),
    ("blank-after-semicolon", "log", LOG, STAMP + "conn UID=sa; PWD=/Sx9k2 opened\n", ["Sx9k2"],
     ["UID=sa; PWD=REDACTED opened\n"]),
    ("pair-after", "log", LOG, STAMP + "conn PWD=/opt ;UID=sa;Server=db01\n", ["/opt"],
     ["conn PWD=REDACTED ;UID=sa;Server=db01\n"]),
    ("known-root-in-odbc", "log", LOG, STAMP + "DSN=gim;UID=gim;PWD=/tmp\n", ["/tmp"], ["PWD=REDACTED\n"]),
    ("odbc-ini-own-line", "config", ODBC, "[gim]\nDriver=FreeTDS\nUID=gim\nPWD=/Sx9k2\n", ["Sx9k2"],
     ["UID=gim\nPWD=REDACTED\n"]),
    ("not-a-usual-directory", "log", LOG, STAMP + "env: PWD=/Odbc7Leak SHLVL=1\n", ["Odbc7Leak"],
     ["env: PWD=REDACTED SHLVL=1\n"]),
]

PWD_KEPT = (
    "env: PWD=/opt/genesys/gax OLDPWD=/root SHLVL=1\n"
    "PWD=/opt/genesys/gax\ncwd=/opt/genesys pwd=/opt/genesys\nOLDPWD=/root\nPWD=/\n"
    "env: PWD=/home/genesys USER=genesys HOME=/home/genesys\nPWD=/var/log/genesys/SIPS_P\nPWD=/tmp\n"
    "LS_COLORS=rs=0:di=01;34:ln=01;36 PWD=/opt/genesys/sips\n"
)


@pytest.mark.parametrize("case", PWD_LEAKS, ids=[c[0] for c in PWD_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad1_odbc_pwd_starting_with_a_slash_is_masked(rule_sets, case, fast) -> None:
    _, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad1_working_directory_stays(rule_sets, fast) -> None:
    assert_redacted(rule_sets, PWD_KEPT, [], [PWD_KEPT], kind="log", path=GAX, fast=fast)
    config = "PWD=/opt/genesys/gax\nOLDPWD=/root\n"
    assert_redacted(rule_sets, config, [], [config], kind="config", path=INI, fast=fast)


# ------------------------------------------------------------------ 3: .properties continuation lines
CONTINUED_LEAKS = [
    ("senha-empty-first", b"db.senha=\\\n    OnlyNext2\nhost=db01\n", [b"OnlyNext2"], [b"    REDACTED\nhost=db01\n"]),
    ("escaped-key", b"db.l\\u00f6senord=Part1\\\n    Part2x\nhost=db01\n", [b"Part1", b"Part2x"],
     [b"    REDACTED\nhost=db01\n"]),
    ("latin1-key", b"db.contrase\xf1a=Part1\\\n    Part2z\nhost=db01\n", [b"Part1", b"Part2z"],
     [b"    REDACTED\nhost=db01\n"]),
    ("latin2-key", b"db.has\xb3o=Part1\\\n    Part2h\n", [b"Part1", b"Part2h"], [b"    REDACTED\n"]),
    ("kennwort-colon", b"Kennwort: Part1\\\n  Part2k\\\n  Part3k\nhost=db01\n", [b"Part1", b"Part2k", b"Part3k"],
     [b"  REDACTED\n  REDACTED\nhost=db01\n"]),
    ("escaped-blanks", b"Mot\\ de\\ passe=Part1\\\n    Part2m\n", [b"Part1", b"Part2m"], [b"    REDACTED\n"]),
    ("utf8-key", "db.lösenord=Part1\\\n    Part2u\n".encode(), [b"Part1", b"Part2u"], [b"    REDACTED\n"]),
]

CONTINUED_KEPT = (
    b"mensaje=Contrase\\u00f1a incorrecta, \\\n    intente de nuevo\n"
    b"senha.expiracao.dias=90\nhost=db01\n"
    b"db.senha=REDACTED\nport=5432\n"
)


@pytest.mark.parametrize("case", CONTINUED_LEAKS, ids=[c[0] for c in CONTINUED_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad3_site_language_continuation_lines_are_masked(rule_sets, case, fast) -> None:
    _, data, gone, kept = case
    assert_redacted_bytes(rule_sets, data, gone, kept, "config", PROPS, fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad3_continued_neighbours_stay(rule_sets, fast) -> None:
    assert_redacted_bytes(rule_sets, CONTINUED_KEPT, [], [CONTINUED_KEPT], "config", PROPS, fast)


# ------------------------------------------------------------------ 9, 10: command-line options
CLI = STAMP + "cmd: java -jar gax.jar {opt} CliLeak555 --port 8080\n"
CLI_OPTIONS = ["--password_db", "--senha_bd", "--kennwort-db", "-password_db", "--password.db", "--db_password_cfg",
               "--l\\u00f6senord", "--contrase\\u00f1a", "--contrase%C3%B1a", "--mot+de+passe", "--mot%20de%20passe",
               "--has\\u0142o", "--l\\u00f6senord_db", "--lösenord-db"]
CLI_LATIN1 = [b"--l\xf6senord", b"--contrase\xf1a", b"--CONTRASE\xd1A", b"--has\xb3o", b"--l\xf6senord-db"]

CLI_KEPT = (
    STAMP + "cmd: ./run.sh --password-file /opt/pw.txt --token-ttl 300 --no-password -v\n"
    + STAMP + "cmd: ./app --Kennwort-Datei /opt/pw.txt --senha-expiracao-dias 90 --password-length 12\n"
    + STAMP + "cmd: docker login --username gax --password-stdin registry.example.com\n"
    + STAMP + "cmd: ./app --password-policy strong --secret-name cs-db --pass-through on\n"
    + STAMP + "cmd: ./app --passwordless x --contrase\\u00f1a-archivo /opt/pw.txt\n"
)


@pytest.mark.parametrize("option", CLI_OPTIONS)
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad9_ad10_cli_option_value_is_masked(rule_sets, option, fast) -> None:
    text = CLI.format(opt=option) + NEXT
    assert_redacted(rule_sets, text, ["CliLeak555"], [f"{option} REDACTED --port 8080\n", NEXT], kind="log",
                    path=LOG, fast=fast)


@pytest.mark.parametrize("option", CLI_LATIN1)
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad10_latin1_cli_option_value_is_masked(rule_sets, option, fast) -> None:
    data = STAMP.encode() + b"cmd: app " + option + b" Lat1Cli --port 8080\n"
    assert_redacted_bytes(rule_sets, data, [b"Lat1Cli"], [option + b" REDACTED --port 8080\n"], "log", LOG, fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad9_cli_setting_options_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, CLI_KEPT, [], [CLI_KEPT], kind="log", path=LOG, fast=fast)


# ------------------------------------------------------------------ 18: HTTP/1.1 after a login URL
HTTP_KEPT = (
    STAMP + "GET /login?user=a HTTP/1.1\n"
    + STAMP + "POST /gax/api/session/login HTTP/2\n"
    + STAMP + "login request from 10.0.0.5 SIP/2.0 INVITE\n"
    + STAMP + "GET /login HTTP/1.0\n"
)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad18_http_version_after_login_stays(rule_sets, fast) -> None:
    assert_redacted(rule_sets, HTTP_KEPT, [], [HTTP_KEPT], kind="log", path=GAX, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad18_login_user_slash_password_still_masked(rule_sets, fast) -> None:
    text = ("2025-01-15 10:00:01,000 ERROR login failed for gvp_rs/RsLogPw_1804\n"
            "2025-01-15 10:00:01,000 ERROR login failed for http/Http1Pw9\n"
            "2025-01-15 10:00:01,000 ERROR logon denied: HTTP/1.1x\n")
    assert_redacted(rule_sets, text, ["RsLogPw_1804", "Http1Pw9", "1.1x"],
                    ["login failed for gvp_rs/REDACTED\n", "login failed for http/REDACTED\n"],
                    kind="log", path=GAX, fast=fast)


# ------------------------------------------------------------------ scanner


SCANNER_FOUND = [
    (LOG, b"ODBC: Driver={SQL Server};Server=db01;UID=sa;PWD=/Odbc7Leak"),
    (LOG, b"DSN=x;UID=sa;PWD=/Sx9k2/"),
    (LOG, b"jdbc:sqlserver://db01;user=sa;PWD=/Sx9k2"),
    (LOG, b"conn UID=sa; PWD=/Sx9k2 opened"),
    (LOG, b"conn PWD=/opt ;UID=sa;Server=db01"),
    (ODBC, b"PWD=/Sx9k2"),
    (LOG, b"env: PWD=/Odbc7Leak SHLVL=1"),
]

SCANNER_CLEAN = [
    (GAX, PWD_KEPT.encode()),
    (INI, b"PWD=/opt/genesys/gax\nOLDPWD=/root\nUID=sa;PWD=REDACTED\n"),
]


@pytest.mark.parametrize(("member", "line"), SCANNER_FOUND)
def test_probe_ad1_scanner_flags_a_slash_password_in_a_connection_string(member, line) -> None:
    assert framed_findings(member, line) == [(2, "password")]


@pytest.mark.parametrize(("member", "text"), SCANNER_CLEAN)
def test_probe_ad1_scanner_spares_a_working_directory(member, text) -> None:
    assert framed_findings(member, text) == []
