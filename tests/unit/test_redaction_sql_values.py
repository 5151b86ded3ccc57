"""SQL bind values and value lists (probeL findings 1 and 8b): callers' numbers, names and
accounts in positional bind lists, under CALLER columns, in flex_properties and after a column
name are tokenised; a value in a value list is never read as a key."""

from __future__ import annotations

import pytest

from collector.redaction.ruleset import RuleSet
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture


def redact(rule_sets: list[RuleSet], text: str) -> str:
    return redacted(rule_sets, text, "log", "opt/genesys/x.log")


# (id, input line, text that must be gone, text that must stay)
LEAKS = [
    ("icon-bind-values",
     "2024-03-05T09:15:05.510 Dbg 25101 Bind values: :1=771 :2='007b02aa3c1f0011' :3='5555550142' "
     ":4='Harriet Ostrowski' :5='40017731'",
     ["5555550142", "Harriet", "Ostrowski", "40017731"], [":1=771 :2='007b02aa3c1f0011' :3='PHONE_"]),
    ("icon-binds-list",
     "2024-03-05T09:15:05.510 Dbg 25101 Executing statement with binds ['5555550142', 'Quillfeather', '007b02aa3c1f0011']",
     ["5555550142", "Quillfeather"], ["', '007b02aa3c1f0011']"]),
    ("gim-binding",
     "2024-03-05 09:15:07,150 DEBUG [Job_TransformGIM] SQL: INSERT INTO INTERACTION_FACT (INTERACTION_ID, "
     "START_DATE_TIME_KEY, SOURCE_ADDRESS) VALUES (?, ?, ?) binding [1]=771 [2]=1709630105 [3]=5555550142",
     ["5555550142"], ["binding [1]=771 [2]=1709630105 [3]=PHONE_"]),
    ("gim-data-truncation",
     "2024-03-05 09:15:07,160 ERROR [Job_TransformGIM] Data truncation for IRF_USER_DATA_CUST_1.CUSTOMER_NAME "
     "value 'Harriet Ostrowski' (length 17)",
     ["Harriet", "Ostrowski"], ["CUSTOMER_NAME value 'USERDATA_", "(length 17)"]),
    ("stat-server-caller-column",
     "2024-03-05 09:15:15.200 Trc 10010 SQL: insert into STATUS_TABLE (AGENT, DN, STATUS, CALLER) "
     "values ('kbrandt', '7101', 'Talking', '5555550142')",
     ["5555550142"], ["values ('kbrandt', '7101', 'Talking', 'PHONE_"]),
    ("ixn-flex-properties-name",
     "03/05/2024 09:15:12.300 Trc 26010 SQL: insert into interactions (id, type_id, media_type, queue, "
     "flex_properties) values ('0001Ka9Bc3DeF4Gh', 'Inbound', 'email', 'Inbound_Email_Queue', "
     "'FromAddress=harriet@example.org;Phone=5555550142;Name=Harriet Ostrowski')",
     ["Harriet Ostrowski", "5555550142"], [";Name=NAME_", "'email', 'Inbound_Email_Queue'"]),
]


@pytest.mark.parametrize("line,gone,kept", [c[1:] for c in LEAKS], ids=[c[0] for c in LEAKS])
def test_sql_values_are_redacted(rule_sets, line, gone, kept) -> None:
    assert_redacted(rule_sets, line + "\n", gone, kept)


def test_the_same_name_gets_the_same_token_in_a_bind_list_and_a_key_pair(rule_sets) -> None:
    out = redact(rule_sets,
                 "Bind values: :1=771 :4='Harriet Ostrowski'\n"
                 "INSERT INTO G_USERDATA_HISTORY (ID, KEYNAME, VALUE) VALUES (9001, 'CustomerName', 'Harriet Ostrowski')\n")
    first, second = out.splitlines()
    assert first.split(":4='")[1][:19] == second.split("'CustomerName', '")[1][:19]


KEPT = [
    ("value-email-is-not-a-key",
     "2024-03-05 09:15:12,301 DEBUG [x] SQL: insert into interactions (id, media_type, queue) "
     "values ('0001Ka9Bc3DeF4Gh', 'email', 'Inbound_Email_Queue')"),
    ("bind-ids-and-times",
     "Bind values: :1=771 :2='007b02aa3c1f0011' :3=1709630105 :4='1709630105' :5=2024030500012345"),
    ("truncation-technical-column", "Data truncation for G_CALL.STATE value 'Active'"),
]


@pytest.mark.parametrize("line", [c[1] for c in KEPT], ids=[c[0] for c in KEPT])
def test_technical_values_stay(rule_sets, line) -> None:
    assert redact(rule_sets, line + "\n") == line + "\n"


def test_email_server_body_after_its_headers_is_masked(rule_sets) -> None:
    """probeL finding 3: the body E-mail Server prints after "Body (text/plain, N bytes):"."""
    text = ("2024-03-05 09:15:12.052 Dbg 21002 Body (text/plain, 214 bytes):\n"
            "Hello, my name is Harriet Ostrowski, DOB 1981-07-14. My account 40017731 is locked.\n"
            "I live at 42 Wallaby Way, Sydney. Call me at 5555550142.\n"
            "Regards, Harriet\n"
            "2024-03-05 09:15:12.060 Std 21010 Submitted interaction 0001Ka9Bc3DeF4Gh\n")
    out = redact(rule_sets, text)
    for secret in ("Harriet", "1981-07-14", "Wallaby", "40017731", "5555550142"):
        assert secret not in out, out
    assert out.endswith("Body (text/plain, 214 bytes):\nREDACTED-TEXT\nREDACTED-TEXT\nREDACTED-TEXT\n"
                        "2024-03-05 09:15:12.060 Std 21010 Submitted interaction 0001Ka9Bc3DeF4Gh\n")
    assert redact(rule_sets, out) == out


def test_a_customer_segment_label_stays_in_every_print(rule_sets) -> None:
    """probeL finding 8c: CustomerSegment=Gold was tokenised here and kept in PairExists(...)."""
    line = ("2024-03-05 09:15:15.110 Trc 10002 Action: UserData: CustomerSegment=Gold; CUSTOMER_SEGMENT=Gold; "
            "PairExists(\"CustomerSegment\",\"Gold\")\n")
    assert redact(rule_sets, line) == line
