"""Probe S findings 5, 7, 8 and 10: caller numbers in database errors and ORM parameter dumps,
e-mail addresses whose domain has no dot, names without a label (a CSV row, a JavaScript object
literal), and damage around tokens (a sentence's ':' taken into the token, a validation message
taken for the value, a GVP session ID tokenised in a Hibernate bind dump). Correlation values on
the same lines (session IDs, ids, counts, times, SIP URIs, thread names) stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

T = "2026-11-27 17:05:12,002 ERROR [qtp-41] c.g.g.s.X - "
SID = "0A1B2C3D-0000-1111-2222-333344445555"

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    ("sqlserver-duplicate-key",
     T + "Violation of PRIMARY KEY constraint 'PK_IVRP'. Cannot insert duplicate key in object "
         "'dbo.GVP_IVRP_SESSION'. The duplicate key value is (6175550199, jane.doe@example.org).\n",
     ["6175550199", "jane.doe"], ["The duplicate key value is (PHONE_", "'dbo.GVP_IVRP_SESSION'"]),
    ("mybatis-parameters",
     T + "==> Parameters: " + SID + "(String), 2125550134(String), 17(Integer), 1764263112345(Long), s.kim@example.kr(String)\n",
     ["2125550134", "s.kim"], ["==> Parameters: " + SID + "(String), PHONE_", "17(Integer), 1764263112345(Long)"]),
    ("eclipselink-bind",
     T + "INSERT INTO CALLER (ANI, EMAIL) VALUES (?, ?)\n\tbind => [3055550187, s.kim@example.kr, 42, 1764263112]\n",
     ["3055550187", "s.kim"], ["\tbind => [PHONE_", ", 42, 1764263112]"]),
    ("postgres-batch-customer-ani",
     T + "java.sql.BatchUpdateException: Batch entry 3 INSERT INTO INTERACTION_RESOURCE_FACT (ID, CUSTOMER_ANI, "
         "CUSTOMER_EMAIL) VALUES (177, '9735550166', 'm.rossi@example.com') was aborted\n",
     ["9735550166", "m.rossi"], ["VALUES (177, 'PHONE_", "Batch entry 3 INSERT"]),
    ("spaced-international-number",
     T + "java.lang.IllegalArgumentException: Invalid phone number format: +44 7700 900123\n",
     ["7700 900123", "900123"], ["Invalid phone number format: +PHONE_"]),
    ("number-format-exception",
     T + 'java.lang.NumberFormatException: For input string: "8015550104"\n',
     ["8015550104"], ['For input string: "PHONE_']),
    ("validation-dotless-email",
     T + "javax.validation.ConstraintViolationException: updateContact.arg0.email: must be a well-formed "
         "email address, rejected value [jdoe@corp-mail]\n",
     ["jdoe", "corp-mail"], ["updateContact.arg0.email: must be a well-formed email address, rejected value [EMAIL_"]),
    ("postgres-key-dotless-email",
     '  Detail: Key (email)=(jdoe@corp-mail) already exists.\n',
     ["jdoe", "corp-mail"], ["Key (email)=(EMAIL_", ") already exists."]),
    ("dotless-email-keys",
     T + "mailto:jane.doe@example, e-mail: a.b@intranet; Sender=<x.y@exchange01> RCPT TO:<ops@mailhost>\n",
     ["jane.doe", "a.b@", "x.y", "ops@"], ["mailto:EMAIL_", "e-mail: EMAIL_", "Sender=<EMAIL_", "RCPT TO:<EMAIL_"]),
    ("dotless-email-after-name",
     T + "notify Jane Doe <jdoe@corp-mail> now\n",
     ["jdoe", "Jane Doe"], [" now\n"]),
    ("csv-row-name-next-to-email",
     T + 'CSV import row 3 rejected: "agent1002","Kenji Tanaka","k.tanaka@example.net","+447700900123" : duplicate employeeId\n',
     ["Kenji", "Tanaka", "k.tanaka", "447700900123"], ['"agent1002","NAME_', '" : duplicate employeeId']),
    ("csv-row-first-last-before-email",
     'agent1003,Marguerite,Fennimore,m.fennimore@example.org,7101\n',
     ["Marguerite", "Fennimore", "m.fennimore"], ["agent1003,NAME_", ",7101\n"]),
    ("js-object-literal-name",
     "2026-11-27 17:05:12,301 DEBUG [x] ScxmlLog - uneval(caller)=({name:\"Jane Doe\", phone:\"2145550193\"})\n",
     ["Jane Doe", "2145550193"], ["uneval(caller)=({name:\"NAME_", "\", phone:\"PHONE_"]),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_s_errors_and_names_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, fast=fast)


STAY = [
    T + "binding parameter [1] as [VARCHAR] - [" + SID + "]\n",
    T + "==> Parameters: 42(Integer), 1764263112(Long), 20261127170512(Long), 0(Integer), Queue(String)\n",
    T + "\tbind => [177, 1764263112345, 006c02462a161006]\n",
    T + "The duplicate key value is (177, 2026-11-27 17:05:12).\n",
    T + "INSERT INTO G_CALL (ID, COMPANY, STATE) VALUES (177, '6175550199', 'Active')\n",
    T + "Request sip:1001@sipserver from 1002@sipserver, java -jar app@1.2, git@github, topic-a@3, root@gen01\n",
    T + "updateContact.arg0.email: must not be blank\n",
    T + "uneval(queue)=({name:\"Sales Queue\", size:3})\n",
    T + 'CSV import row 3 rejected: "agent1002","Sales Team","7101" : duplicate employeeId\n',
    "Thread pool-1@main-1 worker@node01 finished\n",
]


@pytest.mark.parametrize("line", STAY)
def test_probe_s_correlation_values_stay(rule_sets, line) -> None:
    assert_redacted(rule_sets, line, [], [line])


def _tokens(out: str, prefix: str) -> list[str]:
    return [prefix + part[:10] for part in out.split(prefix)[1:]]


@pytest.mark.parametrize("text, plain, prefix", [
    ("Callback rejected for _customer_number=7700900123: slot full\n", '{"_customer_number":"7700900123"}\n', "PHONE_"),
    ("==> Parameters: 2125550134(String)\n", "phone=2125550134\n", "PHONE_"),
    ("\tbind => [3055550187]\n", "ani=3055550187\n", "PHONE_"),
    ("email: must be a well-formed email address, rejected value [jdoe@corp-mail]\n", "email=jdoe@corp-mail\n", "EMAIL_"),
])
def test_the_value_gets_the_token_it_gets_elsewhere(rule_sets, text, plain, prefix) -> None:
    seen = _tokens(redacted(rule_sets, text, "log", "x.log"), prefix)
    want = _tokens(redacted(rule_sets, plain, "log", "x.log"), prefix)
    assert seen and seen == want


def test_the_sentence_colon_stays_after_the_token(rule_sets) -> None:
    out = redacted(rule_sets, "Callback rejected for _customer_number=7700900123: slot full\n", "log", "x.log")
    assert out.endswith(": slot full\n") and "7700900123" not in out
