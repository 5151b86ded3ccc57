"""A long line holding many values (a GWS/GMS DEBUG line with a JSON body listing thousands of
calls) is redacted in time that grows with its values, not with their square. Was: every new
secret span was checked against all the line's spans, and one 4 MB cloud.log line with 43,000
phone numbers kept a core busy for 110 s (1 MB: 10 s). Measured without a clock: the Python
lines run (sys.settrace events) for four times the values must be about four times as many."""

from __future__ import annotations

import sys

from collector.redaction import Redactor, Tokenizer
from tests.redacting import KEY, rule_sets  # noqa: F401 - the fixture

PHONE = b'{"id":"%032x","state":"Established","phoneNumber":"+1415%07d"},'


def _body(values: int) -> bytes:
    return (b'2026-11-27 09:00:00,000 DEBUG [q] Body: {"calls":['
            + b"".join(PHONE % (i, i) for i in range(values)) + b"{}]}\n")


def _traced_work(rule_sets, line: bytes) -> tuple[int, bytes]:
    """(Python line events while redacting ``line``, the output)."""
    redactor = Redactor(rule_sets, Tokenizer(KEY, None), "log", "var/log/jetty9/cloud.log")
    events = 0

    def tracer(frame, event, arg):
        nonlocal events
        events += 1
        return tracer

    outer = sys.gettrace()
    sys.settrace(tracer)
    try:
        out = redactor.feed(line) + redactor.finish()
    finally:
        sys.settrace(outer)
    return events, out


def test_redaction_work_grows_linearly_with_the_values_on_one_line(rule_sets):
    small, small_out = _traced_work(rule_sets, _body(500))
    large, large_out = _traced_work(rule_sets, _body(2000))
    assert small_out.count(b"PHONE_") == 500 and large_out.count(b"PHONE_") == 2000
    assert b"+1415" not in large_out
    assert large < 6 * small, (small, large)        # linear: about 4x; quadratic: about 16x
