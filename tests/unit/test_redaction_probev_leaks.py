"""Probe V, findings 4, 5, 9, 10 and 11: secrets and customer data in shapes next to ones
already redacted.

- 4: an XML element with each attribute on its own line (<property / name="password" /
  value="..."/>);
- 5: access-log columns: 'Bearer' with a UUID or an opaque token, Spring's SESSION= and
  gws_session= cookies (Basic and JSESSIONID were redacted);
- 9: a password in double-escaped JSON, and the tail of a quoted password after an escaped quote;
- 10: a phone in a PostgreSQL 'Detail: Key (...)=(...)' line, names in MyBatis/EclipseLink
  binds, and in an INSERT whose column is just 'name';
- 11: a JSON array of secrets pretty-printed over several lines."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

REQ = '203.0.113.9 - - [27/Nov/2026:15:00:00 +0000] "GET /api/v2/me HTTP/1.1" 200 123 "-" "curl" '
STAMP = "2026-11-27 15:00:01.000 DEBUG [pool-1] c.g.X - "
NEXT = "2026-11-27 15:00:02.000 INFO [main] c.g.Y - next record\n"

# (id, kind, input, text that must be gone, text that must stay)
LEAKS = [
    # 4
    ("xml-attributes-one-a-line", "config",
     '  <bean id="ds">\n    <property\n        name="password"\n        value="OwnLineS3cret3"/>\n'
     '    <property\n        name="username"\n        value="gws"/>\n  </bean>\n',
     ["OwnLineS3cret3"], ['        name="password"\n', '        value="gws"/>\n', "  </bean>\n"]),
    ("xml-attributes-one-a-line-key-first", "config",
     '<str_pair\n   key="smtp-password"\n   type="str"\n   value="OwnLineS3cret4"\n/>\n<str_pair key="user" value="gim"/>\n',
     ["OwnLineS3cret4"], ['<str_pair key="user" value="gim"/>\n']),
    # 5
    ("bearer-uuid-column", "log", REQ + '"Bearer 8b7b6a1c-3f2e-4d5c-9a8b-7c6d5e4f3a2b"\n',
     ["8b7b6a1c-3f2e-4d5c-9a8b-7c6d5e4f3a2b"], [REQ + '"Bearer ']),
    ("bearer-opaque-column", "log", REQ + '"Bearer gAAAAABl3xYzK9vQpR7sT2uW4yX6zA8bC0dE1fG3hI5jK7lM9nO"\n',
     ["gAAAAABl3xYzK9vQpR7sT2uW4yX6zA8bC0dE1fG3hI5jK7lM9nO"], [REQ + '"Bearer ']),
    ("spring-session-cookie", "log", REQ + '"SESSION=ZmY0ZGQ2YzUtY2E3Mi00NzVmLWE3NzctYjJmNzk0ZjAwMzg5"\n',
     ["ZmY0ZGQ2YzUtY2E3Mi00NzVmLWE3NzctYjJmNzk0ZjAwMzg5"], [REQ + '"SESSION=']),
    ("gws-session-cookie", "log", REQ + '"gws_session=8b7b6a1c-3f2e-4d5c-9a8b-7c6d5e4f3a2b"\n',
     ["8b7b6a1c-3f2e-4d5c-9a8b-7c6d5e4f3a2b"], [REQ + '"gws_session=']),
    ("csrf-after-jsessionid", "log", REQ + '"JSESSIONID=node0abcdEF1234ghij5678klmn.node0; WWE_CSRF=c2f1e0d9b8a7f6e5d4c3"\n',
     ["node0abcdEF1234ghij5678klmn", "c2f1e0d9b8a7f6e5d4c3"], ["WWE_CSRF="]),
    # 9
    ("password-double-escaped-json", "log",
     STAMP + 'payload="{\\\\\\"user\\\\\\":\\\\\\"agent1\\\\\\",\\\\\\"password\\\\\\":\\\\\\"DblEscS3cret\\\\\\"}"\n',
     ["DblEscS3cret"], ['\\\\\\"user\\\\\\":\\\\\\"agent1\\\\\\"']),
    ("password-escaped-quote-tail", "log", STAMP + "password='Head\\'TailS3cret' user=agent1\n",
     ["Head", "TailS3cret"], ["user=agent1"]),
    ("password-escaped-double-quote-tail", "log", STAMP + 'password="Head\\"TailS3cret2" user=agent1\n',
     ["Head", "TailS3cret2"], ["user=agent1"]),
    # 10
    ("postgres-detail-key-phone", "log",
     STAMP + 'ERROR: duplicate key value violates unique constraint "uk_contact_phone"\n'
     "  Detail: Key (phone_number)=(5551230305) already exists.\n" + NEXT,
     ["5551230305"], ["  Detail: Key (phone_number)=(", ") already exists.\n", NEXT]),
    ("mybatis-parameters-name", "log",
     STAMP + "==> Parameters: Quokka Kilo(String), 5551230303(String), 42(Integer)\n",
     ["Quokka Kilo", "5551230303"], ["==> Parameters: ", "(String), ", "42(Integer)"]),
    ("eclipselink-bind-name", "log",
     STAMP + "[EL Fine]: sql: INSERT INTO CONTACT (NAME, PHONE) VALUES (?, ?)\n\tbind => [Quokka Lima, 555-123-0304]\n" + NEXT,
     ["Quokka Lima", "555-123-0304"], ["\tbind => [", NEXT]),
    ("insert-plain-name-column", "log",
     STAMP + "SQL: INSERT INTO contacts (name, phone) VALUES ('Quokka Mike', '5551230309')\n",
     ["Quokka Mike", "5551230309"], ["INSERT INTO contacts (name, phone) VALUES ("]),
    # 11
    ("json-array-of-secrets-multiline", "config",
     '{\n  "database": {\n    "passwords": [ "InlineArrS3cret" ],\n    "secrets": [\n        "MultiLineArrS3cret1",\n'
     '        "MultiLineArrS3cret2"\n    ],\n    "apiKeys": [\n        "MultiLineApiKey3"\n    ],\n'
     '    "hosts": [\n        "db01"\n    ]\n  }\n}\n',
     ["InlineArrS3cret", "MultiLineArrS3cret1", "MultiLineArrS3cret2", "MultiLineApiKey3"],
     ['    "secrets": [\n', '    ],\n', '    "hosts": [\n        "db01"\n    ]\n']),
]

KEPT_LOG = (
    REQ + '"Bearer -"\n'
    + STAMP + "==> Parameters: 42(Integer), true(Boolean), 2026-11-27 15:00:00.0(Timestamp)\n"
    + STAMP + "[EL Fine]: sql: SELECT ID FROM CALLS WHERE STATE = ?\n\tbind => [7, RELEASED]\n"
    + "  Detail: Key (conn_id)=(006e02aa3c1f0011) already exists.\n"
    + STAMP + 'payload="{\\\\\\"user\\\\\\":\\\\\\"agent1\\\\\\",\\\\\\"skill\\\\\\":\\\\\\"Sales\\\\\\"}"\n'
)

KEPT_CONFIG = (
    '<property\n    name="url"\n    value="jdbc:postgresql://db:5432/gws"/>\n'
    '{\n  "hosts": [\n    "db01",\n    "db02"\n  ],\n  "passwordPolicy": [\n    "upper"\n  ]\n}\n'
)


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_v_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, kind, text, gone, kept = case
    path = "opt/genesys/gws/config/x.xml" if kind == "config" else "var/log/jetty9/cloud.log"
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


def test_probe_v_neighbours_that_stay(rule_sets) -> None:
    assert_redacted(rule_sets, KEPT_LOG, [], KEPT_LOG.splitlines(keepends=True), path="var/log/jetty9/cloud.log")
    assert_redacted(rule_sets, KEPT_CONFIG, [], KEPT_CONFIG.splitlines(keepends=True), kind="config",
                    path="opt/genesys/gws/config/x.json")
