"""The rules' Python regexes, compiled once and kept in the state folder for later runs.

Every run compiles the Python patterns of every rule (``compiled.compile_rule``: 366 for the
packaged rule sets) in the main process, before the workers fork. Python's parser and code
generator, and the start guard's own parse (``startguard``), take 0.33 s of that: a quarter of
a small collection's 1.3 s, at every run. What ``re.compile`` makes of a text is data, the
code ``_sre`` runs; kept, the same pattern is made again from it by ``_sre.compile`` (the call
``re.compile`` itself ends with, which validates the code) in 6 ms for all of them.

``compile(text, guard=...)`` answers as ``re.compile(text)`` (``guard``: as
``startguard.compile_guarded(text)``) does: from the kept code where an entry for that text
is kept, else by compiling it. ``save()`` keeps the code of the patterns compiled afresh, for
the next run: an entry is kept only if the pattern made from it equals ``re.compile``'s
(``==`` compares the code), so a Python whose private names differ keeps nothing and
compiles as before. The file (``STATE_DIR/patterns/<build>.sre``) is SHA-256 checked
(``statecache``) and named after the Python build (version, ``_sre.MAGIC``, code size) and
this format; an entry's key is the pattern text, so an edited rule compiles afresh.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sys
from array import array
from pathlib import Path

from collector import statecache
from collector.redaction.startguard import compile_guarded

_FORMAT = 1
_KEEP_BUILDS = 2             # files of other Python builds (an upgrade) beyond this are dropped

_folder: Path | None = None
_kept: dict[tuple[bool, bytes], tuple] | None = None        # loaded at first use
_used: dict[tuple[bool, bytes], tuple] = {}                # entries this process made a pattern from
_fresh: dict[tuple[bool, bytes], re.Pattern[bytes]] = {}   # patterns compiled here, for save()


def use(folder: Path | None) -> None:
    """Keep compiled patterns in ``folder`` (a subfolder of the state folder, made 0700 when
    first written); None: compile every pattern, keep nothing."""
    global _folder, _kept
    _folder = folder
    _kept = None
    _used.clear()
    _fresh.clear()


def compile(text: bytes, *, guard: bool = False) -> re.Pattern[bytes]:
    """``re.compile(text)``, or with ``guard`` ``startguard.compile_guarded(text)``; the same
    ``re.error`` for a bad pattern."""
    key = (guard, text)
    entry = _entries().get(key)
    if entry is not None:
        pattern = _made(entry)
        if pattern is not None:
            _used[key] = entry
            return pattern
    pattern = _compile_afresh(text, guard)
    if _folder is not None:
        _fresh[key] = pattern
    return pattern


def _compile_afresh(text: bytes, guard: bool) -> re.Pattern[bytes]:
    return compile_guarded(text) if guard else re.compile(text)


def save() -> None:
    """Keep the entries this process used and the patterns it compiled, if it compiled any;
    then let the loaded entries go (the patterns hold their own code)."""
    global _kept
    try:
        if _folder is None or not _fresh:
            return
        entries = dict(_used)
        for key, pattern in _fresh.items():
            entry = _entry(pattern.pattern)
            if entry is not None and _made(entry) == pattern:
                entries[key] = entry
        if len(entries) > len(_used):
            statecache.keep(_folder / f"{_build()}.sre", marshal.dumps(list(entries.items())), newest=_KEEP_BUILDS)
    finally:
        _kept = None
        _used.clear()
        _fresh.clear()


def _entries() -> dict[tuple[bool, bytes], tuple]:
    global _kept
    if _kept is None:
        _kept = {}
        data = statecache.read(_folder / f"{_build()}.sre") if _folder is not None else None
        if data is not None:
            try:
                _kept = {key: entry for key, entry in marshal.loads(data)}
            except (ValueError, TypeError, EOFError):
                _kept = {}
    return _kept


def _build() -> str:
    import _sre

    name = f"{sys.version}\0{getattr(_sre, 'MAGIC', '?')}\0{getattr(_sre, 'CODESIZE', '?')}\0{_FORMAT}"
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def _words() -> array:
    """An empty array whose items are ``_sre``'s code words."""
    import _sre

    for typecode in "IL":
        if array(typecode).itemsize == getattr(_sre, "CODESIZE", 0):
            return array(typecode)
    raise TypeError("no array type for _sre's code words")


def _entry(text: bytes) -> tuple | None:
    """What ``re.compile(text)`` passes to ``_sre.compile``, with the code as bytes; None where
    this Python's private names differ."""
    try:
        from re import _compiler, _parser

        parsed = _parser.parse(text, 0)
        code = _compiler._code(parsed, 0)
        state = parsed.state
        groupindex = dict(state.groupdict)
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        words = _words()
        words.extend(code)
        return (text, state.flags, words.tobytes(), state.groups - 1, groupindex, tuple(indexgroup))
    except Exception:  # noqa: BLE001 - only a cache: nothing kept
        return None


def _made(entry: tuple) -> re.Pattern[bytes] | None:
    """The pattern made from a kept entry, or None (a damaged or foreign entry)."""
    try:
        import _sre

        text, flags, code, groups, groupindex, indexgroup = entry
        words = _words()
        words.frombytes(code)
        return _sre.compile(text, flags, words.tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - compile it instead
        return None


__all__ = ["use", "compile", "save"]
