"""The redaction stream stage: bytes in (any chunking), redacted bytes out, fail closed.

Each fed chunk is processed as a whole: one RE2 alternation of every rule's scan finds the
next candidate line in linear time, everything before it is copied through as one slice, and
only the candidate line goes through the exact Python rules (see ``compiled.py``). Lines keep
their endings (LF or CRLF) and their count; only secret values change.
"""

from __future__ import annotations

import re
import weakref
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Sequence

from collector.errors import RUN_ENDING, RedactionFailed
from collector.notext import CONTROL_BYTES as _CONTROL_BYTES      # NULs: see _without_nuls
from collector.redaction.compiled import TAG_CLOSE, TAG_OPEN, CompiledRule, CompiledRules, iban_ok, looks_random, luhn_ok
from collector.redaction.ruleset import RuleSet
from collector.redaction.tokens import Tokenizer
from collector.timeformats import LEAD_BYTES, RECORD_STAMP

# (start, end, category, rule, keep): keep = value already hidden, left as it is
_Span = tuple[int, int, str, CompiledRule, bool]
_RulesKey = tuple[tuple[tuple[str, str], ...], str]
_LineCache = OrderedDict[bytes, tuple[bytes, tuple[str, ...]]]    # candidate line -> result (LRU)
_COMPILED: dict[_RulesKey, CompiledRules] = {}
_COUNTED: dict[tuple[str, ...], tuple[str, ...]] = {}
# One line cache per tokenizer and rule sets: a line redacts to the same bytes in every file of
# a run (same rules, same key), so a worker's files share it. Dropped with the tokenizer.
_LINE_CACHES: weakref.WeakKeyDictionary[Tokenizer, dict[_RulesKey, _LineCache]] = weakref.WeakKeyDictionary()
_PLAIN_NUMBER = b"0123456789+-() ./"   # a value of only these is never one already hidden
# A site mask that shows at most the last 4 digits of an account or card number (Genesys
# [log-filter-data] AccountNumber=hide-first,4: 'AccountNumber' [str] = "****1234"; PCI DSS allows
# the last 4 of a PAN) is kept as the site wrote it: only by a rule that would tokenise it, and only
# when the key just before it names an account or card and no PIN, CVV, SSN or code. Elsewhere
# (pin=****1234, 'SSN' = "*****1234", a rule that masks) it is redacted as before.
_LAST_FOUR_SHOWN = re.compile(rb"\*{4,}[0-9]{1,4}")
_KEY_BEFORE = re.compile(rb"""([A-Za-z][\w.-]*)['"]?[ \t]*(?:\[\w+\][ \t]*)?[=:][ \t]*(?:<#)?['"]?$""")
_ACCOUNT_KEY = re.compile(rb"(?i)acc(?:oun)?t|acct|card|iban")
_SECRET_KEY = re.compile(rb"(?i)pin|pass|pwd|cvv|cvc|ssn|social|secur|secret|code|otp|exp|token|digits|national|tax")
_BINARY_SNIFF = 65536
# The line cache drops its least recently used line when full. A call's caller number and attached
# data come back in each of its T-Lib events, minutes (megabytes of log) apart. A line that starts
# with a record's time stamp never comes back, so it is not kept. What reaches the exact rules is
# then each worker's first sight of a line, the least any cache could: on the 1 GB bench tree
# 93,000 lines, where a cache that took every line and was emptied when full let 268,000 through
# (157,000 since cs-user-name made Config Server's stamp-led user lines candidates).
_LINE_CACHE_ENTRIES = 8192    # repeated candidate lines (bounded: about 3 MB)
_COUNTED_FORMS = 4096          # distinct lists of redacting rules shared by the cached lines
_MIN_CONTROL = 32          # a few stray control bytes in a short text are not a binary file
# A crash or power loss leaves a block of NULs where unflushed text was (a segment opened
# again goes on after it), and a stray NUL byte is seen in logs written by several threads.
# Such runs are removed from the text (counted, said in the manifest): removing can only
# join the text around a run, so no secret is split by it. NULs in more places than this
# are a binary format's structure (records padded with NULs): the file is left out.
_MAX_NUL_RUNS = 64
_NUL_RUN = re.compile(rb"\0+")
_PRINTABLE_AND_HIGH = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


def _rules_key(rule_sets: Sequence[RuleSet], kind: str) -> _RulesKey:
    return (tuple((rs.name, rs.sha256) for rs in rule_sets), kind)


def _line_cache(tokenizer: Tokenizer, key: _RulesKey) -> _LineCache:
    caches = _LINE_CACHES.get(tokenizer)
    if caches is None:
        caches = _LINE_CACHES[tokenizer] = {}
    found = caches.get(key)
    if found is None:
        found = caches[key] = OrderedDict()
    return found


def forget_compiled(rule_sets: Sequence[RuleSet]) -> None:
    """Drop what ``compiled_rules`` keeps for exactly these rule sets (any kind), and their
    line caches."""
    names = tuple((rs.name, rs.sha256) for rs in rule_sets)
    for key in [k for k in _COMPILED if k[0] == names]:
        del _COMPILED[key]
        for caches in _LINE_CACHES.values():
            caches.pop(key, None)


def compiled_rules(rule_sets: Sequence[RuleSet], kind: str) -> CompiledRules:
    """Compile once per process, cached by rule-set names + content hashes + kind."""
    key = _rules_key(rule_sets, kind)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = CompiledRules(tuple(rule_sets), kind)
    return found


class _DropFile(Exception):
    def __init__(self, rule_id: str) -> None:
        super().__init__(rule_id)
        self.rule_id = rule_id


class Redactor:
    """Stream stage: ``feed(data) -> bytes``, ``finish() -> bytes``, ``stats``.

    ``use_prefilter=False`` runs every exact rule on every line: the slow reference path that
    tests and the benchmark compare the fast path with. Output is identical by design.
    """

    def __init__(
        self,
        rule_sets: Sequence[RuleSet],
        tokenizer: Tokenizer,
        kind: str,
        host_path: str,
        *,
        max_line_bytes: int = 4 << 20,
        use_prefilter: bool = True,
    ) -> None:
        self.host_path = host_path
        self.kind = kind
        self._tokenizer = tokenizer
        self._max_line = max_line_bytes
        self._use_prefilter = use_prefilter
        self._rules = compiled_rules(rule_sets, kind)
        self._all_rules = list(range(len(self._rules.rules)))
        self._pending = b""
        self._nuls = 0                         # NUL bytes held back: a run at the end of what was fed
        self.nuls_dropped = 0                  # the NUL run that ended the file, dropped at finish
        self.nuls_removed = 0                  # NUL bytes removed from inside the text
        self.nul_runs = 0                      # ... in this many runs (at most _MAX_NUL_RUNS)
        self._sniffed = False
        self._block: CompiledRule | None = None
        self._block_indent = 0                 # the begin line's indentation (blocks until dedent)
        # inside a dedent block: lines deeper than this indentation are a block scalar's text
        # (password: |), masked whole; None: YAML structure (keys, list dashes) is kept
        self._scalar_indent: int | None = None
        self._failed: str | None = None
        # how many lines each combination of redacting rules changed (one dict update a line)
        self._tally: dict[tuple[str, ...], int] = {}
        self.exact_lines = 0                   # lines the exact rules ran on (the prefilter's cost)
        # line -> (redacted line, rule ids counted); the exact reference path never caches
        self._cache: _LineCache | None = None
        if use_prefilter:
            self._cache = _line_cache(tokenizer, _rules_key(rule_sets, kind))

    @property
    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = {}
        for counted, lines in self._tally.items():
            for rule_id in counted:
                stats[rule_id] = stats.get(rule_id, 0) + lines
        return stats

    # ------------------------------------------------------------------ stream
    def feed(self, data: bytes) -> bytes:
        self._check_usable()
        data = self._hold_nul_tail(data)
        if not data:
            return b""
        buffer = self._pending + data if self._pending else bytes(data)
        cut = buffer.rfind(b"\n") + 1
        self._pending = buffer[cut:]
        if len(self._pending) > self._max_line:
            self._fail(f"line longer than {self._max_line} bytes")
        return self._run(buffer[:cut]) if cut else b""

    def prime(self, context: bytes) -> None:
        """Run ``context``, the whole lines just before where a resumed read starts (a snapshot
        continuing a grown, compressed or copied segment), through the rules and drop the
        output: the rule state (an open block, a value expected on the next line, a PEM body)
        is then what a read from the start would have at that point. Counts are not changed."""
        self._check_usable()
        context = context[:context.rfind(b"\n") + 1]
        if not context:
            return
        kept = (dict(self._tally), self.exact_lines, self.nuls_removed, self.nul_runs)
        self.feed(context)
        self._pending, self._nuls, self._sniffed = b"", 0, False   # the new text is sniffed itself
        self._tally, self.exact_lines, self.nuls_removed, self.nul_runs = kept

    def finish(self) -> bytes:
        self._check_usable()
        rest, self._pending = self._pending, b""
        out = self._run(rest) if rest else b""
        self.nuls_dropped, self._nuls = self._nuls, 0   # the file ended in them: padding, dropped
        self._failed = "finished"
        return out

    def _hold_nul_tail(self, data: bytes) -> bytes:
        """``data`` without the NUL run it ends with, which is counted, not kept.

        A log preallocated by its writer, or cut by a crash or power loss, ends in a run of NUL
        bytes: that run is padding, not text, and is dropped at ``finish`` (``nuls_dropped``).
        Whether a run is the end is known only when the next non-NUL byte or the end comes, so
        it is held back as a count (memory stays bounded however long it is). A run that text
        follows was inside the text: it is removed and counted (``_without_nuls``)."""
        if self._nuls:
            if not data.strip(b"\0"):
                self._nuls += len(data)
                return b""
            lead = len(data) - len(data.lstrip(b"\0"))          # the same run, continued here
            self._count_removed(self._nuls + lead, 1)
            self._nuls, data = 0, data[lead:]
        text = data.rstrip(b"\0")
        self._nuls = len(data) - len(text)
        return text

    def _count_removed(self, nuls: int, runs: int) -> None:
        self.nuls_removed += nuls
        self.nul_runs += runs
        if self.nul_runs > _MAX_NUL_RUNS:
            self._fail(f"NUL bytes in more than {_MAX_NUL_RUNS} places: binary content cannot be redacted")

    def _without_nuls(self, chunk: bytes) -> bytes:
        """``chunk`` with its NUL runs removed (counted; too many fail closed)."""
        if b"\0" not in chunk:
            return chunk
        self._count_removed(chunk.count(b"\0"), len(_NUL_RUN.findall(chunk)))
        return chunk.replace(b"\0", b"")

    def _check_usable(self) -> None:
        if self._failed is not None:
            raise RedactionFailed(path=self.host_path, problem=f"redactor already {self._failed}")

    def _fail(self, problem: str) -> None:
        self._failed = "failed"
        self._pending = b""
        raise RedactionFailed(path=self.host_path, problem=problem)

    def _run(self, chunk: bytes) -> bytes:
        chunk = self._without_nuls(chunk)
        self._check_content(chunk)
        try:
            return self._process(chunk)
        except _DropFile as drop:
            self._fail(f"rule {drop.rule_id} matched: this file must not be collected")
        except RedactionFailed:
            raise
        except RUN_ENDING:        # a full token map folder, or SIGTERM with one worker (redaction
            # then runs in the main process): that ends the run, not just this file
            self._failed = "failed"
            self._pending = b""
            raise
        except Exception as exc:  # noqa: BLE001 - fail closed on any internal error
            self._fail(f"internal error in redaction: {type(exc).__name__}: {exc}")
        raise AssertionError("unreachable")

    def _check_content(self, chunk: bytes) -> None:
        if not self._sniffed:
            self._sniffed = True
            sample = chunk[:_BINARY_SNIFF]
            control = len(sample.translate(None, _PRINTABLE_AND_HIGH))
            if control >= _MIN_CONTROL and control * 10 > len(sample):
                self._fail("binary content (control bytes) cannot be redacted")
        if len(chunk) > self._max_line:
            pos, end = 0, len(chunk)
            while end - pos > self._max_line:
                nl = chunk.rfind(b"\n", pos, pos + self._max_line + 1)
                if nl < 0:
                    self._fail(f"line longer than {self._max_line} bytes")
                pos = nl + 1

    # ------------------------------------------------------------------ chunk
    def _process(self, chunk: bytes) -> bytes:
        """Copy runs of ordinary lines through as slices; redact candidate lines.

        The chunk-level prefilter finds the next candidate line; repeated candidate lines come in
        runs (the attributes of one T-Lib event, the headers of one SIP message), so after a hit
        the following lines are looked up in the line cache and the walk goes on while they are
        found there; the first line that is not hands the search back to the prefilter. Which
        lines reach the exact rules changes; what the exact rules do to a line does not (the
        reference path runs them on every line).
        """
        if not self._use_prefilter:
            return self._process_every_line(chunk)
        out: list[bytes] = []
        pos, end = 0, len(chunk)
        search = self._rules.prefilter_search
        # the next long line of random-looking text: the prefilter stops before it (_random_line)
        long_line = _next_long_random_line(chunk, 0) if search is not None else None
        while pos < end:
            if self._block is not None:
                pos = self._mask_block(chunk, pos, out)
                continue
            if search is None:
                out.append(chunk[pos:])
                break
            if long_line is not None and pos >= long_line[0]:
                if pos == long_line[0]:
                    pos += self._random_line(chunk[long_line[0]:long_line[1]], out)
                long_line = _next_long_random_line(chunk, pos)
                continue
            limit = end if long_line is None else long_line[0]
            hit = search(chunk, pos, limit)
            if hit is None:
                out.append(chunk[pos:limit])
                pos = limit
                continue
            start = chunk.rfind(b"\n", pos, hit[0]) + 1 or pos
            out.append(chunk[pos:start])
            pos = self._walk(chunk, start, out)
        return b"".join(out)

    def _random_line(self, line: bytes, out: list[bytes]) -> int:
        """A long line of random-looking text, as a candidate line of its own: the RE2 prefilter
        would crawl through it (a DFA state for nearly every byte: 12-125 ms for 100 KB of
        base64), where Hyperscan names its rules in 2-3 ms (``random_line_match``). The same
        rules run on it as on any candidate line; a line no scan matches is copied. Returns the
        line's length."""
        hit = self._cache.get(line) if self._cache is not None else None
        if hit is not None:
            redacted, counted = hit
            out.append(redacted)
            if counted:
                self._tally[counted] = self._tally.get(counted, 0) + 1
            return len(line)
        content, _ = _split_ending(line)
        matched = self._rules.random_line_match(content)
        out.append(self._line(line, sorted(matched)) if matched else line)
        return len(line)

    def _walk(self, chunk: bytes, pos: int, out: list[bytes]) -> int:
        """Redact the candidate line at ``pos`` and the lines after it while they come from the
        line cache; returns where the prefilter should search again.

        Any other line after the first goes back to the prefilter, ordinary or not: on the 1 GB
        bench tree, checking such lines here with the per-line rule set (and remembering the
        ordinary ones, as this walk once did) cost 12-15 % more redaction CPU than the
        prefilter's search from there."""
        end = len(chunk)
        cache = self._cache
        assert cache is not None
        tally = self._tally
        cache_used = cache.move_to_end             # LRU: a line seen again is kept longer
        hit_line = pos                             # the line the prefilter found
        while pos < end and self._block is None:
            stop = chunk.find(b"\n", pos)
            stop = end if stop < 0 else stop + 1
            line = chunk[pos:stop]
            hit = cache.get(line)
            if hit is None:
                if pos != hit_line:
                    break
                match_line = self._rules.line_match    # rule indexes whose scan matches, or falsy
                assert match_line is not None          # there is a prefilter, so there are rules
                content = line[:-2] if line.endswith(b"\r\n") else line[:-1] if line.endswith(b"\n") else line
                if len(content) >= 32 and looks_random(content):
                    matched = self._rules.random_line_match(content)
                else:
                    matched = match_line(content)
                if not matched:
                    # the prefilter found a candidate here but the per-line set names no rule:
                    # never seen on real input, but RE2's set match answers "none" when its DFA
                    # runs out of memory. Fail closed: every rule on this line, as the reference
                    # path does, and the prefilter (not the set) looks at the next lines
                    out.append(self._line(line, self._all_rules))
                    return stop
                out.append(self._line(line, sorted(matched)))
            else:
                cache_used(line)
                redacted, counted = hit
                out.append(redacted)
                if counted:
                    tally[counted] = tally.get(counted, 0) + 1
            pos = stop
        return pos

    def _process_every_line(self, chunk: bytes) -> bytes:
        """The reference path: every exact rule on every line."""
        out: list[bytes] = []
        pos, end = 0, len(chunk)
        while pos < end:
            if self._block is not None:
                pos = self._mask_block(chunk, pos, out)
                continue
            stop = chunk.find(b"\n", pos)
            stop = end if stop < 0 else stop + 1
            out.append(self._line(chunk[pos:stop], self._all_rules))
            pos = stop
        return b"".join(out)

    def _mask_block(self, chunk: bytes, pos: int, out: list[bytes]) -> int:
        rule = self._block
        assert rule is not None and rule.block_end is not None
        if rule.rule.block_until == "dedent":
            return self._mask_until_dedent(chunk, pos, out)
        found = rule.block_end.search(chunk, pos)
        if found is not None and found.start() == len(chunk):
            # an end found only at the chunk's end: an empty match of a look-ahead that needs
            # the next line (``^(?!<a body line>)``), which the next chunk brings
            found = None
        stop = len(chunk) if found is None else chunk.rfind(b"\n", pos, found.start()) + 1 or pos
        start = pos
        while start < stop:
            nl = chunk.find(b"\n", start, stop)
            line_end = stop if nl < 0 else nl + 1
            content, ending = _split_ending(chunk[start:line_end])
            if rule.block_keep is not None and rule.block_keep.fullmatch(content):
                out.append(content + ending)           # a header line that carries no data
            else:
                out.append(_masked_keeping_indent(content, rule.mask) + ending)
            start = line_end
        if found is not None:
            self._block = None
            head = chunk[stop:found.start()]           # the end line's text before the end marker
            if head.strip():                           # (the last line of a body, key material)
                out.append(_masked_keeping_open_tag(head, rule.mask, chunk, found.start()))
                return found.start()                   # the marker and the rest: line rules
        return stop

    def _mask_until_dedent(self, chunk: bytes, pos: int, out: list[bytes]) -> int:
        """Mask the lines indented deeper than the block's begin line (a YAML value written on
        the next lines: a block scalar, a nested mapping or list); blank lines stay blank.

        A nested mapping or list keeps its structure, so the file still loads as the same shape:
        list dashes and keys stay, every value is masked (``- name: REDACTED``). The text of a
        block scalar (``password: |`` and the deeper lines) is masked whole, keys or not."""
        rule = self._block
        assert rule is not None
        end = len(chunk)
        while pos < end:
            nl = chunk.find(b"\n", pos)
            line_end = end if nl < 0 else nl + 1
            content, ending = _split_ending(chunk[pos:line_end])
            text = content.lstrip(b" \t")
            indent = len(content) - len(text)
            if text and indent <= self._block_indent:
                self._block = None                      # this line is the next key: line rules
                return pos
            if text and self._scalar_indent is not None and indent <= self._scalar_indent:
                self._scalar_indent = None              # the nested block scalar ended
            if self._scalar_indent is not None or not text:
                out.append(_masked_keeping_indent(content, rule.mask) + ending)
            else:
                masked, opens_scalar = _masked_keeping_yaml_keys(content, indent, rule.mask)
                out.append(masked + ending)
                if opens_scalar:
                    self._scalar_indent = indent
            pos = line_end
        return pos

    # ------------------------------------------------------------------ line
    def _line(self, line: bytes, indexes: Sequence[int]) -> bytes:
        """Redact one candidate line (with its ending) with the rules at ``indexes``. Outputs are
        deterministic (same line, same tokens), so repeated lines (T-Lib attributes, SIP headers,
        DNIS...) come from a bounded LRU cache (shared by the files of a run) that also replays
        the line's counts. A line led by a record's time stamp is not kept: it never repeats."""
        self.exact_lines += 1
        out, counted, cacheable = self._redact_line(line, indexes)
        if counted:
            if len(_COUNTED) < _COUNTED_FORMS:         # a few dozen forms, one tuple each
                counted = _COUNTED.setdefault(counted, counted)
            self._tally[counted] = self._tally.get(counted, 0) + 1
        cache = self._cache
        if cache is not None and cacheable and not (line[0] in LEAD_BYTES and RECORD_STAMP.match(line)):
            if len(cache) >= _LINE_CACHE_ENTRIES:
                cache.popitem(last=False)
            cache[line] = (out, counted)
        return out

    def _redact_line(self, line: bytes, indexes: Sequence[int]) -> tuple[bytes, tuple[str, ...], bool]:
        """(output line, ids of the rules that redacted something, result may be cached)."""
        content, ending = _split_ending(line)
        rules = self._rules
        if not indexes:
            return line, (), True
        claims = _Claims()
        counted: list[str] = []
        cacheable = True
        for index in indexes:
            rule = rules.rules[index]
            if rule.unless is not None and rule.unless.search(content):
                continue
            if rule.block_end is not None:
                cacheable = False                      # opening a block changes the next lines
                if self._maybe_open_block(rule, content):
                    counted.append(rule.id)
                continue
            for start, stop, category in _secret_spans(rule, content):
                verdict = self._verdict(rule, content[start:stop], content[max(0, start - 64):start])
                if verdict is not None:
                    claims.claim((start, stop, category, rule, verdict))
        spans = claims.spans()
        if all(span[4] for span in spans):
            return line, tuple(counted), cacheable
        if rules.markers:
            begin = rules.begin_markers
            markers = [*rules.end_markers, *(begin[index] for index in indexes if index in begin)]
            if markers:
                spans = _outside_markers(spans, markers, content)
        return self._rewrite(content, spans, counted) + ending, tuple(counted), cacheable

    def _verdict(self, rule: CompiledRule, value: bytes, before: bytes) -> bool | None:
        """None: not a secret; True: already hidden (keep, but hold the span); False: redact.
        ``before``: the text just before the value on its line (where its key is)."""
        if value[:2] == TAG_OPEN:
            value = _inside_tag(value)
        if not value:
            return None
        if value.translate(None, _PLAIN_NUMBER) and self._rules.is_hidden(value):
            return True
        if rule.rule.action == "token" and _LAST_FOUR_SHOWN.fullmatch(value) is not None and _account_key(before):
            return True
        if rule.rule.validate == "luhn" and not luhn_ok(value):
            return None
        if rule.rule.validate == "iban" and not iban_ok(value):
            return None
        return False

    def _maybe_open_block(self, rule: CompiledRule, content: bytes) -> bool:
        assert rule.pattern is not None and rule.block_end is not None
        begin = None
        for begin in rule.pattern.finditer(content):
            pass
        if begin is None or rule.block_end.search(content, begin.end()):
            return False
        self._block = rule
        self._block_indent = len(content) - len(content.lstrip(b" \t"))
        self._scalar_indent = (self._block_indent if rule.rule.block_until == "dedent"
                               and _YAML_BLOCK_SCALAR.search(content) else None)
        return True

    def _rewrite(self, content: bytes, spans: list[_Span], counted: list[str]) -> bytes:
        spans.sort(key=lambda s: s[0])
        parts: list[bytes] = []
        pos = 0
        for start, stop, category, rule, keep in spans:
            if keep:
                continue
            value = content[start:stop]
            inside = _inside_tag(value)
            opened, closed = (TAG_OPEN, TAG_CLOSE) if inside is not value else (b"", b"")
            value = inside
            if rule.rule.action == "drop-file":
                raise _DropFile(rule.id)
            if rule.rule.action == "token":
                replacement = self._tokenizer.token(category, value)
            else:
                replacement = rule.mask
            parts.append(content[pos:start])
            parts.append(opened + replacement + closed)
            pos = stop
            counted.append(rule.id)
        parts.append(content[pos:])
        return b"".join(parts)


def _masked_keeping_indent(content: bytes, mask: bytes) -> bytes:
    """A line inside a block, masked after its indentation (a redacted YAML file still parses;
    a blank line stays blank)."""
    text = content.lstrip(b" \t")
    return content[:len(content) - len(text)] + mask if text else content


_CLOSE_TAG = re.compile(rb"</([\w:.-]+)[ \t]*>")


def _masked_keeping_open_tag(head: bytes, mask: bytes, chunk: bytes, marker: int) -> bytes:
    """The end line's text before the end marker, masked after its indentation; when the marker
    closes an element that this text opens (a .NET setting's <value>X</value> on its own line),
    the opening tag stays, so the redacted file still parses as XML: <value>REDACTED</value>."""
    close = _CLOSE_TAG.match(chunk, marker)
    if close is not None:
        text = head.lstrip(b" \t")
        opened = re.match(rb"<" + re.escape(close.group(1)) + rb"(?:[ \t][^<>\r\n]*)?>", text)
        if opened is not None and opened.end() < len(text) and text[opened.end():].strip():
            cut = len(head) - len(text) + opened.end()
            return head[:cut] + mask
    return _masked_keeping_indent(head, mask)


# A YAML line inside a masked value: indentation, list dashes, an optional key (plain or quoted)
# with its colon, then the value. A value that opens a block scalar (| or >, with an optional tag)
_YAML_LINE = re.compile(rb"""((?:-(?:[ \t]+|$))*)((?:"[^"\r\n]*"|'[^'\r\n]*'|[\w$][\w.$/-]*)[ \t]*:(?:[ \t]+|$))?(.*)""",
                        re.DOTALL)
_SCALAR_INDICATOR = rb"(?:![\w!/.:-]*[ \t]+)?[|>][-+0-9]*[ \t]*$"       # an optional tag, | or >
_YAML_BLOCK_SCALAR = re.compile(rb":[ \t]*" + _SCALAR_INDICATOR)            # a begin line "key: |"
_YAML_SCALAR_VALUE = re.compile(_SCALAR_INDICATOR)                          # a nested value "|"


def _masked_keeping_yaml_keys(content: bytes, indent: int, mask: bytes) -> tuple[bytes, bool]:
    """(a line of a nested YAML value with its dashes and key kept and its value masked, the
    value opens a block scalar). A line that is only a key (``issuer:``) or a dash stays."""
    found = _YAML_LINE.match(content, indent)
    assert found is not None                        # every part is optional
    dashes, key, value = found.group(1), found.group(2) or b"", found.group(3)
    if not key and not dashes:
        return content[:indent] + _masked_value(value, mask), False   # a plain or JSON value, a comment
    if not value.strip():
        return content, False
    if key and _YAML_SCALAR_VALUE.fullmatch(value):
        return content, True                        # key: |  (its text follows, masked whole)
    return content[:indent] + dashes + key + _masked_value(value, mask), False


# A quoted value, and a JSON member's comma after it: "x", stays "REDACTED", (the file still parses)
_QUOTED_VALUE = re.compile(rb"""("|')(?:(?!\1)[^\\]|\\.)*\1([ \t]*,?[ \t]*)""")


_BRACKETS_ONLY = re.compile(rb"[ \t]*[\[\]{},]+[ \t]*")          # a JSON list or object opened or closed


def _masked_value(value: bytes, mask: bytes) -> bytes:
    if _BRACKETS_ONLY.fullmatch(value):
        return value                                # {  },  [  ]: no data, and the file still parses
    quoted = _QUOTED_VALUE.fullmatch(value)
    return quoted.group(1) + mask + quoted.group(1) + quoted.group(2) if quoted else mask


# A line at least this long is looked at for random-looking text (looks_random) before the
# prefilter reaches it. Such lines are found by looking for a newline in windows of half that
# size (a line this long holds a whole window): 512 short searches a MB on ordinary logs.
_LONG_LINE = 4096
_WINDOW = _LONG_LINE // 2


def _next_long_random_line(chunk: bytes, pos: int) -> tuple[int, int] | None:
    """(start, stop) of the first line at or after ``pos`` (a line start) that is at least
    ``_LONG_LINE`` long and ``looks_random``, or None."""
    end = len(chunk)
    window = pos
    while window + _WINDOW <= end:
        if chunk.find(b"\n", window, window + _WINDOW) >= 0:
            window += _WINDOW
            continue
        start = chunk.rfind(b"\n", pos, window) + 1 or pos
        stop = chunk.find(b"\n", window + _WINDOW)
        stop = end if stop < 0 else stop + 1
        if stop - start >= _LONG_LINE and looks_random(chunk[start:stop]):
            return start, stop
        window = stop
    return None


def _split_ending(line: bytes) -> tuple[bytes, bytes]:
    if line.endswith(b"\r\n"):
        return line[:-2], b"\r\n"
    if line.endswith(b"\n"):
        return line[:-1], b"\n"
    return line, b""


def _inside_tag(value: bytes) -> bytes:
    """The value inside Genesys tag markers (``<#value#>``), or the value itself."""
    if len(value) > 4 and value.startswith(TAG_OPEN) and value.endswith(TAG_CLOSE):
        return value[2:-2]
    return value


def _secret_spans(rule: CompiledRule, content: bytes) -> list[tuple[int, int, str]]:
    assert rule.pattern is not None
    if rule.inner is None and len(rule.groups) == 1:         # the common case, kept lean
        name, category = rule.groups[0]
        return [(start, stop, category) for match in rule.pattern.finditer(content)
                for start, stop in (match.span(name),) if stop > start]
    found: list[tuple[int, int, str]] = []
    for match in rule.pattern.finditer(content):
        if rule.inner is None:
            sources = [match]
        else:
            lo, hi = match.span("scope") if "scope" in rule.pattern.groupindex else match.span()
            if lo < 0:
                continue
            sources = list(rule.inner.finditer(content, lo, hi))
        for source in sources:
            for name, category in rule.groups:
                start, stop = source.span(name)
                if stop > start:
                    found.append((start, stop, category))
    return found


class _Claims:
    """The secret spans of one line, kept sorted and disjoint: a new span's overlaps are found by
    bisection, so a long line with many values (a JSON body listing thousands of calls) costs
    time in proportion to its values, not to their square. Each span keeps the order it was
    claimed in (``_claimed``): where several cards overlap a new span, the first claimed wins."""

    __slots__ = ("_spans", "_claimed")

    def __init__(self) -> None:
        self._spans: list[tuple[int, int, str, CompiledRule, bool, int]] = []
        self._claimed = 0

    def spans(self) -> list[_Span]:
        return [s[:5] for s in self._spans]

    def _entry(self, start: int, stop: int, category: str, rule: CompiledRule,
               keep: bool) -> tuple[int, int, str, CompiledRule, bool, int]:
        self._claimed += 1
        return (start, stop, category, rule, keep, self._claimed)

    def claim(self, new: _Span) -> None:
        """Add a secret span; earlier rules win ties, a wider overlapping span absorbs narrower
        ones (so no part of either secret survives), unless the new rule yields to an overlapping
        rule. A rule yields whichever comes first: an earlier span whose rule yields to the new one
        gives way to it when the new span covers it (a card number under a 'CardNumber' key is
        masked as a card, not tokenised as attached data). A wider value around a card number
        absorbs it; if that value would be tokenised it is masked as the card instead (a token's
        value is stored on the host, and a PAN must never be)."""
        start, stop, category, rule, keep = new
        spans = self._spans
        lo = bisect_right(spans, start, key=_stop_of)           # the first span ending after start
        hi = bisect_left(spans, stop, lo, key=_start_of)        # the first span starting at or after stop
        overlapping = spans[lo:hi]
        if overlapping:
            staying = [s for s in overlapping
                       if not (rule.id in s[3].rule.yields_to and start <= s[0] and s[1] <= stop)]
            if len(staying) < len(overlapping):
                spans[lo:hi] = staying
                hi = lo + len(staying)
                overlapping = staying
            for index, s in enumerate(overlapping, lo):      # disjoint spans: at most one holds new
                if s[0] <= start and stop <= s[1]:
                    if _is_card(new) and s[3].rule.action == "token":   # a value holding a card: masked as it
                        spans[index] = self._entry(s[0], s[1], category, rule, keep and s[4])
                    elif s[4] and not keep and (s[0], s[1]) == (start, stop):
                        spans[index] = self._entry(*new)   # kept by a token rule (****1234), masked by this one
                    return
            if rule.rule.yields_to and any(s[3].id in rule.rule.yields_to for s in overlapping):
                return
        cards = [s for s in overlapping if _is_card(s)]
        card = new if _is_card(new) else (min(cards, key=_claimed_of) if cards else None)
        for s in overlapping:
            start, stop = min(start, s[0]), max(stop, s[1])
            keep = keep and s[4]
        if card is not None and rule.rule.action == "token":
            category, rule = card[2], card[3]
        spans[lo:hi] = [self._entry(start, stop, category, rule, keep)]


def _start_of(span: tuple) -> int:
    return span[0]


def _stop_of(span: tuple) -> int:
    return span[1]


def _claimed_of(span: tuple) -> int:
    return span[5]


def _account_key(before: bytes) -> bool:
    """The key just before a value names an account or card number, and no PIN, CVV or SSN."""
    key = _KEY_BEFORE.search(before)
    return (key is not None and _ACCOUNT_KEY.search(key.group(1)) is not None
            and _SECRET_KEY.search(key.group(1)) is None)


def _is_card(span: _Span) -> bool:
    """A span a card rule masks: whatever value holds a card number is masked with it, never
    tokenised, as a token's value is kept in the host's token map (PCI DSS: no stored PAN)."""
    return span[2] == "card" and span[3].rule.action == "mask"


def _outside_markers(spans: list[_Span], markers: Sequence[re.Pattern[bytes]], content: bytes) -> list[_Span]:
    """Cut block begin/end markers (``-----END PRIVATE KEY-----``) out of secret spans. The
    markers are joined into sorted disjoint cuts, so each span meets only the cuts inside it."""
    found = sorted(m.span() for marker in markers for m in marker.finditer(content) if m.end() > m.start())
    if not found:
        return spans
    cuts: list[tuple[int, int]] = []
    for lo, hi in found:
        if cuts and lo <= cuts[-1][1]:
            cuts[-1] = (cuts[-1][0], max(cuts[-1][1], hi))
        else:
            cuts.append((lo, hi))
    out: list[_Span] = []
    for start, stop, category, rule, keep in spans:
        first = bisect_right(cuts, start, key=_stop_of)        # the first cut ending after start
        for lo, hi in cuts[first:bisect_left(cuts, stop, first, key=_start_of)]:
            if start < lo:
                out.append((start, lo, category, rule, keep))
            start = max(start, hi)
        if start < stop:
            out.append((start, stop, category, rule, keep))
    return out
