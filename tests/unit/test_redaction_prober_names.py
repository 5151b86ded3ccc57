"""Probe R leftover: WDE writes the customer's name right before the e-mail address, with no
label ("Contact opened for José Müller-Ñúñez (jose@example.org)"); the name shipped."""

from __future__ import annotations

import pytest

from tests.redacting import redacted, rule_sets  # noqa: F401 - fixture


@pytest.mark.parametrize("fast", [True, False])
def test_a_name_right_before_its_email_address_is_tokenized(rule_sets, fast) -> None:  # noqa: F811
    text = ("26-11-27 10:15:06.100 [   12] INFO  Contact opened for Jane Doe-Smith (jane@example.org)\r\n"
            "26-11-27 10:15:06.100 [   12] INFO  Contact opened for José Müller-Ñúñez (jose@example.org)\r\n"
            "26-11-27 10:15:07.000 [   12] INFO  Queue Sales (7001) ready\r\n")
    out = redacted(rule_sets, text, "log", "C/Users/agent/AppData/Roaming/GCTI/logs/InteractionWorkspace.log",
                   fast=fast)
    for gone in ("Jane", "Doe-Smith", "José", "Müller", "Ñúñez", "jose@"):
        assert gone not in out, out
    assert out.count("Contact opened for NAME_") == 2 and "Queue Sales (7001) ready" in out
    assert redacted(rule_sets, out, "log", "x.log", fast=fast) == out


def test_the_same_name_in_cp1252_gets_the_same_token(rule_sets) -> None:  # noqa: F811
    utf8 = "Contact opened for José Müller (jose@example.org)\n"
    out_utf8 = redacted(rule_sets, utf8, "log", "a.log")
    from collector.redaction import Redactor, Tokenizer
    from tests.redacting import KEY

    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "b.log")
    out_cp1252 = (redactor.feed(utf8.encode("cp1252")) + redactor.finish()).decode("cp1252")
    token = out_utf8.split("for ")[1].split(" ")[0]
    assert token.startswith("NAME_") and token in out_cp1252
