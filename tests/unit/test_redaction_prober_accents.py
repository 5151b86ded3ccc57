"""Probe R: Windows-origin text with accented letters (UTF-8, cp1252, UTF-16 read as UTF-8).

4: an e-mail address's whole local part is one token (josé.müller@ kept ``josé.mü`` in clear,
and every ``…ller@example.org`` shared one token); the leak scanner sees such an address too.
"""

from __future__ import annotations

import unicodedata

import pytest

from collector.redaction import Redactor, Tokenizer
from collector.redaction.tokens import normalise
from collector.scanner import LeakScanner
from tests.redacting import KEY, rule_sets  # noqa: F401 - the session fixture

ADDRESSES = ["josé.müller@example.org", "maría.núñez@example.org", "Müller.Jürgen@example.org",
             "jürgen@example.org", "Ærø@example.org"]


def _redact(rule_sets, data: bytes) -> bytes:  # noqa: F811
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "D/I3/IC/Logs/x.txt")
    return redactor.feed(data) + redactor.finish()


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("address", ADDRESSES)
def test_accented_local_part_is_one_token(rule_sets, encoding, address):  # noqa: F811
    line = f"2026-11-27 14:20:00.000 Mail: from {address} queued\r\n".encode(encoding)
    out = _redact(rule_sets, line)
    assert out.startswith(b"2026-11-27 14:20:00.000 Mail: from EMAIL_"), out
    assert out.endswith(b" queued\r\n"), out
    assert b"@" not in out and not any(b >= 0x80 for b in out), out
    assert _redact(rule_sets, out) == out


def test_different_people_with_the_same_tail_get_different_tokens(rule_sets):  # noqa: F811
    out = _redact(rule_sets, "a josé.müller@example.org b keller@example.org c heller@example.org\n".encode())
    tokens = out.split()[1::2]
    assert len(set(tokens)) == 3, out


def test_punctuation_around_an_address_stays_outside_the_token(rule_sets):  # noqa: F811
    for text, encoding in (("to \u201cjane@example.com\u201d and\u00a0bob@example.com\n", "utf-8"),
                           ("to \u201cjane@example.com\u201d and\u00a0bob@example.com\n", "cp1252")):
        plain = _redact(rule_sets, b"to jane@example.com and bob@example.com\n").split()
        out = _redact(rule_sets, text.encode(encoding))
        assert plain[1].decode() in out.decode(encoding), out    # the same token as the plain address
        assert out.decode(encoding).endswith("\u00a0" + plain[3].decode() + "\n"), out


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("address", ["josé@example.org", "Jürgen.Müllé@example.org"])
def test_scanner_finds_an_address_whose_local_part_ends_in_an_accent(encoding, address):
    scanner = LeakScanner("m")
    scanner.feed(f"Mail: to {address}\n".encode(encoding))
    scanner.finish()
    assert [f.category for f in scanner.findings] == ["email"]


def test_scanner_does_not_flag_the_redacted_line(rule_sets):  # noqa: F811
    out = _redact(rule_sets, "Mail: to \u201cjosé.müller@example.org\u201d\n".encode())
    scanner = LeakScanner("m")
    scanner.feed(out)
    scanner.finish()
    assert scanner.findings == []


# 8: one customer, one token, whether the log was written in cp1252 (SIP Server on Windows) or
# UTF-8 (WDE), or in decomposed UTF-8; ASCII values keep the letters they always had

def test_a_cp1252_value_gets_the_token_of_its_utf8_form():
    tokenizer = Tokenizer(KEY, None)
    name = "José Müller-Ñúñez"
    utf8 = tokenizer.token("userdata", name.encode("utf-8"))
    assert tokenizer.token("userdata", name.encode("cp1252")) == utf8
    assert tokenizer.token("userdata", unicodedata.normalize("NFD", name).encode("utf-8")) == utf8
    assert tokenizer.token("email", "josé.müller@example.org".encode("cp1252")) == \
        tokenizer.token("email", "José.Müller@Example.org".encode("utf-8"))
    assert tokenizer.token("userdata", name.encode("utf-8")) != tokenizer.token("userdata", b"Jose Muller-Nunez")


def test_ascii_and_utf8_values_hash_as_before():
    material = normalise("userdata", "José".encode("utf-8"))
    assert material == (b"value\0" + "José".encode("utf-8"), False)
    assert normalise("userdata", b"Jane Doe") == (b"value\0Jane Doe", False)
    assert normalise("userdata", b"Jos\xe9\x81") == (b"value\0" + "José\x81".encode("utf-8"), False)  # unassigned: Latin-1


@pytest.mark.parametrize("line", ["\t'CustomerName'\t'José Müller-Ñúñez'\r\n"])
def test_kv_customer_name_in_cp1252_and_utf8_logs_share_a_token(rule_sets, line):  # noqa: F811
    utf8 = _redact(rule_sets, line.encode("utf-8"))
    cp1252 = _redact(rule_sets, line.encode("cp1252"))
    assert b"USERDATA_" in utf8 and utf8 == cp1252, (utf8, cp1252)
