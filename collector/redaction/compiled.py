"""Rule sets compiled for one file kind, and the per-line rewrite.

Two pattern engines work together:

* google-re2 (linear time) runs one alternation of every rule's ``scan`` over a whole chunk to
  find candidate lines, and an ``re2.Set`` of the same scans tells which rules to try on a
  candidate line;
* Python ``re`` runs the exact rules (lookarounds allowed) only on those lines.

A rule's scan must be a necessary condition for the rule to change a line. When a rule gives
no scan, its regex is used (after making it RE2-compatible); if RE2 cannot compile it, loading
fails and the author must give a scan.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass

import re2

from collector.re2search import SetMatch, SpanSearch, latin1_options, re2_scan_text, set_matcher, span_search
from collector.redaction import hsmatch, patterncache
from collector.redaction.ruleset import Rule, RuleSet

_RE2_OPTIONS = latin1_options()
# A line "looks random" when it holds 32 characters in a row of a token alphabet (base64,
# base64url) with upper case, lower case and digits among them: a JWT, a session token, a base64
# body. On such lines the line set's DFA builds new states at nearly every byte (hsmatch.py).
_RANDOM_RUN = span_search(re2.compile(rb"[A-Za-z0-9+/_=-]{32}", _RE2_OPTIONS))
_DIGITS = b"0123456789"
# Hyperscan takes 2-3 s to compile the packaged rules: it is built once the RE2 set has spent
# this long on random-looking lines in this process. Ordinary logs never pay for it.
HYPERSCAN_AFTER_SECONDS = 1.0
# ... or would have spent, with the line in hand at what RE2's set costs on random text (1-6 us
# a byte): a 3 MB line of base64 goes to Hyperscan at once, where RE2 took 3 s over it.
_RANDOM_SECONDS_A_BYTE = 1e-6


def looks_random(content: bytes) -> bool:
    """``content`` (a line) holds a run of 32 token characters that mixes cases and digits."""
    pos = 0
    while True:
        hit = _RANDOM_RUN(content, pos)
        if hit is None:
            return False
        run = content[hit[0]:hit[1]]
        if run != run.lower() and run != run.upper() and len(run.translate(None, _DIGITS)) < len(run):
            return True
        pos = hit[1]


def prefilter_options() -> object:
    """The prefilter's RE2 options: room for the DFA cache of a large alternation; leftmost-longest,
    as only where a hit starts is used (its line).

    Over the 4 GB bench tree's logs in random order the DFA reaches 13.6 MiB in the first 250 MB
    and 14.0 MiB at 4 GB: it stays far below this cap, whatever the input size. A cap near what
    it needs is a cliff: at 24 MB RE2 empties the cache so often that it gives up the DFA for
    the NFA, 76 ms/MB against 8."""
    return latin1_options(max_mem=64 << 20, longest_match=True)


def line_set_options() -> object:
    """The line set's RE2 options: RE2's default budget, 8 MB (a DFA cache of about 5 MiB).

    The set's DFA tracks all 258 log scans at once, and its states depend on the lines seen.
    Over a whole mixed host's lines it outgrows any cache a worker can afford (59 MiB over
    15,000 candidate lines of the 1 GB bench tree, with no cap): at 16 MB it was emptied and
    rebuilt as often as at 8, at the same 18 us a line, with 5 MiB more in every worker. That
    memory was the 4 GB bench's PSS over its 150 MB goal (153.9 MiB; 142.2 at 8 MB, 151.1 at
    12). The price is on smaller mixed collections, whose lines fit 16 MB but not 8
    (bench/scan_cost.py's 20 MB sample needs 7.8 MiB): 26 MB of the bench's mix takes 8-16 %
    more CPU, 126 MB about 10 %, 334 MB 2 %, 1 GB none measurable. A SIP Server's lines fit
    either cap (0.7-0.9 us a line)."""
    return latin1_options()


_PREFILTER_OPTIONS = prefilter_options()
_LINE_SET_OPTIONS = line_set_options()


TAG_OPEN = b"<#"                          # Genesys log-filter "tag" markers (default form)
TAG_CLOSE = b"#>"

# Values the application (or a previous run) has already hidden: left as they are.
_HIDDEN_FORMS = (
    rb"\*+(?:\s*\(length:\s*\d+\))?",                                   # ****, **** (length:12)
    rb"(?i:[<\[(*{]*(?:redacted|hidden|masked|removed|filtered|suppressed)[>\])*}]*)",
)


class RuleCompileError(ValueError):
    """A rule cannot be compiled; ``field`` names the YAML key at fault."""

    def __init__(self, rule: Rule, field: str, problem: str) -> None:
        super().__init__(problem)
        self.rule = rule
        self.field = field
        self.problem = problem




@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    pattern: re.Pattern[bytes] | None
    inner: re.Pattern[bytes] | None
    groups: tuple[tuple[str, str], ...]        # (group name, category) of the secret groups
    unless: re.Pattern[bytes] | None
    block_end: re.Pattern[bytes] | None
    mask: bytes
    scan: str                                  # the rule's scan (or regex), as the rule set gives it
    block_keep: re.Pattern[bytes] | None = None   # lines inside the block left as they are
    # the scan in RE2 syntax (re2search.re2_scan_text), for the line set and the prefilter, and the
    # block markers that can match text (CompiledRules.markers): made once, in the process the
    # workers fork from, instead of at each worker's first file (30 ms each there)
    scan_line: bytes = b""
    scan_chunk: str = ""
    markers: tuple[re.Pattern[bytes], ...] = ()

    @property
    def id(self) -> str:
        return self.rule.id


_SECRET_GROUP = re.compile(r"secret(?:_([a-z][a-z_]*?))?(?:_?\d+)?")


def _secret_groups(rule: Rule, pattern: re.Pattern[bytes], field: str) -> tuple[tuple[str, str], ...]:
    """Groups named ``secret``, ``secret2``, ``secret_<category>`` or ``secret_<category>_2``."""
    groups = []
    for name in pattern.groupindex:
        named = _SECRET_GROUP.fullmatch(name)
        if named:
            groups.append((name, named.group(1).replace("_", "-") if named.group(1) else rule.category))
    if not groups:
        raise RuleCompileError(rule, field, "needs a named group 'secret' (or 'secret_<category>')")
    return tuple(groups)


def _py(rule: Rule, field: str, text: str, *, guard: bool = False) -> re.Pattern[bytes]:
    """The rule's pattern compiled; ``guard``: with a look-ahead for its first bytes where that
    helps (``startguard``: the same matches, found faster)."""
    try:
        return patterncache.compile(text.encode("utf-8"), guard=guard)
    except re.error as exc:
        raise RuleCompileError(rule, field, f"bad regex: {exc}") from None


# A rule is compiled when its rule set loads (to check it), for its examples and for each file
# kind it applies to: once per process is enough (Rule is frozen, so a rule's text is its key).
# Python's own pattern cache holds 512 patterns, fewer than the packaged rule sets have.
@functools.lru_cache(maxsize=4096)
def compile_rule(rule: Rule) -> CompiledRule:
    pattern = inner = block_end = None
    if rule.block_begin is not None:
        pattern = _py(rule, "block.begin", rule.block_begin)
        block_end = _py(rule, "block.end", rule.block_end or "(?!)")   # (?!): until dedent
        groups: tuple[tuple[str, str], ...] = ()
        source_for_scan, scan_field = rule.block_begin, "block.begin"
    else:
        pattern = _py(rule, "regex", rule.regex or "", guard=True)
        if rule.inner is not None:
            inner = _py(rule, "inner", rule.inner, guard=True)
            groups = _secret_groups(rule, inner, "inner")
        else:
            groups = _secret_groups(rule, pattern, "regex")
        source_for_scan, scan_field = rule.regex or "", "regex"
    unless = _py(rule, "unless", rule.unless, guard=True) if rule.unless else None
    scan = rule.scan if rule.scan is not None else source_for_scan
    field = "scan" if rule.scan is not None else scan_field
    scan_line, scan_chunk = re2_scan_text(scan, chunk_level=False), re2_scan_text(scan, chunk_level=True)
    for text in (scan_line, scan_chunk):
        try:
            compiled = re2.compile(text.encode("utf-8"), _RE2_OPTIONS)
        except re2.error as exc:
            hint = "" if rule.scan is not None else " (not RE2-compatible: give a 'scan')"
            raise RuleCompileError(rule, field, f"scan does not compile in RE2: {exc}{hint}") from None
        if compiled.search(b"") is not None:       # type: ignore[attr-defined]
            raise RuleCompileError(rule, field, "scan matches the empty string")
    mask = (rule.mask if rule.mask is not None else "REDACTED").encode("utf-8")
    keep = _py(rule, "block.keep", rule.block_keep) if rule.block_keep else None
    markers = tuple(p for p in (pattern, block_end) if p is not None and not _only_empty(p)) if block_end is not None else ()
    return CompiledRule(rule, pattern, inner, groups, unless, block_end, mask, scan, keep,
                        scan_line=scan_line.encode("utf-8"), scan_chunk=scan_chunk, markers=markers)


class CompiledRules:
    """All rules of some rule sets that apply to one file kind, ready to run."""

    def __init__(self, rule_sets: tuple[RuleSet, ...], kind: str) -> None:
        rules: list[CompiledRule] = []
        for rule_set in rule_sets:
            for rule in rule_set.rules:
                if kind in rule.kinds:
                    rules.append(compile_rule(rule))
        self.rules: tuple[CompiledRule, ...] = tuple(rules)
        # begin/end markers of block rules: never rewritten by a line rule, so a second pass opens
        # and closes the same blocks (redaction stays idempotent). A begin marker is tagged with
        # its rule's index: it can only be on a line that rule's scan matched. An end pattern that
        # matches only empty text marks nothing and is left out.
        # (each pattern on its own: one alternation of them would fail on a rule's (?i) prefix)
        self.markers: tuple[tuple[int | None, re.Pattern[bytes]], ...] = tuple(
            (index if p is r.pattern else None, p) for index, r in enumerate(rules) for p in r.markers)
        # the same, as a line uses them: the end markers (any line), the begin marker by rule index
        self.end_markers = tuple(p for index, p in self.markers if index is None)
        self.begin_markers = {index: p for index, p in self.markers if index is not None}
        self.prefilter = None
        self.prefilter_search: SpanSearch | None = None      # (start, end) of the next hit, or None
        self.line_set = None
        self.line_match: SetMatch | None = None              # indexes of the scans a line matches
        self._line_scans: list[bytes] = []
        self._random_seconds = 0.0                 # what the line set spent on random-looking lines
        self._random_match: hsmatch.LineMatch | None | bool = False    # False: not built yet
        self._random_cache_tried = False           # ... nor looked for among the kept ones
        if rules:
            alternation = "|".join("(?:" + r.scan_chunk + ")" for r in rules)
            self.prefilter = re2.compile(("(?m)" + alternation).encode("utf-8"), _PREFILTER_OPTIONS)
            self.prefilter_search = span_search(self.prefilter)
            line_set = re2.Set.SearchSet(_LINE_SET_OPTIONS)
            self._line_scans = [r.scan_line for r in rules]
            for scan in self._line_scans:
                line_set.Add(scan)
            line_set.Compile()
            self.line_set = line_set
            self.line_match = set_matcher(line_set)
        categories = sorted({r.rule.category for r in rules} | {c for r in rules for _, c in r.groups})
        token_form = rb"\+?(?:" + b"|".join(
            re.escape(c.upper().replace("-", "_").encode()) for c in categories
        ) + rb")_[a-z]{10}" if categories else rb"(?!)"
        masks = sorted({re.escape(r.mask) for r in rules if r.mask}, key=lambda m: (-len(m), m))
        # longest first, so REDACTED-CARD is one hidden value and not REDACTED + "-CARD"
        self.hidden = re.compile(b"|".join((*masks, token_form, *_HIDDEN_FORMS)) or rb"(?!)")
        self.ours = re.compile(b"|".join((*masks, rb"(?<![A-Za-z0-9])" + token_form + rb"(?![a-z])"))
                               if categories else rb"(?!)")
        # ``ours`` without its look-arounds, in RE2: it matches wherever ``ours`` does, in linear
        # time, so only a value it matches is searched by ``ours``. Python tries every alternative
        # at every offset: 25 us for a JWT of 800 characters, the value of every bearer token.
        self._ours_first_look: SpanSearch | None = (
            span_search(re2.compile(b"|".join((*masks, token_form)), _RE2_OPTIONS)) if categories else None)

    def next_candidate(self, chunk: bytes, pos: int) -> int:
        """Offset of the next prefilter hit at or after ``pos``, or -1."""
        assert self.prefilter_search is not None
        hit = self.prefilter_search(chunk, pos)
        return -1 if hit is None else hit[0]

    def random_line_match(self, content: bytes) -> list[int] | None:
        """``line_match`` for a line that ``looks_random``: the same answer, from Hyperscan when an
        earlier run kept its database, or once the line set has spent (or would spend, on this
        line) ``HYPERSCAN_AFTER_SECONDS`` on such lines (hsmatch.py)."""
        if self._random_match is False and not self._random_cache_tried:      # one an earlier run kept
            self._random_cache_tried = True
            self._random_match = hsmatch.line_matcher(self._line_scans, compile=False) or False
        if self._random_match is False and (self._random_seconds + len(content) * _RANDOM_SECONDS_A_BYTE
                                            > HYPERSCAN_AFTER_SECONDS):
            self._random_match = hsmatch.line_matcher(self._line_scans)   # None: Hyperscan cannot serve
        matcher = self._random_match
        if matcher:
            return matcher(content)                # type: ignore[operator]
        assert self.line_match is not None
        start = time.perf_counter()
        found = self.line_match(content)
        self._random_seconds += time.perf_counter() - start
        return found

    def rules_for_line(self, content: bytes) -> list[int]:
        """Indexes of the rules whose scan matches this line (sorted, i.e. in rule order)."""
        if self.line_match is None:
            return []
        hits = self.line_match(content)
        return sorted(hits) if hits else []

    def is_hidden(self, value: bytes) -> bool:
        """Already hidden: a token, a mask or a site's own masking (``****``, ``<REDACTED>``), or a
        value that holds one of *our* tokens or masks (``REDACTED-CARD%x``, ``PHONE_x/PHONE_y``).

        The second case keeps redaction idempotent: a wide rule (key=value) can see, on a second
        pass, a value that the first pass saw only in part (a card number was masked inside it);
        the characters around our mask were outside every secret then. Site masks alone do not
        count there: ``****0142`` or ``hidden5555`` is still redacted.
        """
        if self.hidden.fullmatch(value) is not None:
            return True
        first_look = self._ours_first_look
        return first_look is not None and first_look(value, 0) is not None and self.ours.search(value) is not None


def _only_empty(pattern: re.Pattern[bytes]) -> bool:
    """The pattern can match only the empty string (lookarounds and anchors): e.g. a block end
    written as ``^(?=<time stamp>)``. Unknown (the parser's private API changed): False."""
    try:
        from re import _parser

        return bool(_parser.parse(pattern.pattern, pattern.flags).getwidth()[1] == 0)
    except Exception:  # noqa: BLE001 - keep the marker
        return False


def luhn_ok(value: bytes) -> bool:
    digits = [c - 48 for c in value if 48 <= c <= 57]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# Length of the IBAN of each country in the IBAN registry (SWIFT, ISO 13616): a value of another
# length, or of no registered country, is no IBAN (a 32-character CallUUID that starts with two
# letters and two digits passes mod 97 one time in 97; its length almost never fits its letters).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}


def iban_ok(value: bytes) -> bool:
    """An IBAN (spaces allowed): a registered country, its length, and the ISO 7064 mod-97 check."""
    text = value.replace(b" ", b"").upper().decode("ascii", "replace")
    if _IBAN_LENGTHS.get(text[:2]) != len(text) or not text.isalnum() or not text[2:4].isdigit():
        return False
    moved = text[4:] + text[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
