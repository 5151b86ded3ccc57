"""The rules' compiled Python patterns are kept in the state folder, and a later process makes
them again from their code: the same patterns as ``re.compile``'s, none compiled again, and
nothing used from a damaged file or one made by another Python."""

from __future__ import annotations

import re

import pytest

from collector.redaction import compiled, load_rule_sets, patterncache
from collector.redaction.rules import available_rule_sets
from collector.redaction.startguard import compile_guarded

SMALL = [(rb"(?i)password=(?P<secret>\S+)", True), (rb"\bAttributeANI\s+'(?P<secret>\d+)'", True),
         (rb"-----BEGIN [A-Z ]*PRIVATE KEY-----", False)]


EDITED = rb"(?i)passwd=(?P<secret>\S+)"       # SMALL[0], edited


@pytest.fixture(autouse=True)
def no_cache_left():
    yield
    patterncache.use(None)


@pytest.fixture(scope="module")
def packaged() -> list[tuple[bytes, bool]]:
    """Every (text, guard) the packaged rules compile, as ``compile_rule`` asks for them."""
    asked: list[tuple[bytes, bool]] = []
    real = patterncache.compile
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(patterncache, "compile", lambda text, *, guard=False: asked.append((text, guard))
                        or real(text, guard=guard))
        for rule_set in load_rule_sets(sorted(available_rule_sets())):
            for rule in rule_set.rules:
                compiled.compile_rule.__wrapped__(rule)
    return asked


def _keep_small(folder) -> None:
    """A process that compiles SMALL with the cache in ``folder`` and saves."""
    patterncache.use(folder)
    for text, guard in SMALL:
        patterncache.compile(text, guard=guard)
    patterncache.save()


def _afresh_counted(monkeypatch) -> list[bytes]:
    calls: list[bytes] = []
    real = patterncache._compile_afresh
    monkeypatch.setattr(patterncache, "_compile_afresh", lambda text, guard: calls.append(text) or real(text, guard))
    return calls


def test_every_packaged_pattern_comes_back_as_re_compile_makes_it(packaged, tmp_path, monkeypatch) -> None:
    assert len(packaged) > 300 and any(guard for _, guard in packaged) and not all(guard for _, guard in packaged)
    folder = tmp_path / "state" / "patterns"
    folder.parent.mkdir(mode=0o700)
    patterncache.use(folder)
    first = [patterncache.compile(text, guard=guard) for text, guard in packaged]
    patterncache.save()
    [kept] = folder.glob("*.sre")
    assert kept.stat().st_mode & 0o077 == 0 and folder.stat().st_mode & 0o077 == 0

    patterncache.use(folder)                              # a later process
    afresh = _afresh_counted(monkeypatch)
    again = [patterncache.compile(text, guard=guard) for text, guard in packaged]
    assert afresh == []
    assert again == first           # Pattern == compares the text, the flags and the compiled code
    assert [(p.groups, p.groupindex) for p in again] == [(p.groups, p.groupindex) for p in first]
    assert again == [compile_guarded(text) if guard else re.compile(text) for text, guard in packaged]
    sample = b"x password=Hunter2 AttributeANI '4155550123' -----BEGIN RSA PRIVATE KEY-----"
    assert [[m.span() for m in p.finditer(sample)] for p in again] == [[m.span() for m in p.finditer(sample)]
                                                                        for p in first]


def test_a_damaged_file_is_compiled_again_and_mended(tmp_path, monkeypatch) -> None:
    patterncache.use(tmp_path)
    first = [patterncache.compile(text, guard=guard) for text, guard in SMALL]
    patterncache.save()
    [kept] = tmp_path.glob("*.sre")
    damaged = bytearray(kept.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    kept.write_bytes(bytes(damaged))

    patterncache.use(tmp_path)
    afresh = _afresh_counted(monkeypatch)
    assert [patterncache.compile(text, guard=guard) for text, guard in SMALL] == first
    assert afresh == [text for text, _ in SMALL]
    patterncache.save()
    assert kept.read_bytes() != bytes(damaged)
    patterncache.use(tmp_path)
    afresh.clear()
    assert [patterncache.compile(text, guard=guard) for text, guard in SMALL] == first and afresh == []


def test_an_entry_that_would_not_make_the_same_pattern_is_not_kept(tmp_path, monkeypatch) -> None:
    """A Python whose private names answer differently keeps nothing and compiles as before:
    other code, or the same code with other groups (Pattern == does not compare groups, and a
    rule finds what to hide by its group names)."""
    real = patterncache._entry_for
    for differ in (lambda text: real(text + b"x"),
                   lambda text: (lambda e: e[:4] + ({"secret": 2}, e[5]))(real(text))):
        monkeypatch.setattr(patterncache, "_entry_for", differ)
        patterncache.use(tmp_path)
        for text, guard in SMALL[:2]:
            patterncache.compile(text, guard=guard)
        patterncache.save()
        assert list(tmp_path.glob("*.sre")) == []


def test_an_upgrade_of_the_redaction_code_compiles_afresh(tmp_path, monkeypatch) -> None:
    """A kept guarded pattern is the start guard's work: a gcollect whose redaction code differs
    (a mended guard) must not use it. The file is named after that code, as the rule-set
    check records are keyed by it."""
    from collector.redaction import rules

    _keep_small(tmp_path)
    monkeypatch.setattr(rules, "redaction_code_key", lambda: "another gcollect")
    patterncache.use(tmp_path)
    afresh = _afresh_counted(monkeypatch)
    for text, guard in SMALL:
        patterncache.compile(text, guard=guard)
    assert afresh == [text for text, _ in SMALL]
    monkeypatch.setattr(rules, "redaction_code_key", lambda: None)     # code that cannot be read: nothing kept
    patterncache.use(tmp_path)
    afresh.clear()
    patterncache.compile(SMALL[0][0], guard=True)
    patterncache.save()
    assert afresh == [SMALL[0][0]] and len(list(tmp_path.glob("*.sre"))) == 1


def test_save_ends_the_cache_for_the_process(tmp_path, monkeypatch) -> None:
    """Workers forked after the main process saved (and its children) read no file and keep
    nothing in memory for it."""
    _keep_small(tmp_path)
    reads: list[object] = []
    monkeypatch.setattr(patterncache.statecache, "read", lambda path: reads.append(path))
    assert patterncache.compile(EDITED, guard=True) == compile_guarded(EDITED)
    assert reads == [] and patterncache._used == set() and patterncache._compiled_here == {}
    assert patterncache._kept in (None, ({}, b""))
    patterncache.save()
    assert len(list(tmp_path.glob("*.sre"))) == 1


def test_a_run_that_compiles_a_few_patterns_keeps_the_others(tmp_path, monkeypatch) -> None:
    """A one-worker run loads only its plan's rule sets: its new entries join the kept ones."""
    _keep_small(tmp_path)
    patterncache.use(tmp_path)
    patterncache.compile(EDITED, guard=True)
    patterncache.save()
    patterncache.use(tmp_path)
    afresh = _afresh_counted(monkeypatch)
    for text, guard in [*SMALL, (EDITED, True)]:
        patterncache.compile(text, guard=guard)
    assert afresh == []


def test_an_edited_pattern_or_another_python_compiles_afresh(tmp_path, monkeypatch) -> None:
    _keep_small(tmp_path)

    patterncache.use(tmp_path)
    afresh = _afresh_counted(monkeypatch)
    assert patterncache.compile(EDITED, guard=True) == compile_guarded(EDITED)
    assert patterncache.compile(SMALL[0][0], guard=False) == re.compile(SMALL[0][0])   # kept only guarded
    assert afresh == [EDITED, SMALL[0][0]]

    monkeypatch.setattr(patterncache, "_build", lambda: "another-python")
    patterncache.use(tmp_path)
    afresh.clear()
    patterncache.compile(SMALL[1][0], guard=True)
    assert afresh == [SMALL[1][0]]


def test_a_bad_pattern_raises_as_re_compile_does(tmp_path) -> None:
    patterncache.use(tmp_path)
    with pytest.raises(re.error):
        patterncache.compile(rb"(?P<secret>unclosed", guard=True)
    with pytest.raises(re.error):
        patterncache.compile(rb"[z-a]")
    patterncache.save()
    assert list(tmp_path.glob("*.sre")) == []
