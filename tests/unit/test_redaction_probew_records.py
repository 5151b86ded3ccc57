"""Leaks black-box probe W found in customer records and free text (findings 3, 4, 7): UCS
contact attributes printed as Java objects, agent notes under keys other than Comment, and row
values that database errors quote back. Correlation values on the same lines (interaction and
contact IDs, time stamps, table and column names, error codes, attribute names) stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

UCS = "2026-11-27 09:15:03,250 INFO  [ESP-Worker-3] ContactService - "

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    # finding 3: UCS contact records
    ("ucs-contact-attribute",
     UCS + "attributes=[ContactAttribute{name=FirstName, value=Maria}, ContactAttribute{name=LastName, "
           "value=Gonzalez}, ContactAttribute{name=PhoneNumber, value=2125550198}, "
           "ContactAttribute{name=DOB, value=1982-03-14}, ContactAttribute{name=Segment, value=Gold}]\n",
     ["Maria", "Gonzalez", "2125550198", "1982-03-14"],
     [UCS + "attributes=[ContactAttribute{name=FirstName, value=USERDATA_", "{name=LastName, value=USERDATA_",
      "{name=PhoneNumber, value=PHONE_", "{name=DOB, value=USERDATA_", "{name=Segment, value=Gold}]\n"]),
    ("ucs-attribute-value",
     UCS + "AttributeValue: Name=LastName, Value=Gonzalez, Description=\n",
     ["Gonzalez"], ["AttributeValue: Name=LastName, Value=USERDATA_", ", Description=\n"]),
    ("ucs-merging-contact",
     UCS + "merging with contact 'Gonzalez, Maria' (0002Ja8S7X1C00A1)\n",
     ["Gonzalez", "Maria"], ["merging with contact 'NAME_", "' (0002Ja8S7X1C00A1)\n"]),
    # finding 4: notes are free text, as Comment is
    ("psdk-notes",
     "attr_itx_id [str] = \"000DGa8S7X1C003N\"\nattr_itx_prop [list, size (unpacked)=300] = \n"
     "\t'Notes' [str] = \"Customer Maria Gonzalez, DOB 14/03/1982, lives at 742 Evergreen Terrace\"\n"
     "\t'CaseNote' [str] = \"DOB 1982-03-14, lives at 742 Evergreen Terrace\"\n"
     "\t'TheComment' [str] = \"Customer lives at 12 Baker Street, London NW1 6XE\"\n",
     ["Maria", "Gonzalez", "14/03/1982", "1982-03-14", "Evergreen", "Baker Street"],
     ["attr_itx_id [str] = \"000DGa8S7X1C003N\"\n", "\t'Notes' [str] = \"REDACTED-TEXT\"\n",
      "\t'CaseNote' [str] = \"REDACTED-TEXT\"\n", "\t'TheComment' [str] = \"REDACTED-TEXT\"\n"]),
    ("gws-json-notes",
     "2026-11-27 09:15:07,100 DEBUG [qtp-55] c.g.c.v3.InteractionsController - GET /api/v2/me/interactions/"
     "000DGa8S7X1C003N -> {\"id\":\"000DGa8S7X1C003N\",\"userData\":{\"Notes\":\"Lost card 4111 1111 1111 1111, "
     "new address 742 Evergreen Terrace\"}}\n",
     ["Evergreen", "4111"], ["{\"id\":\"000DGa8S7X1C003N\",\"userData\":{\"Notes\":\"REDACTED-TEXT\"}}\n"]),
    ("gws-note-saved",
     "2026-11-27 09:15:40,000 INFO  [qtp-57] c.g.c.v3.NotesController - note saved for 000DGa8S7X1C003N by "
     "agent.kelly: \"Caller Maria Gonzalez (DOB 14.03.1982) wants card blocked; verified with passport PX1234567\"\n",
     ["Maria", "Gonzalez", "14.03.1982", "PX1234567"],
     ["note saved for 000DGa8S7X1C003N by agent.kelly: \"REDACTED-TEXT\"\n"]),
    ("wde-note-updated",
     "26-11-27 09:15:41.000 INFO Interaction.Note     Note updated: \"Caller wants new card sent to "
     "742 Evergreen Terrace.\"\r\n",
     ["Evergreen"], ["26-11-27 09:15:41.000 INFO Interaction.Note     Note updated: \"REDACTED-TEXT\"\r\n"]),
    ("pureconnect-eic-notes",
     "  Eic_RemoteTn=2125550198\n  Eic_Notes=Customer at 742 Evergreen Terrace, DOB 1982-03-14, "
     "email maria.gonzalez@example.com\n  Eic_WorkgroupQueueName=Support_WG\n",
     ["Evergreen", "1982-03-14", "maria.gonzalez"],
     ["  Eic_Notes=REDACTED-TEXT\n  Eic_WorkgroupQueueName=Support_WG\n"]),
    ("ocs-dnc-message",
     "09:20:30.020 Dbg 50000 SQL: insert into gsw_donotcall_list (phone, customer_id, dnc_message, timestamp) "
     "values ('2125550198', 'CUST-88812', 'customer Maria Gonzalez asked, SSN 536-22-8145', 1795858830)\n",
     ["Maria", "Gonzalez", "536-22-8145", "2125550198"],
     ["09:20:30.020 Dbg 50000 SQL: insert into gsw_donotcall_list (phone, customer_id, dnc_message, timestamp) "
      "values ('PHONE_", "', 'REDACTED-TEXT', 1795858830)\n"]),
    # finding 7: row values in database errors
    ("icon-ora-12899-value",
     "Thu 27 Nov 2026 09:15:05 AM UTC.902 Std 25200 DB error: ORA-12899: value too large for column "
     "\"GIDB\".\"G_CUSTOM_DATA_P\".\"CUST_ADDRESS\" (actual: 120, maximum: 64) value "
     "'742 Evergreen Terrace, Springfield, IL 62704 - c/o Maria Gonzalez'\n",
     ["Evergreen", "Springfield", "Maria", "Gonzalez"],
     ["Thu 27 Nov 2026 09:15:05 AM UTC.902 Std 25200 DB error: ORA-12899: value too large for column "
      "\"GIDB\".\"G_CUSTOM_DATA_P\".\"CUST_ADDRESS\" (actual: 120, maximum: 64) value 'REDACTED-TEXT'\n"]),
    ("gim-sqlexception-row-values",
     "2026-11-27 09:30:01,501 ERROR [Job_TransformGIM] java.sql.SQLException: ORA-01400: cannot insert NULL into "
     "(\"GIM\".\"CUSTOM_DIM\".\"DIM_ATTRIBUTE_2\"), row values: ('Maria Gonzalez','1982-03-14','x')\n",
     ["Maria", "Gonzalez", "1982-03-14"],
     ["2026-11-27 09:30:01,501 ERROR [Job_TransformGIM] java.sql.SQLException: ORA-01400: cannot insert NULL into "
      "(\"GIM\".\"CUSTOM_DIM\".\"DIM_ATTRIBUTE_2\"), row values: ('REDACTED-TEXT','REDACTED-TEXT','REDACTED-TEXT')\n"]),
    ("wde-contact-selected",
     "26-11-27 09:15:40.100 DBUG Contact.Directory    Contact selected: Gonzalez, Maria (0002Ja8S7X1C00A1), "
     "Address: 742 Evergreen Terrace, Springfield, IL 62704, DOB 1982-03-14\r\n",
     ["Gonzalez", "Maria", "Evergreen", "1982-03-14"],
     ["26-11-27 09:15:40.100 DBUG Contact.Directory    Contact selected: NAME_",
      " (0002Ja8S7X1C00A1), REDACTED-TEXT\r\n"]),
]


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "full"])
@pytest.mark.parametrize(("text", "gone", "kept"), [case[1:] for case in LEAKS], ids=[case[0] for case in LEAKS])
def test_probe_w_values_are_redacted(rule_sets, text, gone, kept, fast):
    assert_redacted(rule_sets, text, gone, kept, fast=fast)


def test_same_contact_gets_the_same_token_in_ucs_and_workspace(rule_sets):
    """UCS's contact 'Last, First' and Workspace's Contact selected: Last, First carry one token,
    and the UCS attribute value the same token as the GWS JSON user data of the same person."""
    ucs = redacted(rule_sets, UCS + "merging with contact 'Gonzalez, Maria' (0002Ja8S7X1C00A1)\n", "log", "x.log")
    wde = redacted(rule_sets, "26-11-27 09:15:40.100 DBUG Contact.Directory    Contact selected: Gonzalez, Maria "
                              "(0002Ja8S7X1C00A1)\r\n", "log", "x.log")
    token = ucs.split("contact '")[1].split("'")[0]
    assert token.startswith("NAME_") and f"Contact selected: {token} (" in wde
    attr = redacted(rule_sets, UCS + "attributes=[ContactAttribute{name=FirstName, value=Maria}]\n", "log", "x.log")
    gws = redacted(rule_sets, '{"userData":{"FirstName":"Maria"}}\n', "log", "x.log")
    first = attr.split("value=")[1].split("}")[0]
    assert first.startswith("USERDATA_") and f'"FirstName":"{first}"' in gws


# lines that must stay as they are: no value beside a personal attribute name, no row value
KEPT = [
    UCS + "AttributeValue: Name=EmailAddress, Value=EMAIL_abcdefghij, Description= ContactAttribute{name=Title, value=Mr}\n",
    "ORA-12899: value too large for column \"GIDB\".\"G_CALL\".\"STATE\" (actual: 70, maximum: 64)\n",
    "INSERT INTO G_NOTE (ID, NOTE_TYPE, CREATED) VALUES ('0001Ka9Bc3DeF4Gh', 'agent', '2024-03-05 09:15:06')\n",
    "\t'NoteType' [str] = \"Callback\"\n\t'NotesCount' [int] = 3\n",
]


@pytest.mark.parametrize("text", KEPT)
def test_probe_w_correlation_lines_stay(rule_sets, text):
    assert redacted(rule_sets, text, "log", "opt/genesys/x.log") == text
