"""The prefilter's selectivity, counted (not timed): on the project's generated Genesys host the
exact Python rules run on few lines. A rule whose scan is wider than its regex makes ordinary
lines candidates; one such scan ('from <any digit> (' matching every 'received from 118
(IxnServer)' line) once made redaction 2.5x slower with the same output. Speed itself is
measured by bench/run.py; this catches the cause in the test suite."""

from __future__ import annotations

from pathlib import Path

from collector.redaction import Redactor, Tokenizer, load_rule_sets
from collector.testhost import generate_host

LOG_RULE_SETS = ["common-secrets", "config-secrets", "tlib", "sip", "pii"]
MAX_EXACT_SHARE = 0.04      # 2.6 % on this host; the wide scan above made it 7.9 %


def test_the_exact_rules_run_on_few_lines_of_a_generated_host(tmp_path: Path) -> None:
    root = tmp_path / "host"
    generate_host(root, days=1, seed=3, target_bytes=20_000_000)
    rule_sets = load_rule_sets(LOG_RULE_SETS)
    tokenizer = Tokenizer(b"k" * 32, None)
    lines = exact = 0
    for path in sorted(root.rglob("*.log")):
        data = path.read_bytes()
        redactor = Redactor(rule_sets, tokenizer, "log", str(path))
        redactor.feed(data)
        redactor.finish()
        lines += data.count(b"\n")
        exact += redactor.exact_lines
    assert lines > 200_000
    assert exact / lines < MAX_EXACT_SHARE, f"{exact} of {lines} lines went through the exact rules"
