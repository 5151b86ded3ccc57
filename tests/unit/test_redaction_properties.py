"""Property tests: no crash, same line count, idempotent, fast path == exact path, and a
planted secret in any supported shape never survives."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from collector.errors import RedactionFailed
from collector.redaction import Redactor, Tokenizer, load_rule_sets

KEY = b"property-test-site-key-012345678"
SETS = load_rule_sets(["common-secrets", "config-secrets", "tlib", "sip", "pii"])
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def redact(text: bytes, kind: str = "log", *, fast: bool = True) -> bytes:
    redactor = Redactor(SETS, Tokenizer(KEY, None), kind, "p.log", use_prefilter=fast)
    return redactor.feed(text) + redactor.finish()


# Fragments that steer generated lines towards the shapes the rules look for.
FRAGMENTS = [
    "\t", "\t\t", "'", '"', " ", "\r", ":", "=", "@", "+", "-", ".", ";", "<", ">", "#", "*", "<#", "#>",
    # configuration shapes (probe B): XML attributes and CDATA, JSON numbers, escaped keys, %3D, PuTTY
    " keystorePass=\"", "\" connectionTimeout=\"1\"/>", "<![CDATA[", "]]>", "</producerConfig>", "\"password\": ",
    "12345", "name=\"trustStorePassword\"><value>", "</value>", "key=\"signingKey\">", "secret\\ key=",
    "password%3D", "%26", "Private-Lines: 1", "Private-MAC: ab12", "password-expiry-days",
    "AttributeANI", "AttributeDNIS", "AttributeOtherDN", "AttributeCollectedDigits", "AttributeThisDN",
    "[str] = ", "'AccountNumber'", "'CustomerName'", "'IVR_Lang'", "password", "Password=", "pwd",
    "token", "secret", "INVITE sip:", " SIP/2.0", "From: ", "f: ", "To: ", "Contact: ", "sip:", "tel:",
    "Authorization: Digest ", "username=", "Basic ", "://", "user:pw@", "4111111111111111",
    "4111 1111 1111 1111", "5555550142", "+15555550142", "123-45-6789", "jane@example.com",
    "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.",
    "AKIAIOSFODNN7EXAMPLE", "PHONE_abcdefghij", "REDACTED", "****", "0", "9", "x", "é", "\x7f",
    "&ani=", "?dnis=", "phone", "_customer_number=", "GSW_ACCOUNT=", "'CustomerName'", "account ", "ANI ",
    " ASSIGN: CustomerName(LOCAL) <- STRING ", "_I_I_00874f09e855862a [01:0c] ", "<- ", "name=\"ani\">",
    "<gvp:param ", "</gvp:param>", "<ani>", "agentId=", "\"Jane\" <", "vxml input: ", "Request sent: INFO ",
    "USERDATA_abcdefghij", "EMAIL_abcdefghij", "REDACTED-CARD", "jane@example.comjane@example.com",
    "Content-Type: text/plain", "--b1", "Cookie=JSESSIONID=", "Set-Cookie: ", "ngi: input_end|dtmf|",
    "field_filled|pin|", "<input mode=\"dtmf\">", "</input>", "{\"customer\":{\"name\":", "'Account'",
    "INTERACTION_ID=", "secureKey", "pin-length=", "hide-first,4", "\"${X}\"",
    # prose passwords, Oracle connect strings, credentials pairs, webhooks (session 17)
    "with password ", "password is ", "credentials ", "admin:", "icon/", "@ORCL", "/x@",
    "hooks.slack.com/services/T1/B1/", "/IncomingWebhook/",
    # names, key/value pairs, IBANs, speech input, subjects, CfgPerson (personal-data probe fixes)
    "key 'Name' value '", "name='", "Incoming call from ", "contact '", "CustomerName: ", "Jane Example",
    "<input mode=\"speech\">", "'Subject' ", "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32",
    "firstName [", "userName=\"", "acct AC-", "'IPAddress'", "192.0.2.55", "'Geburtsdatum'", "'CardNumber'\t",
]

line_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0x2ff,
                                                                        blacklist_characters="\n"), max_size=6)),
    max_size=14,
).map("".join)
lines = st.lists(line_text, min_size=1, max_size=8)
endings = st.sampled_from(["\n", "\r\n"])


@SETTINGS
@given(lines, endings, st.sampled_from(["log", "config", "text"]))
# a token the first pass wrote became part of a key=value key on the second (kv-personal)
@example(["-----BEGIN PRIVATE KEY-----jane@example.comFrom: @"], "\n", "log")
@example(["_I_I_00874f09e855862a [01:0c] jane@example.comCookie=JSESSIONID="], "\n", "log")
# a token's letters spelt pwd (USERDATA_fzjeootpwd: 1 became a pwd key on the second pass)
@example(["GSW_ACCOUNT=\xcd\xac\x8b\xc8x--b1Private-Lines: 1"], "\n", "log")
# the prefilter missed a quoted user with a blank (credentials 'a b:X')
@example(["credentials '_I_I_00874f09e855862a [01:0c] '"], "\n", "log")
# a mask (REDACTED-DIGITS) read as an attached-data key naming digits on the second pass
@example(["vxml input: 'CardNumber'\t@"], "\n", "log")
# the PuTTY MAC rule masked the hex prefix 'E' of the e-mail token the first pass wrote
@example(["Private-MAC: ab12jane@example.comjane@example.com"], "\n", "config")
# the second pass took the '=' before '<![CDATA[USERDATA_...@' for a SIP display name
@example(["From: =<![CDATA[GB82 WEST 1234 5698 7654 32'@"], "\n", "log")
@example(["From: password-expiry-days<![CDATA[GB82 WEST 1234 5698 7654 32'@"], "\n", "log")
# the second pass read the card mask before '=' as a cookie name and tokenised the value after it
@example(["Set-Cookie: ", "4111 1111 1111 1111", "=", "0"], "", "log")
def test_line_count_idempotence_and_fast_equals_exact(body: list[str], ending: str, kind: str) -> None:
    text = ending.join(body).encode("utf-8") + ending.encode()
    try:
        fast = redact(text, kind)
    except RedactionFailed:
        return                                           # fail closed is allowed (e.g. binary-looking)
    assert fast.count(b"\n") == text.count(b"\n")
    assert fast.count(b"\r\n") == text.count(b"\r\n")
    assert redact(text, kind, fast=False) == fast
    assert redact(fast, kind) == fast


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        out = redact(data)
    except RedactionFailed:
        return
    assert out.count(b"\n") == data.count(b"\n")


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
phone = st.builds(lambda a, b: "5" + a + b, st.text("0123456789", min_size=2, max_size=2),
                  st.text("0123456789", min_size=7, max_size=7))
password = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$%^()_",
                   min_size=6, max_size=16).filter(lambda p: "REDACTED" not in p and not set(p) <= set("*"))
local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._", min_size=2, max_size=12).filter(
    lambda s: s[0].isalnum() and s[-1].isalnum())


def luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


card = st.builds(lambda first, rest: luhn_complete(first + rest), st.sampled_from("3456"),
                 st.text("0123456789", min_size=14, max_size=14))

PHONE_SHAPES = [
    ("log", "\tAttributeANI\t'{v}'"),
    ("log", '\tAttributeANI [str] = "{v}"'),
    ("log", "\tAttributeDNIS\t'{v}'"),
    ("log", '\tAttributeOtherDN [str] = "{v}"'),
    ("log", "INVITE sip:{v}@192.0.2.20:5060 SIP/2.0"),
    ("log", 'From: "Caller" <sip:{v}@203.0.113.5>;tag=1'),
    ("log", "t: <sip:{v}@192.0.2.20>"),
    ("log", "P-Asserted-Identity: <tel:+1{v}>"),
    ("log", "\t\t'CallbackNumber'\t'{v}'"),
    ("log", "\t\t'Other' [str] = \"{v}\""),
    ("text", "call me on +1{v} please"),
]
PASSWORD_SHAPES = [
    ("config", "Password={v}"), ("config", "password = {v}"), ("config", "  password: {v}"),
    ("config", '"password": "{v}"'), ("config", "<password>{v}</password>"),
    ("config", '<property name="password" value="{v}"/>'), ("log", "https://u:{v}@h.example.net/"),
    ("log", "jdbc:mysql://db/x?user=a&password={v}&ssl=1"), ("text", "db.pwd={v}"),
    ("log", "trusted-ca-pwd={v}"), ("log", "\t\t'CustomerPassword'\t'{v}'"),
]
CARD_SHAPES = [
    ("log", "paid {v} ok"), ("log", "\tAttributeCollectedDigits\t'{v}'"), ("log", "\t\t'Memo'\t'{v}'"),
    ("text", "{v}"), ("config", "card={v}"),
]


@SETTINGS
@given(phone, st.sampled_from(PHONE_SHAPES), endings)
def test_planted_phone_never_survives(value: str, shape: tuple[str, str], ending: str) -> None:
    kind, template = shape
    out = redact((template.format(v=value) + ending).encode(), kind)
    assert value.encode() not in out


@SETTINGS
@given(password, st.sampled_from(PASSWORD_SHAPES))
def test_planted_password_never_survives(value: str, shape: tuple[str, str]) -> None:
    kind, template = shape
    assume(value not in template.format(v=""))     # 'passwo' is part of the key 'password'
    out = redact((template.format(v=value) + "\n").encode(), kind)
    assert value.encode() not in out


@SETTINGS
@given(card, st.sampled_from(CARD_SHAPES), st.sampled_from(["", " ", "-"]))
def test_planted_card_never_survives(value: str, shape: tuple[str, str], sep: str) -> None:
    kind, template = shape
    if sep and len(value) == 16:
        value = sep.join(value[i:i + 4] for i in range(0, 16, 4))
    out = redact((template.format(v=value) + "\n").encode(), kind)
    digits_only = value.replace(" ", "").replace("-", "")
    assert value.encode() not in out and digits_only.encode() not in out


@SETTINGS
@given(local, st.sampled_from(["example.com", "mail.example.co.uk", "contact-center.example.net"]),
       st.sampled_from([("text", "mail {v} now"), ("log", "\t\t'Contact'\t'{v}'"), ("config", "owner: {v}"),
                        ("log", "agentId=\"{v}\""), ("log", "\t\t'Mail' [str] = \"{v}\"")]))
def test_planted_email_never_survives(user: str, domain: str, shape: tuple[str, str]) -> None:
    kind, template = shape
    address = f"{user}@{domain}"
    out = redact((template.format(v=address) + "\n").encode(), kind)
    assert address.encode() not in out


@pytest.mark.parametrize("chunk", [1, 3, 17])
def test_chunking_invariance_on_generated_text(chunk: int) -> None:
    text = b"".join((t.format(v="5555550142") + "\r\n").encode() for _, t in PHONE_SHAPES) * 3
    whole = redact(text)
    redactor = Redactor(SETS, Tokenizer(KEY, None), "log", "c.log")
    out = b"".join(redactor.feed(text[i:i + chunk]) for i in range(0, len(text), chunk)) + redactor.finish()
    assert out == whole
