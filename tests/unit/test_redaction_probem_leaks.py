"""Three leaks black-box probe M saw in passing: a caller's name in free text after "caller"
(URS, GIM and ORS <log expr='...'>), an attached-data pair a Java component (GIM) prints on the
line of its log prefix, and Configuration Server's quoted user name (user name 'jdoe'). Object
names after "caller" (groups, queues, menus), other Java lines and the 'default' account stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    ("urs-caller-name-free-text",
     "Tue Mar  5 09:15:12 2024.000 Trc 22020 caller Harriet Ostrowski ANI 5555550142 verified\n",
     ["Harriet", "Ostrowski", "5555550142"], ["Trc 22020 caller NAME_", " ANI PHONE_", " verified"]),
    ("gim-caller-name-free-text",
     "2024-03-05 09:15:20,005 DEBUG [Job_TransformGIM] caller Harriet Ostrowski ANI 5555550142 verified\n",
     ["Harriet", "Ostrowski", "5555550142"], ["[Job_TransformGIM] caller NAME_", " verified"]),
    ("ors-log-expr-caller-name",
     "2024-03-05T09:15:12.000 Trc 20009 {0C8A1F2E3D4B5C6A7F8E9D0C1B2A3F4E} METRIC "
     "<log expr='caller Harriet Ostrowski card 4111111111111111' label='dbg' level='1' />\n",
     ["Harriet", "Ostrowski", "4111111111111111"],
     ["{0C8A1F2E3D4B5C6A7F8E9D0C1B2A3F4E} METRIC <log expr='caller NAME_", " card REDACTED-CARD' label='dbg'"]),
    ("caller-name-line-end-and-quote",
     "09:15:05.005 Std 20001 Caller Mary O'Brien-Smith\n"
     "<log expr='Caller Zoë Marchbanks'/>\n",
     ["Brien", "Smith", "Marchbanks"], ["Std 20001 Caller NAME_", "<log expr='Caller NAME_", "'/>"]),
    ("gim-java-inline-kv-pair",
     "2024-03-05 09:15:20,004 DEBUG [Job_TransformGIM] 'CustomerName'\t'Harriet Ostrowski'\n"
     "2024-03-05 09:15:20,004 DEBUG [w-1] c.g.gim.Etl - 'AccountNumber'\t'40017731'\n"
     "2024-03-05 09:15:20,004 INFO  [w-1] 'CustomerPIN'\t'4321'\n",
     ["Harriet", "Ostrowski", "40017731", "4321"],
     ["[Job_TransformGIM] 'CustomerName'\t'USERDATA_", "c.g.gim.Etl - 'AccountNumber'\t'USERDATA_",
      "[w-1] 'CustomerPIN'\t'REDACTED'"]),
    ("cs-user-name-quoted",
     "09:15:03.000 Std 21016 Client 700 authorized, name 'WDE_Desk', type 'InteractionWorkspace', "
     "user name 'harriet.ostrowski', protocol 'cfglib', address '192.0.2.77:50011'\n",
     ["harriet.ostrowski"],
     ["name 'WDE_Desk', type 'InteractionWorkspace', user name 'USER_", "', protocol 'cfglib', address '192.0.2.77:50011'"]),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_m_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path="var/log/genesys/URS_P/URS_P.log", fast=fast)


def test_the_same_name_gets_the_same_token_after_caller_and_customer(rule_sets) -> None:
    out = redacted(rule_sets, "caller Harriet Ostrowski ANI 5555550142 verified\n"
                              "routed call of Customer Harriet Ostrowski\n", "log", "x.log")
    first, second = (line.split("NAME_")[1][:10] for line in out.splitlines())
    assert first == second


STAY = [
    "09:15:01.000 Trc 22020 caller Customer Care Group selected\n",
    "09:15:01.000 Trc 22020 Caller Entered Main Menu\n",
    "<log expr='Caller Main Menu reached'/>\n",
    "09:15:01.000 Trc 22020 caller Sales Team Queue overflow\n",
    "09:15:01.000 Trc 22020 caller Gold Customers segment, target Spring Renewal Campaign\n",
    "09:15:01.000 Trc 22020 caller ANI anonymous not verified, Caller Id Unknown\n",
    "09:15:01.000 Trc 22020 caller hung up in Main Menu\n",
    "2024-03-05 09:15:20,000 INFO  [Job_TransformGIM] 'RStrategyName'\t'Main_Inbound'\n",
    "2024-03-05 09:15:20,301 DEBUG [Job_TransformGIM] SQL: SELECT GROUP_KEY, GROUP_NAME FROM GROUP_ "
    "WHERE GROUP_NAME IN ('Customer Care Group', 'Support Team', 'Sales Team Queue')\n",
    "09:15:03.000 Std 21016 Client 444 authorized, name 'OCS_P', type 'SCE', user name 'default', protocol 'addp'\n",
]


@pytest.mark.parametrize("line", STAY)
def test_object_names_and_technical_values_stay(rule_sets, line) -> None:
    assert redacted(rule_sets, line, "log", "var/log/genesys/URS_P/URS_P.log") == line
