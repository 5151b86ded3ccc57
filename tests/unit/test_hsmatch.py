"""Lines with random-looking text (tokens, JWTs, base64 bodies) pick their rules with Hyperscan:
the same rules as the RE2 line set, and the same redacted output as every rule on every line."""

from __future__ import annotations

import base64
import json
import random

import psutil
import pytest

from collector.redaction import Redactor, Tokenizer, compiled, hsmatch, load_rule_sets
from collector.redaction.engine import compiled_rules

pytest.importorskip("hyperscan")

ALL_SETS = ["common-secrets", "config-secrets", "tlib", "sip", "pii"]
KEY = b"unit-test-site-key-0123456789abc"


def _jwt(rnd: random.Random) -> bytes:
    claims = {"sub": f"u{rnd.randrange(10**6)}", "exp": rnd.randrange(10**9), "roles": ["agent"] * rnd.randrange(1, 9)}
    part = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    return b"eyJhbGciOiJSUzI1NiJ9." + part + b"." + base64.urlsafe_b64encode(rnd.randbytes(64)).rstrip(b"=")


def _web_log(rnd: random.Random, lines: int) -> bytes:
    """A web service's DEBUG log: tokens, bearer headers, base64 bodies among ordinary lines,
    and secrets the rules must find on the same lines."""
    out = []
    for i in range(lines):
        stamp = b"2026-11-26 10:00:%02d,%03d" % (i % 60, i % 1000)
        b64 = base64.b64encode(rnd.randbytes(rnd.choice((24, 48, 300, 900))))
        out.append(rnd.choice((
            stamp + b" DEBUG [qtp1-3] Authorization: Bearer " + _jwt(rnd) + b"\n",
            stamp + b" DEBUG [qtp1-3] session token=" + b64 + b" user 7101 password=Pw%d!x\n" % i,
            stamp + b' DEBUG {"attachment":"' + b64 + b'","phone":"+1415555%04d","card":"4111111111111111"}\n' % i,
            stamp + b" INFO  GET /api/v2/me/calls 200 12ms caller ANI 415555%04d\n" % i,
            b64 + b"\n",
        )))
    return b"".join(out)


@pytest.fixture(autouse=True)
def no_kept_databases(monkeypatch):
    """Each test starts with no cache folder: an in-process run in another test (pipeline's
    _use_hyperscan_cache) may have left one set, with databases in it."""
    monkeypatch.setattr(hsmatch, "_cache_folder", None)


@pytest.fixture(scope="module")
def rule_sets():
    return load_rule_sets(ALL_SETS)


def test_hyperscan_names_the_same_rules_as_the_re2_line_set(rule_sets) -> None:
    rules = compiled_rules(rule_sets, "log")
    matcher = hsmatch.line_matcher(rules._line_scans)
    assert matcher is not None
    rnd = random.Random(7)
    lines = _web_log(rnd, 300).splitlines()
    lines += [line for rule_set in rule_sets for rule in rule_set.rules for example in rule.examples
              for line in example.line.encode().splitlines()]          # the set sees one line, no ending
    differ = [line for line in lines if sorted(set(matcher(line))) != sorted(rules.line_match(line) or [])]
    assert not differ, differ[:3]
    assert sum(1 for line in lines if matcher(line)) > len(lines) // 2      # the lines do hit rules


def test_the_compile_leaves_the_caller_small(rule_sets) -> None:
    """The compile (about 30 MB of heap) runs in a child; the caller keeps only the database."""
    rules = compiled_rules(rule_sets, "log")
    before = psutil.Process().memory_info().rss
    matcher = hsmatch.line_matcher(rules._line_scans)
    assert matcher is not None
    assert psutil.Process().memory_info().rss - before < 12 << 20


def test_patterns_the_engines_read_differently_keep_re2() -> None:
    assert hsmatch.line_matcher([rb"password=\S+", rb"\pN{4}"]) is None
    assert hsmatch.line_matcher([rb"(?U)a+b"]) is None            # Hyperscan cannot compile it
    matcher = hsmatch.line_matcher([rb"password=\S+", rb"a\\\\pN"])  # an escaped backslash, then pN
    assert matcher is not None and matcher(b"x password=y") == [0]


def test_looks_random() -> None:
    assert compiled.looks_random(b"Authorization: Bearer " + base64.b64encode(bytes(range(60))))
    assert compiled.looks_random(b"token=Q2hhbmdlTWUxMjM0NTY3ODkwQUJDREVGR0hJSktM end")
    assert not compiled.looks_random(b"0000002a00b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5 connid hex, lower case")
    assert not compiled.looks_random(b"c.g.c.AuthenticationServiceImplementationFactory started")
    assert not compiled.looks_random(b"short Q2hhbmdlTWUx")


@pytest.mark.parametrize("seed", [1, 2])
def test_a_web_log_redacts_the_same_through_hyperscan(rule_sets, monkeypatch, seed) -> None:
    """Hyperscan from the first random-looking line on: the output is byte for byte the
    reference path's (every rule on every line), and the planted secrets are gone."""
    monkeypatch.setattr(compiled, "HYPERSCAN_AFTER_SECONDS", -1.0)
    text = _web_log(random.Random(seed), 400)
    fast = Redactor(rule_sets, Tokenizer(KEY, None), "log", "gws/gws.log")
    rules = fast._rules
    monkeypatch.setattr(rules, "_random_match", False)
    out = b"".join(fast.feed(text[i:i + 4096]) for i in range(0, len(text), 4096)) + fast.finish()
    assert rules._random_match, "hyperscan was not used"
    reference = Redactor(rule_sets, Tokenizer(KEY, None), "log", "gws/gws.log", use_prefilter=False)
    assert out == reference.feed(text) + reference.finish()
    assert b"4111111111111111" not in out and b"+1415555" not in out and b"Pw1!x" not in out


def test_a_compiled_database_is_kept_and_loaded_by_the_next_process(rule_sets, tmp_path, monkeypatch) -> None:
    rules = compiled_rules(rule_sets, "log")
    line = b"Authorization: Bearer " + _jwt(random.Random(3)) + b" password=Pw1!x phone=+14155550123"
    hsmatch.use_cache(tmp_path / "hyperscan")
    assert hsmatch.line_matcher(rules._line_scans, compile=False) is None     # nothing kept yet
    first = hsmatch.line_matcher(rules._line_scans)
    assert first is not None
    [kept] = (tmp_path / "hyperscan").glob("*.hsdb")
    assert kept.stat().st_mode & 0o077 == 0

    def no_compile(patterns):
        raise AssertionError("compiled again")
    with monkeypatch.context() as patched:
        patched.setattr(hsmatch, "_compiled_in_child", no_compile)
        again = hsmatch.line_matcher(rules._line_scans, compile=False)
    assert again is not None and sorted(again(line)) == sorted(first(line)) == sorted(rules.line_match(line))

    damaged = bytearray(kept.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF                     # a damaged file is compiled again
    kept.write_bytes(bytes(damaged))
    mended = hsmatch.line_matcher(rules._line_scans)
    assert mended is not None and sorted(mended(line)) == sorted(first(line))
    assert kept.read_bytes() != bytes(damaged)


def test_a_process_waits_for_another_compiling_the_same_database_and_loads_it(rule_sets, tmp_path, monkeypatch) -> None:
    """On a host's first run both workers want the database within a second: the second waits
    for the first (a lock in the cache folder) and loads what it kept, instead of compiling
    the same database again (2-3 s of CPU)."""
    import fcntl
    import os
    import threading
    import time

    rules = compiled_rules(rule_sets, "log")
    patterns = rules._line_scans
    folder = tmp_path / "hyperscan"
    hsmatch.use_cache(folder)
    key = hsmatch._cache_key(__import__("hyperscan"), patterns)
    folder.mkdir(mode=0o700)
    other = os.open(folder / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)    # the other worker
    fcntl.flock(other, fcntl.LOCK_EX)

    def no_compile(patterns):
        raise AssertionError("compiled again")
    monkeypatch.setattr(hsmatch, "_compiled_in_child", no_compile)
    tries: list[bool] = []
    real_try = hsmatch._try_lock
    monkeypatch.setattr(hsmatch, "_try_lock", lambda fd: tries.append(real_try(fd)) or tries[-1])
    got: list[object] = []
    waiting = threading.Thread(target=lambda: got.append(hsmatch.line_matcher(patterns)))
    waiting.start()
    deadline = time.monotonic() + 20
    while not tries and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert tries and not any(tries) and waiting.is_alive() and not got     # waits while the other compiles
    hsmatch._keep(key, hsmatch._compile(patterns))       # the other keeps its database, then lets go
    os.close(other)
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    [matcher] = got
    line = b"Authorization: Bearer " + _jwt(random.Random(5)) + b" password=Pw1!x"
    assert matcher is not None and sorted(matcher(line)) == sorted(rules.line_match(line))


def test_a_process_that_holds_the_lock_too_long_is_not_waited_for(rule_sets, tmp_path, monkeypatch) -> None:
    """A holder stopped (Ctrl-Z) or starved of CPU: after LOCK_WAIT_SECONDS this process
    compiles its own."""
    import fcntl
    import os

    rules = compiled_rules(rule_sets, "log")
    folder = tmp_path / "hyperscan"
    folder.mkdir(mode=0o700)
    hsmatch.use_cache(folder)
    key = hsmatch._cache_key(__import__("hyperscan"), rules._line_scans)
    other = os.open(folder / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other, fcntl.LOCK_EX)
    monkeypatch.setattr(hsmatch, "LOCK_WAIT_SECONDS", 0.3)
    try:
        matcher = hsmatch.line_matcher(rules._line_scans)
    finally:
        os.close(other)
    line = b"Authorization: Bearer " + _jwt(random.Random(7))
    assert matcher is not None and sorted(matcher(line)) == sorted(rules.line_match(line))
    assert list(folder.glob("*.hsdb"))                   # and kept it


def test_where_no_lock_can_be_had_each_process_compiles_its_own(rule_sets, tmp_path) -> None:
    (tmp_path / "a-file").write_bytes(b"")
    hsmatch.use_cache(tmp_path / "a-file" / "hyperscan")      # no folder can be made there
    rules = compiled_rules(rule_sets, "log")
    matcher = hsmatch.line_matcher(rules._line_scans)
    line = b"Authorization: Bearer " + _jwt(random.Random(6))
    assert matcher is not None and sorted(matcher(line)) == sorted(rules.line_match(line))


def _long_lines_log(rnd: random.Random) -> bytes:
    """Long lines of base64 (data URIs, JSON attachments, a bare body) with secrets beside them,
    long lines of ordinary text, and short lines, in chunk-crossing sizes."""
    out = []
    for i in range(40):
        stamp = b"2026-11-26 10:00:%02d,%03d" % (i % 60, i)
        b64 = base64.b64encode(rnd.randbytes(rnd.choice((3100, 6000, 40000))))
        out.append(rnd.choice((
            stamp + b' DEBUG {"password":"Pw%d!x","avatar":"data:image/png;base64,' % i + b64 + b'","phone":"+14155550%03d"}\n' % i,
            stamp + b" DEBUG body " + b64 + b" caller ANI 415555%04d card 4111 1111 1111 1111\n" % i,
            b64 + b"\n",
            stamp + b" INFO " + b" ".join(b"routing target queue %d ok" % j for j in range(700)) + b" password=Pw%d!y\n" % i,
            stamp + b" INFO GET /api/v2/me 200 user 7101\n",
        )))
    return b"".join(out)


def test_long_random_lines_skip_the_prefilter_and_redact_as_the_reference(rule_sets, monkeypatch) -> None:
    text = _long_lines_log(random.Random(11))
    fast = Redactor(rule_sets, Tokenizer(KEY, None), "log", "gws/gws.log")
    monkeypatch.setattr(fast._rules, "_random_match", False)
    searched: list[tuple[int, int]] = []
    search = fast._rules.prefilter_search

    def watched(chunk, pos, endpos=None):
        searched.append((pos, len(chunk) if endpos is None else endpos))
        return search(chunk, pos, endpos)
    monkeypatch.setattr(fast._rules, "prefilter_search", watched)
    out = b"".join(fast.feed(text[i:i + 65536]) for i in range(0, len(text), 65536)) + fast.finish()
    reference = Redactor(rule_sets, Tokenizer(KEY, None), "log", "gws/gws.log", use_prefilter=False)
    assert out == reference.feed(text) + reference.finish()
    assert b"Pw1!x" not in out and b"4111 1111 1111 1111" not in out
    assert any(endpos < 65536 for _, endpos in searched)      # the prefilter stopped before a long line


@pytest.mark.parametrize("offset", [0, 1, 2047, 2048, 2049, 5000])
def test_a_long_random_line_is_found_wherever_it_starts(offset) -> None:
    from collector.redaction.engine import _next_long_random_line

    body = base64.b64encode(random.Random(offset).randbytes(3072))        # 4,096 characters
    ordinary = b"x" * max(0, offset - 1) + b"\n" if offset else b""
    long_text = b"word " * 1000 + b"\n"                                        # long, not random
    chunk = ordinary + long_text + body + b"\n" + b"tail\n"
    start = len(ordinary) + len(long_text)
    assert _next_long_random_line(chunk, 0) == (start, start + len(body) + 1)
    assert _next_long_random_line(chunk, start + len(body) + 1) is None
    assert _next_long_random_line(ordinary + body[:4000] + b"\n", 0) is None   # shorter than 4,096


def test_a_refused_fork_leaves_rule_choice_to_re2(rule_sets, monkeypatch) -> None:
    """Hyperscan only saves time: when the system refuses the compile's child process, the lines
    still redact (through RE2) exactly as the reference path does, and no file is left out."""
    def refused():
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(compiled, "HYPERSCAN_AFTER_SECONDS", -1.0)
    monkeypatch.setattr(hsmatch.os, "fork", refused)
    rules = compiled_rules(rule_sets, "log")
    assert hsmatch.line_matcher(rules._line_scans) is None
    text = _web_log(random.Random(4), 150)
    fast = Redactor(rule_sets, Tokenizer(KEY, None), "log", "gws/gws.log")
    monkeypatch.setattr(fast._rules, "_random_match", False)
    monkeypatch.setattr(fast._rules, "_random_cache_tried", False)
    out = fast.feed(text) + fast.finish()
    assert fast._rules._random_match is None                 # tried once, then RE2 for good
    reference = Redactor(rule_sets, Tokenizer(KEY, None), "log", "gws/gws.log", use_prefilter=False)
    assert out == reference.feed(text) + reference.finish()
