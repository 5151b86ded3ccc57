"""Caller numbers and customer names printed without a key next to them, in the shapes black-box
probe L found shipped in clear: the OCS calling-list chain dump and answered-call line, a name
ending an OCS dial line or an unquoted URS STRING, URS ExtractNumber, JSON "name" in a record
that also holds personal keys (URS web-service result, ORS eval_expr), 'Caller Name (number)',
single-word name=/search= in a query that also carries a caller key, Interaction Server
Subject='...' and OCS notes='...' inline, the Chat Server nickname, and the number after an
address in Workspace's contact history. IDs, DNs, queue names, ConnIDs and counts stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    ("ocs-chain-records",
     "09:15:01.060 Trc 50092 Chain 3301 of 2 records: [5512 5555550177 Ready] [5513 5555550199 Ready]\n",
     ["5555550177", "5555550199"], ["Chain 3301 of 2 records: [5512 PHONE_", " Ready] [5513 PHONE_"]),
    ("ocs-contact-info-word",
     "09:15:04.300 Int 50100 Call to contact_info 5555550177 (record_handle 17, chain 3301) answered, "
     "call result Answer, ConnID 007b02aa3c1f0011\n",
     ["5555550177"], ["contact_info PHONE_", "(record_handle 17, chain 3301)", "ConnID 007b02aa3c1f0011"]),
    ("ocs-dial-customer-name",
     "09:15:01.060 Trc 50094 Dialing 5555550177 for record 7001 (chain 4100), customer Desmond Quillfeather\n",
     ["5555550177", "Desmond", "Quillfeather"], ["for record 7001 (chain 4100), customer NAME_"]),
    ("ocs-record-notes",
     "09:15:01.050 Dbg 50091 Record retrieved: record_id=7001, notes='promised payment friday', "
     "company='Quokka Holdings', chain_id=4100\n",
     ["promised payment"], ["notes='REDACTED-TEXT', company='Quokka Holdings', chain_id=4100"]),
    ("urs-extract-number",
     "_T_I_007b02aa3c1f0011 [10:13] FUNC: ExtractNumber('5555550142') -> INTEGER 5555550142\n",
     ["5555550142"], ["_T_I_007b02aa3c1f0011 [10:13] FUNC: ExtractNumber('PHONE_", "') -> INTEGER PHONE_"]),
    ("urs-web-service-json-name",
     "_T_I_007b02aa3c1f0011 [14:01] calling web service http://crm.example.local/lookup?ani=5555550142 "
     'result: {"name":"Harriet Ostrowski","segment":"Gold","ssn":"078-05-1120"}\n',
     ["Harriet", "Ostrowski", "5555550142"], ['result: {"name":"NAME_', '"segment":"Gold"']),
    ("urs-unquoted-string-name",
     "_T_I_007b02aa3c1f0011 [09:04] ASSIGN: vFull(LOCAL) <- STRING Desmond Quillfeather\n"
     "_T_I_007b02aa3c1f0011 [09:04] ASSIGN: CustName(LOCAL) <- STRING Desmond Quillfeather\n",
     ["Desmond", "Quillfeather"], ["ASSIGN: vFull(LOCAL) <- STRING NAME_", "ASSIGN: CustName(LOCAL) <- STRING NAME_"]),
    ("urs-http-name-word",
     "03/05/24@09:15:16.300: GET /urs/call/007b02aa3c1f0011/lvq?ani=5555550142&name=Harriet HTTP/1.1\n",
     ["Harriet", "5555550142"], ["/urs/call/007b02aa3c1f0011/lvq?ani=PHONE_", "&name=NAME_", " HTTP/1.1"]),
    ("ors-eval-expr-json-name",
     "Tue 05 Mar 2024 09:15:17 AM UTC.110 Trc 10000 0C8A1F2E3D4B5C6A7F8E9D0C1B2A3F4E METRIC <eval_expr "
     "sid='0C8A1F2E3D4B5C6A7F8E9D0C1B2A3F4E' expression='App_CRM.customer' "
     "result='{\"name\":\"Harriet Ostrowski\",\"account\":\"40017731\",\"email\":\"h.o@example.org\"}' />\n",
     ["Harriet", "Ostrowski", "40017731"], ["expression='App_CRM.customer' result='{\"name\":\"NAME_",
                                            "sid='0C8A1F2E3D4B5C6A7F8E9D0C1B2A3F4E'"]),
    ("ors-log-caller-name-number",
     "Tue 05 Mar 2024 09:15:17 AM UTC.120 Trc 10000 0C8A1F2E3D4B5C6A7F8E9D0C1B2A3F4E METRIC <log "
     "sid='0C8A1F2E3D4B5C6A7F8E9D0C1B2A3F4E' expr='Caller Harriet Ostrowski (5555550142) account 40017731' "
     "label='' level='1' />\n",
     ["Harriet", "Ostrowski", "5555550142", "40017731"], ["expr='Caller NAME_", " (PHONE_", "label='' level='1' />"]),
    ("ixn-server-subject-inline",
     "03/05/2024 09:15:12.200 Int 26000 Interaction 0001Ka9Bc3DeF4Gh placed in queue 'Inbound_Email_Queue', "
     "properties: FromAddress=h.o@example.org, Subject='Account 40017731 locked - please call 5555550142', "
     "FirstName=Harriet\n",
     ["40017731", "5555550142", "locked", "Harriet"],
     ["Interaction 0001Ka9Bc3DeF4Gh placed in queue 'Inbound_Email_Queue'", "Subject='REDACTED-TEXT', FirstName="]),
    ("chat-nickname-quoted",
     "2024-03-05 09:15:13.000 Trc 55001 Session 00025aXyZ7wQ1pL2 message from party 2 (client, nickname 'Harriet'):\n",
     ["Harriet"], ["Session 00025aXyZ7wQ1pL2 message from party 2 (client, nickname 'NAME_"]),
    ("gws-search-word",
     '203.0.113.77 - kbrandt [05/Mar/2024:09:15:10 +0000] "GET /api/v2/contacts?search=Ostrowski&phone=5555550142 '
     'HTTP/1.1" 200 512 "-" "Mozilla/5.0" 12\n'
     "2024-03-05 09:15:10,030 INFO  [qtp1-22] c.g.c.v2.ApiRequestLogger - GET /api/v2/contacts?phone=5555550142&q=Ostrowski\n",
     ["Ostrowski", "5555550142"], ["/api/v2/contacts?search=NAME_", 'HTTP/1.1" 200 512', "&q=NAME_"]),
    ("wde-contact-history-number",
     "24-03-05 09:15:18.300 [  14] DEBUG Contact - Contact history: Harriet Ostrowski <harriet.o@example.org> 5555550142\n",
     ["Harriet", "Ostrowski", "5555550142"], ["Contact history: NAME_", "> PHONE_"]),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_free_text_caller_data_is_redacted(rule_sets, case, fast) -> None:
    _, line, gone, kept = case
    assert_redacted(rule_sets, line, gone, kept, path="var/log/genesys/OCS_P/OCS_P.log", fast=fast)


STAY = [
    "GET /api/v2/queues?name=VQ_Sales&search=agent&page=2 HTTP/1.1\n",
    "GET /urs/call/007b02aa3c1f0011/lvq?tenant=Resources&name=VQ_Sales HTTP/1.1\n",
    "09:15:01.060 Trc 50092 Chain 3301 of 2 records: [5512 7101 Ready]\n",
    "09:15:02.000 Int 50100 routed to customer service queue VQ_Sales\n",
    "_T_I_007b02aa3c1f0011 [09:04] ASSIGN: vTarget(LOCAL) <- STRING VQ_Sales\n",
    "_T_I_007b02aa3c1f0011 [09:04] ASSIGN: vSeg(LOCAL) <- STRING Gold\n",
    "_T_I_007b02aa3c1f0011 [10:13] FUNC: TimeStamp() -> INTEGER 1709630105\n",
    '{"name":"VQ_Sales","size":12,"emailEnabled":"no"}\n',
    '{"name":"Main_Inbound","type":"strategy","enabled":true}\n',
    "Caller 7101 (agent), Caller 7102 (Main Menu), Caller Id (12)\n",
    "TLS peer subject='CN=gws01.example.com', company='Quokka Holdings'\n",
    "Received 1234567 bytes from 203.0.113.5:5060\n",
]


@pytest.mark.parametrize("line", STAY)
def test_ids_and_names_of_objects_stay(rule_sets, line) -> None:
    out = redacted(rule_sets, line, "log", "var/log/genesys/OCS_P/OCS_P.log")
    assert out == line
