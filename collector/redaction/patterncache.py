"""The rules' Python regexes, compiled once and kept in the state folder for later runs.

Every run compiles the Python patterns of every rule (``compiled.compile_rule``: 366 for the
packaged rule sets) in the main process, before the workers fork. Python's parser and code
generator, and the start guard's own parse (``startguard``), take 0.33 s of that: a quarter of
a small collection's 1.3 s, at every run. What ``re.compile`` makes of a text is data, the
code ``_sre`` runs; kept, the same pattern is made again from it by ``_sre.compile`` (the call
``re.compile`` itself ends with, which validates the code) in 8 ms for all of them.

``compile(text, guard=...)`` answers as ``re.compile(text)`` (``guard``: as
``startguard.compile_guarded(text)``) does: from the kept code where an entry for that text
is kept, else by compiling it. ``save()`` keeps the code of the patterns compiled afresh for
the next run. An entry is kept only if the pattern made from it equals the one compiled here
(``==`` compares the text, the flags and the code) and has the same groups, so a Python whose
private names differ keeps nothing and compiles as before.

The file (``STATE_DIR/patterns/<build>.sre``, SHA-256 checked by ``statecache``) is named
after everything an entry depends on besides its text: the Python build (version,
``_sre.MAGIC``, code size, byte order, machine) and the redaction code and gcollect's version
(``rules.redaction_code_key``, which the rule-set check records use too), so an upgrade that
changes a start guard compiles afresh. An entry's key is (the SHA-256 of) its pattern text and
whether it is guarded: an edited rule compiles afresh. ``save()`` also ends the cache for the
process: the workers forked after it, and children, compile what they need themselves and keep
nothing.
"""

from __future__ import annotations

import hashlib
import marshal
import platform
import re
import sys
from array import array
from pathlib import Path

from collector import statecache
from collector.hostguard import return_freed_memory
from collector.redaction.startguard import compile_guarded, is_guarded_form

_FORMAT = 3
_KEEP_BUILDS = 2             # files of other builds (an upgrade) beyond this are dropped
_KEEP_ENTRIES = 4096         # entries kept in a file (the packaged rules have 366)

# The file holds one index and one blob: entry i is ``marshal.loads(blob[start:stop])``, decoded
# only when its pattern is asked for. Decoded all at once, the entries' 353 code strings (1.4 MB)
# were freed among the pattern texts that stay, and 2 MiB of freed heap stayed in the main
# process and every worker forked from it.
_Index = dict[bytes, tuple[int, int]]      # key digest (_key) -> (start, stop) in the blob
_folder: Path | None = None
_kept: tuple[_Index, bytes] | None = None              # the file's index and blob, read at first use
_used: set[bytes] = set()                              # keys of kept entries this process made a pattern from
_compiled_here: dict[bytes, re.Pattern[bytes]] = {}    # patterns compiled afresh, for save()


def use(folder: Path | None) -> None:
    """Keep compiled patterns in ``folder`` (a subfolder of the state folder, made 0700 when
    first written); None: compile every pattern, keep nothing."""
    global _folder, _kept
    _folder = folder
    _kept = None
    _used.clear()
    _compiled_here.clear()


def compile(text: bytes, *, guard: bool = False) -> re.Pattern[bytes]:
    """``re.compile(text)``, or with ``guard`` ``startguard.compile_guarded(text)``; the same
    ``re.error`` for a bad pattern."""
    key = _key(text, guard)
    entry = _kept_entry(key)
    if entry is not None and _is_form_of(text, guard, entry[0]):
        pattern = _pattern_from(entry)
        if pattern is not None:
            _used.add(key)
            return pattern
    pattern = _compile_afresh(text, guard)
    if _folder is not None:
        _compiled_here[key] = pattern
    return pattern


def _key(text: bytes, guard: bool) -> bytes:
    return hashlib.sha256((b"guarded\0" if guard else b"as is\0") + text).digest()


def _compile_afresh(text: bytes, guard: bool) -> re.Pattern[bytes]:
    return compile_guarded(text) if guard else re.compile(text)


def _is_form_of(text: bytes, guard: bool, stored: bytes) -> bool:
    """``stored`` (an entry's text) is ``text``, or with ``guard`` its guarded form."""
    return stored == text or guard and is_guarded_form(text, stored)


def save() -> None:
    """Keep the entries of the patterns compiled afresh here, if any, beside the kept ones
    (those this process used first); then end the cache for this process."""
    global _folder, _kept
    try:
        build = _build() if _folder is not None and _compiled_here else None
        if _folder is None or build is None:
            return
        index, blob = _kept_file()
        raw = {key: blob[index[key][0]:index[key][1]] for key in _used if key in index}
        for key, pattern in _compiled_here.items():
            entry = _entry_for(pattern.pattern)
            made = _pattern_from(entry) if entry is not None else None
            if made is not None and made == pattern and (made.groups, made.groupindex) == (
                    pattern.groups, pattern.groupindex):
                raw[key] = marshal.dumps(entry)
        if not raw.keys() - _used:
            return
        for key, (start, stop) in index.items():
            if len(raw) >= _KEEP_ENTRIES:
                break
            raw.setdefault(key, blob[start:stop])
        new_index: _Index = {}
        at = 0
        for key, data in raw.items():
            new_index[key] = (at, at + len(data))
            at += len(data)
        statecache.keep(_folder / f"{build}.sre", marshal.dumps((_FORMAT, new_index, b"".join(raw.values()))),
                        newest=_KEEP_BUILDS)
    finally:
        loaded = bool(_kept and _kept[0])
        _folder = None
        _kept = None
        _used.clear()
        _compiled_here.clear()
        if loaded:        # the file's blob, freed: give its heap back before the workers fork
            return_freed_memory()


def _kept_file() -> tuple[_Index, bytes]:
    """The kept file's index and blob, read at first use; empty where there is none."""
    global _kept
    if _kept is None:
        _kept = ({}, b"")
        build = _build() if _folder is not None else None
        data = statecache.read(_folder / f"{build}.sre") if _folder is not None and build is not None else None
        if data is not None:
            try:
                form, index, blob = marshal.loads(data)
                if form == _FORMAT and isinstance(index, dict) and isinstance(blob, bytes):
                    _kept = (index, blob)
            except (ValueError, TypeError, EOFError):
                pass
    return _kept


def _kept_entry(key: bytes) -> tuple | None:
    index, blob = _kept_file()
    where = index.get(key)
    if where is None:
        return None
    try:
        entry = marshal.loads(blob[where[0]:where[1]])
    except (ValueError, TypeError, EOFError):
        return None
    return entry if isinstance(entry, tuple) and len(entry) == 6 else None


def _build() -> str | None:
    """The file's name: what its entries depend on besides their texts; None: keep nothing."""
    import _sre

    from collector.redaction.rules import redaction_code_key

    code = redaction_code_key()
    if code is None:
        return None
    parts = (sys.version, getattr(_sre, "MAGIC", "?"), getattr(_sre, "CODESIZE", "?"), sys.byteorder,
             platform.machine(), _FORMAT, code)
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:16]


def _code_words() -> array:
    """An empty array whose items are ``_sre``'s code words."""
    import _sre

    for typecode in "IL":
        if array(typecode).itemsize == getattr(_sre, "CODESIZE", 0):
            return array(typecode)
    raise TypeError("no array type for _sre's code words")


def _entry_for(text: bytes) -> tuple | None:
    """What ``re.compile(text)`` passes to ``_sre.compile``, the code as bytes; None where this
    Python's private names differ."""
    try:
        from re import _compiler, _parser

        parsed = _parser.parse(text, 0)
        code = _compiler._code(parsed, 0)
        state = parsed.state
        groupindex = dict(state.groupdict)
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        words = _code_words()
        words.extend(code)
        return (text, state.flags, words.tobytes(), state.groups - 1, groupindex, tuple(indexgroup))
    except Exception:  # noqa: BLE001 - only a cache: nothing kept
        return None


def _pattern_from(entry: tuple) -> re.Pattern[bytes] | None:
    """The pattern made from an entry, or None (a foreign or damaged entry)."""
    try:
        import _sre

        text, flags, code, groups, groupindex, indexgroup = entry
        words = _code_words()
        words.frombytes(code)
        return _sre.compile(text, flags, words.tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - compile it instead
        return None


__all__ = ["use", "compile", "save"]
