"""What the rules' scans cost RE2's DFAs on Genesys logs: memory, and which scans cause it.

    .venv/bin/python bench/scan_cost.py [--mb 20] [--tree DIR] [--each] [--top 15]

The redactor runs two RE2 automata over the logs (collector/redaction/compiled.py): the
prefilter (one alternation of every log rule's scan, over whole chunks) and the line set (an
``re2.Set`` of the same scans, on each candidate line). RE2 builds their DFA states lazily and
keeps them in a cache of bounded size. Some scan shapes multiply the states of all the others:
a bounded repeat of a wide class that can start anywhere (``[^\\n]{0,80}``, ``[2-6][0-9]{12}``
inside longer digit runs) makes the automaton track every start it has seen. Then the cache
grows by megabytes in every worker, and once it is full RE2 empties it and builds the states
again, line after line: the line set once cost 16 us a line that way instead of 1 us.

Prints the DFA growth (bytes allocated, glibc's mallinfo2) of both automata over ``--mb`` of
logs from the project's generated host (or ``--tree``), the line set's time on its first and
second pass over the same lines (a second pass as slow as the first: the cache thrashes), and
with ``--each`` the scans whose removal would shrink the automata most (one compile per rule:
about a second each; differences under 0.3 MiB are noise).
"""

from __future__ import annotations

import argparse
import ctypes
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import re2  # noqa: E402

from collector.re2search import re2_scan_text  # noqa: E402
from collector.redaction import load_rule_sets  # noqa: E402
from collector.redaction.compiled import CompiledRules, line_set_options, prefilter_options  # noqa: E402

RULE_SETS = ["common-secrets", "config-secrets", "tlib", "sip", "pii"]


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def allocated_bytes() -> int | None:
    """Bytes malloc has handed out and not had back (glibc 2.33+); None elsewhere."""
    try:
        libc = ctypes.CDLL(None)
        mallinfo2 = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return info.uordblks + info.hblkhd


def generated_host(dest: Path, mb: float) -> Path:
    """The project's generated host (the bench's mix), with at least ``mb`` MB of logs."""
    from collector.testhost import generate_host

    generate_host(dest, days=1, seed=3, target_bytes=int(mb * 1.3e6))
    return dest


def log_sample(tree: Path, mb: float) -> bytes:
    """About ``mb`` MB of the .log files of ``tree``, in path order."""
    parts, size = [], 0
    for path in sorted(tree.rglob("*.log")):
        if size >= mb * 1e6:
            break
        data = path.read_bytes()
        parts.append(data)
        size += len(data)
    return b"".join(parts)


def candidate_spans(prefilter: object, text: bytes) -> list[tuple[int, int]]:
    """Where the lines the prefilter hits are, as the redactor finds them (next hit, its line)."""
    spans, pos = [], 0
    while True:
        hit = prefilter.search(text, pos)                        # type: ignore[attr-defined]
        if hit is None:
            return spans
        start = text.rfind(b"\n", 0, hit.start()) + 1
        end = text.find(b"\n", hit.start())
        end = len(text) if end < 0 else end
        spans.append((start, end))
        pos = end + 1


# The line set is measured with room to grow: what its DFA needs on the text, not where the
# redactor's budget (line_set_options, RE2's default 8 MB) makes RE2 empty it and start again.
MEASURE_SET_MAX_MEM = 64 << 20


def dfa_growth(scans: list[str], text: bytes) -> dict[str, float]:
    """Compile the two automata from the scans (as CompiledRules does, the line set with
    ``MEASURE_SET_MAX_MEM``) and run them over the text: MiB each one's DFA cache grew,
    candidate lines, and the line set's two passes (s)."""
    # google-re2 keeps compiled patterns in an LRU cache: the same scans compiled earlier in this
    # process (by the engine, a test) come back with their DFA already built, and nothing grows
    re2.purge()
    before = allocated_bytes()
    prefilter = re2.compile(("(?m)" + "|".join(
        "(?:" + re2_scan_text(s, chunk_level=True) + ")" for s in scans)).encode(), prefilter_options())
    compiled_at = allocated_bytes()
    spans = candidate_spans(prefilter, text)                     # a few hundred KB of tuples
    prefilter_mib = ((allocated_bytes() or 0) - (compiled_at or 0)) / 2**20
    del prefilter
    lines = [text[start:end] for start, end in spans]
    set_options = line_set_options()
    set_options.max_mem = MEASURE_SET_MAX_MEM                     # type: ignore[attr-defined]
    line_set = re2.Set.SearchSet(set_options)
    for s in scans:
        line_set.Add(re2_scan_text(s, chunk_level=False).encode())
    line_set.Compile()
    compiled_at = allocated_bytes()
    passes = []
    for _ in range(2):
        started = time.process_time()
        for line in lines:
            line_set.Match(line)
        passes.append(time.process_time() - started)
    set_mib = ((allocated_bytes() or 0) - (compiled_at or 0)) / 2**20
    return {"prefilter_mib": prefilter_mib if before is not None else float("nan"),
            "line_set_mib": set_mib if before is not None else float("nan"),
            "candidate_lines": len(lines), "line_set_first_s": passes[0], "line_set_second_s": passes[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=20, help="MB of logs to run over (default 20)")
    parser.add_argument("--tree", type=Path, help="a host tree to take the logs from (default: generated)")
    parser.add_argument("--each", action="store_true", help="leave each scan out in turn (slow)")
    parser.add_argument("--top", type=int, default=15, help="with --each: how many scans to list")
    args = parser.parse_args()
    if allocated_bytes() is None:
        raise SystemExit("needs glibc 2.33+ (mallinfo2) to measure the DFA caches")
    with tempfile.TemporaryDirectory(prefix="scan-cost-") as scratch:
        text = log_sample(args.tree or generated_host(Path(scratch) / "host", args.mb), args.mb)
    rules = CompiledRules(tuple(load_rule_sets(RULE_SETS)), "log").rules
    scans = [r.scan for r in rules]
    whole = dfa_growth(scans, text)
    print(f"{len(text) / 1e6:.1f} MB of logs, {len(scans)} log rules, {whole['candidate_lines']} candidate lines")
    print(f"prefilter DFA +{whole['prefilter_mib']:.2f} MiB; line set DFA +{whole['line_set_mib']:.2f} MiB, "
          f"passes {whole['line_set_first_s']:.3f} s then {whole['line_set_second_s']:.3f} s "
          f"(budgets {prefilter_options().max_mem >> 20} and {MEASURE_SET_MAX_MEM >> 20} MiB; the redactor's "
          f"line set has {line_set_options().max_mem >> 20})")
    if not args.each:
        return
    rows = []
    for index, rule in enumerate(rules):
        without = dfa_growth(scans[:index] + scans[index + 1:], text)
        rows.append((whole["prefilter_mib"] - without["prefilter_mib"],
                     whole["line_set_mib"] - without["line_set_mib"], rule.rule.id))
    print(f"scans whose removal saves most (MiB prefilter, MiB line set), top {args.top}:")
    for saved_prefilter, saved_set, rule_id in sorted(rows, key=lambda r: -(r[0] + r[1]))[:args.top]:
        print(f"  {saved_prefilter:6.2f} {saved_set:6.2f}  {rule_id}")


if __name__ == "__main__":
    main()
