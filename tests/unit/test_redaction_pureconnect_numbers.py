"""Callers' numbers in PureConnect (CIC) text traces (probe R 3): interaction attributes that hold
the remote or local party's number (Eic_RemoteTn, Eic_RemoteId, Eic_RemoteAddress, Eic_LocalTn),
RemoteNumber=/LocalNumber=, Remote ID:, Number: 'N', call N, from N, and the remote party's name
beside them, in UTF-8 and UTF-16 files. Agent extensions, call ids and interaction ids stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

PATH = "D/I3/IC/Logs/2026-11-27/IPServer.txt"

LEAKS = (
    "2026-11-27 14:20:00.000 IP: SetAttribute Eic_RemoteTn=5555550191\r\n"
    "2026-11-27 14:20:02.000 IP: SetAttribute Eic_RemoteId=5555550193\r\n"
    "2026-11-27 14:20:03.000 IP: SetAttribute Eic_RemoteName=Jane Example\r\n"
    "2026-11-27 14:20:04.000 IP: SetAttribute Eic_LocalTn=5555550194\r\n"
    "2026-11-27 14:20:05.000 IP: SetAttribute Eic_RemoteAddress=5555550195\r\n"
    "2026-11-27 14:20:06.000 IP: Interaction 1001234567 attributes: Eic_RemoteTn='5555550196', "
    "Eic_RemoteName='Jane Example', Eic_CallId=1001234568\r\n"
    "2026-11-27 14:21:00.000 IC: call 5555550171 offered to queue Support\r\n"
    "2026-11-27 14:21:01.000 IC: RemoteNumber=5555550174\r\n"
    "2026-11-27 14:21:02.000 IC: Remote ID: 5555550175\r\n"
    "2026-11-27 14:21:03.000 IC: from 5555550177\r\n"
    "2026-11-27 14:21:04.000 IC: Number: '5555550178'\r\n"
    "2026-11-27 14:21:05.000 IC: LocalNumber=5555550183;RemoteName=Jane Example\r\n"
)
GONE = ["5555550191", "5555550193", "5555550194", "5555550195", "5555550196", "5555550171",
        "5555550174", "5555550175", "5555550177", "5555550178", "5555550183", "Jane Example"]
KEPT = ["Interaction 1001234567 attributes: Eic_RemoteTn='PHONE_", "Eic_CallId=1001234568\r\n",
        "IC: call PHONE_", "IC: Remote ID: PHONE_", ";RemoteName=USERDATA_"]

STAY = (
    "2026-11-27 14:21:00.000 IC: call 1001234567 assigned to 7101 from queue Support\r\n"
    "2026-11-27 14:21:01.000 IC: Interaction 1001234567 CallId=2001234567 LocalNumber=7101 Eic_LocalTn=7101\r\n"
    "2026-11-27 14:21:02.000 IC: Copied 12 files from 3175550123 to 3175550100; Sequence Number: 12345678\r\n"
)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_pureconnect_numbers_and_names_are_tokenised(rule_sets, fast) -> None:
    out = assert_redacted(rule_sets, LEAKS, GONE, KEPT, path=PATH, fast=fast)
    # one caller, one token: the name beside LocalNumber= gets Eic_RemoteName's token
    names = {part.split("USERDATA_")[1][:10] for part in out.split("\r\n") if "USERDATA_" in part}
    assert len(names) == 1, out


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_pureconnect_ids_and_extensions_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, STAY, [], [STAY], path=PATH, fast=fast)
