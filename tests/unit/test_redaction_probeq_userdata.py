"""Leaks black-box probe Q found in attached data (findings 2, 3, 10): the first pair of a nested
list when whitespace surrounds `(list)` or it is written `[list]`; values with a type tag
(`[int]`, `[long]`, `[str]`) or in double quotes under phone and personal keys; phone values on
their own line (XML element, JSON member) or in a name/value `<property>`. Correlation values next
to them (list headers, strategy names, timestamps, counts) stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    ("q2-nested-list-whitespace-and-brackets",
     "\tAttributeUserData\t[120] 00 03 00 00..\n"
     "\t\t'Customer' (list) 'Phone'\t'15550900002'\n"
     "\t\t'Customer'\t(list)\t'Phone'\t'15550900003'\n"
     "\t\t'Customer'\t[list] 'Phone'\t'15550900004'\n"
     "\t\t'Customer' (list) 'AccountNumber'\t'15550900005'\n"
     "\t\t\t'Caller'\t(list)\t'ContactNumber'\t'15550900006'\n"
     "\t\t'Customer' [list] 'CustomerName'\t'Jane Example'\n"
     "\t\t'Customer' (list) 'CustomerPIN'\t'4321'\n"
     "\t\t'Customer' (list) 'Note'\t'line one\nMarguerite Fennimore here'\n",
     ["0900002", "0900003", "0900004", "0900005", "0900006", "Jane Example", "4321", "line one",
      "Marguerite"],
     ["\t\t'Customer' (list) 'Phone'\t'PHONE_", "\t\t'Customer'\t[list] 'Phone'\t'PHONE_",
      "'Customer' (list) 'CustomerPIN'\t'REDACTED'\n", "\tAttributeUserData\t[120] 00 03 00 00..\n"]),
    ("q3-typed-and-double-quoted-values",
     "\t\t'PhoneNumber'\t[int] 15550900011\n"
     "\t\t'_CB_N_CALLBACK_NUMBER'\t[int] 15550900012\n"
     "\t\t'Phone'\t[str] '15550900013'\n"
     "\t\t'Phone'\t[long] 15550900014\n"
     "\t\t'Phone'\t\"15550900015\"\n"
     "\t\t\"Phone\"\t\"15550900016\"\n"
     "\t\t'CustomerName'\t[str] 'Jane Example'\n"
     "\t\t'CustomerName'\t\"Janet Sample\"\n"
     "\t\t'CustomerPIN'\t[str] '4321'\n"
     "\t\t'CustomerPIN'\t\"9876\"\n",
     ["0900011", "0900012", "0900013", "0900014", "0900015", "0900016", "Jane Example",
      "Janet Sample", "4321", "9876"],
     ["\t\t'PhoneNumber'\t[int] PHONE_", "\t\t'Phone'\t[str] 'PHONE_", "\t\t\"Phone\"\t\"PHONE_",
      "\t\t'CustomerName'\t\"USERDATA_", "\t\t'CustomerPIN'\t\"REDACTED\"\n"]),
    ("q10-phone-value-on-its-own-line-and-property",
     "10:00:03.000 Dbg 00000 <metadata><ani>\n15551300001\n</ani></metadata>\n"
     "10:00:03.100 Dbg 00000 <property name=\"callerNumber\" value=\"15551300002\"/>\n"
     "10:00:05.000 Dbg 00000 request body:\n{\n  \"callback\": {\n    \"phone\":\n      \"15551300004\"\n  }\n}\n",
     ["15551300001", "15551300002", "15551300004"],
     ["<metadata><ani>\nREDACTED-PHONE\n</ani></metadata>\n", '<property name="callerNumber" value="PHONE_',
      '    "phone":\n      REDACTED-PHONE\n  }\n}\n']),
]

STAY = [
    "\t\t'Customer' (list) 'RStrategyName'\t'Main_Inbound'\n\t\t'Ctx'\t[list] 'Attempts'\t2\n",
    "\t\t'GSW_DATE_TIME'\t[int] 1709648104\n\t\t'PortNumber'\t[int] 5060\n\t\t'Verified'\t\"yes\"\n"
    "\t\t'RStrategyName'\t\"Main_Inbound\"\n\t\t'Note'\t\"say \"hi\" there\"\n",
    "{\n  \"callbackTime\":\n    1709648104,\n  \"seqNumber\":\n    12345678\n}\n<organisation>\n1234567\n</organisation>\n"
    "<property name=\"maxNumber\" value=\"15\"/><property name=\"callerNumberFormat\" value=\"E164\"/>\n",
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_q_userdata_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, fast=fast)


@pytest.mark.parametrize("text", STAY)
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_q_userdata_neighbours_stay(rule_sets, text, fast) -> None:
    assert_redacted(rule_sets, text, [], [text], fast=fast)
