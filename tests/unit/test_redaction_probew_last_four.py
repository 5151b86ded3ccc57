"""Probe W 10: an account or card number the site's [log-filter-data] already cut to its last 4
digits (hide-first,4: "****1234") is left as the site wrote it (README/architecture: values the
application already hid stay), so support keeps the digits the site's policy leaves visible.
Only that: a PIN, CVV or SSN with digits showing, more than 4 digits, or the first digits shown
are still redacted."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

IXN = "var/log/genesys/IXN_M/IXN_M.20261127_090000_000.log"

KEPT = [
    "\t'AccountNumber' [str] = \"****1234\"\n",
    "\t'CardNumber' [str] = \"************4242\"\n",
    "AccountNumber=****1234 acct=****5678\n",
    '{"accountNumber": "****5678"}\n',
]

REDACTED = [
    ("\t'AccountNumber' [str] = \"****12345678\"\n", "12345678"),
    ("\t'AccountNumber' [str] = \"1234****\"\n", "1234****"),
    ("\t'AccountNumber' [str] = \"**1234\"\n", "**1234"),
    ("\t'CustomerPIN' [str] = \"****1234\"\n", "****1234"),
    ("\t'CardPIN' [str] = \"****1234\"\n", "****1234"),
    ("\t'SSN' [str] = \"*****6789\"\n", "*****6789"),
    ("pin=****1234 cvv=****123 card_cvv=****321\n", "1234"),
    ("pin=****1234 cvv=****123 card_cvv=****321\n", "****123"),
    ("pin=****1234 cvv=****123 card_cvv=****321\n", "****321"),
    ('{"pin": "****1234", "ssn": "*****6789"}\n', "6789"),
    ('<param name="PIN" value="****1234"/>\n', "1234"),
    ("\tAttributeANI [str] = \"****0198\"\n", "0198"),
]


@pytest.mark.parametrize("text", KEPT)
def test_last_four_of_an_account_stays(rule_sets, text):  # noqa: F811
    assert_redacted(rule_sets, text, [], [text], path=IXN)


@pytest.mark.parametrize("text,gone", REDACTED)
def test_other_partly_hidden_values_are_redacted(rule_sets, text, gone):  # noqa: F811
    assert_redacted(rule_sets, text, [gone], [], path=IXN)
