"""Leaks black-box probe O found in attached data and JSON bodies: binary ([bin]) values that
hold a card number as ASCII hex, the first pair of a nested list printed on its parent's line,
Platform SDK [int] values under phone keys, and JSON members under phone keys other than
ani/dnis. Correlation values next to them (ConnIDs, list headers, timestamps) stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

CARD = "4111111111111111"
CARD_HEX = " ".join(f"{b:02x}" for b in CARD.encode())           # 34 31 31 ...
CARD_0X = " ".join(f"0x{b:02x}" for b in CARD.encode())          # 0x34 0x31 ...

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    ("tlib-bin-value-any-key",
     f"\t\t'BinCard'\t[bin] {CARD_HEX}\n\tAttributeConnID\t006c02462a161006\n",
     ["34 31 31 31"], ["\t\t'BinCard'\t[bin] REDACTED-BINARY\n", "\tAttributeConnID\t006c02462a161006\n"]),
    ("psdk-bin-value-0x",
     f"\t\t'BinData' [bin] = {CARD_0X}\r\n",
     ["0x34 0x31"], ["\t\t'BinData' [bin] = REDACTED-BINARY\r\n"]),
    ("psdk-bin-value-packed",
     "\t\t'Blob' [bin] = 34313131313131313131313131313131\n",
     ["3431313131"], ["\t\t'Blob' [bin] = REDACTED-BINARY\n"]),
    ("psdk-bin-value-inline-kvlist",
     "09:15:05.742 Trc 04541 AttributeUserData [bstr] = KVList: 'B' [bin] = 3431313131313131, 'RStrategyName' [str] = \"Main\"\n",
     ["3431313131313131"], ["'B' [bin] = REDACTED-BINARY, 'RStrategyName' [str] = \"Main\""]),
    ("psdk-bin-value-sensitive-key-keeps-token",
     "\t\t'CustomerName' [bin] = 4d617267756572697465\n",
     ["4d617267"], ["'CustomerName' [bin] = USERDATA_"]),
    ("tlib-binary-value-with-length",
     f"\t\t'Blob'\t[16] {CARD_HEX}\n",
     ["34 31 31 31"], ["\t\t'Blob'\t[16] REDACTED-BINARY\n"]),
    ("tlib-nested-list-first-pair",
     "\tAttributeUserData\t[512] 00 03 00 00..\n"
     "\t\t'CustomerInfo'(list) 'acct'\t'ACCT-88120045'\n"
     "\t\t\t'mail'\t'seamus.odowd@example.org'\n"
     "\t\t'Info'(list) 'CustomerPIN'\t'4321'\n"
     "\t\t'Info'(list) 'Detail'\t'call 5550100123 back'\n"
     "\t\t'Info'(list) 'Mail'\t'x.y@example.org'\n"
     "\t\t'Info'(list) 'CBNumber'\t5550100124\n"
     "\t\t'Info'(list) 'Phone2'\t'5550100125'\n",
     ["ACCT-88120045", "seamus", "4321", "5550100123", "x.y@", "5550100124", "5550100125"],
     ["\t\t'CustomerInfo'(list) 'acct'\t'USERDATA_", "\t\t'Info'(list) 'CustomerPIN'\t'REDACTED'\n",
      "'Info'(list) 'Detail'\t'call PHONE_", "'Info'(list) 'Mail'\t'EMAIL_", "'Info'(list) 'CBNumber'\tPHONE_",
      "\tAttributeUserData\t[512] 00 03 00 00..\n"]),
    ("tlib-nested-list-first-pair-multi-line-value",
     "\t\t'Info'(list) 'Note'\t'line one\nMarguerite Fennimore here'\n\t\t\t'RStrategyName'\t'Main'\n",
     ["line one", "Marguerite"], ["'Info'(list) 'Note'\t'REDACTED-TEXT\nREDACTED-TEXT'\n", "'RStrategyName'\t'Main'"]),
    ("psdk-int-under-phone-key",
     "\t\t'CallbackNumber' [int] = 5550100666\n\t\t'CustCbLong' [long] = 5550100667\n",
     ["5550100666", "5550100667"], ["\t\t'CallbackNumber' [int] = PHONE_", "'CustCbLong' [long] = PHONE_"]),
    ("json-phone-keys",
     '{"ani": "+15550100123", "customer": {"callback": "5550100789", "cb": 5550100781, '
     '"homeTel": "555-010-0784", "contact": "5550100791", "dialString": "915550100787"}}\n',
     ["5550100789", "5550100781", "010-0784", "5550100791", "915550100787"],
     ['"callback": "PHONE_', '"cb": PHONE_', '"homeTel": "PHONE_', '"contact": "PHONE_']),
]

STAY = [
    "\t\t'CustomerData'\t[40] 00 02 00 00..\n",
    "\t\t'Info'(list) 'RStrategyName'\t'Main_Inbound'\n",
    "\t\t'GSW_DATE_TIME' [int] = 1709648104\n\t\t'Priority' [int] = 5550100\n",
    '{"seqNumber": 12345678, "portNumber": 5060, "callbackTime": 1709648104, "version": "8.1.103.95", '
    '"telnetHost": "192.168.100.101", "callbackStatus": "done"}\n',
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_o_userdata_leaks_are_redacted(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, path="var/log/genesys/SIPS_R/SIPS_R.log", fast=fast)


@pytest.mark.parametrize("text", STAY)
def test_probe_o_correlation_values_stay(rule_sets, text) -> None:
    assert redacted(rule_sets, text, "log", "var/log/genesys/SIPS_R/SIPS_R.log") == text


def test_a_json_callback_number_gets_the_phone_token_of_the_user_data_value(rule_sets) -> None:
    out = redacted(rule_sets, "\t\t'CallbackNumber' [int] = 5550100789\n"
                              '{"customer": {"callback": "5550100789"}}\n', "log", "x.log")
    first, second = (line.split("PHONE_")[1][:10] for line in out.splitlines())
    assert first == second


def test_a_binary_value_under_a_plain_key_is_masked(rule_sets) -> None:
    """It was kept before (test_redaction_customer_shapes): its bytes spell a name."""
    assert_redacted(rule_sets, "\t\t'BinaryBlob'\t[8] 4d 61 72 67 75 65 72 69\n", ["4d 61 72"],
                    ["\t\t'BinaryBlob'\t[8] REDACTED-BINARY\n"])
