"""Probe T 1, 2, 3, 16, 17: caller numbers in PureConnect (CIC) attributes in every separator,
letter case and wrapping; SIP Server routing and ISUP trace lines with dashes, split prefixes,
other verbs and labelled parameters; T-Lib/PSDK user data with other list and type tags; one
token for one caller across number formats; words after a number label stay."""

from __future__ import annotations

import re

import pytest

from collector.redaction.ruleset import RuleSet
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

PC = "11/20/2025 10:00:05 AM ; IP ; Interaction 1001234567 "


@pytest.mark.parametrize("value", [
    "Eic_RemoteTn=/15550710002", "Eic_RemoteTn='/15550710002'", "Eic_RemoteTn: /15550710002",
    "Eic_RemoteTn\t15550710002", "EIC_REMOTETN=15550710002", "Eic_RemoteTN=15550710002",
    "eic_remotetn=15550710002", "Eic_RemoteId=/15550710002", "Eic_LocalTn=/15550710002",
    "RemoteNumber=/15550710002", "Remote ID: /15550710002", "Eic_ANI\t15550710002",
    "<Eic_RemoteTn>15550710002</Eic_RemoteTn>", '{"Eic_RemoteTn":"15550710002"}',
])
def test_pureconnect_number_in_any_separator_case_and_wrapping(rule_sets: list[RuleSet], value: str) -> None:
    assert_redacted(rule_sets, PC + value + "\n", ["0710002"], [PC, "PHONE_"])
