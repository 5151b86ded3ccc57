"""Probe X (second round) 2, 3, 6: IVR PINs in XML element form, in <param> with single quotes or
the attributes swapped, in a URL path and in a one-line KVList; security answers in UCS
ContactAttribute{name=.., value=..}, after a "Security answer:" label and under more key
spellings (KBA_Answer, SecQ_Answer, mmn, 'Memorable Word', RespuestaSeguridad); PIN and password
keys in the site languages (NIP, Geheimzahl, Kennwort, contraseña, mot de passe). All of them are
masked, never tokenised (a token's value stays in the host's tokens.db); the same words inside
other words, and flags about them, stay; a second pass changes nothing."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

MCP = "var/log/genesys/MCP_M/MCP_M.20261127_090000_000.log"
AT = "09:30:01.000 Dbg 00001 "

PINS = [
    ("xml-element", AT + "<Pin>250814</Pin><Lang>en</Lang>\n", "<Pin>REDACTED-DIGITS</Pin><Lang>en</Lang>"),
    ("xml-element-upper", AT + "<PIN>318274</PIN>\n", "<PIN>REDACTED-DIGITS</PIN>"),
    ("xml-element-pincode", AT + "<pinCode>402918</pinCode>\n", "<pinCode>REDACTED-DIGITS</pinCode>"),
    ("xml-element-namespace", AT + "<ns2:pin>557103</ns2:pin>\n", "<ns2:pin>REDACTED-DIGITS</ns2:pin>"),
    ("param-single-quotes", AT + "<param name='PIN' value='640293'/>\n", "<param name='PIN' value='REDACTED-DIGITS'/>"),
    ("param-value-first", AT + "<param value=\"931542\" name=\"PIN\"/>\n", "<param value=\"REDACTED-DIGITS\" name=\"PIN\"/>"),
    ("param-value-first-single", AT + "<param value='931543' name='pin'/>\n", "<param value='REDACTED-DIGITS' name='pin'/>"),
    ("url-path", "09:30:08.000 Trc 00001 fetch http://ivr.example.com/auth/pin/359671/verify\n",
     "/auth/pin/REDACTED-DIGITS/verify"),
    ("word-quoted", "09:21:00.200 Std 00001 PIN entered '475986'\n", "PIN entered 'REDACTED-DIGITS'"),
]


@pytest.mark.parametrize("text,kept", [p[1:] for p in PINS], ids=[p[0] for p in PINS])
def test_a_pin_is_masked_in_every_xml_and_url_form(rule_sets, text, kept):  # noqa: F811
    assert_redacted(rule_sets, text, [d for d in ("250814", "318274", "402918", "557103", "640293", "931542",
                                                  "931543", "359671", "475986") if d in text], [kept], path=MCP)


def test_a_pin_in_a_one_line_kvlist_is_masked_not_tokenised(rule_sets):  # noqa: F811
    text = "09:30:02.000 Trc 00001 KVList: 'SecurityAnswer' 'Stilton' 'PIN' '693015' 'CustomerName' 'Grimbold Brandybuck'\n"
    out = assert_redacted(rule_sets, text, ["Stilton", "693015", "Grimbold"],
                          ["'SecurityAnswer' 'REDACTED' 'PIN' 'REDACTED' 'CustomerName' 'USERDATA_"])
    assert out.count("USERDATA_") == 1


def test_pin_lookalikes_in_xml_and_urls_stay(rule_sets):  # noqa: F811
    text = (AT + "<PinLength>6</PinLength><pinAttempts>3</pinAttempts><spin>123456</spin>"
            "<param name='pinMaxTries' value='3'/>\n"
            "09:30:08.000 Trc 00001 fetch http://ivr.example.com/auth/pin/verify?step=2 /spin/123456/x /pins/2/\n")
    assert_redacted(rule_sets, text, [], [text])


ANSWERS = [
    ("ucs-memorable-word", AT + "ContactAttribute{name=MemorableWord, value=Gooseberry}\n",
     "ContactAttribute{name=MemorableWord, value=REDACTED}", "Gooseberry"),
    ("ucs-security-answer", AT + "ContactAttribute{name=SecurityAnswer, value=Aberdeen}\n",
     "ContactAttribute{name=SecurityAnswer, value=REDACTED}", "Aberdeen"),
    ("ucs-maiden-name", AT + "ContactAttribute{name=MothersMaidenName, value=Pemberton}\n",
     "ContactAttribute{name=MothersMaidenName, value=REDACTED}", "Pemberton"),
    ("ucs-spaced", AT + "ContactAttribute{name = SecurityAnswer , value = Aberdeen}\n",
     "ContactAttribute{name = SecurityAnswer , value = REDACTED}", "Aberdeen"),
    ("ucs-value-first", AT + "ContactAttribute{value=Kittiwake, name=SecurityAnswer}\n",
     "ContactAttribute{value=REDACTED, name=SecurityAnswer}", "Kittiwake"),
    ("plain-label", "09:30:02.030 Std 00001 Security answer: Ravenscroft (verified)\n",
     "Security answer: REDACTED (verified)", "Ravenscroft"),
    ("tlib-kba", "\t\t'KBA_Answer'\t'Kilimanjaro'\n", "\t\t'KBA_Answer'\t'REDACTED'\n", "Kilimanjaro"),
    ("tlib-secq", "\t\t'SecQ_Answer'\t'Bagpipes'\n", "\t\t'SecQ_Answer'\t'REDACTED'\n", "Bagpipes"),
    ("tlib-mmn", "\t\t'mmn'\t'Smithfield'\n", "\t\t'mmn'\t'REDACTED'\n", "Smithfield"),
    ("tlib-memorable-space", "\t\t'Memorable Word'\t'Tangerine'\n", "\t\t'Memorable Word'\t'REDACTED'\n", "Tangerine"),
    ("tlib-spanish", "\t\t'RespuestaSeguridad'\t'Manchego'\n", "\t\t'RespuestaSeguridad'\t'REDACTED'\n", "Manchego"),
    ("psdk-mmn", "\t'MMN' [str] = \"Smithfield\"\n", "\t'MMN' [str] = \"REDACTED\"\n", "Smithfield"),
    ("psdk-kba", "\t'KBA_Answer' [str] = \"Kilimanjaro\"\n", "\t'KBA_Answer' [str] = \"REDACTED\"\n", "Kilimanjaro"),
]


@pytest.mark.parametrize("text,kept,secret", [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS])
def test_a_security_answer_is_masked_not_tokenised_in_more_forms(rule_sets, text, kept, secret):  # noqa: F811
    assert_redacted(rule_sets, text, [secret, "USERDATA_"], [kept])


def test_answer_lookalikes_stay(rule_sets):  # noqa: F811
    text = ("\t\t'Comment_mmnt'\t'ok'\n\t\t'KBA_AnswerVerified'\t'Y'\n"
            "09:30:02.040 Std 00001 ContactAttribute{name=Segment, value=Gold}, commands=3 mmn\n")
    assert_redacted(rule_sets, text, [], [text])


LANGUAGE_KEYS = [
    ("tlib-nip", "\t\t'NIP'\t'448812'\n", "448812"),
    ("tlib-geheimzahl", "\t\t'Geheimzahl'\t'663017'\n", "663017"),
    ("tlib-kennwort", "\t\t'Kennwort'\t'Geheim2024'\n", "Geheim2024"),
    ("tlib-contrasena", "\t\t'contrasena'\t'Clave2024x'\n", "Clave2024x"),
    ("tlib-contrasena-tilde", "\t\t'contraseña'\t'Clave2024y'\n", "Clave2024y"),
    ("tlib-motdepasse", "\t\t'motdepasse'\t'Secret2024z'\n", "Secret2024z"),
    ("tlib-mot-de-passe", "\t\t'mot_de_passe'\t'Secret2024w'\n\t\t'mot de passe'\t'Secret2024v'\n", "Secret2024"),
    ("tlib-codigo-nip", "\t\t'codigo_nip'\t'448813'\n", "448813"),
    ("psdk-kennwort", "\t\t'Kennwort' [str] = \"Geheim2024\"\n", "Geheim2024"),
    ("psdk-contrasena", "\t\t'contrasena' [str] = \"Clave2024x\"\n", "Clave2024x"),
    ("psdk-motdepasse", "\t\t'motdepasse' [str] = \"Secret2024y\"\n", "Secret2024y"),
    ("psdk-nip", "\t\t'NIP' [str] = \"448814\"\n", "448814"),
    ("psdk-geheimzahl", "\t\t'Geheimzahl' [int] = 663018\n", "663018"),
]


@pytest.mark.parametrize("text,secret", [k[1:] for k in LANGUAGE_KEYS], ids=[k[0] for k in LANGUAGE_KEYS])
def test_pin_and_password_keys_of_the_site_languages_are_masked(rule_sets, text, secret):  # noqa: F811
    assert_redacted(rule_sets, text, [secret, "USERDATA_"], ["REDACTED"])


def test_language_key_lookalikes_stay(rule_sets):  # noqa: F811
    text = "\t\t'Snippet'\t'abc'\n\t\t'NIPVerified'\t'Y'\n\t\t'Nipper'\t'dog'\n\t\t'Turnip'\t'veg'\n"
    assert_redacted(rule_sets, text, [], [text])
