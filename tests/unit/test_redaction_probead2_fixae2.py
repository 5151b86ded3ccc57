"""Probe AD 5, 6, 7, 15, 16: attached data and XML pairs that shipped raw or failed the run.

- Probe AD 5 (leak): an attached-data pair mid-line with the key in double quotes
  (URS UserData: "senha" "X", "PIN" "482913", "Kennwort" "X", "AuthToken" "X"): no rule read a
  double-quoted key and the scanner's attached-data form allowed only single quotes.
- Probe AD 6 (leak): API keys, private keys and signatures in attached data, even in the T-Lib
  print ('api_key'<TAB>'X', 'apiKey', 'x-api-key', 'PrivateKey', 'Signature'; also mid-line and
  [str] = "X"): the attached-data rules know only PINs, passwords, tokens and secrets.
- Probe AD 7 (leak): an XML name/value attribute pair whose key is in Latin-1, a Java escape,
  %-encoded or '+'-spaced (<param name="contrase\\xf1a" value="X"/>, key="db.l\\u00f6senord",
  name="mot+de+passe", name="l%C3%B6senord"), in a config file and in a log line.
- Probe AD 15 (exit 30): UserData: 'PIN' -> '561829' was masked on the every-line path only:
  pin-word-text's scan did not let a quote follow the PIN word when no label word came between.
- Probe AD 16 (exit 30): Latin-1 or escaped keys in the T-Lib print ('contrase\\xf1a'<TAB>'X'),
  mid-line (UserData: 'l\\u00f6senord' 'X') and as an XML element (<l\\xf6senord>X</l\\xf6senord>):
  the scanner flagged them, no rule masked them."""

from __future__ import annotations

import pytest

from tests.redacting import (  # noqa: F401 - rule_sets is a fixture
    assert_redacted, assert_redacted_bytes, framed_findings, redacted_bytes, rule_sets,
)

URS = "var/log/genesys/URS_P/URS_P.20261127_190205_668.log"
SIPS = "var/log/genesys/SIPS_P/SIPS_P.20261127_171405_947.log"
XML = "opt/genesys/GAX/conf/gax.xml"
GAX = "var/log/genesys/GAX/gax.20261127_220938_128.log"
STAMP = "10:00:00.000 Trc 04541 "
NEXT = "10:00:01.000 Trc 04541 next record\n"
S = "Secret99"
A = "ApiK3yLeak99"






# ------------------------------------------------------------------ 5: double-quoted attached data
DQ_LEAKS = [
    *[(f"dq-{k}", STAMP + f'UserData: "{k}" "{v}"\n' + NEXT, [v], [f'UserData: "{k}" "REDACTED"\n', NEXT])
      for k, v in [("senha", "DqSenha771"), ("PIN", "482913"), ("Kennwort", "DqKw7781"), ("AuthToken", "UdTok_abcdef"),
                   ("password", S), ("CustomerPIN", "4321"), ("lösenord", S), ("CONTRASEÑA", S), ("otp", "482913"),
                   ("client_secret", S), ("PassCode", "9911")]],
    ("dq-among-pairs", STAMP + f'UserData: "RStrategyName" "Main" "senha" "{S}" "lang" "pt"\n',
     [S], ['UserData: "RStrategyName" "Main" "senha" "REDACTED" "lang" "pt"\n']),
    ("dq-tab", STAMP + f'UserData: "senha"\t"{S}"\n', [S], ['UserData: "senha"\t"REDACTED"\n']),
    ("dq-two-spaces", STAMP + f'UserData: "Kennwort"  "{S}"\n', [S], ['UserData: "Kennwort"  "REDACTED"\n']),
    ("dq-single-value", STAMP + f"UserData: \"senha\" '{S}'\n", [S], ["UserData: \"senha\" 'REDACTED'\n"]),
    ("dq-typed", STAMP + f'UserData: "senha" [str] = "{S}", "PIN" [int] = 482913\n', [S, "482913"],
     ['UserData: "senha" [str] = "REDACTED", "PIN" [int] = REDACTED']),
]

DQ_KEPT = (
    STAMP + 'UserData: "resenha" "boa" "SenhaVerified" "Y" "PINVerified" "Y" "PinAttempts" "2" "TokenCount" "3"\n'
    + STAMP + 'UserData: "PasswordReset" "requested" "PassCheck" "OK" "PinLength" "4" "Snippet" "abc"\n'
    + STAMP + 'UserData: "senha" "yes" "PIN" "" "Turnip" "veg" "Nipper" "dog" "RStrategyName" "Main"\n'
    + STAMP + 'Field "password" is required; "PIN" entered twice\n'
    + STAMP + '{"password": "REDACTED", "user": "gim"}\n'
)


@pytest.mark.parametrize("case", DQ_LEAKS, ids=[c[0] for c in DQ_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad5_double_quoted_attached_data_is_masked(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind="log", path=URS, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad5_double_quoted_neighbours_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, DQ_KEPT, [], [DQ_KEPT], kind="log", path=URS, fast=fast)


# ------------------------------------------------------------------ 6: API keys, private keys, signatures
API_KEYS = ["api_key", "apiKey", "ApiKey", "x-api-key", "X-Api-Key", "PrivateKey", "private_key", "Signature",
            "CustomerApiKey", "partner.api-key", "request_signature"]
API_LEAKS = [
    *[(f"tab-{k}", SIPS, f"\t\t'{k}'\t'{A}'\n\t\t'RStrategyName'\t'Main'\n", [A],
       [f"\t\t'{k}'\t'REDACTED'\n\t\t'RStrategyName'\t'Main'\n"]) for k in API_KEYS],
    *[(f"mid-{k}", URS, STAMP + f"UserData: '{k}' '{A}' 'lang' 'pt'\n", [A], [f"UserData: '{k}' 'REDACTED' 'lang' 'pt'\n"])
      for k in API_KEYS],
    *[(f"psdk-{k}", URS, STAMP + f"AttributeUserData [bstr] = KVList: '{k}' [str] = \"{A}\", 'lang' [str] = \"pt\"\n",
       [A], [f"'{k}' [str] = \"REDACTED\", 'lang' [str] = \"pt\""]) for k in API_KEYS],
    ("psdk-line", URS, f"\t\t'apiKey' [str] = \"{A}\"\n", [A], ["\t\t'apiKey' [str] = \"REDACTED\"\n"]),
    ("tab-bare", SIPS, f"\t\t'api_key'\t{A}\n", [A], ["\t\t'api_key'\tREDACTED\n"]),
    ("dq", URS, STAMP + f'UserData: "api_key" "{A}"\n', [A], ['UserData: "api_key" "REDACTED"\n']),
]
API_KEPT = ("\t\t'ApiKeyVersion'\t'2'\n\t\t'SignatureType'\t'RSA'\n\t\t'PrivateKeyFile'\t'/etc/k.pem'\n"
            "\t\t'SignatureValid'\t'Y'\n\t\t'ApiKeyRequired'\t'yes'\n\t\t'Signature'\t'yes'\n\t\t'api_key'\t''\n"
            "\t\t'Monkey'\t'banana'\n\t\t'Key'\t'K1'\n\t\t'RStrategyName'\t'Main'\n"
            + STAMP + "UserData: 'SignatureType' 'RSA' 'ApiKeyVersion' '2' 'Monkey' 'banana'\n"
            + STAMP + "Field 'api_key' is required; 'Signature' missing\n")


@pytest.mark.parametrize("case", API_LEAKS, ids=[c[0] for c in API_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad6_api_key_attached_data_is_masked(rule_sets, case, fast) -> None:
    _, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind="log", path=path, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad6_api_key_neighbours_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, API_KEPT, [], [API_KEPT], kind="log", path=SIPS, fast=fast)


# ------------------------------------------------------------------ 15: prefilter and every-line agree
PIN_ARROW = [
    ("pin-arrow", STAMP + "UserData: 'PIN' -> '561829'\n", ["561829"], ["UserData: 'PIN' -> 'REDACTED-DIGITS'\n"]),
    ("passcode-arrow", STAMP + "UserData: 'PassCode' -> '9911'\n", ["9911"], ["'PassCode' -> 'REDACTED"]),
    ("pin-dq-arrow", STAMP + 'UserData: "PIN" => "561829"\n', ["561829"], ['"PIN" => "REDACTED']),
    ("pin-quote-colon", STAMP + "ivr: 'PIN': 561829, \"otp\" = 482913\n", ["561829", "482913"], ["ivr: 'PIN': REDACTED"]),
]
PIN_ARROW_KEPT = STAMP + "UserData: 'PIN' -> verified 'PIN' -> '12' 'PinLength' -> '6'\n"


@pytest.mark.parametrize("case", PIN_ARROW, ids=[c[0] for c in PIN_ARROW])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad15_pin_after_a_quoted_word_and_an_arrow(rule_sets, case, fast) -> None:
    _, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind="log", path=URS, fast=fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad15_pin_arrow_neighbours_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, PIN_ARROW_KEPT, [], [PIN_ARROW_KEPT], kind="log", path=URS, fast=fast)


def test_probe_ad15_both_paths_give_the_same_output(rule_sets) -> None:
    text = "".join(c[1] for c in PIN_ARROW).encode() + PIN_ARROW_KEPT.encode()
    assert redacted_bytes(rule_sets, text, "log", URS, True) == redacted_bytes(rule_sets, text, "log", URS, False)


# ------------------------------------------------------------------ 16 and 7: Latin-1 and escaped keys
LATIN_LEAKS = [
    # probe AD 16: the T-Lib print, mid-line attached data, an XML element
    ("tab-latin1", "log", SIPS, b"\t\t'contrase\xf1a'\t'Hemligt1'\n\t\t'L\xd6SENORD'\t'Hemligt2'\n", [b"Hemligt1", b"Hemligt2"],
     [b"\t\t'contrase\xf1a'\t'REDACTED'\n\t\t'L\xd6SENORD'\t'REDACTED'\n"]),
    ("tab-escaped", "log", SIPS, b"\t\t'l\\u00f6senord'\t'Hemligt1'\n\t\t'db.has\\u0142o'\t'Tajne1'\n",
     [b"Hemligt1", b"Tajne1"], [b"\t\t'l\\u00f6senord'\t'REDACTED'\n"]),
    ("tab-latin2", "log", SIPS, b"\t\t'has\xb3o'\t'Tajne1'\n", [b"Tajne1"], [b"\t\t'has\xb3o'\t'REDACTED'\n"]),
    ("mid-escaped", "log", URS, STAMP.encode() + b"UserData: 'l\\u00f6senord' 'Hemligt1' 'lang' 'sv'\n", [b"Hemligt1"],
     [b"UserData: 'l\\u00f6senord' 'REDACTED' 'lang' 'sv'\n"]),
    ("mid-latin1-typed", "log", URS, STAMP.encode() + b"UserData: 'contrase\xf1a' [str] = \"Secreto1\"\n", [b"Secreto1"],
     [b"'contrase\xf1a' [str] = \"REDACTED\"\n"]),
    ("mid-dq-latin1", "log", URS, STAMP.encode() + b"UserData: \"contrase\xf1a\" \"Secreto1\"\n", [b"Secreto1"],
     [b"\"contrase\xf1a\" \"REDACTED\"\n"]),
    ("kvlist-escaped", "log", URS, STAMP.encode() + b"KVList: 'contrase\\u00f1a' 'Clave771' 'lang' 'es'\n", [b"Clave771"],
     [b"KVList: 'contrase\\u00f1a' 'REDACTED' 'lang' 'es'\n"]),
    ("xml-element-latin1", "config", XML, b"<l\xf6senord>Hemligt1</l\xf6senord>\n<db.contrase\xf1a>Secreto1</db.contrase\xf1a>\n",
     [b"Hemligt1", b"Secreto1"], [b"<l\xf6senord>REDACTED</l\xf6senord>\n"]),
    ("xml-element-escaped-cdata", "config", XML, b"<contrase\\u00f1a><![CDATA[Secreto1]]></contrase\\u00f1a>\n",
     [b"Secreto1"], [b"<![CDATA[REDACTED]]>"]),
    ("xml-element-log", "log", GAX, STAMP.encode() + b"config <has\xb3o>Tajne1</has\xb3o> loaded\n", [b"Tajne1"],
     [b"<has\xb3o>REDACTED</has\xb3o> loaded\n"]),
    # probe AD 7: name/value attribute pairs
    ("attr-latin1", "config", XML,
     b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<param name="contrase\xf1a" value="XmlLatin1Leak"/>\n',
     [b"XmlLatin1Leak"], [b'<param name="contrase\xf1a" value="REDACTED"/>\n']),
    ("attr-escaped", "config", XML, b'<add key="db.l\\u00f6senord" value="Hemligt1"/>\n', [b"Hemligt1"],
     [b'<add key="db.l\\u00f6senord" value="REDACTED"/>\n']),
    ("attr-plus", "config", XML, b'<param name="mot+de+passe" value="Secret1"/>\n', [b"Secret1"],
     [b'<param name="mot+de+passe" value="REDACTED"/>\n']),
    ("attr-pct", "config", XML, b'<param name="l%C3%B6senord" value="Hemligt1"/>\n<param name="contrase%c3%b1a" value=\'Secreto1\'/>\n',
     [b"Hemligt1", b"Secreto1"], [b'<param name="l%C3%B6senord" value="REDACTED"/>\n']),
    ("attr-value-first", "config", XML, b'<str_pair value="Tajne1" key="has\\u0142o"/>\n', [b"Tajne1"],
     [b'<str_pair value="REDACTED" key="has\\u0142o"/>\n']),
    ("attr-typed", "config", XML, b'<add name="db.contrase\xf1a" type="string" value="Secreto1"/>\n', [b"Secreto1"],
     [b'value="REDACTED"']),
    ("attr-entry-text", "config", XML, b'<entry key="db.l\\u00f6senord">Hemligt1</entry>\n', [b"Hemligt1"],
     [b'<entry key="db.l\\u00f6senord">REDACTED</entry>\n']),
    ("attr-log", "log", GAX, STAMP.encode() + b'loaded <param name="contrase\xf1a" value="XmlLogLeak"/> ok\n',
     [b"XmlLogLeak"], [b'value="REDACTED"/> ok\n']),
]

LATIN_KEPT_CONFIG = (b'<param name="contrase\xf1a.longitud" value="8"/>\n<param name="l\\u00f6senord-policy" value="strong"/>\n'
                     b'<contrase\xf1aMinima>8</contrase\xf1aMinima>\n<mensaje>Contrase\xf1a incorrecta</mensaje>\n'
                     b'<param name="mot+de+passe.longueur" value="8"/>\n<param name="contrase\xf1a" value=""/>\n')
LATIN_KEPT_LOG = (STAMP.encode() + b"UserData: 'contrase\xf1aVerified' 'Y' 'l\\u00f6senord' 'yes' 'lang' 'sv'\n"
                  + b"\t\t'contrase\xf1aLength'\t'8'\n" + STAMP.encode() + b"Contrase\xf1a incorrecta para 'gim'\n")


@pytest.mark.parametrize("case", LATIN_LEAKS, ids=[c[0] for c in LATIN_LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad16_ad7_latin1_and_escaped_keys_are_masked(rule_sets, case, fast) -> None:
    _, kind, path, data, gone, kept = case
    assert_redacted_bytes(rule_sets, data, gone, kept, kind, path, fast)


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ad16_ad7_latin1_and_escaped_neighbours_stay(rule_sets, fast) -> None:
    assert_redacted_bytes(rule_sets, LATIN_KEPT_CONFIG, [], [LATIN_KEPT_CONFIG], "config", XML, fast)
    assert_redacted_bytes(rule_sets, LATIN_KEPT_LOG, [], [LATIN_KEPT_LOG], "log", URS, fast)


# ------------------------------------------------------------------ the scanner


SCANNER_FOUND = [
    (URS, b'UserData: "senha" "DqSenha771"', "password"),
    (URS, b'UserData: "password"  "DqSenha771"', "password"),
    (URS, b'UserData: "PIN" "482913"', "pin"),
    (SIPS, b"\t\t'api_key'\t'ApiK3yLeak99'", "api-key"),
    (URS, b"UserData: 'x-api-key' 'ApiK3yLeak99'", "api-key"),
    (URS, b'UserData: "PrivateKey" "ApiK3yLeak99"', "api-key"),
    (URS, b"'Signature' [str] = \"ApiK3yLeak99\"", "api-key"),
    (XML, b'<param name="password" value="XmlPw77"/>', "password"),
    (XML, b'<param name="contrase\xf1a" value="XmlLatin1Leak"/>', "password"),
    (XML, b'<add key="db.l\\u00f6senord" value="Hemligt1"/>', "password"),
    (XML, b'<param name="mot+de+passe" value="Hemligt1"/>', "password"),
    (XML, b'<add name="DbPassword" type="string" value="XmlPw77"/>', "password"),
]

SCANNER_CLEAN = [
    (URS, b'UserData: "senha" "REDACTED" "PIN" "REDACTED-DIGITS" "resenha" "boa"'),
    (URS, b'Field "password" is required; "senha" "yes"'),
    (SIPS, b"\t\t'api_key'\t'REDACTED'\n\t\t'SignatureType'\t'RSA'\n\t\t'ApiKeyVersion'\t'2'\n\t\t'Signature'\t'yes'"),
    (URS, b"Field 'api_key' is required"),
    (XML, b'<param name="password" value="REDACTED"/>\n<param name="password-expiry-days" value="90"/>'),
    (XML, b'<param name="passwordPolicy" value="strong"/>\n<param name="contrase\xf1a" value=""/>'),
    (XML, b'<param name="resenha" value="boa"/>\n<param name="password" value="${db.pw}"/>'),
]


@pytest.mark.parametrize(("member", "line", "category"), SCANNER_FOUND)
def test_probe_ad_scanner_finds(member, line, category) -> None:
    assert framed_findings(member, line) == [(2, category)]


@pytest.mark.parametrize(("member", "text"), SCANNER_CLEAN)
def test_probe_ad_scanner_leaves(member, text) -> None:
    assert framed_findings(member, text) == []
