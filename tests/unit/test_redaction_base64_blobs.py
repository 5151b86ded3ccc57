"""Lines of bare base64 (a body or attachment printed without the MIME header that opens
mime-transfer-encoded-block): masked whole, the run's shorter last line too. No rule can read what
they encode (a customer's text, a card number), and the prefilter's one automaton of every
scan crawls through random letters (docs/architecture.md, "Known slow input")."""

from __future__ import annotations

import base64
import random

import pytest

from collector.redaction.ruleset import RuleSet
from tests.redacting import assert_redacted, redacted, rule_sets  # noqa: F401 - fixture

BODY = base64.encodebytes(b"Hello, please call me back at +1 555 0143. My card is 4111 1111 1111 1111. "
                          b"Regards, Jane Example, 42 Example Street" * 3).decode()


@pytest.mark.parametrize("fast", [True, False])
def test_a_run_of_base64_lines_is_masked_up_to_the_next_record(rule_sets: list[RuleSet], fast: bool) -> None:
    lines = BODY.splitlines()
    assert len(lines) > 2 and len(lines[-1]) < 60          # the last line is the short one
    text = ("2024-03-05T09:15:04.856 Dbg 05060 message body of interaction 000AaG4QBEJ00E01:\n" + BODY
            + "2024-03-05T09:15:04.857 Trc 20110 Submitted interaction 000AaG4QBEJ00E01\n")
    out = assert_redacted(rule_sets, text, gone=[line for line in lines],
                          kept=["message body of interaction 000AaG4QBEJ00E01:\n",
                                "\n2024-03-05T09:15:04.857 Trc 20110 Submitted interaction 000AaG4QBEJ00E01\n"],
                          fast=fast)
    assert out.count("REDACTED-TEXT\n") == len(lines)


def test_crlf_and_indented_runs_keep_their_shape(rule_sets: list[RuleSet]) -> None:
    lines = BODY.splitlines()
    text = "".join("    " + line + "\r\n" for line in lines) + "\r\n--b1--\r\n"
    out = redacted(rule_sets, text, "log", "opt/genesys/EmailServer/logs/es.log")
    assert out == "    REDACTED-TEXT\r\n" * len(lines) + "\r\n--b1--\r\n"


@pytest.mark.parametrize("line", [
    "3f2a9c41d0b7e8a5c6f1d2e3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0",   # a hex digest: one case
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",                                 # under 60 characters
    "ThisIsAVeryLongIdentifierWithoutAnyDigitsAtAllThatGoesOnAndOnForever",  # no digit
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc123DEF456ghi789JKL0",   # dots: not bare base64
])
def test_what_is_not_a_base64_run_stays(rule_sets: list[RuleSet], line: str) -> None:
    out = redacted(rule_sets, line + "\n", "log", "opt/genesys/x.log")
    assert "REDACTED-TEXT" not in out


def test_random_bodies_match_the_reference_path(rule_sets: list[RuleSet]) -> None:
    """Random attachment bodies between ordinary records: the fast path and every-rule-on-every-
    line give the same bytes, and none of the body is left."""
    rnd = random.Random(5)
    parts = []
    for index in range(6):
        parts.append(f"2024-03-05T09:15:0{index}.000 Trc 04541 RequestRegisterAddress received from [612]\n")
        parts.append(base64.encodebytes(rnd.randbytes(rnd.randrange(200, 3000))).decode())
    text = "".join(parts)
    fast, exact = redacted(rule_sets, text, "log", "x.log"), redacted(rule_sets, text, "log", "x.log", fast=False)
    assert fast == exact
    assert all(line.startswith(("2024-", "REDACTED-TEXT")) for line in fast.splitlines())


@pytest.mark.parametrize("fast", [True, False])
def test_a_certificate_in_pem_stays_readable(rule_sets: list[RuleSet], fast: bool) -> None:
    """A certificate's base64 lines are public and what support checks a chain with: kept
    (pem-certificate-block), while the same lines without the armour are masked."""
    body = base64.encodebytes(random.Random(9).randbytes(700)).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
    text = "2024-03-05T09:15:04.856 Dbg 00000 server certificate:\n" + pem + "2024-03-05T09:15:04.857 Trc next\n"
    assert redacted(rule_sets, text, "log", "x.log", fast=fast) == text
    bare = redacted(rule_sets, "\n".join(lines) + "\n", "log", "x.log", fast=fast)
    assert bare == "REDACTED-TEXT\n" * len(lines)
