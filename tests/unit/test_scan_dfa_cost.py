"""The rules' scans keep RE2's automata small on Genesys logs (measured in bytes, not timed).

One scan shape can multiply the DFA states of all the others (bench/scan_cost.py says why and
which scans cost most). Two such scans (a name before an e-mail address with `[^\\n]{0,80}`, a
card number glued to letters with `[2-6][0-9]{12}` starting anywhere in a digit run) made the
line set's DFA outgrow its cache: it was emptied and rebuilt line after line, and redaction ran
25-30 % slower, with 4-5 MB more in every worker. This test catches the next one. (The line set's
cap is now RE2's default 8 MB, smaller than the sample below needs: compiled.line_set_options
says what that costs and why; the bound here is on the scans' shapes.)
"""

from __future__ import annotations

import pytest

from bench.scan_cost import RULE_SETS, allocated_bytes, dfa_growth, generated_host, log_sample
from collector.redaction import load_rule_sets
from collector.redaction.compiled import CompiledRules

# 6.5 MiB on this sample at 182 log rules (8.9 before the two fixes); 12.6 MiB at 251, most of the
# growth from the site-language password words. The DFA's budget is 64 MiB (prefilter_options).
PREFILTER_MAX_MIB = 14.0
# 7.8 MiB on this sample at 258 log rules, measured with room to grow (scan_cost.MEASURE_SET_MAX_MEM).
# The redactor caps it at RE2's default 8 MB (about 5 MiB of states) and empties it when full: over
# a whole host's variety of lines it needs far more than any cap (compiled.line_set_options), so
# this bound is about the scans' shapes, not about fitting the cap.
LINE_SET_MAX_MIB = 10.0
# Lines the prefilter hands on: 36,061 at 207 rules. A scan made wider than its regex (an
# optional separator, a label without its word start) once made it 42,363 with the same output.
MAX_CANDIDATE_LINES = 40_000


@pytest.mark.skipif(allocated_bytes() is None, reason="needs glibc's mallinfo2 to measure the DFA caches")
def test_the_scans_dfa_caches_stay_small_on_a_generated_host(tmp_path) -> None:
    text = log_sample(generated_host(tmp_path / "host", 20), 20)
    scans = [r.scan for r in CompiledRules(tuple(load_rule_sets(RULE_SETS)), "log").rules]
    growth = dfa_growth(scans, text)
    hint = "run bench/scan_cost.py --each to see which scans cost most"
    assert growth["candidate_lines"] <= MAX_CANDIDATE_LINES, f"{growth['candidate_lines']} candidate lines"
    assert growth["prefilter_mib"] <= PREFILTER_MAX_MIB, f"prefilter DFA {growth['prefilter_mib']:.1f} MiB; {hint}"
    assert growth["line_set_mib"] <= LINE_SET_MAX_MIB, f"line set DFA {growth['line_set_mib']:.1f} MiB; {hint}"
