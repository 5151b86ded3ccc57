"""Properties of crlines (which CRs end lines) over random texts built from the pieces that
matter: every line end, quotes, escapes, = and :, tabs, record stamps."""

from __future__ import annotations

import random

import pytest

from collector.crlines import CrLines, as_lf, find_line_end

ATOMS = [b"\r", b"\n", b"\r\n", b'"', b"'", b"''", b"=", b"='", b": ", b"\t", b" ", b"abc ",
         b"09:15:06.000 Std 1 ", b"@09:15:05.8712 ", b'\\"', b"\\\\", b"x", b"\r\r\n", b"\\"]


def _texts(seed: int, count: int, longest: int):
    rng = random.Random(seed)
    for _ in range(count):
        yield b"".join(rng.choice(ATOMS) for _ in range(rng.randint(1, longest)))


@pytest.mark.parametrize("cr_only", [False, True])
def test_the_stream_does_not_depend_on_where_chunks_end(cr_only) -> None:
    """The quote state, an escape, an = before a quote, a CR before a CRLF and a record stamp
    after a CR can each fall on a chunk boundary (probe AA's random texts found escapes split
    there); one byte stays one byte."""
    for text in _texts(7, 1500, 80):
        whole = as_lf(text, cr_only)[0]
        assert len(whole) == len(text)
        for size in (1, 2, 3, 7, 50):
            stage = CrLines(cr_only=cr_only)
            out = b"".join([stage.feed(text[i:i + size]) for i in range(0, len(text), size)] + [stage.finish()])
            assert out == whole, (text, size)


def test_the_line_search_finds_the_line_ends_the_stream_makes() -> None:
    """A snapshot stops after the last line end ``find_line_end`` finds, and the stream must
    see the same line ends (a line shipped half, or held back for ever, otherwise)."""
    for text in _texts(11, 3000, 60):
        out = as_lf(text, False)[0]
        ends = [i for i, byte in enumerate(out) if byte == 10]
        assert find_line_end(text, b"\n", False) == (ends[0] if ends else -1), text
        assert find_line_end(text, b"\n", False, last=True) == (ends[-1] if ends else -1), text
