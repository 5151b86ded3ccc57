"""Customer names and account numbers in the shapes black-box probe I found shipped in clear:
XML element content in SIP/MSML bodies and MRCP NLSML results, ORS/SCXML variables with a
dotted prefix, PureConnect call attributes, WDE case data, SQL INSERTs of contact names, T-Lib
attached data over two lines, AttributeCustomerID, names inside AttributeReasons, and encoded
copies (URL-encoded names under name keys, hex bytes and base64 bodies). Correlation values
(ConnID, Call-ID, DNs, IPs, times) on the same lines stay."""

from __future__ import annotations

import pytest

from collector.redaction.ruleset import RuleSet
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture


def redact(rule_sets: list[RuleSet], text: str) -> str:
    return redacted(rule_sets, text, "log", "var/log/genesys/SIPS_P/SIPS_P.log")


# (id, input, text that must be gone, text that must stay)
LEAKS = [
    # ---- finding 1: XML element content
    ("sip-body-customer-account",
     "<callinfo><customer>Zoltan Quibblesworth</customer><account>40017788</account></callinfo>\n",
     ["Zoltan", "Quibblesworth", "40017788"], ["<callinfo><customer>USERDATA_", "</account></callinfo>"]),
    ("msml-param-element-content",
     '09:15:06.500 Std 09900 <param name="callerName">Zoltan Quibblesworth</param> <param name="dialog">main</param>\n',
     ["Zoltan", "Quibblesworth"], ['<param name="callerName">USERDATA_', '<param name="dialog">main</param>']),
    ("nlsml-instance-name",
     "<result><interpretation><instance><name>Zoltan Quibblesworth</name><intent>billing</intent></instance></interpretation></result>\n",
     ["Zoltan", "Quibblesworth"], ["<instance><name>NAME_", "<intent>billing</intent>"]),
    # ---- finding 2: prefixed keys, PureConnect, WDE, SQL
    ("ors-data-prefix",
     "09:15:06.200 Std 09900 ORS: _data.customerName = 'Marguerite Fennimore'; _data.accountNumber='40017788';\n",
     ["Marguerite", "Fennimore", "40017788"], ["_data.customerName = 'USERDATA_", "_data.accountNumber='USERDATA_"]),
    ("ors-udata-path",
     '09:20:00.011 Trc 00011 ORS: _genesys.ixn.interactions[0].udata.CustomerName = "Marguerite Fennimore"\n',
     ["Marguerite", "Fennimore"], ['_genesys.ixn.interactions[0].udata.CustomerName = "USERDATA_']),
    ("pureconnect-remote-name",
     "09:15:06.400 Std 09900 Eic_RemoteName=Zoltan Quibblesworth Eic_RemoteTn=+15551234567\n"
     "09:20:00.007 Trc 00007 Eic_RemoteName='Marguerite Fennimore' Eic_CallId=3001234567\n",
     ["Zoltan", "Quibblesworth", "Marguerite", "Fennimore", "15551234567"],
     ["Eic_RemoteName=USERDATA_", " Eic_RemoteTn=+PHONE_", "Eic_CallId=3001234567"]),
    ("wde-case-data",
     "09:15:06.700 Std 09900 Case data: First Name=Marguerite; Last Name=Fennimore; Segment=Gold\n",
     ["Marguerite", "Fennimore"], ["First Name=USERDATA_", "; Last Name=USERDATA_", "; Segment=Gold"]),
    ("sql-insert-contact-names",
     "09:15:06.800 Std 09900 SQL: INSERT INTO contact (id, firstname, lastname, lang) "
     "VALUES ('00001a2bC3d4E5f6', 'Marguerite', 'Fennimore', 'en')\n",
     ["Marguerite", "Fennimore"], ["VALUES ('00001a2bC3d4E5f6', 'USERDATA_", "'en')"]),
    # ---- finding 3: T-Lib attached data
    ("tlib-value-over-two-lines",
     "\tAttributeUserData\t[200] 00 06 00 00..\n\t\t'MultiLine'\t'line one of a note\n"
     "Marguerite Fennimore continued here'\n\t\t'RStrategyName'\t'Main_Inbound'\n",
     ["Marguerite", "Fennimore"], ["REDACTED-TEXT'\n", "\t\t'RStrategyName'\t'Main_Inbound'\n"]),
    ("tlib-sensitive-value-over-two-lines",
     "\t\t'CustomerName'\t'Marguerite\nFennimore'\n\tAttributeConnID\t007b02aa3c1f0011\n",
     ["Marguerite", "Fennimore"], ["\t\t'CustomerName'\t'USERDATA_", "\tAttributeConnID\t007b02aa3c1f0011\n"]),
    ("tlib-tagged-pair-whole-value",        # the block rule's begin cuts nothing out of the span
     "\t\t'TaggedName'\t<#'CustomerName'\t'Marguerite Fennimore'#>\n",
     ["Marguerite", "Fennimore"], ["\t\t'TaggedName'\t<#USERDATA_"]),
    ("tlib-customer-id",
     "\tAttributeCustomerID\t'Marguerite Fennimore'\n",
     ["Marguerite", "Fennimore"], ["\tAttributeCustomerID\t'USERDATA_"]),
    ("tlib-reasons-cust",
     "\tAttributeReasons\t[30] 00 01 00 00..\n\t\t'ReasonCode'\t'Cust=Marguerite Fennimore'\n",
     ["Marguerite", "Fennimore"], ["\t\t'ReasonCode'\t'Cust=USERDATA_", "'\n"]),
    # ---- finding 6: encoded copies
    ("url-encoded-name-query",
     "09:15:06.600 Std 09900 GET /api/v2/contacts?search=Marguerite%20Fennimore&lang=en HTTP/1.1\n",
     ["Marguerite", "Fennimore"], ["?search=NAME_", "&lang=en HTTP/1.1"]),
    ("url-encoded-name-form-body",
     "name=Zoltan%20Quibblesworth&dialog=main\n",
     ["Zoltan", "Quibblesworth"], ["name=NAME_", "&dialog=main"]),
    ("hex-under-sensitive-key",
     "\t\t'CustomerName'\t[8] 4d 61 72 67 75 65 72 69\n"
     "\t\t'CustomerName' [bin] = 4d617267756572697465\n",
     ["4d 61 72 67", "4d617267756572697465"], ["'CustomerName'\t[8] USERDATA_", "'CustomerName' [bin] = USERDATA_"]),
    ("name-in-brackets-after-caller-number",
     "2024-03-05 09:15:30.000 [ClientServices] Incoming call from +15551234567 (Zoltan Quibblesworth) to 7101\n"
     "09:15:06.000 Std 09900 Caller 5551234567 (Zoltan Quibblesworth) ani=+15551234567\n",
     ["Zoltan", "Quibblesworth"], ["+PHONE_", " (NAME_", ") to 7101"]),
    ("unquoted-name-before-email",
     "2024-03-05T09:15:21.000 Trc 00000 chat message from client Marguerite Fennimore <marguerite.f@example.org>: hi; "
     "SMTP MAIL FROM <bounce@example.com>\n",
     ["Marguerite", "Fennimore"], ["from client NAME_", " <EMAIL_", "SMTP MAIL FROM <EMAIL_"]),
    ("base64-body",
     "09:15:06.900 Std 09900 Content-Transfer-Encoding base64 body: TXkgY2FyZCBpcyA0MTExMTExMTExMTExMTEx\n",
     ["TXkgY2FyZCBpcyA0MTEx"], ["base64 body: REDACTED-TEXT"]),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_customer_data_shapes_are_redacted(rule_sets, case, fast) -> None:
    _, line, gone, kept = case
    assert_redacted(rule_sets, line, gone, kept, path="var/log/genesys/SIPS_P/SIPS_P.log", fast=fast)


STAY = [
    "09:15:06.000: SIPTR: Received [0,UDP] 600 bytes from 203.0.113.5:5060 <<<<<\n",
    "Call-ID: 4f1c0e2a-demo-0009@203.0.113.5\n",
    "\tAttributeConnID\t007b02aa3c1f0011\n\tAttributeThisDN\t'7101'\n\tAttributeCallUUID\t'7QK2M0D4AB5H91VX03KD4G0E7S000001'\n",
    "<queueName>VQ_Sales</queueName><name>VQ_Sales</name><param name=\"dialog\">main</param>\n",
    "\t\t'RStrategyName'\t'Main_Inbound'\n\t\t'Info'\t'short' (truncated)\n\tAttributeThisDN\t'7101'\n",
    "log.account-lockout.enabled = true\nlogger.customer-name-format = full\n",
    "INSERT INTO G_CALL (CALLID, STATE, TENANT) VALUES ('007b02aa3c1f0011', 'Active', 'Resources')\n",
    "GET /api/v2/queues?name=VQ_Sales&search=agent HTTP/1.1\n",
    "\t\t'CustomerData'\t[40] 00 02 00 00..\n",    # a nested list's header; a binary value is masked (probe O 3)
]


@pytest.mark.parametrize("line", STAY)
def test_correlation_values_stay(rule_sets, line) -> None:
    assert redact(rule_sets, line) == line
