"""Probe W, findings 2, 5 and 6: customer content outside the keys and forms already masked.

- 2: an e-mail's non-text MIME part (an attachment sent as base64) kept its body, and the
  attachment's file name (name=, filename=, RFC 2231 filename*=, E-mail Server's
  "attachment '...' stored" line) stayed raw; boundaries and part headers must stay;
- 5: Chat Server's message from '<nick>': "...", nick='...', WDE's Message received from
  <nick>: ... and PureConnect's text from "<nick>" : "..." kept the words and the nickname;
- 6: a date of birth after a DOB / born / date of birth label in text stayed raw."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

NEXT = "2026-11-27 09:17:00.000 INFO  [ESP] next record kept\n"
B64 = "TmFtZTogQW9pZmUgTydCcmllbgpQYXNzcG9ydDogUFgxMjM0NTY3CkRPQjogMTk5MC0wNy0wMgo="

# (id, input, text that must be gone, text that must stay)
LEAKS = [
    # 2
    ("mime-octet-attachment", "2026-11-27 09:16:01.101 DEBUG [IMAP-support] Message:\nSubject: scan\n"
     "Content-Type: multipart/mixed; boundary=\"zz\"\n\n--zz\n"
     "Content-Type: application/octet-stream; name=\"passport_Aoife_OBrien_PX1234567.txt\"\n"
     "Content-Disposition: attachment; filename=\"passport_Aoife_OBrien_PX1234567.txt\"\n"
     "Content-Transfer-Encoding: base64\n\n" + B64 + "\n\n--zz--\n\n" + NEXT,
     [B64[:20], "Aoife", "PX1234567"],
     ["--zz\nContent-Type: application/octet-stream; name=\"USERDATA_", "Content-Disposition: attachment; filename=\"USERDATA_",
      "Content-Transfer-Encoding: base64\n\nREDACTED-TEXT\n\n--zz--\n", NEXT]),
    ("mime-rfc2231-filename-folded", "--zz\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
     " filename*=UTF-8''Aoife%20O%27Brien%20passport%20PX1234567.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\nQW9pZmUgTydCcmllbg==\r\n\r\n--zz--\r\n",
     ["Aoife", "PX1234567", "JVBERi0x", "QW9pZmUg"],
     ["--zz\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*=UTF-8''USERDATA_",
      "Content-Transfer-Encoding: base64\r\n\r\nREDACTED-TEXT\r\nREDACTED-TEXT\r\n\r\n--zz--\r\n"]),
    ("mime-encoding-before-disposition", "--b1\nContent-Transfer-Encoding: base64\nContent-Type: image/jpeg\n"
     "Content-Disposition: attachment; filename=\"id_card_Aoife.jpg\"\n\n/9j/4AAQSkZJRgABAQEASABIAAD\n--b1--\n",
     ["Aoife", "/9j/4AAQ"], ["--b1\nContent-Transfer-Encoding: base64\nContent-Type: image/jpeg\n", "--b1--\n"]),
    ("email-server-attachment-stored", "2026-11-27 09:16:02.000 INFO  [ESP] attachment 'Aoife O'Brien passport "
     "PX1234567.txt' (92 bytes) stored for 000DGa8S7X1C0051\n",
     ["Aoife", "Brien", "PX1234567"], ["(92 bytes) stored for 000DGa8S7X1C0051"]),
    # 5
    ("chat-party-joined-nick", "09:15:01.002 Trc 55001 [FlexChat] party joined: nick='Maria G.' type=CLIENT\n",
     ["Maria"], ["party joined: nick='NAME_", "' type=CLIENT"]),
    ("chat-message-from-nick", "09:15:20.300 Trc 55011 [FlexChat] message from 'Maria G.' (userId=00D5A7B2C3D4E5F6): "
     "\"Sure, DOB 03/14/1982. I live at 742 Evergreen Terrace, Springfield.\"\n",
     ["Maria", "Evergreen", "1982"], ["message from 'NAME_", "' (userId=00D5A7B2C3D4E5F6): \"REDACTED-TEXT\"\n"]),
    ("chat-message-from-nick-no-id", "09:15:20.300 Trc 55011 [FlexChat] message from 'Maria G.': \"My address is "
     "742 Evergreen Terrace\"\n09:15:20.301 Trc 55011 [FlexChat] message text: My address is 742 Evergreen Terrace\n",
     ["Maria", "Evergreen"], ["[FlexChat] message text: REDACTED-TEXT\n"]),
    ("wde-message-received", "26-11-27 09:15:20.400 DBUG Interaction.Chat     Message received from Maria G.: Sure, "
     "DOB 03/14/1982, I live at 742 Evergreen Terrace\r\n",
     ["Maria", "Evergreen", "1982"], ["Interaction.Chat     Message received from NAME_", ": REDACTED-TEXT\r\n"]),
    ("pureconnect-chat-text-from", "2026-11-27 09:15:07.000 Chat 1001234568 text from \"Maria G.\" : "
     "\"my card is 4111-1111-1111-1111, I live at 742 Evergreen Terrace\"\n",
     ["Maria", "Evergreen", "4111"], ["Chat 1001234568 text from \"NAME_", "\" : \"REDACTED-TEXT\"\n"]),
    # 6
    ("dob-label-dmy", "\t'CaseInfo' [str] = \"DOB 14/03/1982, DOB 1982-03-14, (DOB 14.03.1982) d.o.b. 03/14/1982.\"\n",
     ["1982"], ["'CaseInfo' [str] = \"DOB USERDATA_"]),
    ("born-date", "2026-11-27 09:15:03,257 DEBUG [ESP-Worker-3] ContactService - born 1982-03-14\n",
     ["1982-03-14"], ["2026-11-27 09:15:03,257 DEBUG [ESP-Worker-3] ContactService - born USERDATA_"]),
    ("date-of-birth-words", "2026-11-27 09:15:12.010 DBUG 00DE020E-1000A3B2 4188 50010 vxmli: <log>Caller said date "
     "of birth 14 March 1982</log>\n... my date of birth is March 14th, 1982 and I was born on 2 July 1990\n",
     ["1982", "1990", "March 14th"], ["00DE020E-1000A3B2 4188 50010 vxmli: <log>Caller said date of birth USERDATA_"]),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
def test_customer_content_is_redacted(rule_sets, case) -> None:  # noqa: F811
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept)
    assert_redacted(rule_sets, text, gone, kept, fast=False)


def test_dob_token_is_the_dob_key_token(rule_sets) -> None:  # noqa: F811
    out = redacted(rule_sets, "\t\t'DOB'\t'1982-03-14'\n09:15:03.257 Trc 00000 caller DOB 1982-03-14 born 1982-03-14\n",
                   "log", "x.log")
    token = out.split("'DOB'\t'")[1].split("'")[0]
    assert out.count(token) == 3, out


def test_chat_nick_token_is_the_user_nick_token(rule_sets) -> None:  # noqa: F811
    out = redacted(rule_sets, '<userInfo userNick="Maria G." userType="CLIENT"/>\n'
                   "09:15:01.002 Trc 55001 [FlexChat] party joined: nick='Maria G.' type=CLIENT\n", "log", "x.log")
    token = out.split('userNick="')[1].split('"')[0]
    assert token.startswith("NAME_") and out.count(token) == 2, out


# lines that must stay as they are: log time stamps after words near a date, MIME structure,
# SIP bodies, chat server lines without customer words
KEPT = [
    "2026-11-27 09:15:03,257 DEBUG [main] born-again worker started 2026-11-27 09:15:03\n",
    "09:15:03.257 Trc 00000 DOB field format dd/MM/yyyy\n",
    "Content-Type: application/sdp\r\nContent-Length: 142\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.20\r\n",
    "09:15:01.002 Trc 55001 [FlexChat] session 00025aXyZ7wQ1pL2 created, queue=chat_in\n",
    "2026-11-27 09:16:01.000 INFO  [PSDK] Message received from server 'ChatServer_1': EventSessionInfo\n",
    "2026-11-27 09:16:01.000 Std 04500 Error message text: connection refused\n",
    "09:16:01.000 Trc 04541 message from 'GAX_1' (fd=12): MSGCFG_GETOBJECTINFO\n",
]


@pytest.mark.parametrize("text", KEPT)
def test_structure_and_times_stay(rule_sets, text) -> None:  # noqa: F811
    assert redacted(rule_sets, text, "log", "x.log") == text
