"""google-re2 as a fast first look for Python regexes: the pattern text RE2 gets, and the span of
its next match at C speed per call.

``re2_scan_text(pattern)`` rewrites a Python regex (bytes semantics) into RE2 syntax that
matches at least where Python matches (a superset), for callers that only ask whether a text
matches and where the first match starts, and then let Python ``re`` decide.

``pattern.search(text, pos)`` in google-re2's Python wrapper runs a generator and builds a match
object around its one call into RE2: 5-7 us on top of the search itself, paid at every prefilter
hit of the redactor and every hit of the leak scanner (thousands per MB of SIP Server log).
``span_search(pattern)`` returns a function that makes that one call (the wrapper's own
``_regexp.Match``) and returns ``(start, end)`` or None, with the wrapper's meaning for bytes.

``set_matcher(line_set)`` does the same for an ``re2.Set``: the wrapper's ``Set.Match`` is a
Python method around one call (``_set.Match``), about 0.5 us of a 1.5 us call on a log line.

They rely on private names of the wrapper (``_regexp``, ``_Anchor``, ``_set``); where these are
missing or answer in another shape (another google-re2 release), they fall back to the wrapper.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol


class SpanSearch(Protocol):
    def __call__(self, text: bytes, pos: int, endpos: int | None = None) -> tuple[int, int] | None: ...


SetMatch = Callable[[bytes], "list[int] | None"]        # indexes of the matching patterns; falsy: none

_PY_SPACE = r"\t\n\x0b\x0c\r "           # Python's \s for bytes; RE2's \s lacks \v


def latin1_options(*, max_mem: int | None = None, longest_match: bool = False) -> object:
    """RE2 options for a first look at bytes: Latin-1 (one byte, one character, as Python's bytes
    regexes see them), no captures, no error log; ``max_mem`` for a large alternation's DFA.

    ``longest_match``: for a search whose caller uses only where the match starts (a prefilter).
    The start is the same either way (the leftmost position where any alternative matches); only
    the end differs. A leftmost-first DFA state is an ordered list of threads, a leftmost-longest
    one a set, so a large alternation has far fewer states: the redactor's prefilter ran 2x
    faster on the bench's logs (80 -> 160 MB/s) and found the same lines."""
    import re2

    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.never_capture = True
    options.log_errors = False
    options.longest_match = longest_match
    if max_mem is not None:
        options.max_mem = max_mem
    return options


def span_search(pattern: object) -> SpanSearch:
    """``(start, end)`` of the first match at or after ``pos`` in ``text`` (bytes), ending by
    ``endpos`` (default: the end), or None."""
    match = getattr(getattr(pattern, "_regexp", None), "Match", None)
    anchor = _unanchored()
    if match is not None and anchor is not None and _answers_in_spans(match, anchor):
        def search(text: bytes, pos: int, endpos: int | None = None) -> tuple[int, int] | None:
            span = match(anchor, text, pos, len(text) if endpos is None else endpos)[0]
            return None if span[0] < 0 else span
        return search

    def wrapped(text: bytes, pos: int, endpos: int | None = None) -> tuple[int, int] | None:   # the wrapper's own path
        hit = pattern.search(text, pos, len(text) if endpos is None else endpos)  # type: ignore[attr-defined]
        return None if hit is None else hit.span()
    return wrapped


def set_matcher(line_set: object) -> SetMatch:
    """The indexes of ``line_set``'s patterns that match ``text`` (any order), or a falsy value."""
    match = getattr(getattr(line_set, "_set", None), "Match", None)
    if match is not None and _answers_in_indexes(match):
        return match                                   # type: ignore[no-any-return]
    return line_set.Match                              # type: ignore[attr-defined, no-any-return]


def _answers_in_indexes(match: Callable) -> bool:
    """The call takes bytes and gives a list of ints (empty for no match)."""
    try:
        found = match(b"")
    except Exception:  # noqa: BLE001 - any other shape: use the wrapper
        return False
    return isinstance(found, list) and all(isinstance(v, int) for v in found)


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


def re2_scan_text(pattern: str, *, chunk_level: bool) -> str:
    """Rewrite a Python regex so RE2 matches a superset of what Python matches on a line.

    ``\\s`` gets Python's meaning (RE2's lacks ``\\v``). At chunk level (the prefilter runs over
    many lines at once) the pattern is kept inside one line, which is all a line-level match
    can use: an unescaped ``$`` becomes ``\\r?$`` so CRLF lines behave as their stripped form
    does, and no class matches a newline (``\\s``, ``\\D``, ``\\W``, ``[^...]``). Without that, a
    ``[^']*`` keeps RE2's forward and reverse scans alive across kilobytes of following lines
    at every hit.

    Where the two engines read the same text differently, the RE2 form takes Python's meaning:
    ``x{,6}`` (``x{0,6}``) and a ``[`` inside a class (``[[:digit:]]`` is a class and a ``]``).

    A scan is only asked whether a line matches and where the first match starts, so named
    groups become non-capturing and lazy quantifiers greedy (``(?P<secret>.+?)`` -> ``(?:.+)``),
    which changes neither. RE2's ``never_capture`` leaves named groups capturing, and one of
    them in the prefilter's alternation made RE2 find submatches at every hit: about 5 us more.
    """
    space = _PY_SPACE.replace("\\n", "") if chunk_level else _PY_SPACE
    out: list[str] = []
    i, in_class, negated = 0, False, False
    after_quantifier = False                  # the last thing copied was a quantifier
    while i < len(pattern):
        ch = pattern[i]
        quantifier = not in_class and (ch in "*+" and not after_quantifier
                                       or ch == "?" and not after_quantifier and out[-1:] != ["("]
                                       or ch == "}" and _closes_repeat(pattern, i))
        if not in_class and ch == "?" and after_quantifier:
            after_quantifier = False          # lazy: drop the "?"
            i += 1
            continue
        after_quantifier = quantifier
        if not in_class and ch == "(" and pattern.startswith("?P<", i + 1) and ">" in pattern[i:]:
            out.append("(?:")                 # a named group: RE2 captures it even with never_capture
            i = pattern.index(">", i) + 1
            continue
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "s":
                out.append(space if in_class else "[" + space + "]")
            elif chunk_level and not in_class and nxt in "DW":
                out.append("[^0-9\\n]" if nxt == "D" else "[^0-9A-Za-z_\\n]")
            elif chunk_level and in_class and not negated and nxt == "n":
                pass                                  # a line holds no newline
            else:
                out.append(ch + nxt)
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
                if chunk_level and negated:           # before a closing '-', or it would make a range
                    out.insert(len(out) - 1 if out[-1] == "-" else len(out), "\\n")
            elif ch == "[":                   # a member for Python; RE2 would read [:digit:]
                out.append("\\[")
                i += 1
                continue
        elif ch == "{" and pattern.startswith("{,", i) and _REPEAT.match(pattern, i):
            out.append("{0")                  # Python's {,n} is {0,n}; RE2 reads it as text
            i += 1
            continue
        elif ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            negated = i < len(pattern) and pattern[i] == "^"
            if negated:
                out.append("^")
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        elif ch == "$" and chunk_level:
            out.append(r"(?:\r?$)")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_REPEAT = re.compile(r"\{\d*(?:,\d*)?\}")


def _closes_repeat(pattern: str, at: int) -> bool:
    """The ``}`` at ``at`` ends a ``{m}``, ``{m,}`` or ``{m,n}`` quantifier (else it is a literal)."""
    start = pattern.rfind("{", 0, at)
    return start >= 0 and _REPEAT.fullmatch(pattern, start, at + 1) is not None and at - start > 1 \
        and (start == 0 or pattern[start - 1] != "\\")
