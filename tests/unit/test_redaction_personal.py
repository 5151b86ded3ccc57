"""Personal data and attached data in the shapes black-box probes found leaking or over-redacted:
names in structured free text, IBANs and local-language keys, the attached-data key deny-list
matching short roots inside other words, account numbers with a letter prefix, card numbers
under a key, speech recognition input, e-mail subjects, and the CfgPerson XML dump."""

from __future__ import annotations

import re

import pytest

from collector.redaction.ruleset import RuleSet
from tests.redacting import redacted, rule_sets  # noqa: F401 - rule_sets is a fixture


def redact(rule_sets: list[RuleSet], text: str, kind: str = "log") -> str:
    return redacted(rule_sets, text, kind, "opt/genesys/x.log")


def token(out: str, prefix: str, after: str) -> str:
    """The token of category ``prefix`` that follows ``after`` in ``out``."""
    found = re.search(re.escape(after) + rf"({prefix}_[a-z]{{10}})", out)
    assert found, f"no {prefix} token after {after!r} in {out!r}"
    return found.group(1)


# (id, input line, text that must be gone, text that must stay)
LEAKS = [
    # ---- names in structured free text
    ("ors-name-quoted",
     "Wed Nov 25 09:15:05 2026.760 Trc 10000 00KGBBNMJ4CRJ4O6AJP0S2LAES00001H: SCXML session created for ConnID "
     "007b02aa3c1f0011, _genesys.FMS data ani='5550103456' name='Zebulon Quartermaine'",
     ["Zebulon", "Quartermaine"], ["ConnID 007b02aa3c1f0011", "name='NAME_"]),
    ("icon-key-value-pairs",
     "11/25/2026 09:15:05.124 Trc 25002 G_SECURE_USERDATA_HISTORY key 'CardNumber' value '4111111111111111' "
     "key 'SSN' value '078-05-1120' key 'Name' value 'Zebulon Quartermaine'",
     ["4111111111111111", "078-05-1120", "Zebulon", "Quartermaine"],
     ["key 'CardNumber' value 'REDACTED-CARD'", "key 'Name' value 'USERDATA_"]),
    ("icon-key-value-apostrophe",
     "11/25/2026 09:15:05.124 Trc 25002 G_SECURE_USERDATA_HISTORY key 'CustomerName' value 'O'Brien Mary' key 'VQ' value 'VQ_Sales'",
     ["Brien", "Mary"], ["key 'VQ' value 'VQ_Sales'"]),
    ("wde-incoming-call-from",
     "26-11-25 09:15:06.000 [   14] INFO  Toast            - Incoming call from Zebulon Quartermaine (+1 555 010 1234)\r",
     ["Zebulon", "Quartermaine", "555 010 1234"], ["Incoming call from NAME_", "(+PHONE_"]),
    ("cs-first-last-name",
     "09:15:05.200 Trc 24215 Object [CfgPerson], name [zquartermaine], DBID [105] is changed: firstName [Zebulon], "
     "lastName [Quartermaine], emailAddress [Jane.Roe+vip@Example.COM]",
     ["zquartermaine", "Zebulon", "Quartermaine", "Jane.Roe"], ["DBID [105]", "firstName [USERDATA_", "lastName [USERDATA_"]),
    ("urs-customer-name-whole-value",
     "09:15:05.880 _M_I_007b02aa3c1f0011 [10:0c] ANI: 5550103169 CustomerName: Barnaby Wrigglesworth",
     ["5550103169", "Barnaby", "Wrigglesworth"], ["_M_I_007b02aa3c1f0011 [10:0c] ANI: PHONE_", "CustomerName: USERDATA_"]),
    ("urs-customer-name-before-next-key",
     "09:15:05.880 _M_I_007b02aa3c1f0011 [10:0c] CustomerName: Barnaby Wrigglesworth Segment: Gold",
     ["Barnaby", "Wrigglesworth"], ["Segment: Gold"]),
    ("gws-contact-quoted",
     "2025-01-15 10:00:05.000 outbound call to +15551234567 for contact 'Bartholomew Finch'",
     ["Bartholomew", "Finch", "5551234567"], ["for contact 'NAME_"]),
    # ---- IBANs by value (mod 97), local-language and security-answer keys
    ("tlib-kontonummer-iban", "\t\t'Kontonummer'\t'DE89370400440532013000'", ["DE89370400440532013000"], ["'Kontonummer'\t'USERDATA_"]),
    ("tlib-iban-any-key", "\t\t'Ref'\t'DE89370400440532013000'", ["DE89370400440532013000"], ["'Ref'\t'USERDATA_"]),
    ("iban-free-text-grouped", "09:15:06.000 Std 09900 refund to GB82 WEST 1234 5698 7654 32 today",
     ["GB82 WEST", "5698 7654"], ["refund to USERDATA_", " today"]),
    ("iban-in-notes", "\t\t'Info'\t'pay to FR1420041010050500013M02606 please'", ["FR1420041010050500013M02606"], ["please'"]),
    ("psdk-iban", "\t\t'Ref' [str] = \"ES9121000418450200051332\"", ["ES9121000418450200051332"], ["'Ref' [str] = \"USERDATA_"]),
    ("tlib-geburtsdatum", "\t\t'Geburtsdatum'\t'31.01.1970'", ["31.01.1970"], ["'Geburtsdatum'\t'USERDATA_"]),
    ("tlib-date-de-naissance", "\t\t'date_de_naissance'\t'31/01/1970'", ["31/01/1970"], []),
    ("tlib-fecha-nacimiento", "\t\t'FechaNacimiento'\t'1970-01-31'", ["1970-01-31"], []),
    ("tlib-numero-de-compte", "\t\t'NumeroDeCompte'\t'00012345678'", ["00012345678"], []),
    ("tlib-cuenta", "\t\t'NumeroCuenta'\t'0049-1500-05'", ["0049-1500-05"], []),
    ("tlib-security-answer", "\t\t'SecurityAnswer'\t'Fluffy the cat'", ["Fluffy", "USERDATA_"], ["'SecurityAnswer'\t'REDACTED'"]),  # masked: an authentication secret
    ("tlib-memorable-word", "\t\t'MemorableWord'\t'Rosebud'", ["Rosebud"], []),
    ("tlib-mothers-maiden", "\t\t'MothersMaiden'\t'Smithers'", ["Smithers"], []),
    ("psdk-geburtsdatum", "\t\t'Geburtsdatum' [str] = \"31.01.1970\"", ["31.01.1970"], []),
    ("psdk-security-answer", "\t\t'SecretAnswer' [str] = \"Fluffy\"", ["Fluffy"], []),
    ("kv-geburtsdatum", "09:15:06.000 Std 09900 lookup geburtsdatum=31.01.1970 done", ["31.01.1970"], [" done"]),
    # ---- account numbers with a letter prefix in free text
    ("notes-acct-prefix", "\t\t'Info'\t'caller +1 555 010 1234 paid with 4111 1111 1111 1111 acct AC-99887766'",
     ["555 010 1234", "4111 1111", "99887766"], ["paid with REDACTED-CARD acct USERDATA_"]),
    ("account-prefix-text", "09:15:06.000 Std 09900 customer account AC-99887766 verified", ["99887766"], [" verified"]),
    # ---- a card under a key is a card
    ("tlib-card-under-key", "\t\t'CardNumber'\t'4111111111111111'", ["4111111111111111"], ["'CardNumber'\t'REDACTED-CARD'"]),
    ("tlib-amex-under-cc", "\t\t'cc'\t'378282246310005'", ["378282246310005"], ["'cc'\t'REDACTED-CARD'"]),
    ("psdk-card-under-key", "\t\t'CardNumber' [str] = \"4111 1111 1111 1111\"", ["4111 1111"], ["'CardNumber' [str] = \"REDACTED-CARD\""]),
    # ---- customer content: speech recognition input, e-mail subjects
    ("mcp-speech-input",
     "2025-01-15 10:00:03.000 DBUG 00000000-00000000 MRCP RECOGNIZE result: <interpretation><input mode=\"speech\">"
     "my name is Cornelius Vandergraaf</input></interpretation>",
     ["Cornelius", "Vandergraaf"], ["<input mode=\"speech\">REDACTED-TEXT</input></interpretation>"]),
    ("psdk-subject", "\t\t'Subject' [str] = \"Refund for order 88123 card ending 4242\"", ["Refund", "88123"],
     ["'Subject' [str] = \"REDACTED-TEXT\""]),
    ("tlib-subject", "\t\t'Subject'\t'Refund for order 88123'", ["Refund", "88123"], ["'Subject'\t'REDACTED-TEXT'"]),
    # ---- the CfgPerson XML dump
    ("cfgperson-xml",
     "<CfgPerson DBID=\"105\" employeeID=\"E105\" userName=\"jdoe\" password=\"PersonPw_Plain99\" firstName=\"John\" lastName=\"Doe\"/>",
     ["jdoe", "E105", "PersonPw_Plain99", "John", "\"Doe\""], ["DBID=\"105\"", "userName=\"USER_", "employeeID=\"USERDATA_"]),
]


@pytest.mark.parametrize("line,gone,kept", [c[1:] for c in LEAKS], ids=[c[0] for c in LEAKS])
def test_personal_data_is_redacted(rule_sets, line, gone, kept) -> None:
    out = redact(rule_sets, line + "\n")
    for secret in gone:
        assert secret not in out, out
    for text in kept:
        assert text in out, out
    assert redact(rule_sets, out) == out                      # idempotent


# (id, input line): technical values that must stay exactly as they are
KEPT = [
    ("ip-address-key", "\t\t'IPAddress'\t'192.0.2.55'"),
    ("ipv6-under-addr-key", "\t\t'RemoteAddr'\t'2001:db8::17'"),
    ("company-id", "\t\t'CompanyId'\t'ACME-01'"),
    ("discard", "\t\t'Discard'\t'0'"),
    ("mailbox-id", "\t\t'MailboxId'\t'vm-7101'"),
    ("mailbox-id-caps", "\t\t'MAILBOXID'\t'vm-7101'"),
    ("voicemail-box", "\t\t'VoicemailBox'\t'7101'"),
    ("psdk-ip-address", "\t\t'IPAddress' [str] = \"192.0.2.55\""),
    ("psdk-company-id", "\t\t'CompanyId' [str] = \"ACME-01\""),
    ("psdk-discard", "\t\t'Discard' [str] = \"0\""),
    ("psdk-mailbox-id", "\t\t'MailboxId' [str] = \"vm-7101\""),
    ("kvlist-inline-company", "_I_I_007b02aa3c1f0011 [09:04] strategy: KVList: 'CompanyId' 'ACME-01' 'Discard' '0'"),
    ("answer-time", "\t\t'AnswerTime'\t'12'"),
    ("compteur", "\t\t'Compteur'\t'12'"),
    ("account-word-text", "09:15:02.004 Std 09900 account AB locked, 12 accounts in cache"),
    ("speech-instance-kept", "ngi: rec_result|<result><interpretation grammar=\"menu\"><instance>agent</instance></interpretation></result>"),
    ("dtmf-menu-choice-kept", "ngi: rec_result|<result><input mode=\"dtmf\">2</input></result>"),
    ("name-single-word", "09:15:06.000 Std 09900 object name='SIPS_B' type='T-Server'"),
    ("incoming-call-anonymous", "26-11-25 09:15:06.000 [   14] INFO  Toast            - Incoming call from Anonymous"),
    ("uuid-not-iban", "\tAttributeCallUUID\t'LC55AB5H91VX03KD4G0E7S0000012345'"),
    ("ors-session-not-iban", "Trc 10000 GB82WEST12345698765431: SCXML session"),   # fails mod 97
    ("cfgperson-default", "<CfgPerson DBID=\"1\" userName=\"default\"/>"),
]


@pytest.mark.parametrize("line", [c[1] for c in KEPT], ids=[c[0] for c in KEPT])
def test_technical_values_stay(rule_sets, line) -> None:
    assert redact(rule_sets, line + "\n") == line + "\n"


def test_real_sensitive_keys_are_still_tokenized(rule_sets) -> None:
    lines = [
        "\t\t'CustomerEmail'\t'x-personal'", "\t\t'EMail'\t'x-personal'", "\t\t'Mail'\t'x-personal'",
        "\t\t'HomeAddress'\t'1 Main St'", "\t\t'ADDR1'\t'1 Main St'", "\t\t'AddressLine'\t'1 Main St'",
        "\t\t'CardNo'\t'x-personal'", "\t\t'CreditCard'\t'x-personal'", "\t\t'creditcard'\t'x-personal'",
        "\t\t'PAN'\t'x-personal'", "\t\t'CardPAN'\t'x-personal'", "\t\t'pan_number'\t'x-personal'",
        "\t\t'IBAN'\t'GB82WEST12345698765432'",
        "\t\t'HomeAddress'\t'host01'", "\t\t'EMAILADDRESS'\t'x-personal'", "\t\t'CONTACTEMAIL'\t'x-personal'",
        "\t\t'HOMEADDRESS'\t'x-personal'", "\t\t'CUSTOMERADDRESS'\t'x-personal'",
    ]      # a mother's maiden name is a security answer: masked (test_redaction_probex_quotes_answers)
    for line in lines:
        out = redact(rule_sets, line + "\n")
        assert "'USERDATA_" in out, (line, out)


def test_same_user_token_in_the_log_line_and_the_xml_dump(rule_sets) -> None:
    out = redact(rule_sets, "10:00:02.000 Trc 24215 Object: [CfgPerson], name [jdoe], DBID: [105] is changed by client\n"
                            "<CfgPerson DBID=\"105\" employeeID=\"E105\" userName=\"jdoe\"/>\n"
                            "    <employeeID value=\"E105\"/>\n")
    assert token(out, "USER", "name [") == token(out, "USER", 'userName="')
    assert token(out, "USERDATA", 'employeeID="') == token(out, "USERDATA", '<employeeID value="')


def test_a_name_gets_the_same_token_in_free_text_and_sip(rule_sets) -> None:
    out = redact(rule_sets, "From: \"Zebulon Quartermaine\" <sip:5550103456@192.0.2.20>;tag=1\n"
                            "26-11-25 09:15:06.000 [   14] INFO  Toast - Incoming call from Zebulon Quartermaine (+1 555 010 1234)\n"
                            "data ani='5550103456' name='Zebulon Quartermaine'\n")
    first = token(out, "NAME", 'From: "')
    assert token(out, "NAME", "Incoming call from ") == first
    assert token(out, "NAME", "name='") == first


@pytest.mark.parametrize("value,ok", [
    ("GB82WEST12345698765432", True), ("GB82 WEST 1234 5698 7654 32", True), ("DE89370400440532013000", True),
    ("FR1420041010050500013M02606", True), ("gb82west12345698765432", True), ("GB82WEST12345698765431", False),
    ("GB82WEST1234569876543", False),              # one character short for GB
    ("ZZ82WEST12345698765432", False),              # no such country
    ("", False),
])
def test_iban_check(value, ok) -> None:
    from collector.redaction.compiled import iban_ok

    assert iban_ok(value.encode()) is ok
