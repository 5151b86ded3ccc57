"""Probe X, findings 4, 5 and 8: shapes next to ones already redacted.

- 4: a JSON list of secrets whose first item is on the key's line and the rest on the next
  lines ({"secrets": ["A", / "B"]}), in a log and in a config;
- 5: the row values a database error prints back: PostgreSQL 'Failing row contains (..)', MySQL
  'Duplicate entry '..' for key '..'', Oracle 'binds: [1]='..'' (tokenised as 'Key (..)=(..)' is);
- 8: a chat customer's words as JSON "message" in a GMS chat API body, while an ordinary error
  "message" (no chat context on its line) stays for support."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

STAMP = "09:30:04.000 Dbg 00001 "
NEXT = "09:30:09.000 Std 00001 next record\n"

# (id, kind, input, text that must be gone, text that must stay)
LEAKS = [
    # 4
    ("json-list-first-item-on-key-line", "log",
     STAMP + '{"secrets": ["inl1nesecretA",\n"inl1nesecretB"]}\n' + NEXT,
     ["inl1nesecretA", "inl1nesecretB"], [STAMP + '{"secrets": ["REDACTED",\n', "]}\n" + NEXT]),
    ("json-list-first-item-on-key-line-three", "log",
     STAMP + 'cfg {"apiKeys": ["ListKeyA1", "ListKeyA2",\n  "ListKeyA3",\n  "ListKeyA4"], "hosts": ["db01"]}\n' + NEXT,
     ["ListKeyA1", "ListKeyA2", "ListKeyA3", "ListKeyA4"], ['], "hosts": ["db01"]}\n', NEXT]),
    ("json-list-cut-by-the-logger", "log",
     STAMP + '{"tokens": ["CutListTok1",\n' + NEXT,
     ["CutListTok1"], [NEXT]),
    ("json-list-first-item-config", "config",
     '{\n  "passwords": ["CfgListPw1",\n                "CfgListPw2"],\n  "hosts": ["db01",\n            "db02"]\n}\n',
     ["CfgListPw1", "CfgListPw2"], ['  "hosts": ["db01",\n            "db02"]\n}\n']),
    # 5
    ("postgres-failing-row", "log",
     "09:30:05.000 Std 00001 ERROR: new row violates check constraint DETAIL: Failing row contains"
     " (17, Horatio, Blenkinsop, 5555550177).\n",
     ["Horatio", "Blenkinsop", "5555550177"], ["Failing row contains (17, USERDATA_", ", PHONE_"]),
    ("postgres-failing-row-name-first", "log",
     "DETAIL:  Failing row contains (Sebastian Crowhurst, 42, 006e02aa3c1f0011, Active).\n",
     ["Sebastian", "Crowhurst"], ["Failing row contains (USERDATA_", ", 42, 006e02aa3c1f0011, Active)."]),
    ("mysql-duplicate-entry", "log",
     "09:30:05.010 Std 00001 SQLException: Duplicate entry 'Winifred Ashdown' for key 'contact_name'\n",
     ["Winifred", "Ashdown"], ["Duplicate entry 'USERDATA_", "' for key 'contact_name'"]),
    ("mysql-duplicate-entry-phone", "log",
     "SQLException: Duplicate entry '5555550178' for key 'PRIMARY'\n",
     ["5555550178"], ["Duplicate entry 'PHONE_", "' for key 'PRIMARY'"]),
    ("oracle-binds-list", "log",
     "09:25:00.110 Dbg 00001 binds: [1]='Ptolemy Garnett' [2]='+445555550210' [3]=42\n",
     ["Ptolemy", "Garnett", "445555550210"], ["binds: [1]='USERDATA_", "[2]='+PHONE_", "[3]=42"]),
    # 8
    ("gms-chat-send-message", "log",
     '09:30:07.000 Dbg 00001 POST /genesys/2/chat/customer-support/send'
     ' {"message":"hello I live at 9 Wren Close","nickname":"Ottoline Marsh"}\n',
     ["9 Wren Close", "hello I live", "Ottoline Marsh"],
     ['POST /genesys/2/chat/customer-support/send {"message":"REDACTED-TEXT","nickname":"']),
    ("cometd-chatv2-send-message", "log",
     '2026-11-27 09:31:00.100 DEBUG [qtp-12] publish {"channel":"/service/chatV2/customer-support",'
     '"data":{"operation":"SendMessage","message":"my flat is 4B, Rook Lane"}}\n',
     ["Rook Lane"], ['"operation":"SendMessage","message":"REDACTED-TEXT"}}']),
]

KEPT_LOG = (
    '2026-11-27 09:31:00.200 ERROR [qtp-12] c.g.g.s.Http - 503 GET /genesys/1/service/callback'
    ' body {"message":"Connection refused","code":503}\n'
    '2026-11-27 09:31:00.210 INFO  [main] c.g.g.Startup - {"level":"INFO","message":"Chat service customer-support started"}\n'
    "DETAIL:  Failing row contains (42, Active, 006e02aa3c1f0011, 1709630105).\n"
    "SQLException: Duplicate entry '42-7' for key 'uk_seq'\n"
    + STAMP + '{"hosts": ["db01",\n"db02"]}\n'
)


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_x_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, kind, text, gone, kept = case
    path = "opt/genesys/gms/config/x.json" if kind == "config" else "var/log/genesys/SIPS_P/SIPS_P.log"
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_x_neighbours_that_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT_LOG, [], KEPT_LOG.splitlines(keepends=True),
                    path="var/log/genesys/gms/gms.log", fast=fast)
