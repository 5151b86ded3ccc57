"""The span of the next match of a compiled google-re2 pattern, at C speed per call.

``pattern.search(text, pos)`` in google-re2's Python wrapper runs a generator and builds a match
object around its one call into RE2: 5-7 us on top of the search itself, paid at every prefilter
hit of the redactor and every hit of the leak scanner (thousands per MB of SIP Server log).
``span_search(pattern)`` returns a function that makes that one call (the wrapper's own
``_regexp.Match``) and returns ``(start, end)`` or None, with the wrapper's meaning for bytes.

It relies on two private names of the wrapper (``_regexp`` and ``_Anchor``); where they are
missing or answer in another shape (another google-re2 release), it falls back to the wrapper.
"""

from __future__ import annotations

from collections.abc import Callable

SpanSearch = Callable[[bytes, int], "tuple[int, int] | None"]


def span_search(pattern: object) -> SpanSearch:
    """``(start, end)`` of the first match at or after ``pos`` in ``text`` (bytes), or None."""
    match = getattr(getattr(pattern, "_regexp", None), "Match", None)
    anchor = _unanchored()
    if match is not None and anchor is not None and _answers_in_spans(match, anchor):
        def search(text: bytes, pos: int) -> tuple[int, int] | None:
            span = match(anchor, text, pos, len(text))[0]
            return None if span[0] < 0 else span
        return search

    def wrapped(text: bytes, pos: int) -> tuple[int, int] | None:       # the wrapper's own path
        hit = pattern.search(text, pos)                                  # type: ignore[attr-defined]
        return None if hit is None else hit.span()
    return wrapped


def _unanchored() -> object | None:
    try:
        import re2
    except ImportError:          # pragma: no cover - google-re2 is a dependency
        return None
    return getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)


def _answers_in_spans(match: Callable, anchor: object) -> bool:
    """The call takes (anchor, bytes, pos, endpos) and gives group spans, (-1, -1) for none."""
    try:
        spans = match(anchor, b"", 0, 0)
        first = spans[0]
    except Exception:  # noqa: BLE001 - any other shape: use the wrapper
        return False
    return isinstance(first, tuple) and len(first) == 2 and all(isinstance(v, int) for v in first)
