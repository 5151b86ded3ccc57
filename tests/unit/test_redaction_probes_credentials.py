"""Leaks black-box probe S found in secondary channels: Basic credentials and session cookies in
access-log header columns and plain log text (1), a password's tail left after & ; or , (2), and a
card number inside a value another rule tokenises (9: the PAN would be stored in the host's token
map). The rest of each line (IP, time stamp, request, status, bytes, other keys) stays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from collector.redaction import Redactor, Tokenizer
from collector.redaction.tokens import TokenStore
from tests.redacting import KEY, assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

ACCESS = "opt/genesys/gax/logs/localhost_access_log.2026-11-27.txt"

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    ("access-log-basic-credentials",
     '192.0.2.60 - - [27/Nov/2026:17:05:12 +0000] "GET /gax/api/layouts HTTP/1.1" 200 123 '
     '"Basic c3VwZXJ2aXNvcjpTdXBlclNlY3JldDE="\n',
     ["c3VwZXJ2aXNvcjpTdXBlclNlY3JldDE"],
     ['192.0.2.60 - - [27/Nov/2026:17:05:12 +0000] "GET /gax/api/layouts HTTP/1.1" 200 123 "Basic REDACTED"\n']),
    ("access-log-cookie-column",
     '192.0.2.70 - - [27/Nov/2026:17:05:13 +0000] "GET /gax/api/session HTTP/1.1" 200 100 '
     '"JSESSIONID=9A8B7C6D5E4F30211203F4E5D6C7B8A9; GAXSESSION=abcdef0123456789abcdef0123456789"\n',
     ["9A8B7C6D5E4F30211203F4E5D6C7B8A9", "abcdef0123456789abcdef0123456789"],
     ['192.0.2.70 - - [27/Nov/2026:17:05:13 +0000] "GET /gax/api/session HTTP/1.1" 200 100 "JSESSIONID=SESSION_',
      "; GAXSESSION=SESSION_"]),
    ("session-created-and-pulse-cookie",
     "2026-11-27 17:05:12,001 DEBUG [exec-1] c.g.gax.session - Session created: "
     "JSESSIONID=1122334455667788AABBCCDDEEFF0011 for user default\n"
     "2026-11-27 17:05:12,002 DEBUG [http-8080-3] c.g.pulse.web.AuthFilter - cookie "
     "PULSESESSIONID=8c1f2e3d4c5b6a79; JSESSIONID=node01q8e7r6t5y4u3i2o1p0a9s8d7f6.node0\n",
     ["1122334455667788AABBCCDDEEFF0011", "8c1f2e3d4c5b6a79", "node01q8e7r6t5y4u3i2o1p0a9s8d7f6"],
     ["Session created: JSESSIONID=SESSION_", " for user default\n", "AuthFilter - cookie PULSESESSIONID=SESSION_"]),
    ("password-tail-in-object-dump",
     "2026-11-27 17:05:12,001 ERROR c.g.gax - Person update failed: CfgPerson{userName=agent1001, "
     "password=Tr0ub4dor&3x, agentLogins=[7101]}\n"
     "2026-11-27 17:05:12,002 ERROR c.g.gax - CfgPerson{userName=agent1002, password=Ab;cd9Ef, isAgent=true}\n"
     "2026-11-27 17:05:12,003 ERROR c.g.gax - CfgPerson{userName=agent1004, password=Pa,ss!1word, isAgent=true}\n"
     "2026-11-27 17:05:12,004 ERROR c.g.gax - password: Amp&Tail5\n",
     ["Tr0ub4dor", "3x", "cd9Ef", "ss!1word", "Tail5", "agent1001", "agent1002"],   # logins: login-name-value
     [", password=REDACTED, agentLogins=[7101]}\n", "CfgPerson{userName=USER_",
      ", password=REDACTED, isAgent=true}\n", "password: REDACTED\n"]),
    ("password-tail-in-prose",
     "2026-11-27 17:05:12,005 INFO  c.g.gax - login with password Amp;Tail2 for user a, retry 3\n",
     ["Amp", "Tail2"], ["login with password REDACTED for user a, retry 3\n"]),
    ("password-in-query-string-keeps-next-parameters",
     '192.0.2.9 - - [27/Nov/2026:17:05:14 +0000] "GET /ivr/login?user=a&password=Tr0ub4dor&lang=en&x=1 HTTP/1.1" 200 5\n'
     "jdbc:sqlserver://db01:1433;user=sa;password=Cfg;2024;encrypt=true\n",
     ["Tr0ub4dor", "Cfg;2024"],
     ["?user=a&password=REDACTED&lang=en&x=1 HTTP/1.1\" 200 5\n", ";user=sa;password=REDACTED;encrypt=true\n"]),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_s_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path=ACCESS, fast=fast)


def test_a_cookie_outside_its_header_gets_the_header_value_token(rule_sets) -> None:
    out = redacted(rule_sets, "Cookie: JSESSIONID=node0abc123def.node0\n"
                              "Session created: JSESSIONID=node0abc123def.node0 for user default\n", "log", ACCESS)
    first, second = (line.split("SESSION_")[1][:10] for line in out.splitlines())
    assert first == second


STAY = [
    "INFO Basic Authentication enabled; scheme Basic realm=\"GAX\", basic configuration loaded\n",
    "09:15:03.000 Trc 20009 ORS_SESSION=00TBGH0LCC9N71O1SG4U7OARLI000001 SESSIONID=12\n",
    "GET /ivr/fetch?session.id=0000B2A6-10000DA5&x=1 HTTP/1.1\n",
]


@pytest.mark.parametrize("line", STAY)
def test_non_credentials_stay(rule_sets, line) -> None:
    assert redacted(rule_sets, line, "log", ACCESS) == line


CARD_FORMS = ["4111+1111+1111+1111", "4111%201111%201111%201111", "4111-1111-1111-1111",
              "4111.1111.1111.1111", "4111 1111 1111 1111", "4111111111111111"]


@pytest.mark.parametrize("card", CARD_FORMS)
def test_a_card_number_under_any_key_is_masked_and_never_stored(rule_sets, tmp_path: Path, card) -> None:
    text = (f"2026-11-27 17:05:12.005 DEBUG [qtp-1] c.g.c.vxml - submit body: cardNumber={card}&cvv=123\n"
            f"2026-11-27 17:05:12.006 DEBUG [qtp-1] c.g.c.vxml - CustomerNote='paid with {card} today' ok\n")
    store = TokenStore(tmp_path / "tokens.db")
    redactor = Redactor(rule_sets, Tokenizer(KEY, store), "log", "var/log/jetty9/cloud.log")
    out = (redactor.feed(text.encode()) + redactor.finish()).decode()
    store.close()
    assert "1111" not in out
    assert "cardNumber=REDACTED-CARD&cvv=" in out
    rows = sqlite3.connect(tmp_path / "tokens.db").execute("select * from tokens").fetchall() \
        if (tmp_path / "tokens.db").exists() else []
    assert not any("1111" in str(row) for row in rows)


def test_a_masked_text_holding_a_card_keeps_its_own_mask(rule_sets) -> None:
    line = ("2026-11-27 17:05:12.001 DBG [ESP-1] ContactServer - 'RequestInsertInteraction' Text: "
            "\"call me back, my card 4556 7375 8689 9855 exp 09/28\"\n")
    assert_redacted(rule_sets, line, ["4556", "9855", "call me"], ["Text: \"REDACTED-TEXT\"\n"], path=ACCESS)
